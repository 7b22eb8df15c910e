// SPDX-License-Identifier: Apache-2.0
// The Authentication-Results field the verbs print, and the --authserv-id flag that names
// this host in it.
#pragma once

#include <span>
#include <string>
#include <string_view>

#include "args.hpp"

namespace hallmark::cli {

/// --authserv-id, or this host's name (RFC 8601 2.5 suggests the host's name), or
/// "localhost" when it has none.
std::string authserv_id(const Args& args);

/// Prints the whole field, folded with "\n" for a terminal.
void print_auth_results(std::string_view authserv_id, std::span<const std::string> fragments);

}  // namespace hallmark::cli
