// SPDX-License-Identifier: Apache-2.0
// Reports as they arrive: gzip and zip files, and e-mails carrying them (base64,
// quoted-printable, octet-stream attachments, inline XML, TLS and failure reports), with the
// bombs and malformed containers hostile senders make.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "hallmark/report/parse.hpp"
#include "report_fixtures.hpp"

namespace hallmark::report {
namespace {

using ::testing::HasSubstr;
using namespace hallmark::report::fixtures;

// Each test reads the same small report.
const std::string aggregate_xml = fixtures::aggregate_xml();

const AggregateReport& only_aggregate(const ParseOutcome& outcome) {
  EXPECT_TRUE(outcome.errors.empty())
      << (outcome.errors.empty() ? ""
                                 : outcome.errors[0].part + ": " + outcome.errors[0].error.message);
  EXPECT_EQ(outcome.reports.size(), 1u);
  static const AggregateReport none;
  if (outcome.reports.size() != 1) return none;
  const auto* report = std::get_if<AggregateReport>(&outcome.reports[0]);
  return report ? *report : none;
}

TEST(ReportContainers, GzipAndZipFilesAreOpened) {
  EXPECT_EQ(only_aggregate(parse_reports(gzip(aggregate_xml))).report_metadata.report_id, "r-42");
  EXPECT_EQ(only_aggregate(parse_reports(zip({{"report.xml", aggregate_xml}}))).message_count, 3u);
  // gzip inside zip, as some reporters do it.
  EXPECT_EQ(
      only_aggregate(parse_reports(zip({{"report.xml.gz", gzip(aggregate_xml)}}))).record_count,
      1u);
}

TEST(ReportContainers, MultiMemberGzipIsOneStream) {
  std::string half = aggregate_xml.substr(0, 100);
  std::string rest = aggregate_xml.substr(100);
  EXPECT_EQ(only_aggregate(parse_reports(gzip(half) + gzip(rest))).record_count, 1u);
}

TEST(ReportContainers, EveryZipMemberIsRead) {
  std::string second = aggregate_xml;
  second.replace(second.find("r-42"), 4, "r-43");
  ParseOutcome outcome = parse_reports(zip({{"a.xml", aggregate_xml}, {"b.xml", second}}));
  EXPECT_TRUE(outcome.errors.empty());
  ASSERT_EQ(outcome.reports.size(), 2u);
  EXPECT_NE(identity_of(outcome.reports[0]), identity_of(outcome.reports[1]));
}

TEST(ReportContainers, AGzipBombStopsAtTheCap) {
  // 2 MB of zeros to the kilobyte; with a 1 MB cap the inflater gives up at the cap.
  std::string bomb = gzip(std::string(64 * 1024, '\0'), 32);
  ASSERT_LT(bomb.size(), 10'000u);
  ParseLimits limits;
  limits.max_decompressed_bytes = 1024 * 1024;
  ParseOutcome outcome = parse_reports(bomb, limits);
  ASSERT_EQ(outcome.errors.size(), 1u);
  EXPECT_EQ(outcome.errors[0].error.code, core::Errc::too_long);
  EXPECT_THAT(outcome.errors[0].error.message, HasSubstr("expands past"));
}

TEST(ReportContainers, AGzipBombStopsAtTheDefaultCap) {
  // About 300 KB expanding to 320 MB: past the 256 MB default.
  std::string bomb = gzip(std::string(1024 * 1024, '<'), 320);
  ParseOutcome outcome = parse_reports(bomb);
  ASSERT_EQ(outcome.errors.size(), 1u);
  EXPECT_EQ(outcome.errors[0].error.code, core::Errc::too_long);
}

TEST(ReportContainers, AZipBombStopsAtTheCap) {
  ParseLimits limits;
  limits.max_decompressed_bytes = 1024 * 1024;
  ParseOutcome outcome =
      parse_reports(zip({{"bomb.xml", std::string(4 * 1024 * 1024, ' ')}}), limits);
  ASSERT_EQ(outcome.errors.size(), 1u);
  EXPECT_EQ(outcome.errors[0].error.code, core::Errc::too_long);
  EXPECT_THAT(outcome.errors[0].error.message, HasSubstr("bomb.xml"));
}

TEST(ReportContainers, TooManyZipMembersAreRefused) {
  std::vector<std::pair<std::string, std::string>> members;
  for (int i = 0; i < 70; ++i) members.emplace_back("r" + std::to_string(i) + ".xml", "<x/>");
  ParseOutcome outcome = parse_reports(zip(members));
  ASSERT_EQ(outcome.errors.size(), 1u);
  EXPECT_EQ(outcome.errors[0].error.code, core::Errc::too_many);
}

TEST(ReportContainers, TruncatedAndCorruptArchivesFailCleanly) {
  std::string gz = gzip(aggregate_xml);
  for (std::size_t cut : {std::size_t{2}, std::size_t{10}, gz.size() / 2, gz.size() - 4}) {
    ParseOutcome outcome = parse_reports(gz.substr(0, cut));
    ASSERT_EQ(outcome.errors.size(), 1u) << cut;
    EXPECT_TRUE(outcome.reports.empty());
  }
  std::string corrupt = gz;
  for (std::size_t i = 12; i < corrupt.size() - 8; i += 3)
    corrupt[i] = static_cast<char>(~corrupt[i]);
  EXPECT_EQ(parse_reports(corrupt).errors.size(), 1u);
  std::string archive = zip({{"report.xml", aggregate_xml}});
  for (std::size_t cut :
       {std::size_t{4}, std::size_t{30}, archive.size() / 2, archive.size() - 1}) {
    ParseOutcome outcome = parse_reports(archive.substr(0, cut));
    EXPECT_EQ(outcome.errors.size(), 1u) << cut;
    EXPECT_TRUE(outcome.reports.empty());
  }
  EXPECT_EQ(parse_reports(gz + "junk").errors.size(), 1u);
}

TEST(ReportMessages, Base64GzipAttachment) {
  std::string message =
      report_email({{"application/gzip; name=\"r.xml.gz\"", base64_lines(gzip(aggregate_xml)),
                     "base64", "attachment; filename=\"r.xml.gz\""}});
  EXPECT_EQ(only_aggregate(parse_reports(message)).report_metadata.org_name, "reporter.example");
}

TEST(ReportMessages, OctetStreamAttachmentsAreReadByFileName) {
  std::string message = report_email(
      {{"application/octet-stream", base64_lines(zip({{"r.xml", aggregate_xml}})), "base64",
        "attachment;\r\n filename*0=\"reporter.example!example.com!1700000000\";\r\n"
        " filename*1=\"!1700086399.zip\""}});
  EXPECT_EQ(only_aggregate(parse_reports(message)).record_count, 1u);
  // The same bytes under a name that is not a report's are left alone.
  std::string other =
      report_email({{"application/octet-stream", base64_lines(zip({{"r.xml", aggregate_xml}})),
                     "base64", "attachment; filename=\"invoice.pdf\""}});
  EXPECT_TRUE(parse_reports(other).not_a_report);
}

TEST(ReportMessages, QuotedPrintableXml) {
  std::string qp;
  for (char c : aggregate_xml) {
    if (c == '=')
      qp += "=3D";
    else if (c == '\n')
      qp += "\r\n";
    else
      qp += c;
  }
  // A soft line break in the middle of an element name.
  qp.insert(qp.find("org_name") + 3, "=\r\n");
  std::string message = report_email({{"text/xml", qp, "quoted-printable", ""}});
  EXPECT_EQ(only_aggregate(parse_reports(message)).report_metadata.org_name, "reporter.example");
}

TEST(ReportMessages, XmlInTheBodyItself) {
  std::string message = "From: r@reporter.example\r\nSubject: report\r\n\r\n" + aggregate_xml;
  EXPECT_EQ(only_aggregate(parse_reports(message)).record_count, 1u);
}

TEST(ReportMessages, TlsReportInMultipartReport) {
  std::string message =
      "From: tlsrpt@sender.example\r\nSubject: Report Domain: example.com\r\n"
      "Content-Type: multipart/report; report-type=\"tlsrpt\"; boundary=\"b1\"\r\n\r\n"
      "--b1\r\nContent-Type: text/plain\r\n\r\nTLS report.\r\n"
      "--b1\r\nContent-Type: application/tlsrpt+gzip\r\nContent-Transfer-Encoding: base64\r\n"
      "Content-Disposition: attachment; "
      "filename=\"sender.example!example.com!1!2!tls-7.json.gz\"\r\n\r\n" +
      base64_lines(gzip(tls_json)) + "--b1--\r\n";
  ParseOutcome outcome = parse_reports(message);
  ASSERT_TRUE(outcome.errors.empty()) << outcome.errors[0].error.message;
  ASSERT_EQ(outcome.reports.size(), 1u);
  ASSERT_EQ(kind_of(outcome.reports[0]), ReportKind::tls);
  const auto& report = std::get<TlsReport>(outcome.reports[0]);
  EXPECT_EQ(report.report_id, "tls-7");
  ASSERT_EQ(report.policies.size(), 1u);
  EXPECT_EQ(report.policies[0].failure_details.at(0).result_type, "certificate-expired");
  // A raw JSON file parses the same.
  ParseOutcome raw = parse_reports(tls_json);
  ASSERT_EQ(raw.reports.size(), 1u);
  EXPECT_EQ(identity_of(raw.reports[0]), identity_of(outcome.reports[0]));
}

const std::string failure_report_email =
    "From: dmarc-reports@receiver.example\r\n"
    "To: ruf@example.com\r\n"
    "Subject: DMARC failure report for example.com\r\n"
    "Date: Tue, 01 Dec 2026 10:00:00 +0000\r\n"
    "Message-ID: <arf-1@receiver.example>\r\n"
    "MIME-Version: 1.0\r\n"
    "Content-Type: multipart/report; report-type=feedback-report;\r\n"
    "\tboundary=\"arf_boundary\"\r\n"
    "\r\n"
    "--arf_boundary\r\n"
    "Content-Type: text/plain; charset=\"US-ASCII\"\r\n"
    "\r\n"
    "An authentication failure report for a message from 192.0.2.1.\r\n"
    "--arf_boundary\r\n"
    "Content-Type: message/feedback-report\r\n"
    "\r\n"
    "Feedback-Type: auth-failure\r\n"
    "User-Agent: ReceiverFilter/2.1\r\n"
    "Version: 1\r\n"
    "Original-Mail-From: <bounce@spoofer.example>\r\n"
    "Original-Rcpt-To: <user@receiver.example>\r\n"
    "Arrival-Date: Tue, 01 Dec 2026 09:58:00 +0000\r\n"
    "Source-IP: 192.0.2.1\r\n"
    "Reported-Domain: example.com\r\n"
    "Authentication-Results: receiver.example; dmarc=fail header.from=example.com\r\n"
    "Auth-Failure: dmarc\r\n"
    "Identity-Alignment: none\r\n"
    "\r\n"
    "--arf_boundary\r\n"
    "Content-Type: text/rfc822-headers\r\n"
    "\r\n"
    "From: \"Bank\" <support@example.com>\r\n"
    "To: user@receiver.example\r\n"
    "Subject: Verify your account\r\n"
    "Message-ID: <phish-9@spoofer.example>\r\n"
    "Date: Tue, 01 Dec 2026 09:57:00 +0000\r\n"
    "\r\n"
    "--arf_boundary--\r\n";

TEST(ReportMessages, FailureReport) {
  ParseOutcome outcome = parse_reports(failure_report_email);
  ASSERT_TRUE(outcome.errors.empty()) << outcome.errors[0].error.message;
  ASSERT_EQ(outcome.reports.size(), 1u);
  ASSERT_EQ(kind_of(outcome.reports[0]), ReportKind::dmarc_failure);
  const auto& report = std::get<FailureReport>(outcome.reports[0]);
  EXPECT_EQ(report.feedback.feedback_type, "auth-failure");
  EXPECT_EQ(report.feedback.source_ip, "192.0.2.1");
  EXPECT_THAT(report.feedback.reported_domain, ::testing::ElementsAre("example.com"));
  EXPECT_EQ(report.feedback.auth_failure, "dmarc");
  EXPECT_EQ(report.feedback.arrival_time, 1796119080);
  EXPECT_EQ(report.original_subject, "Verify your account");
  EXPECT_EQ(report.original_message_id, "<phish-9@spoofer.example>");
  EXPECT_EQ(report.report_message_id, "<arf-1@receiver.example>");
  EXPECT_THAT(report.description, HasSubstr("192.0.2.1"));
  ASSERT_EQ(report.original_headers.size(), 5u);
  EXPECT_EQ(report.original_headers[0].first, "From");
}

TEST(ReportMessages, FailureReportWithoutFeedbackPartIsAnError) {
  std::string message = failure_report_email;
  message.replace(message.find("message/feedback-report"), 23, "text/plain");
  ParseOutcome outcome = parse_reports(message);
  ASSERT_EQ(outcome.errors.size(), 1u);
  EXPECT_THAT(outcome.errors[0].error.message, HasSubstr("message/feedback-report"));
}

TEST(ReportMessages, ForwardedReportInsideMessageRfc822) {
  std::string inner = report_email({{"application/gzip", base64_lines(gzip(aggregate_xml)),
                                     "base64", "attachment; filename=\"r.xml.gz\""}});
  std::string message =
      "From: admin@example.com\r\nSubject: Fwd: report\r\n"
      "Content-Type: multipart/mixed; boundary=\"fwd\"\r\n\r\n--fwd\r\n"
      "Content-Type: text/plain\r\n\r\nSee attached.\r\n--fwd\r\n"
      "Content-Type: message/rfc822\r\n\r\n" +
      inner + "\r\n--fwd--\r\n";
  EXPECT_EQ(only_aggregate(parse_reports(message)).record_count, 1u);
}

TEST(ReportMessages, OneBadPartDoesNotHideTheOthers) {
  std::string message = report_email(
      {{"application/gzip", base64_lines("not gzip at all"), "base64",
        "attachment; filename=\"a.xml.gz\""},
       {"application/gzip", "!!!! not base64 !!!!", "base64", "attachment; filename=\"b.xml.gz\""},
       {"text/xml", aggregate_xml, "7bit", "attachment; filename=\"c.xml\""}});
  ParseOutcome outcome = parse_reports(message);
  EXPECT_EQ(outcome.reports.size(), 1u);
  ASSERT_EQ(outcome.errors.size(), 2u);
  EXPECT_THAT(outcome.errors[0].part, HasSubstr("part 2 (a.xml.gz)"));
  EXPECT_THAT(outcome.errors[1].part, HasSubstr("part 3 (b.xml.gz)"));
  EXPECT_EQ(outcome.errors[1].error.code, core::Errc::bad_encoding);
}

TEST(ReportMessages, OrdinaryMailIsNotAReport) {
  ParseOutcome outcome =
      parse_reports("From: a@example.com\r\nSubject: lunch?\r\n\r\nAre we still on for noon?\r\n");
  EXPECT_TRUE(outcome.not_a_report);
  EXPECT_TRUE(outcome.errors.empty());
  EXPECT_TRUE(outcome.reports.empty());
}

TEST(ReportMessages, MimeNestingAndPartFloodsAreRefused) {
  std::string deep = "From: a@example.com\r\n";
  for (int i = 0; i < 40; ++i)
    deep += "Content-Type: multipart/mixed; boundary=\"b" + std::to_string(i) + "\"\r\n\r\n--b" +
            std::to_string(i) + "\r\n";
  ParseOutcome outcome = parse_reports(deep);
  ASSERT_EQ(outcome.errors.size(), 1u);
  EXPECT_THAT(outcome.errors[0].error.message, HasSubstr("nest deeper"));

  std::string flood = "From: a@example.com\r\nContent-Type: multipart/mixed; boundary=x\r\n\r\n";
  for (int i = 0; i < 600; ++i) flood += "--x\r\n\r\npart\r\n";
  outcome = parse_reports(flood + "--x--\r\n");
  ASSERT_EQ(outcome.errors.size(), 1u);
  EXPECT_EQ(outcome.errors[0].error.code, core::Errc::too_many);
}

TEST(ReportMessages, TruncatedMessagesKeepWhatTheyHold) {
  std::string message = report_email({{"text/xml", aggregate_xml, "7bit", ""}});
  message.resize(message.rfind("--=_outer--"));
  EXPECT_EQ(only_aggregate(parse_reports(message)).record_count, 1u);
  // Cut anywhere, the parser never crashes and never invents a report.
  for (std::size_t cut = 0; cut < message.size(); cut += 7) {
    ParseOutcome outcome = parse_reports(std::string_view(message).substr(0, cut));
    EXPECT_LE(outcome.reports.size(), 1u);
  }
}

}  // namespace
}  // namespace hallmark::report
