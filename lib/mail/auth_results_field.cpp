// SPDX-License-Identifier: Apache-2.0
// Assembling an Authentication-Results field from the protocols' method fragments.
#include "hallmark/core/header_text.hpp"
#include "hallmark/mail/auth_results.hpp"

namespace hallmark::mail {

std::string auth_results_field(std::string_view authserv_id, std::span<const std::string> fragments,
                               std::string_view newline) {
  std::string out = "Authentication-Results: " + core::header_value(authserv_id) + ";";
  if (fragments.empty()) return core::fold_header_field(out + " none", newline);
  out = core::fold_header_field(out, newline);
  for (std::size_t i = 0; i < fragments.size(); ++i) {
    // One method a line reads best; the leading space makes each line a continuation.
    std::string line = " " + fragments[i] + (i + 1 < fragments.size() ? ";" : "");
    out += newline;
    out += core::fold_header_field(line, newline);
  }
  return out;
}

}  // namespace hallmark::mail
