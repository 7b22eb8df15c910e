// SPDX-License-Identifier: Apache-2.0
// PostgresServer: a throwaway PostgreSQL 15 cluster on 127.0.0.1, made for one test process
// and removed with it, so the report store's PostgreSQL tests never need a shared server.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>

#include "hallmark/core/error.hpp"
#include "support/child_process.hpp"

namespace hallmark::test_support {

/// One postgres process with its own cluster in a fresh temporary directory: initdb with
/// trust authentication and superuser "hallmark", UTF8, fsync off; listening on 127.0.0.1 at a
/// free port and on a socket in that directory. PostgreSQL refuses to run as root, so when the
/// tests run as root (CI containers) initdb and postgres run as the user `nobody`, owning the
/// directory. initdb runs once per build tree: its pristine cluster is kept in the build
/// directory (tests/support/postgres-cluster_...) and later servers start from a copy.
///
/// postgres runs in the foreground as a child of the test process, in its own process group
/// and with a parent-death signal, so a test that crashes or is killed by a timeout does not
/// leave a server behind (a daemon started with `pg_ctl start` would outlive it).
class PostgresServer {
 public:
  /// Makes the cluster and starts the server, waiting until it accepts connections.
  /// Errors: Errc::unsupported when postgresql-15 is not installed (see find_postgresql());
  /// Errc::io when initdb fails, or postgres exits or does not answer within `deadline` (the
  /// message carries its output).
  static core::Expected<std::unique_ptr<PostgresServer>> start(
      std::chrono::milliseconds deadline = std::chrono::seconds(30));

  /// Stops postgres at once (SIGQUIT, its immediate shutdown; SIGKILL after 5 s) and removes
  /// the directory.
  ~PostgresServer();
  PostgresServer(const PostgresServer&) = delete;
  PostgresServer& operator=(const PostgresServer&) = delete;

  std::uint16_t port() const noexcept { return port_; }
  /// "postgresql://hallmark@127.0.0.1:PORT/postgres", or the named database.
  std::string uri(std::string_view database = "postgres") const;
  /// Creates an empty database with a name not used before in this process; returns its URI.
  /// Errors: Errc::io with the server's message.
  core::Expected<std::string> create_database();
  const std::filesystem::path& directory() const noexcept { return directory_->path(); }
  /// What postgres wrote to its standard error so far, for failure messages.
  std::string log() const;

 private:
  PostgresServer(std::unique_ptr<TempDir> directory, std::uint16_t port, pid_t pid) noexcept
      : directory_(std::move(directory)), port_(port), pid_(pid) {}
  void stop() noexcept;

  std::unique_ptr<TempDir> directory_;
  std::uint16_t port_ = 0;
  pid_t pid_ = -1;
  unsigned databases_ = 0;
};

/// The directory holding initdb and postgres: $HALLMARK_POSTGRESQL_BIN if set, else Debian's
/// /usr/lib/postgresql/15/bin; empty when it holds no runnable initdb and postgres.
std::string find_postgresql();

}  // namespace hallmark::test_support
