// SPDX-License-Identifier: Apache-2.0
// Names of SPF outcomes and identities as RFC 7208 and RFC 8601 spell them.
#include "hallmark/spf/types.hpp"

#include <array>

namespace hallmark::spf {
namespace {

constexpr std::array<std::string_view, 7> outcome_names = {
    "none", "neutral", "pass", "fail", "softfail", "temperror", "permerror"};

}  // namespace

std::string_view to_string(Outcome outcome) noexcept {
  auto index = static_cast<std::size_t>(outcome);
  return index < outcome_names.size() ? outcome_names[index] : "permerror";
}

std::optional<Outcome> parse_outcome(std::string_view text) noexcept {
  for (std::size_t i = 0; i < outcome_names.size(); ++i) {
    std::string_view name = outcome_names[i];
    if (name.size() != text.size()) continue;
    bool same = true;
    for (std::size_t j = 0; j < name.size() && same; ++j) {
      char c = text[j] >= 'A' && text[j] <= 'Z' ? static_cast<char>(text[j] + 32) : text[j];
      same = c == name[j];
    }
    if (same) return static_cast<Outcome>(i);
  }
  return std::nullopt;
}

std::string_view to_string(Identity identity) noexcept {
  return identity == Identity::helo ? "helo" : "mailfrom";
}

}  // namespace hallmark::spf
