// SPDX-License-Identifier: Apache-2.0
// DKIM key records (RFC 6376 3.6.1) as published in TXT at <selector>._domainkey.<domain>.
#pragma once

#include <string>
#include <string_view>

#include "hallmark/core/error.hpp"
#include "hallmark/dkim/types.hpp"
#include "hallmark/export.hpp"

namespace hallmark::dkim {

/// Parses a key record's text (the TXT strings joined). Unknown tags are ignored; unknown
/// hash names in h= are ignored; an unknown k= is an error.
/// Errors: Errc::syntax (tag list), Errc::missing_tag (no p=), Errc::unsupported (v= not
/// "DKIM1", unknown k=), Errc::bad_encoding (p= not base64), Errc::bad_value (v= not first).
HALLMARK_API core::Expected<KeyRecord> parse_key_record(std::string_view text);

/// The DNS name of a key: "<selector>._domainkey.<domain>".
HALLMARK_API std::string key_name(std::string_view selector, std::string_view domain);

}  // namespace hallmark::dkim
