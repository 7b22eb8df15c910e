// SPDX-License-Identifier: Apache-2.0
// Child processes for the DKIM interoperability oracles: posix_spawn with pipes and a deadline,
// files in a private temporary directory, and the command lines of each oracle.
#include "oracle.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <fstream>
#include <sstream>

extern char** environ;

namespace hallmark::dkim::oracle {
namespace {

// The python3 on PATH may be another interpreter without Debian's modules: dkimpy is Debian's
// python3-dkim, importable by Debian's interpreter.
constexpr const char* python = "/usr/bin/python3";
const std::string oracle_dir = std::string(HALLMARK_SOURCE_DIR) + "/tests/dkim/oracles/";

std::string crlf(std::string_view text) {
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\n' && (i == 0 || text[i - 1] != '\r')) out += '\r';
    out += text[i];
  }
  return out;
}

std::string keys_file(const TempDir& dir, const std::vector<PublishedKey>& keys) {
  std::string text;
  for (const PublishedKey& key : keys) text += key.name + " " + key.record + "\n";
  return dir.write("keys.txt", text);
}

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

std::string describe(const Run& r) {
  if (r.timed_out) return "timed out";
  return "exit status " + std::to_string(r.status) + ": " + r.err;
}

bool executable(const std::string& path) { return access(path.c_str(), X_OK) == 0; }

}  // namespace

Run run(const std::vector<std::string>& argv, std::string_view input,
        std::chrono::seconds timeout) {
  Run result;
  // A child that exits before reading its input must not kill the test with SIGPIPE.
  signal(SIGPIPE, SIG_IGN);
  int in_pipe[2], out_pipe[2], err_pipe[2];
  if (pipe2(in_pipe, O_CLOEXEC) != 0 || pipe2(out_pipe, O_CLOEXEC) != 0 ||
      pipe2(err_pipe, O_CLOEXEC) != 0) {
    result.err = "pipe failed";
    return result;
  }
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, in_pipe[0], 0);
  posix_spawn_file_actions_adddup2(&actions, out_pipe[1], 1);
  posix_spawn_file_actions_adddup2(&actions, err_pipe[1], 2);
  std::vector<std::string> storage = argv;
  std::vector<char*> args;
  for (std::string& arg : storage) args.push_back(arg.data());
  args.push_back(nullptr);
  pid_t pid = 0;
  int spawned = posix_spawn(&pid, args[0], &actions, nullptr, args.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  close(in_pipe[0]);
  close(out_pipe[1]);
  close(err_pipe[1]);
  if (spawned != 0) {
    for (int fd : {in_pipe[1], out_pipe[0], err_pipe[0]}) close(fd);
    result.err = "cannot start " + argv[0];
    return result;
  }

  // Feed standard input and drain both outputs together, so a chatty child never blocks.
  auto deadline = std::chrono::steady_clock::now() + timeout;
  std::size_t written = 0;
  bool in_open = !input.empty(), out_open = true, err_open = true;
  if (!in_open) close(in_pipe[1]);
  while (out_open || err_open) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) {
      result.timed_out = true;
      kill(pid, SIGKILL);
      break;
    }
    pollfd fds[3] = {{out_pipe[0], POLLIN, 0},
                     {err_pipe[0], POLLIN, 0},
                     {in_open ? in_pipe[1] : -1, POLLOUT, 0}};
    if (poll(fds, 3, static_cast<int>(left.count())) < 0 && errno != EINTR) break;
    char buffer[65536];
    for (int i = 0; i < 2; ++i) {
      if (!(fds[i].revents & (POLLIN | POLLHUP | POLLERR))) continue;
      ssize_t n = read(fds[i].fd, buffer, sizeof buffer);
      if (n > 0) {
        (i == 0 ? result.out : result.err).append(buffer, static_cast<std::size_t>(n));
      } else {
        (i == 0 ? out_open : err_open) = false;
      }
    }
    if (in_open && (fds[2].revents & (POLLOUT | POLLERR | POLLHUP))) {
      ssize_t n = write(in_pipe[1], input.data() + written, input.size() - written);
      if (n > 0) written += static_cast<std::size_t>(n);
      if (n <= 0 || written == input.size()) {
        close(in_pipe[1]);
        in_open = false;
      }
    }
  }
  if (in_open) close(in_pipe[1]);
  close(out_pipe[0]);
  close(err_pipe[0]);
  int status = 0;
  waitpid(pid, &status, 0);
  result.status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return result;
}

TempDir::TempDir() {
  std::string pattern =
      (std::filesystem::temp_directory_path() / "hallmark-dkim-oracle-XXXXXX").string();
  if (mkdtemp(pattern.data()) != nullptr) path_ = pattern;
}

TempDir::~TempDir() {
  std::error_code ignored;
  if (!path_.empty()) std::filesystem::remove_all(path_, ignored);
}

std::string TempDir::write(std::string_view name, std::string_view content) const {
  std::filesystem::path file = path_ / name;
  std::ofstream(file, std::ios::binary) << content;
  return file.string();
}

std::string dkimpy_missing() {
  static const std::string why = [] {
    if (!executable(python))
      return std::string("/usr/bin/python3 is missing (Debian package python3)");
    Run probe = run({python, "-c", "import dkim, nacl"});
    if (probe.status != 0)
      return "/usr/bin/python3 cannot import dkim and nacl (Debian packages python3-dkim, "
             "python3-nacl): " +
             probe.err;
    return std::string();
  }();
  return why;
}

std::string opendkim_missing() {
  const std::string path = HALLMARK_OPENDKIM_ORACLE;
  if (path.empty())
    return "the OpenDKIM oracle was not built: libopendkim was not found at configure time (Debian "
           "package libopendkim-dev)";
  if (!executable(path)) return path + " is missing; build the dkim_test target";
  return {};
}

std::string opendkim_testmsg_missing() {
  if (!executable("/usr/sbin/opendkim-testmsg"))
    return "/usr/sbin/opendkim-testmsg is missing (Debian package opendkim-tools)";
  return {};
}

std::string dkimpy_sign(const SignRequest& request, std::string& error) {
  TempDir dir;
  std::vector<std::string> argv = {python,
                                   oracle_dir + "dkimpy_sign.py",
                                   dir.write("message.eml", request.message),
                                   dir.write("key", request.key),
                                   request.domain,
                                   request.selector,
                                   request.algorithm,
                                   request.canonicalization,
                                   request.length ? "1" : "0"};
  Run r = run(argv);
  if (r.status != 0 || r.out.empty()) {
    error = "dkimpy_sign.py: " + describe(r);
    return {};
  }
  return crlf(r.out);
}

std::string opendkim_sign(const SignRequest& request, std::string& error) {
  TempDir dir;
  std::vector<std::string> argv = {HALLMARK_OPENDKIM_ORACLE,
                                   "sign",
                                   dir.write("key.pem", request.key),
                                   request.domain,
                                   request.selector,
                                   request.algorithm,
                                   request.canonicalization,
                                   request.length ? "1" : "0",
                                   request.oversign_from ? "1" : "0"};
  Run r = run(argv, request.message);
  if (r.status != 0 || r.out.empty()) {
    error = "opendkim_oracle sign: " + describe(r);
    return {};
  }
  return crlf(r.out);
}

std::vector<std::string> dkimpy_verify(std::string_view message,
                                       const std::vector<PublishedKey>& keys, std::string& error) {
  TempDir dir;
  Run r = run({python, oracle_dir + "dkimpy_verify.py", dir.write("message.eml", message),
               keys_file(dir, keys)});
  if (r.status != 0) {
    error = "dkimpy_verify.py: " + describe(r);
    return {};
  }
  return lines_of(r.out);
}

std::vector<std::string> opendkim_verify(std::string_view message,
                                         const std::vector<PublishedKey>& keys,
                                         std::string& error) {
  TempDir dir;
  Run r = run({HALLMARK_OPENDKIM_ORACLE, "verify", keys_file(dir, keys)}, message);
  if (r.status != 0) {
    error = "opendkim_oracle verify: " + describe(r);
    return {};
  }
  return lines_of(r.out);
}

std::string opendkim_testmsg_sign(std::string_view message, std::string_view pem,
                                  std::string_view domain, std::string_view selector,
                                  std::string& error) {
  TempDir dir;
  // -C keeps CRLF in the signature field; without it the tool prints a corrupted b= tail
  // (its CR-stripping does not re-terminate the string).
  Run r = run({"/usr/sbin/opendkim-testmsg", "-C", "-d", std::string(domain), "-s",
               std::string(selector), "-k", dir.write("key.pem", pem)},
              message);
  if (r.status != 0 || r.out.empty()) {
    error = "opendkim-testmsg: " + describe(r);
    return {};
  }
  return r.out;
}

}  // namespace hallmark::dkim::oracle
