// SPDX-License-Identifier: Apache-2.0
// External report destinations (RFC 9989 / RFC 7489 7.1): which rua=/ruf= URIs a receiver may
// send reports to. Layer-private.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "hallmark/core/task.hpp"
#include "hallmark/dmarc/evaluate.hpp"
#include "hallmark/dns/resolver.hpp"

namespace hallmark::dmarc::detail {

/// The host of a reporting URI, lower case: mailto:user@host?... or scheme://host[:port]/...;
/// "" when it has none.
std::string uri_domain(std::string_view uri);

/// The URIs a receiver may report to: those on the author's organizational domain, and those
/// whose domain publishes <author>._report._dmarc.<destination> with v=DMARC1. The lookups for
/// all URIs run concurrently; a tree walk reuses the author's (`author_walk`, null in PSL
/// mode), which must outlive the task.
core::Task<std::vector<std::string>> authorised_uris(dns::Resolver& resolver,
                                                     std::vector<std::string> uris,
                                                     std::string author, std::string organization,
                                                     DiscoveryMode mode,
                                                     const TreeWalk* author_walk);

}  // namespace hallmark::dmarc::detail
