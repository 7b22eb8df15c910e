// SPDX-License-Identifier: Apache-2.0
// NsdServer: a real authoritative DNS server (NLnet Labs nsd) on 127.0.0.1, started from zone
// text for one test and stopped with it, so resolver and CLI tests never touch the Internet.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "hallmark/core/error.hpp"

namespace hallmark::test_support {

struct NsdZone {
  std::string name;      // the zone's apex, "hallmark.test"
  std::string contents;  // its master file (RFC 1035 5), $ORIGIN included or implied
};

/// One nsd process in the foreground, serving UDP and TCP on 127.0.0.1 at a free port, with
/// its configuration, zone files, pidfile and xfrd state in a fresh temporary directory. No
/// chroot, no privilege drop, no remote control and no response rate limiting, so it runs as
/// root in CI and as any user elsewhere, and several test processes can run one each.
///
/// A zone whose contents do not parse still counts as configured: nsd then answers SERVFAIL
/// for every name in it. That is how tests get a real SERVFAIL.
class NsdServer {
 public:
  /// Starts nsd and waits until it answers a query over UDP and accepts a TCP connection.
  /// Errors: Errc::unsupported when no nsd binary is found (see find_nsd()); Errc::io when
  /// the directory or files cannot be made, or nsd exits or stays silent past `deadline`
  /// (the message carries nsd's log).
  static core::Expected<std::unique_ptr<NsdServer>> start(
      std::vector<NsdZone> zones, std::chrono::milliseconds deadline = std::chrono::seconds(10));

  /// Stops nsd (SIGTERM to its process group, SIGKILL after 5 s) and removes the directory.
  ~NsdServer();
  NsdServer(const NsdServer&) = delete;
  NsdServer& operator=(const NsdServer&) = delete;

  std::uint16_t port() const noexcept { return port_; }
  /// "127.0.0.1:PORT": for CaresOptions::servers or the CLI's --server.
  std::string address() const;
  const std::filesystem::path& directory() const noexcept { return directory_; }
  /// What nsd wrote to its standard error so far, for failure messages.
  std::string log() const;

 private:
  NsdServer(std::filesystem::path directory, std::uint16_t port, pid_t pid) noexcept
      : directory_(std::move(directory)), port_(port), pid_(pid) {}
  void stop() noexcept;

  std::filesystem::path directory_;
  std::uint16_t port_ = 0;
  pid_t pid_ = -1;
};

/// The nsd binary: $HALLMARK_NSD if set, else /usr/sbin/nsd, else `nsd` on $PATH; empty when
/// there is none. Debian's package is `nsd`.
std::string find_nsd();

}  // namespace hallmark::test_support
