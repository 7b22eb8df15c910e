// SPDX-License-Identifier: Apache-2.0
// External report destinations (RFC 9989 aggregate reporting, "Verifying External
// Destinations"; RFC 7489 7.1): which rua=/ruf= URIs a receiver may send reports to.
// Layer-private; dmarc::authorise_report_destinations() is the public face.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "dns/internal/attempt.hpp"
#include "hallmark/dmarc/evaluate.hpp"
#include "hallmark/dns/resolver.hpp"

namespace hallmark::dmarc::detail {

/// The host of a reporting URI, lower case: mailto:user@host?... or scheme://host[:port]/...;
/// "" when it has none.
std::string uri_domain(std::string_view uri);

/// Which tag of a confirming record may override the destination (step 9).
enum class ReportKind : bool { aggregate, failure };

/// The URIs a receiver may report to, in the record's order: those on the policy domain's
/// organizational domain as they are, and those elsewhere whose host publishes
/// <policy domain>._report._dmarc.<host> with v=DMARC1 (a wildcard record does too). A
/// confirming record with rua= (ruf= for failure reports) replaces that host's URIs with its
/// own when they all stay on the same host, and drops them when one does not. Lookups for
/// all hosts run concurrently; a tree walk reuses the author's (`author_walk`, null in PSL
/// mode or when not at hand). An attempt (dns/internal/attempt.hpp): nullopt means waiting.
std::optional<std::vector<std::string>> authorised_uris_now(
    dns::detail::Attempt& dns, const std::vector<std::string>& uris, ReportKind kind,
    const std::string& policy_domain, const std::string& organization, DiscoveryMode mode,
    const TreeWalk* author_walk);

}  // namespace hallmark::dmarc::detail
