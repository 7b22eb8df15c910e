// SPDX-License-Identifier: Apache-2.0
// Header field canonicalization (RFC 6376 3.4.1 simple, 3.4.2 relaxed).
#include "hallmark/dkim/canonicalize.hpp"

namespace hallmark::dkim {
namespace {

bool is_wsp(char c) noexcept { return c == ' ' || c == '\t'; }

void append_simple(std::string_view raw, std::string& out) {
  // Unchanged, except that bare LF line ends become CRLF and a missing final one is added.
  for (std::size_t i = 0; i < raw.size(); ++i) {
    char c = raw[i];
    if (c == '\n' && (i == 0 || raw[i - 1] != '\r')) out += '\r';
    out += c;
  }
  if (out.size() < 2 || out.compare(out.size() - 2, 2, "\r\n") != 0) {
    if (!out.empty() && out.back() == '\r') {
      out += '\n';
    } else {
      out += "\r\n";
    }
  }
}

void append_relaxed(std::string_view raw, std::string& out) {
  std::size_t colon = raw.find(':');
  std::string_view name = raw.substr(0, colon);
  while (!name.empty() && is_wsp(name.back())) name.remove_suffix(1);
  for (char c : name) out += (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c;
  out += ':';
  if (colon == std::string_view::npos) {
    out += "\r\n";
    return;
  }
  // Unfold (drop CR and LF), squeeze WSP runs to one SP, drop WSP at both ends of the value.
  bool space = false;
  bool started = false;
  for (char c : raw.substr(colon + 1)) {
    if (c == '\r' || c == '\n') continue;
    if (is_wsp(c)) {
      space = started;
      continue;
    }
    if (space) out += ' ';
    space = false;
    started = true;
    out += c;
  }
  out += "\r\n";
}

}  // namespace

void canonicalize_header(std::string_view raw_field, Canonicalization canonicalization,
                         std::string& out) {
  if (canonicalization == Canonicalization::simple) {
    std::string field;
    field.reserve(raw_field.size() + 2);
    append_simple(raw_field, field);
    out += field;
  } else {
    append_relaxed(raw_field, out);
  }
}

}  // namespace hallmark::dkim
