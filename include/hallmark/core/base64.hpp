// SPDX-License-Identifier: Apache-2.0
// Base64 (RFC 4648 4) as DKIM carries it: folding white space allowed anywhere, strict padding.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "hallmark/core/error.hpp"
#include "hallmark/export.hpp"

namespace hallmark::core {

/// Decodes base64 text into raw bytes (held in a std::string). SP, HTAB, CR and LF are skipped
/// wherever they occur, since RFC 6376 3.5 lets b=, bh= and p= values be folded. Padding must
/// be present, at the end only, and of the right length. Empty text decodes to "". Pad bits
/// that are not zero are accepted (RFC 4648 3.5 leaves that to the decoder).
/// Errors: Errc::bad_encoding naming the offending character, padding or truncation and its
/// byte offset in `text`.
HALLMARK_API Expected<std::string> base64_decode(std::string_view text);

/// Encodes bytes as padded base64 with no line breaks.
HALLMARK_API std::string base64_encode(std::span<const std::uint8_t> bytes);
/// Encodes the octets of `bytes` as padded base64 with no line breaks.
HALLMARK_API std::string base64_encode(std::string_view bytes);

}  // namespace hallmark::core
