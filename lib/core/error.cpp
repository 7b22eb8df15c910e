// SPDX-License-Identifier: Apache-2.0
// Names of error codes, for messages and the CLI.
#include "hallmark/core/error.hpp"

namespace hallmark::core {

std::string_view to_string(Errc code) noexcept {
  switch (code) {
    case Errc::syntax: return "syntax";
    case Errc::missing_tag: return "missing_tag";
    case Errc::duplicate_tag: return "duplicate_tag";
    case Errc::bad_value: return "bad_value";
    case Errc::too_long: return "too_long";
    case Errc::too_many: return "too_many";
    case Errc::bad_encoding: return "bad_encoding";
    case Errc::io: return "io";
    case Errc::unsupported: return "unsupported";
  }
  return "unknown";
}

}  // namespace hallmark::core
