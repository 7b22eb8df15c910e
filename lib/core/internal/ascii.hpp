// SPDX-License-Identifier: Apache-2.0
// Small ASCII helpers every parser needs; protocol text is case-insensitive ASCII, never
// locale-dependent. Library-private.
#pragma once

#include <string.h>  // memrchr (GNU)

#include <string>
#include <string_view>

namespace hallmark::core::detail {

/// SP or HTAB (RFC 5234 WSP).
constexpr bool is_wsp(char c) noexcept { return c == ' ' || c == '\t'; }
/// WSP, CR or LF: what folding white space is made of.
constexpr bool is_fws(char c) noexcept { return is_wsp(c) || c == '\r' || c == '\n'; }
constexpr char to_lower(char c) noexcept {
  return c >= 'A' && c <= 'Z' ? static_cast<char>(c + ('a' - 'A')) : c;
}

/// ASCII case-insensitive equality.
constexpr bool iequals(std::string_view a, std::string_view b) noexcept {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (to_lower(a[i]) != to_lower(b[i])) return false;
  return true;
}

/// `text` without leading and trailing folding white space.
constexpr std::string_view trim_fws(std::string_view text) noexcept {
  while (!text.empty() && is_fws(text.front())) text.remove_prefix(1);
  while (!text.empty() && is_fws(text.back())) text.remove_suffix(1);
  return text;
}

/// The offset of the last `c` in `text`, or npos: std::string_view::rfind walks octet by
/// octet, memrchr a vector at a time, which tells on every address split at its '@'.
inline std::size_t last_of(std::string_view text, char c) noexcept {
  if (text.empty()) return std::string_view::npos;
  const void* found = ::memrchr(text.data(), c, text.size());
  return found == nullptr ? std::string_view::npos
                          : static_cast<std::size_t>(static_cast<const char*>(found) - text.data());
}

}  // namespace hallmark::core::detail
