// SPDX-License-Identifier: Apache-2.0
// MessageParser: buffers the header section across chunks, then passes body bytes through.
#include "hallmark/mail/stream.hpp"

#include <algorithm>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "mail/internal/header_scanner.hpp"

namespace hallmark::mail {

MessageHandler::~MessageHandler() = default;
void MessageHandler::on_field(const HeaderField& /*field*/) {}
void MessageHandler::on_end_of_headers(const HeaderSection& /*headers*/) {}
void MessageHandler::on_body(std::string_view /*chunk*/) {}
void MessageHandler::on_end() {}

namespace {
// Header bytes are copied into the buffer and scanned this many at a time (the scanner resumes
// where it stopped), so a chunk holding the whole message copies at most this much of its body
// before the body is recognised. The buffer lives as long as the message: a verifier holding
// thousands of messages in flight pays for every byte of it.
constexpr std::size_t kSlice = 4 * 1024;
}  // namespace

class MessageParser::Impl {
 public:
  Impl(MessageHandler& handler, Limits limits) : handler_(&handler), limits_(limits) {}

  core::Expected<void> feed(std::string_view chunk);
  core::Expected<void> finish();
  void reset();

  bool headers_complete_ = false;
  HeaderSection headers_;

 private:
  core::Expected<void> scan(bool eof);
  void complete_headers(std::size_t old_size, std::string_view slice);
  std::unexpected<core::Error> fail(core::Error error);

  MessageHandler* handler_;
  Limits limits_;
  detail::HeaderScanner scanner_;
  // Every header byte seen so far plus, once the header section has ended, the bytes after it
  // that arrived in the same slice. It is never truncated, so the views handed out stay put.
  std::string buffer_;
  std::vector<detail::FieldSpan> spans_;
  bool finished_ = false;
  std::optional<core::Error> error_;
};

// Header fields of a typical message (a mailing list's or a bulk sender's has 20 to 30).
constexpr std::size_t expected_fields = 32;

std::unexpected<core::Error> MessageParser::Impl::fail(core::Error error) {
  error_ = error;
  return std::unexpected(std::move(error));
}

core::Expected<void> MessageParser::Impl::scan(bool eof) {
  for (;;) {
    detail::HeaderScanner::Step step = scanner_.next(buffer_, eof);
    if (step == detail::HeaderScanner::Step::need_more) return {};
    if (step == detail::HeaderScanner::Step::done) {
      if (scanner_.body_offset() > limits_.max_header_bytes)
        return fail(detail::too_long_error(limits_).error());
      headers_complete_ = true;
      return {};
    }
    core::Expected<void> counted =
        detail::check_field_count(spans_.size() + 1, scanner_.field(), limits_);
    if (!counted) return fail(std::move(counted.error()));
    // Room for a typical header section at once, rather than growing 1, 2, 4, ... 32.
    if (spans_.empty()) spans_.reserve(expected_fields);
    spans_.push_back(scanner_.field());
    handler_->on_field(detail::make_field(buffer_, spans_.back()));
  }
}

// `slice` is the caller's bytes last appended to the buffer, starting at `old_size`; what of it
// lies past the header section goes to the handler from the caller's chunk, not from our copy.
void MessageParser::Impl::complete_headers(std::size_t old_size, std::string_view slice) {
  std::string_view buffer = buffer_;
  std::size_t body = scanner_.body_offset();
  std::vector<HeaderField> fields;
  fields.reserve(spans_.size());
  for (const detail::FieldSpan& span : spans_) fields.push_back(detail::make_field(buffer, span));
  headers_ = HeaderSection(std::move(fields), buffer.substr(0, body), scanner_.ended_by());
  handler_->on_end_of_headers(headers_);
  // Only a line that ended the header section without being blank can start before this slice
  // (HeaderEnd::malformed_line); its first bytes are already buffered.
  if (body < old_size) handler_->on_body(buffer.substr(body, old_size - body));
  std::size_t skip = body > old_size ? body - old_size : 0;
  if (skip < slice.size()) handler_->on_body(slice.substr(skip));
}

core::Expected<void> MessageParser::Impl::feed(std::string_view chunk) {
  if (error_) return std::unexpected(*error_);
  if (finished_) return core::fail(core::Errc::bad_value, "MessageParser::feed() after finish()");
  const std::size_t window = detail::scan_window(limits_);
  while (!headers_complete_ && !chunk.empty()) {
    // Never buffer past the window parse_message() scans, so both see the same bytes when
    // deciding between the field-count and the size limit.
    std::size_t take = std::min({chunk.size(), window - buffer_.size(), kSlice});
    std::string_view slice = chunk.substr(0, take);
    chunk.remove_prefix(take);
    std::size_t old_size = buffer_.size();
    buffer_.append(slice);
    core::Expected<void> scanned = scan(false);
    if (!scanned) return scanned;
    if (headers_complete_) {
      complete_headers(old_size, slice);
    } else if (buffer_.size() > limits_.max_header_bytes) {
      return fail(detail::too_long_error(limits_).error());
    }
  }
  if (headers_complete_ && !chunk.empty()) handler_->on_body(chunk);
  return {};
}

core::Expected<void> MessageParser::Impl::finish() {
  if (error_) return std::unexpected(*error_);
  if (finished_) return core::fail(core::Errc::bad_value, "MessageParser::finish() called twice");
  finished_ = true;
  if (!headers_complete_) {
    core::Expected<void> scanned = scan(true);
    if (!scanned) return scanned;
    complete_headers(buffer_.size(), {});
  }
  handler_->on_end();
  return {};
}

void MessageParser::Impl::reset() {
  scanner_ = detail::HeaderScanner{};
  buffer_.clear();
  spans_.clear();
  headers_ = HeaderSection{};
  headers_complete_ = false;
  finished_ = false;
  error_.reset();
}

MessageParser::MessageParser(MessageHandler& handler, Limits limits)
    : impl_(std::make_unique<Impl>(handler, limits)) {}
MessageParser::~MessageParser() = default;
MessageParser::MessageParser(MessageParser&&) noexcept = default;
MessageParser& MessageParser::operator=(MessageParser&&) noexcept = default;

core::Expected<void> MessageParser::feed(std::string_view chunk) { return impl_->feed(chunk); }
core::Expected<void> MessageParser::finish() { return impl_->finish(); }
void MessageParser::reset() { impl_->reset(); }
bool MessageParser::headers_complete() const noexcept { return impl_->headers_complete_; }
const HeaderSection& MessageParser::headers() const noexcept { return impl_->headers_; }

}  // namespace hallmark::mail
