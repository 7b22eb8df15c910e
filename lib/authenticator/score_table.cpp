// SPDX-License-Identifier: Apache-2.0
// Score tables: the defaults, and "TAG = score" files that override them.
#include <array>
#include <charconv>
#include <cmath>
#include <optional>
#include <string>
#if !defined(__cpp_lib_to_chars)
#include <locale>
#include <sstream>
#endif

#include <fmt/format.h>

#include "authenticator/internal/line_file.hpp"
#include "authenticator/internal/tag_table.hpp"
#include "hallmark/authenticator/tags.hpp"

namespace hallmark::authenticator {
namespace {

using detail::quote_line_text;

bool is_digit(char c) noexcept { return c >= '0' && c <= '9'; }

std::size_t skip_digits(std::string_view text, std::size_t i) noexcept {
  while (i < text.size() && is_digit(text[i])) ++i;
  return i;
}

// A score as an operator writes it: [sign] (digits [. [digits]] / . digits) [e [sign] digits].
// Checked here rather than left to the converter, so "+1" reads as people expect while "inf",
// "nan", hex and "+-1" stay errors whatever the standard library accepts.
bool is_decimal(std::string_view text) noexcept {
  std::size_t i = 0;
  if (i < text.size() && (text[i] == '+' || text[i] == '-')) ++i;
  std::size_t integer = skip_digits(text, i);
  bool digits = integer > i;
  i = integer;
  if (i < text.size() && text[i] == '.') {
    std::size_t fraction = skip_digits(text, i + 1);
    digits = digits || fraction > i + 1;
    i = fraction;
  }
  if (!digits) return false;
  if (i < text.size() && (text[i] == 'e' || text[i] == 'E')) {
    ++i;
    if (i < text.size() && (text[i] == '+' || text[i] == '-')) ++i;
    std::size_t exponent = skip_digits(text, i);
    if (exponent == i) return false;
    i = exponent;
  }
  return i == text.size();
}

std::optional<double> parse_score(std::string_view text) {
  if (!is_decimal(text)) return std::nullopt;
  // from_chars takes '-' but not '+'.
  if (text.front() == '+') text.remove_prefix(1);
  double value = 0;
#if defined(__cpp_lib_to_chars)
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
#else
  // libc++ 16, which the fuzz build uses, has no floating-point from_chars; a stream in the
  // classic locale reads the same decimal without depending on the global locale.
  std::istringstream in{std::string(text)};
  in.imbue(std::locale::classic());
  in >> value;
  if (in.fail() || in.peek() != std::char_traits<char>::eof()) return std::nullopt;
#endif
  // Out of double's range is refused rather than clamped: a sum with an infinity is no longer
  // a score.
  if (!std::isfinite(value)) return std::nullopt;
  return value;
}

bool has_blank(std::string_view text) noexcept {
  for (char c : text)
    if (detail::LineReader::is_blank(c)) return true;
  return false;
}

}  // namespace

ScoreTable::ScoreTable() noexcept {
  for (const detail::TagInfo& row : detail::tag_table)
    scores_[static_cast<std::size_t>(row.tag)] = row.default_score;
}

core::Expected<ScoreTable> ScoreTable::parse(std::string_view text) {
  core::Expected<void> size = detail::check_line_file_size(text);
  if (!size) return std::unexpected(std::move(size.error()));
  ScoreTable table;
  std::array<std::size_t, tag_count> first_line{};  // 0 until the tag is given
  detail::LineReader lines(text);
  detail::Line line;
  while (lines.next(line)) {
    std::size_t equals = line.content.find('=');
    std::string_view name = detail::LineReader::trim(line.content.substr(0, equals));
    std::string_view value = equals == std::string_view::npos
                                 ? std::string_view()
                                 : detail::LineReader::trim(line.content.substr(equals + 1));
    // The shape is checked before the words, so "SPF ALLOW = 1" says what is wrong with the
    // line rather than calling "SPF ALLOW" an unknown tag.
    if (equals == std::string_view::npos || name.empty() || value.empty() || has_blank(name) ||
        has_blank(value) || value.find('=') != std::string_view::npos)
      return core::fail(core::Errc::syntax,
                        fmt::format("line {}: expected TAG = score, not '{}'", line.number,
                                    quote_line_text(line.content)),
                        line.offset);
    std::optional<Tag> tag = parse_tag(name);
    if (!tag)
      return core::fail(
          core::Errc::bad_value,
          fmt::format("line {}: unknown tag '{}'", line.number, quote_line_text(name)),
          line.offset);
    std::optional<double> score = parse_score(value);
    if (!score)
      return core::fail(core::Errc::bad_value,
                        fmt::format("line {}: score '{}' of {} is not a finite number", line.number,
                                    quote_line_text(value), to_string(*tag)),
                        line.offset);
    // Two lines for one tag are most likely a copy-and-paste slip; silently taking either
    // would hide which weight the operator meant.
    auto index = static_cast<std::size_t>(*tag);
    if (first_line[index] != 0)
      return core::fail(core::Errc::duplicate_tag,
                        fmt::format("line {}: tag {} already given on line {}", line.number,
                                    to_string(*tag), first_line[index]),
                        line.offset);
    first_line[index] = line.number;
    table.set(*tag, *score);
  }
  return table;
}

core::Expected<ScoreTable> ScoreTable::load(const std::string& path) {
  return detail::load_line_file(path, [](std::string_view text) { return parse(text); });
}

}  // namespace hallmark::authenticator
