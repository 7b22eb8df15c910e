// SPDX-License-Identifier: Apache-2.0
// Parsing the three ARC header fields (RFC 8617 4.1) with the RFC 6376 tag-list parser and
// the RFC 8601 parser; every error names the tag.
#pragma once

#include <string_view>

#include "hallmark/arc/types.hpp"
#include "hallmark/core/error.hpp"
#include "hallmark/export.hpp"

namespace hallmark::arc {

/// The instance tag alone (i=1..50) of any ARC field: the i= of an AS or AMS tag list, or the
/// leading "i=N;" of an AAR. For grouping fields into sets before anything else is checked.
/// Errors: those of the tag-list parser, Errc::missing_tag, Errc::bad_value.
HALLMARK_API core::Expected<unsigned> parse_instance(std::string_view value);

/// An ARC-Seal value. Errors name the tag: a missing i=, a=, b=, cv=, d= or s=; an h= tag
/// (RFC 8617 4.1.3 forbids it); an unknown algorithm; bad base64.
HALLMARK_API core::Expected<Seal> parse_seal(std::string_view value);

/// An ARC-Message-Signature value: a DKIM-Signature without v= whose i= is the instance.
HALLMARK_API core::Expected<MessageSignature> parse_message_signature(std::string_view value);

/// An ARC-Authentication-Results value: "i=N; authserv-id; results".
HALLMARK_API core::Expected<AuthenticationResults> parse_authentication_results(
    std::string_view value);

}  // namespace hallmark::arc
