// SPDX-License-Identifier: Apache-2.0
// The report store's SQL layer over PostgreSQL (libpq): one connection, statements prepared
// once per text and reused, parameters and results in text format.
#include <libpq-fe.h>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <variant>
#include <vector>

#include "core/internal/utf8.hpp"
#include "report/internal/sql.hpp"

namespace hallmark::report::detail {
namespace {

// PostgreSQL's wire protocol counts parameters in 16 bits.
constexpr std::size_t kMaxParameters = 65535;
// The store has a fixed set of statements; a caller building SQL text on the fly must not make
// the server keep one prepared statement per call.
constexpr std::size_t kMaxPrepared = 256;

struct ConnectionDeleter {
  void operator()(PGconn* connection) const noexcept { PQfinish(connection); }
};
using ConnectionPtr = std::unique_ptr<PGconn, ConnectionDeleter>;

struct ResultDeleter {
  void operator()(PGresult* result) const noexcept { PQclear(result); }
};
using ResultPtr = std::unique_ptr<PGresult, ResultDeleter>;

void ignore_notice(void*, const char*) {}

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

std::string_view trim(std::string_view text) {
  while (!text.empty() && is_space(text.front())) text.remove_prefix(1);
  while (!text.empty() && is_space(text.back())) text.remove_suffix(1);
  return text;
}

// libpq's messages span lines ("ERROR:  ...\nDETAIL:  ...\nLINE 1: ...\n        ^"): one
// line reads better in an Error, and the caret line means nothing without a fixed-width font.
std::string one_line(std::string_view message) {
  std::string out;
  while (!message.empty()) {
    std::size_t end = message.find('\n');
    std::string_view line = trim(message.substr(0, end));
    message = end == std::string_view::npos ? std::string_view() : message.substr(end + 1);
    if (line.find_first_not_of("^ \t") == std::string_view::npos) continue;
    if (!out.empty()) out += "; ";
    // libpq pads after the severity or label: "ERROR:  relation ...", "DETAIL:  Key ...".
    if (std::size_t colon = line.find(':');
        colon != std::string_view::npos && line.substr(colon, 3) == ":  ") {
      out += line.substr(0, colon + 1);
      line.remove_prefix(colon + 2);
    }
    out += line;
  }
  return out;
}

std::unexpected<core::Error> connection_error(PGconn* connection, std::string_view doing) {
  std::string message = one_line(PQerrorMessage(connection));
  if (message.empty()) message = "no message from libpq";
  return core::fail(core::Errc::io, "PostgreSQL: " + std::string(doing) + message);
}

// The server's message with its SQLSTATE, so a log says which class of error it was
// (23505 is a unique violation, 22021 a byte sequence invalid in the encoding).
std::string result_error(const PGresult* result) {
  std::string message = one_line(PQresultErrorMessage(result));
  if (message.empty()) message = PQresStatus(PQresultStatus(result));
  const char* state = PQresultErrorField(result, PG_DIAG_SQLSTATE);
  if (state != nullptr && *state != '\0') message += " (SQLSTATE " + std::string(state) + ")";
  return "PostgreSQL: " + message;
}

bool succeeded(const PGresult* result) {
  if (result == nullptr) return false;
  ExecStatusType status = PQresultStatus(result);
  return status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK || status == PGRES_EMPTY_QUERY;
}

// The server would reject invalid UTF-8 with 22021 and abort the transaction; checked here,
// the error names the parameter.
bool valid_utf8(std::string_view text) {
  return core::detail::find_invalid_utf8(text) == std::string_view::npos;
}

// Statements that only steer transactions; anything else run through execute() may be DDL,
// after which prepared statements could read a table whose columns have changed.
bool is_transaction_control(std::string_view sql) {
  sql = trim(sql);
  while (!sql.empty() && (sql.back() == ';' || is_space(sql.back()))) sql.remove_suffix(1);
  if (sql.find(';') != std::string_view::npos) return false;  // several statements
  std::string word;
  for (char c : sql.substr(0, sql.find_first_of(" \t\r\n")))
    word += static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
  return word == "begin" || word == "commit" || word == "rollback" || word == "start" ||
         word == "end" || word == "savepoint" || word == "release";
}

class PostgresqlConnection final : public SqlConnection {
 public:
  explicit PostgresqlConnection(ConnectionPtr connection) noexcept
      : connection_(std::move(connection)) {}

  std::string_view dialect() const noexcept override { return "postgresql"; }

  core::Expected<void> execute(std::string_view sql) override {
    ResultPtr result(PQexec(connection_.get(), std::string(sql).c_str()));
    if (result == nullptr) return connection_error(connection_.get(), "");
    if (!succeeded(result.get())) return core::fail(core::Errc::io, result_error(result.get()));
    if (!prepared_.empty() && !is_transaction_control(sql)) return forget_prepared();
    return {};
  }

  core::Expected<std::vector<SqlRow>> query(std::string_view sql,
                                            std::span<const SqlValue> parameters) override {
    if (parameters.size() > kMaxParameters)
      return core::fail(core::Errc::too_many, "PostgreSQL: more than 65535 parameters");
    std::vector<std::string> numbers;  // decimal text of the integers, kept alive for the call
    numbers.reserve(parameters.size());
    std::vector<const char*> values;
    values.reserve(parameters.size());
    for (std::size_t i = 0; i < parameters.size(); ++i) {
      const SqlValue& parameter = parameters[i];
      if (const auto* number = std::get_if<std::int64_t>(&parameter)) {
        numbers.push_back(std::to_string(*number));
        values.push_back(numbers.back().c_str());
      } else if (const auto* text = std::get_if<std::string>(&parameter)) {
        std::string name = "PostgreSQL: parameter $" + std::to_string(i + 1);
        // Text parameters travel as C strings: a NUL would cut the value short, silently.
        if (text->find('\0') != std::string::npos)
          return core::fail(core::Errc::bad_encoding, name + " contains a NUL byte");
        if (!valid_utf8(*text))
          return core::fail(core::Errc::bad_encoding, name + " is not valid UTF-8");
        values.push_back(text->c_str());
      } else {
        values.push_back(nullptr);  // NULL
      }
    }

    auto count = static_cast<int>(values.size());
    core::Expected<const char*> prepared = prepare(sql);
    if (!prepared) return std::unexpected(std::move(prepared.error()));
    const char* statement = *prepared;
    ResultPtr result(statement != nullptr
                         ? PQexecPrepared(connection_.get(), statement, count, values.data(),
                                          nullptr, nullptr, 0)
                         : PQexecParams(connection_.get(), std::string(sql).c_str(), count, nullptr,
                                        values.data(), nullptr, nullptr, 0));
    if (result == nullptr) return connection_error(connection_.get(), "");
    if (!succeeded(result.get())) return core::fail(core::Errc::io, result_error(result.get()));
    return rows_of(result.get());
  }

 private:
  // The name of the statement prepared for `sql`, preparing it on first use; null over the cap
  // (the statement then runs unprepared). A statement the server refuses is an error here:
  // inside a transaction the refusal has aborted it, so running the text again could only
  // report "current transaction is aborted" instead of the reason.
  core::Expected<const char*> prepare(std::string_view sql) {
    std::string text(sql);
    if (auto found = prepared_.find(text); found != prepared_.end()) return found->second.c_str();
    if (prepared_.size() >= kMaxPrepared) return nullptr;
    std::string name = "hallmark_" + std::to_string(++statements_);
    ResultPtr result(PQprepare(connection_.get(), name.c_str(), text.c_str(), 0, nullptr));
    if (result == nullptr) return connection_error(connection_.get(), "");
    if (!succeeded(result.get())) return core::fail(core::Errc::io, result_error(result.get()));
    return prepared_.emplace(std::move(text), std::move(name)).first->second.c_str();
  }

  core::Expected<void> forget_prepared() {
    prepared_.clear();
    ResultPtr result(PQexec(connection_.get(), "DEALLOCATE ALL"));
    if (result == nullptr) return connection_error(connection_.get(), "");
    if (!succeeded(result.get())) return core::fail(core::Errc::io, result_error(result.get()));
    return {};
  }

  static std::vector<SqlRow> rows_of(const PGresult* result) {
    int row_count = PQntuples(result);
    int column_count = PQnfields(result);
    std::vector<SqlRow> rows;
    rows.reserve(static_cast<std::size_t>(row_count));
    for (int r = 0; r < row_count; ++r) {
      SqlRow& row = rows.emplace_back();
      row.reserve(static_cast<std::size_t>(column_count));
      for (int c = 0; c < column_count; ++c) {
        if (PQgetisnull(result, r, c)) {
          row.emplace_back(std::nullopt);
        } else {
          row.emplace_back(std::in_place, PQgetvalue(result, r, c),
                           static_cast<std::size_t>(PQgetlength(result, r, c)));
        }
      }
    }
    return rows;
  }

  ConnectionPtr connection_;
  std::unordered_map<std::string, std::string> prepared_;  // SQL text -> statement name
  std::uint64_t statements_ = 0;
};

}  // namespace

core::Expected<std::unique_ptr<SqlConnection>> open_postgresql(const std::string& uri) {
  ConnectionPtr connection(PQconnectdb(uri.c_str()));
  if (connection == nullptr)
    return core::fail(core::Errc::io, "PostgreSQL: out of memory connecting");
  if (PQstatus(connection.get()) != CONNECTION_OK) {
    return connection_error(connection.get(), "");
  }
  // CREATE TABLE IF NOT EXISTS and friends send notices, which libpq prints to stderr.
  PQsetNoticeProcessor(connection.get(), ignore_notice, nullptr);
  // The store hands over and expects UTF-8 whatever the client's locale says.
  if (PQsetClientEncoding(connection.get(), "UTF8") != 0) {
    return connection_error(connection.get(), "setting client encoding UTF8: ");
  }
  return std::make_unique<PostgresqlConnection>(std::move(connection));
}

}  // namespace hallmark::report::detail
