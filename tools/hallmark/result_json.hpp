// SPDX-License-Identifier: Apache-2.0
// Each protocol's result as the JSON the verbs print (field names in snake_case, stable).
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "hallmark/arc/types.hpp"
#include "hallmark/dkim/types.hpp"
#include "hallmark/dmarc/evaluate.hpp"
#include "hallmark/spf/evaluate.hpp"
#include "hallmark/spf/types.hpp"

namespace hallmark::cli {

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

}  // namespace hallmark::cli
