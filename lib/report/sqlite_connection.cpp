// SPDX-License-Identifier: Apache-2.0
// SQLite behind SqlConnection: WAL mode and a busy timeout so several processes can share one
// file (a fetcher and a trend page, or two fetchers), and prepared statements kept by their
// text, since a report's rows are inserted through the same statement thousands of times.
#include <sqlite3.h>

#include <fmt/format.h>
#include <unordered_map>

#include "report/internal/sql.hpp"

namespace hallmark::report::detail {
namespace {

// How long a writer waits for another process's transaction before giving up.
constexpr int busy_timeout_ms = 30'000;

class SqliteConnection final : public SqlConnection {
 public:
  explicit SqliteConnection(sqlite3* db) : db_(db) {}
  ~SqliteConnection() override {
    for (auto& [sql, statement] : statements_) sqlite3_finalize(statement);
    sqlite3_close(db_);
  }
  SqliteConnection(const SqliteConnection&) = delete;
  SqliteConnection& operator=(const SqliteConnection&) = delete;

  std::string_view dialect() const noexcept override { return "sqlite"; }

  core::Expected<void> execute(std::string_view sql) override {
    char* message = nullptr;
    std::string text(sql);
    if (sqlite3_exec(db_, text.c_str(), nullptr, nullptr, &message) != SQLITE_OK) {
      std::string reason = message ? message : sqlite3_errmsg(db_);
      sqlite3_free(message);
      return core::fail(core::Errc::io, fmt::format("SQLite: {}", reason));
    }
    return {};
  }

  core::Expected<std::vector<SqlRow>> query(std::string_view sql,
                                            std::span<const SqlValue> parameters) override {
    auto prepared = statement(sql);
    if (!prepared) return std::unexpected(prepared.error());
    sqlite3_stmt* stmt = *prepared;
    sqlite3_reset(stmt);
    sqlite3_clear_bindings(stmt);
    for (std::size_t i = 0; i < parameters.size(); ++i) {
      int index = static_cast<int>(i + 1);
      int status = SQLITE_OK;
      if (const auto* number = std::get_if<std::int64_t>(&parameters[i]))
        status = sqlite3_bind_int64(stmt, index, *number);
      else if (const auto* text = std::get_if<std::string>(&parameters[i]))
        status = sqlite3_bind_text(stmt, index, text->data(), static_cast<int>(text->size()),
                                   SQLITE_STATIC);
      else
        status = sqlite3_bind_null(stmt, index);
      if (status != SQLITE_OK) return error();
    }
    std::vector<SqlRow> rows;
    for (;;) {
      int status = sqlite3_step(stmt);
      if (status == SQLITE_DONE) break;
      if (status != SQLITE_ROW) {
        auto failed = error();
        sqlite3_reset(stmt);
        return failed;
      }
      SqlRow row;
      int columns = sqlite3_column_count(stmt);
      for (int column = 0; column < columns; ++column) {
        if (sqlite3_column_type(stmt, column) == SQLITE_NULL) {
          row.emplace_back(std::nullopt);
          continue;
        }
        const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(stmt, column));
        row.emplace_back(
            std::string(text, static_cast<std::size_t>(sqlite3_column_bytes(stmt, column))));
      }
      rows.push_back(std::move(row));
    }
    // Bound text points into the caller's strings: let go of it now.
    sqlite3_reset(stmt);
    sqlite3_clear_bindings(stmt);
    return rows;
  }

 private:
  std::unexpected<core::Error> error() const {
    return core::fail(core::Errc::io, fmt::format("SQLite: {}", sqlite3_errmsg(db_)));
  }

  core::Expected<sqlite3_stmt*> statement(std::string_view sql) {
    std::string key(sql);
    if (auto found = statements_.find(key); found != statements_.end()) return found->second;
    sqlite3_stmt* stmt = nullptr;
    if (sqlite3_prepare_v2(db_, key.c_str(), static_cast<int>(key.size()), &stmt, nullptr) !=
        SQLITE_OK)
      return error();
    statements_.emplace(std::move(key), stmt);
    return stmt;
  }

  sqlite3* db_;
  std::unordered_map<std::string, sqlite3_stmt*> statements_;
};

}  // namespace

core::Expected<std::unique_ptr<SqlConnection>> open_sqlite(const std::string& path) {
  sqlite3* db = nullptr;
  int status = sqlite3_open_v2(
      path.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr);
  if (status != SQLITE_OK) {
    std::string reason = db ? sqlite3_errmsg(db) : sqlite3_errstr(status);
    sqlite3_close(db);
    return core::fail(core::Errc::io, fmt::format("SQLite: cannot open '{}': {}", path, reason));
  }
  sqlite3_busy_timeout(db, busy_timeout_ms);
  auto connection = std::make_unique<SqliteConnection>(db);
  // WAL lets readers (the trend page) work while a fetcher writes; NORMAL synchronous is
  // durable at every commit in WAL mode except across a power cut, which loses at most the
  // last transactions, never the database.
  if (auto set = connection->execute("PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; "
                                     "PRAGMA foreign_keys=ON;");
      !set)
    return std::unexpected(set.error());
  return connection;
}

}  // namespace hallmark::report::detail
