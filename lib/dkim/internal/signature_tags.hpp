// SPDX-License-Identifier: Apache-2.0
// The tag readers DKIM-Signature parsing is made of, shared with ARC's AMS and AS parsing
// (RFC 8617 4.1.2, 4.1.3 import them from RFC 6376 3.5). Layer-private.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "core/internal/ascii.hpp"
#include "core/internal/inline_bytes.hpp"
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

/// A signature value parsed for verification: what a Signature holds, after the same checks,
/// but with its text left in the value (which must outlive it) and b= and bh= decoded inline,
/// so that a signature is parsed without the heap as a rule.
struct SignatureFields {
  Algorithm algorithm = Algorithm::rsa_sha256;
  core::detail::InlineBytes<512> signature;  // b=, decoded: inline up to RSA-4096
  core::detail::InlineBytes<32> body_hash;   // bh=, decoded: inline up to SHA-256
  Canonicalization header_canonicalization = Canonicalization::simple;
  Canonicalization body_canonicalization = Canonicalization::simple;
  std::string_view domain;                   // d= (SDID)
  std::string_view signed_headers;           // h= as written: for_each_signed_header() reads it
  std::string auid;                          // i=, quoted-printable decoded; "@" + d= by default
  std::optional<std::uint64_t> body_length;  // l=
  std::string_view selector;                 // s=
  std::optional<std::int64_t> timestamp;     // t=
  std::optional<std::int64_t> expiration;    // x=
  std::size_t b_value_offset = 0;            // as in Signature
  std::size_t b_value_length = 0;
};

/// parse_signature_as() into SignatureFields; the same errors. A list of tags short enough is
/// parsed without the heap too.
core::Expected<SignatureFields> parse_signature_fields(std::string_view value, SignatureKind kind);

/// The Signature the fields describe.
Signature to_signature(const SignatureFields& fields);

/// Calls `visit(name)` with each field name of an h= value in order, without the FWS around
/// it. Empty names, which only an ARC-Message-Signature may have, select no field and are
/// skipped.
template <class Visit>
void for_each_signed_header(std::string_view h, Visit&& visit) {
  for (std::size_t start = 0; start <= h.size();) {
    std::size_t colon = h.find(':', start);
    if (colon == std::string_view::npos) colon = h.size();
    std::string_view name = core::detail::trim_fws(h.substr(start, colon - start));
    if (!name.empty()) visit(name);
    start = colon + 1;
  }
}

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
