// SPDX-License-Identifier: Apache-2.0
// Where reports are kept once parsed: SQLite by default (one file, created with its schema on
// first use, WAL mode) or PostgreSQL ("postgresql://..."), with the same schema and versioned
// migrations. Storing is idempotent by report identity, one transaction per report, so a
// crash half-way loses nothing and duplicates nothing; and the store answers the questions
// the trend page asks.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "hallmark/core/error.hpp"
#include "hallmark/export.hpp"
#include "hallmark/report/parse.hpp"

namespace hallmark::report {

/// What is known of a source IP beyond the report (from a MaxMind-format database).
struct SourceInfo {
  std::string country;  // ISO 3166-1 alpha-2
  std::optional<std::uint32_t> asn;
  std::string as_organization;
};

/// Looks up a source IP; nothing when it knows nothing.
using SourceEnricher = std::function<std::optional<SourceInfo>(std::string_view ip)>;

/// One day's aggregate figures for a policy domain (UTC days; a report's rows count on the
/// day its date range begins).
struct DailyFigures {
  std::string domain;
  std::int64_t day = 0;  // seconds since the epoch at 00:00 UTC
  std::uint64_t messages = 0;
  std::uint64_t spf_aligned = 0;
  std::uint64_t dkim_aligned = 0;
  std::uint64_t dmarc_pass = 0;  // either aligned
  std::uint64_t quarantined = 0;
  std::uint64_t rejected = 0;
};

/// A source failing DMARC over a period, worst first.
struct FailingSource {
  std::string domain;
  std::string source_ip;
  std::uint64_t messages = 0;
  std::uint64_t dmarc_fail = 0;
  SourceInfo info;
};

class HALLMARK_API Store {
 public:
  enum class Saved { added, already_stored };

  /// Opens (creating or migrating as needed) the store at `location`: a file path for SQLite,
  /// or a "postgresql://" or "postgres://" URI. Errors: Errc::io naming the database's own
  /// message when it cannot be opened, Errc::unsupported for a schema newer than this build.
  static core::Expected<std::unique_ptr<Store>> open(const std::string& location);

  virtual ~Store();

  /// Stores `report` with its rows in one transaction, unless a report with the same identity
  /// is already stored. `enrich`, when given, adds country and ASN to aggregate rows.
  virtual core::Expected<Saved> save(const Report& report,
                                     const SourceEnricher& enrich = nullptr) = 0;

  /// How many reports of each kind are stored, for `kind` as to_string(ReportKind) names it.
  virtual core::Expected<std::uint64_t> count_reports(std::string_view kind) = 0;

  /// Daily figures from `since` (seconds since the epoch) on, for one policy domain or all
  /// (empty `domain`), ordered by domain and day.
  virtual core::Expected<std::vector<DailyFigures>> daily_figures(std::int64_t since,
                                                                  std::string_view domain) = 0;

  /// The sources with the most messages failing DMARC from `since` on, per domain, at most
  /// `limit` per domain, worst first.
  virtual core::Expected<std::vector<FailingSource>> failing_sources(std::int64_t since,
                                                                     std::string_view domain,
                                                                     std::size_t limit) = 0;

  /// The dispositions applied from `since` on, per domain: (domain, disposition, messages).
  struct DispositionCount {
    std::string domain;
    std::string disposition;
    std::uint64_t messages = 0;
  };
  virtual core::Expected<std::vector<DispositionCount>> dispositions(std::int64_t since,
                                                                     std::string_view domain) = 0;
};

}  // namespace hallmark::report
