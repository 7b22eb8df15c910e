// SPDX-License-Identifier: Apache-2.0
// Aggregate reports written as RFC 9989 XML: the form a receiver sends, and the form the
// tests validate against the schema. Written by hand rather than through a DOM: the layout is
// fixed and a report may hold many records.
#include <fmt/format.h>

#include "core/internal/utf8.hpp"
#include "hallmark/report/aggregate.hpp"

namespace hallmark::report {
namespace {

constexpr std::string_view replacement_character = "\xEF\xBF\xBD";

void append_escaped(std::string& out, std::string_view text) {
  while (!text.empty()) {
    char c = text.front();
    std::size_t length = core::detail::utf8_sequence_length(text);
    auto byte = static_cast<unsigned char>(c);
    if (length == 0 || (byte < 0x20 && c != '\t' && c != '\n' && c != '\r') || byte == 0x7F) {
      // XML 1.0 2.2: no C0 controls but TAB, LF and CR; no broken UTF-8.
      out += replacement_character;
      text.remove_prefix(length == 0 ? 1 : length);
      continue;
    }
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\r':
        out += "&#13;";  // a literal CR would be normalised away by the reader
        break;
      default: out.append(text.substr(0, length));
    }
    text.remove_prefix(length);
  }
}

struct Writer {
  std::string out;
  int depth = 0;

  void indent() { out.append(static_cast<std::size_t>(depth) * 2, ' '); }
  void open(std::string_view name) {
    indent();
    out += fmt::format("<{}>\n", name);
    ++depth;
  }
  void close(std::string_view name) {
    --depth;
    indent();
    out += fmt::format("</{}>\n", name);
  }
  void leaf(std::string_view name, std::string_view value) {
    indent();
    out += fmt::format("<{}>", name);
    append_escaped(out, value);
    out += fmt::format("</{}>\n", name);
  }
  void optional_leaf(std::string_view name, std::string_view value) {
    if (!value.empty()) leaf(name, value);
  }
};

}  // namespace

std::string to_xml(const AggregateReport& report) {
  Writer w;
  w.out.reserve(1024 + report.records.size() * 640);
  w.out += "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  w.out += "<feedback xmlns=\"urn:ietf:params:xml:ns:dmarc-2.0\">\n";
  w.depth = 1;
  w.leaf("version", report.version.empty() ? "1.0" : report.version);

  const ReportMetadata& metadata = report.report_metadata;
  w.open("report_metadata");
  w.leaf("org_name", metadata.org_name);
  w.leaf("email", metadata.email);
  w.optional_leaf("extra_contact_info", metadata.extra_contact_info);
  w.leaf("report_id", metadata.report_id);
  w.open("date_range");
  w.leaf("begin", fmt::format("{}", metadata.date_range.begin));
  w.leaf("end", fmt::format("{}", metadata.date_range.end));
  w.close("date_range");
  if (!metadata.errors.empty()) w.leaf("error", metadata.errors.front());
  w.optional_leaf("generator", metadata.generator);
  w.close("report_metadata");

  const PolicyPublished& policy = report.policy_published;
  w.open("policy_published");
  w.leaf("domain", policy.domain);
  w.leaf("p", policy.p);
  w.optional_leaf("sp", policy.sp);
  w.optional_leaf("np", policy.np);
  w.optional_leaf("adkim", policy.adkim);
  w.optional_leaf("aspf", policy.aspf);
  w.optional_leaf("discovery_method", policy.discovery_method);
  w.optional_leaf("fo", policy.fo);
  w.optional_leaf("testing", policy.testing);
  w.close("policy_published");

  for (const Record& record : report.records) {
    w.open("record");
    w.open("row");
    w.leaf("source_ip", record.row.source_ip);
    w.leaf("count", fmt::format("{}", record.row.count));
    const PolicyEvaluated& evaluated = record.row.policy_evaluated;
    w.open("policy_evaluated");
    w.leaf("disposition", evaluated.disposition);
    w.leaf("dkim", evaluated.dkim);
    w.leaf("spf", evaluated.spf);
    for (const PolicyOverrideReason& reason : evaluated.reasons) {
      w.open("reason");
      w.leaf("type", reason.type);
      w.optional_leaf("comment", reason.comment);
      w.close("reason");
    }
    w.close("policy_evaluated");
    w.close("row");
    w.open("identifiers");
    w.leaf("header_from", record.identifiers.header_from);
    w.optional_leaf("envelope_from", record.identifiers.envelope_from);
    w.optional_leaf("envelope_to", record.identifiers.envelope_to);
    w.close("identifiers");
    w.open("auth_results");
    for (const DkimAuthResult& dkim : record.dkim) {
      w.open("dkim");
      w.leaf("domain", dkim.domain);
      w.leaf("selector", dkim.selector);
      w.leaf("result", dkim.result);
      w.optional_leaf("human_result", dkim.human_result);
      w.close("dkim");
    }
    if (!record.spf.empty()) {
      const SpfAuthResult& spf = record.spf.front();
      w.open("spf");
      w.leaf("domain", spf.domain);
      w.optional_leaf("scope", spf.scope);
      w.leaf("result", spf.result);
      w.optional_leaf("human_result", spf.human_result);
      w.close("spf");
    }
    w.close("auth_results");
    w.close("record");
  }
  w.out += "</feedback>\n";
  return std::move(w.out);
}

}  // namespace hallmark::report
