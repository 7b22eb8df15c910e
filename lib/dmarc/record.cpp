// SPDX-License-Identifier: Apache-2.0
// DMARC record text -> dmarc::Record (RFC 9989 4.7, 4.8; RFC 7489 6.3).
#include "hallmark/dmarc/record.hpp"

#include <algorithm>
#include <bitset>
#include <charconv>

#include <fmt/format.h>

#include "core/internal/ascii.hpp"
#include "hallmark/core/domain.hpp"

namespace hallmark::dmarc {
namespace {

using core::detail::iequals;
using core::detail::is_wsp;

// RFC 9989 4.8: dmarc-sep = *WSP ";" *WSP; the tag list is split leniently because a bad tag
// must only lose itself, never the record.
std::string_view trim_wsp(std::string_view text) noexcept {
  while (!text.empty() && is_wsp(text.front())) text.remove_prefix(1);
  while (!text.empty() && is_wsp(text.back())) text.remove_suffix(1);
  return text;
}

struct RawTag {
  std::string_view name;
  std::string_view value;
};

std::vector<RawTag> split_tags(std::string_view text) {
  std::vector<RawTag> tags;
  // One allocation for an ordinary record; a hostile one grows as it must.
  tags.reserve(16);
  std::size_t start = 0;
  while (start <= text.size()) {
    std::size_t end = text.find(';', start);
    if (end == std::string_view::npos) end = text.size();
    std::string_view spec = trim_wsp(text.substr(start, end - start));
    std::size_t equals = spec.find('=');
    if (equals != std::string_view::npos) {
      std::string_view name = trim_wsp(spec.substr(0, equals));
      bool alpha = !name.empty();
      for (char c : name) alpha = alpha && ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'));
      if (alpha) tags.push_back(RawTag{name, trim_wsp(spec.substr(equals + 1))});
    }
    start = end + 1;
  }
  return tags;
}

std::optional<Policy> parse_policy(std::string_view value) noexcept {
  if (iequals(value, "none")) return Policy::none;
  if (iequals(value, "quarantine")) return Policy::quarantine;
  if (iequals(value, "reject")) return Policy::reject;
  return std::nullopt;
}

// RFC 3986 3.1: scheme = ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ), then ':' and a body
// without white space (RFC 9989 4.8: commas and '!' must be encoded).
bool is_uri(std::string_view uri) noexcept {
  std::size_t colon = uri.find(':');
  if (colon == std::string_view::npos || colon == 0 || colon + 1 == uri.size()) return false;
  auto alpha = [](char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); };
  if (!alpha(uri[0])) return false;
  for (char c : uri.substr(0, colon))
    if (!alpha(c) && !(c >= '0' && c <= '9') && c != '+' && c != '-' && c != '.') return false;
  for (char c : uri.substr(colon + 1)) {
    auto byte = static_cast<unsigned char>(c);
    if (byte <= 0x20 || byte >= 0x7f || c == ',' || c == '!') return false;
  }
  return true;
}

// dmarc-urilist, dropping the obsolete "!size" suffix and any URI that is not one.
std::vector<std::string> parse_uris(std::string_view list) {
  std::vector<std::string> uris;
  std::size_t start = 0;
  while (start <= list.size() && uris.size() < 100) {
    std::size_t comma = list.find(',', start);
    if (comma == std::string_view::npos) comma = list.size();
    std::string_view uri = trim_wsp(list.substr(start, comma - start));
    if (std::size_t bang = uri.find('!'); bang != std::string_view::npos) {
      std::string_view size = uri.substr(bang + 1);
      if (!size.empty() && std::string_view("kmgtKMGT").find(size.back()) != std::string_view::npos)
        size.remove_suffix(1);
      bool digits = !size.empty() && size.find_first_not_of("0123456789") == std::string_view::npos;
      uri = digits ? uri.substr(0, bang) : std::string_view();
    }
    if (is_uri(uri)) uris.emplace_back(uri);
    start = comma + 1;
  }
  return uris;
}

// dmarc-fo: 0 or 1, d, s, colon-separated, each at most once; anything else keeps "0".
std::string parse_failure_options(std::string_view value) {
  std::string out;
  bool seen[4] = {false, false, false, false};
  std::size_t start = 0;
  while (start <= value.size()) {
    std::size_t colon = value.find(':', start);
    if (colon == std::string_view::npos) colon = value.size();
    std::string_view option = trim_wsp(value.substr(start, colon - start));
    std::size_t index = std::string_view("01ds").find(option.empty() ? '?' : option[0]);
    if (option.size() != 1 || index == std::string_view::npos || seen[index]) return "0";
    if ((index == 0 && seen[1]) || (index == 1 && seen[0])) return "0";  // exclusive
    seen[index] = true;
    out += (out.empty() ? "" : ":") + std::string(option);
    start = colon + 1;
  }
  return out.empty() ? std::string("0") : out;
}

template <class Number>
std::optional<Number> parse_number(std::string_view value) noexcept {
  Number number{};
  auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), number);
  if (value.empty() || ec != std::errc{} || end != value.data() + value.size()) return std::nullopt;
  return number;
}

// The tags RFC 9989 4.7 and RFC 7489 6.3 define; others are ignored (RFC 9989 4.7).
enum class Tag : std::uint8_t { p, sp, np, psd, t, adkim, aspf, rua, ruf, fo, pct, ri, rf };
constexpr std::string_view tag_names[] = {"p",   "sp",  "np", "psd", "t",  "adkim", "aspf",
                                          "rua", "ruf", "fo", "pct", "ri", "rf"};

std::optional<Tag> known_tag(std::string_view name) noexcept {
  for (std::size_t i = 0; i < std::size(tag_names); ++i)
    if (iequals(name, tag_names[i])) return static_cast<Tag>(i);
  return std::nullopt;
}

void apply_tag(Tag tag, std::string_view value, Record& record) {
  switch (tag) {
    case Tag::p:
      record.policy = parse_policy(value);
      record.policy_invalid = !record.policy;
      break;
    case Tag::sp:
      record.subdomain_policy = parse_policy(value);
      record.subdomain_policy_invalid = !record.subdomain_policy;
      break;
    case Tag::np:
      record.nonexistent_policy = parse_policy(value);
      record.nonexistent_policy_invalid = !record.nonexistent_policy;
      break;
    case Tag::psd:
      if (iequals(value, "y")) record.psd = PsdFlag::yes;
      if (iequals(value, "n")) record.psd = PsdFlag::no;
      break;
    case Tag::t:
      record.testing = iequals(value, "y");
      record.testing_given = record.testing || iequals(value, "n");
      break;
    case Tag::adkim:
      record.dkim_alignment = iequals(value, "s") ? Alignment::strict : Alignment::relaxed;
      break;
    case Tag::aspf:
      record.spf_alignment = iequals(value, "s") ? Alignment::strict : Alignment::relaxed;
      break;
    case Tag::rua: record.aggregate_uris = parse_uris(value); break;
    case Tag::ruf: record.failure_uris = parse_uris(value); break;
    case Tag::fo: record.failure_options = parse_failure_options(value); break;
    case Tag::pct: {
      auto percent = parse_number<unsigned>(value);
      if (percent && *percent <= 100) record.percent = *percent;
      break;
    }
    case Tag::ri: record.report_interval = parse_number<std::uint32_t>(value); break;
    case Tag::rf:
      for (std::size_t start = 0; start <= value.size();) {
        std::size_t colon = value.find(':', start);
        if (colon == std::string_view::npos) colon = value.size();
        std::string_view format = trim_wsp(value.substr(start, colon - start));
        if (!format.empty() && record.report_formats.size() < 16)
          record.report_formats.emplace_back(format);
        start = colon + 1;
      }
      break;
  }
}

}  // namespace

std::string_view to_string(Policy policy) noexcept {
  switch (policy) {
    case Policy::none: return "none";
    case Policy::quarantine: return "quarantine";
    case Policy::reject: return "reject";
  }
  return "none";
}

bool is_dmarc_record(std::string_view text) noexcept {
  // RFC 9989 4.7: "v" first, its value exactly "DMARC1".
  text = trim_wsp(text);
  if (text.empty() || (text[0] != 'v' && text[0] != 'V')) return false;
  text = trim_wsp(text.substr(1));
  if (text.empty() || text[0] != '=') return false;
  text = trim_wsp(text.substr(1));
  if (!text.starts_with("DMARC1")) return false;
  text = trim_wsp(text.substr(6));
  return text.empty() || text[0] == ';';
}

core::Expected<Record> parse_record(std::string_view text) {
  if (!is_dmarc_record(text))
    return core::fail(core::Errc::unsupported, "not a DMARC record: the first tag is not v=DMARC1");
  std::vector<RawTag> tags = split_tags(text);
  Record record;
  std::bitset<std::size(tag_names)> seen;
  for (std::size_t i = 1; i < tags.size(); ++i) {
    std::optional<Tag> tag = known_tag(tags[i].name);
    // A repeated tag keeps its first value: later ones cannot quietly weaken the policy.
    if (!tag || seen.test(static_cast<std::size_t>(*tag))) continue;
    seen.set(static_cast<std::size_t>(*tag));
    apply_tag(*tag, tags[i].value, record);
  }
  return record;
}

bool has_valid_policies(const Record& record) noexcept {
  return record.policy && !record.subdomain_policy_invalid && !record.nonexistent_policy_invalid;
}

bool is_applicable(const Record& record) noexcept {
  return has_valid_policies(record) || !record.aggregate_uris.empty();
}

std::string to_string(const Record& record) {
  std::string out = "v=DMARC1";
  if (record.policy) out += fmt::format("; p={}", to_string(*record.policy));
  if (record.subdomain_policy) out += fmt::format("; sp={}", to_string(*record.subdomain_policy));
  if (record.nonexistent_policy)
    out += fmt::format("; np={}", to_string(*record.nonexistent_policy));
  if (record.psd != PsdFlag::unknown) out += record.psd == PsdFlag::yes ? "; psd=y" : "; psd=n";
  if (record.testing) out += "; t=y";
  if (record.dkim_alignment == Alignment::strict) out += "; adkim=s";
  if (record.spf_alignment == Alignment::strict) out += "; aspf=s";
  auto list = [](const std::vector<std::string>& uris) {
    std::string joined;
    for (const std::string& uri : uris) joined += (joined.empty() ? "" : ",") + uri;
    return joined;
  };
  if (!record.aggregate_uris.empty()) out += "; rua=" + list(record.aggregate_uris);
  if (!record.failure_uris.empty()) out += "; ruf=" + list(record.failure_uris);
  if (record.failure_options != "0") out += "; fo=" + record.failure_options;
  if (record.percent) out += fmt::format("; pct={}", *record.percent);
  return out;
}

}  // namespace hallmark::dmarc
