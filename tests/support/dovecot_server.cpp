// SPDX-License-Identifier: Apache-2.0
// Starts, probes and stops Dovecot for integration tests: temp directory, passwd-file user,
// Maildir, free port, fork/exec in its own process group, readiness by its IMAP greeting.
#include "support/dovecot_server.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <grp.h>
#include <netinet/in.h>
#include <poll.h>
#include <pwd.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <cctype>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <fstream>
#include <sstream>
#include <system_error>
#include <thread>

#include "support/daemon.hpp"
#include "support/loopback.hpp"

#include "support/child_process.hpp"

namespace hallmark::test_support {
namespace {

using Clock = std::chrono::steady_clock;

// Ready: the port accepts, and in plain text a login process sends the "* OK" greeting.
bool greets(std::uint16_t port, bool tls) {
  Fd fd(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
  sockaddr_in server = loopback(port);
  if (fd.get() < 0 ||
      ::connect(fd.get(), reinterpret_cast<const sockaddr*>(&server), sizeof server) != 0)
    return false;
  if (tls) return true;
  pollfd entry{fd.get(), POLLIN, 0};
  if (::poll(&entry, 1, 500) != 1) return false;
  std::array<char, 256> greeting{};
  ssize_t got = ::recv(fd.get(), greeting.data(), greeting.size(), 0);
  return got >= 4 && std::string_view(greeting.data(), 4) == "* OK";
}

bool write_file(const std::filesystem::path& path, std::string_view text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
  return static_cast<bool>(out.flush());
}

std::string read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

bool make_maildir(const std::filesystem::path& dir, uid_t uid, gid_t gid) {
  std::error_code error;
  for (const char* sub : {"cur", "new", "tmp"}) {
    std::filesystem::create_directories(dir / sub, error);
    if (error) return false;
  }
  for (const auto& path : {dir, dir / "cur", dir / "new", dir / "tmp"})
    if (::chown(path.c_str(), uid, gid) != 0 && ::geteuid() == 0) return false;
  return true;
}

std::string user_name(uid_t uid) {
  const passwd* entry = ::getpwuid(uid);
  return entry != nullptr ? entry->pw_name : std::to_string(uid);
}

std::string group_name(gid_t gid) {
  const group* entry = ::getgrgid(gid);
  return entry != nullptr ? entry->gr_name : std::to_string(gid);
}

}  // namespace

std::string find_dovecot() {
  auto runnable = [](const std::string& path) { return ::access(path.c_str(), X_OK) == 0; };
  if (const char* chosen = std::getenv("HALLMARK_DOVECOT"); chosen != nullptr && *chosen != '\0')
    return runnable(chosen) ? chosen : std::string();
  return runnable("/usr/sbin/dovecot") ? "/usr/sbin/dovecot" : std::string();
}

DovecotServer::DovecotServer(std::filesystem::path directory, DovecotOptions options,
                             uid_t mail_uid, gid_t mail_gid) noexcept
    : directory_(std::move(directory)),
      options_(std::move(options)),
      mail_uid_(mail_uid),
      mail_gid_(mail_gid) {}

core::Expected<std::unique_ptr<DovecotServer>> DovecotServer::start(
    DovecotOptions options, std::chrono::milliseconds deadline) {
  if (find_dovecot().empty())
    return core::fail(core::Errc::unsupported, "dovecot not found (apt-get install dovecot-imapd)");
  if (options.user.empty() || options.password.empty() ||
      options.user.find_first_of(":/\n") != std::string::npos ||
      options.password.find_first_of(":\n") != std::string::npos)
    return core::fail(core::Errc::bad_value, "DovecotServer: bad user or password");
  // Dovecot gives mail processes no UID 0 (the userdb's uid must be at least first_valid_uid,
  // never 0): as root, the mail is nobody's.
  uid_t uid = ::geteuid();
  gid_t gid = ::getegid();
  if (uid == 0) {
    const passwd* nobody = ::getpwnam("nobody");
    if (nobody == nullptr) return core::fail(core::Errc::unsupported, "no user 'nobody'");
    uid = nobody->pw_uid;
    gid = nobody->pw_gid;
  }

  std::string pattern =
      (std::filesystem::temp_directory_path() / "hallmark-dovecot-XXXXXX").string();
  if (::mkdtemp(pattern.data()) == nullptr)
    return core::fail(core::Errc::io, "mkdtemp: " + std::string(std::strerror(errno)));
  std::unique_ptr<DovecotServer> server(
      new DovecotServer(std::filesystem::path(pattern), std::move(options), uid, gid));
  const std::filesystem::path& dir = server->directory_;
  // Searchable by the mail user and Dovecot's own users; nothing in it is secret.
  ::chmod(dir.c_str(), 0755);
  std::error_code error;
  std::filesystem::create_directories(dir / "run", error);
  std::filesystem::create_directories(dir / "state", error);
  std::filesystem::create_directories(dir / "home", error);
  std::filesystem::path home = dir / "home" / server->options_.user;
  std::filesystem::create_directories(home, error);
  if (error || ::chown(home.c_str(), uid, gid) != 0 || !make_maildir(server->maildir(), uid, gid) ||
      !write_file(dir / "users",
                  server->options_.user + ":{PLAIN}" + server->options_.password + "::::::\n"))
    return core::fail(core::Errc::io, "cannot make Dovecot's files in " + dir.string());

  if (server->options_.tls) {
    const std::string openssl = "/usr/bin/openssl";
    if (::access(openssl.c_str(), X_OK) != 0)
      return core::fail(core::Errc::unsupported, "openssl not found, needed for imaps://");
    ProcessRun made = run_process(
        {openssl, "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
         "-nodes", "-days", "2", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
         "-keyout", (dir / "key.pem").string(), "-out", (dir / "cert.pem").string()},
        {}, std::chrono::seconds(30));
    if (made.status != 0) return core::fail(core::Errc::io, "openssl req failed: " + made.err);
  }

  std::uint16_t port = free_tcp_port();
  if (port == 0) return core::fail(core::Errc::io, "no free port on 127.0.0.1");
  if (core::Expected<void> launched = server->launch(port, deadline); !launched)
    return std::unexpected(launched.error());
  return server;
}

core::Expected<void> DovecotServer::launch(std::uint16_t port, std::chrono::milliseconds deadline) {
  std::string dovecot = find_dovecot();
  if (dovecot.empty()) return core::fail(core::Errc::unsupported, "dovecot not found");
  const std::string d = directory_.string();
  std::string last_log;
  // A port found free can be taken before Dovecot binds it; Dovecot then exits and we try
  // another.
  for (int attempt = 0; attempt < 3; ++attempt, port = free_tcp_port()) {
    std::ostringstream conf;
    conf << "protocols = imap\n"
         << "listen = 127.0.0.1\n"
         << "base_dir = " << d << "/run\n"
         << "state_dir = " << d << "/state\n"
         << "log_path = " << d << "/dovecot.log\n"
         << "auth_mechanisms = plain\n"
         << "disable_plaintext_auth = no\n"
         << "mail_location = maildir:~/Maildir\n"
         << "first_valid_uid = " << mail_uid_ << "\n"
         << "first_valid_gid = " << mail_gid_ << "\n"
         << "passdb {\n  driver = passwd-file\n  args = " << d << "/users\n}\n"
         << "userdb {\n  driver = static\n  args = uid=" << mail_uid_ << " gid=" << mail_gid_
         << " home=" << d << "/home/%u\n}\n";
    if (options_.tls)
      conf << "ssl = required\nssl_cert = <" << d << "/cert.pem\nssl_key = <" << d << "/key.pem\n";
    else
      conf << "ssl = no\n";
    if (::geteuid() != 0) {
      // Without root nothing can change user or chroot: every process is ours.
      std::string me = user_name(::geteuid());
      conf << "default_login_user = " << me << "\ndefault_internal_user = " << me << "\n"
           << "default_internal_group = " << group_name(::getegid()) << "\n"
           << "service auth-worker {\n  user = " << me << "\n}\n";
    }
    // As root, the login processes run as Debian's dovenull and the others as dovecot;
    // no chroot, so nothing is needed beyond this directory.
    conf << "service anvil {\n  chroot =\n}\n"
         << "service imap-login {\n  chroot =\n"
         << "  inet_listener imap {\n    port = " << (options_.tls ? 0 : port) << "\n  }\n"
         << "  inet_listener imaps {\n    port = " << (options_.tls ? port : 0)
         << "\n    ssl = yes\n  }\n}\n";
    if (!options_.capabilities.empty())
      conf << "imap_capability = " << options_.capabilities << "\n";
    if (!write_file(directory_ / "dovecot.conf", conf.str()))
      return core::fail(core::Errc::io, "cannot write dovecot.conf in " + d);

    // Appended: a restarted server keeps the log of the one before.
    DaemonOptions options;
    options.append_log = true;
    pid_t pid = spawn_daemon({dovecot, "-F", "-c", (directory_ / "dovecot.conf").string()},
                             directory_ / "stderr.log", options);
    if (pid < 0) return core::fail(core::Errc::io, "fork: " + std::string(std::strerror(errno)));
    pid_ = pid;
    port_ = port;
    Clock::time_point until = Clock::now() + deadline;
    bool exited = false;
    while (Clock::now() < until) {
      int status = 0;
      if (::waitpid(pid, &status, WNOHANG) == pid) {
        exited = true;
        pid_ = -1;
        break;
      }
      if (greets(port, options_.tls)) return {};
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    last_log = log();
    if (!exited) {
      stop();
      return core::fail(core::Errc::io,
                        "Dovecot did not greet on 127.0.0.1:" + std::to_string(port) +
                            " in time; its log:\n" + last_log);
    }
    if (last_log.find("in use") == std::string::npos) break;  // not a port race: give up
  }
  return core::fail(core::Errc::io, "Dovecot exited at start; its log:\n" + last_log);
}

core::Expected<void> DovecotServer::resume(std::chrono::milliseconds deadline) {
  stop();
  return launch(port_, deadline);
}

DovecotServer::~DovecotServer() {
  stop();
  std::error_code ignored;
  std::filesystem::remove_all(directory_, ignored);
}

void DovecotServer::stop() noexcept {
  if (pid_ <= 0) return;
  // SIGTERM makes the master stop its children and exit; SIGKILL only if it hangs.
  stop_daemon(pid_, SIGTERM, true);
  pid_ = -1;
}

std::string DovecotServer::url(std::string_view folder) const {
  return std::string(options_.tls ? "imaps" : "imap") + "://127.0.0.1:" + std::to_string(port_) +
         "/" + std::string(folder);
}

std::filesystem::path DovecotServer::maildir(std::string_view folder) const {
  std::filesystem::path inbox = directory_ / "home" / options_.user / "Maildir";
  std::string upper(folder);
  std::ranges::transform(upper, upper.begin(), [](unsigned char c) { return std::toupper(c); });
  return upper == "INBOX" ? inbox : inbox / ("." + std::string(folder));
}

core::Expected<std::string> DovecotServer::deliver(std::string_view message, std::string_view label,
                                                   std::string_view folder) const {
  static std::atomic<unsigned> sequence{0};
  std::filesystem::path dir = maildir(folder);
  if (!make_maildir(dir, mail_uid_, mail_gid_))
    return core::fail(core::Errc::io, "cannot make " + dir.string());
  // Maildir's unique name: time, something unique on this host, the host; no ':' or '/'.
  std::string name = std::to_string(std::time(nullptr)) + ".M" + std::to_string(++sequence) + "P" +
                     std::to_string(::getpid()) + "_" + std::string(label) + ".hallmark";
  std::filesystem::path temporary = dir / "tmp" / name;
  if (!write_file(temporary, message) ||
      (::chown(temporary.c_str(), mail_uid_, mail_gid_) != 0 && ::geteuid() == 0))
    return core::fail(core::Errc::io, "cannot write " + temporary.string());
  std::error_code error;
  std::filesystem::rename(temporary, dir / "new" / name, error);
  if (error) return core::fail(core::Errc::io, "cannot deliver " + name + ": " + error.message());
  return name;
}

std::vector<std::string> DovecotServer::messages(std::string_view folder) const {
  std::vector<std::string> names;
  std::error_code error;
  for (const char* sub : {"new", "cur"})
    for (const auto& entry : std::filesystem::directory_iterator(maildir(folder) / sub, error))
      names.push_back(entry.path().filename().string());
  std::ranges::sort(names);
  return names;
}

std::string DovecotServer::log() const {
  return read_file(directory_ / "dovecot.log") + read_file(directory_ / "stderr.log");
}

}  // namespace hallmark::test_support
