// SPDX-License-Identifier: Apache-2.0
// Decoded DKIM public keys by DNS name, kept for the record's TTL, so a hot sender's key is
// looked up and decoded once.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "hallmark/export.hpp"

namespace hallmark::dkim {

namespace detail {
struct FetchedKey;
}

class HALLMARK_API KeyCache {
 public:
  explicit KeyCache(std::size_t max_entries = 10000);
  ~KeyCache();
  KeyCache(const KeyCache&) = delete;
  KeyCache& operator=(const KeyCache&) = delete;

  /// The process-wide cache used when VerifyOptions::key_cache is null.
  static KeyCache& shared();

  struct Stats {
    std::uint64_t hits = 0;
    std::uint64_t misses = 0;
    std::size_t entries = 0;
  };
  Stats stats() const;
  void clear();

  // Used by the verifier. Thread-safe.
  std::shared_ptr<const detail::FetchedKey> find(std::string_view name,
                                                 std::chrono::steady_clock::time_point now);
  void store(std::string name, std::shared_ptr<const detail::FetchedKey> key,
             std::chrono::steady_clock::time_point expires);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace hallmark::dkim
