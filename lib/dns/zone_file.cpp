// SPDX-License-Identifier: Apache-2.0
// Master-file reader (RFC 1035 5.1, with $TTL from RFC 2308 4): text -> ZoneRecords, every
// error naming the file and line.
#include "dns/internal/zone_file.hpp"

#include <algorithm>
#include <span>
#include <utility>

#include <fmt/format.h>

namespace hallmark::dns::internal {
namespace {

using core::Errc;

struct Token {
  std::string_view raw;  // for a quoted token: what lies between the quotes, escapes intact
  bool quoted = false;
  std::size_t line = 0;
  std::size_t offset = 0;
};

// One logical line: a record or a directive, parentheses already joined.
struct Entry {
  std::vector<Token> tokens;
  std::size_t line = 0;
  bool owner_omitted = false;  // the line began with a blank (RFC 1035 5.1)
};

struct Problem {
  Errc code;
  std::string message;
};

bool is_digit(char c) noexcept { return c >= '0' && c <= '9'; }
bool is_blank(char c) noexcept { return c == ' ' || c == '\t' || c == '\r'; }

bool iequals(std::string_view a, std::string_view b) noexcept {
  return std::ranges::equal(a, b, [](char x, char y) {
    auto lower = [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : c; };
    return lower(x) == lower(y);
  });
}

// Offending input quoted in messages, cut short so a huge token cannot make a huge message.
std::string shown(std::string_view raw) {
  if (raw.size() <= 64) return std::string(raw);
  return fmt::format("{}...", raw.substr(0, 61));
}

// Reads one octet of `raw` at `i`: a plain octet, "\X" (X itself) or "\DDD" (the octet with
// that decimal value), RFC 1035 5.1. False for a "\DDD" over 255 or a dangling backslash.
bool read_octet(std::string_view raw, std::size_t& i, char& octet, bool& escaped) noexcept {
  escaped = raw[i] == '\\';
  if (!escaped) {
    octet = raw[i++];
    return true;
  }
  if (++i >= raw.size()) return false;
  if (!is_digit(raw[i])) {
    octet = raw[i++];
    return true;
  }
  if (i + 2 >= raw.size() || !is_digit(raw[i + 1]) || !is_digit(raw[i + 2])) return false;
  unsigned value = (raw[i] - '0') * 100u + (raw[i + 1] - '0') * 10u + (raw[i + 2] - '0');
  if (value > 255) return false;
  octet = static_cast<char>(value);
  i += 3;
  return true;
}

std::optional<Problem> decode_string(std::string_view raw, std::string& out) {
  out.clear();
  for (std::size_t i = 0; i < raw.size();) {
    char octet = 0;
    bool escaped = false;
    if (!read_octet(raw, i, octet, escaped))
      return Problem{Errc::syntax, fmt::format("bad escape in '{}'", shown(raw))};
    out += octet;
  }
  if (out.size() > 255)  // RFC 1035 3.3: one length octet
    return Problem{Errc::too_long,
                   fmt::format("character-string longer than 255 octets: '{}'", shown(raw))};
  return std::nullopt;
}

// A name in master-file form -> plain text (see ZoneRecord). "@" is the origin; a name not
// ending in an unescaped '.' is relative to it. A label holding an escaped '.' has no plain
// text form (queries split at every dot), so it is refused rather than silently merged.
std::optional<Problem> parse_name(std::string_view raw, std::string_view origin, std::string& out) {
  out.clear();
  if (raw == "@") {
    out = origin;
    return std::nullopt;
  }
  if (raw == ".") return std::nullopt;
  if (raw.empty()) return Problem{Errc::syntax, "empty name"};
  bool absolute = false;
  std::size_t label = 0;
  for (std::size_t i = 0; i < raw.size();) {
    if (raw[i] == '.') {
      if (label == 0) return Problem{Errc::syntax, fmt::format("empty label in '{}'", shown(raw))};
      if (i + 1 == raw.size()) {
        absolute = true;
        break;
      }
      out += '.';
      label = 0;
      ++i;
      continue;
    }
    char octet = 0;
    bool escaped = false;
    if (!read_octet(raw, i, octet, escaped))
      return Problem{Errc::syntax, fmt::format("bad escape in name '{}'", shown(raw))};
    if (escaped && octet == '.')
      return Problem{Errc::unsupported,
                     fmt::format("'.' inside a label is not supported: '{}'", shown(raw))};
    out += octet;
    if (++label > 63)  // RFC 1035 2.3.4
      return Problem{Errc::too_long,
                     fmt::format("label longer than 63 octets in '{}'", shown(raw))};
  }
  if (!absolute && !origin.empty()) {
    out += '.';
    out += origin;
  }
  if (out.size() > 253)  // RFC 1035 2.3.4: 255 octets in wire form
    return Problem{Errc::too_long, fmt::format("name longer than 253 octets: '{}'", shown(raw))};
  return std::nullopt;
}

// Seconds, or BIND-style units ("1h30m", "2d", "1w") that fixtures written for BIND use.
std::optional<std::uint32_t> parse_ttl(std::string_view raw) noexcept {
  if (raw.empty() || !is_digit(raw[0])) return std::nullopt;
  std::uint64_t total = 0, number = 0;
  bool digits = false;
  for (char c : raw) {
    if (is_digit(c)) {
      number = number * 10 + static_cast<unsigned>(c - '0');
      if (number > max_ttl) return std::nullopt;
      digits = true;
      continue;
    }
    std::uint64_t unit = 0;
    switch (c | 0x20) {
      case 's': unit = 1; break;
      case 'm': unit = 60; break;
      case 'h': unit = 3600; break;
      case 'd': unit = 86400; break;
      case 'w': unit = 604800; break;
      default: return std::nullopt;
    }
    if (!digits) return std::nullopt;
    total += number * unit;
    if (total > max_ttl) return std::nullopt;
    number = 0;
    digits = false;
  }
  total += number;
  if (total > max_ttl) return std::nullopt;
  return static_cast<std::uint32_t>(total);
}

std::optional<std::uint32_t> parse_number(std::string_view raw, std::uint32_t max) noexcept {
  if (raw.empty() || raw.size() > 10) return std::nullopt;
  std::uint64_t value = 0;
  for (char c : raw) {
    if (!is_digit(c)) return std::nullopt;
    value = value * 10 + static_cast<unsigned>(c - '0');
  }
  if (value > max) return std::nullopt;
  return static_cast<std::uint32_t>(value);
}

class Parser {
 public:
  Parser(std::string_view text, std::string_view source) : text_(text), source_(source) {}

  core::Expected<ZoneFile> run(std::string_view origin) {
    if (std::optional<Problem> bad = parse_name(origin, "", origin_))
      return core::fail(bad->code, fmt::format("{}: bad origin: {}", source_, bad->message));
    ZoneFile file;
    Entry entry;
    for (;;) {
      core::Expected<bool> more = next_entry(entry);
      if (!more) return std::unexpected(std::move(more.error()));
      if (!*more) return file;
      core::Expected<void> handled = handle(entry, file);
      if (!handled) return std::unexpected(std::move(handled.error()));
    }
  }

 private:
  std::unexpected<core::Error> error(Errc code, std::size_t line, std::size_t offset,
                                     std::string_view message) const {
    return core::fail(code, fmt::format("{}:{}: {}", source_, line, message), offset);
  }
  std::unexpected<core::Error> error(Errc code, const Token& at, std::string_view message) const {
    return error(code, at.line, at.offset, message);
  }
  std::unexpected<core::Error> error(const Token& at, const Problem& problem) const {
    return error(problem.code, at, problem.message);
  }

  // Next non-empty logical line into `entry`; false at the end of the text.
  core::Expected<bool> next_entry(Entry& entry) {
    while (pos_ < text_.size()) {
      entry.tokens.clear();
      entry.line = line_;
      entry.owner_omitted = is_blank(text_[pos_]);
      core::Expected<void> scanned = scan_entry(entry);
      if (!scanned) return std::unexpected(std::move(scanned.error()));
      if (!entry.tokens.empty()) return true;
    }
    return false;
  }

  // RFC 1035 5.1: ';' starts a comment, '(' ... ')' lets one entry span lines, quotes make
  // blanks and specials ordinary, '\' escapes the next character.
  core::Expected<void> scan_entry(Entry& entry) {
    bool open = false;
    std::size_t open_line = 0, open_offset = 0;
    while (pos_ < text_.size()) {
      char c = text_[pos_];
      if (is_blank(c)) {
        ++pos_;
      } else if (c == ';') {
        while (pos_ < text_.size() && text_[pos_] != '\n') ++pos_;
      } else if (c == '\n') {
        ++pos_;
        ++line_;
        if (!open) return {};
      } else if (c == '(') {
        if (open) return error(Errc::syntax, line_, pos_, "nested '('");
        open = true;
        open_line = line_;
        open_offset = pos_++;
      } else if (c == ')') {
        if (!open) return error(Errc::syntax, line_, pos_, "')' without '('");
        open = false;
        ++pos_;
      } else {
        core::Expected<Token> token = c == '"' ? scan_quoted() : scan_word();
        if (!token) return std::unexpected(std::move(token.error()));
        entry.tokens.push_back(*token);
      }
    }
    if (open) return error(Errc::syntax, open_line, open_offset, "unterminated parenthesis");
    return {};
  }

  core::Expected<Token> scan_quoted() {
    std::size_t start = pos_ + 1;
    for (std::size_t i = start; i < text_.size(); ++i) {
      char c = text_[i];
      if (c == '\n') break;
      if (c == '\\' && i + 1 < text_.size() && text_[i + 1] != '\n') {
        ++i;
        continue;
      }
      if (c == '"') {
        pos_ = i + 1;
        return Token{text_.substr(start, i - start), true, line_, start - 1};
      }
    }
    return error(Errc::syntax, line_, pos_, "unterminated quoted string");
  }

  core::Expected<Token> scan_word() {
    std::size_t start = pos_;
    while (pos_ < text_.size()) {
      char c = text_[pos_];
      if (c == '\\') {
        if (pos_ + 1 >= text_.size() || text_[pos_ + 1] == '\n')
          return error(Errc::syntax, line_, pos_, "backslash at end of line");
        pos_ += 2;
        continue;
      }
      if (is_blank(c) || c == '\n' || c == ';' || c == '(' || c == ')' || c == '"') break;
      ++pos_;
    }
    return Token{text_.substr(start, pos_ - start), false, line_, start};
  }

  core::Expected<void> handle(const Entry& entry, ZoneFile& file) {
    const std::vector<Token>& tokens = entry.tokens;
    if (!entry.owner_omitted && !tokens[0].quoted && tokens[0].raw.starts_with('$'))
      return directive(entry, file);
    ZoneRecord record;
    record.line = entry.line;
    std::size_t i = 0;
    if (entry.owner_omitted) {
      if (!have_owner_) return error(Errc::syntax, tokens[0], "no owner name and none before");
    } else {
      if (std::optional<Problem> bad = parse_name(tokens[0].raw, origin_, owner_))
        return error(tokens[0], *bad);
      have_owner_ = true;
      i = 1;
    }
    record.owner = owner_;
    // RFC 1035 5.1: TTL and class are both optional and may come in either order.
    std::optional<std::uint32_t> ttl;
    bool have_class = false;
    for (; i < tokens.size() && !tokens[i].quoted; ++i) {
      const Token& t = tokens[i];
      if (is_digit(t.raw[0])) {
        if (ttl) return error(Errc::syntax, t, fmt::format("second TTL '{}'", shown(t.raw)));
        ttl = parse_ttl(t.raw);
        if (!ttl) return error(Errc::bad_value, t, fmt::format("bad TTL '{}'", shown(t.raw)));
      } else if (iequals(t.raw, "IN")) {
        if (have_class) return error(Errc::syntax, t, "second class");
        have_class = true;
      } else if (iequals(t.raw, "CH") || iequals(t.raw, "HS") || iequals(t.raw, "CS")) {
        return error(Errc::unsupported, t, fmt::format("class '{}' is not supported", t.raw));
      } else {
        break;
      }
    }
    if (i == tokens.size()) return error(Errc::syntax, tokens.back(), "missing record type");
    const Token& type = tokens[i];
    if (iequals(type.raw, "TIMEOUT")) {
      record.failure = Status::timeout;
    } else if (iequals(type.raw, "SERVFAIL")) {
      record.failure = Status::servfail;
    } else {
      // A bare number was taken as a TTL above, so only names and TYPEnn reach parse_type.
      std::optional<Type> known = type.quoted ? std::nullopt : parse_type(type.raw);
      if (!known)
        return error(Errc::unsupported, type, fmt::format("unknown type '{}'", shown(type.raw)));
      record.type = *known;
    }
    if (ttl) {
      record.ttl = *ttl;
      last_ttl_ = ttl;
    } else {
      // RFC 2308 4: $TTL is the default; before it, RFC 1035 5.1's last stated TTL.
      record.ttl = ttl_directive_.value_or(last_ttl_.value_or(default_ttl));
    }
    core::Expected<void> data = read_data(record, type, std::span(tokens).subspan(i + 1));
    if (!data) return data;
    file.records.push_back(std::move(record));
    return {};
  }

  core::Expected<void> directive(const Entry& entry, ZoneFile& file) {
    const Token& name = entry.tokens[0];
    bool is_origin = iequals(name.raw, "$ORIGIN"), is_ttl = iequals(name.raw, "$TTL");
    if (!is_origin && !is_ttl) {
      if (iequals(name.raw, "$INCLUDE"))
        return error(Errc::unsupported, name, "$INCLUDE is not supported: load each file");
      return error(Errc::unsupported, name, fmt::format("unknown directive '{}'", shown(name.raw)));
    }
    if (entry.tokens.size() != 2)
      return error(Errc::syntax, name, fmt::format("{} takes one argument", name.raw));
    const Token& value = entry.tokens[1];
    if (is_ttl) {
      std::optional<std::uint32_t> ttl = parse_ttl(value.raw);
      if (!ttl) return error(Errc::bad_value, value, fmt::format("bad TTL '{}'", shown(value.raw)));
      ttl_directive_ = ttl;
      if (!file.ttl_directive) file.ttl_directive = ttl;
      return {};
    }
    // RFC 1035 5.1: a relative $ORIGIN is relative to the current one.
    std::string origin;
    if (std::optional<Problem> bad = parse_name(value.raw, origin_, origin))
      return error(value, *bad);
    origin_ = std::move(origin);
    return {};
  }

  core::Expected<void> read_data(ZoneRecord& record, const Token& type,
                                 std::span<const Token> data) {
    std::size_t wanted = 1;
    if (record.failure != Status::noerror)
      wanted = 0;
    else if (record.type == Type::mx)
      wanted = 2;
    else if (record.type == Type::soa)
      wanted = 7;
    else if (record.type == Type::txt || record.type == Type::spf)
      wanted = std::max<std::size_t>(data.size(), 1);
    std::string_view type_name = type.raw;
    if (data.size() < wanted)
      return error(Errc::syntax, type, fmt::format("missing data for {}", shown(type_name)));
    if (data.size() > wanted)
      return error(
          Errc::syntax, data[wanted],
          fmt::format("unexpected '{}' after {} data", shown(data[wanted].raw), shown(type_name)));
    if (record.failure != Status::noerror) return {};

    switch (record.type) {
      case Type::a:
      case Type::aaaa: {
        bool v4 = record.type == Type::a;
        core::Expected<core::IpAddress> address = core::IpAddress::parse(data[0].raw);
        if (!address || address->is_v4() != v4)
          return error(
              Errc::bad_value, data[0],
              fmt::format("bad {} address '{}'", v4 ? "IPv4" : "IPv6", shown(data[0].raw)));
        record.address = *address;
        return {};
      }
      case Type::mx: {
        std::optional<std::uint32_t> preference = parse_number(data[0].raw, 0xffff);
        if (!preference)
          return error(Errc::bad_value, data[0],
                       fmt::format("bad MX preference '{}'", shown(data[0].raw)));
        record.preference = static_cast<std::uint16_t>(*preference);
        return target(record, data[1]);
      }
      case Type::txt:
      case Type::spf:
        for (const Token& piece : data) {
          std::string decoded;
          if (std::optional<Problem> bad = decode_string(piece.raw, decoded))
            return error(piece, *bad);
          record.strings.push_back(std::move(decoded));
        }
        return {};
      case Type::ptr:
      case Type::cname:
      case Type::ns: return target(record, data[0]);
      case Type::soa: return soa(record, data);
    }
    return error(Errc::unsupported, type, fmt::format("unknown type '{}'", shown(type_name)));
  }

  core::Expected<void> target(ZoneRecord& record, const Token& name) {
    if (std::optional<Problem> bad = parse_name(name.raw, origin_, record.target))
      return error(name, *bad);
    return {};
  }

  // MNAME RNAME SERIAL REFRESH RETRY EXPIRE MINIMUM (RFC 1035 3.3.13). Only MINIMUM matters
  // here: RFC 2308 5 makes min(SOA TTL, MINIMUM) the TTL of negative answers.
  core::Expected<void> soa(ZoneRecord& record, std::span<const Token> data) {
    std::string ignored;
    for (std::size_t i = 0; i < 2; ++i)
      if (std::optional<Problem> bad = parse_name(data[i].raw, origin_, ignored))
        return error(data[i], *bad);
    if (!parse_number(data[2].raw, 0xffffffff))
      return error(Errc::bad_value, data[2],
                   fmt::format("bad SOA serial '{}'", shown(data[2].raw)));
    std::optional<std::uint32_t> minimum;
    for (std::size_t i = 3; i < 7; ++i) {
      minimum = parse_ttl(data[i].raw);
      if (!minimum)
        return error(Errc::bad_value, data[i],
                     fmt::format("bad SOA timer '{}'", shown(data[i].raw)));
    }
    record.negative_ttl = std::min(record.ttl, *minimum);
    return {};
  }

  std::string_view text_;
  std::string_view source_;
  std::size_t pos_ = 0;
  std::size_t line_ = 1;
  std::string origin_;
  std::string owner_;
  bool have_owner_ = false;
  std::optional<std::uint32_t> ttl_directive_;
  std::optional<std::uint32_t> last_ttl_;
};

}  // namespace

core::Expected<ZoneFile> parse_zone_file(std::string_view text, std::string_view source,
                                         std::string_view origin) {
  return Parser(text, source).run(origin);
}

std::string_view query_name_problem(std::string_view name) noexcept {
  if (!name.empty() && name.back() == '.') name.remove_suffix(1);
  if (name.empty()) return {};
  if (name.size() > 253) return "name longer than 253 octets";
  for (std::size_t start = 0;;) {
    std::size_t dot = name.find('.', start);
    std::size_t length = (dot == std::string_view::npos ? name.size() : dot) - start;
    if (length == 0) return "empty label";
    if (length > 63) return "label longer than 63 octets";
    if (dot == std::string_view::npos) return {};
    start = dot + 1;
  }
}

std::string_view lower_name(std::string_view name, char* buffer) noexcept {
  if (!name.empty() && name.back() == '.') name.remove_suffix(1);
  for (std::size_t i = 0; i < name.size(); ++i) {
    char c = name[i];
    buffer[i] = c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : c;
  }
  return {buffer, name.size()};
}

}  // namespace hallmark::dns::internal
