// SPDX-License-Identifier: Apache-2.0
// Organizational domains and policy discovery in either mode: the RFC 9989 tree walk or the
// RFC 7489 public suffix list. Layer-private.
//
// The *_now functions are attempts (dns/internal/attempt.hpp): nullopt means an answer was
// missing and has been wanted.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "dns/internal/attempt.hpp"
#include "hallmark/core/task.hpp"
#include "hallmark/dmarc/discover.hpp"
#include "hallmark/dmarc/evaluate.hpp"
#include "hallmark/dns/resolver.hpp"

namespace hallmark::dmarc::detail {

/// RFC 7489 3.2: the registrable domain under the system's public suffix list (libpsl); the
/// domain itself when the list does not know it.
std::string psl_organizational_domain(const std::string& domain);

/// tree_walk(): the walk from `domain`, reusing what `known` saw when given.
std::optional<TreeWalk> tree_walk_now(dns::detail::Attempt& dns, std::string_view domain,
                                      const TreeWalk* known);

/// discover_policy(): RFC 9989 4.10.1 by the tree walk.
std::optional<Discovery> discover_by_walk_now(dns::detail::Attempt& dns,
                                              std::string_view author_domain);

/// Policy discovery for an author domain (lower case, A-label) in the given mode.
std::optional<Discovery> discover_now(dns::detail::Attempt& dns, const std::string& author_domain,
                                      DiscoveryMode mode);

/// The organizational domain of `domain` (lower case, A-label) in the given mode. A tree walk
/// reuses what `known` saw, when given.
std::optional<std::string> organizational_domain_now(dns::detail::Attempt& dns,
                                                     const std::string& domain, DiscoveryMode mode,
                                                     const TreeWalk* known = nullptr);

/// organizational_domain_now() as a task; `known` must outlive it.
core::Task<std::string> organizational_domain_of(dns::Resolver& resolver, std::string domain,
                                                 DiscoveryMode mode,
                                                 const TreeWalk* known = nullptr);

}  // namespace hallmark::dmarc::detail
