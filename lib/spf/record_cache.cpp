// SPDX-License-Identifier: Apache-2.0
// Parsed SPF records keyed by their text: core's ParseCache behind the public interface.
#include "hallmark/spf/record_cache.hpp"

#include "core/internal/parse_cache.hpp"
#include "hallmark/spf/record.hpp"

namespace hallmark::spf {

struct RecordCache::Impl {
  explicit Impl(std::size_t limit) : cache(limit, max_cached_text) {}
  core::detail::ParseCache<core::Expected<Record>> cache;
};

RecordCache::RecordCache(std::size_t max_entries) : impl_(std::make_unique<Impl>(max_entries)) {}
RecordCache::~RecordCache() = default;

RecordCache::Entry RecordCache::parse(std::string_view text) {
  return impl_->cache.get(text, [](std::string_view t) { return parse_record(t); });
}

RecordCache::Stats RecordCache::stats() const {
  auto inner = impl_->cache.stats();
  return Stats{inner.hits, inner.misses, inner.entries};
}

RecordCache& RecordCache::shared() {
  static RecordCache cache;
  return cache;
}

}  // namespace hallmark::spf
