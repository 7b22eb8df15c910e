// SPDX-License-Identifier: Apache-2.0
// Master-file reader (RFC 1035 5.1, with $TTL from RFC 2308 4): text -> ZoneRecords, every
// error naming the file and line.
#include "dns/internal/zone_file.hpp"

#include <algorithm>
#include <array>
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

// IANA "Resource Record (RR) TYPEs": the data types hallmark does not model (those are
// dns::Type, read by parse_type). Meta and query types (OPT, NXNAME, TKEY, TSIG, IXFR, AXFR,
// MAILB, MAILA, *) never appear in a zone and are left out. A type registered later than
// this list is still accepted written as RFC 3597 TYPEnnn.
constexpr std::pair<std::uint16_t, std::string_view> unmodelled_types[] = {
    {3, "MD"},          {4, "MF"},          {7, "MB"},         {8, "MG"},        {9, "MR"},
    {10, "NULL"},       {11, "WKS"},        {13, "HINFO"},     {14, "MINFO"},    {17, "RP"},
    {18, "AFSDB"},      {19, "X25"},        {20, "ISDN"},      {21, "RT"},       {22, "NSAP"},
    {23, "NSAP-PTR"},   {24, "SIG"},        {25, "KEY"},       {26, "PX"},       {27, "GPOS"},
    {29, "LOC"},        {30, "NXT"},        {31, "EID"},       {32, "NIMLOC"},   {33, "SRV"},
    {34, "ATMA"},       {35, "NAPTR"},      {36, "KX"},        {37, "CERT"},     {38, "A6"},
    {39, "DNAME"},      {40, "SINK"},       {42, "APL"},       {43, "DS"},       {44, "SSHFP"},
    {45, "IPSECKEY"},   {46, "RRSIG"},      {47, "NSEC"},      {48, "DNSKEY"},   {49, "DHCID"},
    {50, "NSEC3"},      {51, "NSEC3PARAM"}, {52, "TLSA"},      {53, "SMIMEA"},   {55, "HIP"},
    {56, "NINFO"},      {57, "RKEY"},       {58, "TALINK"},    {59, "CDS"},      {60, "CDNSKEY"},
    {61, "OPENPGPKEY"}, {62, "CSYNC"},      {63, "ZONEMD"},    {64, "SVCB"},     {65, "HTTPS"},
    {66, "DSYNC"},      {67, "HHIT"},       {68, "BRID"},      {100, "UINFO"},   {101, "UID"},
    {102, "GID"},       {103, "UNSPEC"},    {104, "NID"},      {105, "L32"},     {106, "L64"},
    {107, "LP"},        {108, "EUI48"},     {109, "EUI64"},    {256, "URI"},     {257, "CAA"},
    {258, "AVC"},       {259, "DOA"},       {260, "AMTRELAY"}, {261, "RESINFO"}, {262, "WALLET"},
    {263, "CLA"},       {264, "IPN"},       {32768, "TA"},     {32769, "DLV"},
};

bool is_registered(std::uint16_t number) noexcept {
  return std::ranges::any_of(unmodelled_types,
                             [number](const auto& entry) { return entry.first == number; });
}

// The number of a type word parse_type did not know: a mnemonic of the list above, or RFC 3597
// "TYPE" + decimal for any number 1-65535 (0 is reserved, RFC 6895 3.1).
std::optional<std::uint16_t> unmodelled_type(std::string_view word) noexcept {
  for (const auto& [number, name] : unmodelled_types)
    if (iequals(word, name)) return number;
  if (word.size() <= 4 || !iequals(word.substr(0, 4), "TYPE")) return std::nullopt;
  std::optional<std::uint32_t> number = parse_number(word.substr(4), 0xffff);
  if (!number || *number == 0) return std::nullopt;
  return static_cast<std::uint16_t>(*number);
}

// Why `raw` is not a well-formed master-file word (RFC 1035 5.1 escapes), for data that is
// checked but not interpreted.
std::optional<Problem> escape_problem(std::string_view raw) {
  for (std::size_t i = 0; i < raw.size();) {
    char octet = 0;
    bool escaped = false;
    if (!read_octet(raw, i, octet, escaped))
      return Problem{Errc::syntax, fmt::format("bad escape in '{}'", shown(raw))};
  }
  return std::nullopt;
}

int hex_value(char c) noexcept {
  if (is_digit(c)) return c - '0';
  char lower = static_cast<char>(c | 0x20);
  if (lower >= 'a' && lower <= 'f') return lower - 'a' + 10;
  return -1;
}

// A name in uncompressed wire form (RFC 1035 3.1) at `at` in generic RDATA -> plain text, as
// parse_name gives it. Compression pointers mean nothing outside a message and are refused.
std::optional<Problem> wire_name(std::string_view rdata, std::size_t& at, std::string& out) {
  out.clear();
  for (;;) {
    if (at >= rdata.size()) return Problem{Errc::bad_value, "generic RDATA ends inside a name"};
    std::size_t length = static_cast<unsigned char>(rdata[at++]);
    if (length == 0) return std::nullopt;
    if (length > 63)
      return Problem{Errc::bad_value, "generic RDATA holds a compressed or bad name"};
    if (rdata.size() - at < length)
      return Problem{Errc::bad_value, "generic RDATA ends inside a name"};
    std::string_view label = rdata.substr(at, length);
    at += length;
    if (label.find('.') != std::string_view::npos)
      return Problem{Errc::unsupported, "'.' inside a label is not supported in generic RDATA"};
    if (!out.empty()) out += '.';
    out += label;
    if (out.size() > max_name_length)
      return Problem{Errc::too_long, "name longer than 253 octets in generic RDATA"};
  }
}

std::uint32_t read_u32(std::string_view bytes) noexcept {
  std::uint32_t value = 0;
  for (char c : bytes.substr(0, 4)) value = value << 8 | static_cast<unsigned char>(c);
  return value;
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
      // A bare number was taken as a TTL above, so only names and TYPEnn reach parse_type,
      // which knows the modelled types (also as TYPE1, TYPE16...).
      std::optional<Type> known = type.quoted ? std::nullopt : parse_type(type.raw);
      std::optional<std::uint16_t> other =
          known || type.quoted ? std::nullopt : unmodelled_type(type.raw);
      if (known)
        record.type = *known;
      else if (other)
        record.unmodelled_type = *other;
      else
        return error(Errc::unsupported, type, fmt::format("unknown type '{}'", shown(type.raw)));
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
    // RFC 3597 5: an unquoted \# first introduces generic data, for any type.
    if (record.failure == Status::noerror && !data.empty() && !data[0].quoted &&
        data[0].raw == "\\#")
      return generic(record, type, data);
    if (record.unmodelled_type != 0) return unmodelled(record, type, data);
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

  // Text data of a type we do not model: kept to master-file syntax (the scanner checked
  // quotes and parentheses, this the escapes), not interpreted. Every registered type has at
  // least one field but APL, whose list may be empty (RFC 3123 4). An unregistered TYPEnnn
  // has no text form: RFC 3597 5 wants generic data for it.
  core::Expected<void> unmodelled(const ZoneRecord& record, const Token& type,
                                  std::span<const Token> data) {
    if (!is_registered(record.unmodelled_type))
      return error(
          Errc::syntax, data.empty() ? type : data[0],
          fmt::format("{} data must be RFC 3597 generic data (\\# length hex)", shown(type.raw)));
    if (data.empty() && record.unmodelled_type != 42)
      return error(Errc::syntax, type, fmt::format("missing data for {}", shown(type.raw)));
    for (const Token& word : data)
      if (std::optional<Problem> bad = escape_problem(word.raw)) return error(word, *bad);
    return {};
  }

  // RFC 3597 5: \# LENGTH HEX..., where each hex word has an even number of digits and the
  // digits give exactly LENGTH octets. Checked for every type, decoded for the modelled ones.
  core::Expected<void> generic(ZoneRecord& record, const Token& type, std::span<const Token> data) {
    const Token& mark = data[0];
    if (data.size() < 2)
      return error(Errc::syntax, mark, fmt::format("missing data for {}", shown(type.raw)));
    std::optional<std::uint32_t> length = parse_number(data[1].raw, 0xffff);  // RDLENGTH
    if (data[1].quoted || !length)
      return error(Errc::bad_value, data[1],
                   fmt::format("bad generic RDATA length '{}'", shown(data[1].raw)));
    std::string rdata;
    rdata.reserve(*length);
    for (const Token& word : data.subspan(2)) {
      bool hex = !word.quoted && word.raw.size() % 2 == 0 &&
                 std::ranges::all_of(word.raw, [](char c) { return hex_value(c) >= 0; });
      if (!hex)
        return error(Errc::syntax, word,
                     fmt::format("bad hex '{}' in generic RDATA", shown(word.raw)));
      if (word.raw.size() / 2 > *length - rdata.size())
        return error(Errc::bad_value, word,
                     fmt::format("generic RDATA longer than its length {}", *length));
      for (std::size_t i = 0; i < word.raw.size(); i += 2)
        rdata += static_cast<char>(hex_value(word.raw[i]) * 16 + hex_value(word.raw[i + 1]));
    }
    if (rdata.size() != *length)
      return error(Errc::bad_value, data.back(),
                   fmt::format("generic RDATA shorter than its length {}", *length));
    if (record.unmodelled_type != 0) return {};
    // RFC 3597 5: data of a known type in generic form is that type's data all the same.
    if (std::optional<Problem> bad = decode_rdata(record, rdata)) return error(mark, *bad);
    return {};
  }

  // Wire-form RDATA (RFC 1035 3.3, RFC 3596 2.2) of a modelled type into `record`.
  std::optional<Problem> decode_rdata(ZoneRecord& record, std::string_view rdata) {
    std::string_view name = to_string(record.type);
    auto bad = [name](std::string_view why) {
      return Problem{Errc::bad_value, fmt::format("bad generic RDATA for {}: {}", name, why)};
    };
    std::size_t at = 0;
    std::optional<Problem> problem;
    switch (record.type) {
      case Type::a:
      case Type::aaaa: {
        std::size_t size = record.type == Type::a ? 4 : 16;
        if (rdata.size() != size) return bad(fmt::format("{} octets, not {}", rdata.size(), size));
        std::array<std::uint8_t, 16> bytes{};
        std::copy_n(rdata.begin(), size, bytes.begin());
        if (size == 4)
          record.address = core::IpAddress::v4({bytes[0], bytes[1], bytes[2], bytes[3]});
        else
          record.address = core::IpAddress::v6(bytes);
        return std::nullopt;
      }
      case Type::txt:
      case Type::spf:
        if (rdata.empty()) return bad("no character-string");
        while (at < rdata.size()) {
          std::size_t size = static_cast<unsigned char>(rdata[at++]);
          if (rdata.size() - at < size) return bad("a character-string runs past the end");
          record.strings.emplace_back(rdata.substr(at, size));
          at += size;
        }
        return std::nullopt;
      case Type::mx:
        if (rdata.size() < 2) return bad("no preference");
        record.preference = static_cast<std::uint16_t>(static_cast<unsigned char>(rdata[0]) << 8 |
                                                       static_cast<unsigned char>(rdata[1]));
        at = 2;
        problem = wire_name(rdata, at, record.target);
        break;
      case Type::ptr:
      case Type::cname:
      case Type::ns: problem = wire_name(rdata, at, record.target); break;
      case Type::soa: {
        std::string ignored;
        problem = wire_name(rdata, at, ignored);                // MNAME
        if (!problem) problem = wire_name(rdata, at, ignored);  // RNAME
        if (problem) return problem;
        if (rdata.size() - at != 20) return bad("not five 32-bit numbers after the names");
        // RFC 2308 5, as soa() below: MINIMUM is the last of the five.
        record.negative_ttl = std::min(record.ttl, read_u32(rdata.substr(at + 16)));
        return std::nullopt;
      }
    }
    if (problem) return problem;
    if (at != rdata.size()) return bad("octets after the data");
    return std::nullopt;
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
