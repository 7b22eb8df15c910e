// SPDX-License-Identifier: Apache-2.0
// Domain names: validation, case-insensitive comparison, label arithmetic and IDNA2008.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "hallmark/core/error.hpp"
#include "hallmark/export.hpp"

namespace hallmark::core {

/// How strictly validate_domain() reads a name. Every mode enforces the RFC 1035 2.3.4 sizes
/// (labels of 1..63 octets, at most 253 octets without the one optional trailing dot).
enum class DomainSyntax : std::uint8_t {
  /// Any octet but '.' and NUL: names built by SPF macros or read from records, which DNS
  /// carries whatever their bytes.
  dns,
  /// Host names: letters, digits and '-', no label starting or ending with '-' (RFC 1123 2.1
  /// lets a label start with a digit). A-labels ("xn--...") are LDH.
  ldh,
  /// ldh, plus labels made of '_' and an LDH label ("_dmarc", "_domainkey", "_report"), the
  /// underscored names of RFC 8552 that DKIM and DMARC queries use.
  ldh_underscore,
};

/// The longest domain name, in octets, without the trailing dot (RFC 1035 2.3.4 allows 255
/// octets in wire form, which spends two on the first length octet and the root).
inline constexpr std::size_t max_domain_length = 253;
/// The longest label, in octets (RFC 1035 2.3.4).
inline constexpr std::size_t max_label_length = 63;
/// Inputs to the IDNA conversions longer than this are refused before libidn2 sees them.
inline constexpr std::size_t max_idna_input = 1024;

/// Checks `name` against `syntax`. One trailing dot is accepted.
/// Errors: Errc::syntax for an empty name or label, a bad character, a label starting or ending
/// with '-'; Errc::too_long for a label over 63 octets or a name over 253. The offset is where
/// the problem is.
HALLMARK_API Expected<void> validate_domain(std::string_view name,
                                            DomainSyntax syntax = DomainSyntax::ldh);
/// validate_domain() without the message, for callers that only branch on the answer.
HALLMARK_API bool is_valid_domain(std::string_view name,
                                  DomainSyntax syntax = DomainSyntax::ldh) noexcept;

/// `name` without one trailing dot.
HALLMARK_API std::string_view strip_trailing_dot(std::string_view name) noexcept;
/// ASCII letters lowered; every other octet (UTF-8 included) unchanged.
HALLMARK_API std::string to_lower_ascii(std::string_view text);
/// Whether two names are the same, ASCII case-insensitively, ignoring one trailing dot on
/// either. No IDNA mapping: compare A-labels (to_a_label) when either may be a U-label.
HALLMARK_API bool domain_equal(std::string_view a, std::string_view b) noexcept;

/// The labels of `name`, left to right, as views into it; one trailing dot ignored. An empty
/// name has no labels. No validation: "a..b" gives an empty middle label.
HALLMARK_API std::vector<std::string_view> split_labels(std::string_view name);
/// Number of labels; 0 for "" and ".".
HALLMARK_API std::size_t label_count(std::string_view name) noexcept;
/// `name` without its first label: "a.b.c" -> "b.c"; a single label -> "". A view into `name`
/// (a trailing dot stays on the parent).
HALLMARK_API std::string_view parent_domain(std::string_view name) noexcept;
/// Whether `child` equals `parent` or ends with "." + `parent`, comparing whole labels ASCII
/// case-insensitively, trailing dots ignored. False when either is empty: an empty
/// organizational domain must never make every name aligned (RFC 7489 3.1, relaxed mode).
HALLMARK_API bool is_subdomain_of(std::string_view child, std::string_view parent) noexcept;

/// The A-label form of a domain (IDNA2008 with UTS #46 non-transitional mapping, NFC input),
/// lower-cased, checked against `syntax`: "Bücher.example" -> "xn--bcher-kva.example". An
/// all-ASCII name is only validated and lower-cased.
/// Errors: Errc::bad_encoding for bad UTF-8, a NUL, or code points IDNA2008 disallows;
/// Errc::too_long for inputs over max_idna_input octets, labels or names over the limits;
/// Errc::syntax when the converted name fails `syntax`.
HALLMARK_API Expected<std::string> to_a_label(std::string_view domain,
                                              DomainSyntax syntax = DomainSyntax::ldh);
/// The U-label form, for display: "xn--bcher-kva.example" -> "bücher.example". The input goes
/// through to_a_label() first, so U-labels and upper case are accepted; the result converts
/// back to the same A-labels.
/// Errors: those of to_a_label(); Errc::bad_encoding for an A-label that is not valid Punycode
/// or does not convert back to itself.
HALLMARK_API Expected<std::string> to_u_label(std::string_view domain,
                                              DomainSyntax syntax = DomainSyntax::ldh);

}  // namespace hallmark::core
