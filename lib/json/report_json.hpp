// SPDX-License-Identifier: Apache-2.0
// Reports as the JSON `hallmark report parse` prints: one object per report, field names
// following the RFCs' element and member names in snake_case; and the flattened documents of
// `--format bulk`, one per aggregate record row, TLS policy result or failure report, for
// OpenSearch/Elasticsearch dashboards. Library-private, like result_json.hpp.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "hallmark/report/parse.hpp"

namespace hallmark::json {

/// kind, identity, then the report: for dmarc-aggregate namespace, version, report_metadata
/// {org_name, email, extra_contact_info, report_id, date_range {begin, end}, error, generator},
/// policy_published {domain, adkim, aspf, p, sp, np, pct, fo, testing, discovery_method},
/// record [{row {source_ip, count, policy_evaluated {disposition, dkim, spf, reason [{type,
/// comment}]}}, identifiers {header_from, envelope_from, envelope_to}, auth_results {dkim
/// [{domain, selector, result, human_result}], spf [{domain, scope, result, human_result}]}}],
/// record_count, message_count; for tls organization_name, date_range {start_datetime,
/// end_datetime}, contact_info, report_id, policies [{policy {policy_type, policy_string,
/// policy_domain, mx_host}, summary {total_successful_session_count,
/// total_failure_session_count}, failure_details [...]}]; for dmarc-failure the
/// feedback-report fields (feedback_type, user_agent, ..., arrival_time), original_headers,
/// original_from/subject/message_id/date, report_from/message_id/date, description. Absent
/// values are null. Members keep this order.
nlohmann::ordered_json to_json(const report::Report& report);
/// The same JSON as text, one line (what to_json(report).dump() gives, invalid UTF-8 replaced
/// by U+FFFD), written directly: the form for large aggregate reports.
std::string to_json_text(const report::Report& report);

/// A bulk document and its deterministic id (the report's identity and the row's position),
/// so that ingesting a report again overwrites its documents rather than adding to them.
struct BulkDocument {
  std::string id;
  nlohmann::ordered_json document;
};

std::vector<BulkDocument> bulk_documents(const report::Report& report);

}  // namespace hallmark::json
