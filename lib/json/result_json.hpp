// SPDX-License-Identifier: Apache-2.0
// Each protocol's result, and the whole verdict, as the JSON the CLI verbs print and the C API
// returns (field names in snake_case, stable, documented in the README). Library-private: JSON
// never appears in the public headers.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "hallmark/arc/types.hpp"
#include "hallmark/authenticator/authenticator.hpp"
#include "hallmark/authenticator/verdict.hpp"
#include "hallmark/dkim/types.hpp"
#include "hallmark/dmarc/evaluate.hpp"
#include "hallmark/spf/evaluate.hpp"
#include "hallmark/spf/types.hpp"

namespace hallmark::json {

/// result, identity, domain, sender, reason, dns_lookups, void_lookups, trace, received_spf,
/// authentication_results, and mechanism and explanation when set.
nlohmann::json to_json(const spf::Result& r, const spf::Envelope& envelope,
                       const std::string& receiver);
/// result, domain, selector, algorithm, reason, and detail, auid, testing, key_bits,
/// body_length, unsigned_body_octets, canonical_body_length, header_b when known.
nlohmann::json to_json(const dkim::Result& r);
/// result, reason, author_domain, record_domain, organizational_domain, policy, policy_tag,
/// disposition, testing, sampled_out, spf_aligned, dkim_aligned, rua, ruf, record, ...
nlohmann::json to_json(const dmarc::Result& r);
/// result, reason, detail, failed_instance, oldest_pass, dns_failure, sealers, sets.
nlohmann::json to_json(const arc::Result& r);
/// spf (with mail_from and helo), dkim, arc, dmarc, iprev, tags, score, disposition,
/// override_reason, policy_changes, limits, authentication_results (unfolded). `receiver`
/// names this host in the Received-SPF fields.
nlohmann::json to_json(const authenticator::Verdict& v, const authenticator::Envelope& envelope,
                       const std::string& receiver);

}  // namespace hallmark::json
