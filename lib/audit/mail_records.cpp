// SPDX-License-Identifier: Apache-2.0
// TLS-RPT (RFC 8460 3), MTA-STS (RFC 8461 3.1) and BIMI (draft-brand-indicators-for-message-
// identification 4.2) record text -> what the audit checks. All three are tag lists in the
// RFC 6376 3.2 form, read by the library's tag-list parser; what each protocol adds (the
// version first, the required tags, their values) is checked here.
#include "audit/mail_records.hpp"

#include <fmt/format.h>

#include "core/internal/ascii.hpp"
#include "hallmark/core/header_text.hpp"
#include "hallmark/core/tag_list.hpp"

namespace hallmark::audit::detail {
namespace {

using core::Errc;
using core::detail::iequals;
using core::detail::to_lower;
using core::detail::trim_fws;

// RFC 8460 3 and RFC 8461 3.1: 1*32(ALPHA / DIGIT).
constexpr std::size_t max_sts_id = 32;

bool contains_ignoring_case(std::string_view text, std::string_view word) noexcept {
  for (std::size_t at = 0; at + word.size() <= text.size(); ++at)
    if (iequals(text.substr(at, word.size()), word)) return true;
  return false;
}

bool is_alnum(char c) noexcept {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

bool is_hex(char c) noexcept {
  return (c >= '0' && c <= '9') || (to_lower(c) >= 'a' && to_lower(c) <= 'f');
}

// One octet of a value, for messages: "'-'" when printable, "0x0a" otherwise.
std::string describe(char c) {
  auto octet = static_cast<unsigned char>(c);
  if (octet > 0x20 && octet < 0x7f) return fmt::format("'{}'", c);
  return fmt::format("0x{:02x}", octet);
}

std::unexpected<core::Error> tag_error(Errc code, const core::Tag& tag, std::string_view why) {
  return core::fail(code, fmt::format("tag '{}' {}", tag.name, why), tag.value_offset);
}

// A URI of the tag's value that is not one the protocol takes.
std::unexpected<core::Error> uri_error(const core::Tag& tag, std::string_view problem) {
  return core::fail(Errc::bad_value, fmt::format("tag '{}': {}", tag.name, problem),
                    tag.value_offset);
}

// The version tag, first. `exact`: the record must also begin with the very text
// "v=<version>", no white space before it or around '=' (RFC 8460 3 and RFC 8461 3.1: senders
// discard records that do not).
core::Expected<void> check_version(const core::TagList& tags, std::string_view version,
                                   bool exact) {
  const core::Tag* v = tags.find("v");
  if (v == nullptr)
    return core::fail(Errc::missing_tag,
                      fmt::format("tag 'v' is missing: the record must begin with v={}", version));
  if (v->value != version)
    return tag_error(Errc::unsupported, *v,
                     fmt::format("is '{}', not {}", printable(v->value), version));
  if (&tags[0] != v)
    return core::fail(
        Errc::bad_value,
        fmt::format("tag 'v' is not the first tag: the record must begin with v={}", version),
        v->offset);
  if (exact && (v->offset != 0 || v->value_offset != 2))
    return core::fail(Errc::syntax,
                      fmt::format("the record must begin with exactly 'v={}', without white "
                                  "space before it or around '='",
                                  version),
                      0);
  return {};
}

// What is wrong with an https: or (`mailto`) mailto: URI, or nothing. RFC 3986 2: the
// characters a URI may hold, '%' only before two hex digits; RFC 8460 3: ',' and '!' encoded.
std::string uri_problem(std::string_view uri, bool mailto) {
  std::string shown = printable(uri);
  std::size_t colon = uri.find(':');
  std::string_view scheme = uri.substr(0, colon == std::string_view::npos ? 0 : colon);
  std::string_view wanted = mailto ? "a mailto: or https:" : "an https:";
  if (colon == std::string_view::npos || scheme.empty())
    return fmt::format("'{}' is not a URI: it should be {} URI", shown, wanted);
  bool https = iequals(scheme, "https");
  if (!https && !(mailto && iequals(scheme, "mailto"))) {
    if (iequals(scheme, "http")) return fmt::format("'{}' is http:, not https:", shown);
    return fmt::format("'{}' is not {} URI", shown, wanted);
  }
  std::string_view rest = uri.substr(colon + 1);
  constexpr std::string_view allowed = "-._~:/?#[]@!$&'()*+,;=%";
  for (std::size_t i = 0; i < rest.size(); ++i) {
    char c = rest[i];
    if (c == '!' || c == ',')
      return fmt::format("'{}' has {} where it must be percent-encoded", shown, describe(c));
    if (!is_alnum(c) && allowed.find(c) == std::string_view::npos)
      return fmt::format("'{}' has {}, which no URI may hold", shown, describe(c));
    if (c == '%' && (i + 2 >= rest.size() || !is_hex(rest[i + 1]) || !is_hex(rest[i + 2])))
      return fmt::format("'{}' has a '%' not followed by two hex digits", shown);
  }
  if (https) {
    // hier-part = "//" authority path-abempty; the host is what is left of the authority
    // without user information and port.
    if (!rest.starts_with("//")) return fmt::format("'{}' has no '//' after https:", shown);
    std::string_view authority = rest.substr(2, rest.find_first_of("/?#", 2) - 2);
    if (std::size_t at = authority.rfind('@'); at != std::string_view::npos)
      authority.remove_prefix(at + 1);
    if (authority.empty() || authority.front() == ':')
      return fmt::format("'{}' has no host", shown);
    return {};
  }
  // mailto:local@domain, maybe with ?headers after.
  std::string_view address = rest.substr(0, rest.find('?'));
  std::size_t at = address.rfind('@');
  if (at == std::string_view::npos || at == 0 || at + 1 == address.size())
    return fmt::format("'{}' has no mailbox of the form local@domain", shown);
  return {};
}

}  // namespace

bool mentions_tls_rpt(std::string_view text) noexcept {
  return contains_ignoring_case(text, "TLSRPTv");
}
bool mentions_mta_sts(std::string_view text) noexcept {
  return contains_ignoring_case(text, "STSv");
}
bool mentions_bimi(std::string_view text) noexcept { return contains_ignoring_case(text, "BIMI"); }

core::Expected<TlsRptRecord> parse_tls_rpt_record(std::string_view text) {
  auto tags = core::parse_tag_list(text);
  if (!tags) return std::unexpected(std::move(tags.error()));
  if (auto version = check_version(*tags, "TLSRPTv1", true); !version)
    return std::unexpected(std::move(version.error()));
  const core::Tag* rua = tags->find("rua");
  if (rua == nullptr)
    return core::fail(Errc::missing_tag,
                      "tag 'rua' is missing: it names where reports go and is required");
  if (rua->value.empty()) return tag_error(Errc::bad_value, *rua, "is empty");
  // tlsrpt-rua = "rua=" tlsrpt-uri *(*WSP "," *WSP tlsrpt-uri)
  TlsRptRecord record;
  for (std::size_t start = 0; start <= rua->value.size();) {
    std::size_t comma = rua->value.find(',', start);
    if (comma == std::string_view::npos) comma = rua->value.size();
    std::string_view uri = trim_fws(rua->value.substr(start, comma - start));
    if (uri.empty()) return tag_error(Errc::bad_value, *rua, "has an empty URI in its list");
    if (std::string problem = uri_problem(uri, true); !problem.empty())
      return uri_error(*rua, problem);
    record.rua.emplace_back(uri);
    start = comma + 1;
  }
  return record;
}

core::Expected<MtaStsRecord> parse_mta_sts_record(std::string_view text) {
  auto tags = core::parse_tag_list(text);
  if (!tags) return std::unexpected(std::move(tags.error()));
  if (auto version = check_version(*tags, "STSv1", true); !version)
    return std::unexpected(std::move(version.error()));
  const core::Tag* id = tags->find("id");
  if (id == nullptr)
    return core::fail(Errc::missing_tag,
                      "tag 'id' is missing: it tells senders when the policy changed and is "
                      "required");
  if (id->value.empty()) return tag_error(Errc::bad_value, *id, "is empty");
  for (std::size_t i = 0; i < id->value.size(); ++i)
    if (!is_alnum(id->value[i]))
      return core::fail(Errc::bad_value,
                        fmt::format("tag 'id' has {} at offset {}: only letters and digits may "
                                    "be used",
                                    describe(id->value[i]), id->value_offset + i),
                        id->value_offset + i);
  if (id->value.size() > max_sts_id)
    return tag_error(Errc::bad_value, *id,
                     fmt::format("has {} characters, more than {}", id->value.size(), max_sts_id));
  return MtaStsRecord{std::string(id->value)};
}

core::Expected<BimiRecord> parse_bimi_record(std::string_view text) {
  auto tags = core::parse_tag_list(text);
  if (!tags) return std::unexpected(std::move(tags.error()));
  if (auto version = check_version(*tags, "BIMI1", false); !version)
    return std::unexpected(std::move(version.error()));
  const core::Tag* l = tags->find("l");
  if (l == nullptr)
    return core::fail(Errc::missing_tag,
                      "tag 'l' is missing: it holds the logo's https: URI, or nothing to decline "
                      "to publish one");
  BimiRecord record;
  for (const core::Tag* tag : {l, tags->find("a")}) {
    if (tag == nullptr || tag->value.empty()) continue;
    // Early drafts allowed a list in l=; the current one holds one URI.
    if (tag->value.find(',') != std::string_view::npos)
      return tag_error(Errc::bad_value, *tag, "holds more than one URI");
    if (std::string problem = uri_problem(tag->value, false); !problem.empty())
      return uri_error(*tag, problem);
    (tag == l ? record.location : record.authority) = std::string(tag->value);
  }
  return record;
}

std::string printable(std::string_view text, std::size_t limit) {
  std::string out = core::echoed(text, limit);
  for (char& c : out) {
    auto octet = static_cast<unsigned char>(c);
    if (c == '\t' || c == '\r' || c == '\n')
      c = ' ';
    else if (octet < 0x20 || octet >= 0x7f)
      c = '?';
  }
  return out;
}

}  // namespace hallmark::audit::detail
