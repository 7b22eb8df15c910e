// SPDX-License-Identifier: Apache-2.0
// Organizational domains and policy discovery in either mode: the RFC 9989 tree walk or the
// RFC 7489 public suffix list. Layer-private.
#pragma once

#include <string>

#include "hallmark/core/task.hpp"
#include "hallmark/dmarc/discover.hpp"
#include "hallmark/dmarc/evaluate.hpp"
#include "hallmark/dns/resolver.hpp"

namespace hallmark::dmarc::detail {

/// RFC 7489 3.2: the registrable domain under the system's public suffix list (libpsl); the
/// domain itself when the list does not know it.
std::string psl_organizational_domain(const std::string& domain);

/// The organizational domain of `domain` (lower case, A-label) in the given mode. A tree walk
/// reuses what `known` saw, when given (it must outlive the task).
core::Task<std::string> organizational_domain_of(dns::Resolver& resolver, std::string domain,
                                                 DiscoveryMode mode,
                                                 const TreeWalk* known = nullptr);

/// Policy discovery for an author domain in the given mode.
core::Task<Discovery> discover(dns::Resolver& resolver, std::string author_domain,
                               DiscoveryMode mode);

}  // namespace hallmark::dmarc::detail
