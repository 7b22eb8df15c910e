// SPDX-License-Identifier: Apache-2.0
// DMARC failure reports: ARF messages (RFC 5965) with the authentication-failure fields of
// RFC 6591 and the DMARC failure-reporting draft. The typed model and the parser of the
// machine-readable part and the original message's header.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "hallmark/core/error.hpp"
#include "hallmark/export.hpp"

namespace hallmark::report {

/// The message/feedback-report part (RFC 5965 3.1, RFC 6591 3.1). Field values are unfolded
/// and trimmed; absent fields are empty. Names follow the field names in snake_case.
struct FeedbackFields {
  std::string feedback_type;  // "auth-failure" for DMARC failure reports
  std::string user_agent;
  std::string version;
  std::string original_envelope_id;
  std::string original_mail_from;
  std::vector<std::string> original_rcpt_to;
  std::string arrival_date;                  // as written (RFC 5322 date-time)
  std::optional<std::int64_t> arrival_time;  // arrival_date as seconds since the epoch, UTC
  std::string reporting_mta;
  std::string source_ip;
  std::string incidents;
  std::vector<std::string> authentication_results;
  std::vector<std::string> reported_domain;
  std::vector<std::string> reported_uri;
  std::string delivery_result;
  std::string auth_failure;  // RFC 6591: adsp, bodyhash, revoked, signature, spf, dmarc
  std::string identity_alignment;
  std::string dkim_domain;
  std::string dkim_identity;
  std::string dkim_selector;
  std::string dkim_canonicalized_header;
  std::string dkim_canonicalized_body;
  std::string spf_dns;
};

/// A whole failure report: the feedback fields, the original message's header (from its
/// message/rfc822 or text/rfc822-headers part), and the report message's own identifiers.
struct FailureReport {
  FeedbackFields feedback;
  /// The original message's header fields in order, values unfolded.
  std::vector<std::pair<std::string, std::string>> original_headers;
  /// Taken from original_headers for convenience.
  std::string original_from;
  std::string original_subject;
  std::string original_message_id;
  std::string original_date;
  /// The report e-mail's own header: who sent the report, and its Message-ID (which, with
  /// the fields above, identifies the report when it is ingested again).
  std::string report_from;
  std::string report_message_id;
  std::string report_date;
  /// The human-readable first part, as text (capped).
  std::string description;
};

/// Parses the message/feedback-report part's content (a block of header-like fields) into
/// `FeedbackFields`. Errors: Errc::syntax for a line that is not a field, Errc::missing_tag when
/// Feedback-Type is absent, Errc::duplicate_tag for a field RFC 5965 allows once given twice,
/// Errc::too_long over the header limits.
HALLMARK_API core::Expected<FeedbackFields> parse_feedback_fields(std::string_view content);

/// Seconds since the epoch of an RFC 5322 date-time ("Thu, 8 Mar 2005 14:00:00 -0500", with the
/// obsolete zone names), or nothing when it is not one.
HALLMARK_API std::optional<std::int64_t> parse_rfc5322_date(std::string_view text);

}  // namespace hallmark::report
