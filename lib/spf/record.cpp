// SPDX-License-Identifier: Apache-2.0
// SPF record text -> spf::Record (RFC 7208 4.5, 4.6.1, 5, 6, 12), and back to normal form.
#include "hallmark/spf/record.hpp"

#include "hallmark/core/domain.hpp"
#include "core/internal/ascii.hpp"

#include <array>
#include <charconv>

#include <fmt/format.h>

namespace hallmark::spf {
namespace {

using core::Errc;

bool is_alpha(char c) noexcept { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool is_digit(char c) noexcept { return c >= '0' && c <= '9'; }

using core::detail::iequals;

std::unexpected<core::Error> term_error(std::string_view term, std::string_view why,
                                        std::size_t offset) {
  return core::fail(Errc::syntax, fmt::format("'{}': {}", term, why), offset);
}

constexpr std::array<std::pair<MechanismKind, std::string_view>, 8> mechanism_names = {{
    {MechanismKind::all, "all"},
    {MechanismKind::include, "include"},
    {MechanismKind::a, "a"},
    {MechanismKind::mx, "mx"},
    {MechanismKind::ptr, "ptr"},
    {MechanismKind::ip4, "ip4"},
    {MechanismKind::ip6, "ip6"},
    {MechanismKind::exists, "exists"},
}};

// RFC 7208 12: ip4-cidr-length = "/" ("0" / %x31-39 0*1DIGIT), ip6 up to three digits;
// leading zeros are not allowed.
core::Expected<unsigned> parse_cidr_length(std::string_view digits, unsigned limit,
                                           std::string_view term, std::size_t offset) {
  unsigned value = 0;
  auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
  if (digits.empty() || digits.size() > 3 || ec != std::errc{} ||
      end != digits.data() + digits.size() || (digits.size() > 1 && digits[0] == '0'))
    return term_error(term, "bad CIDR prefix length", offset);
  if (value > limit) return term_error(term, fmt::format("prefix length over {}", limit), offset);
  return value;
}

// Splits "domain/24//64" into the domain part and the dual-cidr-length at its end.
core::Expected<std::string_view> take_dual_cidr(std::string_view body, Mechanism& out,
                                                std::string_view term, std::size_t offset) {
  std::size_t double_slash = body.rfind("//");
  if (double_slash != std::string_view::npos &&
      body.find_first_not_of("0123456789", double_slash + 2) == std::string_view::npos) {
    auto v6 = parse_cidr_length(body.substr(double_slash + 2), 128, term, offset);
    if (!v6) return std::unexpected(std::move(v6.error()));
    out.cidr6 = *v6;
    body = body.substr(0, double_slash);
  }
  std::size_t slash = body.rfind('/');
  if (slash != std::string_view::npos &&
      body.find_first_not_of("0123456789", slash + 1) == std::string_view::npos) {
    auto v4 = parse_cidr_length(body.substr(slash + 1), 32, term, offset);
    if (!v4) return std::unexpected(std::move(v4.error()));
    out.cidr4 = *v4;
    body = body.substr(0, slash);
  }
  return body;
}

core::Expected<Mechanism> parse_mechanism(std::string_view term, std::size_t offset) {
  Mechanism mechanism;
  std::string_view rest = term;
  switch (rest.front()) {
    case '+':
      mechanism.qualifier = Qualifier::pass;
      rest.remove_prefix(1);
      break;
    case '-':
      mechanism.qualifier = Qualifier::fail;
      rest.remove_prefix(1);
      break;
    case '~':
      mechanism.qualifier = Qualifier::softfail;
      rest.remove_prefix(1);
      break;
    case '?':
      mechanism.qualifier = Qualifier::neutral;
      rest.remove_prefix(1);
      break;
    default: break;
  }
  std::size_t name_end = rest.find_first_of(":/");
  std::string_view name = rest.substr(0, name_end);
  std::string_view body = name_end == std::string_view::npos ? "" : rest.substr(name_end);
  bool known = false;
  for (const auto& [kind, spelling] : mechanism_names) {
    if (iequals(name, spelling)) {
      mechanism.kind = kind;
      known = true;
    }
  }
  if (!known) return term_error(term, "unknown mechanism", offset);

  auto parse_target = [&](std::string_view spec) -> core::Expected<void> {
    auto domain = parse_macro_string(spec, MacroContext::domain_spec);
    if (!domain) return term_error(term, domain.error().message, offset);
    mechanism.domain = std::move(*domain);
    return {};
  };
  switch (mechanism.kind) {
    case MechanismKind::all:
      if (!body.empty()) return term_error(term, "'all' takes no argument", offset);
      break;
    case MechanismKind::include:
    case MechanismKind::exists:
      if (body.size() < 2 || body[0] != ':')
        return term_error(term, "needs ':' and a domain", offset);
      if (auto ok = parse_target(body.substr(1)); !ok) return std::unexpected(ok.error());
      break;
    case MechanismKind::ptr:
      if (!body.empty()) {
        if (body.size() < 2 || body[0] != ':')
          return term_error(term, "takes only ':' and a domain", offset);
        if (auto ok = parse_target(body.substr(1)); !ok) return std::unexpected(ok.error());
      }
      break;
    case MechanismKind::a:
    case MechanismKind::mx: {
      auto domain = take_dual_cidr(body, mechanism, term, offset);
      if (!domain) return std::unexpected(std::move(domain.error()));
      if (!domain->empty()) {
        if (domain->size() < 2 || (*domain)[0] != ':')
          return term_error(term, "needs ':' before the domain", offset);
        if (auto ok = parse_target(domain->substr(1)); !ok) return std::unexpected(ok.error());
      }
      break;
    }
    case MechanismKind::ip4:
    case MechanismKind::ip6: {
      if (body.size() < 2 || body[0] != ':')
        return term_error(term, "needs ':' and a network", offset);
      bool v4 = mechanism.kind == MechanismKind::ip4;
      std::string_view network = body.substr(1);
      std::size_t slash = network.find('/');
      if (slash != std::string_view::npos) {
        auto length = parse_cidr_length(network.substr(slash + 1), v4 ? 32 : 128, term, offset);
        if (!length) return std::unexpected(std::move(length.error()));
        (v4 ? mechanism.cidr4 : mechanism.cidr6) = *length;
        network = network.substr(0, slash);
      }
      auto address = core::IpAddress::parse(network);
      if (!address || address->is_v4() != v4)
        return term_error(term, v4 ? "not an IPv4 network" : "not an IPv6 network", offset);
      mechanism.network = *address;
      break;
    }
  }
  return mechanism;
}

// RFC 7208 12: name = ALPHA *( ALPHA / DIGIT / "-" / "_" / "." )
bool is_modifier_name(std::string_view name) noexcept {
  if (name.empty() || !is_alpha(name[0])) return false;
  for (char c : name)
    if (!is_alpha(c) && !is_digit(c) && c != '-' && c != '_' && c != '.') return false;
  return true;
}

core::Expected<void> parse_term(std::string_view term, std::size_t offset, Record& record) {
  // A modifier is a name followed directly by '='; anything else must be a mechanism
  // (RFC 7208 4.6.1: "moo.cow/x=y" is a bad mechanism, not a modifier).
  std::size_t eq = term.find('=');
  if (eq != std::string_view::npos && is_modifier_name(term.substr(0, eq))) {
    std::string name = core::to_lower_ascii(term.substr(0, eq));
    std::string_view value = term.substr(eq + 1);
    bool is_target = name == "redirect" || name == "exp";
    auto parsed =
        parse_macro_string(value, is_target ? MacroContext::domain_spec : MacroContext::modifier);
    if (!parsed) return term_error(term, parsed.error().message, offset);
    if (name == "redirect" || name == "exp") {
      std::optional<MacroString>& slot = name == "redirect" ? record.redirect : record.explanation;
      // RFC 7208 6: these two modifiers MUST NOT appear more than once.
      if (slot)
        return core::fail(Errc::duplicate_tag, fmt::format("'{}': second {}= modifier", term, name),
                          offset);
      slot = std::move(*parsed);
    } else {
      record.unknown_modifiers.push_back(Modifier{std::move(name), std::move(*parsed)});
    }
    return {};
  }
  auto mechanism = parse_mechanism(term, offset);
  if (!mechanism) return std::unexpected(std::move(mechanism.error()));
  record.mechanisms.push_back(std::move(*mechanism));
  return {};
}

}  // namespace

bool is_spf_record(std::string_view text) noexcept {
  constexpr std::string_view version = "v=spf1";
  if (text.size() < version.size() || !iequals(text.substr(0, version.size()), version))
    return false;
  return text.size() == version.size() || text[version.size()] == ' ';
}

core::Expected<Record> parse_record(std::string_view text) {
  if (!is_spf_record(text))
    return core::fail(Errc::syntax, "record does not start with 'v=spf1'", 0);
  Record record;
  std::size_t pos = 6;
  while (pos < text.size()) {
    if (text[pos] == ' ') {  // RFC 7208 12: terms are separated by 1*SP, and only SP
      ++pos;
      continue;
    }
    std::size_t end = text.find(' ', pos);
    if (end == std::string_view::npos) end = text.size();
    std::string_view term = text.substr(pos, end - pos);
    for (std::size_t i = 0; i < term.size(); ++i) {
      auto byte = static_cast<unsigned char>(term[i]);
      if (byte < 0x21 || byte > 0x7e)  // RFC 7208 3.1: US-ASCII only
        return core::fail(
            Errc::syntax,
            fmt::format("byte 0x{:02x} in term at offset {} is not printable ASCII", byte, pos + i),
            pos + i);
    }
    if (auto ok = parse_term(term, pos, record); !ok) return std::unexpected(std::move(ok.error()));
    pos = end;
  }
  return record;
}

std::string_view to_string(MechanismKind kind) noexcept {
  for (const auto& [value, name] : mechanism_names)
    if (value == kind) return name;
  return "?";
}

std::string to_string(const Mechanism& m) {
  static constexpr char qualifiers[] = {'+', '-', '~', '?'};
  std::string out(1, qualifiers[static_cast<int>(m.qualifier)]);
  out += to_string(m.kind);
  if (m.kind == MechanismKind::ip4 || m.kind == MechanismKind::ip6) {
    out += ':';
    out += m.network.to_string();
    unsigned length = m.kind == MechanismKind::ip4 ? m.cidr4 : m.cidr6;
    if (length != (m.kind == MechanismKind::ip4 ? 32u : 128u)) {
      out += '/';
      out += std::to_string(length);
    }
    return out;
  }
  if (!m.domain.empty()) {
    out += ':';
    out += m.domain.text;
  }
  if (m.kind == MechanismKind::a || m.kind == MechanismKind::mx) {
    if (m.cidr4 != 32) {
      out += '/';
      out += std::to_string(m.cidr4);
    }
    if (m.cidr6 != 128) {
      out += "//";
      out += std::to_string(m.cidr6);
    }
  }
  return out;
}

std::string to_string(const Record& record) {
  std::string out;
  auto add = [&out](std::string_view term) {
    if (!out.empty()) out += ' ';
    out += term;
  };
  for (const Mechanism& m : record.mechanisms) add(to_string(m));
  if (record.redirect) add("redirect=" + record.redirect->text);
  if (record.explanation) add("exp=" + record.explanation->text);
  for (const Modifier& modifier : record.unknown_modifiers)
    add(modifier.name + "=" + modifier.value.text);
  return out;
}

}  // namespace hallmark::spf
