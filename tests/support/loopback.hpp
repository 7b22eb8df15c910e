// SPDX-License-Identifier: Apache-2.0
// Sockets on 127.0.0.1 for the throwaway servers the tests start (nsd, PostgreSQL, Dovecot):
// a file descriptor that closes itself, the loopback address, and a TCP port free right now.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdint>

namespace hallmark::test_support {

class Fd {
 public:
  explicit Fd(int fd) noexcept : fd_(fd) {}
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const noexcept { return fd_; }

 private:
  int fd_;
};

inline sockaddr_in loopback(std::uint16_t port) {
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(port);
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  return address;
}

/// A TCP port free on 127.0.0.1 right now, or 0. Someone may take it before the server binds
/// it: servers retry with another when binding fails.
inline std::uint16_t free_tcp_port() {
  for (int attempt = 0; attempt < 100; ++attempt) {
    Fd fd(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
    sockaddr_in address = loopback(0);
    if (fd.get() < 0 ||
        ::bind(fd.get(), reinterpret_cast<const sockaddr*>(&address), sizeof address) != 0)
      continue;
    socklen_t length = sizeof address;
    if (::getsockname(fd.get(), reinterpret_cast<sockaddr*>(&address), &length) == 0)
      return ntohs(address.sin_port);
  }
  return 0;
}

}  // namespace hallmark::test_support
