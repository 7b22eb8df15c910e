// SPDX-License-Identifier: Apache-2.0
// The identifiers DMARC works with: the author domain from RFC5322.From (RFC 9989 5.3.1)
// and the SPF domain from the SMTP envelope (RFC 9989 3.2.4).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "hallmark/core/error.hpp"
#include "hallmark/export.hpp"
#include "hallmark/mail/header.hpp"

namespace hallmark::dmarc {

/// RFC 9989 5.3.1: the one author domain of a message, in A-label form, lower case.
/// Errors: Errc::missing_tag (no From field or no address), Errc::too_many (several From
/// fields, or addresses in more than one domain), Errc::syntax (a From that does not parse),
/// Errc::bad_value (a domain literal or a name that is not a domain).
HALLMARK_API core::Expected<std::string> author_domain(const mail::HeaderSection& headers);

/// Every distinct author domain of every From field, in order of appearance, for receivers
/// that evaluate each domain of a multi-valued From (RFC 9989 11.5). The same errors as
/// author_domain() except Errc::too_many.
HALLMARK_API core::Expected<std::vector<std::string>> author_domains(
    const mail::HeaderSection& headers);

/// RFC 9989 3.2.4 with RFC 7208 2.4: the domain SPF authenticated for DMARC, that of the
/// MAIL FROM address, or the HELO name when the reverse path is null ("" or "<>").
HALLMARK_API std::string spf_domain(std::string_view mail_from, std::string_view helo);

}  // namespace hallmark::dmarc
