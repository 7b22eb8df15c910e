// SPDX-License-Identifier: Apache-2.0
// Resumable scanner that finds header fields and the end of the header section in a buffer that
// may grow between calls; shared by parse_message() and MessageParser so both agree.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "hallmark/core/error.hpp"
#include "hallmark/mail/header.hpp"

namespace hallmark::mail::detail {

/// A field as offsets into the scanned buffer, so it survives the buffer moving.
struct FieldSpan {
  std::size_t start = 0;        // first byte of the name
  std::size_t name_end = 0;     // one past the name, before any obsolete whitespace
  std::size_t value_start = 0;  // one past the colon
  std::size_t value_end = 0;    // before the final line terminator
  std::size_t end = 0;          // one past the final line terminator
};

/// Views of `span` into `buffer`, the same buffer (or a copy of its prefix) that was scanned.
HeaderField make_field(std::string_view buffer, const FieldSpan& span);

/// Whether two names are equal ignoring ASCII case.
bool equal_ignoring_case(std::string_view a, std::string_view b) noexcept;

class HeaderScanner {
 public:
  enum class Step : std::uint8_t { field, done, need_more };

  /// Scans on from where the last call stopped. `buffer` is every header byte seen so far;
  /// later calls may pass a longer buffer whose prefix is unchanged. With `eof` the buffer is
  /// the whole input and the scan always ends in `field` or `done`.
  Step next(std::string_view buffer, bool eof);

  /// The field found by the last Step::field.
  const FieldSpan& field() const noexcept { return out_; }
  /// After Step::done: where the body starts, and why the header section ended there.
  std::size_t body_offset() const noexcept { return body_offset_; }
  HeaderEnd ended_by() const noexcept { return ended_by_; }

 private:
  enum class State : std::uint8_t { line_start, cr_at_line_start, name, name_space, value, done };

  Step finish(std::size_t body_offset, HeaderEnd why);
  Step emit();

  State state_ = State::line_start;
  std::size_t pos_ = 0;         // next byte to look at
  std::size_t line_start_ = 0;  // first byte of the line being scanned
  bool pending_ = false;        // current_ holds a field with at least one complete line
  FieldSpan current_;
  FieldSpan out_;
  std::size_t body_offset_ = 0;
  HeaderEnd ended_by_ = HeaderEnd::end_of_input;
};

/// Checks `limits` the same way for whole messages and streams. Errors: Errc::too_many.
core::Expected<void> check_field_count(std::size_t count, const FieldSpan& span,
                                       const Limits& limits);
/// Errors: Errc::too_long, at offset limits.max_header_bytes.
std::unexpected<core::Error> too_long_error(const Limits& limits);

/// How many bytes of a message the scanner may see before the header limit is known to be
/// exceeded: one past the limit, saturating.
std::size_t scan_window(const Limits& limits) noexcept;

}  // namespace hallmark::mail::detail
