// SPDX-License-Identifier: Apache-2.0
// Parsed SPF records keyed by their text: core's ParseCache behind the public interface.
#include "hallmark/spf/record_cache.hpp"

#include "core/internal/parse_cache.hpp"
#include "hallmark/spf/record.hpp"

namespace hallmark::spf {

namespace {

RecordCache::Rendered render(std::string_view text) {
  RecordCache::Rendered out{parse_record(text), {}};
  if (out.record) {
    out.terms.reserve(out.record->mechanisms.size());
    for (const Mechanism& mechanism : out.record->mechanisms)
      out.terms.push_back(to_string(mechanism));
  }
  return out;
}

}  // namespace

struct RecordCache::Impl {
  explicit Impl(std::size_t limit) : cache(limit, max_cached_text) {}
  core::detail::ParseCache<Rendered> cache;
};

RecordCache::RecordCache(std::size_t max_entries) : impl_(std::make_unique<Impl>(max_entries)) {}
RecordCache::~RecordCache() = default;

RecordCache::Entry RecordCache::parse(std::string_view text) {
  std::shared_ptr<const Rendered> rendered = parse_rendered(text);
  const core::Expected<Record>* record = &rendered->record;
  return Entry(std::move(rendered), record);  // shares the cache's entry, no copy
}

std::shared_ptr<const RecordCache::Rendered> RecordCache::parse_rendered(std::string_view text) {
  return impl_->cache.get(text, render);
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
