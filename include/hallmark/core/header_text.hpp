// SPDX-License-Identifier: Apache-2.0
// Safe text for generated header fields (Authentication-Results, Received-SPF): values and
// comments built from what strangers sent (HELO names, local parts) must not be able to end
// the field, open a new one, break its syntax, or make it grow without bound.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "hallmark/export.hpp"

namespace hallmark::core {

/// The most octets of a sender's text that is echoed into a result or a header field: a
/// domain name fits (253), a 10 KB HELO does not.
inline constexpr std::size_t max_echoed_octets = 255;

/// `text` cut to `limit` octets (never inside a UTF-8 sequence) and marked with "..." when cut.
HALLMARK_API std::string echoed(std::string_view text, std::size_t limit = max_echoed_octets);

/// A value bare when it is both an RFC 2045 token and an RFC 5322 dot-atom ("example.com",
/// "rsa-sha256"), so it reads the same to every grammar that may parse it (RFC 8601 pvalue,
/// RFC 7208 key-value-pair); otherwise a quoted-string with '"' and '\' escaped ("foo=bar",
/// "a b"). Control characters (CR, LF, NUL, DEL, ...) are dropped; 8-bit bytes (RFC 6532
/// UTF-8) are kept inside quotes. Cut as echoed() does, and then always quoted.
HALLMARK_API std::string header_value(std::string_view value);

/// Like header_value(), but a local-part@domain whose parts are such dot-atoms stays bare, as
/// RFC 8601 2.2 allows for pvalue ("user@example.com", "@example.com").
HALLMARK_API std::string header_address(std::string_view address);

/// Text safe inside a comment "( ... )": '(' ')' and '\' escaped, control characters dropped,
/// cut as echoed() does.
HALLMARK_API std::string header_comment(std::string_view text);

/// A whole header field ("Name: value", unfolded) folded at white space (RFC 5322 2.2.3) so
/// that lines stay within 78 octets wherever a space allows it; `newline` goes before each
/// continuation line. Folding only inserts line breaks before existing spaces, so unfolding
/// gives the field back unchanged.
HALLMARK_API std::string fold_header_field(std::string_view field,
                                           std::string_view newline = "\r\n");

}  // namespace hallmark::core
