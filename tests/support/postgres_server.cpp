// SPDX-License-Identifier: Apache-2.0
// Makes, starts and stops a PostgreSQL cluster for integration tests: initdb (or a copy of
// the cluster it made before) in a temporary directory, postgres forked in the foreground on a free
// port (as `nobody` when we are root), readiness by libpq's ping, cleanup that never leaves it
// running.
#include "support/postgres_server.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <grp.h>
#include <libpq-fe.h>
#include <netinet/in.h>
#include <pwd.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <optional>
#include <sstream>
#include <system_error>
#include <thread>
#include <vector>

#include "support/daemon.hpp"
#include "support/loopback.hpp"

namespace hallmark::test_support {
namespace {

using Clock = std::chrono::steady_clock;

// Who runs initdb and postgres: ourselves, or `nobody` when we are root.
struct Account {
  bool drop = false;
  uid_t uid = 0;
  gid_t gid = 0;
};

std::optional<Account> account() {
  if (::geteuid() != 0) return Account{};
  const passwd* nobody = ::getpwnam("nobody");
  if (nobody == nullptr) return std::nullopt;
  return Account{true, nobody->pw_uid, nobody->pw_gid};
}

bool runnable(const std::string& path) { return ::access(path.c_str(), X_OK) == 0; }

// A command prefix that runs the rest as `who`: setpriv changes ids without PAM or a login
// session; runuser is the fallback where util-linux's setpriv is missing.
std::optional<std::vector<std::string>> run_as(const Account& who) {
  if (!who.drop) return std::vector<std::string>{};
  for (const char* setpriv : {"/usr/bin/setpriv", "/bin/setpriv"})
    if (runnable(setpriv))
      return std::vector<std::string>{setpriv, "--reuid=" + std::to_string(who.uid),
                                      "--regid=" + std::to_string(who.gid), "--clear-groups", "--"};
  for (const char* runuser : {"/usr/sbin/runuser", "/sbin/runuser"})
    if (runnable(runuser)) return std::vector<std::string>{runuser, "-u", "nobody", "--"};
  return std::nullopt;
}

std::string read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

std::string trimmed(std::string text) {
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
  return text;
}

// ctest runs every test in a process of its own, and initdb takes one to two seconds where a
// copy of its result takes tens of milliseconds: the first process keeps a pristine cluster in
// the build tree, one per PostgreSQL installation, and later ones copy it.
std::filesystem::path cluster_cache(const std::string& bin) {
  std::string name = "postgres-cluster";
  for (char c : bin) name += c == '/' ? '_' : c;
  return std::filesystem::path(HALLMARK_BINARY_DIR) / "tests" / "support" / name;
}

bool chown_tree(const std::filesystem::path& root, const Account& who) {
  std::error_code error;
  if (::lchown(root.c_str(), who.uid, who.gid) != 0) return false;
  for (std::filesystem::recursive_directory_iterator entry(root, error), end;
       !error && entry != end; entry.increment(error))
    if (::lchown(entry->path().c_str(), who.uid, who.gid) != 0) return false;
  return !error;
}

// cp -a keeps the modes postgres insists on (0700 for the directory, 0600 for its files).
bool copy_tree(const std::filesystem::path& from, const std::filesystem::path& to) {
  return run_process({"/bin/cp", "-a", from.string(), to.string()}).status == 0;
}

bool copy_cached_cluster(const std::filesystem::path& cache, const std::filesystem::path& data,
                         const Account& who) {
  std::error_code error;
  if (!std::filesystem::exists(cache / "PG_VERSION", error)) return false;
  if (copy_tree(cache, data) && (!who.drop || chown_tree(data, who))) return true;
  std::filesystem::remove_all(data, error);
  return false;
}

// Best effort: a read-only build tree or a race lost to another test process changes nothing.
// The copy is made beside the cache and renamed into place, so readers see all of it or none.
void keep_cluster(const std::filesystem::path& data, const std::filesystem::path& cache) {
  std::string staging = cache.string() + ".XXXXXX";
  if (::mkdtemp(staging.data()) == nullptr) return;
  std::filesystem::path copy = std::filesystem::path(staging) / "data";
  if (copy_tree(data, copy)) ::rename(copy.c_str(), cache.c_str());
  std::error_code ignored;
  std::filesystem::remove_all(staging, ignored);
}

core::Expected<void> make_cluster(const std::string& bin, const std::filesystem::path& data,
                                  const Account& who, const std::vector<std::string>& prefix) {
  std::filesystem::path cache = cluster_cache(bin);
  if (copy_cached_cluster(cache, data, who)) return {};
  // --locale=C: whatever LANG says may not be installed, and the store compares bytes anyway.
  // --wal-segsize=1: a 1 MB first WAL segment instead of 16 MB, a third less to copy.
  std::vector<std::string> initdb = prefix;
  for (std::string arg :
       {bin + "/initdb", std::string("-D"), data.string(), std::string("-A"), std::string("trust"),
        std::string("-U"), std::string("hallmark"), std::string("-E"), std::string("UTF8"),
        std::string("--locale=C"), std::string("--wal-segsize=1"), std::string("--no-sync")})
    initdb.push_back(std::move(arg));
  ProcessRun made = run_process(initdb, {}, std::chrono::seconds(120));
  if (made.status != 0)
    return core::fail(core::Errc::io, "initdb failed (status " + std::to_string(made.status) +
                                          "):\n" + made.out + made.err);
  keep_cluster(data, cache);
  return {};
}

}  // namespace

std::string find_postgresql() {
  std::string dir = "/usr/lib/postgresql/15/bin";
  if (const char* chosen = std::getenv("HALLMARK_POSTGRESQL_BIN");
      chosen != nullptr && *chosen != '\0')
    dir = chosen;
  return runnable(dir + "/initdb") && runnable(dir + "/postgres") ? dir : std::string();
}

core::Expected<std::unique_ptr<PostgresServer>> PostgresServer::start(
    std::chrono::milliseconds deadline) {
  std::string bin = find_postgresql();
  if (bin.empty())
    return core::fail(core::Errc::unsupported,
                      "postgresql-15 is not installed (apt-get install postgresql-15)");
  std::optional<Account> who = account();
  if (!who) return core::fail(core::Errc::io, "running as root and there is no user nobody");
  std::optional<std::vector<std::string>> prefix = run_as(*who);
  if (!prefix)
    return core::fail(core::Errc::io, "running as root and neither setpriv nor runuser found");

  auto directory = std::make_unique<TempDir>();
  const std::filesystem::path& dir = directory->path();
  if (dir.empty())
    return core::fail(core::Errc::io,
                      "cannot make a temporary directory: " + std::string(std::strerror(errno)));
  // mkdtemp made it 0700 and ours: `nobody` must own it to create the cluster and the socket.
  if (who->drop && ::chown(dir.c_str(), who->uid, who->gid) != 0)
    return core::fail(core::Errc::io,
                      "chown " + dir.string() + ": " + std::string(std::strerror(errno)));
  std::filesystem::path data = dir / "data";

  if (auto made = make_cluster(bin, data, *who, *prefix); !made)
    return std::unexpected(std::move(made.error()));

  std::string last_log;
  // A port found free can be taken before postgres binds it; postgres then exits and we try
  // another.
  for (int attempt = 0; attempt < 3; ++attempt) {
    std::uint16_t port = free_tcp_port();
    if (port == 0) return core::fail(core::Errc::io, "no free port on 127.0.0.1");
    // fsync, full-page writes and synchronous commit off: a test cluster survives no crash.
    std::vector<std::string> argv = {bin + "/postgres",
                                     "-D",
                                     data.string(),
                                     "-k",
                                     dir.string(),
                                     "-p",
                                     std::to_string(port),
                                     "-c",
                                     "listen_addresses=127.0.0.1",
                                     "-c",
                                     "fsync=off",
                                     "-c",
                                     "full_page_writes=off",
                                     "-c",
                                     "synchronous_commit=off"};
    std::filesystem::path log = dir / "postgres.log";
    // SIGQUIT is postgres's immediate shutdown: it stops its backends and exits.
    DaemonOptions options;
    options.death_signal = SIGQUIT;
    if (who->drop) options.run_as = std::pair{who->uid, who->gid};
    pid_t pid = spawn_daemon(std::move(argv), log, options);
    if (pid < 0) return core::fail(core::Errc::io, "fork: " + std::string(std::strerror(errno)));
    std::unique_ptr<PostgresServer> server(new PostgresServer(std::move(directory), port, pid));
    std::string ping = "host=127.0.0.1 port=" + std::to_string(port) +
                       " user=hallmark dbname=postgres connect_timeout=2";
    Clock::time_point until = Clock::now() + deadline;
    bool exited = false;
    while (Clock::now() < until) {
      int status = 0;
      if (::waitpid(pid, &status, WNOHANG) == pid) {
        exited = true;
        server->pid_ = -1;
        break;
      }
      if (PQping(ping.c_str()) == PQPING_OK) return server;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    last_log = server->log();
    if (!exited)
      return core::fail(core::Errc::io,
                        "postgres did not accept connections on 127.0.0.1:" + std::to_string(port) +
                            " in time; its log:\n" + last_log);
    directory = std::move(server->directory_);  // for the next attempt; nothing to stop
  }
  return core::fail(core::Errc::io,
                    "postgres exited at start three times; its last log:\n" + last_log);
}

PostgresServer::~PostgresServer() { stop(); }

void PostgresServer::stop() noexcept {
  if (pid_ <= 0) return;
  stop_daemon(pid_, SIGQUIT, false);
  pid_ = -1;
}

std::string PostgresServer::uri(std::string_view database) const {
  return "postgresql://hallmark@127.0.0.1:" + std::to_string(port_) + "/" + std::string(database);
}

core::Expected<std::string> PostgresServer::create_database() {
  std::string name = "hallmark_test_" + std::to_string(++databases_);
  PGconn* connection = PQconnectdb(uri().c_str());
  if (connection == nullptr) return core::fail(core::Errc::io, "PostgreSQL: out of memory");
  std::string error;
  if (PQstatus(connection) != CONNECTION_OK) {
    error = PQerrorMessage(connection);
  } else {
    PGresult* result = PQexec(connection, ("CREATE DATABASE " + name).c_str());
    if (PQresultStatus(result) != PGRES_COMMAND_OK) error = PQresultErrorMessage(result);
    PQclear(result);
  }
  PQfinish(connection);
  if (!error.empty())
    return core::fail(core::Errc::io, "CREATE DATABASE " + name + ": " + trimmed(error));
  return uri(name);
}

std::string PostgresServer::log() const { return read_file(directory() / "postgres.log"); }

}  // namespace hallmark::test_support
