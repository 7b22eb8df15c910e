// SPDX-License-Identifier: Apache-2.0
// The streaming aggregate parser: chunking changes nothing, records stream to a handler, and
// hostile documents (entities, wrong roots, bad numbers, floods) fail cleanly.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fmt/format.h>
#include <stdexcept>

#include "hallmark/report/aggregate.hpp"

namespace hallmark::report {
namespace {

std::string record_xml(int i) {
  return fmt::format(
      "<record><row><source_ip>192.0.2.{}</source_ip><count>{}</count><policy_evaluated>"
      "<disposition>None</disposition><dkim>PASS</dkim><spf>fail</spf></policy_evaluated></row>"
      "<identifiers><header_from>example.com</header_from></identifiers><auth_results><dkim>"
      "<domain>example.com</domain><selector>s{}</selector><result>pass</result></dkim><spf>"
      "<domain>bounce.example.com</domain><scope>mfrom</scope><result>softfail</result></spf>"
      "</auth_results></record>",
      i % 256, i + 1, i);
}

std::string report_xml(int records, std::string_view root_attributes = "") {
  std::string xml = fmt::format(
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<feedback{}><version>1.0</version>"
      "<report_metadata><org_name>Reporter</org_name><email>r@example.net</email>"
      "<report_id>id-1</report_id><date_range><begin> 1700000000 </begin><end>1700086399</end>"
      "</date_range><error>one</error><error>two</error></report_metadata><policy_published>"
      "<domain>example.com</domain><p>Reject</p><pct>50</pct></policy_published>",
      root_attributes);
  for (int i = 0; i < records; ++i) xml += record_xml(i);
  return xml + "</feedback>\n";
}

core::Error error_of(std::string_view xml, const AggregateLimits& limits = {}) {
  auto parsed = parse_aggregate_xml(xml, limits);
  EXPECT_FALSE(parsed.has_value());
  return parsed ? core::Error{} : parsed.error();
}

TEST(AggregateParser, ReadsEveryField) {
  auto report = parse_aggregate_xml(report_xml(2));
  ASSERT_TRUE(report) << report.error().message;
  EXPECT_EQ(report->version, "1.0");
  EXPECT_EQ(report->report_metadata.date_range.begin, 1700000000);
  EXPECT_THAT(report->report_metadata.errors, testing::ElementsAre("one", "two"));
  EXPECT_EQ(report->policy_published.p, "reject");
  EXPECT_EQ(report->policy_published.pct, 50u);
  ASSERT_EQ(report->records.size(), 2u);
  EXPECT_EQ(report->records[1].row.source_ip, "192.0.2.1");
  EXPECT_EQ(report->records[1].row.count, 2u);
  EXPECT_EQ(report->records[1].row.policy_evaluated.disposition, "none");
  EXPECT_EQ(report->records[1].row.policy_evaluated.dkim, "pass");
  EXPECT_EQ(report->records[1].dkim.at(0).selector, "s1");
  EXPECT_EQ(report->records[1].spf.at(0).result, "softfail");
  EXPECT_EQ(report->message_count, 3u);
}

TEST(AggregateParser, ChunkSizeChangesNothing) {
  std::string xml = report_xml(5);
  auto whole = parse_aggregate_xml(xml);
  ASSERT_TRUE(whole);
  for (std::size_t chunk : {1u, 7u, 64u}) {
    AggregateParser parser;
    for (std::size_t at = 0; at < xml.size(); at += chunk)
      ASSERT_TRUE(parser.feed(std::string_view(xml).substr(at, chunk)));
    auto report = parser.finish();
    ASSERT_TRUE(report) << report.error().message;
    ASSERT_EQ(report->records.size(), 5u);
    for (std::size_t i = 0; i < 5; ++i) {
      EXPECT_EQ(report->records[i].row.source_ip, whole->records[i].row.source_ip);
      EXPECT_EQ(report->records[i].dkim.at(0).selector, whole->records[i].dkim.at(0).selector);
    }
  }
}

TEST(AggregateParser, StreamsRecordsToAHandlerWithoutKeepingThem) {
  std::vector<std::string> sources;
  AggregateParser parser([&](const Record& record) { sources.push_back(record.row.source_ip); });
  ASSERT_TRUE(parser.feed(report_xml(300)));
  auto report = parser.finish();
  ASSERT_TRUE(report);
  EXPECT_TRUE(report->records.empty());
  EXPECT_EQ(report->record_count, 300u);
  ASSERT_EQ(sources.size(), 300u);
  EXPECT_EQ(sources[257], "192.0.2.1");
}

TEST(AggregateParser, AHandlersExceptionReachesTheCaller) {
  AggregateParser parser([](const Record&) { throw std::runtime_error("store is full"); });
  EXPECT_THROW((void)parser.feed(report_xml(2)), std::runtime_error);
}

TEST(AggregateParser, NamespacesAndPrefixesAreRead) {
  auto report = parse_aggregate_xml(
      "<d:feedback xmlns:d=\"urn:ietf:params:xml:ns:dmarc-2.0\"><d:report_metadata>"
      "<d:org_name>Org</d:org_name></d:report_metadata></d:feedback>");
  ASSERT_TRUE(report) << report.error().message;
  EXPECT_EQ(report->xml_namespace, "urn:ietf:params:xml:ns:dmarc-2.0");
  EXPECT_EQ(report->report_metadata.org_name, "Org");
}

TEST(AggregateParser, ElementsOutOfPlaceAreIgnored) {
  // <domain> counts as the policy domain only inside <policy_published>.
  auto report = parse_aggregate_xml(
      "<feedback><domain>wrong.example</domain><extension><policy_published><domain>x</domain>"
      "</policy_published></extension><policy_published><domain>right.example</domain>"
      "</policy_published></feedback>");
  ASSERT_TRUE(report);
  EXPECT_EQ(report->policy_published.domain, "right.example");
}

TEST(AggregateParser, RefusesDoctypesSoNoEntityIsExpanded) {
  // Billion laughs, and an external entity reading a local file.
  std::string laughs =
      "<?xml version=\"1.0\"?><!DOCTYPE lolz [<!ENTITY lol \"lol\"><!ENTITY lol2 "
      "\"&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;\">]><feedback>&lol2;</feedback>";
  core::Error error = error_of(laughs);
  EXPECT_EQ(error.code, core::Errc::unsupported);
  EXPECT_THAT(error.message, testing::HasSubstr("DOCTYPE"));
  error = error_of(
      "<!DOCTYPE feedback [<!ENTITY x SYSTEM \"file:///etc/passwd\">]><feedback>&x;</feedback>");
  EXPECT_THAT(error.message, testing::HasSubstr("DOCTYPE"));
}

TEST(AggregateParser, RefusesAnotherRoot) {
  core::Error error = error_of("<html><body/></html>");
  EXPECT_THAT(error.message, testing::HasSubstr("<html>, not <feedback>"));
}

TEST(AggregateParser, RefusesNumbersThatAreNot) {
  std::string xml = report_xml(1);
  std::string bad_count = xml;
  bad_count.replace(bad_count.find("<count>1<"), 9, "<count>-1<");
  EXPECT_THAT(error_of(bad_count).message, testing::HasSubstr("record/row/count"));
  std::string far_date = xml;
  far_date.replace(far_date.find("1700086399"), 10, "99999999999999");
  core::Error error = error_of(far_date);
  EXPECT_EQ(error.code, core::Errc::bad_value);
  EXPECT_THAT(error.message, testing::HasSubstr("date_range/end"));
  std::string pct = xml;
  pct.replace(pct.find("<pct>50"), 7, "<pct>150");
  EXPECT_THAT(error_of(pct).message, testing::HasSubstr("policy_published/pct"));
}

TEST(AggregateParser, CountsThatOverflowTheTotalAreRefused) {
  std::string xml = report_xml(2);
  xml.replace(xml.find("<count>1<"), 9, "<count>18446744073709551615<");
  EXPECT_EQ(error_of(xml).code, core::Errc::bad_value);
}

TEST(AggregateParser, LimitsHold) {
  AggregateLimits limits;
  limits.max_records = 10;
  EXPECT_EQ(error_of(report_xml(11), limits).code, core::Errc::too_many);
  EXPECT_TRUE(parse_aggregate_xml(report_xml(10), limits));

  std::string long_text = "<feedback><report_metadata><org_name>" + std::string(70'000, 'a') +
                          "</org_name></report_metadata></feedback>";
  EXPECT_EQ(error_of(long_text).code, core::Errc::too_long);

  std::string deep = "<feedback>";
  for (int i = 0; i < 100; ++i) deep += "<x>";
  EXPECT_EQ(error_of(deep).code, core::Errc::too_long);

  std::string many_reasons = "<feedback><record><row><policy_evaluated>";
  for (int i = 0; i < 1001; ++i) many_reasons += "<reason><type>other</type></reason>";
  many_reasons += "</policy_evaluated></row></record></feedback>";
  EXPECT_EQ(error_of(many_reasons).code, core::Errc::too_many);
}

TEST(AggregateParser, TruncatedAndEmptyInputFail) {
  std::string xml = report_xml(3);
  for (std::size_t cut : {std::size_t{0}, std::size_t{10}, xml.size() / 2, xml.size() - 3}) {
    core::Error error = error_of(xml.substr(0, cut));
    EXPECT_EQ(error.code, core::Errc::syntax) << cut;
    EXPECT_THAT(error.message, testing::HasSubstr("line")) << cut;
  }
}

TEST(AggregateParser, AfterAnErrorEveryCallFailsTheSameWay) {
  AggregateParser parser;
  auto first = parser.feed("<feedback><a></b>");
  ASSERT_FALSE(first);
  auto again = parser.feed("</feedback>");
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error(), first.error());
  EXPECT_FALSE(parser.finish());
}

TEST(AggregateParser, Latin1DeclaredDocumentsAreConvertedToUtf8) {
  std::string xml =
      "<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><feedback><report_metadata><org_name>"
      "M\xFCller</org_name></report_metadata></feedback>";
  auto report = parse_aggregate_xml(xml);
  ASSERT_TRUE(report) << report.error().message;
  EXPECT_EQ(report->report_metadata.org_name, "M\xC3\xBCller");
}

}  // namespace
}  // namespace hallmark::report
