// SPDX-License-Identifier: Apache-2.0
// The report store on SQLite (the embedded default): schema created on first use, saving
// idempotent by identity and all-or-nothing, and the figures the trend page reads.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fmt/format.h>
#include <stdexcept>

#include "hallmark/report/store.hpp"
#include "report/internal/sql.hpp"
#include "support/child_process.hpp"

namespace hallmark::report {
namespace {

constexpr std::int64_t day_one = 1796083200;  // 2026-12-01T00:00:00Z
constexpr std::int64_t day = 86400;

// An aggregate report for `domain` starting at `begin`: rows of (ip, count, dkim, spf,
// disposition).
AggregateReport aggregate(
    std::string id, std::string domain, std::int64_t begin,
    std::vector<std::tuple<std::string, std::uint64_t, std::string, std::string, std::string>>
        rows) {
  AggregateReport report;
  report.report_metadata.org_name = "receiver.example";
  report.report_metadata.report_id = std::move(id);
  report.report_metadata.date_range = {begin, begin + day - 1};
  report.policy_published.domain = std::move(domain);
  report.policy_published.p = "reject";
  for (auto& [ip, count, dkim, spf, disposition] : rows) {
    Record record;
    record.row = {ip, count, {disposition, dkim, spf, {}}};
    record.identifiers.header_from = report.policy_published.domain;
    record.dkim = {{report.policy_published.domain, "s1", dkim, ""}};
    report.records.push_back(record);
    report.message_count += count;
  }
  report.record_count = report.records.size();
  return report;
}

class SqliteStore : public ::testing::Test {
 protected:
  std::unique_ptr<Store> open() {
    auto store = Store::open(path_);
    EXPECT_TRUE(store) << store.error().message;
    return store ? std::move(*store) : nullptr;
  }
  test_support::TempDir dir_;
  std::string path_ = (dir_.path() / "reports.db").string();
};

TEST_F(SqliteStore, SavingTwiceStoresOnce) {
  auto store = open();
  ASSERT_TRUE(store);
  Report report =
      aggregate("r1", "example.com", day_one, {{"192.0.2.1", 5, "pass", "pass", "none"}});
  EXPECT_EQ(store->save(report).value(), Store::Saved::added);
  EXPECT_EQ(store->save(report).value(), Store::Saved::already_stored);
  EXPECT_EQ(store->count_reports("dmarc-aggregate").value(), 1u);
  // Reopened, by another process as it were: the schema is there and so is the report.
  store.reset();
  auto again = open();
  ASSERT_TRUE(again);
  EXPECT_EQ(again->save(report).value(), Store::Saved::already_stored);
  EXPECT_EQ(again->daily_figures(0, "").value().at(0).messages, 5u);
}

TEST_F(SqliteStore, DailyFiguresPerDomainAndDay) {
  auto store = open();
  ASSERT_TRUE(store);
  ASSERT_TRUE(store->save(aggregate("a", "example.com", day_one,
                                    {{"192.0.2.1", 10, "pass", "pass", "none"},
                                     {"192.0.2.2", 4, "fail", "pass", "none"},
                                     {"198.51.100.9", 3, "fail", "fail", "reject"}})));
  ASSERT_TRUE(store->save(aggregate("b", "example.com", day_one + 3600,
                                    {{"198.51.100.9", 2, "fail", "fail", "quarantine"}})));
  ASSERT_TRUE(store->save(
      aggregate("c", "example.com", day_one + day, {{"192.0.2.1", 7, "pass", "fail", "none"}})));
  ASSERT_TRUE(store->save(
      aggregate("d", "example.org", day_one, {{"203.0.113.5", 1, "fail", "fail", "none"}})));
  auto figures = store->daily_figures(day_one, "example.com");
  ASSERT_TRUE(figures) << figures.error().message;
  ASSERT_EQ(figures->size(), 2u);
  const DailyFigures& first = (*figures)[0];
  EXPECT_EQ(first.day, day_one);
  EXPECT_EQ(first.messages, 19u);
  EXPECT_EQ(first.dkim_aligned, 10u);
  EXPECT_EQ(first.spf_aligned, 14u);
  EXPECT_EQ(first.dmarc_pass, 14u);
  EXPECT_EQ(first.rejected, 3u);
  EXPECT_EQ(first.quarantined, 2u);
  EXPECT_EQ((*figures)[1].day, day_one + day);
  EXPECT_EQ((*figures)[1].dmarc_pass, 7u);
  EXPECT_EQ(store->daily_figures(day_one, "").value().size(), 3u);
  EXPECT_EQ(store->daily_figures(day_one + day, "").value().size(), 1u);

  auto dispositions = store->dispositions(0, "example.com");
  ASSERT_TRUE(dispositions);
  ASSERT_EQ(dispositions->size(), 3u);
  EXPECT_EQ((*dispositions)[0].disposition, "none");
  EXPECT_EQ((*dispositions)[0].messages, 21u);
}

TEST_F(SqliteStore, FailingSourcesWorstFirstWithEnrichment) {
  auto store = open();
  ASSERT_TRUE(store);
  SourceEnricher enrich = [](std::string_view ip) -> std::optional<SourceInfo> {
    if (ip == "198.51.100.9") return SourceInfo{"NL", 64500, "Newsletter Sender BV"};
    return std::nullopt;
  };
  ASSERT_TRUE(store->save(aggregate("a", "example.com", day_one,
                                    {{"192.0.2.1", 10, "pass", "pass", "none"},
                                     {"203.0.113.7", 2, "fail", "fail", "none"},
                                     {"198.51.100.9", 30, "fail", "fail", "reject"}}),
                          enrich));
  auto sources = store->failing_sources(0, "", 10);
  ASSERT_TRUE(sources) << sources.error().message;
  ASSERT_EQ(sources->size(), 2u);
  EXPECT_EQ((*sources)[0].source_ip, "198.51.100.9");
  EXPECT_EQ((*sources)[0].dmarc_fail, 30u);
  EXPECT_EQ((*sources)[0].info.asn, 64500u);
  EXPECT_EQ((*sources)[0].info.as_organization, "Newsletter Sender BV");
  EXPECT_EQ((*sources)[1].source_ip, "203.0.113.7");
  EXPECT_FALSE((*sources)[1].info.asn);
  EXPECT_EQ(store->failing_sources(0, "", 1).value().size(), 1u);
}

TEST_F(SqliteStore, AReportHalfStoredIsNotStoredAtAll) {
  auto store = open();
  ASSERT_TRUE(store);
  Report report = aggregate(
      "r", "example.com", day_one,
      {{"192.0.2.1", 1, "pass", "pass", "none"}, {"192.0.2.2", 1, "pass", "pass", "none"}});
  int calls = 0;
  SourceEnricher failing = [&](std::string_view) -> std::optional<SourceInfo> {
    if (++calls == 2) throw std::runtime_error("enrichment database vanished");
    return std::nullopt;
  };
  EXPECT_THROW((void)store->save(report, failing), std::runtime_error);
  EXPECT_EQ(store->count_reports("dmarc-aggregate").value(), 0u);
  EXPECT_EQ(store->save(report).value(), Store::Saved::added);
  EXPECT_EQ(store->daily_figures(0, "").value().at(0).messages, 2u);
}

TEST_F(SqliteStore, TlsAndFailureReportsAreStored) {
  auto store = open();
  ASSERT_TRUE(store);
  TlsReport tls;
  tls.organization_name = "Sender";
  tls.report_id = "t1";
  tls.start_datetime = day_one;
  tls.end_datetime = day_one + day - 1;
  tls.policies.push_back({"sts", {"version: STSv1"}, "example.com", {"mx.example.com"}, 10, 1, {}});
  FailureReport failure;
  failure.feedback.feedback_type = "auth-failure";
  failure.feedback.reported_domain = {"example.com"};
  failure.feedback.source_ip = "192.0.2.1";
  failure.report_message_id = "<f1@receiver.example>";
  EXPECT_EQ(store->save(tls).value(), Store::Saved::added);
  EXPECT_EQ(store->save(failure).value(), Store::Saved::added);
  EXPECT_EQ(store->save(failure).value(), Store::Saved::already_stored);
  EXPECT_EQ(store->count_reports("tls").value(), 1u);
  EXPECT_EQ(store->count_reports("dmarc-failure").value(), 1u);
}

TEST_F(SqliteStore, ASchemaFromTheFutureIsRefused) {
  {
    auto store = open();
    ASSERT_TRUE(store);
  }
  auto sql = detail::open_sqlite(path_);
  ASSERT_TRUE(sql);
  ASSERT_TRUE((*sql)->execute("UPDATE hallmark_schema SET version = 99"));
  sql->reset();
  auto store = Store::open(path_);
  ASSERT_FALSE(store);
  EXPECT_EQ(store.error().code, core::Errc::unsupported);
  EXPECT_THAT(store.error().message, ::testing::HasSubstr("version 99"));
}

TEST_F(SqliteStore, AnUnopenablePathIsAnIoError) {
  auto store = Store::open((dir_.path() / "missing" / "dir" / "reports.db").string());
  ASSERT_FALSE(store);
  EXPECT_EQ(store.error().code, core::Errc::io);
  EXPECT_THAT(store.error().message, ::testing::HasSubstr("SQLite"));
}

}  // namespace
}  // namespace hallmark::report
