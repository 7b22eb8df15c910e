// SPDX-License-Identifier: Apache-2.0
// Header fields and sections: unfolding, lookup by name, and whole-message parsing.
#include "hallmark/mail/header.hpp"

#include <utility>

#include "mail/internal/header_scanner.hpp"

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
