// SPDX-License-Identifier: Apache-2.0
// `hallmark report parse` as a domain owner runs it: on the conformance samples, on a report
// e-mail piped in as from a .forward file, as OpenSearch bulk NDJSON, and as a triage summary.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "cli_runner.hpp"

namespace hallmark::cli {
namespace {

using testing::HasSubstr;

const std::string samples = HALLMARK_CONFORMANCE_DIR "/dmarc/parsedmarc/";
const std::string two_records =
    samples + "rfc9990-example.net!example.com!1700000000!1700086399.xml";

std::vector<nlohmann::json> json_lines(const std::string& out) {
  std::vector<nlohmann::json> lines;
  std::istringstream in(out);
  for (std::string line; std::getline(in, line);) lines.push_back(nlohmann::json::parse(line));
  return lines;
}

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream content;
  content << in.rdbuf();
  return content.str();
}

TEST(CliReport, ParsePrintsOneJsonObjectPerReport) {
  RunResult r =
      run_cli({"report", "parse", two_records,
               samples + "fastmail.com!example.com!1516060800!1516147199!102675056.xml.gz"});
  ASSERT_EQ(r.status, 0) << r.err;
  std::vector<nlohmann::json> reports = json_lines(r.out);
  ASSERT_EQ(reports.size(), 2u);
  const nlohmann::json& first = reports[0];
  EXPECT_EQ(first["kind"], "dmarc-aggregate");
  EXPECT_EQ(first["identity"].get<std::string>().size(), 64u);
  EXPECT_EQ(first["version"], "2.0");
  EXPECT_EQ(first["report_metadata"]["org_name"], "example.net");
  EXPECT_EQ(first["report_metadata"]["date_range"]["begin"], 1700000000);
  EXPECT_EQ(first["policy_published"]["np"], "reject");
  ASSERT_EQ(first["record"].size(), 2u);
  EXPECT_EQ(first["record"][1]["row"]["policy_evaluated"]["reason"][0]["type"], "other");
  EXPECT_EQ(first["record"][0]["auth_results"]["dkim"][0]["selector"], "selector1");
  EXPECT_EQ(first["message_count"], 7);
  EXPECT_EQ(reports[1]["report_metadata"]["org_name"], "FastMail Pty Ltd");
}

TEST(CliReport, ReadsAReportEmailFromStandardInput) {
  // As a .forward pipe hands it over: an mbox separator line, then the message.
  std::string message =
      read_file(HALLMARK_SOURCE_DIR "/fuzz/corpus/report_message/email_gzip_zip.eml");
  RunResult r =
      run_cli({"report", "parse", "-"}, "From sender@example Tue Dec  1 10:00:00 2026\n" + message);
  ASSERT_EQ(r.status, 0) << r.err;
  std::vector<nlohmann::json> reports = json_lines(r.out);
  ASSERT_EQ(reports.size(), 2u);  // the gzip attachment and the zip attachment
  EXPECT_EQ(reports[0]["identity"], reports[1]["identity"]);
  EXPECT_EQ(reports[0]["report_metadata"]["report_id"], "dmarcbis-test-report-001");
}

TEST(CliReport, FailureAndTlsReportsHaveTheirKinds) {
  RunResult r =
      run_cli({"report", "parse", HALLMARK_SOURCE_DIR "/fuzz/corpus/report_message/arf.eml",
               HALLMARK_SOURCE_DIR "/fuzz/corpus/report_message/tls.eml"});
  ASSERT_EQ(r.status, 0) << r.err;
  std::vector<nlohmann::json> reports = json_lines(r.out);
  ASSERT_EQ(reports.size(), 2u);
  EXPECT_EQ(reports[0]["kind"], "dmarc-failure");
  EXPECT_EQ(reports[0]["feedback_type"], "auth-failure");
  EXPECT_EQ(reports[0]["reported_domain"][0], "example.com");
  EXPECT_EQ(reports[1]["kind"], "tls");
  EXPECT_EQ(reports[1]["policies"][0]["policy"]["policy_type"], "sts");
  EXPECT_EQ(reports[1]["date_range"]["start_datetime"], "2026-11-30T00:00:00Z");
}

TEST(CliReport, BulkFormatIsDeterministicNdjson) {
  RunResult r = run_cli({"report", "parse", "--format", "bulk", "--index", "dmarc", two_records});
  ASSERT_EQ(r.status, 0) << r.err;
  std::vector<nlohmann::json> lines = json_lines(r.out);
  ASSERT_EQ(lines.size(), 4u);  // action and document for each of two rows
  EXPECT_EQ(lines[0]["index"]["_index"], "dmarc");
  std::string first_id = lines[0]["index"]["_id"];
  EXPECT_NE(first_id, lines[2]["index"]["_id"].get<std::string>());
  const nlohmann::json& row = lines[3];
  EXPECT_EQ(row["source_ip"], "203.0.113.10");
  EXPECT_EQ(row["count"], 2);
  EXPECT_EQ(row["disposition"], "reject");
  EXPECT_EQ(row["dmarc_aligned"], false);
  EXPECT_EQ(row["date_begin"], "2023-11-14T22:13:20Z");
  EXPECT_EQ(row["spf_domains"][0], "spoofed.example.com");
  RunResult again =
      run_cli({"report", "parse", "--format", "bulk", "--index", "dmarc", two_records});
  EXPECT_EQ(again.out, r.out);
}

TEST(CliReport, SummaryPutsTheWorstSourcesFirst) {
  RunResult r = run_cli({"report", "parse", "--summary", two_records});
  ASSERT_EQ(r.status, 0) << r.err;
  std::size_t bad = r.out.find("203.0.113.10");
  std::size_t good = r.out.find("198.51.100.1");
  ASSERT_NE(bad, std::string::npos);
  ASSERT_NE(good, std::string::npos);
  EXPECT_LT(bad, good);
  EXPECT_THAT(r.out, HasSubstr("header from"));
}

TEST(CliReport, MalformedInputFailsWithItsReason) {
  RunResult r = run_cli({"report", "parse", samples + "invalid_xml.xml", two_records});
  EXPECT_EQ(r.status, 1);
  EXPECT_THAT(r.err, HasSubstr("invalid_xml.xml"));
  EXPECT_THAT(r.err, HasSubstr("line 5"));
  EXPECT_EQ(json_lines(r.out).size(), 1u);  // the good file is still printed
}

TEST(CliReport, OrdinaryMailIsNotAnError) {
  RunResult r = run_cli({"report", "parse", "-"}, "From: a@example.com\nSubject: hi\n\nhello\n");
  EXPECT_EQ(r.status, 0);
  EXPECT_TRUE(r.out.empty());
  EXPECT_THAT(r.err, HasSubstr("no report"));
}

TEST(CliReport, UsageErrors) {
  EXPECT_EQ(run_cli({"report", "parse", "--format", "bulk", two_records}).status, 2);
  EXPECT_EQ(run_cli({"report", "parse", "--format", "xml", two_records}).status, 2);
  RunResult r = run_cli({"report", "frobnicate"});
  EXPECT_EQ(r.status, 2);
  EXPECT_THAT(r.err, HasSubstr("unknown command"));
  EXPECT_EQ(run_cli({"report", "parse", "/nonexistent/file.xml"}).status, 1);
}

}  // namespace
}  // namespace hallmark::cli
