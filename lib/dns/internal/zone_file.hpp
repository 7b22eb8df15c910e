// SPDX-License-Identifier: Apache-2.0
// The master-file reader behind ZoneResolver (RFC 1035 5, the subset DESIGN.md lists) and the
// name rules both share. Layer-private: not installed.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "hallmark/core/error.hpp"
#include "hallmark/core/ip.hpp"
#include "hallmark/dns/types.hpp"

namespace hallmark::dns::internal {

/// TTL of records that state none, with no $TTL and no earlier explicit TTL to inherit, and
/// the negative TTL of a zone with neither an SOA nor a $TTL.
inline constexpr std::uint32_t default_ttl = 300;
/// RFC 1035 2.3.4: 255 octets in wire form, 253 in text without the trailing dot.
inline constexpr std::size_t max_name_length = 253;
/// RFC 2181 8: a TTL is an unsigned 31-bit number.
inline constexpr std::uint32_t max_ttl = 0x7fffffff;
/// RFC 1035 4.2: a DNS message holds at most 65535 octets, so no server can hand out an RRset
/// much larger than this; refusing more also keeps duplicate detection cheap.
inline constexpr std::size_t max_rrset_size = 4096;

/// One record read from a master file. Names are in plain text form: escapes decoded, labels
/// joined by '.', no trailing dot, case kept; "" is the root.
struct ZoneRecord {
  std::string owner;
  Type type = Type::a;
  /// Status::timeout or Status::servfail for the TIMEOUT and SERVFAIL pseudo-types (the
  /// `type` field is then meaningless); Status::noerror for real records.
  Status failure = Status::noerror;
  /// Nonzero for a record of a registered type hallmark does not model (SRV, CAA, DNSSEC
  /// records, RFC 3597 TYPEnnn...): its type number. Such a record only makes its owner exist;
  /// its data was checked for master-file syntax and dropped, and `type` is meaningless.
  std::uint16_t unmodelled_type = 0;
  std::uint32_t ttl = default_ttl;
  std::size_t line = 0;

  core::IpAddress address;           // A, AAAA
  std::uint16_t preference = 0;      // MX
  std::string target;                // MX exchange, PTR, CNAME, NS
  std::vector<std::string> strings;  // TXT, SPF: the character-strings, decoded
  /// SOA: the negative-caching TTL it gives, min(SOA TTL, MINIMUM) (RFC 2308 5).
  std::uint32_t negative_ttl = 0;
};

struct ZoneFile {
  std::vector<ZoneRecord> records;
  /// The first $TTL of the file, if any: the fallback negative TTL for names no SOA covers.
  std::optional<std::uint32_t> ttl_directive;
};

/// Reads master-file text. `source` prefixes every error message ("demo.zone:12: ..."),
/// `origin` is the initial $ORIGIN (absolute, trailing dot optional).
/// Records of registered types not in dns::Type, and RFC 3597 `TYPEnnn` for any number 1-65535,
/// are accepted (see ZoneRecord::unmodelled_type); RFC 3597 generic data (`\# length hex`) is
/// accepted for every type, and decoded for the modelled ones.
/// Errors: Errc::syntax (bad token, unterminated quote or parenthesis, missing data),
/// Errc::bad_value (bad address, TTL, number or generic data), Errc::too_long (label, name or
/// character-string over its limit), Errc::unsupported (unknown type, class or directive).
/// The offset is that of the offending token.
core::Expected<ZoneFile> parse_zone_file(std::string_view text, std::string_view source,
                                         std::string_view origin);

/// Why `name` (plain text, one trailing dot allowed) is not a valid query name: an empty
/// label, a label over 63 octets, a name over 253 octets (RFC 1035 2.3.4). Empty when valid;
/// "" and "." (the root) are valid.
std::string_view query_name_problem(std::string_view name) noexcept;

/// `name` without one trailing dot, ASCII letters lowered (RFC 4343: DNS compares names
/// case-insensitively, and only ASCII letters have case). Writes into `buffer`, which must
/// hold name.size() octets, and returns a view of it.
std::string_view lower_name(std::string_view name, char* buffer) noexcept;

}  // namespace hallmark::dns::internal
