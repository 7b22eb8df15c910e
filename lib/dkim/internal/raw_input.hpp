// SPDX-License-Identifier: Apache-2.0
// The raw-bytes side of a streaming verifier (DKIM's, ARC's): a message parser driving the
// verifier's handler, and what to say when the header section never ended within the limits.
// Layer-private; ARC reuses it.
#pragma once

#include <memory>
#include <optional>
#include <string_view>

#include "hallmark/core/error.hpp"
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
    if (!parser_) parser_ = std::make_unique<mail::MessageParser>(handler_, limits_);
    core::Expected<void> fed = parser_->feed(bytes);
    if (!fed && !error_) error_ = fed.error();
    return fed;
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
      core::Expected<void> done = parser_->finish();
      if (!done && !error_) error_ = done.error();
    }
    if (error_ && !headers_seen_) return error_;
    return std::nullopt;
  }

 private:
  mail::MessageHandler& handler_;
  mail::Limits limits_;
  std::unique_ptr<mail::MessageParser> parser_;
  std::optional<core::Error> error_;
  bool fed_ = false;
  bool ended_ = false;
  bool headers_seen_ = false;
};

}  // namespace hallmark::dkim::detail
