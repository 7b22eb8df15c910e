// SPDX-License-Identifier: Apache-2.0
// Escaping, capping and folding of text written into header fields.
#include "hallmark/core/header_text.hpp"

namespace hallmark::core {
namespace {

bool is_control(unsigned char c) noexcept { return c < 0x20 || c == 0x7f; }

// RFC 5322 3.2.3 atext without '/', '=' and '?', which RFC 2045 counts as tspecials: what is
// left is valid bare in both grammars.
bool is_bare_text(unsigned char c) noexcept {
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return true;
  switch (c) {
    case '!':
    case '#':
    case '$':
    case '%':
    case '&':
    case '\'':
    case '*':
    case '+':
    case '-':
    case '^':
    case '_':
    case '`':
    case '{':
    case '|':
    case '}':
    case '~': return true;
    default: return false;
  }
}

bool is_bare_dot_atom(std::string_view text) noexcept {
  if (text.empty() || text.front() == '.' || text.back() == '.') return false;
  char previous = 0;
  for (char c : text) {
    if (c == '.') {
      if (previous == '.') return false;
    } else if (!is_bare_text(static_cast<unsigned char>(c))) {
      return false;
    }
    previous = c;
  }
  return true;
}

// Where to cut `text` to at most `limit` octets without splitting a UTF-8 sequence.
std::size_t cut_point(std::string_view text, std::size_t limit) noexcept {
  if (text.size() <= limit) return text.size();
  std::size_t at = limit;
  while (at > 0 && (static_cast<unsigned char>(text[at]) & 0xc0) == 0x80) --at;
  return at;
}

std::string quoted(std::string_view value) {
  std::string out = "\"";
  for (unsigned char c : value) {
    if (is_control(c)) continue;
    if (c == '"' || c == '\\') out += '\\';
    out += static_cast<char>(c);
  }
  out += '"';
  return out;
}

}  // namespace

std::string echoed(std::string_view text, std::size_t limit) {
  std::size_t keep = cut_point(text, limit);
  if (keep == text.size()) return std::string(text);
  std::string out(text.substr(0, keep));
  out += "...";
  return out;
}

std::string header_value(std::string_view value) {
  if (value.size() <= max_echoed_octets && is_bare_dot_atom(value)) return std::string(value);
  return quoted(echoed(value));
}

std::string header_address(std::string_view address) {
  std::size_t at = address.rfind('@');
  if (at != std::string_view::npos && address.size() <= max_echoed_octets) {
    std::string_view local = address.substr(0, at);
    std::string_view domain = address.substr(at + 1);
    if ((local.empty() || is_bare_dot_atom(local)) && is_bare_dot_atom(domain))
      return std::string(address);
  }
  return header_value(address);
}

std::string header_comment(std::string_view text) {
  std::string out;
  std::string cut = echoed(text);
  out.reserve(cut.size());
  for (unsigned char c : cut) {
    if (is_control(c)) continue;
    if (c == '(' || c == ')' || c == '\\') out += '\\';
    out += static_cast<char>(c);
  }
  return out;
}

std::string fold_header_field(std::string_view field, std::string_view newline) {
  constexpr std::size_t width = 78;
  std::string out;
  out.reserve(field.size() + field.size() / 32 * newline.size());
  std::size_t line_start = 0;  // in `out`
  std::size_t position = 0;
  while (position < field.size()) {
    // The next word: the space before it and the text up to the next space. Of a run of
    // spaces only the last can take a break, since only it has text after it.
    std::size_t word_end = field.find(' ', position + 1);
    if (word_end == std::string_view::npos) word_end = field.size();
    std::string_view word = field.substr(position, word_end - position);
    // A break goes before a space that has text after it, so no line is only white space.
    bool can_break = word.size() > 1 && word.front() == ' ' && out.size() > line_start;
    if (can_break && out.size() - line_start + word.size() > width) {
      out += newline;
      line_start = out.size();
    }
    out += word;
    position = word_end;
  }
  return out;
}

}  // namespace hallmark::core
