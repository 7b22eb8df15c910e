// SPDX-License-Identifier: Apache-2.0
// A tag list parsed without the heap when it is short: for the lists parsed once per message
// (a DKIM-Signature has about a dozen tags), where a TagList would cost two allocations each.
// Library-private.
#pragma once

#include <array>
#include <cstddef>
#include <optional>
#include <span>
#include <string_view>

#include "hallmark/core/tag_list.hpp"

namespace hallmark::core::detail {

class InlineTagList {
 public:
  /// Lists with more tags than this are parsed into a TagList on the heap.
  static constexpr std::size_t capacity = 16;

  InlineTagList() = default;
  // tags() may point into this object.
  InlineTagList(const InlineTagList&) = delete;
  InlineTagList& operator=(const InlineTagList&) = delete;

  /// Parses `text`, which must outlive the tags, as core::parse_tag_list() does: the same tags
  /// and the same errors.
  Expected<void> parse(std::string_view text);

  /// The tags in the order they appear.
  std::span<const Tag> tags() const noexcept {
    if (heap_) return heap_->tags();
    return std::span<const Tag>(inline_).first(size_);
  }

 private:
  std::array<Tag, capacity> inline_;
  std::size_t size_ = 0;
  std::optional<TagList> heap_;
};

}  // namespace hallmark::core::detail
