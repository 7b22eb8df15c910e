// SPDX-License-Identifier: Apache-2.0
// DMARC aggregate reports (RFC 7489 appendix C, and the RFC 9989 aggregate-reporting schema):
// the typed model and a streaming XML parser whose memory stays flat however many records a
// report holds.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "hallmark/core/error.hpp"
#include "hallmark/export.hpp"

namespace hallmark::report {

/// Seconds since the epoch, UTC, as the report's <date_range> gives them.
struct DateRange {
  std::int64_t begin = 0;
  std::int64_t end = 0;

  friend bool operator==(const DateRange&, const DateRange&) = default;
};

/// <report_metadata>. Absent elements are empty.
struct ReportMetadata {
  std::string org_name;
  std::string email;
  std::string extra_contact_info;
  std::string report_id;
  DateRange date_range;
  std::vector<std::string> errors;  // each <error>
  std::string generator;            // RFC 9989 schema: the software that wrote the report
};

/// <policy_published>: the DMARC record the reporter applied. Result words are lowercased
/// (reporters write "None" and "Pass"); absent elements are empty.
struct PolicyPublished {
  std::string domain;
  std::string adkim;
  std::string aspf;
  std::string p;
  std::string sp;
  std::string np;               // RFC 9989
  std::optional<unsigned> pct;  // RFC 7489 only
  std::string fo;
  std::string testing;           // RFC 9989: "y" or "n"
  std::string discovery_method;  // RFC 9989: "psl" or "treewalk"
};

/// <reason> in <policy_evaluated>: why the receiver applied something other than the policy.
struct PolicyOverrideReason {
  std::string type;  // forwarded, sampled_out, trusted_forwarder, mailing_list, local_policy, other
  std::string comment;
};

struct PolicyEvaluated {
  std::string disposition;  // none, quarantine, reject (pass in RFC 9989's schema)
  std::string dkim;         // the DMARC-aligned DKIM result: pass or fail
  std::string spf;          // the DMARC-aligned SPF result: pass or fail
  std::vector<PolicyOverrideReason> reasons;
};

struct Row {
  std::string source_ip;
  std::uint64_t count = 0;
  PolicyEvaluated policy_evaluated;
};

struct Identifiers {
  std::string header_from;
  std::string envelope_from;
  std::string envelope_to;
};

/// One <auth_results><dkim>: a signature the receiver checked, aligned or not.
struct DkimAuthResult {
  std::string domain;
  std::string selector;
  std::string result;  // none, pass, fail, policy, neutral, temperror, permerror
  std::string human_result;
};

/// One <auth_results><spf>.
struct SpfAuthResult {
  std::string domain;
  std::string scope;   // mfrom or helo
  std::string result;  // none, neutral, pass, fail, softfail, temperror, permerror
  std::string human_result;
};

/// One <record>: messages from one source with the same results, counted.
struct Record {
  Row row;
  Identifiers identifiers;
  std::vector<DkimAuthResult> dkim;
  std::vector<SpfAuthResult> spf;
};

/// A whole report. When records are streamed to a handler, `records` stays empty and only
/// the counts are kept.
struct AggregateReport {
  std::string xml_namespace;  // the root element's namespace URI; empty before RFC 9989
  std::string version;        // <version>; empty in reports older than RFC 7489
  ReportMetadata report_metadata;
  PolicyPublished policy_published;
  std::vector<Record> records;
  std::uint64_t record_count = 0;   // number of <record> elements
  std::uint64_t message_count = 0;  // sum of their row counts
};

/// What a sender can make the parser hold or do.
struct AggregateLimits {
  /// <record> elements per report. The largest real reports (big mailbox providers' daily
  /// reports for large senders) hold tens of thousands of rows; 5 million bounds work while
  /// leaving ample headroom.
  std::uint64_t max_records = 5'000'000;
  /// Bytes of one element's text. Real values are domain names, IPs and short comments.
  std::size_t max_text_bytes = 64 * 1024;
  /// Element nesting. The schema's deepest path is 5 levels; extensions may nest further.
  std::size_t max_depth = 64;
  /// <reason>, <dkim> and <spf> entries per record, and <error> entries per report.
  std::size_t max_entries = 1000;
};

/// A streaming parser: feed it the XML in chunks of any size. Hostile input is refused with
/// an error naming the problem, its line and column: documents with a DOCTYPE (so no entity
/// is ever declared or expanded, and nothing external is loaded), documents that are not
/// well-formed or not UTF-8 as declared, a root other than <feedback>, counts and dates that
/// are not numbers in range, and anything over the limits.
class HALLMARK_API AggregateParser {
 public:
  /// Called with each <record> when it closes; the reference is valid during the call only.
  /// Without a handler, records are collected into the report finish() returns.
  using RecordHandler = std::function<void(const Record&)>;

  explicit AggregateParser(RecordHandler on_record = {}, AggregateLimits limits = {});
  ~AggregateParser();
  AggregateParser(AggregateParser&&) noexcept;
  AggregateParser& operator=(AggregateParser&&) noexcept;

  /// Parses the next chunk. After an error, every later call returns the same error.
  core::Expected<void> feed(std::string_view chunk);
  /// Ends the document: the report, or why it is not one (truncated input included).
  core::Expected<AggregateReport> finish();

 private:
  struct State;
  std::unique_ptr<State> state_;
};

/// The report as RFC 9989 aggregate-reporting XML (namespace urn:ietf:params:xml:ns:dmarc-2.0,
/// elements in the schema's order, text escaped; bytes that XML 1.0 cannot carry, such as
/// control characters and invalid UTF-8, become U+FFFD). Empty optional elements are left
/// out. The schema allows one <error> and one <spf> result: further ones are not written.
HALLMARK_API std::string to_xml(const AggregateReport& report);

/// Parses a whole aggregate report held in memory, collecting its records.
HALLMARK_API core::Expected<AggregateReport> parse_aggregate_xml(
    std::string_view xml, const AggregateLimits& limits = {});

}  // namespace hallmark::report
