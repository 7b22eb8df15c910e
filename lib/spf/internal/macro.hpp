// SPDX-License-Identifier: Apache-2.0
// Macro expansion (RFC 7208 7.3): layer-private, used by the evaluator and its fuzz target.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "hallmark/core/ip.hpp"
#include "hallmark/spf/types.hpp"

namespace hallmark::spf::detail {

/// What the macro letters expand to. %{p} needs DNS, so the evaluator resolves it first
/// (only when the string uses it) and passes the answer in.
struct MacroValues {
  std::string_view sender;                      // s: local-part@domain
  std::string_view local_part;                  // l
  std::string_view sender_domain;               // o
  std::string_view domain;                      // d: the <domain> being evaluated
  core::IpAddress ip;                           // i, c, v
  std::string_view helo;                        // h
  std::string_view validated_name = "unknown";  // p
  std::string_view receiver = "unknown";        // r
  std::int64_t now = 0;                         // t
};

/// Output past this many octets means hostile input (an SMTP path is at most 256 octets):
/// expansion stops there so a record of 5,000 %{s} cannot ask for gigabytes.
inline constexpr std::size_t max_expansion = 8192;

/// Appends the expansion of every macro to `out` (a buffer the caller reuses); false when the
/// expansion would exceed max_expansion, with `out` then holding part of it.
bool expand_into(const MacroString& text, const MacroValues& values, std::string& out);
/// expand_into() a string of its own; nullopt when the result would exceed max_expansion.
std::optional<std::string> expand(const MacroString& text, const MacroValues& values);

/// Whether `text` uses macro `letter` (lower case), e.g. to know if %{p} must be resolved.
bool uses_macro(const MacroString& text, char letter) noexcept;

/// RFC 7208 7.3: a name longer than 253 octets loses labels from the left until it fits: the
/// part of `name` that is kept (empty when its last label alone is too long).
std::string_view truncate_to_domain_limit(std::string_view name) noexcept;

/// %{i}: dotted quad, or the 32 upper-case nibbles of an IPv6 address separated by dots.
std::string ip_macro_value(const core::IpAddress& ip);

}  // namespace hallmark::spf::detail
