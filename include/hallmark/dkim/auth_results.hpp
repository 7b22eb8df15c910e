// SPDX-License-Identifier: Apache-2.0
// The "dkim" method of Authentication-Results (RFC 8601 2.7.1, RFC 6008 header.b), one
// fragment per signature, with values escaped.
#pragma once

#include <string>
#include <vector>

#include "hallmark/dkim/types.hpp"
#include "hallmark/export.hpp"

namespace hallmark::dkim {

/// "dkim=pass header.d=example.com header.i=@example.com header.s=sel header.a=rsa-sha256
/// header.b=AbCdEfGh"; a failure adds its reason as a comment: "dkim=fail (body hash does
/// not match bh=) header.d=...".
HALLMARK_API std::string auth_results_fragment(const Result& result);

/// One fragment per result; "dkim=none" for a message without signatures.
HALLMARK_API std::vector<std::string> auth_results_fragments(const std::vector<Result>& results);

}  // namespace hallmark::dkim
