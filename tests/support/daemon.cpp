// SPDX-License-Identifier: Apache-2.0
// fork/exec rather than posix_spawn: ids change and PR_SET_PDEATHSIG is set in the child, in
// that order (changing ids clears the death signal). Only async-signal-safe calls between fork
// and exec.
#include "support/daemon.hpp"

#include <fcntl.h>
#include <grp.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <thread>

namespace hallmark::test_support {

pid_t spawn_daemon(std::vector<std::string> argv, const std::filesystem::path& log,
                   const DaemonOptions& options) {
  std::vector<char*> args;
  for (std::string& arg : argv) args.push_back(arg.data());
  args.push_back(nullptr);
  int out =
      ::open(log.c_str(),
             O_WRONLY | O_CREAT | O_CLOEXEC | (options.append_log ? O_APPEND : O_TRUNC), 0644);
  int in = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
  if (out < 0 || in < 0) {
    if (out >= 0) ::close(out);
    if (in >= 0) ::close(in);
    errno = EIO;
    return -1;
  }
  pid_t parent = ::getpid();
  pid_t pid = ::fork();
  if (pid != 0) {
    ::close(out);
    ::close(in);
    return pid;
  }
  ::setpgid(0, 0);  // its own group: stopping it reaches the processes it forks too
  if (options.run_as && (::setgroups(0, nullptr) != 0 || ::setgid(options.run_as->second) != 0 ||
                         ::setuid(options.run_as->first) != 0))
    ::_exit(126);
  ::prctl(PR_SET_PDEATHSIG, options.death_signal);
  if (::getppid() != parent) ::_exit(127);
  ::dup2(in, 0);
  ::dup2(out, 1);
  ::dup2(out, 2);
  ::close_range(3, ~0U, 0);  // the server must not hold the test's sockets
  ::execv(args[0], args.data());
  ::_exit(127);
}

bool reap(pid_t pid, std::chrono::steady_clock::duration patience) {
  auto until = std::chrono::steady_clock::now() + patience;
  do {
    int status = 0;
    pid_t done = ::waitpid(pid, &status, WNOHANG);
    if (done == pid || (done < 0 && errno == ECHILD)) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  } while (std::chrono::steady_clock::now() < until);
  return false;
}

void stop_daemon(pid_t pid, int signal, bool whole_group) noexcept {
  ::kill(whole_group ? -pid : pid, signal);
  if (!reap(pid, std::chrono::seconds(5))) {
    ::kill(-pid, SIGKILL);
    reap(pid, std::chrono::seconds(5));
  }
}

}  // namespace hallmark::test_support
