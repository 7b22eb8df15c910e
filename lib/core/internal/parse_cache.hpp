// SPDX-License-Identifier: Apache-2.0
// A bounded, thread-safe LRU of parse results keyed by the text parsed, so the policy of a hot
// domain (an SPF or DMARC record) is parsed once, not once per message. Layer-private.
#pragma once

#include <cstddef>
#include <cstdint>
#include <list>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>

#include "core/internal/seeded_hash.hpp"
#include "core/internal/thread_front.hpp"

namespace hallmark::core::detail {

template <class Value>
class ParseCache {
 public:
  using Entry = std::shared_ptr<const Value>;

  struct Stats {
    std::uint64_t hits = 0;
    std::uint64_t misses = 0;
    std::size_t entries = 0;
  };

  /// Texts longer than `max_text` are parsed every time rather than kept, which bounds the
  /// memory at about max_entries * max_text.
  ParseCache(std::size_t max_entries, std::size_t max_text)
      : max_entries_(max_entries == 0 ? 1 : max_entries), max_text_(max_text) {}
  ParseCache(const ParseCache&) = delete;
  ParseCache& operator=(const ParseCache&) = delete;

  /// parse(text), from the cache when the same text was parsed before. A text this thread
  /// used lately is found in its front (thread_front.hpp) without the lock.
  template <class Parse>
  Entry get(std::string_view text, Parse&& parse) {
    if (text.size() > max_text_) return std::make_shared<const Value>(parse(text));
    const bool fronted = text.size() <= max_front_text;
    const std::uint64_t hash = fronted ? slot_hash(text) : 0;
    if (fronted) {
      auto& slot = Front::slot(hash);
      if (slot.holds(identity_, 0, hash, text)) {
        hits_.add();
        return slot.value;
      }
    }
    Entry found;
    {
      std::lock_guard lock(mutex_);
      if (auto it = index_.find(text); it != index_.end()) {
        order_.splice(order_.begin(), order_, it->second);
        found = it->second->second;
      } else {
        ++stats_.misses;
      }
    }
    if (found) {
      hits_.add();
      if (!fronted) return found;
      // Filled outside the lock: it allocates the thread's holder.
      auto& slot = Front::slot(hash);
      slot.fill(identity_, 0, hash, text, std::move(found), 0);
      return slot.value;
    }
    // Parse outside the lock: another thread may parse the same text meanwhile, which is
    // harmless (the first insert wins) and cheaper than serialising every parse.
    auto entry = std::make_shared<const Value>(parse(text));
    std::lock_guard lock(mutex_);
    if (auto it = index_.find(text); it != index_.end()) return it->second->second;
    order_.emplace_front(std::string(text), entry);
    index_.emplace(order_.front().first, order_.begin());
    if (order_.size() > max_entries_) {
      index_.erase(order_.back().first);
      order_.pop_back();
    }
    return entry;
  }

  Stats stats() const {
    std::lock_guard lock(mutex_);
    Stats out = stats_;
    out.hits = hits_.sum();
    out.entries = order_.size();
    return out;
  }

 private:
  using Front = ThreadFront<Value>;
  // Real policies are a few hundred octets; longer texts skip the front, which bounds what
  // each thread's slots hold.
  static constexpr std::size_t max_front_text = 512;
  const std::uint64_t identity_ = next_cache_identity();
  StripedCounter hits_;
  std::size_t max_entries_;
  std::size_t max_text_;
  mutable std::mutex mutex_;
  // Most recently used first; the map's keys point into the list's strings.
  std::list<std::pair<std::string, Entry>> order_;
  // Record texts are the sender's: hashed with a per-process key.
  std::unordered_map<std::string_view, typename decltype(order_)::iterator, SeededHash> index_;
  Stats stats_;
};

}  // namespace hallmark::core::detail
