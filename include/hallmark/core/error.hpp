// SPDX-License-Identifier: Apache-2.0
// Error values for malformed input: a code, a message naming what is wrong, and where.
#pragma once

#include <cstddef>
#include <cstdint>
#include <expected>
#include <string>
#include <string_view>

#include "hallmark/export.hpp"

namespace hallmark::core {

enum class Errc : std::uint8_t {
  syntax,         // input does not follow the grammar
  missing_tag,    // a required tag or field is absent
  duplicate_tag,  // a tag or field that may appear once appears again
  bad_value,      // well-formed but not an acceptable value
  too_long,       // exceeds a length limit
  too_many,       // exceeds a count limit
  bad_encoding,   // bad base64, UTF-8 or IDNA input
  io,             // a file could not be read
  unsupported,    // valid but not implemented or not accepted by policy
};

HALLMARK_API std::string_view to_string(Errc code) noexcept;

struct Error {
  Errc code = Errc::syntax;
  std::string message;     // names the offending input: "tag 'bh' is not base64"
  std::size_t offset = 0;  // byte position in the parsed input, when meaningful

  friend bool operator==(const Error&, const Error&) = default;
};

template <class T>
using Expected = std::expected<T, Error>;

/// Shorthand for returning an error: `return core::fail(Errc::syntax, "...", pos);`
inline std::unexpected<Error> fail(Errc code, std::string message, std::size_t offset = 0) {
  return std::unexpected<Error>(Error{code, std::move(message), offset});
}

}  // namespace hallmark::core
