// SPDX-License-Identifier: Apache-2.0
// Fuzz target: score table parsing; a parsed table must survive being written out as a score
// file and read again, and a failure must name a line inside the input.
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include <fmt/format.h>

#include "hallmark/authenticator/tags.hpp"

namespace {

namespace authenticator = hallmark::authenticator;

void check(bool condition) {
  if (!condition) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size);

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto table = authenticator::ScoreTable::parse(text);
  if (!table) {
    check(table.error().offset <= size);
    check(table.error().message.starts_with("line ") ||
          table.error().code == hallmark::core::Errc::too_long);
    return 0;
  }
  // fmt's "{}" is the shortest text that reads back as the same double.
  std::string normal;
  for (std::size_t i = 0; i < authenticator::tag_count; ++i) {
    auto tag = static_cast<authenticator::Tag>(i);
    check(std::isfinite(table->score(tag)));
    normal += fmt::format("{} = {}\n", authenticator::to_string(tag), table->score(tag));
  }
  auto again = authenticator::ScoreTable::parse(normal);
  check(again.has_value());
  for (std::size_t i = 0; i < authenticator::tag_count; ++i) {
    auto tag = static_cast<authenticator::Tag>(i);
    check(again->score(tag) == table->score(tag));
  }
  return 0;
}
