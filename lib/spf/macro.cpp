// SPDX-License-Identifier: Apache-2.0
// Macro expansion (RFC 7208 7.3): letters to values, split/reverse/keep transformers,
// URL escaping of upper-case macros, and the 253-octet truncation of expanded names.
#include <algorithm>
#include <array>
#include <vector>

#include "spf/internal/macro.hpp"

namespace hallmark::spf::detail {
namespace {

// The value of a macro letter: a view of the inputs, or of `computed` for the letters whose
// value must be formatted (an IPv4 address or a time fits its small-string buffer).
std::string_view letter_value(char letter, const MacroValues& v, std::string& computed) {
  switch (letter) {
    case 's': return v.sender;
    case 'l': return v.local_part;
    case 'o': return v.sender_domain;
    case 'd': return v.domain;
    case 'i': return computed = ip_macro_value(v.ip);
    case 'p': return v.validated_name;
    case 'v': return v.ip.is_v4() ? "in-addr" : "ip6";
    case 'h': return v.helo;
    case 'c': return computed = v.ip.to_string();
    case 'r': return v.receiver;
    case 't': return computed = std::to_string(v.now);
    default: return {};
  }
}

// RFC 3986 2.3: unreserved = ALPHA / DIGIT / "-" / "." / "_" / "~"
bool is_unreserved(unsigned char c) noexcept {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '.' || c == '_' || c == '~';
}

void append_value(std::string& out, std::string_view value, bool url_escape) {
  if (!url_escape) {
    out += value;
    return;
  }
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

// RFC 7208 7.3: split on any delimiter, optionally reverse, keep the right-most `keep`
// parts, and join with '.' (unreserved, so escaping the parts escapes the whole).
void append_transformed(std::string& out, std::string_view value, const MacroPiece& piece) {
  if (!piece.reverse && piece.keep == 0 && piece.delimiters.empty()) {
    append_value(out, value, piece.url_escape);
    return;
  }
  const std::string_view delimiters =
      piece.delimiters.empty() ? std::string_view(".") : std::string_view(piece.delimiters);
  // Parts are views of the value; a few dozen fit on the stack (an IPv6 address in nibbles
  // has 32), and only a hostile value with more goes to the heap.
  constexpr std::size_t inline_parts = 64;
  std::array<std::string_view, inline_parts> stack_parts;
  std::vector<std::string_view> heap_parts;
  std::size_t count = 0;
  const auto add = [&](std::string_view part) {
    if (count < inline_parts) {
      stack_parts[count] = part;
    } else {
      if (heap_parts.empty()) heap_parts.assign(stack_parts.begin(), stack_parts.end());
      heap_parts.push_back(part);
    }
    ++count;
  };
  std::size_t start = 0;
  for (std::size_t i = 0; i <= value.size(); ++i) {
    if (i == value.size() || delimiters.find(value[i]) != std::string_view::npos) {
      add(value.substr(start, i - start));
      start = i + 1;
    }
  }
  std::string_view* parts = count <= inline_parts ? stack_parts.data() : heap_parts.data();
  if (piece.reverse) std::reverse(parts, parts + count);
  std::size_t first = 0;
  if (piece.keep != 0 && piece.keep < count) first = count - piece.keep;
  for (std::size_t i = first; i < count; ++i) {
    if (i != first) out += '.';
    append_value(out, parts[i], piece.url_escape);
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

bool expand_into(const MacroString& text, const MacroValues& values, std::string& out) {
  const std::size_t limit = out.size() + max_expansion;
  std::string computed;
  for (const MacroPiece& piece : text.pieces) {
    if (piece.letter == 0) {
      out += piece.literal;
    } else {
      append_transformed(out, letter_value(piece.letter, values, computed), piece);
    }
    if (out.size() > limit) return false;
  }
  return true;
}

std::optional<std::string> expand(const MacroString& text, const MacroValues& values) {
  std::string out;
  if (!expand_into(text, values, out)) return std::nullopt;
  return out;
}

bool uses_macro(const MacroString& text, char letter) noexcept {
  return std::any_of(text.pieces.begin(), text.pieces.end(),
                     [letter](const MacroPiece& piece) { return piece.letter == letter; });
}

std::string_view truncate_to_domain_limit(std::string_view name) noexcept {
  constexpr std::size_t limit = 253;
  bool trailing_dot = !name.empty() && name.back() == '.';
  std::size_t length = name.size() - (trailing_dot ? 1 : 0);
  std::size_t start = 0;
  while (length - start > limit) {
    std::size_t dot = name.find('.', start);
    if (dot == std::string_view::npos || dot >= length) return {};  // one label over 253 octets
    start = dot + 1;
  }
  return name.substr(start);
}

}  // namespace hallmark::spf::detail
