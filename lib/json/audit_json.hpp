// SPDX-License-Identifier: Apache-2.0
// The domain audit's report as the JSON `hallmark audit --json` prints: the same content as
// the text report, field names in snake_case. Library-private, like result_json.hpp.
#pragma once

#include <nlohmann/json.hpp>

#include "hallmark/audit/audit.hpp"

namespace hallmark::json {

/// domain, worst, counts (per severity), spf {found, total_lookups, void_lookups, tree, ips,
/// findings}, dkim {probed_common_selectors, probed_selectors, keys, findings}, dmarc {found,
/// record, record_domain, policy, policy_tag, destinations, findings}, mail {mx, tls_rpt, mta_sts,
/// bimi, findings}. Each finding: severity, code, message, fix.
nlohmann::json to_json(const audit::Report& report);

}  // namespace hallmark::json
