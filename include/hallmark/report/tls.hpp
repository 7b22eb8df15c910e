// SPDX-License-Identifier: Apache-2.0
// SMTP TLS reports (RFC 8460): the typed model of the JSON report a sending MTA mails to the
// address in a domain's _smtp._tls TXT record, and its parser.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "hallmark/core/error.hpp"
#include "hallmark/export.hpp"

namespace hallmark::report {

/// RFC 8460 4.4 "failure-details": one kind of failed session, counted.
struct TlsFailureDetail {
  std::string result_type;  // starttls-not-supported, certificate-expired, sts-policy-invalid, ...
  std::string sending_mta_ip;
  std::string receiving_mx_hostname;
  std::string receiving_mx_helo;
  std::string receiving_ip;
  std::uint64_t failed_session_count = 0;
  std::string additional_information;  // a URI
  std::string failure_reason_code;
};

/// RFC 8460 4.4 "policies": one policy the sender applied, its summary and its failures.
struct TlsPolicyResult {
  std::string policy_type;                 // tlsa, sts or no-policy-found
  std::vector<std::string> policy_string;  // the policy as the sender saw it, line by line
  std::string policy_domain;
  std::vector<std::string> mx_host;
  std::uint64_t total_successful_session_count = 0;
  std::uint64_t total_failure_session_count = 0;
  std::vector<TlsFailureDetail> failure_details;
};

/// RFC 8460 4.4: the whole report. Times are seconds since the epoch (UTC); the report
/// writes them as RFC 3339 date-times.
struct TlsReport {
  std::string organization_name;
  std::int64_t start_datetime = 0;
  std::int64_t end_datetime = 0;
  std::string contact_info;
  std::string report_id;
  std::vector<TlsPolicyResult> policies;
};

struct TlsLimits {
  std::size_t max_bytes = 32 * 1024 * 1024;  // of JSON text
  std::size_t max_policies = 100'000;
  std::size_t max_failure_details = 100'000;  // in all policies together
  std::size_t max_depth = 32;                 // JSON nesting (the schema needs 5)
};

/// Parses an RFC 8460 report (JSON, UTF-8). Required members missing, members of the wrong
/// type, counts that are not non-negative integers, date-times that are not RFC 3339, nesting
/// or sizes over the limits, and text that is not UTF-8 are errors naming the member (its
/// JSON path, e.g. "policies[2].summary.total-failure-session-count"). Unknown members are
/// ignored, as RFC 8460 asks of extensions.
HALLMARK_API core::Expected<TlsReport> parse_tls_report(std::string_view json,
                                                        const TlsLimits& limits = {});

}  // namespace hallmark::report
