// SPDX-License-Identifier: Apache-2.0
// From the protocols' results to the verdict: local policy (trusted ARC sealers, allow lists),
// tags and scores, and the Authentication-Results field. Pure functions of their inputs, so
// every mapping is testable without DNS. Layer-private.
#pragma once

#include <string_view>

#include "authenticator/internal/policy.hpp"
#include "hallmark/authenticator/verdict.hpp"

namespace hallmark::authenticator::detail {

/// Applies the trusted-sealer override to `verdict.disposition` (which starts as DMARC's),
/// fires the tags with `policy`'s scores, and renders the Authentication-Results field.
void assemble(Verdict& verdict, const Policy& policy, std::string_view authserv_id);

/// The sealer whose chain may override a DMARC failure, or "" when none may: the chain
/// passes, its newest seal is by a trusted domain, and the results that sealer recorded on
/// arrival (its ARC-Authentication-Results) say dmarc=pass for the same author domain.
std::string trusted_sealer(const arc::Result& arc, std::string_view author_domain,
                           const AllowList& trusted);

}  // namespace hallmark::authenticator::detail
