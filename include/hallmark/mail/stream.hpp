// SPDX-License-Identifier: Apache-2.0
// Streaming message parser: raw bytes in, cut anywhere, header fields and body chunks out,
// with memory bounded by the header limits whatever the body size.
#pragma once

#include <memory>
#include <string_view>

#include "hallmark/core/error.hpp"
#include "hallmark/export.hpp"
#include "hallmark/mail/header.hpp"

namespace hallmark::mail {

/// Receives a message's parts from a MessageParser, in order: every field, the end of the
/// header section, body chunks, the end. The default implementations ignore the event.
class HALLMARK_API MessageHandler {
 public:
  virtual ~MessageHandler();

  /// A complete field. Its views are valid only during the call (the header buffer may still
  /// move); the same field, with stable views, is in the HeaderSection given to
  /// on_end_of_headers.
  virtual void on_field(const HeaderField& field);
  /// The header section is complete. `headers` and its views stay valid until the parser is
  /// reset or destroyed, so a verifier can keep it until the body has been hashed.
  virtual void on_end_of_headers(const HeaderSection& headers);
  /// The next body bytes; valid only during the call. Usually a view into the chunk given to
  /// feed(), never copied; body chunks are not aligned to lines.
  virtual void on_body(std::string_view chunk);
  /// The message is complete (after finish()).
  virtual void on_end();
};

/// Parses a message fed as arbitrary chunks. Header bytes are buffered (at most
/// limits.max_header_bytes + 1) because a field can span chunks; body bytes pass straight
/// through, so memory does not grow with the body. Gives the same fields, header end and body
/// bytes as parse_message() on the concatenated input, and fails in the same cases.
class HALLMARK_API MessageParser {
 public:
  /// `handler` must outlive the parser.
  explicit MessageParser(MessageHandler& handler, Limits limits = {});
  ~MessageParser();
  MessageParser(const MessageParser&) = delete;
  MessageParser& operator=(const MessageParser&) = delete;
  /// A moved-from parser may only be destroyed or assigned to.
  MessageParser(MessageParser&&) noexcept;
  MessageParser& operator=(MessageParser&&) noexcept;

  /// Feeds the next bytes. Errors: Errc::too_long or Errc::too_many as parse_message() gives
  /// them; Errc::bad_value when called after finish(). After a limit error the parser delivers
  /// no more events and every call returns that error until reset().
  core::Expected<void> feed(std::string_view chunk);
  /// Ends the message: a header section still open ends here (HeaderEnd::end_of_input), then
  /// on_end. Errors: as feed(), and Errc::bad_value when called twice.
  core::Expected<void> finish();
  /// Forgets the message so the parser can take the next one; keeps its buffer's capacity.
  void reset();

  /// Whether the header section is complete.
  bool headers_complete() const noexcept;
  /// The header section; empty until headers_complete().
  const HeaderSection& headers() const noexcept;

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;  // keeps the scanner, a layer-private type, out of this header
};

}  // namespace hallmark::mail
