// SPDX-License-Identifier: Apache-2.0
// The one table of tags: name and default score of each, defined in tags.cpp so that names
// and scores cannot drift apart. Layer-private.
#pragma once

#include <array>
#include <string_view>

#include "hallmark/authenticator/tags.hpp"

namespace hallmark::authenticator::detail {

struct TagInfo {
  Tag tag;
  std::string_view name;  // as to_string() spells it: "SPF_ALLOW"
  double default_score;   // what ScoreTable() gives it
};

/// Indexed by the tag's value: tag_table[static_cast<std::size_t>(tag)].tag == tag.
extern const std::array<TagInfo, tag_count> tag_table;

}  // namespace hallmark::authenticator::detail
