// SPDX-License-Identifier: Apache-2.0
// Macro expansion (RFC 7208 7.3): letters to values, split/reverse/keep transformers,
// URL escaping of upper-case macros, and the 253-octet truncation of expanded names.
#include <algorithm>
#include <vector>

#include <fmt/format.h>

#include "spf/internal/macro.hpp"

namespace hallmark::spf::detail {
namespace {

std::string letter_value(char letter, const MacroValues& v) {
  switch (letter) {
    case 's': return std::string(v.sender);
    case 'l': return std::string(v.local_part);
    case 'o': return std::string(v.sender_domain);
    case 'd': return std::string(v.domain);
    case 'i': return ip_macro_value(v.ip);
    case 'p': return std::string(v.validated_name);
    case 'v': return v.ip.is_v4() ? "in-addr" : "ip6";
    case 'h': return std::string(v.helo);
    case 'c': return v.ip.to_string();
    case 'r': return std::string(v.receiver);
    case 't': return std::to_string(v.now);
    default: return {};
  }
}

// RFC 7208 7.3: split on any delimiter, optionally reverse, keep the right-most `keep`
// parts, and join with '.'.
std::string transform(std::string_view value, const MacroPiece& piece) {
  if (!piece.reverse && piece.keep == 0 && piece.delimiters.empty()) return std::string(value);
  std::string_view delimiters =
      piece.delimiters.empty() ? std::string_view(".") : std::string_view(piece.delimiters);
  std::vector<std::string_view> parts;
  std::size_t start = 0;
  for (std::size_t i = 0; i <= value.size(); ++i) {
    if (i == value.size() || delimiters.find(value[i]) != std::string_view::npos) {
      parts.push_back(value.substr(start, i - start));
      start = i + 1;
    }
  }
  if (piece.reverse) std::reverse(parts.begin(), parts.end());
  std::size_t first = 0;
  if (piece.keep != 0 && piece.keep < parts.size()) first = parts.size() - piece.keep;
  std::string out;
  for (std::size_t i = first; i < parts.size(); ++i) {
    if (i != first) out += '.';
    out += parts[i];
  }
  return out;
}

// RFC 3986 2.3: unreserved = ALPHA / DIGIT / "-" / "." / "_" / "~"
bool is_unreserved(unsigned char c) noexcept {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '.' || c == '_' || c == '~';
}

void append_url_escaped(std::string& out, std::string_view value) {
  static constexpr char hex[] = "0123456789ABCDEF";
  for (unsigned char c : value) {
    if (is_unreserved(c)) {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += hex[c >> 4];
      out += hex[c & 0x0f];
    }
  }
}

}  // namespace

std::string ip_macro_value(const core::IpAddress& ip) {
  if (ip.is_v4()) return ip.to_string();
  // RFC 7208 7.3 leaves the case of the nibbles open (DNS ignores it). The OpenSPF suite
  // expects upper case in explanations, as pyspf writes them; RFC 7208 7.4 shows lower.
  static constexpr char hex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(63);
  for (std::uint8_t byte : ip.bytes()) {
    if (!out.empty()) out += '.';
    out += hex[byte >> 4];
    out += '.';
    out += hex[byte & 0x0f];
  }
  return out;
}

std::optional<std::string> expand(const MacroString& text, const MacroValues& values) {
  std::string out;
  for (const MacroPiece& piece : text.pieces) {
    if (piece.letter == 0) {
      out += piece.literal;
    } else {
      std::string value = transform(letter_value(piece.letter, values), piece);
      if (piece.url_escape) {
        append_url_escaped(out, value);
      } else {
        out += value;
      }
    }
    if (out.size() > max_expansion) return std::nullopt;
  }
  return out;
}

bool uses_macro(const MacroString& text, char letter) noexcept {
  return std::any_of(text.pieces.begin(), text.pieces.end(),
                     [letter](const MacroPiece& piece) { return piece.letter == letter; });
}

std::string truncate_to_domain_limit(std::string name) {
  constexpr std::size_t limit = 253;
  bool trailing_dot = !name.empty() && name.back() == '.';
  std::size_t length = name.size() - (trailing_dot ? 1 : 0);
  std::size_t start = 0;
  while (length - start > limit) {
    std::size_t dot = name.find('.', start);
    if (dot == std::string::npos || dot >= length) return {};  // one label over 253 octets
    start = dot + 1;
  }
  if (start == 0) return name;  // the usual case: no copy
  return name.substr(start);
}

}  // namespace hallmark::spf::detail
