// SPDX-License-Identifier: Apache-2.0
// The tag readers DKIM-Signature parsing is made of, shared with ARC's AMS and AS parsing
// (RFC 8617 4.1.2, 4.1.3 import them from RFC 6376 3.5). Layer-private.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "hallmark/core/error.hpp"
#include "hallmark/core/tag_list.hpp"
#include "hallmark/dkim/types.hpp"

namespace hallmark::dkim::detail {

/// Which field a signature tag list comes from.
enum class SignatureKind : bool {
  dkim,                   // DKIM-Signature: v=1 required, i= the AUID, h= must name From
  arc_message_signature,  // ARC-Message-Signature: no v=, i= the instance (read elsewhere),
                          // h= may be empty and need not name From
};

/// A DKIM-Signature or an ARC-Message-Signature value, parsed.
core::Expected<Signature> parse_signature_as(std::string_view value, SignatureKind kind);
/// The same for a tag list already parsed from `value`.
core::Expected<Signature> parse_signature_as(std::string_view value, const core::TagList& tags,
                                             SignatureKind kind);

/// A sender's value, cut for an error message.
std::string shown(std::string_view value);

/// "tag 'x' <why>" at `offset`: the form every signature error takes, which reason_for reads.
std::unexpected<core::Error> tag_error(core::Errc code, std::string_view tag, std::string_view why,
                                       std::size_t offset);

/// Where b= sits in a field value: everything between its '=' and the next ';' (RFC 6376 3.7
/// hashes it as empty, surrounding whitespace included).
struct BValue {
  std::size_t offset = 0;
  std::size_t length = 0;
};
BValue locate_b_value(std::string_view value, const core::Tag& tag) noexcept;

/// t= or x=: at most 12 decimal digits.
core::Expected<std::int64_t> parse_timestamp(const core::Tag& tag, std::string_view name);

/// d= or s=: a domain name (LDH and underscores, U-labels allowed), as written.
core::Expected<std::string> parse_domain_tag(const core::Tag& tag, std::string_view name,
                                             std::string_view what);

}  // namespace hallmark::dkim::detail
