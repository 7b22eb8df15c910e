// SPDX-License-Identifier: Apache-2.0
// dkim::Result -> Authentication-Results "dkim=" fragments.
#include "hallmark/dkim/auth_results.hpp"

#include <fmt/format.h>

#include "hallmark/core/header_text.hpp"

namespace hallmark::dkim {

std::string auth_results_fragment(const Result& result) {
  std::string out = fmt::format("dkim={}", to_string(result.outcome));
  if (result.outcome != Outcome::pass && !result.detail.empty())
    out += fmt::format(" ({})", core::header_comment(result.detail));
  else if (result.unsigned_body_octets > 0)
    out += fmt::format(" (l= leaves {} body octets unsigned{})", result.unsigned_body_octets,
                       result.testing ? "; test mode key" : "");
  else if (result.testing)
    out += " (test mode key)";
  if (!result.domain.empty()) out += " header.d=" + core::header_value(result.domain);
  if (!result.auid.empty()) out += " header.i=" + core::header_address(result.auid);
  if (!result.selector.empty()) out += " header.s=" + core::header_value(result.selector);
  if (!result.algorithm.empty()) out += " header.a=" + core::header_value(result.algorithm);
  if (!result.header_b.empty()) out += " header.b=" + core::header_value(result.header_b);
  return out;
}

std::vector<std::string> auth_results_fragments(const std::vector<Result>& results) {
  if (results.empty()) return {"dkim=none"};
  std::vector<std::string> out;
  out.reserve(results.size());
  for (const Result& result : results) out.push_back(auth_results_fragment(result));
  return out;
}

}  // namespace hallmark::dkim
