// SPDX-License-Identifier: Apache-2.0
// Macro-string syntax (RFC 7208 7.1): "%{ir}.%{v}._spf.%{d2}" -> literal and macro pieces,
// and the domain-end rule that a target name ends in a top label or a macro.
#include <charconv>

#include <fmt/format.h>

#include "hallmark/spf/record.hpp"
#include "core/internal/ascii.hpp"

namespace hallmark::spf {
namespace {

bool is_alpha(char c) noexcept { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool is_digit(char c) noexcept { return c >= '0' && c <= '9'; }
bool is_alnum(char c) noexcept { return is_alpha(c) || is_digit(c); }
using core::detail::to_lower;

bool is_macro_letter(char c, MacroContext context) noexcept {
  switch (to_lower(c)) {
    case 's':
    case 'l':
    case 'o':
    case 'd':
    case 'i':
    case 'p':
    case 'h':
    case 'v': return true;
    // RFC 7208 7.2: c, r and t are allowed only in explanation text.
    case 'c':
    case 'r':
    case 't': return context == MacroContext::explanation;
    default: return false;
  }
}

bool is_delimiter(char c) noexcept {
  switch (c) {
    case '.':
    case '-':
    case '+':
    case ',':
    case '/':
    case '_':
    case '=': return true;
    default: return false;
  }
}

// RFC 7208 7.1: toplabel = ( *alphanum ALPHA *alphanum ) /
//                          ( 1*alphanum "-" *( alphanum / "-" ) alphanum )
bool is_toplabel(std::string_view label) noexcept {
  if (label.empty() || !is_alnum(label.front()) || !is_alnum(label.back())) return false;
  bool has_alpha = false, has_hyphen = false;
  for (char c : label) {
    if (c == '-') {
      has_hyphen = true;
    } else if (is_alpha(c)) {
      has_alpha = true;
    } else if (!is_digit(c)) {
      return false;
    }
  }
  return has_alpha || has_hyphen;
}

// RFC 7208 7.1: domain-end = ( "." toplabel [ "." ] ) / macro-expand
bool has_domain_end(const MacroString& spec) noexcept {
  if (spec.pieces.empty()) return false;
  const MacroPiece& last = spec.pieces.back();
  if (last.letter != 0) return true;
  std::string_view tail = last.literal;
  // "%%", "%_" and "%-" are macro-expands too, but they are stored as literal text; a spec
  // ending in one is rare enough that treating it as literal (and so requiring a top label)
  // errs on the side of the grammar's intent: a name ending in a real label.
  if (!tail.empty() && tail.back() == '.') tail.remove_suffix(1);
  std::size_t dot = tail.rfind('.');
  if (dot == std::string_view::npos) {
    // The top label may follow a macro: "%{d}.com" splits into a macro and ".com".
    return false;
  }
  return is_toplabel(tail.substr(dot + 1));
}

}  // namespace

bool MacroString::has_macros() const noexcept {
  for (const MacroPiece& piece : pieces)
    if (piece.letter != 0) return true;
  return false;
}

core::Expected<MacroString> parse_macro_string(std::string_view text, MacroContext context) {
  MacroString out;
  out.text = std::string(text);
  auto add_literal = [&out](std::string_view literal) {
    if (out.pieces.empty() || out.pieces.back().letter != 0) out.pieces.emplace_back();
    out.pieces.back().literal.append(literal);
  };
  for (std::size_t i = 0; i < text.size();) {
    char c = text[i];
    if (c != '%') {
      auto byte = static_cast<unsigned char>(c);
      bool space_ok = context == MacroContext::explanation && c == ' ';
      // RFC 7208 7.1: macro-literal = %x21-24 / %x26-7E
      if (!space_ok && (byte < 0x21 || byte > 0x7e))
        return core::fail(core::Errc::syntax,
                          fmt::format("character 0x{:02x} is not allowed in '{}'", byte, text), i);
      std::size_t end = i + 1;
      while (end < text.size() && text[end] != '%' && text[end] > 0x20 && text[end] < 0x7f) ++end;
      add_literal(text.substr(i, end - i));
      i = end;
      continue;
    }
    if (i + 1 >= text.size())
      return core::fail(core::Errc::syntax, fmt::format("'%' at the end of '{}'", text), i);
    char next = text[i + 1];
    if (next == '%' || next == '_' || next == '-') {
      add_literal(next == '%' ? "%" : next == '_' ? " " : "%20");
      i += 2;
      continue;
    }
    if (next != '{')
      return core::fail(core::Errc::syntax,
                        fmt::format("'%{}' is not a macro in '{}' (RFC 7208 7.3)", next, text), i);
    std::size_t close = text.find('}', i + 2);
    if (close == std::string_view::npos)
      return core::fail(core::Errc::syntax, fmt::format("unterminated macro in '{}'", text), i);
    std::string_view body = text.substr(i + 2, close - i - 2);
    if (body.empty() || !is_macro_letter(body[0], context))
      return core::fail(core::Errc::syntax,
                        fmt::format("'%{{{}}}' is not a valid macro here", body), i);
    MacroPiece piece;
    piece.letter = to_lower(body[0]);
    piece.url_escape = body[0] >= 'A' && body[0] <= 'Z';
    std::size_t pos = 1;
    std::size_t digits_end = pos;
    while (digits_end < body.size() && is_digit(body[digits_end])) ++digits_end;
    if (digits_end > pos) {
      std::string_view digits = body.substr(pos, digits_end - pos);
      std::size_t first = digits.find_first_not_of('0');
      if (first == std::string_view::npos)  // RFC 7208 7.3: a DIGIT MUST be nonzero
        return core::fail(core::Errc::syntax,
                          fmt::format("'%{{{}}}' keeps zero parts (RFC 7208 7.3)", body), i);
      // More than three digits cannot matter (a name has at most 127 labels): saturate.
      std::string_view significant = digits.substr(first);
      unsigned keep = 1000;
      if (significant.size() <= 3)
        std::from_chars(significant.data(), significant.data() + significant.size(), keep);
      piece.keep = keep;
      pos = digits_end;
    }
    if (pos < body.size() && (body[pos] == 'r' || body[pos] == 'R')) {
      piece.reverse = true;
      ++pos;
    }
    for (; pos < body.size(); ++pos) {
      if (!is_delimiter(body[pos]))
        return core::fail(
            core::Errc::syntax,
            fmt::format("'{}' is not a macro delimiter in '%{{{}}}'", body[pos], body), i);
      piece.delimiters += body[pos];
    }
    out.pieces.push_back(std::move(piece));
    i = close + 1;
  }
  if (context == MacroContext::domain_spec && !has_domain_end(out))
    return core::fail(core::Errc::syntax,
                      fmt::format("'{}' does not end in a top-level label or a macro "
                                  "(RFC 7208 7.1)",
                                  text));
  return out;
}

}  // namespace hallmark::spf
