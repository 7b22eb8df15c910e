// SPDX-License-Identifier: Apache-2.0
// Fuzz target: allow list parsing; every entry of a parsed list must be contained (a "*."
// entry through a name below it), and lookups of arbitrary text must not misbehave.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "authenticator/internal/line_file.hpp"
#include "hallmark/authenticator/allow_list.hpp"
#include "hallmark/core/domain.hpp"

namespace {

namespace authenticator = hallmark::authenticator;
namespace core = hallmark::core;

void check(bool condition) {
  if (!condition) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size);

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto list = authenticator::AllowList::parse(text);
  if (!list) {
    check(list.error().offset <= size);
    check(list.error().message.starts_with("line ") || list.error().code == core::Errc::too_long);
    return 0;
  }
  (void)list->contains(text);
  std::size_t entries = 0;
  authenticator::detail::LineReader lines(text);
  authenticator::detail::Line line;
  while (lines.next(line)) {
    ++entries;
    std::string_view entry = line.content;
    if (!entry.starts_with("*.")) {
      check(list->contains(entry));
      continue;
    }
    // The apex of a wildcard is only contained when listed on its own; a name one label
    // below it always is, when that name is not too long to be one.
    std::string_view apex = entry.substr(2);
    (void)list->contains(apex);
    core::Expected<std::string> ascii = core::to_a_label(apex);
    check(ascii.has_value());
    std::string below = "a." + *ascii;
    if (core::strip_trailing_dot(below).size() <= core::max_domain_length)
      check(list->contains(below));
  }
  // Duplicates fold, so there are never more entries than lines that name one.
  check(list->size() <= entries);
  check(list->empty() == (list->size() == 0));
  return 0;
}
