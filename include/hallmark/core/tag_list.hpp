// SPDX-License-Identifier: Apache-2.0
// The RFC 6376 3.2 tag=value list shared by DKIM signatures and keys, ARC headers and DMARC.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "hallmark/core/error.hpp"
#include "hallmark/export.hpp"

namespace hallmark::core {

class TagList;
/// Parses `tag-list = tag-spec *( ";" tag-spec ) [ ";" ]` (RFC 6376 3.2). White space (SP,
/// HTAB, CR, LF) around names, '=' and ';' is dropped; an empty or all-blank text gives an
/// empty list. Values may hold %x21-3A / %x3C-7E, inner white space, and octets from 0x80 up
/// (UTF-8, which RFC 6376 3.2 advises not to preclude). O(n log n) in the number of tags.
/// The result holds views into `text`, which must outlive it.
/// Errors: Errc::syntax for a name not matching ALPHA *(ALPHA / DIGIT / "_"), a missing '=',
/// an empty tag-spec (";;"), or a control character in a value; Errc::duplicate_tag for a
/// name that occurs twice (RFC 6376 3.2: the entire list is invalid); Errc::too_many past
/// 2^32 - 1 tags. The offset is that of the offending character or repeated tag.
HALLMARK_API Expected<TagList> parse_tag_list(std::string_view text);
/// A temporary std::string would die before the views into it: refused at compile time.
template <class String>
requires std::is_same_v<std::remove_cv_t<String>, std::string> Expected<TagList> parse_tag_list(
    String&& text)
= delete;

/// One tag-spec. The views point into the text given to parse_tag_list().
struct Tag {
  std::string_view name;         // case-sensitive (RFC 6376 3.2)
  std::string_view value;        // FWS around it removed, FWS inside kept; may be empty
  std::size_t offset = 0;        // of the name in the parsed text
  std::size_t value_offset = 0;  // of the value (where it would start, when empty)

  friend bool operator==(const Tag&, const Tag&) = default;
};

/// Tags in the order they appear, with lookup by name. Holds views into the parsed text, which
/// must outlive it.
class HALLMARK_API TagList {
 public:
  using const_iterator = std::vector<Tag>::const_iterator;

  const_iterator begin() const noexcept { return tags_.begin(); }
  const_iterator end() const noexcept { return tags_.end(); }
  std::size_t size() const noexcept { return tags_.size(); }
  bool empty() const noexcept { return tags_.empty(); }
  const Tag& operator[](std::size_t index) const noexcept { return tags_[index]; }
  std::span<const Tag> tags() const noexcept { return tags_; }

  /// The tag called `name` (case-sensitive), or nullptr. O(log n).
  const Tag* find(std::string_view name) const noexcept;
  bool contains(std::string_view name) const noexcept { return find(name) != nullptr; }

 private:
  friend Expected<TagList> parse_tag_list(std::string_view text);

  std::vector<Tag> tags_;
  std::vector<std::uint32_t> by_name_;  // indices into tags_, sorted by name
};

}  // namespace hallmark::core
