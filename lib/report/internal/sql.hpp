// SPDX-License-Identifier: Apache-2.0
// The little SQL the report store needs, over SQLite and PostgreSQL alike: statements with
// $1, $2, ... parameters (each used once, in order, so SQLite numbers them the same way), and
// rows read back as nullable text. Library-private.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "hallmark/core/error.hpp"

namespace hallmark::report::detail {

using SqlValue = std::variant<std::monostate, std::int64_t, std::string>;
using SqlRow = std::vector<std::optional<std::string>>;

class SqlConnection {
 public:
  virtual ~SqlConnection() = default;
  /// "sqlite" or "postgresql": the store's DDL differs in one place (the id column).
  virtual std::string_view dialect() const noexcept = 0;
  /// Runs one or more statements without parameters (DDL, BEGIN, COMMIT).
  virtual core::Expected<void> execute(std::string_view sql) = 0;
  /// Runs one statement with parameters and returns its rows, every column as text (NULL as
  /// nullopt). Connections may cache the prepared statement by its text.
  virtual core::Expected<std::vector<SqlRow>> query(std::string_view sql,
                                                    std::span<const SqlValue> parameters = {}) = 0;
};

/// Opens (creating) a SQLite database file in WAL mode with a busy timeout, so that several
/// processes may share it. Errors: Errc::io with SQLite's message.
core::Expected<std::unique_ptr<SqlConnection>> open_sqlite(const std::string& path);

/// Connects to PostgreSQL with a libpq connection URI. Errors: Errc::io with libpq's message.
core::Expected<std::unique_ptr<SqlConnection>> open_postgresql(const std::string& uri);

}  // namespace hallmark::report::detail
