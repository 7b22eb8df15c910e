// SPDX-License-Identifier: Apache-2.0
// Escaping of values and comments written into header fields.
#include "hallmark/core/header_text.hpp"

namespace hallmark::core {
namespace {

bool is_control(unsigned char c) noexcept { return c < 0x20 || c == 0x7f; }

// RFC 5322 3.2.3 atext.
bool is_atext(unsigned char c) noexcept {
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
    case '/':
    case '=':
    case '?':
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

bool is_dot_atom(std::string_view text) noexcept {
  if (text.empty() || text.front() == '.' || text.back() == '.') return false;
  char previous = 0;
  for (char c : text) {
    if (c == '.') {
      if (previous == '.') return false;
    } else if (!is_atext(static_cast<unsigned char>(c))) {
      return false;
    }
    previous = c;
  }
  return true;
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

std::string header_value(std::string_view value) {
  if (is_dot_atom(value)) return std::string(value);
  return quoted(value);
}

std::string header_address(std::string_view address) {
  std::size_t at = address.rfind('@');
  if (at != std::string_view::npos) {
    std::string_view local = address.substr(0, at);
    std::string_view domain = address.substr(at + 1);
    if ((local.empty() || is_dot_atom(local)) && is_dot_atom(domain)) return std::string(address);
  }
  return header_value(address);
}

std::string header_comment(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (unsigned char c : text) {
    if (is_control(c)) continue;
    if (c == '(' || c == ')' || c == '\\') out += '\\';
    out += static_cast<char>(c);
  }
  return out;
}

}  // namespace hallmark::core
