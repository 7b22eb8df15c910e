// SPDX-License-Identifier: Apache-2.0
// Servers the tests start themselves (nsd, PostgreSQL, Dovecot): run in the foreground as a
// child in its own process group, told to stop if the test process dies, stopped with their
// own shutdown signal and killed only if they hang.
#pragma once

#include <signal.h>
#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace hallmark::test_support {

struct DaemonOptions {
  /// Sent to the server if the test process dies first (PR_SET_PDEATHSIG).
  int death_signal = SIGTERM;
  /// Append to the log rather than start it afresh (a server restarted on the same files).
  bool append_log = false;
  /// User and group ids to switch to before exec (servers that refuse to run as root).
  std::optional<std::pair<uid_t, gid_t>> run_as;
};

/// Starts argv[0] (a path) with standard input from /dev/null and standard output and error
/// into `log`. Returns its pid, or -1 with errno set when the log cannot be opened or fork
/// fails; a child that cannot switch ids or exec exits with 126 or 127.
pid_t spawn_daemon(std::vector<std::string> argv, const std::filesystem::path& log,
                   const DaemonOptions& options = {});

/// Waits up to `patience` for `pid` to exit; whether it did.
bool reap(pid_t pid, std::chrono::steady_clock::duration patience);

/// Sends `signal` to the server (to its whole group when `whole_group`), waits up to 5 s, then
/// kills the group and waits again.
void stop_daemon(pid_t pid, int signal, bool whole_group) noexcept;

}  // namespace hallmark::test_support
