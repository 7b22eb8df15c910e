// SPDX-License-Identifier: Apache-2.0
// CaresResolver: real DNS over c-ares. UDP with TCP fallback for truncated answers; the raw
// response is decoded by hallmark's own decoder so TTLs, SOA minimums and the AD bit survive.
// A host event loop drives it through watches()/next_timeout()/process(); simple hosts call
// run() or let core::sync_wait pump it.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "hallmark/core/error.hpp"
#include "hallmark/core/sync_wait.hpp"
#include "hallmark/dns/resolver.hpp"
#include "hallmark/export.hpp"

namespace hallmark::dns {

struct CaresOptions {
  /// "192.0.2.53", "192.0.2.53:5353", "[2001:db8::53]:5353". Empty: the system's
  /// resolver configuration (/etc/resolv.conf).
  std::vector<std::string> servers;
  /// Time to wait for one try at one server.
  std::chrono::milliseconds timeout{2000};
  /// Tries per server before the lookup answers Status::timeout.
  int tries = 2;
  /// Ask upstream for DNSSEC validation status (EDNS0 with the DO bit), so the AD bit of a
  /// validating resolver reaches Answer::authenticated.
  bool request_dnssec = false;
};

/// Statuses: noerror, nodata, nxdomain, servfail and refused as the server answered; timeout
/// when no server answered within the tries; error for malformed or truncated responses, a
/// name that cannot be queried (empty label, label over 63 octets, name over 255: answered
/// before lookup() returns, nothing sent), a server that refuses the connection (ICMP port
/// unreachable: a misconfiguration, not slowness), and lookups pending at destruction.
///
/// One thread at a time: lookups start and complete on the thread that drives the loop.
/// Completions run from process(), pump_once(), run() or the destructor, never from inside
/// c-ares, and exactly once each. A completion may start new lookups but must not destroy
/// the resolver.
class HALLMARK_API CaresResolver final : public Resolver, public core::Pump {
 public:
  /// Errors: Errc::bad_value for a server that is not ADDRESS[:PORT], a timeout that is not
  /// positive or fewer than one try; Errc::io when c-ares cannot be initialised (no usable
  /// resolver configuration).
  static core::Expected<std::unique_ptr<CaresResolver>> create(CaresOptions options = {});
  ~CaresResolver() override;
  CaresResolver(const CaresResolver&) = delete;
  CaresResolver& operator=(const CaresResolver&) = delete;

  void lookup(std::string_view name, Type type, Completion done) override;
  core::Pump* pump() noexcept override { return this; }

  // Event-loop integration.
  struct Watch {
    int fd = -1;
    bool readable = false;
    bool writable = false;
  };
  /// The sockets c-ares wants watched right now (no fixed limit on their number).
  std::vector<Watch> watches() const;
  /// How long the host may wait before calling process() even with no socket event;
  /// nullopt when no lookup is pending.
  std::optional<std::chrono::milliseconds> next_timeout() const;
  /// Handles readiness of the given sockets (either list may be empty) and expired timeouts.
  /// Completions run from here.
  void process(std::span<const int> readable, std::span<const int> writable);
  /// Lookups started and not yet completed.
  std::size_t pending() const noexcept;

  /// Waits (poll) for one round of events and processes them. False when nothing is pending.
  bool pump_once() override;
  /// pump_once(), waiting no later than `limit`.
  bool pump_once_until(std::chrono::steady_clock::time_point limit) override;
  /// Pumps until no lookup is pending.
  void run();

 private:
  struct Impl;
  explicit CaresResolver(std::unique_ptr<Impl> impl) noexcept;
  std::unique_ptr<Impl> impl_;
};

}  // namespace hallmark::dns
