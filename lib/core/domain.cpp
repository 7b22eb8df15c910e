// SPDX-License-Identifier: Apache-2.0
// Domain name validation, comparison and label arithmetic; IDNA2008 conversion via libidn2.
#include "hallmark/core/domain.hpp"

#include <idn2.h>

#include <algorithm>
#include <cstring>
#include <memory>

#include <fmt/format.h>

namespace hallmark::core {
namespace {

constexpr char lower(char c) noexcept {
  return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}

constexpr bool is_alnum(char c) noexcept {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

bool equal_ci(std::string_view a, std::string_view b) noexcept {
  if (a.size() != b.size()) return false;
  // Names met again are mostly spelled the same: one memcmp settles that.
  if (std::memcmp(a.data(), b.data(), a.size()) == 0) return true;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (lower(a[i]) != lower(b[i])) return false;
  return true;
}

bool is_ascii(std::string_view text) noexcept {
  return std::all_of(text.begin(), text.end(),
                     [](char c) { return static_cast<unsigned char>(c) < 0x80; });
}

// Remote senders control these names: messages quote at most about `limit` octets, with
// control octets escaped, so an error message is printable and bounded. Octets of valid UTF-8
// may pass through (`utf8`), cut only between sequences.
std::string quote(std::string_view text, std::size_t limit = 40, bool utf8 = false) {
  std::size_t end = std::min(text.size(), limit);
  if (utf8)
    while (end < text.size() && (static_cast<unsigned char>(text[end]) & 0xc0) == 0x80) ++end;
  std::string out;
  for (std::size_t i = 0; i < end; ++i) {
    auto octet = static_cast<unsigned char>(text[i]);
    if ((octet >= 0x20 && octet < 0x7f && octet != '\\') || (utf8 && octet >= 0x80))
      out += static_cast<char>(octet);
    else
      out += fmt::format("\\x{:02x}", octet);
  }
  if (end < text.size()) out += "...";
  return out;
}

// What is wrong with a name, found without allocating so is_valid_domain() stays cheap;
// describe() turns it into a message only when a caller wants one.
enum class Flaw : std::uint8_t {
  none,
  empty_name,
  name_too_long,
  empty_label,
  label_too_long,
  bad_character,
  nul,
  leading_hyphen,
  trailing_hyphen,
};

struct Finding {
  Flaw flaw = Flaw::none;
  std::size_t offset = 0;  // of the offending octet, or of the label
  std::string_view label;
};

// An LDH label from octet `first` on: RFC 1123 2.1 (a leading digit is fine), no hyphen at
// either end.
Finding inspect_ldh_label(std::string_view label, std::size_t offset,
                          std::size_t first = 0) noexcept {
  for (std::size_t i = first; i < label.size(); ++i)
    if (!is_alnum(label[i]) && label[i] != '-') return {Flaw::bad_character, offset + i, label};
  if (label[first] == '-') return {Flaw::leading_hyphen, offset + first, label};
  if (label.back() == '-') return {Flaw::trailing_hyphen, offset + label.size() - 1, label};
  return {};
}

Finding inspect_label(std::string_view label, std::size_t offset, DomainSyntax syntax) noexcept {
  if (label.empty()) return {Flaw::empty_label, offset, label};
  if (label.size() > max_label_length) return {Flaw::label_too_long, offset, label};
  switch (syntax) {
    case DomainSyntax::dns: {
      // DNS itself carries any octet, but a NUL would silently truncate the name in every
      // C string interface downstream (c-ares, logs): the name queried would not be the
      // name validated.
      std::size_t nul = label.find('\0');
      if (nul != std::string_view::npos) return {Flaw::nul, offset + nul, label};
      return {};
    }
    case DomainSyntax::ldh: return inspect_ldh_label(label, offset);
    case DomainSyntax::ldh_underscore:
      // RFC 8552 2: an underscored label is '_' followed by an ordinary label.
      return inspect_ldh_label(label, offset, label.front() == '_' && label.size() > 1 ? 1 : 0);
  }
  return {};
}

Finding inspect(std::string_view name, DomainSyntax syntax) noexcept {
  if (name.empty()) return {Flaw::empty_name, 0, {}};
  std::string_view body = strip_trailing_dot(name);
  if (body.size() > max_domain_length) return {Flaw::name_too_long, max_domain_length, {}};
  std::size_t start = 0;
  for (;;) {
    std::size_t dot = body.find('.', start);
    std::size_t length = dot == std::string_view::npos ? body.size() - start : dot - start;
    Finding finding = inspect_label(body.substr(start, length), start, syntax);
    if (finding.flaw != Flaw::none || dot == std::string_view::npos) return finding;
    start = dot + 1;
  }
}

std::string describe(const Finding& finding, std::string_view name) {
  std::string label = quote(finding.label);
  switch (finding.flaw) {
    case Flaw::none: return {};
    case Flaw::empty_name: return "empty domain name";
    case Flaw::name_too_long:
      return fmt::format("domain name '{}' is {} octets, longer than {}", quote(name, 20),
                         strip_trailing_dot(name).size(), max_domain_length);
    case Flaw::empty_label:
      return fmt::format("empty label at offset {} in '{}'", finding.offset, quote(name));
    case Flaw::label_too_long:
      return fmt::format("label '{}' is longer than {} octets", quote(finding.label, 20),
                         max_label_length);
    case Flaw::bad_character:
      return fmt::format("invalid character '{}' at offset {} in label '{}'",
                         quote(name.substr(finding.offset, 1)), finding.offset, label);
    case Flaw::nul:
      return fmt::format("NUL octet at offset {} in label '{}'", finding.offset, label);
    case Flaw::leading_hyphen: return fmt::format("label '{}' starts with a hyphen", label);
    case Flaw::trailing_hyphen: return fmt::format("label '{}' ends with a hyphen", label);
  }
  return {};
}

}  // namespace

Expected<void> validate_domain(std::string_view name, DomainSyntax syntax) {
  Finding finding = inspect(name, syntax);
  if (finding.flaw == Flaw::none) return {};
  Errc code = (finding.flaw == Flaw::name_too_long || finding.flaw == Flaw::label_too_long)
                  ? Errc::too_long
                  : Errc::syntax;
  return fail(code, describe(finding, name), finding.offset);
}

// One pass over the name, as every SPF term and DKIM d= asks this of names that are nearly
// always valid; inspect() walks again only to say what is wrong. The two must agree
// (tests/core/domain_test.cpp and the domain fuzz target hold them to it).
bool is_valid_domain(std::string_view name, DomainSyntax syntax) noexcept {
  if (name.empty()) return false;
  const std::string_view body = strip_trailing_dot(name);
  if (body.size() > max_domain_length) return false;
  std::size_t start = 0;  // of the current label
  if (syntax == DomainSyntax::dns) {
    // Any octet but NUL, in labels of 1 to 63 octets: the loop for SPF's and DMARC's names.
    for (std::size_t i = 0; i < body.size(); ++i) {
      const char c = body[i];
      if (c == '\0') return false;
      if (c != '.') continue;
      if (i == start || i - start > max_label_length) return false;
      start = i + 1;
    }
    return body.size() > start && body.size() - start <= max_label_length;
  }
  for (std::size_t i = 0;; ++i) {
    if (i < body.size() && body[i] != '.') {
      const char c = body[i];
      if (!is_alnum(c) && c != '-') {
        // RFC 8552 2: an underscored label is '_' followed by an ordinary label.
        const bool underscore_leads = syntax == DomainSyntax::ldh_underscore && c == '_' &&
                                      i == start && i + 1 < body.size() && body[i + 1] != '.';
        if (!underscore_leads) return false;
      }
      continue;
    }
    const std::size_t length = i - start;
    if (length == 0 || length > max_label_length) return false;
    const std::size_t first = body[start] == '_' ? start + 1 : start;
    if (body[first] == '-' || body[i - 1] == '-') return false;
    if (i == body.size()) return true;
    start = i + 1;
  }
}

std::string_view strip_trailing_dot(std::string_view name) noexcept {
  if (!name.empty() && name.back() == '.') name.remove_suffix(1);
  return name;
}

std::string to_lower_ascii(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = lower(c);
  return out;
}

bool domain_equal(std::string_view a, std::string_view b) noexcept {
  return equal_ci(strip_trailing_dot(a), strip_trailing_dot(b));
}

std::vector<std::string_view> split_labels(std::string_view name) {
  std::vector<std::string_view> labels;
  name = strip_trailing_dot(name);
  if (name.empty()) return labels;
  labels.reserve(label_count(name));
  std::size_t start = 0;
  for (;;) {
    std::size_t dot = name.find('.', start);
    if (dot == std::string_view::npos) {
      labels.push_back(name.substr(start));
      return labels;
    }
    labels.push_back(name.substr(start, dot - start));
    start = dot + 1;
  }
}

std::size_t label_count(std::string_view name) noexcept {
  name = strip_trailing_dot(name);
  if (name.empty()) return 0;
  return static_cast<std::size_t>(std::count(name.begin(), name.end(), '.')) + 1;
}

std::string_view parent_domain(std::string_view name) noexcept {
  std::size_t dot = name.find('.');
  if (dot == std::string_view::npos) return {};
  std::string_view parent = name.substr(dot + 1);
  // "com." has one label: its "parent" is the root, which callers want as "".
  if (parent.empty() || parent == ".") return {};
  return parent;
}

bool is_subdomain_of(std::string_view child, std::string_view parent) noexcept {
  child = strip_trailing_dot(child);
  parent = strip_trailing_dot(parent);
  if (child.empty() || parent.empty() || child.size() < parent.size()) return false;
  if (child.size() == parent.size()) return equal_ci(child, parent);
  std::size_t cut = child.size() - parent.size();
  // Label-aligned: "badexample.com" is not under "example.com".
  return child[cut - 1] == '.' && equal_ci(child.substr(cut), parent);
}

namespace {

// The offset of the first octet that breaks RFC 3629 UTF-8 (overlong forms, surrogates,
// code points past U+10FFFF, truncated sequences), or npos. Checked here, before libidn2, so
// the error can say where the input goes wrong.
std::size_t find_bad_utf8(std::string_view text) noexcept {
  std::size_t i = 0;
  while (i < text.size()) {
    auto lead = static_cast<unsigned char>(text[i]);
    std::size_t length = 0;
    unsigned char low = 0x80, high = 0xbf;  // allowed range of the second octet
    if (lead < 0x80)
      length = 1;
    else if (lead >= 0xc2 && lead <= 0xdf)
      length = 2;
    else if (lead >= 0xe0 && lead <= 0xef) {
      length = 3;
      if (lead == 0xe0) low = 0xa0;   // overlong
      if (lead == 0xed) high = 0x9f;  // surrogates
    } else if (lead >= 0xf0 && lead <= 0xf4) {
      length = 4;
      if (lead == 0xf0) low = 0x90;   // overlong
      if (lead == 0xf4) high = 0x8f;  // past U+10FFFF
    } else {
      return i;
    }
    for (std::size_t k = 1; k < length; ++k) {
      if (i + k >= text.size()) return i;
      auto octet = static_cast<unsigned char>(text[i + k]);
      unsigned char min = k == 1 ? low : 0x80, max = k == 1 ? high : 0xbf;
      if (octet < min || octet > max) return i;
    }
    i += length;
  }
  return std::string_view::npos;
}

struct Idn2Free {
  void operator()(char* text) const noexcept { idn2_free(text); }
};
using Idn2String = std::unique_ptr<char, Idn2Free>;

Errc idn2_errc(int rc) noexcept {
  switch (rc) {
    case IDN2_TOO_BIG_DOMAIN:
    case IDN2_TOO_BIG_LABEL:
    case IDN2_PUNYCODE_BIG_OUTPUT:  // a label whose Punycode would pass 63 octets
    case IDN2_PUNYCODE_OVERFLOW: return Errc::too_long;
    default: return Errc::bad_encoding;
  }
}

// `input` is valid UTF-8 with no NUL and at most max_idna_input octets.
Expected<std::string> idn2_to_ascii(const std::string& input) {
  char* raw = nullptr;
  // UTS #46 non-transitional: 'ß' and ZWJ/ZWNJ keep their IDNA2008 meaning instead of being
  // mapped away as IDNA2003 did; NFC because senders' software does not always normalise.
  int rc = idn2_to_ascii_8z(input.c_str(), &raw, IDN2_NFC_INPUT | IDN2_NONTRANSITIONAL);
  if (rc == IDN2_INVALID_FLAGS) {
    // libidn2 before 2.0 does not know the UTS #46 flags and refuses them; its default is
    // plain IDNA2008, and the caller lowered ASCII already, the mapping mail needs most.
    Idn2String discard(raw);
    raw = nullptr;
    rc = idn2_to_ascii_8z(input.c_str(), &raw, IDN2_NFC_INPUT);
  }
  Idn2String output(raw);
  if (rc != IDN2_OK || output == nullptr) return fail(idn2_errc(rc), idn2_strerror(rc));
  return to_lower_ascii(output.get());
}

bool has_a_label(std::string_view name) noexcept {
  for (std::size_t start = 0; start < name.size();) {
    if (name.substr(start, 4) == "xn--") return true;
    std::size_t dot = name.find('.', start);
    if (dot == std::string_view::npos) break;
    start = dot + 1;
  }
  return false;
}

}  // namespace

Expected<std::string> to_a_label(std::string_view domain, DomainSyntax syntax) {
  // Nearly every name in mail is ASCII: no libidn2 call, no Unicode tables.
  if (is_ascii(domain)) {
    Expected<void> valid = validate_domain(domain, syntax);
    if (!valid) return std::unexpected(std::move(valid.error()));
    return to_lower_ascii(domain);
  }
  if (domain.size() > max_idna_input)
    return fail(Errc::too_long,
                fmt::format("domain name '{}' is {} octets, more than the {} accepted for IDNA",
                            quote(domain, 20), domain.size(), max_idna_input),
                max_idna_input);
  if (std::size_t nul = domain.find('\0'); nul != std::string_view::npos)
    return fail(Errc::bad_encoding,
                fmt::format("NUL octet at offset {} in '{}'", nul, quote(domain)), nul);
  if (std::size_t bad = find_bad_utf8(domain); bad != std::string_view::npos)
    return fail(Errc::bad_encoding,
                fmt::format("invalid UTF-8 at offset {} in '{}'", bad, quote(domain)), bad);
  Expected<std::string> converted = idn2_to_ascii(to_lower_ascii(domain));
  if (!converted) {
    Error& error = converted.error();
    error.message = fmt::format("'{}' is not a valid internationalised domain name: {}",
                                quote(domain, 40, true), error.message);
    return converted;
  }
  // libidn2 passes through what UTS #46 leaves alone ('@', empty labels, overlong names): the
  // A-label form must still be a name of the requested syntax.
  Finding finding = inspect(*converted, syntax);
  if (finding.flaw != Flaw::none)
    return fail(finding.flaw == Flaw::name_too_long || finding.flaw == Flaw::label_too_long
                    ? Errc::too_long
                    : Errc::syntax,
                fmt::format("'{}' converts to '{}': {}", quote(domain, 40, true), quote(*converted),
                            describe(finding, *converted)));
  return converted;
}

Expected<std::string> to_u_label(std::string_view domain, DomainSyntax syntax) {
  Expected<std::string> ascii = to_a_label(domain, syntax);
  if (!ascii || !has_a_label(*ascii)) return ascii;
  char* raw = nullptr;
  int rc = idn2_to_unicode_8z8z(ascii->c_str(), &raw, 0);
  Idn2String output(raw);
  if (rc != IDN2_OK || output == nullptr)
    return fail(Errc::bad_encoding, fmt::format("'{}' has an A-label that is not valid: {}",
                                                quote(*ascii), idn2_strerror(rc)));
  // libidn2 decodes Punycode without checking the result ("xn--a" becomes an empty label):
  // a display form is only trusted if it converts back to the very same A-labels.
  std::string unicode(output.get());
  Expected<std::string> back = to_a_label(unicode, syntax);
  if (!back || *back != *ascii)
    return fail(
        Errc::bad_encoding,
        fmt::format("'{}' has an A-label that does not round-trip through Unicode", quote(*ascii)));
  return unicode;
}

}  // namespace hallmark::core
