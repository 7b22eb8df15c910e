// SPDX-License-Identifier: Apache-2.0
// The report store over SqlConnection: one schema for SQLite and PostgreSQL, migrations
// numbered and applied under a lock so two processes opening a new database do not race, and
// each report saved in one transaction keyed by its identity.
#include "hallmark/report/store.hpp"

#include <array>
#include <charconv>
#include <ctime>
#include <fmt/format.h>
#include <map>

#include "core/internal/utf8.hpp"
#include "json/report_json.hpp"
#include "report/internal/sql.hpp"

namespace hallmark::report {
namespace {

using detail::SqlConnection;
using detail::SqlRow;
using detail::SqlValue;

// Each entry moves the schema one version up. `{id}` is the dialect's auto-numbered key.
constexpr std::string_view migrations[] = {
    R"(CREATE TABLE reports (
  id {id},
  identity TEXT NOT NULL UNIQUE,
  kind TEXT NOT NULL,
  org_name TEXT,
  report_id TEXT,
  date_begin BIGINT,
  date_end BIGINT,
  policy_domain TEXT,
  stored_at BIGINT NOT NULL,
  document TEXT NOT NULL);
CREATE INDEX reports_by_domain ON reports (kind, policy_domain, date_begin);
CREATE TABLE aggregate_rows (
  report BIGINT NOT NULL REFERENCES reports (id) ON DELETE CASCADE,
  position INTEGER NOT NULL,
  source_ip TEXT NOT NULL,
  message_count BIGINT NOT NULL,
  disposition TEXT,
  dkim_aligned TEXT,
  spf_aligned TEXT,
  header_from TEXT,
  envelope_from TEXT,
  envelope_to TEXT,
  dkim_domains TEXT,
  dkim_results TEXT,
  spf_domains TEXT,
  spf_results TEXT,
  override_reasons TEXT,
  country TEXT,
  asn BIGINT,
  as_organization TEXT,
  PRIMARY KEY (report, position));
CREATE TABLE tls_policies (
  report BIGINT NOT NULL REFERENCES reports (id) ON DELETE CASCADE,
  position INTEGER NOT NULL,
  policy_type TEXT,
  policy_domain TEXT,
  mx_hosts TEXT,
  successful_sessions BIGINT NOT NULL,
  failed_sessions BIGINT NOT NULL,
  failure_result_types TEXT,
  PRIMARY KEY (report, position));
CREATE TABLE failure_reports (
  report BIGINT PRIMARY KEY REFERENCES reports (id) ON DELETE CASCADE,
  source_ip TEXT,
  reported_domain TEXT,
  arrival_time BIGINT,
  auth_failure TEXT,
  original_from TEXT,
  original_subject TEXT))",
};
constexpr std::int64_t schema_version = std::size(migrations);

// Text from reports as the database stores it: always UTF-8 (failure reports carry raw header
// bytes, which PostgreSQL would refuse), and absent when empty.
std::string utf8(const std::string& value) {
  if (core::detail::find_invalid_utf8(value) == std::string_view::npos) return value;
  return core::detail::replace_invalid_utf8(value);
}

SqlValue text(const std::string& value) {
  return value.empty() ? SqlValue{} : SqlValue{utf8(value)};
}

SqlValue number(std::uint64_t value) {
  // The schema's BIGINT is signed; counts past 2^63 do not occur in real reports and are
  // clamped rather than wrapped.
  return static_cast<std::int64_t>(std::min<std::uint64_t>(value, INT64_MAX));
}

template <class Range, class Field>
std::string joined(const Range& range, Field field) {
  std::string out;
  for (const auto& item : range) {
    if (!out.empty()) out += ',';
    out += field(item);
  }
  return out;
}

std::uint64_t unsigned_of(const std::optional<std::string>& value) {
  std::uint64_t out = 0;
  if (value) std::from_chars(value->data(), value->data() + value->size(), out);
  return out;
}

std::int64_t signed_of(const std::optional<std::string>& value) {
  std::int64_t out = 0;
  if (value) std::from_chars(value->data(), value->data() + value->size(), out);
  return out;
}

class SqlStore final : public Store {
 public:
  explicit SqlStore(std::unique_ptr<SqlConnection> connection)
      : sql_(std::move(connection)), sqlite_(sql_->dialect() == "sqlite") {}

  core::Expected<void> migrate() {
    return in_transaction([&]() -> core::Expected<void> {
      // Processes opening a new database at once queue here: SQLite's BEGIN IMMEDIATE already
      // holds the write lock; PostgreSQL takes a transaction-scoped advisory lock before even
      // creating the version table (concurrent CREATE TABLE IF NOT EXISTS can collide there).
      if (!sqlite_)
        if (auto locked = sql_->execute("SELECT pg_advisory_xact_lock(7306245310)"); !locked)
          return locked;
      if (auto made = sql_->execute("CREATE TABLE IF NOT EXISTS hallmark_schema "
                                    "(version INTEGER NOT NULL)");
          !made)
        return made;
      auto rows = sql_->query("SELECT version FROM hallmark_schema");
      if (!rows) return std::unexpected(rows.error());
      std::int64_t version = rows->empty() ? 0 : signed_of(rows->front().front());
      if (version > schema_version)
        return core::fail(core::Errc::unsupported,
                          fmt::format("the store's schema is version {}; this hallmark knows up "
                                      "to {}",
                                      version, schema_version));
      for (std::int64_t next = version; next < schema_version; ++next) {
        std::string ddl(migrations[next]);
        for (auto at = ddl.find("{id}"); at != std::string::npos; at = ddl.find("{id}"))
          ddl.replace(at, 4, sqlite_ ? "INTEGER PRIMARY KEY" : "BIGSERIAL PRIMARY KEY");
        if (auto applied = sql_->execute(ddl); !applied) return applied;
      }
      if (version == schema_version) return {};
      auto updated = rows->empty()
                         ? sql_->query("INSERT INTO hallmark_schema (version) VALUES ($1)",
                                       std::array<SqlValue, 1>{schema_version})
                         : sql_->query("UPDATE hallmark_schema SET version = $1",
                                       std::array<SqlValue, 1>{schema_version});
      if (!updated) return std::unexpected(updated.error());
      return {};
    });
  }

  core::Expected<Saved> save(const Report& report, const SourceEnricher& enrich) override {
    Saved saved = Saved::added;
    auto done = in_transaction([&]() -> core::Expected<void> {
      auto id = insert_report(report);
      if (!id) return std::unexpected(id.error());
      if (!*id) {
        saved = Saved::already_stored;
        return {};
      }
      if (const auto* aggregate = std::get_if<AggregateReport>(&report))
        return insert_rows(**id, *aggregate, enrich);
      if (const auto* tls = std::get_if<TlsReport>(&report)) return insert_policies(**id, *tls);
      return insert_failure(**id, std::get<FailureReport>(report));
    });
    if (!done) return std::unexpected(done.error());
    return saved;
  }

  core::Expected<std::uint64_t> count_reports(std::string_view kind) override {
    auto rows = sql_->query("SELECT COUNT(*) FROM reports WHERE kind = $1",
                            std::array<SqlValue, 1>{std::string(kind)});
    if (!rows) return std::unexpected(rows.error());
    return unsigned_of(rows->at(0).at(0));
  }

  core::Expected<std::vector<DailyFigures>> daily_figures(std::int64_t since,
                                                          std::string_view domain) override {
    auto rows = sql_->query(
        "SELECT r.policy_domain, (r.date_begin / 86400) * 86400 AS day, SUM(a.message_count), "
        "SUM(CASE WHEN a.spf_aligned = 'pass' THEN a.message_count ELSE 0 END), "
        "SUM(CASE WHEN a.dkim_aligned = 'pass' THEN a.message_count ELSE 0 END), "
        "SUM(CASE WHEN a.spf_aligned = 'pass' OR a.dkim_aligned = 'pass' "
        "THEN a.message_count ELSE 0 END), "
        "SUM(CASE WHEN a.disposition = 'quarantine' THEN a.message_count ELSE 0 END), "
        "SUM(CASE WHEN a.disposition = 'reject' THEN a.message_count ELSE 0 END) "
        "FROM reports r JOIN aggregate_rows a ON a.report = r.id "
        "WHERE r.kind = 'dmarc-aggregate' AND r.date_begin >= $1 "
        "AND ($2 = '' OR r.policy_domain = $2) "
        "GROUP BY r.policy_domain, (r.date_begin / 86400) * 86400 ORDER BY 1, 2",
        std::array<SqlValue, 2>{since, std::string(domain)});
    if (!rows) return std::unexpected(rows.error());
    std::vector<DailyFigures> figures;
    for (const SqlRow& row : *rows)
      figures.push_back({row[0].value_or(""), signed_of(row[1]), unsigned_of(row[2]),
                         unsigned_of(row[3]), unsigned_of(row[4]), unsigned_of(row[5]),
                         unsigned_of(row[6]), unsigned_of(row[7])});
    return figures;
  }

  core::Expected<std::vector<FailingSource>> failing_sources(std::int64_t since,
                                                             std::string_view domain,
                                                             std::size_t limit) override {
    auto rows = sql_->query(
        "SELECT r.policy_domain, a.source_ip, SUM(a.message_count), "
        "SUM(CASE WHEN a.spf_aligned = 'pass' OR a.dkim_aligned = 'pass' "
        "THEN 0 ELSE a.message_count END) AS failing, "
        "MAX(a.country), MAX(a.asn), MAX(a.as_organization) "
        "FROM reports r JOIN aggregate_rows a ON a.report = r.id "
        "WHERE r.kind = 'dmarc-aggregate' AND r.date_begin >= $1 "
        "AND ($2 = '' OR r.policy_domain = $2) "
        "GROUP BY r.policy_domain, a.source_ip "
        "HAVING SUM(CASE WHEN a.spf_aligned = 'pass' OR a.dkim_aligned = 'pass' "
        "THEN 0 ELSE a.message_count END) > 0 "
        "ORDER BY 1, 4 DESC, 2",
        std::array<SqlValue, 2>{since, std::string(domain)});
    if (!rows) return std::unexpected(rows.error());
    std::vector<FailingSource> sources;
    std::map<std::string, std::size_t> per_domain;
    for (const SqlRow& row : *rows) {
      std::string row_domain = row[0].value_or("");
      if (per_domain[row_domain]++ >= limit) continue;
      FailingSource source{
          row_domain, row[1].value_or(""), unsigned_of(row[2]), unsigned_of(row[3]), {}};
      source.info.country = row[4].value_or("");
      if (row[5]) source.info.asn = static_cast<std::uint32_t>(unsigned_of(row[5]));
      source.info.as_organization = row[6].value_or("");
      sources.push_back(std::move(source));
    }
    return sources;
  }

  core::Expected<std::vector<DispositionCount>> dispositions(std::int64_t since,
                                                             std::string_view domain) override {
    auto rows = sql_->query(
        "SELECT r.policy_domain, a.disposition, SUM(a.message_count) "
        "FROM reports r JOIN aggregate_rows a ON a.report = r.id "
        "WHERE r.kind = 'dmarc-aggregate' AND r.date_begin >= $1 "
        "AND ($2 = '' OR r.policy_domain = $2) "
        "GROUP BY r.policy_domain, a.disposition ORDER BY 1, 3 DESC",
        std::array<SqlValue, 2>{since, std::string(domain)});
    if (!rows) return std::unexpected(rows.error());
    std::vector<DispositionCount> counts;
    for (const SqlRow& row : *rows)
      counts.push_back({row[0].value_or(""), row[1].value_or(""), unsigned_of(row[2])});
    return counts;
  }

 private:
  template <class Work>
  core::Expected<void> in_transaction(Work work) {
    // SQLite: take the write lock at once, so two writers never deadlock upgrading.
    if (auto began = sql_->execute(sqlite_ ? "BEGIN IMMEDIATE" : "BEGIN"); !began) return began;
    core::Expected<void> done;
    try {
      done = work();
    } catch (...) {
      // An enricher's exception must not leave the transaction open for the next save.
      (void)sql_->execute("ROLLBACK");
      throw;
    }
    if (!done) {
      (void)sql_->execute("ROLLBACK");
      return done;
    }
    if (auto committed = sql_->execute("COMMIT"); !committed) {
      (void)sql_->execute("ROLLBACK");
      return committed;
    }
    return {};
  }

  // The report's row id, or nothing when a report with its identity is already stored.
  core::Expected<std::optional<std::int64_t>> insert_report(const Report& report) {
    std::string org, report_id, domain;
    std::int64_t begin = 0, end = 0;
    if (const auto* aggregate = std::get_if<AggregateReport>(&report)) {
      org = aggregate->report_metadata.org_name;
      report_id = aggregate->report_metadata.report_id;
      begin = aggregate->report_metadata.date_range.begin;
      end = aggregate->report_metadata.date_range.end;
      domain = aggregate->policy_published.domain;
    } else if (const auto* tls = std::get_if<TlsReport>(&report)) {
      org = tls->organization_name;
      report_id = tls->report_id;
      begin = tls->start_datetime;
      end = tls->end_datetime;
      domain = tls->policies.empty() ? "" : tls->policies.front().policy_domain;
    } else {
      const auto& failure = std::get<FailureReport>(report);
      org = failure.feedback.reporting_mta.empty() ? failure.report_from
                                                   : failure.feedback.reporting_mta;
      report_id = failure.report_message_id;
      begin = end = failure.feedback.arrival_time.value_or(0);
      domain =
          failure.feedback.reported_domain.empty() ? "" : failure.feedback.reported_domain.front();
    }
    std::string document = json::to_json_text(report);
    auto rows = sql_->query(
        "INSERT INTO reports (identity, kind, org_name, report_id, date_begin, date_end, "
        "policy_domain, stored_at, document) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) "
        "ON CONFLICT (identity) DO NOTHING RETURNING id",
        std::array<SqlValue, 9>{identity_of(report), std::string(to_string(kind_of(report))),
                                text(org), text(report_id), begin, end, text(domain),
                                static_cast<std::int64_t>(std::time(nullptr)), document});
    if (!rows) return std::unexpected(rows.error());
    if (rows->empty()) return std::optional<std::int64_t>{};
    return std::optional<std::int64_t>{signed_of(rows->front().front())};
  }

  core::Expected<void> insert_rows(std::int64_t id, const AggregateReport& report,
                                   const SourceEnricher& enrich) {
    for (std::size_t i = 0; i < report.records.size(); ++i) {
      const Record& record = report.records[i];
      const PolicyEvaluated& evaluated = record.row.policy_evaluated;
      std::optional<SourceInfo> info = enrich ? enrich(record.row.source_ip) : std::nullopt;
      auto inserted = sql_->query(
          "INSERT INTO aggregate_rows (report, position, source_ip, message_count, disposition, "
          "dkim_aligned, spf_aligned, header_from, envelope_from, envelope_to, dkim_domains, "
          "dkim_results, spf_domains, spf_results, override_reasons, country, asn, "
          "as_organization) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, "
          "$14, $15, $16, $17, $18)",
          std::array<SqlValue, 18>{
              id, static_cast<std::int64_t>(i), utf8(record.row.source_ip),
              number(record.row.count), text(evaluated.disposition), text(evaluated.dkim),
              text(evaluated.spf), text(record.identifiers.header_from),
              text(record.identifiers.envelope_from), text(record.identifiers.envelope_to),
              text(joined(record.dkim, [](const auto& r) { return r.domain; })),
              text(joined(record.dkim, [](const auto& r) { return r.result; })),
              text(joined(record.spf, [](const auto& r) { return r.domain; })),
              text(joined(record.spf, [](const auto& r) { return r.result; })),
              text(joined(evaluated.reasons, [](const auto& r) { return r.type; })),
              info ? text(info->country) : SqlValue{},
              info && info->asn ? SqlValue{static_cast<std::int64_t>(*info->asn)} : SqlValue{},
              info ? text(info->as_organization) : SqlValue{}});
      if (!inserted) return std::unexpected(inserted.error());
    }
    return {};
  }

  core::Expected<void> insert_policies(std::int64_t id, const TlsReport& report) {
    for (std::size_t i = 0; i < report.policies.size(); ++i) {
      const TlsPolicyResult& policy = report.policies[i];
      auto inserted = sql_->query(
          "INSERT INTO tls_policies (report, position, policy_type, policy_domain, mx_hosts, "
          "successful_sessions, failed_sessions, failure_result_types) "
          "VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
          std::array<SqlValue, 8>{
              id, static_cast<std::int64_t>(i), text(policy.policy_type),
              text(policy.policy_domain),
              text(joined(policy.mx_host, [](const auto& host) { return host; })),
              number(policy.total_successful_session_count),
              number(policy.total_failure_session_count),
              text(joined(policy.failure_details, [](const auto& d) { return d.result_type; }))});
      if (!inserted) return std::unexpected(inserted.error());
    }
    return {};
  }

  core::Expected<void> insert_failure(std::int64_t id, const FailureReport& report) {
    const FeedbackFields& fields = report.feedback;
    auto inserted = sql_->query(
        "INSERT INTO failure_reports (report, source_ip, reported_domain, arrival_time, "
        "auth_failure, original_from, original_subject) VALUES ($1, $2, $3, $4, $5, $6, $7)",
        std::array<SqlValue, 7>{
            id, text(fields.source_ip),
            text(joined(fields.reported_domain, [](const auto& d) { return d; })),
            fields.arrival_time ? SqlValue{*fields.arrival_time} : SqlValue{},
            text(fields.auth_failure), text(report.original_from), text(report.original_subject)});
    if (!inserted) return std::unexpected(inserted.error());
    return {};
  }

  std::unique_ptr<SqlConnection> sql_;
  bool sqlite_;
};

}  // namespace

Store::~Store() = default;

core::Expected<std::unique_ptr<Store>> Store::open(const std::string& location) {
  bool postgresql = location.starts_with("postgresql://") || location.starts_with("postgres://");
  auto connection = postgresql ? detail::open_postgresql(location) : detail::open_sqlite(location);
  if (!connection) return std::unexpected(connection.error());
  auto store = std::make_unique<SqlStore>(std::move(*connection));
  if (auto migrated = store->migrate(); !migrated) return std::unexpected(migrated.error());
  return std::unique_ptr<Store>(std::move(store));
}

}  // namespace hallmark::report
