// SPDX-License-Identifier: Apache-2.0
// One pass over an RFC 6376 3.2 tag=value list, then a sort of the names to find duplicates.
#include "hallmark/core/tag_list.hpp"

#include <algorithm>
#include <array>
#include <limits>
#include <numeric>

#include <fmt/format.h>

#include "core/internal/inline_tag_list.hpp"

namespace hallmark::core {
namespace {

enum class Octet : std::uint8_t { invalid, space, separator, value, name, alpha };

constexpr std::array<Octet, 256> make_classes() {
  std::array<Octet, 256> table{};
  table.fill(Octet::invalid);
  // RFC 6376 3.2 VALCHAR = %x21-3A / %x3C-7E. Octets from 0x80 up are taken as value text too:
  // the informative note there advises not to preclude UTF-8.
  for (std::size_t c = 0x21; c <= 0xff; ++c) table[c] = Octet::value;
  table[0x7f] = Octet::invalid;
  table[';'] = Octet::separator;
  // FWS is [*WSP CRLF] 1*WSP; a bare CR or LF is taken as white space as well, since MTAs
  // differ in how they hand over folded header lines.
  table[' '] = table['\t'] = table['\r'] = table['\n'] = Octet::space;
  // ALNUMPUNC = ALPHA / DIGIT / "_"
  for (char c = '0'; c <= '9'; ++c) table[static_cast<unsigned char>(c)] = Octet::name;
  table['_'] = Octet::name;
  for (char c = 'a'; c <= 'z'; ++c) {
    table[static_cast<unsigned char>(c)] = Octet::alpha;
    table[static_cast<unsigned char>(c - 'a' + 'A')] = Octet::alpha;
  }
  return table;
}
constexpr std::array<Octet, 256> classes = make_classes();

Octet class_of(char c) noexcept { return classes[static_cast<unsigned char>(c)]; }
bool is_value(Octet o) noexcept {
  return o == Octet::value || o == Octet::name || o == Octet::alpha;
}

std::string describe(char c) {
  auto octet = static_cast<unsigned char>(c);
  if (octet > 0x20 && octet < 0x7f) return fmt::format("'{}'", c);
  return fmt::format("0x{:02x}", octet);
}

std::string quote(std::string_view name) {
  // Names are ALPHA *ALNUMPUNC, so printable; only their length needs bounding.
  if (name.size() <= 40) return std::string(name);
  return fmt::format("{}...", name.substr(0, 40));
}

// Reads one tag-spec starting at `i` (past any white space) up to, not past, its ';'.
Expected<Tag> parse_tag_spec(std::string_view text, std::size_t& i) {
  const std::size_t n = text.size();
  if (text[i] == ';') return fail(Errc::syntax, fmt::format("empty tag at offset {}", i), i);
  if (class_of(text[i]) != Octet::alpha)
    return fail(
        Errc::syntax,
        fmt::format("tag name starts with {} at offset {}, not a letter", describe(text[i]), i), i);
  Tag tag;
  tag.offset = i;
  while (++i < n && (class_of(text[i]) == Octet::alpha || class_of(text[i]) == Octet::name)) {
  }
  tag.name = text.substr(tag.offset, i - tag.offset);
  while (i < n && class_of(text[i]) == Octet::space) ++i;
  if (i == n || text[i] != '=') {
    if (i < n && text[i] != ';' && class_of(text[i - 1]) != Octet::space)
      return fail(Errc::syntax,
                  fmt::format("invalid character {} at offset {} in tag name '{}'",
                              describe(text[i]), i, quote(tag.name)),
                  i);
    return fail(Errc::syntax,
                fmt::format("tag '{}' at offset {} has no '='", quote(tag.name), tag.offset), i);
  }
  ++i;
  while (i < n && class_of(text[i]) == Octet::space) ++i;
  tag.value_offset = i;
  std::size_t value_end = i;  // one past the last non-blank octet
  for (; i < n; ++i) {
    Octet octet = class_of(text[i]);
    if (octet == Octet::separator) break;
    if (octet == Octet::space) continue;
    if (!is_value(octet))
      return fail(Errc::syntax,
                  fmt::format("invalid character {} at offset {} in the value of tag '{}'",
                              describe(text[i]), i, quote(tag.name)),
                  i);
    value_end = i + 1;
  }
  tag.value = text.substr(tag.value_offset, value_end - tag.value_offset);
  return tag;
}

std::size_t skip_space(std::string_view text, std::size_t i) noexcept {
  while (i < text.size() && class_of(text[i]) == Octet::space) ++i;
  return i;
}

// The tag-spec at `i` (past any white space), leaving `i` past its ';' and the white space
// after it: at the next tag-spec, or at the end.
Expected<Tag> next_tag(std::string_view text, std::size_t& i) {
  Expected<Tag> tag = parse_tag_spec(text, i);
  // RFC 6376 3.2 allows a ';' after the last tag-spec.
  if (tag && i < text.size()) i = skip_space(text, i + 1);
  return tag;
}

// RFC 6376 3.2: "Tags with duplicate names MUST NOT occur". Sorting the indices by name finds
// them in O(n log n) whatever the input, where a hash set could be driven quadratic.
// `by_name` has one slot per tag.
Expected<void> index_names(std::span<const Tag> tags, std::span<std::uint32_t> by_name) {
  std::iota(by_name.begin(), by_name.end(), std::uint32_t{0});
  std::sort(by_name.begin(), by_name.end(), [&tags](std::uint32_t a, std::uint32_t b) {
    int order = tags[a].name.compare(tags[b].name);
    return order < 0 || (order == 0 && a < b);
  });
  // Report the repeat that comes first in the text, so the message does not depend on names.
  std::size_t repeat = tags.size();
  for (std::size_t k = 1; k < by_name.size(); ++k)
    if (tags[by_name[k]].name == tags[by_name[k - 1]].name)
      repeat = std::min<std::size_t>(repeat, by_name[k]);
  if (repeat == tags.size()) return {};
  const Tag& again = tags[repeat];
  const Tag* first = nullptr;
  for (const Tag& tag : tags)
    if (tag.name == again.name) {
      first = &tag;
      break;
    }
  return fail(Errc::duplicate_tag,
              fmt::format("duplicate tag '{}' at offset {} (first at offset {})", quote(again.name),
                          again.offset, first->offset),
              again.offset);
}

}  // namespace

const Tag* TagList::find(std::string_view name) const noexcept {
  auto at = std::lower_bound(
      by_name_.begin(), by_name_.end(), name,
      [this](std::uint32_t index, std::string_view key) { return tags_[index].name < key; });
  if (at == by_name_.end() || tags_[*at].name != name) return nullptr;
  return &tags_[*at];
}

Expected<TagList> parse_tag_list(std::string_view text) {
  TagList list;
  list.tags_.reserve(16);  // records and signatures have a dozen tags or so
  for (std::size_t i = skip_space(text, 0); i < text.size();) {
    if (list.tags_.size() == std::numeric_limits<std::uint32_t>::max())
      return fail(Errc::too_many, fmt::format("too many tags at offset {}", i), i);
    Expected<Tag> tag = next_tag(text, i);
    if (!tag) return std::unexpected(std::move(tag.error()));
    list.tags_.push_back(*tag);
  }
  list.by_name_.resize(list.tags_.size());
  Expected<void> unique = index_names(list.tags_, list.by_name_);
  if (!unique) return std::unexpected(std::move(unique.error()));
  return list;
}

namespace detail {

Expected<void> InlineTagList::parse(std::string_view text) {
  size_ = 0;
  heap_.reset();
  for (std::size_t i = skip_space(text, 0); i < text.size();) {
    if (size_ == capacity) {
      // Longer than lists usually are: parse_tag_list() reads it again, whole, so that every
      // error is the one it gives.
      Expected<TagList> list = parse_tag_list(text);
      if (!list) return std::unexpected(std::move(list.error()));
      heap_ = std::move(*list);
      return {};
    }
    Expected<Tag> tag = next_tag(text, i);
    if (!tag) return std::unexpected(std::move(tag.error()));
    inline_[size_++] = *tag;
  }
  std::array<std::uint32_t, capacity> by_name;
  return index_names(tags(), std::span(by_name).first(size_));
}

}  // namespace detail

}  // namespace hallmark::core
