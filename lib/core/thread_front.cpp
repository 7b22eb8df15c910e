// SPDX-License-Identifier: Apache-2.0
// Identities, slot hashing and counter stripes for the per-thread cache fronts.
#include "core/internal/thread_front.hpp"

#include <cstring>

namespace hallmark::core::detail {

std::uint64_t next_cache_identity() noexcept {
  static std::atomic<std::uint64_t> last{0};
  return last.fetch_add(1, std::memory_order_relaxed) + 1;
}

// FNV-1a over 8-byte words, then a final mix so the low bits (the slot) and the high bits
// (the shard) both depend on every byte.
std::uint64_t slot_hash(std::string_view key) noexcept {
  constexpr std::uint64_t prime = 0x100000001b3ULL;
  std::uint64_t h = 0xcbf29ce484222325ULL ^ key.size();
  std::size_t i = 0;
  for (; i + 8 <= key.size(); i += 8) {
    std::uint64_t word = 0;
    std::memcpy(&word, key.data() + i, 8);
    h = (h ^ word) * prime;
  }
  if (i < key.size()) {
    // The last eight bytes, overlapping the words above, in one fixed-size load: a memcpy of
    // a variable length is a library call, which cost more than the rest of the hash.
    std::uint64_t tail = 0;
    if (key.size() >= 8) {
      std::memcpy(&tail, key.data() + key.size() - 8, 8);
    } else {
      for (std::size_t j = i; j < key.size(); ++j)
        tail = (tail << 8) | static_cast<unsigned char>(key[j]);
    }
    h = (h ^ tail) * prime;
  }
  h ^= h >> 33;
  h *= 0xff51afd7ed558ccdULL;
  h ^= h >> 33;
  return h;
}

std::size_t StripedCounter::stripe() noexcept {
  static std::atomic<std::size_t> next{0};
  thread_local const std::size_t mine = next.fetch_add(1, std::memory_order_relaxed) % stripes;
  return mine;
}

}  // namespace hallmark::core::detail
