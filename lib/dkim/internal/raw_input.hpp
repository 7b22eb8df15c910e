// SPDX-License-Identifier: Apache-2.0
// The raw-bytes side of a streaming verifier (DKIM's, ARC's): a message parser driving the
// verifier's handler, and what to say when the header section never ended within the limits.
// Layer-private; ARC reuses it.
#pragma once

#include <optional>
#include <string_view>

#include "hallmark/core/error.hpp"
#include "hallmark/mail/header.hpp"
#include "hallmark/mail/stream.hpp"

namespace hallmark::dkim::detail {

class RawInput {
 public:
  RawInput(mail::MessageHandler& handler, const mail::Limits& limits)
      : handler_(handler), limits_(limits) {}

  /// Raw message bytes. Errors: those of mail::MessageParser, also kept for finish().
  core::Expected<void> feed(std::string_view bytes) {
    fed_ = true;
    // Made on first use: a verifier driven as a handler (inside the authenticator) never
    // parses raw bytes itself, and messages in flight hold many verifiers.
    if (!parser_) parser_.emplace(handler_, limits_);
    core::Expected<void> fed = parser_->feed(bytes);
    if (!fed && !error_) error_ = fed.error();
    return fed;
  }

  /// The whole message, instead of feed(), when it outlives the verification: its header
  /// section is read in place (mail::parse_message() gives the fields, the body and the errors
  /// MessageParser gives), where a parser would copy it into a buffer of its own first. The
  /// handler gets on_end_of_headers() and on_body() as from a parser, on_end() when finish()
  /// is called, but no on_field(): the verifiers take their fields from the header section.
  core::Expected<void> feed_whole(std::string_view message) {
    fed_ = true;
    core::Expected<mail::Message> parsed = mail::parse_message(message, limits_);
    if (!parsed) {
      error_ = parsed.error();
      return std::unexpected(std::move(parsed.error()));
    }
    whole_ = std::move(*parsed);
    handler_.on_end_of_headers(whole_->headers);
    if (!whole_->body.empty()) handler_.on_body(whole_->body);
    return {};
  }

  /// The handler's on_end_of_headers() ran.
  void saw_headers() noexcept { headers_seen_ = true; }
  /// The handler's on_end() ran.
  void saw_end() noexcept { ended_ = true; }
  bool ended() const noexcept { return ended_; }

  /// Ends a message fed as raw bytes. A header section past the parser's limits was never seen
  /// whole: the error that stopped it is returned, so that a verifier reports the message as
  /// broken rather than as unsigned, which a flood of fields would otherwise buy.
  std::optional<core::Error> finish() {
    if (fed_ && !ended_) {
      if (parser_) {
        core::Expected<void> done = parser_->finish();
        if (!done && !error_) error_ = done.error();
      } else if (!error_) {
        handler_.on_end();  // what MessageParser::finish() does for a message it could read
      }
    }
    if (error_ && !headers_seen_) return error_;
    return std::nullopt;
  }

 private:
  mail::MessageHandler& handler_;
  mail::Limits limits_;
  std::optional<mail::MessageParser> parser_;  // when fed with feed()
  std::optional<mail::Message> whole_;         // when fed with feed_whole()
  std::optional<core::Error> error_;
  bool fed_ = false;
  bool ended_ = false;
  bool headers_seen_ = false;
};

}  // namespace hallmark::dkim::detail
