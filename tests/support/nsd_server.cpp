// SPDX-License-Identifier: Apache-2.0
// Starts, probes and stops nsd for integration tests: temp directory, free port, fork/exec in
// its own process group, readiness by a real query, cleanup that never leaves it running.
#include "support/nsd_server.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <system_error>
#include <thread>

#include "support/daemon.hpp"
#include "support/loopback.hpp"

namespace hallmark::test_support {
namespace {

using Clock = std::chrono::steady_clock;

bool bind_loopback(int fd, std::uint16_t port) {
  sockaddr_in address = loopback(port);
  return ::bind(fd, reinterpret_cast<const sockaddr*>(&address), sizeof address) == 0;
}

// A port free for both UDP and TCP right now: the kernel picks one for UDP, TCP must bind it
// too. Someone may take it before nsd binds; start() then retries with another.
std::uint16_t free_port() {
  for (int attempt = 0; attempt < 100; ++attempt) {
    Fd udp(::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0));
    if (udp.get() < 0 || !bind_loopback(udp.get(), 0)) continue;
    sockaddr_in bound{};
    socklen_t length = sizeof bound;
    if (::getsockname(udp.get(), reinterpret_cast<sockaddr*>(&bound), &length) != 0) continue;
    std::uint16_t port = ntohs(bound.sin_port);
    Fd tcp(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
    if (tcp.get() >= 0 && bind_loopback(tcp.get(), port)) return port;
  }
  return 0;
}

// A minimal SOA query for `zone`, enough to see that nsd has loaded its zones and serves.
std::string probe_query(const std::string& zone) {
  std::string query("\x4e\x53\x01\x00\x00\x01\x00\x00\x00\x00\x00\x00", 12);
  std::size_t start = 0;
  while (start < zone.size()) {
    std::size_t dot = zone.find('.', start);
    if (dot == std::string::npos) dot = zone.size();
    query += static_cast<char>(dot - start);
    query += zone.substr(start, dot - start);
    start = dot + 1;
  }
  query += std::string("\x00\x00\x06\x00\x01", 5);
  return query;
}

bool answers_udp(std::uint16_t port, const std::string& query) {
  Fd fd(::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0));
  sockaddr_in server = loopback(port);
  if (fd.get() < 0 ||
      ::connect(fd.get(), reinterpret_cast<const sockaddr*>(&server), sizeof server) != 0)
    return false;
  if (::send(fd.get(), query.data(), query.size(), 0) != static_cast<ssize_t>(query.size()))
    return false;
  pollfd entry{fd.get(), POLLIN, 0};
  if (::poll(&entry, 1, 200) != 1) return false;
  std::array<char, 512> reply{};
  ssize_t got = ::recv(fd.get(), reply.data(), reply.size(), 0);
  return got >= 12 && reply[0] == query[0] && reply[1] == query[1];
}

bool accepts_tcp(std::uint16_t port) {
  Fd fd(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
  sockaddr_in server = loopback(port);
  return fd.get() >= 0 &&
         ::connect(fd.get(), reinterpret_cast<const sockaddr*>(&server), sizeof server) == 0;
}

std::string config(const std::filesystem::path& dir, std::uint16_t port,
                   const std::vector<NsdZone>& zones) {
  std::string d = dir.string();
  std::ostringstream out;
  // username "" and chroot "": run as whoever started us, root in CI included, in place.
  // database "" and zonelistfile "": nothing persisted outside the directory. RRL off: the
  // concurrency tests send a burst from one address.
  out << "server:\n"
      << "  ip-address: 127.0.0.1@" << port << "\n"
      << "  port: " << port << "\n"
      << "  do-ip6: no\n"
      << "  username: \"\"\n"
      << "  chroot: \"\"\n"
      << "  zonesdir: \"" << d << "\"\n"
      << "  database: \"\"\n"
      << "  zonelistfile: \"\"\n"
      << "  pidfile: \"" << d << "/nsd.pid\"\n"
      << "  xfrdfile: \"" << d << "/xfrd.state\"\n"
      << "  xfrdir: \"" << d << "\"\n"
      << "  server-count: 1\n"
      << "  verbosity: 1\n"
      << "  hide-version: yes\n"
      << "  reuseport: no\n"
      << "  round-robin: no\n"
      << "  rrl-ratelimit: 0\n"
      << "remote-control:\n"
      << "  control-enable: no\n";
  for (std::size_t i = 0; i < zones.size(); ++i)
    out << "zone:\n  name: \"" << zones[i].name << "\"\n  zonefile: \"zone" << i << ".zone\"\n";
  return out.str();
}

bool write_file(const std::filesystem::path& path, const std::string& text) {
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

}  // namespace

std::string find_nsd() {
  auto runnable = [](const std::string& path) { return ::access(path.c_str(), X_OK) == 0; };
  if (const char* chosen = std::getenv("HALLMARK_NSD"); chosen != nullptr && *chosen != '\0')
    return runnable(chosen) ? chosen : std::string();
  if (runnable("/usr/sbin/nsd")) return "/usr/sbin/nsd";
  const char* path = std::getenv("PATH");
  std::istringstream dirs(path != nullptr ? path : "");
  for (std::string dir; std::getline(dirs, dir, ':');)
    if (!dir.empty() && runnable(dir + "/nsd")) return dir + "/nsd";
  return {};
}

core::Expected<std::unique_ptr<NsdServer>> NsdServer::start(std::vector<NsdZone> zones,
                                                            std::chrono::milliseconds deadline) {
  std::string nsd = find_nsd();
  if (nsd.empty())
    return core::fail(core::Errc::unsupported, "nsd not found (apt-get install nsd)");
  if (zones.empty()) return core::fail(core::Errc::bad_value, "NsdServer needs a zone");
  std::string pattern = (std::filesystem::temp_directory_path() / "hallmark-nsd-XXXXXX").string();
  if (::mkdtemp(pattern.data()) == nullptr)
    return core::fail(core::Errc::io, "mkdtemp: " + std::string(std::strerror(errno)));
  std::filesystem::path dir(pattern);
  auto give_up = [&](std::string why) {
    std::error_code ignored;
    std::filesystem::remove_all(dir, ignored);
    return core::fail(core::Errc::io, std::move(why));
  };
  for (std::size_t i = 0; i < zones.size(); ++i)
    if (!write_file(dir / ("zone" + std::to_string(i) + ".zone"), zones[i].contents))
      return give_up("cannot write zone file in " + dir.string());

  std::string probe = probe_query(zones.front().name);
  std::string last_log;
  // A port found free can be taken before nsd binds it; nsd then exits and we try another.
  for (int attempt = 0; attempt < 3; ++attempt) {
    std::uint16_t port = free_port();
    if (port == 0) return give_up("no free port on 127.0.0.1");
    if (!write_file(dir / "nsd.conf", config(dir, port, zones)))
      return give_up("cannot write nsd.conf in " + dir.string());
    pid_t pid = spawn_daemon({nsd, "-d", "-c", (dir / "nsd.conf").string()}, dir / "nsd.log");
    if (pid < 0) return give_up("fork: " + std::string(std::strerror(errno)));
    std::unique_ptr<NsdServer> server(new NsdServer(dir, port, pid));
    Clock::time_point until = Clock::now() + deadline;
    bool exited = false;
    while (Clock::now() < until) {
      int status = 0;
      if (::waitpid(pid, &status, WNOHANG) == pid) {
        exited = true;
        server->pid_ = -1;
        break;
      }
      if (answers_udp(port, probe) && accepts_tcp(port)) return server;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    last_log = server->log();
    if (!exited) {
      server->directory_.clear();  // keep the directory for give_up's message and cleanup
      return give_up("nsd did not answer on 127.0.0.1:" + std::to_string(port) +
                     " in time; its log:\n" + last_log);
    }
    server->directory_.clear();
  }
  return give_up("nsd exited at start three times; its last log:\n" + last_log);
}

NsdServer::~NsdServer() {
  stop();
  if (!directory_.empty()) {
    std::error_code ignored;
    std::filesystem::remove_all(directory_, ignored);
  }
}

void NsdServer::stop() noexcept {
  if (pid_ <= 0) return;
  // nsd forks a server and an xfrd process; they share its group, and SIGTERM to the main
  // process makes it stop them and wait. SIGKILL only if it hangs.
  stop_daemon(pid_, SIGTERM, true);
  pid_ = -1;
}

std::string NsdServer::address() const { return "127.0.0.1:" + std::to_string(port_); }

std::string NsdServer::log() const { return read_file(directory_ / "nsd.log"); }

}  // namespace hallmark::test_support
