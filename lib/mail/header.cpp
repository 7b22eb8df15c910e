// SPDX-License-Identifier: Apache-2.0
// Header sections: the line scanner shared with MessageParser, fields, lookup by name, and
// whole-message parsing.
#include "hallmark/mail/header.hpp"

#include <cstring>
#include <limits>
#include <utility>

#include <fmt/format.h>

#include "mail/internal/header_scanner.hpp"

namespace hallmark::mail::detail {
namespace {

bool is_wsp(char c) noexcept { return c == ' ' || c == '\t'; }

// RFC 5322 2.2: a field name is printable US-ASCII other than the colon. 8-bit bytes, controls
// and NUL make a line that is not a field.
bool is_ftext(char c) noexcept {
  auto byte = static_cast<unsigned char>(c);
  return byte >= 33 && byte <= 126 && byte != ':';
}

char lower(char c) noexcept { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c; }

}  // namespace

bool equal_ignoring_case(std::string_view a, std::string_view b) noexcept {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (lower(a[i]) != lower(b[i])) return false;
  return true;
}

HeaderField make_field(std::string_view buffer, const FieldSpan& span) {
  HeaderField field;
  field.name = buffer.substr(span.start, span.name_end - span.start);
  field.value = buffer.substr(span.value_start, span.value_end - span.value_start);
  field.raw = buffer.substr(span.start, span.end - span.start);
  field.offset = span.start;
  // The colon sits at value_start - 1; anything between it and the name was whitespace.
  field.space_before_colon = span.value_start - 1 > span.name_end;
  return field;
}

HeaderScanner::Step HeaderScanner::emit() {
  out_ = current_;
  pending_ = false;
  return Step::field;
}

HeaderScanner::Step HeaderScanner::finish(std::size_t body_offset, HeaderEnd why) {
  state_ = State::done;
  body_offset_ = body_offset;
  ended_by_ = why;
  return Step::done;
}

// A field is complete only once the first byte of the following line is known not to be
// whitespace, so a field is reported one byte late; a stream cut anywhere waits for that byte.
//
// Lines that are neither fields nor continuations (no colon, a space inside the name, 8-bit
// or control bytes in the name, a continuation line before any field, a lone CR) end the
// header section and become the first line of the body. RFC 5322 2.2 says such a line is not
// a header field; Postfix's cleanup and Sendmail start the body there too, and a milter (so
// OpenDKIM) then sees the line as body. Agreeing with the MTA in front of us matters more than
// salvaging fields below the line: a verifier that saw a different From than the MTA and the
// reader would be the worse failure.
HeaderScanner::Step HeaderScanner::next(std::string_view buffer, bool eof) {
  const char* data = buffer.data();
  const std::size_t size = buffer.size();
  for (;;) {
    switch (state_) {
      case State::done: return Step::done;

      case State::line_start: {
        if (pos_ == size) {
          if (!eof) return Step::need_more;
          if (pending_) return emit();
          return finish(pos_, HeaderEnd::end_of_input);
        }
        char c = data[pos_];
        if (is_wsp(c)) {
          // RFC 5322 3.2.2: a line starting with WSP continues the field above it.
          if (!pending_) return finish(line_start_, HeaderEnd::malformed_line);
          state_ = State::value;
          ++pos_;
          break;
        }
        if (pending_) return emit();  // then come back to the same byte
        if (c == '\n') return finish(pos_ + 1, HeaderEnd::blank_line);
        if (c == '\r') {
          state_ = State::cr_at_line_start;
          ++pos_;
          break;
        }
        current_ = FieldSpan{};
        current_.start = pos_;
        state_ = State::name;
        break;
      }

      case State::cr_at_line_start:
        if (pos_ == size) {
          if (!eof) return Step::need_more;
          return finish(line_start_, HeaderEnd::malformed_line);
        }
        if (data[pos_] == '\n') return finish(pos_ + 1, HeaderEnd::blank_line);
        return finish(line_start_, HeaderEnd::malformed_line);

      case State::name: {
        while (pos_ < size && is_ftext(data[pos_])) ++pos_;
        if (pos_ == size) {
          if (!eof) return Step::need_more;
          return finish(line_start_, HeaderEnd::malformed_line);
        }
        current_.name_end = pos_;
        char c = data[pos_];
        if (c == ':' && pos_ > current_.start) {
          current_.value_start = ++pos_;
          state_ = State::value;
          break;
        }
        // The line began with a non-WSP byte, so whitespace here follows a non-empty name:
        // the obsolete `name WSP ":"` form of RFC 5322 4.5.8.
        if (is_wsp(c) && pos_ > current_.start) {
          ++pos_;
          state_ = State::name_space;
          break;
        }
        return finish(line_start_, HeaderEnd::malformed_line);
      }

      case State::name_space:
        while (pos_ < size && is_wsp(data[pos_])) ++pos_;
        if (pos_ == size) {
          if (!eof) return Step::need_more;
          return finish(line_start_, HeaderEnd::malformed_line);
        }
        if (data[pos_] != ':') return finish(line_start_, HeaderEnd::malformed_line);
        current_.value_start = ++pos_;
        state_ = State::value;
        break;

      case State::value: {
        const void* found = std::memchr(data + pos_, '\n', size - pos_);
        if (found == nullptr) {
          pos_ = size;
          if (!eof) return Step::need_more;
          // The last field of a message with no body may lack its terminator.
          current_.value_end = size;
          current_.end = size;
          pending_ = true;
          line_start_ = size;
          state_ = State::line_start;
          break;
        }
        auto lf = static_cast<std::size_t>(static_cast<const char*>(found) - data);
        // Bare LF and CRLF both end a line; a CR anywhere else is an ordinary value byte.
        bool crlf = lf > current_.value_start && data[lf - 1] == '\r';
        current_.value_end = crlf ? lf - 1 : lf;
        current_.end = lf + 1;
        pending_ = true;
        pos_ = lf + 1;
        line_start_ = pos_;
        state_ = State::line_start;
        break;
      }
    }
  }
}

core::Expected<void> check_field_count(std::size_t count, const FieldSpan& span,
                                       const Limits& limits) {
  if (count <= limits.max_fields) return {};
  return core::fail(core::Errc::too_many,
                    fmt::format("header section has more than {} fields", limits.max_fields),
                    span.start);
}

std::unexpected<core::Error> too_long_error(const Limits& limits) {
  return core::fail(core::Errc::too_long,
                    fmt::format("header section is longer than {} bytes", limits.max_header_bytes),
                    limits.max_header_bytes);
}

std::size_t scan_window(const Limits& limits) noexcept {
  if (limits.max_header_bytes == std::numeric_limits<std::size_t>::max())
    return limits.max_header_bytes;
  return limits.max_header_bytes + 1;
}

}  // namespace hallmark::mail::detail

namespace hallmark::mail {

std::string HeaderField::unfolded_value() const {
  std::string out;
  out.reserve(value.size());
  for (std::size_t i = 0; i < value.size(); ++i) {
    char c = value[i];
    // Inside a value every LF is a fold (a line not starting with WSP would have ended the
    // field); a CR counts as part of the fold only right before its LF.
    if (c == '\n') continue;
    if (c == '\r' && i + 1 < value.size() && value[i + 1] == '\n') continue;
    out += c;
  }
  std::size_t first = out.find_first_not_of(" \t");
  if (first == std::string::npos) return {};
  std::size_t last = out.find_last_not_of(" \t");
  return out.substr(first, last - first + 1);
}

bool HeaderField::name_is(std::string_view other) const noexcept {
  return detail::equal_ignoring_case(name, other);
}

HeaderSection::HeaderSection(std::vector<HeaderField> fields, std::string_view raw,
                             HeaderEnd ended_by)
    : fields_(std::move(fields)), raw_(raw), ended_by_(ended_by) {}

std::vector<const HeaderField*> HeaderSection::all(std::string_view name) const {
  std::vector<const HeaderField*> found;
  for (const HeaderField& field : fields_)
    if (field.name_is(name)) found.push_back(&field);
  return found;
}

std::vector<const HeaderField*> HeaderSection::all_bottom_up(std::string_view name) const {
  std::vector<const HeaderField*> found;
  for (auto it = fields_.rbegin(); it != fields_.rend(); ++it)
    if (it->name_is(name)) found.push_back(&*it);
  return found;
}

const HeaderField* HeaderSection::find(std::string_view name) const noexcept {
  for (const HeaderField& field : fields_)
    if (field.name_is(name)) return &field;
  return nullptr;
}

const HeaderField* HeaderSection::find_last(std::string_view name) const noexcept {
  for (auto it = fields_.rbegin(); it != fields_.rend(); ++it)
    if (it->name_is(name)) return &*it;
  return nullptr;
}

std::size_t HeaderSection::count(std::string_view name) const noexcept {
  std::size_t n = 0;
  for (const HeaderField& field : fields_)
    if (field.name_is(name)) ++n;
  return n;
}

core::Expected<Message> parse_message(std::string_view message, const Limits& limits) {
  // Scan at most one byte past the limit: if the header section has not ended by then it is
  // too long, and a huge body is never walked. MessageParser buffers exactly this window, which
  // is what keeps the two paths' errors identical.
  bool whole = message.size() <= limits.max_header_bytes;
  std::string_view window = whole ? message : message.substr(0, detail::scan_window(limits));
  detail::HeaderScanner scanner;
  std::vector<HeaderField> fields;
  // Room for a typical header section at once, rather than growing 1, 2, 4, ... 32.
  fields.reserve(32);
  for (;;) {
    detail::HeaderScanner::Step step = scanner.next(window, whole);
    if (step == detail::HeaderScanner::Step::need_more) return detail::too_long_error(limits);
    if (step == detail::HeaderScanner::Step::done) break;
    core::Expected<void> counted =
        detail::check_field_count(fields.size() + 1, scanner.field(), limits);
    if (!counted) return std::unexpected(std::move(counted.error()));
    fields.push_back(detail::make_field(message, scanner.field()));
  }
  std::size_t body_offset = scanner.body_offset();
  if (body_offset > limits.max_header_bytes) return detail::too_long_error(limits);
  return Message{
      HeaderSection(std::move(fields), message.substr(0, body_offset), scanner.ended_by()),
      message.substr(body_offset)};
}

}  // namespace hallmark::mail
