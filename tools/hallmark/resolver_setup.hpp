// SPDX-License-Identifier: Apache-2.0
// The DNS source every verb shares: zone fixtures (--zone FILE, repeatable) for offline use,
// otherwise c-ares with the system configuration or --server ADDR:PORT (repeatable).
#pragma once

#include <memory>
#include <set>
#include <string>

#include "args.hpp"
#include "hallmark/dns/resolver.hpp"

namespace hallmark::cli {

/// Flags understood by make_resolver(), to merge into a verb's flag set.
std::set<std::string, std::less<>> resolver_flags();
/// Usage text for those flags.
std::string_view resolver_usage();

/// Builds the resolver the flags ask for. Throws Failure naming the file and line of a bad
/// zone fixture or a bad server address.
std::unique_ptr<dns::Resolver> make_resolver(const Args& args);

}  // namespace hallmark::cli
