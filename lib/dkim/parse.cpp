// SPDX-License-Identifier: Apache-2.0
// DKIM-Signature value -> dkim::Signature (RFC 6376 3.5), every check naming its tag.
#include "hallmark/dkim/parse.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <tuple>

#include <fmt/format.h>

#include "hallmark/core/base64.hpp"
#include "hallmark/core/domain.hpp"
#include "hallmark/core/tag_list.hpp"
#include "core/internal/ascii.hpp"
#include "core/internal/base64.hpp"
#include "core/internal/inline_tag_list.hpp"
#include "dkim/internal/parse_reason.hpp"
#include "dkim/internal/signature_tags.hpp"

namespace hallmark::dkim::detail {

using core::Errc;

using core::detail::is_fws;
using core::detail::trim_fws;

// Values are echoed into errors, and from there into logs and Authentication-Results comments:
// a sender-controlled value of any length must not make those grow with it.
std::string shown(std::string_view value) {
  constexpr std::size_t limit = 64;
  if (value.size() <= limit) return std::string(value);
  return fmt::format("{}...", value.substr(0, limit));
}

std::unexpected<core::Error> tag_error(Errc code, std::string_view tag, std::string_view why,
                                       std::size_t offset) {
  return core::fail(code, fmt::format("tag '{}' {}", tag, why), offset);
}

// Decimal digits into an unsigned value, saturating: RFC 6376 3.5 allows 76 digits in l=
// and a verifier only needs to know the number is larger than any body it will see.
static std::optional<std::uint64_t> parse_decimal(std::string_view digits) noexcept {
  if (digits.empty()) return std::nullopt;
  std::uint64_t value = 0;
  for (char c : digits) {
    if (c < '0' || c > '9') return std::nullopt;
    std::uint64_t digit = static_cast<std::uint64_t>(c - '0');
    if (value > (UINT64_MAX - digit) / 10) {
      value = UINT64_MAX;
    } else {
      value = value * 10 + digit;
    }
  }
  return value;
}

static core::Expected<void> parse_canonicalization(std::string_view text, SignatureFields& out,
                                                   std::size_t offset) {
  auto one = [](std::string_view name) -> std::optional<Canonicalization> {
    if (name == "simple") return Canonicalization::simple;
    if (name == "relaxed") return Canonicalization::relaxed;
    return std::nullopt;
  };
  std::size_t slash = text.find('/');
  auto header = one(text.substr(0, slash));
  // RFC 6376 3.5: "c=relaxed" alone means relaxed headers and simple body.
  auto body = slash == std::string_view::npos ? std::optional(Canonicalization::simple)
                                              : one(text.substr(slash + 1));
  if (!header || !body)
    return tag_error(Errc::bad_value, "c", fmt::format("has unknown value '{}'", shown(text)),
                     offset);
  out.header_canonicalization = *header;
  out.body_canonicalization = *body;
  return {};
}

// Checks h=; for_each_signed_header() reads the names afterwards.
static core::Expected<void> check_header_list(std::string_view text, std::size_t offset,
                                              SignatureKind kind) {
  bool has_from = false;
  std::size_t start = 0;
  while (start <= text.size()) {
    std::size_t colon = text.find(':', start);
    if (colon == std::string_view::npos) colon = text.size();
    std::string_view name = trim_fws(text.substr(start, colon - start));
    if (name.empty()) {
      // An AMS may list nothing, or an empty name, which selects no field (RFC 8617 4.1.2
      // does not require From; the ARC test suite passes such signatures).
      if (kind == SignatureKind::arc_message_signature) {
        start = colon + 1;
        continue;
      }
      return tag_error(Errc::bad_value, "h", "has an empty field name", offset);
    }
    for (char c : name) {
      auto byte = static_cast<unsigned char>(c);
      if (byte < 0x21 || byte > 0x7e)  // RFC 5322 2.2: ftext
        return tag_error(Errc::bad_value, "h",
                         fmt::format("has a bad field name '{}'", shown(name)), offset);
    }
    // Field names compare exactly, ignoring only ASCII case (RFC 5322 1.2.2): never as domain
    // names, which would take "from." for From and leave From unsigned.
    has_from |= core::detail::iequals(name, "from");
    start = colon + 1;
  }
  // RFC 6376 5.4: the From field MUST be signed.
  if (!has_from && kind == SignatureKind::dkim)
    return tag_error(Errc::bad_value, "h", "does not include From", offset);
  return {};
}

// RFC 6376 3.7: b= is hashed as empty, "including all surrounding whitespace": everything
// between its '=' and the next ';' (or the end).
BValue locate_b_value(std::string_view value, const core::Tag& tag) noexcept {
  std::size_t equals = value.rfind('=', tag.value_offset);
  std::size_t begin = equals == std::string_view::npos ? tag.value_offset : equals + 1;
  std::size_t end = value.find(';', tag.value_offset + tag.value.size());
  if (end == std::string_view::npos) end = value.size();
  return {begin, end - begin};
}

// The tags parse_signature() reads, found in one pass over the list rather than a lookup
// each (parse_tag_list() has already refused duplicates).
struct SignatureTags {
  const core::Tag* v = nullptr;
  const core::Tag* a = nullptr;
  const core::Tag* b = nullptr;
  const core::Tag* bh = nullptr;
  const core::Tag* c = nullptr;
  const core::Tag* d = nullptr;
  const core::Tag* h = nullptr;
  const core::Tag* i = nullptr;
  const core::Tag* l = nullptr;
  const core::Tag* q = nullptr;
  const core::Tag* s = nullptr;
  const core::Tag* t = nullptr;
  const core::Tag* x = nullptr;

  explicit SignatureTags(std::span<const core::Tag> tags) noexcept {
    for (const core::Tag& tag : tags) {
      std::string_view name = tag.name;
      if (name.size() == 2) {
        if (name == "bh") bh = &tag;
        continue;
      }
      if (name.size() != 1) continue;
      switch (name[0]) {
        case 'v': v = &tag; break;
        case 'a': a = &tag; break;
        case 'b': b = &tag; break;
        case 'c': c = &tag; break;
        case 'd': d = &tag; break;
        case 'h': h = &tag; break;
        case 'i': i = &tag; break;
        case 'l': l = &tag; break;
        case 'q': q = &tag; break;
        case 's': s = &tag; break;
        case 't': t = &tag; break;
        case 'x': x = &tag; break;
        default: break;
      }
    }
  }
};

core::Expected<std::int64_t> parse_timestamp(const core::Tag& tag, std::string_view name) {
  auto number = parse_decimal(tag.value);
  // 12 digits reach the year 33658; longer values are not times (RFC 6376 3.5).
  if (!number || tag.value.size() > 12)
    return tag_error(Errc::bad_value, name, "is not a timestamp", tag.value_offset);
  return static_cast<std::int64_t>(*number);
}

// parse_domain_tag() leaving the value where it is.
static core::Expected<std::string_view> domain_tag(const core::Tag& tag, std::string_view name,
                                                   std::string_view what) {
  if (!core::to_a_label(tag.value, core::DomainSyntax::ldh_underscore))
    return tag_error(Errc::bad_value, name, fmt::format("'{}' is not a {}", shown(tag.value), what),
                     tag.value_offset);
  return tag.value;
}

core::Expected<std::string> parse_domain_tag(const core::Tag& tag, std::string_view name,
                                             std::string_view what) {
  auto value = domain_tag(tag, name, what);
  if (!value) return std::unexpected(std::move(value.error()));
  return std::string(*value);
}

// Decodes b= or bh= into `out`. Through a buffer on the stack for any text up to an RSA-8192
// signature, folded: a std::string would cost an allocation per signature. Longer text (no
// real signature) is decoded on the heap.
template <std::size_t N>
static bool decode_base64(std::string_view text, core::detail::InlineBytes<N>& out) {
  std::array<char, 1536> buffer;
  if (core::detail::base64_decoded_bound(text.size()) <= buffer.size()) {
    auto size = core::detail::base64_decode_into(text, buffer.data());
    if (!size) return false;
    out.assign(std::string_view(buffer.data(), *size));
    return true;
  }
  auto decoded = core::base64_decode(text);
  if (!decoded) return false;
  out.assign(*decoded);
  return true;
}

static core::Expected<SignatureFields> parse_fields(std::string_view value,
                                                    std::span<const core::Tag> tags,
                                                    SignatureKind kind);

}  // namespace hallmark::dkim::detail

namespace hallmark::dkim {

using core::Errc;
using core::detail::is_fws;
using core::detail::trim_fws;
using detail::shown;
using detail::tag_error;

core::Expected<std::string> decode_dkim_quoted_printable(std::string_view text) {
  auto hex = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;  // lenient: RFC 2045 wants upper case
    return -1;
  };
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (is_fws(c)) continue;  // RFC 6376 2.11: FWS is ignored
    if (c != '=') {
      out += c;
      continue;
    }
    int high = i + 1 < text.size() ? hex(text[i + 1]) : -1;
    int low = i + 2 < text.size() ? hex(text[i + 2]) : -1;
    if (high < 0 || low < 0) return core::fail(Errc::bad_encoding, "bad '=XX' escape", i);
    out += static_cast<char>(high * 16 + low);
    i += 2;
  }
  return out;
}

core::Expected<Signature> parse_signature(std::string_view value) {
  return detail::parse_signature_as(value, detail::SignatureKind::dkim);
}

core::Expected<Signature> detail::parse_signature_as(std::string_view value, SignatureKind kind) {
  auto fields = parse_signature_fields(value, kind);
  if (!fields) return std::unexpected(std::move(fields.error()));
  return to_signature(*fields);
}

core::Expected<Signature> detail::parse_signature_as(std::string_view value,
                                                     const core::TagList& tags,
                                                     SignatureKind kind) {
  auto fields = parse_fields(value, tags.tags(), kind);
  if (!fields) return std::unexpected(std::move(fields.error()));
  return to_signature(*fields);
}

core::Expected<detail::SignatureFields> detail::parse_signature_fields(std::string_view value,
                                                                       SignatureKind kind) {
  core::detail::InlineTagList tags;
  if (auto listed = tags.parse(value); !listed) return std::unexpected(std::move(listed.error()));
  return parse_fields(value, tags.tags(), kind);
}

Signature detail::to_signature(const SignatureFields& fields) {
  Signature out;
  out.algorithm = fields.algorithm;
  out.signature = std::string(fields.signature.view());
  out.body_hash = std::string(fields.body_hash.view());
  out.header_canonicalization = fields.header_canonicalization;
  out.body_canonicalization = fields.body_canonicalization;
  out.domain = std::string(fields.domain);
  std::string_view h = fields.signed_headers;
  out.signed_headers.reserve(static_cast<std::size_t>(std::count(h.begin(), h.end(), ':')) + 1);
  for_each_signed_header(fields.signed_headers,
                         [&out](std::string_view name) { out.signed_headers.emplace_back(name); });
  out.auid = fields.auid;
  out.body_length = fields.body_length;
  out.selector = std::string(fields.selector);
  out.timestamp = fields.timestamp;
  out.expiration = fields.expiration;
  out.b_value_offset = fields.b_value_offset;
  out.b_value_length = fields.b_value_length;
  return out;
}

core::Expected<detail::SignatureFields> detail::parse_fields(std::string_view value,
                                                             std::span<const core::Tag> tags,
                                                             SignatureKind kind) {
  const SignatureTags found(tags);
  const bool dkim = kind == SignatureKind::dkim;
  // RFC 8617 4.1.2: an AMS has no v= (one that is there is ignored) and i= is the instance.
  if (dkim && found.v == nullptr)
    return tag_error(Errc::missing_tag, "v", "is missing (RFC 6376 3.5)", 0);
  const std::pair<std::string_view, const core::Tag*> required[] = {
      {"a", found.a}, {"b", found.b}, {"bh", found.bh},
      {"d", found.d}, {"h", found.h}, {"s", found.s}};
  for (auto [name, tag] : required)
    if (tag == nullptr) return tag_error(Errc::missing_tag, name, "is missing (RFC 6376 3.5)", 0);

  SignatureFields out;
  if (dkim && found.v->value != "1")
    return tag_error(Errc::unsupported, "v", fmt::format("is '{}', not 1", shown(found.v->value)),
                     found.v->value_offset);
  const core::Tag* a = found.a;
  auto algorithm = parse_algorithm(a->value);
  if (!algorithm)
    return tag_error(Errc::unsupported, "a",
                     fmt::format("names unknown algorithm '{}'", shown(a->value)), a->value_offset);
  out.algorithm = *algorithm;

  const core::Tag* b = found.b;
  if (!detail::decode_base64(b->value, out.signature) || out.signature.empty())
    return tag_error(Errc::bad_value, "b", "is not base64", b->value_offset);
  auto [b_offset, b_length] = detail::locate_b_value(value, *b);
  out.b_value_offset = b_offset;
  out.b_value_length = b_length;
  const core::Tag* bh = found.bh;
  if (!detail::decode_base64(bh->value, out.body_hash) || out.body_hash.empty())
    return tag_error(Errc::bad_value, "bh", "is not base64", bh->value_offset);

  if (const core::Tag* c = found.c)
    if (auto ok = detail::parse_canonicalization(c->value, out, c->value_offset); !ok)
      return std::unexpected(ok.error());

  auto domain = detail::domain_tag(*found.d, "d", "domain name");
  if (!domain) return std::unexpected(std::move(domain.error()));
  out.domain = *domain;
  auto selector = detail::domain_tag(*found.s, "s", "selector");
  if (!selector) return std::unexpected(std::move(selector.error()));
  out.selector = *selector;
  const core::Tag* h = found.h;
  if (auto ok = detail::check_header_list(h->value, h->value_offset, kind); !ok)
    return std::unexpected(ok.error());
  out.signed_headers = h->value;

  if (const core::Tag* i = found.i; i != nullptr && dkim) {
    auto auid = decode_dkim_quoted_printable(i->value);
    if (!auid) return tag_error(Errc::bad_value, "i", auid.error().message, i->value_offset);
    std::size_t at = auid->rfind('@');
    // RFC 6376 3.5: the domain of i= must be d= or a subdomain of it.
    if (at == std::string::npos ||
        !core::is_subdomain_of(std::string_view(*auid).substr(at + 1), out.domain))
      return tag_error(Errc::bad_value, "i",
                       fmt::format("'{}' is not within d={}", shown(*auid), out.domain),
                       i->value_offset);
    out.auid = std::move(*auid);
  } else {
    out.auid.reserve(out.domain.size() + 1);
    out.auid += '@';
    out.auid += out.domain;
  }

  if (const core::Tag* l = found.l) {
    auto length = detail::parse_decimal(l->value);
    if (!length || l->value.size() > 76)
      return tag_error(Errc::bad_value, "l", "is not a decimal length", l->value_offset);
    out.body_length = *length;
  }
  if (const core::Tag* q = found.q) {
    bool dns_txt = false;
    for (std::size_t start = 0; start <= q->value.size();) {
      std::size_t colon = q->value.find(':', start);
      if (colon == std::string_view::npos) colon = q->value.size();
      dns_txt |= trim_fws(q->value.substr(start, colon - start)) == "dns/txt";
      start = colon + 1;
    }
    if (!dns_txt)
      return tag_error(Errc::bad_value, "q", "offers no dns/txt query method", q->value_offset);
  }
  for (auto [name, tag, slot] :
       {std::tuple{"t", found.t, &out.timestamp}, std::tuple{"x", found.x, &out.expiration}}) {
    if (tag == nullptr) continue;
    auto time = detail::parse_timestamp(*tag, name);
    if (!time) return std::unexpected(std::move(time.error()));
    *slot = *time;
  }
  if (out.timestamp && out.expiration && *out.expiration <= *out.timestamp)
    return tag_error(Errc::bad_value, "x", "is not later than t= (RFC 6376 3.5)",
                     found.x->value_offset);
  return out;
}

}  // namespace hallmark::dkim

namespace hallmark::dkim::detail {

// parse_signature() names the tag first in every message ("tag 'v' ..."), which is what
// tells these reasons apart.
Reason reason_for(const core::Error& error) noexcept {
  std::string_view message = error.message;
  auto about = [&](std::string_view tag) {
    return message.starts_with("tag '") && message.substr(5).starts_with(tag) &&
           message.substr(5 + tag.size()).starts_with("'");
  };
  if (error.code == core::Errc::unsupported && about("v")) return Reason::unsupported_version;
  if (error.code == core::Errc::unsupported && about("a")) return Reason::unsupported_algorithm;
  if (error.code == core::Errc::bad_value && about("h") &&
      message.find("does not include From") != std::string_view::npos)
    return Reason::from_not_signed;
  if (error.code == core::Errc::bad_value && about("i") &&
      message.find("is not within") != std::string_view::npos)
    return Reason::auid_outside_domain;
  return Reason::syntax;
}

}  // namespace hallmark::dkim::detail
