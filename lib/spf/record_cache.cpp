// SPDX-License-Identifier: Apache-2.0
// A bounded, thread-safe LRU of parsed SPF records keyed by their text.
#include "hallmark/spf/record_cache.hpp"

#include <list>
#include <mutex>
#include <string>
#include <unordered_map>

#include "hallmark/spf/record.hpp"

namespace hallmark::spf {

struct RecordCache::Impl {
  explicit Impl(std::size_t limit) : max_entries(limit == 0 ? 1 : limit) {}

  std::size_t max_entries;
  mutable std::mutex mutex;
  // Most recently used first; the map points into the list.
  std::list<std::pair<std::string, Entry>> order;
  std::unordered_map<std::string_view, decltype(order)::iterator> index;
  Stats stats;
};

RecordCache::RecordCache(std::size_t max_entries) : impl_(std::make_unique<Impl>(max_entries)) {}
RecordCache::~RecordCache() = default;

RecordCache::Entry RecordCache::parse(std::string_view text) {
  if (text.size() > max_cached_text)
    return std::make_shared<const core::Expected<Record>>(parse_record(text));
  {
    std::lock_guard lock(impl_->mutex);
    if (auto it = impl_->index.find(text); it != impl_->index.end()) {
      impl_->order.splice(impl_->order.begin(), impl_->order, it->second);
      ++impl_->stats.hits;
      return it->second->second;
    }
    ++impl_->stats.misses;
  }
  // Parse outside the lock: another thread may parse the same text meanwhile, which is
  // harmless (the first insert wins) and cheaper than serialising every parse.
  auto entry = std::make_shared<const core::Expected<Record>>(parse_record(text));
  std::lock_guard lock(impl_->mutex);
  if (auto it = impl_->index.find(text); it != impl_->index.end()) return it->second->second;
  impl_->order.emplace_front(std::string(text), entry);
  impl_->index.emplace(impl_->order.front().first, impl_->order.begin());
  if (impl_->order.size() > impl_->max_entries) {
    impl_->index.erase(impl_->order.back().first);
    impl_->order.pop_back();
  }
  return entry;
}

RecordCache::Stats RecordCache::stats() const {
  std::lock_guard lock(impl_->mutex);
  Stats out = impl_->stats;
  out.entries = impl_->order.size();
  return out;
}

RecordCache& RecordCache::shared() {
  static RecordCache cache;
  return cache;
}

}  // namespace hallmark::spf
