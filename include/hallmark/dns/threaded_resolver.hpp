// SPDX-License-Identifier: Apache-2.0
// ThreadedResolver: c-ares on a thread of its own, for hosts whose many threads all verify
// mail through one authenticator (a milter, a threaded MTA). Lookups start on any thread;
// completions run on the resolver's thread; a thread that must wait for answers waits on
// pump_once_until().
#pragma once

#include <chrono>
#include <memory>
#include <string_view>

#include "hallmark/core/error.hpp"
#include "hallmark/core/sync_wait.hpp"
#include "hallmark/dns/cares_resolver.hpp"
#include "hallmark/dns/resolver.hpp"
#include "hallmark/export.hpp"

namespace hallmark::dns {

/// Statuses as CaresResolver gives them. Completions run on the resolver's thread, never on
/// the thread that started the lookup (except for a name c-ares refuses outright, answered
/// there at once): a completion must not block, and whatever it touches must be safe to touch
/// from that thread. Destroying the resolver stops its thread; lookups still pending complete
/// then with Status::error.
class HALLMARK_API ThreadedResolver final : public Resolver, public core::Pump {
 public:
  /// Errors: those of CaresResolver::create(), and Errc::io when the wake-up descriptor or the
  /// thread cannot be made.
  static core::Expected<std::unique_ptr<ThreadedResolver>> create(CaresOptions options = {});
  ~ThreadedResolver() override;
  ThreadedResolver(const ThreadedResolver&) = delete;
  ThreadedResolver& operator=(const ThreadedResolver&) = delete;

  void lookup(std::string_view name, Type type, Completion done) override;
  core::Pump* pump() noexcept override { return this; }

  /// Waits until some completion has run (on the resolver's thread). False when no lookup is
  /// pending.
  bool pump_once() override;
  /// pump_once(), returning by `limit` (true then when lookups are still pending).
  bool pump_once_until(std::chrono::steady_clock::time_point limit) override;

  /// Lookups started and not yet completed.
  std::size_t pending() const noexcept;

 private:
  struct Impl;
  explicit ThreadedResolver(std::unique_ptr<Impl> impl) noexcept;
  std::unique_ptr<Impl> impl_;
};

}  // namespace hallmark::dns
