// SPDX-License-Identifier: Apache-2.0
// CachingResolver: TTL-bounded positive and negative cache (RFC 1035 3.2.1, RFC 2308) with
// LRU eviction and coalescing of identical in-flight lookups, over any Resolver.
#include "hallmark/dns/caching_resolver.hpp"

#include <time.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <list>
#include <mutex>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "core/internal/seeded_hash.hpp"
#include "core/internal/thread_front.hpp"

namespace hallmark::dns {
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::seconds;

// steady_clock is CLOCK_MONOTONIC; its coarse variant shares the epoch and is read from the
// vDSO without the fine clock's hardware counter.
Clock::time_point coarse_now() noexcept {
  timespec now{};
  clock_gettime(CLOCK_MONOTONIC_COARSE, &now);
  return Clock::time_point(std::chrono::duration_cast<Clock::duration>(
      std::chrono::seconds(now.tv_sec) + std::chrono::nanoseconds(now.tv_nsec)));
}

// RFC 2308 7.1: a server failure may be cached for at most five minutes.
constexpr seconds max_failure_ttl{300};

// Cache key: the type in two octets, then the name without its trailing dot, ASCII letters
// lowered (RFC 4343). Built on the stack for ordinary names, so a hit allocates no key.
class Key {
 public:
  Key(std::string_view name, Type type) {
    if (!name.empty() && name.back() == '.') name.remove_suffix(1);
    size_ = name.size() + 2;
    char* out = small_.data();
    if (size_ > small_.size()) {
      large_.resize(size_);
      out = large_.data();
    }
    auto number = static_cast<std::uint16_t>(type);
    out[0] = static_cast<char>(number >> 8);
    out[1] = static_cast<char>(number & 0xff);
    for (std::size_t i = 0; i < name.size(); ++i) {
      char c = name[i];
      out[i + 2] = c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : c;
    }
    data_ = out;
  }
  Key(const Key&) = delete;
  Key& operator=(const Key&) = delete;
  std::string_view view() const noexcept { return {data_, size_}; }

 private:
  std::array<char, 258> small_;
  std::string large_;
  const char* data_ = nullptr;
  std::size_t size_ = 0;
};

struct Entry {
  std::string key;
  std::shared_ptr<const Answer> answer;
  Clock::time_point expires;
};

struct Waiter {
  Resolver::Completion done;
};

// How long `answer` may be kept; zero means not at all.
seconds cache_ttl(const Answer& answer, const CacheOptions& options) {
  seconds ttl{answer.ttl};
  switch (answer.status) {
    case Status::noerror: return std::min(ttl, options.max_ttl);
    // RFC 2308 5: negative answers live as long as the SOA says, capped locally.
    case Status::nxdomain:
    case Status::nodata: return std::min({ttl, options.max_negative_ttl, options.max_ttl});
    // RFC 2308 7: failures are the resolver's own state, not data; cached only on request.
    case Status::servfail:
    case Status::timeout:
    case Status::refused:
    case Status::error: return std::min({options.failure_ttl, max_failure_ttl, options.max_ttl});
  }
  return seconds{0};
}

std::uint32_t seconds_left(Clock::time_point expires, Clock::time_point now) noexcept {
  return static_cast<std::uint32_t>(std::chrono::duration_cast<seconds>(expires - now).count());
}

// One lock's worth of the cache. Misses and fills on different shards never wait for each
// other; hits mostly never get here (the per-thread front answers them).
struct Shard {
  std::mutex mutex;
  std::list<Entry> lru;  // most recently used first
  // Keys are names senders choose: hashed with a per-process key (core::detail::SeededHash).
  std::unordered_map<std::string_view, std::list<Entry>::iterator, core::detail::SeededHash>
      index;  // keys live in lru
  std::unordered_map<std::string, std::vector<Waiter>, core::detail::SeededHash, std::equal_to<>>
      in_flight;
  std::uint64_t misses = 0;
  std::uint64_t coalesced = 0;
  std::uint64_t evictions = 0;
};

using Front = core::detail::ThreadFront<Answer>;

// Sharding splits the size bound; a small cache keeps one shard so its LRU order is exact.
constexpr std::size_t sharded_from_entries = 1024;
constexpr std::size_t shards_when_large = 16;

}  // namespace

// Shared with the completions handed upstream, so a lookup finishing after the
// CachingResolver is gone still reaches its waiters without touching freed memory.
struct CachingResolver::Impl {
  explicit Impl(Resolver& up, CacheOptions opts)
      : upstream(up),
        options(std::move(opts)),
        shard_count(options.max_entries >= sharded_from_entries ? shards_when_large : 1),
        per_shard_entries(options.max_entries / shard_count),
        shards(std::make_unique<Shard[]>(shard_count)) {
    if (!options.now) options.now = coarse_now;
  }

  Shard& shard_for(std::uint64_t hash) noexcept { return shards[(hash >> 40) % shard_count]; }
  bool caches() const noexcept { return options.max_entries > 0; }

  // The answer for `key` at `now` with the TTL left, from this thread's front or the shared
  // entry; null when there is none.
  AnswerPtr hit(std::string_view key, std::uint64_t hash, Clock::time_point now);
  // The shared entry's answer, under the shard's lock; an expired entry is moved to `expired`.
  AnswerPtr shared_hit(Shard& shard, std::string_view key, Clock::time_point now,
                       std::list<Entry>& expired, Clock::time_point& expires);
  void complete(const std::string& key, std::uint64_t hash, AnswerPtr answer);

  Resolver& upstream;
  CacheOptions options;  // never changed after construction: read without a lock
  const std::uint64_t identity = core::detail::next_cache_identity();
  // Moved on by clear(), after the shards are emptied: a front slot filled before is stale.
  std::atomic<std::uint64_t> generation{0};
  const std::size_t shard_count;
  const std::size_t per_shard_entries;
  std::unique_ptr<Shard[]> shards;
  core::detail::StripedCounter hits;
};

AnswerPtr CachingResolver::Impl::shared_hit(Shard& shard, std::string_view key,
                                            Clock::time_point now, std::list<Entry>& expired,
                                            Clock::time_point& expires) {
  auto it = shard.index.find(key);
  if (it == shard.index.end()) return nullptr;
  Entry& entry = *it->second;
  if (now >= entry.expires) {
    expired.splice(expired.end(), shard.lru, it->second);
    shard.index.erase(it);
    return nullptr;
  }
  shard.lru.splice(shard.lru.begin(), shard.lru, it->second);
  // The TTL handed out is what is left of the original, so a consumer caching the answer in
  // turn stays within it. The answer is shared by every hit; it is renewed when the remaining
  // TTL drops by a second, so that copy happens at most once a second per entry.
  std::uint32_t left = seconds_left(entry.expires, now);
  if (entry.answer->ttl != left) {
    auto renewed = std::make_shared<Answer>(*entry.answer);
    renewed->ttl = left;
    entry.answer = std::move(renewed);
  }
  expires = entry.expires;
  return entry.answer;
}

AnswerPtr CachingResolver::Impl::hit(std::string_view key, std::uint64_t hash,
                                     Clock::time_point now) {
  // Read before the shared entry: a clear() that empties the shards after this read moves the
  // generation on, and the slot filled below is then stale rather than wrong.
  const std::uint64_t gen = generation.load(std::memory_order_acquire);
  Front::Slot& slot = Front::slot(hash);
  if (slot.holds(identity, gen, hash, key)) {
    const Clock::time_point expires{Clock::duration(slot.expires)};
    if (now < expires) {
      if (slot.value->ttl == seconds_left(expires, now)) {
        hits.add();
        return slot.value;
      }
      // A second has gone by: the shared entry gives the renewed answer, and learns that
      // it is still in use (the front's hits do not reorder the LRU).
    } else {
      slot.drop();
    }
  }
  Shard& shard = shard_for(hash);
  std::list<Entry> expired;  // freed after unlocking
  Clock::time_point expires;
  AnswerPtr answer;
  {
    std::lock_guard lock(shard.mutex);
    answer = shared_hit(shard, key, now, expired, expires);
  }
  if (!answer) return nullptr;
  hits.add();
  slot.fill(identity, gen, hash, key, std::move(answer), expires.time_since_epoch().count());
  return slot.value;
}

void CachingResolver::Impl::complete(const std::string& key, std::uint64_t hash, AnswerPtr answer) {
  seconds ttl = cache_ttl(*answer, options);
  // Allocations and frees happen outside the lock: the new node is built here and spliced
  // in; evicted nodes are spliced out into `dropped` and freed after unlocking.
  std::list<Entry> fresh, dropped;
  if (ttl.count() > 0 && caches()) {
    // The entry's answer carries the TTL the cache keeps it for, so hits can share it as is.
    AnswerPtr kept = answer;
    if (seconds(answer->ttl) != ttl) {
      auto capped = std::make_shared<Answer>(*answer);
      capped->ttl = static_cast<std::uint32_t>(ttl.count());
      kept = std::move(capped);
    }
    fresh.push_back(Entry{key, std::move(kept), options.now() + ttl});
  }
  std::vector<Waiter> waiters;
  Shard& shard = shard_for(hash);
  {
    std::lock_guard lock(shard.mutex);
    auto flight = shard.in_flight.find(key);
    if (flight != shard.in_flight.end()) {
      waiters = std::move(flight->second);
      shard.in_flight.erase(flight);
    }
    if (!fresh.empty()) {
      auto old = shard.index.find(key);
      if (old != shard.index.end()) {
        dropped.splice(dropped.end(), shard.lru, old->second);
        shard.index.erase(old);
      }
      shard.lru.splice(shard.lru.begin(), fresh);
      shard.index.emplace(shard.lru.front().key, shard.lru.begin());
      while (shard.index.size() > per_shard_entries) {
        shard.index.erase(shard.lru.back().key);
        dropped.splice(dropped.end(), shard.lru, std::prev(shard.lru.end()));
        ++shard.evictions;
      }
    }
  }
  // Every coalesced caller gets the one answer, as the upstream gave it.
  for (Waiter& waiter : waiters) waiter.done(answer);
}

CachingResolver::CachingResolver(Resolver& upstream, CacheOptions options)
    : impl_(std::make_unique<Impl>(upstream, std::move(options))) {}

CachingResolver::~CachingResolver() = default;

AnswerPtr CachingResolver::cached(std::string_view name, Type type) {
  if (!impl_->caches()) return nullptr;
  Key key(name, type);
  return impl_->hit(key.view(), core::detail::slot_hash(key.view()), impl_->options.now());
}

void CachingResolver::lookup(std::string_view name, Type type, Completion done) {
  Key key(name, type);
  const std::uint64_t hash = core::detail::slot_hash(key.view());
  Clock::time_point now = impl_->options.now();
  if (impl_->caches()) {
    if (AnswerPtr answer = impl_->hit(key.view(), hash, now)) {
      done(std::move(answer));
      return;
    }
  }
  Shard& shard = impl_->shard_for(hash);
  // An upstream without a pump answers inside lookup() (Resolver::pump): joining another
  // thread's lookup of it would leave this caller waiting on that thread with nothing to pump
  // (sync_wait aborts then), and asking it twice costs no more than the wait would.
  const bool coalesce = impl_->upstream.completes_later();
  AnswerPtr answer;
  std::list<Entry> expired;  // freed after unlocking
  {
    std::lock_guard lock(shard.mutex);
    // Checked again under the lock that registers the flight: an answer may have landed
    // since, and two misses must not both go upstream.
    Clock::time_point expires;
    answer = impl_->shared_hit(shard, key.view(), now, expired, expires);
    if (!answer && !coalesce) {
      ++shard.misses;
    } else if (!answer) {
      auto [flight, first] = shard.in_flight.try_emplace(std::string(key.view()));
      flight->second.push_back(Waiter{std::move(done)});
      if (!first) {
        ++shard.coalesced;  // the lookup in flight will answer this one too
        return;
      }
      ++shard.misses;
    }
  }
  if (answer) {
    impl_->hits.add();
    done(std::move(answer));
    return;
  }
  // Never under the lock: the upstream may complete right here, re-entering complete().
  std::string flight_key(key.view());
  // Without coalescing, this caller is answered directly rather than as a waiter.
  struct Direct {
    Completion done;
    bool answered = false;
  };
  std::shared_ptr<Direct> direct;
  if (!coalesce) direct = std::make_shared<Direct>(Direct{std::move(done)});
  try {
    impl_->upstream.lookup(name, type,
                           [impl = impl_, flight_key, hash, direct](AnswerPtr upstream_answer) {
                             impl->complete(flight_key, hash, upstream_answer);
                             if (direct) {
                               direct->answered = true;
                               direct->done(std::move(upstream_answer));
                             }
                           });
  } catch (...) {
    // No exception crosses the Resolver interface, and the waiters must not wait forever.
    auto failed = std::make_shared<const Answer>(
        Answer::with_status(std::string(name), type, Status::error, "upstream lookup failed"));
    impl_->complete(flight_key, hash, failed);
    if (direct && !direct->answered) direct->done(std::move(failed));
  }
}

core::Pump* CachingResolver::pump() noexcept { return impl_->upstream.pump(); }

bool CachingResolver::completes_later() noexcept { return impl_->upstream.completes_later(); }

CachingResolver::Stats CachingResolver::stats() const {
  Stats stats;
  for (std::size_t i = 0; i < impl_->shard_count; ++i) {
    Shard& shard = impl_->shards[i];
    std::lock_guard lock(shard.mutex);
    stats.misses += shard.misses;
    stats.coalesced += shard.coalesced;
    stats.evictions += shard.evictions;
    stats.entries += shard.index.size();
  }
  stats.hits = impl_->hits.sum();
  return stats;
}

void CachingResolver::clear() {
  for (std::size_t i = 0; i < impl_->shard_count; ++i) {
    std::list<Entry> dropped;  // freed after unlocking
    Shard& shard = impl_->shards[i];
    std::lock_guard lock(shard.mutex);
    shard.index.clear();
    dropped.splice(dropped.end(), shard.lru);
  }
  // After the shards are empty, so every thread's front slot filled before is now stale.
  impl_->generation.fetch_add(1, std::memory_order_acq_rel);
}

}  // namespace hallmark::dns
