// SPDX-License-Identifier: Apache-2.0
// Every aggregate report sample of ../shared/conformance/dmarc parses to the facts its
// manifest lists; the samples that are not well-formed fail with an error naming the problem.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "hallmark/report/parse.hpp"

namespace hallmark::report {
namespace {

const std::string samples_dir = HALLMARK_CONFORMANCE_DIR "/dmarc";

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  EXPECT_TRUE(in) << path;
  std::ostringstream content;
  content << in.rdbuf();
  return content.str();
}

nlohmann::json manifest() {
  return nlohmann::json::parse(read_file(samples_dir + "/manifest.json"))["samples"];
}

std::string text_or_null(const nlohmann::json& value) {
  return value.is_null() ? std::string() : value.get<std::string>();
}

std::string lowercase(std::string text) {
  for (char& c : text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return text;
}

TEST(AggregateSamples, ManifestHasEverySample) { EXPECT_EQ(manifest().size(), 19u); }

TEST(AggregateSamples, WellFormedSamplesParseToTheManifestFacts) {
  for (const nlohmann::json& sample : manifest()) {
    if (!sample["well_formed"].get<bool>()) continue;
    std::string file = sample["file"];
    SCOPED_TRACE(file);
    std::string data = read_file(samples_dir + "/" + file);
    ParseOutcome outcome = parse_reports(data);
    EXPECT_TRUE(outcome.errors.empty()) << outcome.errors.front().error.message;
    ASSERT_EQ(outcome.reports.size(), 1u);
    const auto* report = std::get_if<AggregateReport>(&outcome.reports.front());
    ASSERT_NE(report, nullptr);
    EXPECT_EQ(report->xml_namespace, text_or_null(sample["namespace"]));
    EXPECT_EQ(report->version, text_or_null(sample["version"]));
    EXPECT_EQ(report->report_metadata.org_name, text_or_null(sample["org_name"]));
    EXPECT_EQ(report->report_metadata.report_id, text_or_null(sample["report_id"]));
    EXPECT_EQ(std::to_string(report->report_metadata.date_range.begin),
              sample["begin"].get<std::string>());
    EXPECT_EQ(std::to_string(report->report_metadata.date_range.end),
              sample["end"].get<std::string>());
    EXPECT_EQ(report->policy_published.domain, text_or_null(sample["policy_domain"]));
    EXPECT_EQ(report->policy_published.p, text_or_null(sample["p"]));
    EXPECT_EQ(report->record_count, sample["records"].get<std::uint64_t>());
    EXPECT_EQ(report->records.size(), sample["records"].get<std::size_t>());
    EXPECT_EQ(report->message_count, sample["messages"].get<std::uint64_t>());
    // Result words are read in lowercase, whatever case the reporter wrote.
    std::set<std::string> expected, found;
    for (const auto& disposition : sample["dispositions"])
      expected.insert(lowercase(disposition.get<std::string>()));
    for (const Record& record : report->records)
      found.insert(record.row.policy_evaluated.disposition);
    EXPECT_EQ(found, expected);
  }
}

TEST(AggregateSamples, MalformedSamplesFailWithAnErrorNamingTheProblem) {
  int malformed = 0;
  for (const nlohmann::json& sample : manifest()) {
    if (sample["well_formed"].get<bool>()) continue;
    ++malformed;
    std::string file = sample["file"];
    SCOPED_TRACE(file);
    ParseOutcome outcome = parse_reports(read_file(samples_dir + "/" + file));
    EXPECT_TRUE(outcome.reports.empty());
    ASSERT_EQ(outcome.errors.size(), 1u);
    EXPECT_FALSE(outcome.errors.front().error.message.empty());
    EXPECT_EQ(outcome.errors.front().part, "input");
  }
  EXPECT_EQ(malformed, 4);
}

TEST(AggregateSamples, InvalidXmlNamesLineAndColumn) {
  ParseOutcome outcome = parse_reports(read_file(samples_dir + "/parsedmarc/invalid_xml.xml"));
  ASSERT_EQ(outcome.errors.size(), 1u);
  EXPECT_THAT(outcome.errors.front().error.message, testing::HasSubstr("line 5"));
  EXPECT_EQ(outcome.errors.front().error.code, core::Errc::syntax);
}

TEST(AggregateSamples, InvalidUtf8IsAnError) {
  ParseOutcome outcome = parse_reports(read_file(samples_dir + "/parsedmarc/invalid_utf_8.xml"));
  ASSERT_EQ(outcome.errors.size(), 1u);
  EXPECT_THAT(outcome.errors.front().error.message, testing::HasSubstr("line 31"));
}

TEST(AggregateSamples, RecordsCarryEveryField) {
  ParseOutcome outcome = parse_reports(read_file(
      samples_dir + "/parsedmarc/rfc9990-example.net!example.com!1700000000!1700086399.xml"));
  ASSERT_EQ(outcome.reports.size(), 1u);
  const auto& report = std::get<AggregateReport>(outcome.reports.front());
  EXPECT_EQ(report.report_metadata.email, "postmaster@example.net");
  EXPECT_EQ(report.policy_published.adkim, "s");
  EXPECT_EQ(report.policy_published.np, "reject");
  EXPECT_EQ(report.policy_published.testing, "y");
  EXPECT_EQ(report.policy_published.discovery_method, "treewalk");
  EXPECT_FALSE(report.policy_published.pct.has_value());
  ASSERT_EQ(report.records.size(), 2u);
  const Record& first = report.records[0];
  EXPECT_EQ(first.row.source_ip, "198.51.100.1");
  EXPECT_EQ(first.row.count, 5u);
  EXPECT_EQ(first.row.policy_evaluated.dkim, "pass");
  EXPECT_EQ(first.identifiers.envelope_from, "example.com");
  ASSERT_EQ(first.dkim.size(), 1u);
  EXPECT_EQ(first.dkim[0].selector, "selector1");
  ASSERT_EQ(first.spf.size(), 1u);
  EXPECT_EQ(first.spf[0].scope, "mfrom");
  const Record& second = report.records[1];
  EXPECT_EQ(second.row.policy_evaluated.disposition, "reject");
  ASSERT_EQ(second.row.policy_evaluated.reasons.size(), 1u);
  EXPECT_EQ(second.row.policy_evaluated.reasons[0].type, "other");
  EXPECT_EQ(second.row.policy_evaluated.reasons[0].comment, "sender not authorized");
  EXPECT_TRUE(second.dkim.empty());
  EXPECT_EQ(second.spf.at(0).result, "fail");
}

TEST(AggregateSamples, ExtensionsAreSkipped) {
  ParseOutcome outcome = parse_reports(read_file(samples_dir + "/ietf/dmarc-xmlalt-0.2.xml"));
  ASSERT_EQ(outcome.reports.size(), 1u);
  const auto& report = std::get<AggregateReport>(outcome.reports.front());
  EXPECT_EQ(report.records.at(0).dkim.at(0).selector, "abc123");
  EXPECT_EQ(report.records.at(0).row.count, 123u);
}

TEST(AggregateSamples, TheSameReportHasTheSameIdentityFromAnyContainer) {
  // The RFC 9989 sample exists twice, in two folders: one report, one identity.
  ParseOutcome a = parse_reports(read_file(samples_dir + "/ietf/dmarc-xml-0.2.xml"));
  ParseOutcome b = parse_reports(read_file(samples_dir + "/parsedmarc/rfc9990-sample.xml"));
  ASSERT_EQ(a.reports.size(), 1u);
  ASSERT_EQ(b.reports.size(), 1u);
  EXPECT_EQ(identity_of(a.reports[0]), identity_of(b.reports[0]));
  EXPECT_EQ(identity_of(a.reports[0]).size(), 64u);
  ParseOutcome other = parse_reports(read_file(samples_dir + "/ietf/dmarc-xmlalt-0.2.xml"));
  EXPECT_NE(identity_of(a.reports[0]), identity_of(other.reports.at(0)));
}

}  // namespace
}  // namespace hallmark::report
