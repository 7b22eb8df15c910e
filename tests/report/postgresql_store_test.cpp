// SPDX-License-Identifier: Apache-2.0
// The report store on PostgreSQL, against a real throwaway server: the libpq connection
// (parameters of each type, NULLs, errors, transactions, prepared statements surviving DDL)
// and the store over it (idempotent saves, the figures, migrations). Skipped when
// postgresql-15 is not installed, except under CI, where that is a failure.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fmt/format.h>

#include <array>
#include <cstdint>
#include <cstdlib>
#include <limits>
#include <span>
#include <string>
#include <thread>
#include <tuple>
#include <vector>

#include "hallmark/report/aggregate.hpp"
#include "hallmark/report/failure.hpp"
#include "hallmark/report/store.hpp"
#include "hallmark/report/tls.hpp"
#include "report/internal/sql.hpp"
#include "support/postgres_server.hpp"

namespace hallmark::report {
namespace {

using detail::SqlConnection;
using detail::SqlRow;
using detail::SqlValue;
using test_support::PostgresServer;
using ::testing::HasSubstr;
using ::testing::StartsWith;

// One server for the whole test process (initdb and start take about a second), one fresh
// database per test. Stopped when the process exits.
const core::Expected<std::unique_ptr<PostgresServer>>& shared_server() {
  static const core::Expected<std::unique_ptr<PostgresServer>> server = PostgresServer::start();
  return server;
}

class PostgresqlTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto& server = shared_server();
    if (!server) {
      // Like the DKIM oracles: a developer without PostgreSQL skips, CI must have it.
      if (server.error().code == core::Errc::unsupported && std::getenv("CI") == nullptr)
        GTEST_SKIP() << server.error().message;
      FAIL() << server.error().message;
    }
    auto uri = (*server)->create_database();
    ASSERT_TRUE(uri) << uri.error().message;
    uri_ = *uri;
  }

  std::unique_ptr<SqlConnection> connect() {
    auto connection = detail::open_postgresql(uri_);
    EXPECT_TRUE(connection) << connection.error().message;
    return connection ? std::move(*connection) : nullptr;
  }

  std::string uri_;
};

// Runs `sql` and returns its rows, failing the test on an error.
std::vector<SqlRow> rows_of(SqlConnection& sql, std::string_view text,
                            std::span<const SqlValue> parameters = {}) {
  auto rows = sql.query(text, parameters);
  EXPECT_TRUE(rows) << text << ": " << rows.error().message;
  return rows ? std::move(*rows) : std::vector<SqlRow>{};
}

std::string count_of(SqlConnection& sql, std::string_view table) {
  auto rows = rows_of(sql, fmt::format("SELECT COUNT(*) FROM {}", table));
  return rows.empty() ? "?" : rows.front().front().value_or("NULL");
}

// ---- the connection ----

using PostgresqlConnection = PostgresqlTest;

TEST_F(PostgresqlConnection, ExecutesSeveralStatementsAtOnce) {
  auto sql = connect();
  ASSERT_TRUE(sql);
  EXPECT_EQ(sql->dialect(), "postgresql");
  ASSERT_TRUE(
      sql->execute("CREATE TABLE t (n BIGINT, s TEXT); INSERT INTO t VALUES (1, 'a'); "
                   "INSERT INTO t VALUES (2, 'b')"));
  auto rows = rows_of(*sql, "SELECT n, s FROM t ORDER BY n");
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[1], (SqlRow{"2", "b"}));
}

TEST_F(PostgresqlConnection, PassesParametersOfEachType) {
  auto sql = connect();
  ASSERT_TRUE(sql);
  ASSERT_TRUE(sql->execute("CREATE TABLE t (n BIGINT, s TEXT, z TEXT)"));
  const std::int64_t lowest = std::numeric_limits<std::int64_t>::min();
  // Quotes, a backslash and non-ASCII text arrive as given: parameters are never spliced.
  const std::string tricky = "it's \\ \"quoted\"; DROP TABLE t; -- Zürich 東京 ✉";
  for (const std::array<SqlValue, 3>& row :
       {std::array<SqlValue, 3>{lowest, tricky, std::monostate{}},
        std::array<SqlValue, 3>{std::int64_t{42}, std::string(), std::string("z")}})
    ASSERT_TRUE(sql->query("INSERT INTO t (n, s, z) VALUES ($1, $2, $3)", row));
  auto rows = rows_of(*sql, "SELECT n, s, z FROM t ORDER BY n");
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0], (SqlRow{std::to_string(lowest), tricky, std::nullopt}));
  EXPECT_EQ(rows[1], (SqlRow{"42", "", "z"}));

  std::array<SqlValue, 2> filter{std::int64_t{0}, tricky};
  rows = rows_of(*sql, "SELECT COUNT(*) FROM t WHERE n < $1 AND s = $2", filter);
  EXPECT_EQ(rows, (std::vector<SqlRow>{{"1"}}));
}

TEST_F(PostgresqlConnection, NullsComeBackAsNothingAndEmptyTextAsEmpty) {
  auto sql = connect();
  ASSERT_TRUE(sql);
  std::array<SqlValue, 1> null{std::monostate{}};
  auto rows = rows_of(*sql, "SELECT NULL, '', $1::text IS NULL", null);
  EXPECT_EQ(rows, (std::vector<SqlRow>{{std::nullopt, "", "t"}}));
  EXPECT_TRUE(rows_of(*sql, "SELECT 1 WHERE false").empty());
}

TEST_F(PostgresqlConnection, AnErrorCarriesTheServersMessage) {
  auto sql = connect();
  ASSERT_TRUE(sql);
  auto rows = sql->query("SELECT * FROM no_such_table");
  ASSERT_FALSE(rows);
  EXPECT_EQ(rows.error().code, core::Errc::io);
  EXPECT_THAT(rows.error().message, StartsWith("PostgreSQL: ERROR: "));
  EXPECT_THAT(rows.error().message, HasSubstr("relation \"no_such_table\" does not exist"));
  EXPECT_THAT(rows.error().message, HasSubstr("SQLSTATE 42P01"));
  EXPECT_EQ(rows.error().message.find('\n'), std::string::npos) << rows.error().message;

  auto done = sql->execute(
      "CREATE TABLE t (n BIGINT PRIMARY KEY); INSERT INTO t VALUES (1); "
      "INSERT INTO t VALUES (1)");
  ASSERT_FALSE(done);
  EXPECT_THAT(done.error().message, HasSubstr("duplicate key"));
  EXPECT_THAT(done.error().message, HasSubstr("SQLSTATE 23505"));
  // Several statements in one execute() run as one transaction: the first insert is gone too.
  EXPECT_FALSE(sql->query("SELECT * FROM t"));
  EXPECT_EQ(rows_of(*sql, "SELECT 1"), (std::vector<SqlRow>{{"1"}}));  // still usable
}

TEST_F(PostgresqlConnection, ATransactionRolledBackLeavesNothing) {
  auto sql = connect();
  ASSERT_TRUE(sql);
  ASSERT_TRUE(sql->execute("CREATE TABLE t (n BIGINT NOT NULL)"));
  ASSERT_TRUE(sql->execute("BEGIN"));
  std::array<SqlValue, 1> one{std::int64_t{1}};
  ASSERT_TRUE(sql->query("INSERT INTO t (n) VALUES ($1)", one));
  // A statement the server refuses to prepare inside the transaction: the error names the
  // cause, not "current transaction is aborted".
  auto bad = sql->query("INSERT INTO t (n) VALUES ($1) RETURNING no_such_column", one);
  ASSERT_FALSE(bad);
  EXPECT_THAT(bad.error().message, HasSubstr("no_such_column"));
  std::array<SqlValue, 1> null{std::monostate{}};
  auto refused = sql->query("INSERT INTO t (n) VALUES ($1)", null);
  ASSERT_FALSE(refused);
  EXPECT_THAT(refused.error().message, HasSubstr("current transaction is aborted"));
  ASSERT_TRUE(sql->execute("ROLLBACK"));
  EXPECT_EQ(count_of(*sql, "t"), "0");

  ASSERT_TRUE(sql->execute("BEGIN"));
  ASSERT_TRUE(sql->query("INSERT INTO t (n) VALUES ($1)", one));
  ASSERT_TRUE(sql->execute("COMMIT"));
  EXPECT_EQ(count_of(*sql, "t"), "1");
}

TEST_F(PostgresqlConnection, TextThatIsNotUtf8IsACleanError) {
  auto sql = connect();
  ASSERT_TRUE(sql);
  for (const std::string& text : {std::string("caf\xe9"), std::string("\xed\xa0\x80"),
                                  std::string("\xc0\xaf"), std::string("trunc\xe2\x82")}) {
    std::array<SqlValue, 1> parameter{text};
    auto rows = sql->query("SELECT $1::text", parameter);
    ASSERT_FALSE(rows) << text;
    EXPECT_EQ(rows.error().code, core::Errc::bad_encoding);
    EXPECT_EQ(rows.error().message, "PostgreSQL: parameter $1 is not valid UTF-8");
  }
  std::array<SqlValue, 2> nul{std::int64_t{1}, std::string("a\0b", 3)};
  auto rows = sql->query("SELECT $1::bigint, $2::text", nul);
  ASSERT_FALSE(rows);
  EXPECT_EQ(rows.error().message, "PostgreSQL: parameter $2 contains a NUL byte");
  // Bad bytes in the statement itself reach the server, which refuses them politely.
  auto done = sql->execute("SELECT 'caf\xe9'");
  ASSERT_FALSE(done);
  EXPECT_EQ(done.error().code, core::Errc::io);
  EXPECT_THAT(done.error().message, HasSubstr("UTF8"));
  std::array<SqlValue, 1> fine{std::string("caf\xc3\xa9 \xf0\x9f\x93\xa7")};
  EXPECT_EQ(rows_of(*sql, "SELECT $1::text", fine),
            (std::vector<SqlRow>{{"caf\xc3\xa9 \xf0\x9f\x93\xa7"}}));
}

TEST_F(PostgresqlConnection, PreparedStatementsSurviveSchemaChanges) {
  auto sql = connect();
  ASSERT_TRUE(sql);
  ASSERT_TRUE(sql->execute("CREATE TABLE t (n BIGINT)"));
  for (std::int64_t i = 0; i < 500; ++i) {
    std::array<SqlValue, 1> n{i};
    ASSERT_TRUE(sql->query("INSERT INTO t (n) VALUES ($1)", n));
  }
  EXPECT_EQ(rows_of(*sql, "SELECT SUM(n) FROM t"), (std::vector<SqlRow>{{"124750"}}));
  EXPECT_EQ(rows_of(*sql, "SELECT * FROM t LIMIT 1").at(0).size(), 1u);
  // A prepared SELECT * would fail with "cached plan must not change result type" once the
  // table has another column, unless the connection forgets its statements after DDL.
  ASSERT_TRUE(sql->execute("ALTER TABLE t ADD COLUMN s TEXT DEFAULT 'x'"));
  auto rows = sql->query("SELECT * FROM t LIMIT 1");
  ASSERT_TRUE(rows) << rows.error().message;
  EXPECT_EQ(rows->at(0), (SqlRow{"0", "x"}));
}

TEST_F(PostgresqlConnection, NoticesDoNotReachStandardError) {
  auto sql = connect();
  ASSERT_TRUE(sql);
  ::testing::internal::CaptureStderr();
  bool created = sql->execute("CREATE TABLE IF NOT EXISTS t (n BIGINT)") &&
                 sql->execute("CREATE TABLE IF NOT EXISTS t (n BIGINT)");
  std::string printed = ::testing::internal::GetCapturedStderr();
  EXPECT_TRUE(created);
  EXPECT_EQ(printed, "");
}

TEST_F(PostgresqlConnection, AMissingDatabaseIsAnIoError) {
  auto missing = detail::open_postgresql((*shared_server())->uri("no_such_database"));
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code, core::Errc::io);
  EXPECT_THAT(missing.error().message, StartsWith("PostgreSQL: "));
  EXPECT_THAT(missing.error().message, HasSubstr("\"no_such_database\" does not exist"));
}

// Needs no server: nothing listens on port 1, and a malformed URI never leaves libpq.
TEST(PostgresqlConnect, ABadUriIsAnIoError) {
  for (const char* uri : {"postgresql://hallmark@127.0.0.1:1/postgres", "postgresql://[::1",
                          "postgresql://127.0.0.1/x?no_such_option=1"}) {
    auto connection = detail::open_postgresql(uri);
    ASSERT_FALSE(connection) << uri;
    EXPECT_EQ(connection.error().code, core::Errc::io) << uri;
    EXPECT_THAT(connection.error().message, StartsWith("PostgreSQL: ")) << uri;
    EXPECT_GT(connection.error().message.size(), 14u) << uri;
    EXPECT_EQ(connection.error().message.find('\n'), std::string::npos)
        << connection.error().message;
  }
  auto store = Store::open("postgres://hallmark@127.0.0.1:1/postgres");
  ASSERT_FALSE(store);
  EXPECT_EQ(store.error().code, core::Errc::io);
  EXPECT_THAT(store.error().message, StartsWith("PostgreSQL: "));
}

// ---- the store ----

constexpr std::int64_t kDayOne = 1700006400;  // 2023-11-15T00:00:00Z
constexpr std::int64_t kDay = 86400;

// One <record>: (source IP, count, aligned DKIM, aligned SPF, disposition).
using RecordSpec = std::tuple<std::string, int, std::string, std::string, std::string>;

AggregateReport parsed_aggregate(std::string_view org, std::string_view id, std::string_view domain,
                                 std::int64_t begin, const std::vector<RecordSpec>& rows) {
  std::string xml = fmt::format(
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<feedback><version>1.0</version>"
      "<report_metadata><org_name>{}</org_name><email>dmarc@{}</email><report_id>{}</report_id>"
      "<date_range><begin>{}</begin><end>{}</end></date_range></report_metadata>"
      "<policy_published><domain>{}</domain><adkim>r</adkim><aspf>r</aspf><p>reject</p>"
      "<pct>100</pct></policy_published>",
      org, org, id, begin, begin + kDay - 1, domain);
  for (const auto& [ip, count, dkim, spf, disposition] : rows)
    xml += fmt::format(
        "<record><row><source_ip>{0}</source_ip><count>{1}</count><policy_evaluated>"
        "<disposition>{2}</disposition><dkim>{3}</dkim><spf>{4}</spf></policy_evaluated></row>"
        "<identifiers><header_from>{5}</header_from></identifiers><auth_results><dkim>"
        "<domain>{5}</domain><selector>s1</selector><result>{3}</result></dkim><spf>"
        "<domain>{5}</domain><scope>mfrom</scope><result>{4}</result></spf></auth_results>"
        "</record>",
        ip, count, disposition, dkim, spf, domain);
  xml += "</feedback>\n";
  auto report = parse_aggregate_xml(xml);
  EXPECT_TRUE(report) << report.error().message << "\n" << xml;
  return report ? std::move(*report) : AggregateReport{};
}

using PostgresqlStore = PostgresqlTest;

TEST_F(PostgresqlStore, SavingTwiceStoresOnce) {
  auto store = Store::open(uri_);
  ASSERT_TRUE(store) << store.error().message;
  Report report = parsed_aggregate("Receiver", "r-1", "example.com", kDayOne,
                                   {{"192.0.2.1", 5, "pass", "pass", "none"}});
  auto first = (*store)->save(report);
  ASSERT_TRUE(first) << first.error().message;
  EXPECT_EQ(*first, Store::Saved::added);
  EXPECT_EQ((*store)->save(report).value(), Store::Saved::already_stored);
  EXPECT_EQ((*store)->count_reports("dmarc-aggregate").value(), 1u);
  EXPECT_EQ((*store)->count_reports("tls").value(), 0u);
  // Another process, as it were: the schema is there and migrates no further.
  auto again = Store::open(uri_);
  ASSERT_TRUE(again) << again.error().message;
  EXPECT_EQ((*again)->save(report).value(), Store::Saved::already_stored);
  EXPECT_EQ((*again)->daily_figures(0, "").value().at(0).messages, 5u);
}

TEST_F(PostgresqlStore, FiguresOfParsedAggregateReports) {
  auto store = Store::open(uri_);
  ASSERT_TRUE(store) << store.error().message;
  SourceEnricher enrich = [](std::string_view ip) -> std::optional<SourceInfo> {
    if (ip == "198.51.100.9") return SourceInfo{"NL", 64500, "Bulk Sender BV"};
    return std::nullopt;
  };
  std::vector<AggregateReport> reports = {
      parsed_aggregate("Receiver", "a", "example.com", kDayOne,
                       {{"192.0.2.1", 10, "pass", "pass", "none"},
                        {"192.0.2.2", 4, "fail", "pass", "none"},
                        {"198.51.100.9", 3, "fail", "fail", "reject"}}),
      parsed_aggregate("Other", "b", "example.com", kDayOne + 3600,
                       {{"198.51.100.9", 2, "fail", "fail", "quarantine"},
                        {"203.0.113.7", 1, "fail", "fail", "none"}}),
      parsed_aggregate("Receiver", "c", "example.com", kDayOne + kDay,
                       {{"192.0.2.1", 7, "pass", "fail", "none"}}),
      parsed_aggregate("Receiver", "d", "example.org", kDayOne,
                       {{"203.0.113.5", 6, "fail", "fail", "none"}})};
  for (const AggregateReport& report : reports) {
    auto saved = (*store)->save(report, enrich);
    ASSERT_TRUE(saved) << saved.error().message;
    EXPECT_EQ(*saved, Store::Saved::added);
  }
  EXPECT_EQ((*store)->count_reports("dmarc-aggregate").value(), 4u);

  auto figures = (*store)->daily_figures(kDayOne, "example.com");
  ASSERT_TRUE(figures) << figures.error().message;
  ASSERT_EQ(figures->size(), 2u);
  const DailyFigures& first = (*figures)[0];
  EXPECT_EQ(first.domain, "example.com");
  EXPECT_EQ(first.day, kDayOne);
  EXPECT_EQ(first.messages, 20u);
  EXPECT_EQ(first.dkim_aligned, 10u);
  EXPECT_EQ(first.spf_aligned, 14u);
  EXPECT_EQ(first.dmarc_pass, 14u);
  EXPECT_EQ(first.quarantined, 2u);
  EXPECT_EQ(first.rejected, 3u);
  EXPECT_EQ((*figures)[1].day, kDayOne + kDay);
  EXPECT_EQ((*figures)[1].messages, 7u);
  EXPECT_EQ((*figures)[1].dmarc_pass, 7u);
  auto all = (*store)->daily_figures(0, "");
  ASSERT_TRUE(all) << all.error().message;
  ASSERT_EQ(all->size(), 3u);
  EXPECT_EQ((*all)[2].domain, "example.org");
  EXPECT_EQ((*all)[2].messages, 6u);
  EXPECT_EQ((*store)->daily_figures(kDayOne + kDay, "").value().size(), 1u);

  auto sources = (*store)->failing_sources(0, "", 10);
  ASSERT_TRUE(sources) << sources.error().message;
  ASSERT_EQ(sources->size(), 3u);
  EXPECT_EQ((*sources)[0].domain, "example.com");
  EXPECT_EQ((*sources)[0].source_ip, "198.51.100.9");
  EXPECT_EQ((*sources)[0].messages, 5u);
  EXPECT_EQ((*sources)[0].dmarc_fail, 5u);
  EXPECT_EQ((*sources)[0].info.country, "NL");
  EXPECT_EQ((*sources)[0].info.asn, 64500u);
  EXPECT_EQ((*sources)[0].info.as_organization, "Bulk Sender BV");
  EXPECT_EQ((*sources)[1].source_ip, "203.0.113.7");
  EXPECT_EQ((*sources)[1].dmarc_fail, 1u);
  EXPECT_FALSE((*sources)[1].info.asn);
  EXPECT_EQ((*sources)[2].domain, "example.org");
  EXPECT_EQ((*sources)[2].dmarc_fail, 6u);
  auto worst = (*store)->failing_sources(0, "example.com", 1);
  ASSERT_TRUE(worst) << worst.error().message;
  ASSERT_EQ(worst->size(), 1u);
  EXPECT_EQ((*worst)[0].source_ip, "198.51.100.9");

  auto dispositions = (*store)->dispositions(0, "example.com");
  ASSERT_TRUE(dispositions) << dispositions.error().message;
  ASSERT_EQ(dispositions->size(), 3u);
  EXPECT_EQ((*dispositions)[0].disposition, "none");
  EXPECT_EQ((*dispositions)[0].messages, 22u);
}

TEST_F(PostgresqlStore, TlsAndFailureReportsAreStored) {
  auto store = Store::open(uri_);
  ASSERT_TRUE(store) << store.error().message;
  auto tls = parse_tls_report(R"({
    "organization-name": "Sender Inc.",
    "date-range": {"start-datetime": "2023-11-15T00:00:00Z",
                   "end-datetime": "2023-11-15T23:59:59Z"},
    "contact-info": "tlsrpt@sender.example",
    "report-id": "2023-11-15T00:00:00Z_example.com",
    "policies": [{
      "policy": {"policy-type": "sts", "policy-string": ["version: STSv1", "mode: enforce"],
                 "policy-domain": "example.com", "mx-host": ["mx.example.com"]},
      "summary": {"total-successful-session-count": 120, "total-failure-session-count": 2},
      "failure-details": [{"result-type": "certificate-expired",
                           "sending-mta-ip": "192.0.2.9",
                           "receiving-mx-hostname": "mx.example.com",
                           "failed-session-count": 2}]
    }]
  })");
  ASSERT_TRUE(tls) << tls.error().message;
  auto fields = parse_feedback_fields(
      "Feedback-Type: auth-failure\r\nUser-Agent: Receiver/1.0\r\nVersion: 1\r\n"
      "Original-Mail-From: <bounce@example.com>\r\nArrival-Date: Wed, 15 Nov 2023 10:00:00 "
      "+0000\r\nSource-IP: 198.51.100.9\r\nReported-Domain: example.com\r\n"
      "Auth-Failure: dmarc\r\n");
  ASSERT_TRUE(fields) << fields.error().message;
  FailureReport failure;
  failure.feedback = *fields;
  failure.original_from = "Zoë <news@example.com>";
  failure.original_subject = "Größte Auswahl";
  failure.report_from = "dmarc@receiver.example";
  failure.report_message_id = "<f-1@receiver.example>";

  for (const Report& report : {Report(*tls), Report(failure)}) {
    auto saved = (*store)->save(report);
    ASSERT_TRUE(saved) << saved.error().message;
    EXPECT_EQ(*saved, Store::Saved::added);
    EXPECT_EQ((*store)->save(report).value(), Store::Saved::already_stored);
  }
  EXPECT_EQ((*store)->count_reports("tls").value(), 1u);
  EXPECT_EQ((*store)->count_reports("dmarc-failure").value(), 1u);
  EXPECT_EQ((*store)->count_reports("dmarc-aggregate").value(), 0u);

  auto sql = connect();
  ASSERT_TRUE(sql);
  EXPECT_EQ(rows_of(*sql, "SELECT successful_sessions, failed_sessions FROM tls_policies"),
            (std::vector<SqlRow>{{"120", "2"}}));
  EXPECT_EQ(rows_of(*sql,
                    "SELECT source_ip, arrival_time, original_subject "
                    "FROM failure_reports"),
            (std::vector<SqlRow>{{"198.51.100.9", "1700042400", "Größte Auswahl"}}));
}

TEST_F(PostgresqlStore, AThousandRowReportSavesInOneGo) {
  auto store = Store::open(uri_);
  ASSERT_TRUE(store) << store.error().message;
  std::vector<RecordSpec> rows;
  for (int i = 0; i < 1000; ++i)
    rows.emplace_back(fmt::format("10.{}.{}.1", i / 256, i % 256), 1 + i % 3,
                      i % 2 == 0 ? "pass" : "fail", "fail", "none");
  AggregateReport report = parsed_aggregate("Big", "big-1", "example.com", kDayOne, rows);
  ASSERT_EQ(report.records.size(), 1000u);
  auto saved = (*store)->save(report);
  ASSERT_TRUE(saved) << saved.error().message;
  auto figures = (*store)->daily_figures(0, "example.com");
  ASSERT_TRUE(figures) << figures.error().message;
  ASSERT_EQ(figures->size(), 1u);
  EXPECT_EQ((*figures)[0].messages, report.message_count);
  auto sql = connect();
  ASSERT_TRUE(sql);
  EXPECT_EQ(count_of(*sql, "aggregate_rows"), "1000");
}

TEST_F(PostgresqlStore, ASchemaFromTheFutureIsRefused) {
  ASSERT_TRUE(Store::open(uri_));
  auto sql = connect();
  ASSERT_TRUE(sql);
  EXPECT_EQ(count_of(*sql, "hallmark_schema"), "1");
  ASSERT_TRUE(sql->execute("UPDATE hallmark_schema SET version = 99"));
  auto store = Store::open(uri_);
  ASSERT_FALSE(store);
  EXPECT_EQ(store.error().code, core::Errc::unsupported);
  EXPECT_THAT(store.error().message, HasSubstr("version 99"));
}

TEST_F(PostgresqlStore, SeveralProcessesOpeningANewDatabaseAllSucceed) {
  // Connections opening an empty database at once, as hallmark processes started together
  // would (a cron job and a milter, say): one creates the schema, the others wait and use it.
  // A race, so a few rounds on fresh databases.
  for (int round = 0; round < 3; ++round) {
    std::string uri = round == 0 ? uri_ : (*shared_server())->create_database().value_or("");
    std::vector<core::Expected<std::unique_ptr<Store>>> opened;
    for (int i = 0; i < 4; ++i) opened.emplace_back(core::fail(core::Errc::io, "not run"));
    std::vector<std::thread> threads;
    for (auto& store : opened) threads.emplace_back([&store, &uri] { store = Store::open(uri); });
    for (std::thread& thread : threads) thread.join();
    for (const auto& store : opened) EXPECT_TRUE(store) << store.error().message;
    auto sql = detail::open_postgresql(uri);
    ASSERT_TRUE(sql) << sql.error().message;
    EXPECT_EQ(rows_of(**sql, "SELECT version FROM hallmark_schema"), (std::vector<SqlRow>{{"1"}}));
  }
}

}  // namespace
}  // namespace hallmark::report
