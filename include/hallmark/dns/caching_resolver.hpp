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
  /// Least recently used entries go first beyond this; 0 disables caching (not coalescing).
  std::size_t max_entries = 10000;
  /// Upper bound on any cached TTL, and on negative answers (RFC 2308 recommends 1-3 hours).
  std::chrono::seconds max_ttl{std::chrono::hours(24)};
  std::chrono::seconds max_negative_ttl{std::chrono::hours(1)};
  /// SERVFAIL/timeout answers are not cached unless this is non-zero (RFC 2308 7.1 allows
  /// at most five minutes, so longer values are cut to that).
  std::chrono::seconds failure_ttl{0};
  /// Monotonic clock; tests replace it. Empty: the coarse monotonic clock, precise to a few
  /// milliseconds (TTLs count in seconds) and several times cheaper to read on every hit.
  std::function<std::chrono::steady_clock::time_point()> now;
};

/// Lookups may start on any thread (so the upstream must accept that too); completions run
/// on the starting thread for a hit, otherwise wherever the upstream completes. A hit
/// answers with the remaining TTL. Keys ignore ASCII case and one trailing dot. Identical
/// lookups in flight are coalesced when the upstream answers later (completes_later()); one
/// that answers inside lookup() is simply asked again, so no caller waits on another thread.
///
/// Hits take no lock shared by all threads: each thread keeps a small direct-mapped front of
/// the answers it used last (at most 256 per thread, each until its TTL ends or a clear()),
/// and the entries behind it are split over 16 locks once max_entries reaches 1024 (each
/// holding its share of the bound). A hit on the front does not count as a use for the LRU
/// order until the answer's TTL ticks down a second, which renews it from the shared entry.
class HALLMARK_API CachingResolver final : public Resolver {
 public:
  /// `upstream` must outlive this resolver and every lookup started through it.
  explicit CachingResolver(Resolver& upstream, CacheOptions options = {});
  ~CachingResolver() override;
  CachingResolver(const CachingResolver&) = delete;
  CachingResolver& operator=(const CachingResolver&) = delete;

  void lookup(std::string_view name, Type type, Completion done) override;
  AnswerPtr cached(std::string_view name, Type type) override;
  bool completes_later() noexcept override;
  core::Pump* pump() noexcept override;

  struct Stats {
    std::uint64_t hits = 0;
    std::uint64_t misses = 0;     // lookups sent upstream
    std::uint64_t coalesced = 0;  // lookups that joined one already in flight
    std::uint64_t evictions = 0;
    std::size_t entries = 0;  // expired ones count until looked up again or evicted
  };
  Stats stats() const;
  /// Drops every cached answer; lookups in flight still complete, and are cached.
  void clear();

 private:
  struct Impl;
  // Shared with the completions of lookups in flight upstream, which may outlive this object.
  std::shared_ptr<Impl> impl_;
};

}  // namespace hallmark::dns
