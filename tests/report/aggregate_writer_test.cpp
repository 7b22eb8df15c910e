// SPDX-License-Identifier: Apache-2.0
// Aggregate reports written from the model: they read back to the same model, and xmllint
// validates them against the RFC 9989 schema of ../shared/conformance/dmarc/ietf.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "hallmark/report/aggregate.hpp"
#include "support/child_process.hpp"

namespace hallmark::report {
namespace {

const std::string schema = HALLMARK_CONFORMANCE_DIR "/dmarc/ietf/dmarc-xml-0.2.xsd";
const std::string xmllint = "/usr/bin/xmllint";

AggregateReport sample_report() {
  AggregateReport report;
  report.version = "1.0";
  report.report_metadata = {"Receiver & Co <mail>",
                            "dmarc-reports@receiver.example",
                            "https://receiver.example/dmarc",
                            "20261201.example.com.1",
                            {1796083200, 1796169599},
                            {"one record was dropped"},
                            "hallmark"};
  report.policy_published.domain = "example.com";
  report.policy_published.p = "reject";
  report.policy_published.sp = "quarantine";
  report.policy_published.np = "reject";
  report.policy_published.adkim = "s";
  report.policy_published.aspf = "r";
  report.policy_published.discovery_method = "treewalk";
  report.policy_published.fo = "1";
  report.policy_published.testing = "n";
  Record passing;
  passing.row = {"192.0.2.10", 12, {"none", "pass", "pass", {}}};
  passing.identifiers = {"example.com", "bounce.example.com", "receiver.example"};
  passing.dkim = {{"example.com", "s2026", "pass", ""}, {"esp.example", "k1", "pass", ""}};
  passing.spf = {{"bounce.example.com", "mfrom", "pass", ""}};
  Record forwarded;
  forwarded.row = {
      "2001:db8::25", 3, {"none", "fail", "fail", {{"trusted_forwarder", "list \"announce\""}}}};
  forwarded.identifiers = {"example.com", "", ""};
  forwarded.dkim = {{"example.com", "s2026", "fail", "body hash \x01 mismatch"}};
  forwarded.spf = {{"lists.example.org", "mfrom", "softfail", ""}};
  report.records = {passing, forwarded};
  report.record_count = 2;
  report.message_count = 15;
  return report;
}

TEST(AggregateWriter, ReadsBackToTheSameModel) {
  AggregateReport original = sample_report();
  auto parsed = parse_aggregate_xml(to_xml(original));
  ASSERT_TRUE(parsed) << parsed.error().message;
  EXPECT_EQ(parsed->xml_namespace, "urn:ietf:params:xml:ns:dmarc-2.0");
  EXPECT_EQ(parsed->report_metadata.org_name, "Receiver & Co <mail>");
  EXPECT_EQ(parsed->report_metadata.date_range, original.report_metadata.date_range);
  EXPECT_EQ(parsed->policy_published.discovery_method, "treewalk");
  ASSERT_EQ(parsed->records.size(), 2u);
  EXPECT_EQ(parsed->records[0].dkim.size(), 2u);
  EXPECT_EQ(parsed->records[0].dkim[1].domain, "esp.example");
  EXPECT_EQ(parsed->records[1].row.source_ip, "2001:db8::25");
  EXPECT_EQ(parsed->records[1].row.policy_evaluated.reasons.at(0).comment, "list \"announce\"");
  // A control byte cannot travel in XML 1.0: it becomes U+FFFD.
  EXPECT_EQ(parsed->records[1].dkim[0].human_result, "body hash \xEF\xBF\xBD mismatch");
  EXPECT_EQ(parsed->message_count, 15u);
}

TEST(AggregateWriter, InvalidUtf8IsReplacedNotPassedOn) {
  AggregateReport report = sample_report();
  report.report_metadata.org_name = "bad \xC3\x28 byte \xF0\x9F\x98\x80 ok";
  auto parsed = parse_aggregate_xml(to_xml(report));
  ASSERT_TRUE(parsed) << parsed.error().message;
  EXPECT_EQ(parsed->report_metadata.org_name, "bad \xEF\xBF\xBD( byte \xF0\x9F\x98\x80 ok");
}

TEST(AggregateWriter, ValidatesAgainstTheSchema) {
  if (!std::filesystem::exists(xmllint)) {
    if (std::getenv("CI") != nullptr) FAIL() << "xmllint is missing (libxml2-utils)";
    GTEST_SKIP() << "xmllint is missing: install libxml2-utils (scripts/setup does)";
  }
  test_support::TempDir dir;
  std::string ours = dir.write("ours.xml", to_xml(sample_report()));
  test_support::ProcessRun run =
      test_support::run_process({xmllint, "--noout", "--schema", schema, ours});
  EXPECT_EQ(run.status, 0) << run.err;
  EXPECT_THAT(run.err, testing::HasSubstr("validates"));

  // The schema's own sample, read and written again, still validates.
  std::ifstream in(HALLMARK_CONFORMANCE_DIR "/dmarc/ietf/dmarc-xml-0.2.xml");
  std::ostringstream sample;
  sample << in.rdbuf();
  auto parsed = parse_aggregate_xml(sample.str());
  ASSERT_TRUE(parsed);
  std::string again = dir.write("again.xml", to_xml(*parsed));
  run = test_support::run_process({xmllint, "--noout", "--schema", schema, again});
  EXPECT_EQ(run.status, 0) << run.err;

  // And the check can fail: a disposition outside the schema's list does not validate.
  AggregateReport wrong = sample_report();
  wrong.records[0].row.policy_evaluated.disposition = "bounce";
  std::string invalid = dir.write("invalid.xml", to_xml(wrong));
  run = test_support::run_process({xmllint, "--noout", "--schema", schema, invalid});
  EXPECT_NE(run.status, 0);
}

}  // namespace
}  // namespace hallmark::report
