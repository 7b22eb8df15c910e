// SPDX-License-Identifier: Apache-2.0
// DKIM-Signature field parsing (RFC 6376 3.5).
#pragma once

#include <string_view>

#include "hallmark/core/error.hpp"
#include "hallmark/dkim/types.hpp"
#include "hallmark/export.hpp"

namespace hallmark::dkim {

/// Parses the value of a DKIM-Signature field (everything after the colon, folding kept).
/// Errors, each naming the tag: Errc::missing_tag (v a b bh d h s), Errc::duplicate_tag,
/// Errc::unsupported (v= not 1, unknown a=), Errc::bad_value (bad base64, c=, l=, t=, x=,
/// q=, i= outside d=, h= without From, x= before t=), Errc::syntax (tag-list syntax).
HALLMARK_API core::Expected<Signature> parse_signature(std::string_view value);

/// Decodes DKIM quoted-printable (RFC 6376 2.11), used by i= and z=.
/// Errors: Errc::bad_encoding for a bad '=XX' escape.
HALLMARK_API core::Expected<std::string> decode_dkim_quoted_printable(std::string_view text);

}  // namespace hallmark::dkim
