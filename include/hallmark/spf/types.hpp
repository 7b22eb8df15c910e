// SPDX-License-Identifier: Apache-2.0
// SPF results (RFC 7208 2.6) and the parsed form of a record (RFC 7208 4.6, 5, 6, 7).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "hallmark/core/inline_string.hpp"
#include "hallmark/core/ip.hpp"
#include "hallmark/export.hpp"

namespace hallmark::spf {

/// RFC 7208 2.6; lower-case names as RFC 8601 and Received-SPF spell them.
enum class Outcome : std::uint8_t { none, neutral, pass, fail, softfail, temperror, permerror };

HALLMARK_API std::string_view to_string(Outcome outcome) noexcept;
/// "pass" -> Outcome::pass; nullopt for anything else (case-insensitive).
HALLMARK_API std::optional<Outcome> parse_outcome(std::string_view text) noexcept;

enum class Qualifier : std::uint8_t { pass, fail, softfail, neutral };  // + - ~ ?

enum class MechanismKind : std::uint8_t { all, include, a, mx, ptr, ip4, ip6, exists };

HALLMARK_API std::string_view to_string(MechanismKind kind) noexcept;

/// One piece of a macro-string (RFC 7208 7.1): literal text or a macro to expand.
struct MacroPiece {
  std::string literal;      // used when letter == 0
  char letter = 0;          // s l o d i p h c r t v, lower case
  bool url_escape = false;  // the letter was written in upper case
  unsigned keep = 0;        // digit transformer: keep this many right-hand parts (0 = all)
  bool reverse = false;     // 'r' transformer
  std::string delimiters;   // empty means "."
  friend bool operator==(const MacroPiece&, const MacroPiece&) = default;
};

/// A parsed macro-string; `text` keeps the original spelling for traces and round trips.
struct MacroString {
  std::string text;
  std::vector<MacroPiece> pieces;
  bool empty() const noexcept { return text.empty(); }
  bool has_macros() const noexcept;
  friend bool operator==(const MacroString&, const MacroString&) = default;
};

struct Mechanism {
  Qualifier qualifier = Qualifier::pass;
  MechanismKind kind = MechanismKind::all;
  MacroString domain;       // include, exists (required); a, mx, ptr (optional)
  core::IpAddress network;  // ip4, ip6
  unsigned cidr4 = 32;      // a, mx, ip4
  unsigned cidr6 = 128;     // a, mx, ip6
  friend bool operator==(const Mechanism&, const Mechanism&) = default;
};

struct Modifier {
  std::string name;  // lower case
  MacroString value;
  friend bool operator==(const Modifier&, const Modifier&) = default;
};

struct Record {
  std::vector<Mechanism> mechanisms;  // in order
  std::optional<MacroString> redirect;
  std::optional<MacroString> explanation;   // exp=
  std::vector<Modifier> unknown_modifiers;  // kept, ignored (RFC 7208 6)
  friend bool operator==(const Record&, const Record&) = default;
};

/// One evaluated term, so an operator can see why a policy hit a limit or matched.
struct TraceEntry {
  std::string domain;        // the record's domain
  std::string term;          // as written: "include:_spf.example.com", "redirect=..."
  unsigned depth = 0;        // include/redirect nesting level, 0 for the top record
  unsigned dns_lookups = 0;  // DNS queries this term made
  bool matched = false;
  std::string note;  // "void lookup", "no match", "temperror: timeout", ...
};

/// Which identity was checked (RFC 7208 2.3, 2.4).
enum class Identity : std::uint8_t { mailfrom, helo };

HALLMARK_API std::string_view to_string(Identity identity) noexcept;

/// The outcome of one check and why. Its texts are held inside the result up to a size that
/// covers nearly every real domain, address and term, so a check on cached answers allocates
/// nothing; longer texts go to the heap. They read as std::string_view.
struct Result {
  Outcome outcome = Outcome::none;
  Identity identity = Identity::mailfrom;
  /// Why: "example.com matched ip4:192.0.2.0/24", "example.com has no SPF record".
  core::InlineString<128> reason;
  /// For fail: the expanded exp= text, or the default explanation.
  core::InlineString<128> explanation;
  core::InlineString<64> domain;     // the domain check_host() started with
  core::InlineString<96> sender;     // <sender>: "user@example.com", "postmaster@helo.example"
  core::InlineString<64> mechanism;  // the term that decided, when a mechanism matched
  unsigned dns_lookups = 0;          // DNS-querying terms counted against the limit (4.6.4)
  unsigned void_lookups = 0;         // lookups that gave NXDOMAIN or no answer
  std::vector<TraceEntry> trace;
};

}  // namespace hallmark::spf
