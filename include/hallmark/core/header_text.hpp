// SPDX-License-Identifier: Apache-2.0
// Safe text for generated header fields (Authentication-Results, Received-SPF): values and
// comments built from what strangers sent (HELO names, local parts) must not be able to end
// the field, open a new one, or break its syntax.
#pragma once

#include <string>
#include <string_view>

#include "hallmark/export.hpp"

namespace hallmark::core {

/// A value as RFC 5322 dot-atom or RFC 2045 token when it is one ("example.com",
/// "user@example.com" is not a dot-atom but is written as a quoted string), otherwise a
/// quoted-string with '"' and '\' escaped. Control characters (CR, LF, NUL, DEL, ...) are
/// dropped; 8-bit bytes (RFC 6532 UTF-8) are kept inside quotes.
HALLMARK_API std::string header_value(std::string_view value);

/// Like header_value(), but a local-part@domain whose parts are dot-atoms stays bare, as
/// RFC 8601 2.2 allows for pvalue.
HALLMARK_API std::string header_address(std::string_view address);

/// Text safe inside a comment "( ... )": '(' ')' and '\' escaped, control characters dropped.
HALLMARK_API std::string header_comment(std::string_view text);

}  // namespace hallmark::core
