// SPDX-License-Identifier: Apache-2.0
// Just enough MIME (RFC 2045, 2046, 2231) to find the reports in a report e-mail: the entity
// tree with each part's type, parameters, file name and still-encoded body, and the decoding
// of base64 and quoted-printable bodies. Library-private.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "hallmark/core/error.hpp"
#include "hallmark/mail/header.hpp"

namespace hallmark::report::detail {

struct MimeEntity {
  /// Where the entity sits: "" for the message itself, then "1", "1.2", ... (RFC 3501 style).
  std::string path;
  /// "type/subtype", lowercased; text/plain when absent (message/rfc822 in multipart/digest).
  std::string content_type;
  /// Content-Type parameters, names lowercased, RFC 2231 continuations joined and decoded.
  std::vector<std::pair<std::string, std::string>> parameters;
  /// Content-Disposition's filename, else Content-Type's name.
  std::string filename;
  /// Content-Transfer-Encoding, lowercased; "7bit" when absent.
  std::string transfer_encoding;
  mail::HeaderSection headers;  // views into the parsed message
  std::string_view body;        // still encoded
  std::vector<MimeEntity> children;

  /// A Content-Type parameter's value, or "".
  std::string_view parameter(std::string_view name) const noexcept;
  /// "part 1.2 (name.xml.gz)", for error messages.
  std::string describe() const;
};

struct MimeLimits {
  std::size_t max_depth = 16;
  std::size_t max_parts = 512;
};

/// Parses `message` into its entity tree. The tree holds views into `message`. Errors:
/// Errc::too_many past max_parts, Errc::too_long past max_depth, and the header parser's errors.
core::Expected<MimeEntity> parse_mime(std::string_view message, const MimeLimits& limits = {});

/// The entity's body with its transfer encoding undone. Errors: Errc::bad_encoding for base64
/// that is not, Errc::too_long past `max_bytes`, Errc::unsupported for an unknown encoding.
core::Expected<std::string> decoded_body(const MimeEntity& entity, std::size_t max_bytes);

}  // namespace hallmark::report::detail
