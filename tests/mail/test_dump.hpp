// SPDX-License-Identifier: Apache-2.0
// Compact, printable dumps of parsed messages, so table-driven tests compare one string.
#pragma once

#include <string>
#include <string_view>

#include <fmt/format.h>

#include "hallmark/mail/header.hpp"

namespace hallmark::mail::test {

/// Control bytes as C escapes, so expected dumps stay readable; 8-bit bytes unchanged.
inline std::string escape(std::string_view text) {
  std::string out;
  for (char c : text) {
    switch (c) {
      case '\r': out += "\\r"; break;
      case '\n': out += "\\n"; break;
      case '\t': out += "\\t"; break;
      case '\0': out += "\\0"; break;
      default:
        if (static_cast<unsigned char>(c) < 0x20)
          out += fmt::format("\\x{:02x}", static_cast<unsigned char>(c));
        else
          out += c;
    }
  }
  return out;
}

inline std::string_view to_string(HeaderEnd end) {
  switch (end) {
    case HeaderEnd::blank_line: return "blank_line";
    case HeaderEnd::malformed_line: return "malformed_line";
    case HeaderEnd::end_of_input: return "end_of_input";
  }
  return "?";
}

/// "[Name:value][Name:value] <how the section ended> body=<body>", values still folded.
inline std::string dump(const HeaderSection& headers, std::string_view body) {
  std::string out;
  for (const HeaderField& field : headers)
    out += fmt::format("[{}{}:{}]", field.name, field.space_before_colon ? " " : "",
                       escape(field.value));
  out += fmt::format(" {} body={}", to_string(headers.ended_by()), escape(body));
  return out;
}

inline std::string dump(const Message& message) { return dump(message.headers, message.body); }

}  // namespace hallmark::mail::test
