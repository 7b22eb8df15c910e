// SPDX-License-Identifier: Apache-2.0
// RFC 8601 Authentication-Results field values parsed into their authserv-id and method results.
#pragma once

#include <cstddef>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "hallmark/core/error.hpp"
#include "hallmark/export.hpp"

namespace hallmark::mail {

/// One "ptype.property=pvalue" statement of a method result (RFC 8601 2.2, 2.3).
struct HALLMARK_API AuthProperty {
  /// Lower-cased ("smtp", "header", "policy", or an unknown extension ptype). Empty for the
  /// ptype-less "property=value" form some generators write (see parse_auth_results()).
  std::string ptype;
  /// Lower-cased ("mailfrom", "d", "dkim-rules", ...).
  std::string property;
  /// A quoted-string pvalue decoded (quotes and quoted-pair backslashes removed, folds
  /// removed, 8-bit bytes kept); anything else as written minus CFWS. A local-part@domain
  /// whose local part is a quoted-string keeps its quotes ("\"a b\"@example.com"), as
  /// Mailbox::local_part does, so the value is still an address.
  std::string value;

  friend bool operator==(const AuthProperty&, const AuthProperty&) = default;
};

/// One "method[/version]=result" statement with its reason and properties (RFC 8601 2.2).
struct HALLMARK_API AuthMethod {
  /// Lower-cased ("spf", "dkim", "dmarc", "arc", or an unknown extension method).
  std::string method;
  /// The method-version after '/', when written.
  std::optional<unsigned> version;
  /// Lower-cased ("pass", "fail", ..., or an unknown result); never empty.
  std::string result;
  /// The reasonspec value decoded like a quoted-string pvalue; empty when there is none.
  std::string reason;
  /// In the order written.
  std::vector<AuthProperty> properties;

  /// The value of the first property `ptype`.`name` (ASCII case-insensitive), or "" when there
  /// is none. A property written as "" also gives "": use `properties` to tell them apart.
  std::string_view property(std::string_view ptype, std::string_view name) const noexcept;

  friend bool operator==(const AuthMethod&, const AuthMethod&) = default;
};

/// A parsed Authentication-Results field value.
struct HALLMARK_API AuthResults {
  /// The authentication service identifier, decoded if it was quoted; never empty. RFC 8601 5:
  /// only results from a trusted authserv-id may be acted upon.
  std::string authserv_id;
  /// The authres-version after the authserv-id, when written.
  std::optional<unsigned> version;
  /// In the order written; empty for the "none" no-result form.
  std::vector<AuthMethod> methods;

  /// The first result of `method` (ASCII case-insensitive), or nullptr.
  const AuthMethod* find(std::string_view method) const noexcept;

  friend bool operator==(const AuthResults&, const AuthResults&) = default;
};

/// Bounds on what a field's author can make the parser hold or do.
struct HALLMARK_API AuthResultsLimits {
  /// Bytes of the value. Real fields are a few hundred bytes to a few KB (one line per
  /// method, a handful of methods); 64 KiB is room for 64 folded 998-byte lines.
  std::size_t max_bytes = 64 * 1024;
  /// Method results in one field. Real fields carry 1 to ~10 (several DKIM signatures).
  std::size_t max_methods = 64;
  /// Properties of one method result. Registered methods define at most ~6.
  std::size_t max_properties = 32;
  /// How deeply comments may nest. Real fields nest once ("(good signature)").
  std::size_t max_comment_depth = 16;
};

/// Parses an RFC 8601 2.2 Authentication-Results field value (everything after the colon),
/// folded (CRLF or bare LF followed by whitespace) or unfolded, with CFWS wherever the
/// grammar allows it. Unknown methods, results and ptypes are kept: RFC 8601 2.3 and 2.7 leave
/// ignoring them to the consumer. Also accepted, because real generators write them and
/// nothing is ambiguous:
///   - empty results, as in a trailing ";" after the last one;
///   - a "property=value" with no ptype (Microsoft 365 writes "dmarc=pass action=none"),
///     returned with an empty AuthProperty::ptype;
///   - a reasonspec after properties (at most one reasonspec per method);
///   - bare reasons and pvalues made of RFC 5322 dot-atom text rather than RFC 2045 token
///     characters, which adds '/', '=' and '?' ("header.b=ab/c+d=", SRS addresses
///     "SRS0=h=tt=example.com=u@fwd.example");
///   - 8-bit bytes (RFC 6532, RFC 8616 U-labels) in bare values, kept as they are.
/// A field that starts with a method result instead of an authserv-id (as Microsoft 365
/// writes) fails: its results cannot be attributed to a trusted service.
///
/// Runs in time linear in the input, without recursion, holding memory linear in the input.
///
/// Errors, with the offset of the offending byte: Errc::too_long when the value exceeds
/// limits.max_bytes; Errc::too_many for more than limits.max_methods results,
/// limits.max_properties properties in one result, or comments nested deeper than
/// limits.max_comment_depth; Errc::bad_value for a version of more than 9 digits;
/// Errc::duplicate_tag for a second reasonspec in one result; Errc::syntax for anything else
/// the grammar does not allow: a missing authserv-id, ';', method, '=', result, property or
/// value, "none" beside method results, an unterminated comment or quoted string, a NUL byte
/// anywhere, a control byte in a quoted string, a bare CR, or a line break not followed by
/// whitespace (which would end the field).
HALLMARK_API core::Expected<AuthResults> parse_auth_results(std::string_view value,
                                                            const AuthResultsLimits& limits = {});

/// The whole field for a set of method fragments (each protocol's auth_results_fragment()):
/// "Authentication-Results: mx.example.org;" then each fragment on a line of its own, folded
/// further where one is longer than 78 octets, or "...; none" when there are none
/// (RFC 8601 2.2). `newline` goes before each continuation line: "\r\n" on the wire, "\n"
/// for a milter or a terminal, "" for a single line. No final line break.
HALLMARK_API std::string auth_results_field(std::string_view authserv_id,
                                            std::span<const std::string> fragments,
                                            std::string_view newline = "\r\n");

}  // namespace hallmark::mail
