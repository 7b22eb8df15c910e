// SPDX-License-Identifier: Apache-2.0
// Parsed SPF records by record text, so a hot sender's policy is parsed once.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "hallmark/core/error.hpp"
#include "hallmark/export.hpp"
#include "hallmark/spf/types.hpp"

namespace hallmark::spf {

class HALLMARK_API RecordCache {
 public:
  /// Records longer than this are parsed every time rather than kept: real policies fit in
  /// a DNS packet, and the bound keeps the cache's memory at max_entries * 4 KB.
  static constexpr std::size_t max_cached_text = 4096;

  explicit RecordCache(std::size_t max_entries = 4096);
  ~RecordCache();
  RecordCache(const RecordCache&) = delete;
  RecordCache& operator=(const RecordCache&) = delete;

  using Entry = std::shared_ptr<const core::Expected<Record>>;
  /// parse_record(text), from the cache when the same text was parsed before. Thread-safe.
  Entry parse(std::string_view text);

  /// A parsed record with each mechanism's text (to_string(Mechanism)) rendered once, when it
  /// was parsed: what an evaluation reports for the term that decided, without rendering it
  /// per message.
  struct Rendered {
    core::Expected<Record> record;
    std::vector<std::string> terms;  // one per mechanism; empty when the record did not parse
  };
  /// parse() with the terms. Thread-safe.
  std::shared_ptr<const Rendered> parse_rendered(std::string_view text);

  struct Stats {
    std::uint64_t hits = 0;
    std::uint64_t misses = 0;
    std::size_t entries = 0;
  };
  Stats stats() const;

  /// The process-wide cache used when Options::record_cache is null.
  static RecordCache& shared();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace hallmark::spf
