// SPDX-License-Identifier: Apache-2.0
// Fuzzes the RFC 6376 3.2 tag=value list parser; a parsed list re-serialised parses the same,
// and the inline parser that DKIM signatures go through gives the same tags and errors.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "core/internal/inline_tag_list.hpp"
#include "hallmark/core/tag_list.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size);

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  namespace core = hallmark::core;
  std::string_view text(reinterpret_cast<const char*>(data), size);
  core::Expected<core::TagList> tags = core::parse_tag_list(text);
  core::detail::InlineTagList inline_tags;
  core::Expected<void> inline_parsed = inline_tags.parse(text);
  if (inline_parsed.has_value() != tags.has_value()) std::abort();
  if (!tags) {
    if (tags.error().offset > size) std::abort();
    if (inline_parsed.error().message != tags.error().message ||
        inline_parsed.error().offset != tags.error().offset)
      std::abort();
    return 0;
  }
  if (inline_tags.tags().size() != tags->size()) std::abort();
  for (std::size_t i = 0; i < tags->size(); ++i)
    if (inline_tags.tags()[i].name != (*tags)[i].name ||
        inline_tags.tags()[i].value_offset != (*tags)[i].value_offset)
      std::abort();
  std::string rebuilt;
  for (const core::Tag& tag : *tags) {
    // Views point into the input where the offsets say, and lookup finds every tag.
    if (text.substr(tag.offset, tag.name.size()) != tag.name) std::abort();
    if (text.substr(tag.value_offset, tag.value.size()) != tag.value) std::abort();
    if (tags->find(tag.name) != &tag) std::abort();
    rebuilt.append(tag.name).append("=").append(tag.value).append(";");
  }
  core::Expected<core::TagList> again = core::parse_tag_list(rebuilt);
  if (!again || again->size() != tags->size()) std::abort();
  for (std::size_t i = 0; i < tags->size(); ++i)
    if ((*again)[i].name != (*tags)[i].name || (*again)[i].value != (*tags)[i].value) std::abort();
  return 0;
}
