// SPDX-License-Identifier: Apache-2.0
// CachingResolver: TTL-bounded positive and negative cache (RFC 1035 3.2.1, RFC 2308) with
// LRU eviction and coalescing of identical in-flight lookups, over any Resolver.
#include "hallmark/dns/caching_resolver.hpp"

#include <time.h>

#include <algorithm>
#include <array>
#include <list>
#include <mutex>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "core/internal/seeded_hash.hpp"

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

}  // namespace

// Shared with the completions handed upstream, so a lookup finishing after the
// CachingResolver is gone still reaches its waiters without touching freed memory.
struct CachingResolver::Impl {
  explicit Impl(Resolver& up, CacheOptions opts) : upstream(up), options(std::move(opts)) {
    if (!options.now) options.now = coarse_now;
  }

  void complete(const std::string& key, AnswerPtr answer);

  Resolver& upstream;
  CacheOptions options;  // never changed after construction: read without the lock

  std::mutex mutex;
  std::list<Entry> lru;  // most recently used first
  // Keys are names senders choose: hashed with a per-process key (core::detail::SeededHash).
  std::unordered_map<std::string_view, std::list<Entry>::iterator, core::detail::SeededHash>
      index;  // keys live in lru
  std::unordered_map<std::string, std::vector<Waiter>, core::detail::SeededHash, std::equal_to<>>
      in_flight;
  Stats stats;
};

void CachingResolver::Impl::complete(const std::string& key, AnswerPtr answer) {
  seconds ttl = cache_ttl(*answer, options);
  // Allocations and frees happen outside the lock: the new node is built here and spliced
  // in; evicted nodes are spliced out into `dropped` and freed after unlocking.
  std::list<Entry> fresh, dropped;
  if (ttl.count() > 0 && options.max_entries > 0) {
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
  {
    std::lock_guard lock(mutex);
    auto flight = in_flight.find(key);
    if (flight != in_flight.end()) {
      waiters = std::move(flight->second);
      in_flight.erase(flight);
    }
    if (!fresh.empty()) {
      auto old = index.find(key);
      if (old != index.end()) {
        dropped.splice(dropped.end(), lru, old->second);
        index.erase(old);
      }
      lru.splice(lru.begin(), fresh);
      index.emplace(lru.front().key, lru.begin());
      while (index.size() > options.max_entries) {
        index.erase(lru.back().key);
        dropped.splice(dropped.end(), lru, std::prev(lru.end()));
        ++stats.evictions;
      }
    }
  }
  // Every coalesced caller gets the one answer, as the upstream gave it.
  for (Waiter& waiter : waiters) waiter.done(answer);
}

CachingResolver::CachingResolver(Resolver& upstream, CacheOptions options)
    : impl_(std::make_unique<Impl>(upstream, std::move(options))) {}

CachingResolver::~CachingResolver() = default;

void CachingResolver::lookup(std::string_view name, Type type, Completion done) {
  Key key(name, type);
  Clock::time_point now = impl_->options.now();
  AnswerPtr hit;
  std::list<Entry> expired;  // freed after unlocking
  {
    std::lock_guard lock(impl_->mutex);
    auto it = impl_->index.find(key.view());
    if (it != impl_->index.end()) {
      if (now < it->second->expires) {
        Entry& entry = *it->second;
        impl_->lru.splice(impl_->lru.begin(), impl_->lru, it->second);
        // The TTL handed out is what is left of the original, so a consumer caching the
        // answer in turn stays within it. The answer is shared by every hit; it is renewed
        // when the remaining TTL drops by a second, so that copy happens at most once a
        // second per entry.
        auto left = static_cast<std::uint32_t>(
            std::chrono::duration_cast<seconds>(entry.expires - now).count());
        if (entry.answer->ttl != left) {
          auto renewed = std::make_shared<Answer>(*entry.answer);
          renewed->ttl = left;
          entry.answer = std::move(renewed);
        }
        hit = entry.answer;
        ++impl_->stats.hits;
      } else {
        expired.splice(expired.end(), impl_->lru, it->second);
        impl_->index.erase(it);
      }
    }
    if (!hit) {
      auto [flight, first] = impl_->in_flight.try_emplace(std::string(key.view()));
      flight->second.push_back(Waiter{std::move(done)});
      if (!first) {
        ++impl_->stats.coalesced;  // the lookup in flight will answer this one too
        return;
      }
      ++impl_->stats.misses;
    }
  }
  if (hit) {
    done(std::move(hit));
    return;
  }
  // Never under the lock: the upstream may complete right here, re-entering complete().
  std::string flight_key(key.view());
  try {
    impl_->upstream.lookup(name, type, [impl = impl_, flight_key](AnswerPtr answer) {
      impl->complete(flight_key, std::move(answer));
    });
  } catch (...) {
    // No exception crosses the Resolver interface, and the waiters must not wait forever.
    impl_->complete(flight_key,
                    std::make_shared<const Answer>(Answer::with_status(
                        std::string(name), type, Status::error, "upstream lookup failed")));
  }
}

core::Pump* CachingResolver::pump() noexcept { return impl_->upstream.pump(); }

CachingResolver::Stats CachingResolver::stats() const {
  std::lock_guard lock(impl_->mutex);
  Stats stats = impl_->stats;
  stats.entries = impl_->index.size();
  return stats;
}

void CachingResolver::clear() {
  std::list<Entry> dropped;
  std::lock_guard lock(impl_->mutex);
  impl_->index.clear();
  dropped.splice(dropped.end(), impl_->lru);
}

}  // namespace hallmark::dns
