// SPDX-License-Identifier: Apache-2.0
// The TXT records beside a domain's MX that the audit reads: TLS-RPT (RFC 8460 3), MTA-STS
// (RFC 8461 3.1) and BIMI (draft-brand-indicators-for-message-identification 4.2). Layer-private.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "hallmark/core/error.hpp"

namespace hallmark::audit::detail {

/// `v=TLSRPTv1; rua=mailto:tlsrpt@example.com,https://reports.example.com/tlsrpt`
struct TlsRptRecord {
  std::vector<std::string> rua;  // each a mailto: or https: URI, in record order
};

/// `v=STSv1; id=20240601T000000`: the id a sender compares with the policy it cached.
struct MtaStsRecord {
  std::string id;  // 1 to 32 letters and digits
};

/// `v=BIMI1; l=https://example.com/logo.svg; a=https://example.com/vmc.pem`
struct BimiRecord {
  std::string location;   // l=: an https URI; empty when the domain declines to publish
  std::string authority;  // a=: an https URI; empty when absent or empty
};

/// Whether a TXT record is meant to be one of these: it names the version anywhere, case
/// aside ("TLSRPTv", "STSv", "BIMI"). Wider than what senders take (RFC 8460 3 and RFC 8461
/// 3.1 keep only records that begin with the exact version), so that a misspelt or misplaced
/// version is reported by the parser instead of looking like no record at all.
bool mentions_tls_rpt(std::string_view text) noexcept;
bool mentions_mta_sts(std::string_view text) noexcept;
bool mentions_bimi(std::string_view text) noexcept;

/// RFC 8460 3: the record must begin with exactly "v=TLSRPTv1" (senders discard others), and
/// rua= is required: mailto: or https: URIs, separated by commas, with ',' and '!' encoded.
/// Other tags are extensions and ignored. Errors name the tag and the problem: Errc::syntax
/// (tag-list syntax, white space in the version), Errc::missing_tag (v=, rua=),
/// Errc::duplicate_tag, Errc::bad_value (v= not first, a bad URI), Errc::unsupported (another
/// version).
core::Expected<TlsRptRecord> parse_tls_rpt_record(std::string_view text);

/// RFC 8461 3.1: the record must begin with exactly "v=STSv1", and id= is required: 1 to 32
/// letters and digits. Other tags are extensions and ignored. Errors as for TLS-RPT.
core::Expected<MtaStsRecord> parse_mta_sts_record(std::string_view text);

/// BIMI 4.2: v=BIMI1 first (white space around '=' allowed), l= required and either empty
/// (declination to publish) or one https URI, a= optional and empty or one https URI.
/// Errors as for TLS-RPT.
core::Expected<BimiRecord> parse_bimi_record(std::string_view text);

/// Stranger's text fit for a one-line message: cut to `limit` octets as core::echoed() does,
/// white space (HTAB, CR, LF) shown as a space, other control and non-ASCII octets as '?'.
std::string printable(std::string_view text, std::size_t limit = 64);

}  // namespace hallmark::audit::detail
