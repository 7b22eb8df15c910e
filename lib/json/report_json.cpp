// SPDX-License-Identifier: Apache-2.0
#include "json/report_json.hpp"

#include <fmt/chrono.h>
#include <fmt/format.h>

#include <ctime>
#include <iterator>

#include "core/internal/utf8.hpp"

namespace hallmark::json {
namespace {

using json = nlohmann::ordered_json;

json text(const std::string& value) { return value.empty() ? json(nullptr) : json(value); }

json texts(const std::vector<std::string>& values) {
  json list = json::array();
  for (const std::string& value : values) list.push_back(value);
  return list;
}

// RFC 3339, UTC: how TLS reports write their times, and what OpenSearch maps as a date.
std::string rfc3339(std::int64_t seconds) {
  std::time_t time = static_cast<std::time_t>(seconds);
  std::tm utc{};
  gmtime_r(&time, &utc);
  return fmt::format("{:%Y-%m-%dT%H:%M:%SZ}", utc);
}

// Aggregate reports are written as text rather than built as a DOM: a large provider's report
// holds a hundred thousand records, and nlohmann's objects cost kilobytes each.
class TextWriter {
 public:
  explicit TextWriter(std::string& out) : out_(out) {}

  void begin_object() { open('{'); }
  void end_object() { close('}'); }
  void begin_array() { open('['); }
  void end_array() { close(']'); }
  TextWriter& key(std::string_view name) {
    separate();
    out_ += '"';
    out_ += name;  // keys are ours: plain ASCII
    out_ += "\":";
    after_key_ = true;
    return *this;
  }
  void text(const std::string& value) {
    separate();
    if (value.empty()) {
      out_ += "null";
      return;
    }
    out_ += '"';
    escape(value);
    out_ += '"';
  }
  void number(std::uint64_t value) {
    separate();
    fmt::format_to(std::back_inserter(out_), "{}", value);
  }
  void number(std::int64_t value) {
    separate();
    fmt::format_to(std::back_inserter(out_), "{}", value);
  }
  void null() {
    separate();
    out_ += "null";
  }
  void texts(const std::vector<std::string>& values) {
    begin_array();
    for (const std::string& value : values) text(value);
    end_array();
  }

 private:
  void open(char bracket) {
    separate();
    out_ += bracket;
    first_.push_back(true);
  }
  void close(char bracket) {
    out_ += bracket;
    first_.pop_back();
  }
  void separate() {
    if (after_key_) {
      after_key_ = false;
      return;
    }
    if (!first_.empty()) {
      if (!first_.back()) out_ += ',';
      first_.back() = false;
    }
  }
  // JSON string escaping; bytes that are not UTF-8 become U+FFFD, as nlohmann's dump with
  // error_handler_t::replace writes them, so both paths give the same text.
  void escape(std::string_view value) {
    while (!value.empty()) {
      std::size_t length = core::detail::utf8_sequence_length(value);
      if (length == 0) {
        out_ += "\xEF\xBF\xBD";
        value.remove_prefix(1);
        continue;
      }
      char c = value.front();
      if (length > 1) {
        out_.append(value.substr(0, length));
      } else if (c == '"' || c == '\\') {
        out_ += '\\';
        out_ += c;
      } else if (static_cast<unsigned char>(c) < 0x20) {
        static constexpr std::string_view short_forms[] = {"\\b", "\\t", "\\n", "", "\\f", "\\r"};
        if (c >= '\b' && c <= '\r' && c != '\v')
          out_ += short_forms[c - '\b'];
        else
          fmt::format_to(std::back_inserter(out_), "\\u{:04x}", static_cast<unsigned>(c));
      } else {
        out_ += c;
      }
      value.remove_prefix(length);
    }
  }

  std::string& out_;
  std::vector<bool> first_;
  bool after_key_ = false;
};

void write_record(TextWriter& w, const report::Record& record) {
  const report::PolicyEvaluated& evaluated = record.row.policy_evaluated;
  w.begin_object();
  w.key("row").begin_object();
  w.key("source_ip").text(record.row.source_ip);
  w.key("count").number(record.row.count);
  w.key("policy_evaluated").begin_object();
  w.key("disposition").text(evaluated.disposition);
  w.key("dkim").text(evaluated.dkim);
  w.key("spf").text(evaluated.spf);
  w.key("reason").begin_array();
  for (const auto& reason : evaluated.reasons) {
    w.begin_object();
    w.key("type").text(reason.type);
    w.key("comment").text(reason.comment);
    w.end_object();
  }
  w.end_array();
  w.end_object();
  w.end_object();
  w.key("identifiers").begin_object();
  w.key("header_from").text(record.identifiers.header_from);
  w.key("envelope_from").text(record.identifiers.envelope_from);
  w.key("envelope_to").text(record.identifiers.envelope_to);
  w.end_object();
  w.key("auth_results").begin_object();
  w.key("dkim").begin_array();
  for (const auto& result : record.dkim) {
    w.begin_object();
    w.key("domain").text(result.domain);
    w.key("selector").text(result.selector);
    w.key("result").text(result.result);
    w.key("human_result").text(result.human_result);
    w.end_object();
  }
  w.end_array();
  w.key("spf").begin_array();
  for (const auto& result : record.spf) {
    w.begin_object();
    w.key("domain").text(result.domain);
    w.key("scope").text(result.scope);
    w.key("result").text(result.result);
    w.key("human_result").text(result.human_result);
    w.end_object();
  }
  w.end_array();
  w.end_object();
  w.end_object();
}

void write_aggregate(TextWriter& w, const report::AggregateReport& report) {
  const report::ReportMetadata& metadata = report.report_metadata;
  const report::PolicyPublished& policy = report.policy_published;
  w.key("namespace").text(report.xml_namespace);
  w.key("version").text(report.version);
  w.key("report_metadata").begin_object();
  w.key("org_name").text(metadata.org_name);
  w.key("email").text(metadata.email);
  w.key("extra_contact_info").text(metadata.extra_contact_info);
  w.key("report_id").text(metadata.report_id);
  w.key("date_range").begin_object();
  w.key("begin").number(metadata.date_range.begin);
  w.key("end").number(metadata.date_range.end);
  w.end_object();
  w.key("error").texts(metadata.errors);
  w.key("generator").text(metadata.generator);
  w.end_object();
  w.key("policy_published").begin_object();
  w.key("domain").text(policy.domain);
  w.key("adkim").text(policy.adkim);
  w.key("aspf").text(policy.aspf);
  w.key("p").text(policy.p);
  w.key("sp").text(policy.sp);
  w.key("np").text(policy.np);
  if (policy.pct)
    w.key("pct").number(static_cast<std::uint64_t>(*policy.pct));
  else
    w.key("pct").null();
  w.key("fo").text(policy.fo);
  w.key("testing").text(policy.testing);
  w.key("discovery_method").text(policy.discovery_method);
  w.end_object();
  w.key("record").begin_array();
  for (const report::Record& record : report.records) write_record(w, record);
  w.end_array();
  w.key("record_count").number(report.record_count);
  w.key("message_count").number(report.message_count);
}

json tls(const report::TlsReport& report) {
  json policies = json::array();
  for (const report::TlsPolicyResult& result : report.policies) {
    json failures = json::array();
    for (const report::TlsFailureDetail& detail : result.failure_details)
      failures.push_back({{"result_type", text(detail.result_type)},
                          {"sending_mta_ip", text(detail.sending_mta_ip)},
                          {"receiving_mx_hostname", text(detail.receiving_mx_hostname)},
                          {"receiving_mx_helo", text(detail.receiving_mx_helo)},
                          {"receiving_ip", text(detail.receiving_ip)},
                          {"failed_session_count", detail.failed_session_count},
                          {"additional_information", text(detail.additional_information)},
                          {"failure_reason_code", text(detail.failure_reason_code)}});
    policies.push_back({{"policy",
                         {{"policy_type", text(result.policy_type)},
                          {"policy_string", texts(result.policy_string)},
                          {"policy_domain", text(result.policy_domain)},
                          {"mx_host", texts(result.mx_host)}}},
                        {"summary",
                         {{"total_successful_session_count", result.total_successful_session_count},
                          {"total_failure_session_count", result.total_failure_session_count}}},
                        {"failure_details", std::move(failures)}});
  }
  return {{"organization_name", text(report.organization_name)},
          {"date_range",
           {{"start_datetime", rfc3339(report.start_datetime)},
            {"end_datetime", rfc3339(report.end_datetime)}}},
          {"contact_info", text(report.contact_info)},
          {"report_id", text(report.report_id)},
          {"policies", std::move(policies)}};
}

json failure(const report::FailureReport& report) {
  const report::FeedbackFields& fields = report.feedback;
  json headers = json::array();
  for (const auto& [name, value] : report.original_headers)
    headers.push_back({{"name", name}, {"value", value}});
  return {{"feedback_type", text(fields.feedback_type)},
          {"user_agent", text(fields.user_agent)},
          {"version", text(fields.version)},
          {"original_envelope_id", text(fields.original_envelope_id)},
          {"original_mail_from", text(fields.original_mail_from)},
          {"original_rcpt_to", texts(fields.original_rcpt_to)},
          {"arrival_date", text(fields.arrival_date)},
          {"arrival_time", fields.arrival_time ? json(*fields.arrival_time) : json(nullptr)},
          {"reporting_mta", text(fields.reporting_mta)},
          {"source_ip", text(fields.source_ip)},
          {"incidents", text(fields.incidents)},
          {"authentication_results", texts(fields.authentication_results)},
          {"reported_domain", texts(fields.reported_domain)},
          {"reported_uri", texts(fields.reported_uri)},
          {"delivery_result", text(fields.delivery_result)},
          {"auth_failure", text(fields.auth_failure)},
          {"identity_alignment", text(fields.identity_alignment)},
          {"dkim_domain", text(fields.dkim_domain)},
          {"dkim_identity", text(fields.dkim_identity)},
          {"dkim_selector", text(fields.dkim_selector)},
          {"dkim_canonicalized_header", text(fields.dkim_canonicalized_header)},
          {"dkim_canonicalized_body", text(fields.dkim_canonicalized_body)},
          {"spf_dns", text(fields.spf_dns)},
          {"original_headers", std::move(headers)},
          {"original_from", text(report.original_from)},
          {"original_subject", text(report.original_subject)},
          {"original_message_id", text(report.original_message_id)},
          {"original_date", text(report.original_date)},
          {"report_from", text(report.report_from)},
          {"report_message_id", text(report.report_message_id)},
          {"report_date", text(report.report_date)},
          {"description", text(report.description)}};
}

// The document id: the identity's first 32 hex digits (128 bits) and the row's position.
std::string document_id(const std::string& identity, std::size_t position) {
  return fmt::format("{}-{}", std::string_view(identity).substr(0, 32), position);
}

std::vector<BulkDocument> aggregate_documents(const report::AggregateReport& report,
                                              const std::string& identity) {
  const report::ReportMetadata& metadata = report.report_metadata;
  const report::PolicyPublished& policy = report.policy_published;
  std::vector<BulkDocument> documents;
  documents.reserve(report.records.size());
  for (std::size_t i = 0; i < report.records.size(); ++i) {
    const report::Record& record = report.records[i];
    const report::PolicyEvaluated& evaluated = record.row.policy_evaluated;
    json dkim_domains = json::array(), dkim_selectors = json::array(), dkim_results = json::array();
    for (const auto& result : record.dkim) {
      dkim_domains.push_back(result.domain);
      dkim_selectors.push_back(result.selector);
      dkim_results.push_back(result.result);
    }
    json spf_domains = json::array(), spf_scopes = json::array(), spf_results = json::array();
    for (const auto& result : record.spf) {
      spf_domains.push_back(result.domain);
      spf_scopes.push_back(result.scope);
      spf_results.push_back(result.result);
    }
    json reasons = json::array();
    for (const auto& reason : evaluated.reasons) reasons.push_back(reason.type);
    documents.push_back({document_id(identity, i),
                         {{"report_kind", "dmarc-aggregate"},
                          {"report_identity", identity},
                          {"org_name", text(metadata.org_name)},
                          {"org_email", text(metadata.email)},
                          {"report_id", text(metadata.report_id)},
                          {"date_begin", rfc3339(metadata.date_range.begin)},
                          {"date_end", rfc3339(metadata.date_range.end)},
                          {"policy_domain", text(policy.domain)},
                          {"policy_p", text(policy.p)},
                          {"policy_sp", text(policy.sp)},
                          {"policy_pct", policy.pct ? json(*policy.pct) : json(nullptr)},
                          {"source_ip", text(record.row.source_ip)},
                          {"count", record.row.count},
                          {"disposition", text(evaluated.disposition)},
                          {"dkim_aligned", text(evaluated.dkim)},
                          {"spf_aligned", text(evaluated.spf)},
                          {"dmarc_aligned", evaluated.dkim == "pass" || evaluated.spf == "pass"},
                          {"override_reasons", std::move(reasons)},
                          {"header_from", text(record.identifiers.header_from)},
                          {"envelope_from", text(record.identifiers.envelope_from)},
                          {"envelope_to", text(record.identifiers.envelope_to)},
                          {"dkim_domains", std::move(dkim_domains)},
                          {"dkim_selectors", std::move(dkim_selectors)},
                          {"dkim_results", std::move(dkim_results)},
                          {"spf_domains", std::move(spf_domains)},
                          {"spf_scopes", std::move(spf_scopes)},
                          {"spf_results", std::move(spf_results)}}});
  }
  return documents;
}

std::vector<BulkDocument> tls_documents(const report::TlsReport& report,
                                        const std::string& identity) {
  std::vector<BulkDocument> documents;
  for (std::size_t i = 0; i < report.policies.size(); ++i) {
    const report::TlsPolicyResult& result = report.policies[i];
    json result_types = json::array();
    for (const auto& detail : result.failure_details) result_types.push_back(detail.result_type);
    documents.push_back({document_id(identity, i),
                         {{"report_kind", "tls"},
                          {"report_identity", identity},
                          {"org_name", text(report.organization_name)},
                          {"report_id", text(report.report_id)},
                          {"date_begin", rfc3339(report.start_datetime)},
                          {"date_end", rfc3339(report.end_datetime)},
                          {"policy_type", text(result.policy_type)},
                          {"policy_domain", text(result.policy_domain)},
                          {"mx_host", texts(result.mx_host)},
                          {"successful_sessions", result.total_successful_session_count},
                          {"failed_sessions", result.total_failure_session_count},
                          {"failure_result_types", std::move(result_types)}}});
  }
  return documents;
}

}  // namespace

std::string to_json_text(const report::Report& report) {
  std::string out;
  if (const auto* aggregate_report = std::get_if<report::AggregateReport>(&report)) {
    out.reserve(512 + aggregate_report->records.size() * 512);
    TextWriter w(out);
    w.begin_object();
    w.key("kind").text(std::string(report::to_string(report::kind_of(report))));
    w.key("identity").text(report::identity_of(report));
    write_aggregate(w, *aggregate_report);
    w.end_object();
    return out;
  }
  return to_json(report).dump(-1, ' ', false, json::error_handler_t::replace);
}

nlohmann::ordered_json to_json(const report::Report& report) {
  if (std::holds_alternative<report::AggregateReport>(report))
    return json::parse(to_json_text(report));
  json out = {{"kind", report::to_string(report::kind_of(report))},
              {"identity", report::identity_of(report)}};
  json body = std::holds_alternative<report::TlsReport>(report)
                  ? tls(std::get<report::TlsReport>(report))
                  : failure(std::get<report::FailureReport>(report));
  for (auto& [key, value] : body.items()) out[key] = std::move(value);
  return out;
}

std::vector<BulkDocument> bulk_documents(const report::Report& report) {
  std::string identity = report::identity_of(report);
  if (const auto* aggregate_report = std::get_if<report::AggregateReport>(&report))
    return aggregate_documents(*aggregate_report, identity);
  if (const auto* tls_report = std::get_if<report::TlsReport>(&report))
    return tls_documents(*tls_report, identity);
  const auto& failure_report = std::get<report::FailureReport>(report);
  json document = failure(failure_report);
  document["report_kind"] = "dmarc-failure";
  document["report_identity"] = identity;
  if (failure_report.feedback.arrival_time)
    document["arrival_date"] = rfc3339(*failure_report.feedback.arrival_time);
  return {{document_id(identity, 0), std::move(document)}};
}

}  // namespace hallmark::json
