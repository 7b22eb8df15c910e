// SPDX-License-Identifier: Apache-2.0
// A per-thread front for a cache that every thread shares. A hit on a hot entry reads only
// the calling thread's slot: no lock, no cache line that other threads write. Two threads
// verifying through one shared cache then scale as two, where a lock (or an LRU splice) on
// every hit made them take turns. Library-private.
#pragma once

#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

namespace hallmark::core::detail {

/// A process-unique, non-zero identity for a cache instance; slots record which cache filled
/// them, so a cache built where a destroyed one lived never sees that one's entries.
std::uint64_t next_cache_identity() noexcept;

/// A fast, unkeyed hash that picks a slot or a shard. The front is direct-mapped: names that
/// collide only evict each other back to the shared cache (whose own table is keyed, see
/// seeded_hash.hpp), so a sender choosing colliding names gains nothing.
std::uint64_t slot_hash(std::string_view key) noexcept;

/// Direct-mapped slots of one Value type, one table per thread, shared by every cache of that
/// type on the thread. Each slot keeps its key's text, so a hit compares exactly.
template <class Value, std::size_t Slots = 256>
class ThreadFront {
 public:
  // Over-aligned so that the holder's reference count, written on every hit, shares its cache
  // line with nothing another thread writes (two threads' small blocks may be neighbours).
  struct alignas(64) Holder {
    std::shared_ptr<const Value> value;
  };

  struct Slot {
    std::uint64_t owner = 0;       // next_cache_identity() of the cache that filled it
    std::uint64_t generation = 0;  // the owner's generation then (a clear() moves it on)
    std::uint64_t hash = 0;
    std::string key;
    std::shared_ptr<const Value> value;
    std::int64_t expires = 0;  // in the owner's clock, when it has one

    bool holds(std::uint64_t id, std::uint64_t gen, std::uint64_t h,
               std::string_view k) const noexcept {
      return owner == id && generation == gen && hash == h && key == k;
    }
    /// Keeps `v` for this thread. The pointer kept (and handed out by every hit) owns `v`
    /// through a reference count of this thread's own: copying the shared one on each hit
    /// would have every thread write the same cache line, the very contention the front is
    /// here to avoid.
    void fill(std::uint64_t id, std::uint64_t gen, std::uint64_t h, std::string_view k,
              std::shared_ptr<const Value> v, std::int64_t until) {
      owner = id;
      generation = gen;
      hash = h;
      key.assign(k);  // the slot's buffer is reused: no allocation once it is big enough
      const Value* raw = v.get();
      auto holder = std::make_shared<const Holder>(Holder{std::move(v)});
      value = std::shared_ptr<const Value>(std::move(holder), raw);
      expires = until;
    }

    void drop() noexcept {
      owner = 0;
      value.reset();
    }
  };

  /// This thread's slot for `hash`.
  static Slot& slot(std::uint64_t hash) {
    // Allocated on a thread's first use, so threads that never look anything up pay nothing.
    thread_local std::unique_ptr<std::array<Slot, Slots>> table;
    if (!table) table = std::make_unique<std::array<Slot, Slots>>();
    return (*table)[hash % Slots];
  }
};

/// A counter that many threads bump: each thread adds to its own cache line, and the sum is
/// read rarely (statistics).
class StripedCounter {
 public:
  void add(std::uint64_t n = 1) noexcept {
    cells_[stripe()].value.fetch_add(n, std::memory_order_relaxed);
  }
  std::uint64_t sum() const noexcept {
    std::uint64_t total = 0;
    for (const Cell& cell : cells_) total += cell.value.load(std::memory_order_relaxed);
    return total;
  }

 private:
  static constexpr std::size_t stripes = 16;
  struct alignas(64) Cell {
    std::atomic<std::uint64_t> value{0};
  };
  static std::size_t stripe() noexcept;
  std::array<Cell, stripes> cells_{};
};

}  // namespace hallmark::core::detail
