// SPDX-License-Identifier: Apache-2.0
// Reports as they arrive: a raw XML or JSON file, a .xml.gz or .zip, or a whole report e-mail
// (MIME, base64 or quoted-printable, any of those as attachments, ARF for failure reports).
// One call finds every report inside and says what could not be read, and where.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "hallmark/core/error.hpp"
#include "hallmark/export.hpp"
#include "hallmark/report/aggregate.hpp"
#include "hallmark/report/failure.hpp"
#include "hallmark/report/tls.hpp"

namespace hallmark::report {

enum class ReportKind : std::uint8_t { dmarc_aggregate, dmarc_failure, tls };

/// "dmarc-aggregate", "dmarc-failure", "tls".
HALLMARK_API std::string_view to_string(ReportKind kind) noexcept;

using Report = std::variant<AggregateReport, FailureReport, TlsReport>;

HALLMARK_API ReportKind kind_of(const Report& report) noexcept;

/// A stable identity: the same report parsed again (from the same or another copy of the
/// e-mail) gets the same identity, so storing it twice changes nothing. For aggregate and TLS
/// reports it is the reporting organisation, the report id and the date range; for failure
/// reports, the report e-mail's Message-ID with the reported message's identifiers. The text
/// is a lowercase hexadecimal SHA-256 of those parts.
HALLMARK_API std::string identity_of(const Report& report);

/// A part of the input that could not be read as a report.
struct PartError {
  /// Where: "input", or the MIME path and file name ("part 2 (report.xml.gz)"), with the
  /// zip member when there is one.
  std::string part;
  core::Error error;
};

struct ParseOutcome {
  std::vector<Report> reports;
  std::vector<PartError> errors;
  /// True when the input was an e-mail in which no part looked like a report (not an error:
  /// a reports mailbox also receives other mail).
  bool not_a_report = false;
};

struct ParseLimits {
  /// Bytes any one decompressed stream (gzip, zip member) may expand to: a 10 KB bomb that
  /// would expand to 10 GB stops here with an error.
  std::size_t max_decompressed_bytes = 256 * 1024 * 1024;
  /// Members read from one zip archive.
  std::size_t max_zip_members = 64;
  /// MIME nesting, and parts in one message.
  std::size_t max_mime_depth = 16;
  std::size_t max_mime_parts = 512;
  AggregateLimits aggregate;
  TlsLimits tls;
};

/// Finds and parses every report in `input`, sniffing what it is: gzip, zip, XML (an
/// aggregate report), JSON (a TLS report) or an e-mail. In an e-mail, these parts are read:
/// text/xml and application/xml, application/gzip (and x-gzip), application/zip (and
/// x-zip-compressed), application/tlsrpt+json and application/tlsrpt+gzip, any
/// application/octet-stream whose file name ends in .xml, .xml.gz, .gz, .zip or .json(.gz), and
/// multipart/report with report-type=feedback-report (a failure report). Errors in one part
/// do not stop the others.
HALLMARK_API ParseOutcome parse_reports(std::string_view input, const ParseLimits& limits = {});

}  // namespace hallmark::report
