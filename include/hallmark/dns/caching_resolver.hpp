// SPDX-License-Identifier: Apache-2.0
// CachingResolver: a decorator over any Resolver with TTL-bounded positive and negative
// caching, a size bound, thread safety, and coalescing of identical in-flight lookups.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>

#include "hallmark/dns/resolver.hpp"
#include "hallmark/export.hpp"

namespace hallmark::dns {

struct CacheOptions {
  std::size_t max_entries = 10000;
  /// Upper bound on any cached TTL, and on negative answers (RFC 2308 recommends 1-3 hours).
  std::chrono::seconds max_ttl{std::chrono::hours(24)};
  std::chrono::seconds max_negative_ttl{std::chrono::hours(1)};
  /// SERVFAIL/timeout answers are not cached unless this is non-zero (RFC 2308 7.1 allows
  /// at most five minutes).
  std::chrono::seconds failure_ttl{0};
  /// Monotonic clock; tests replace it.
  std::function<std::chrono::steady_clock::time_point()> now = std::chrono::steady_clock::now;
};

class HALLMARK_API CachingResolver final : public Resolver {
 public:
  /// `upstream` must outlive this resolver.
  explicit CachingResolver(Resolver& upstream, CacheOptions options = {});
  ~CachingResolver() override;

  void lookup(std::string_view name, Type type, Completion done) override;
  core::Pump* pump() noexcept override;

  struct Stats {
    std::uint64_t hits = 0;
    std::uint64_t misses = 0;     // lookups sent upstream
    std::uint64_t coalesced = 0;  // lookups that joined one already in flight
    std::uint64_t evictions = 0;
    std::size_t entries = 0;
  };
  Stats stats() const;
  void clear();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace hallmark::dns
