// SPDX-License-Identifier: Apache-2.0
// DNS answers as protocol code sees them: a status that keeps NXDOMAIN and NODATA apart,
// typed records, and the TTL that bounds caching.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "hallmark/core/ip.hpp"
#include "hallmark/export.hpp"

namespace hallmark::dns {

/// Record types hallmark queries, with their RFC 1035/3596/7208 numbers.
enum class Type : std::uint16_t {
  a = 1,
  ns = 2,
  cname = 5,
  soa = 6,
  ptr = 12,
  mx = 15,
  txt = 16,
  aaaa = 28,
  spf = 99,
};

/// Outcome of a lookup. nodata is NOERROR with no record of the asked type (RFC 2308 2.2).
enum class Status : std::uint8_t { noerror, nxdomain, nodata, servfail, timeout, refused, error };

HALLMARK_API std::string_view to_string(Type type) noexcept;
HALLMARK_API std::string_view to_string(Status status) noexcept;
/// "A", "aaaa", "Txt", "16", "TYPE16" -> Type; nullopt for types hallmark does not know.
HALLMARK_API std::optional<Type> parse_type(std::string_view text) noexcept;

struct Mx {
  std::uint16_t preference = 0;
  std::string exchange;  // no trailing dot
  friend bool operator==(const Mx&, const Mx&) = default;
};

/// One TXT (or SPF) record: its character-strings, kept apart. RFC 7208 3.3 and RFC 6376
/// 3.6.2.2 both say to join them with nothing in between: text() does that.
struct Txt {
  std::vector<std::string> strings;
  HALLMARK_API std::string text() const;
  /// The same text without a copy when it is one string, as nearly every record is;
  /// otherwise joined into `scratch`, which must outlive the view.
  HALLMARK_API std::string_view text(std::string& scratch) const;
  friend bool operator==(const Txt&, const Txt&) = default;
};

struct Answer {
  std::string name;  // the name asked for, as the lookup that made the answer wrote it
  Type type = Type::a;
  Status status = Status::error;
  /// Seconds this answer may be cached. For negative answers, the SOA minimum (RFC 2308 5).
  std::uint32_t ttl = 0;
  /// The AD bit of the response: an upstream validating resolver vouched for it.
  bool authenticated = false;

  std::vector<core::IpAddress> addresses;  // A and AAAA
  std::vector<Mx> mx;
  std::vector<Txt> txt;            // TXT and SPF
  std::vector<std::string> ptr;    // PTR targets, no trailing dot
  std::vector<std::string> ns;     // NS targets, no trailing dot
  std::vector<std::string> cname;  // CNAME chain followed, in order
  std::string detail;              // why, for status error/servfail/timeout

  bool ok() const noexcept { return status == Status::noerror; }
  /// NXDOMAIN or NODATA: what RFC 7208 4.6.4 calls a void lookup.
  bool is_void() const noexcept { return status == Status::nxdomain || status == Status::nodata; }
  /// SERVFAIL, timeout, refused or error: a temporary failure for every protocol.
  bool is_error() const noexcept { return !ok() && !is_void(); }
  /// Number of records of the asked type.
  std::size_t size() const noexcept;

  /// An answer with only a status (and detail), for failures and negative answers.
  static Answer with_status(std::string name, Type type, Status status, std::string detail = {},
                            std::uint32_t ttl = 0);
};

/// The records of the asked type in master-file presentation form, one string each:
/// "192.0.2.1", "10 mail.example.com.", "\"v=spf1 \" \"-all\"".
HALLMARK_API std::vector<std::string> record_data(const Answer& answer);

/// Text form of an answer for operators: status, then one record per line in master-file
/// style ("example.com. 300 IN MX 10 mail.example.com."). Used by `hallmark dns`.
HALLMARK_API std::string format_answer(const Answer& answer);

}  // namespace hallmark::dns
