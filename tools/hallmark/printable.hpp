// SPDX-License-Identifier: Apache-2.0
// Sender text on a terminal: fields that do not parse still report what they hold, and their
// control bytes must not upset the terminal they are printed on.
#pragma once

#include <string>
#include <string_view>

namespace hallmark::cli {

/// `text` with control bytes (below 0x20, and DEL) shown as '?'.
inline std::string printable(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    auto byte = static_cast<unsigned char>(c);
    out += byte < 0x20 || byte == 0x7f ? '?' : c;
  }
  return out;
}

}  // namespace hallmark::cli
