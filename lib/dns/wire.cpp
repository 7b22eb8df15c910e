// SPDX-License-Identifier: Apache-2.0
// DNS messages on the wire (RFC 1035 4): queries built for c-ares to send, and the
// bounds-checked decoder that turns a raw response into a dns::Answer with TTLs, the SOA
// negative TTL and the AD bit, which c-ares 1.18's own parsers drop.
#include "dns/internal/wire.hpp"

#include <algorithm>
#include <array>
#include <limits>
#include <utility>

#include <fmt/format.h>

namespace hallmark::dns::wire {
namespace {

using Bytes = std::span<const std::uint8_t>;

constexpr std::size_t header_octets = 12;
constexpr std::uint16_t class_in = 1;
constexpr std::uint16_t type_cname = 5;
constexpr std::uint16_t type_soa = 6;
constexpr std::uint16_t type_opt = 41;
// RFC 1035 4.1.1 header flags; AD is RFC 4035 3.2.3, DO (in the OPT TTL) RFC 3225 3.
constexpr std::uint16_t flag_qr = 0x8000;
constexpr std::uint16_t flag_tc = 0x0200;
constexpr std::uint16_t flag_rd = 0x0100;
constexpr std::uint16_t flag_ad = 0x0020;
constexpr std::uint32_t edns_do = 0x8000;
// RFC 1035 4.1.1 RCODE values.
constexpr unsigned rcode_noerror = 0;
constexpr unsigned rcode_servfail = 2;
constexpr unsigned rcode_nxdomain = 3;
constexpr unsigned rcode_refused = 5;

std::uint16_t get16(Bytes m, std::size_t at) {
  return static_cast<std::uint16_t>(m[at] << 8 | m[at + 1]);
}
std::uint32_t get32(Bytes m, std::size_t at) {
  return std::uint32_t{m[at]} << 24 | std::uint32_t{m[at + 1]} << 16 |
         std::uint32_t{m[at + 2]} << 8 | std::uint32_t{m[at + 3]};
}
void put16(std::vector<std::uint8_t>& out, std::uint16_t value) {
  out.push_back(static_cast<std::uint8_t>(value >> 8));
  out.push_back(static_cast<std::uint8_t>(value & 0xff));
}

std::unexpected<core::Error> malformed(std::string message, std::size_t offset) {
  return core::fail(core::Errc::syntax, std::move(message), offset);
}

// Wire-form names compare ASCII case-insensitively (RFC 4343 3). Length octets are at most
// 63, below 'A', so lowering the whole wire string touches only label text.
std::string lower(std::string wire) {
  for (char& c : wire)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return wire;
}

// A wire name for messages in details: hostile octets are escaped, never printed raw.
std::string display(std::string_view wire) {
  std::string out;
  for (std::size_t at = 0; at < wire.size() && wire[at] != 0;) {
    auto length = static_cast<std::uint8_t>(wire[at]);
    for (auto c : wire.substr(at + 1, length)) {
      auto octet = static_cast<unsigned char>(c);
      if (octet <= 0x20 || octet >= 0x7f || c == '.' || c == '\\')
        out += fmt::format("\\{:03d}", octet);
      else
        out += c;
    }
    out += '.';
    at += 1 + length;
  }
  return out.empty() ? "." : out;
}

// A wire name in hallmark's text form: labels joined by dots, no trailing dot, the root "".
// Labels are octets between dots, so a label holding a dot has no text form.
core::Expected<std::string> to_text(std::string_view wire, std::size_t offset) {
  std::string out;
  for (std::size_t at = 0; at < wire.size() && wire[at] != 0;) {
    auto length = static_cast<std::uint8_t>(wire[at]);
    std::string_view label = wire.substr(at + 1, length);
    if (label.find('.') != std::string_view::npos)
      return malformed(fmt::format("name {} has a dot inside a label", display(wire)), offset);
    if (!out.empty()) out += '.';
    out += label;
    at += 1 + length;
  }
  return out;
}

// Reads the name at `at` (RFC 1035 3.1, 4.1.4) into wire form; `next` receives the offset
// just past its in-line part. Every pointer must land before the start of the stretch that
// holds it, so each jump goes strictly backwards and no chain of pointers can loop.
core::Expected<std::string> read_name(Bytes m, std::size_t at, std::size_t& next) {
  std::string wire;
  std::size_t pos = at;
  std::size_t floor = at;
  bool jumped = false;
  int jumps = 0;
  for (;;) {
    if (pos >= m.size()) return malformed("name runs past the end of the message", at);
    std::uint8_t length = m[pos];
    if ((length & 0xc0) == 0xc0) {
      if (pos + 1 >= m.size()) return malformed("compression pointer cut short", pos);
      std::size_t target = std::size_t{length & 0x3fu} << 8 | m[pos + 1];
      if (target >= floor)
        return malformed(fmt::format("compression pointer to {} does not point backwards", target),
                         pos);
      if (++jumps > max_name_jumps) return malformed("too many compression pointers", pos);
      if (!jumped) next = pos + 2;
      jumped = true;
      floor = target;
      pos = target;
      continue;
    }
    if (length & 0xc0)  // 01 and 10 label types: RFC 6891 retired them, RFC 1035 reserves
      return malformed(fmt::format("unknown label type 0x{:02x}", length & 0xc0), pos);
    if (length == 0) break;
    if (pos + 1 + length > m.size())
      return malformed("label runs past the end of the message", pos);
    if (wire.size() + 1 + length + 1 > max_name_octets)
      return malformed("name longer than 255 octets", at);
    wire.append(reinterpret_cast<const char*>(&m[pos]), 1 + std::size_t{length});
    pos += 1 + std::size_t{length};
  }
  wire.push_back('\0');
  if (!jumped) next = pos + 1;
  return wire;
}

struct Record {
  std::string owner;  // wire form, lower case
  std::uint16_t type = 0;
  std::uint16_t klass = 0;
  std::uint32_t ttl = 0;
  std::size_t rdata = 0;  // offset of RDATA in the message
  std::uint16_t rdlength = 0;
};

core::Expected<Record> read_record(Bytes m, std::size_t& at, std::string_view section,
                                   std::size_t index) {
  std::size_t start = at;
  auto owner = read_name(m, at, at);
  if (!owner) {
    owner.error().message =
        fmt::format("{} record {}: {}", section, index + 1, owner.error().message);
    return std::unexpected(std::move(owner.error()));
  }
  if (at + 10 > m.size())
    return malformed(fmt::format("{} record {} is cut short", section, index + 1), start);
  Record record;
  record.owner = lower(std::move(*owner));
  record.type = get16(m, at);
  record.klass = get16(m, at + 2);
  record.ttl = get32(m, at + 4);
  // RFC 2181 8: a TTL with the top bit set is to be treated as zero.
  if (record.ttl > 0x7fffffffu) record.ttl = 0;
  record.rdlength = get16(m, at + 8);
  record.rdata = at + 10;
  if (record.rdata + record.rdlength > m.size())
    return malformed(fmt::format("{} record {}: rdlength {} runs past the end of the message",
                                 section, index + 1, record.rdlength),
                     start);
  at = record.rdata + record.rdlength;
  return record;
}

core::Expected<std::vector<Record>> read_section(Bytes m, std::size_t& at, std::size_t count,
                                                 std::string_view section) {
  std::vector<Record> records;
  // Each record takes at least 11 octets, so a hostile count cannot reserve much.
  records.reserve(std::min(count, (m.size() - std::min(at, m.size())) / 11));
  for (std::size_t i = 0; i < count; ++i) {
    auto record = read_record(m, at, section, i);
    if (!record) return std::unexpected(std::move(record.error()));
    records.push_back(std::move(*record));
  }
  return records;
}

// RDATA that is exactly one name: NS, CNAME, PTR (RFC 1035 3.3).
core::Expected<std::string> rdata_name(Bytes m, const Record& record, std::size_t from) {
  std::size_t end = record.rdata + record.rdlength;
  std::size_t next = 0;
  auto name = read_name(m, from, next);
  if (!name) return name;
  if (next != end)
    return malformed(
        fmt::format("record data of {} does not end with its name", display(record.owner)),
        record.rdata);
  return name;
}

// Adds one record of the asked type to the answer (RFC 1035 3.3, RFC 3596 2.2).
core::Expected<void> add_record(Bytes m, const Record& record, Type type, Answer& answer) {
  std::size_t at = record.rdata;
  std::size_t end = record.rdata + record.rdlength;
  auto wrong_size = [&] {
    return malformed(fmt::format("{} record of {} has {} octets of data", to_string(type),
                                 display(record.owner), record.rdlength),
                     record.rdata);
  };
  switch (type) {
    case Type::a: {
      if (record.rdlength != 4) return wrong_size();
      std::array<std::uint8_t, 4> bytes{};
      std::copy_n(&m[at], 4, bytes.begin());
      answer.addresses.push_back(core::IpAddress::v4(bytes));
      return {};
    }
    case Type::aaaa: {
      if (record.rdlength != 16) return wrong_size();
      std::array<std::uint8_t, 16> bytes{};
      std::copy_n(&m[at], 16, bytes.begin());
      answer.addresses.push_back(core::IpAddress::v6(bytes));
      return {};
    }
    case Type::mx: {
      if (record.rdlength < 3) return wrong_size();
      auto exchange = rdata_name(m, record, at + 2);
      if (!exchange) return std::unexpected(std::move(exchange.error()));
      auto text = to_text(*exchange, at + 2);
      if (!text) return std::unexpected(std::move(text.error()));
      answer.mx.push_back(Mx{get16(m, at), std::move(*text)});
      return {};
    }
    case Type::txt:
    case Type::spf: {
      // RFC 1035 3.3.14: one or more <character-string>s, each kept apart.
      Txt txt;
      while (at < end) {
        std::size_t length = m[at];
        if (at + 1 + length > end)
          return malformed(
              fmt::format("TXT string of {} runs past its record", display(record.owner)), at);
        txt.strings.emplace_back(reinterpret_cast<const char*>(&m[at + 1]), length);
        at += 1 + length;
      }
      answer.txt.push_back(std::move(txt));
      return {};
    }
    case Type::ptr:
    case Type::ns:
    case Type::cname: {
      auto target = rdata_name(m, record, at);
      if (!target) return std::unexpected(std::move(target.error()));
      auto text = to_text(*target, at);
      if (!text) return std::unexpected(std::move(text.error()));
      std::vector<std::string>& list =
          type == Type::ptr ? answer.ptr : (type == Type::ns ? answer.ns : answer.cname);
      list.push_back(std::move(*text));
      return {};
    }
    case Type::soa: return {};  // hallmark never keeps SOA data, only its negative TTL
  }
  return {};
}

// Whether `zone` is `name` or one of its ancestors, both lower-case wire form.
bool is_at_or_above(std::string_view name, std::string_view zone) {
  for (std::size_t at = 0; at < name.size();) {
    if (name.substr(at) == zone) return true;
    if (name[at] == 0) break;
    at += 1 + static_cast<std::uint8_t>(name[at]);
  }
  return false;
}

// RFC 2308 5: a negative answer may be cached for min(SOA TTL, SOA MINIMUM) of the SOA in the
// authority section, and not at all without one (RFC 2308 5, last paragraph).
core::Expected<std::uint32_t> negative_ttl(Bytes m, const std::vector<Record>& authority,
                                           std::string_view name) {
  for (const Record& record : authority) {
    if (record.type != type_soa || record.klass != class_in) continue;
    if (!is_at_or_above(name, record.owner)) continue;
    std::size_t at = record.rdata;
    for (int i = 0; i < 2; ++i) {  // MNAME, RNAME
      auto part = read_name(m, at, at);
      if (!part) return std::unexpected(std::move(part.error()));
    }
    if (at + 20 != record.rdata + record.rdlength)
      return malformed(fmt::format("SOA record of {} has a bad length", display(record.owner)),
                       record.rdata);
    std::uint32_t minimum = get32(m, at + 16);
    if (minimum > 0x7fffffffu) minimum = 0;
    return std::min(record.ttl, minimum);
  }
  return 0;
}

std::string_view rcode_name(unsigned rcode) {
  constexpr std::array<std::string_view, 11> names = {"NOERROR", "FORMERR", "SERVFAIL", "NXDOMAIN",
                                                      "NOTIMP",  "REFUSED", "YXDOMAIN", "YXRRSET",
                                                      "NXRRSET", "NOTAUTH", "NOTZONE"};
  return rcode < names.size() ? names[rcode] : "unassigned";
}

// Everything after the header checks: question, sections, CNAME chain, status and TTL.
core::Expected<void> decode_into(Bytes m, std::string_view asked, Type type, Answer& answer) {
  if (m.size() < header_octets) return malformed("shorter than the 12-octet header", 0);
  std::uint16_t flags = get16(m, 2);
  if (!(flags & flag_qr)) return malformed("not a response (QR bit clear)", 2);
  if (unsigned opcode = (flags >> 11) & 0xf; opcode != 0)
    return malformed(fmt::format("opcode {} is not QUERY", opcode), 2);
  // c-ares retries truncated UDP answers over TCP; a TC bit that still reaches us means
  // the records are incomplete, and a partial RRset must not pass for the whole.
  if (flags & flag_tc) return malformed("truncated (TC bit set)", 2);
  unsigned rcode = flags & 0xf;
  std::size_t qdcount = get16(m, 4);
  std::size_t ancount = get16(m, 6);
  std::size_t nscount = get16(m, 8);
  std::size_t arcount = get16(m, 10);

  auto asked_wire = encode_name(asked);
  if (!asked_wire) return malformed("asked name: " + asked_wire.error().message, 0);
  std::string current = lower(std::move(*asked_wire));

  std::size_t at = header_octets;
  if (qdcount > 1) return malformed(fmt::format("{} questions", qdcount), 4);
  if (qdcount == 1) {
    auto qname = read_name(m, at, at);
    if (!qname) return std::unexpected(std::move(qname.error()));
    if (at + 4 > m.size()) return malformed("question is cut short", at);
    std::uint16_t qtype = get16(m, at);
    if (lower(*qname) != current || qtype != static_cast<std::uint16_t>(type) ||
        get16(m, at + 2) != class_in)
      return malformed(fmt::format("answers another question ({} type {})", display(*qname), qtype),
                       header_octets);
    at += 4;
  }
  if (rcode == rcode_servfail || rcode == rcode_refused) {
    answer.status = rcode == rcode_servfail ? Status::servfail : Status::refused;
    answer.detail = fmt::format("server answered {}", rcode_name(rcode));
    return {};
  }
  if (rcode != rcode_noerror && rcode != rcode_nxdomain) {
    answer.detail = fmt::format("server answered RCODE {} ({})", rcode, rcode_name(rcode));
    return {};  // status stays error: FORMERR, NOTIMP and the rest are not answers
  }
  if (qdcount == 0) return malformed("no question section", 4);

  auto answers = read_section(m, at, ancount, "answer");
  if (!answers) return std::unexpected(std::move(answers.error()));
  auto authority = read_section(m, at, nscount, "authority");
  if (!authority) return std::unexpected(std::move(authority.error()));
  auto additional = read_section(m, at, arcount, "additional");
  if (!additional) return std::unexpected(std::move(additional.error()));
  for (const Record& record : *additional) {
    // RFC 6891 6.1.3: the OPT TTL carries the upper 8 bits of a 12-bit RCODE.
    if (record.type == type_opt && (record.ttl >> 24) != 0)
      return malformed(fmt::format("extended RCODE {}", (record.ttl >> 24) << 4 | rcode), 0);
  }
  answer.authenticated = (flags & flag_ad) != 0;

  // Follow CNAMEs from the asked name one link at a time, wherever each link sits in the
  // section (RFC 1034 3.6.2, 4.3.2); the chain's order is that of the links, not the records.
  std::uint32_t ttl = std::numeric_limits<std::uint32_t>::max();
  std::vector<std::string> visited{current};
  auto owned_here = [&](const Record& r) { return r.klass == class_in && r.owner == current; };
  while (type != Type::cname) {
    const Record* alias = nullptr;
    bool has_data = false;
    for (const Record& record : *answers) {
      if (!owned_here(record)) continue;
      if (record.type == static_cast<std::uint16_t>(type)) has_data = true;
      if (record.type != type_cname) continue;
      // RFC 2181 10.1: a name with a CNAME has no other data, and only one CNAME.
      if (alias != nullptr)
        return malformed(fmt::format("several CNAME records at {}", display(current)),
                         record.rdata);
      alias = &record;
    }
    if (has_data || alias == nullptr) break;
    auto target = rdata_name(m, *alias, alias->rdata);
    if (!target) return std::unexpected(std::move(target.error()));
    if (answer.cname.size() == max_cname_chain)
      return malformed(fmt::format("CNAME chain longer than {}", max_cname_chain), alias->rdata);
    auto text = to_text(*target, alias->rdata);
    if (!text) return std::unexpected(std::move(text.error()));
    current = lower(std::move(*target));
    if (std::find(visited.begin(), visited.end(), current) != visited.end())
      return malformed(fmt::format("CNAME loop at {}", display(current)), alias->rdata);
    visited.push_back(current);
    answer.cname.push_back(std::move(*text));
    ttl = std::min(ttl, alias->ttl);
  }

  // RFC 6604 3: after a CNAME, NXDOMAIN speaks of the chain's last name, so no data counts.
  std::size_t used = 0;
  if (rcode == rcode_noerror) {
    for (const Record& record : *answers) {
      if (!owned_here(record) || record.type != static_cast<std::uint16_t>(type)) continue;
      auto added = add_record(m, record, type, answer);
      if (!added) return added;
      ttl = std::min(ttl, record.ttl);
      ++used;
    }
  }
  if (used > 0) {
    answer.status = Status::noerror;
    answer.ttl = ttl;
    return {};
  }
  auto negative = negative_ttl(m, *authority, current);
  if (!negative) return std::unexpected(std::move(negative.error()));
  answer.status = rcode == rcode_nxdomain ? Status::nxdomain : Status::nodata;
  answer.ttl = std::min(ttl, *negative);
  return {};
}

}  // namespace

core::Expected<std::string> encode_name(std::string_view name) {
  if (name.empty()) return core::fail(core::Errc::syntax, "empty name", 0);
  if (name == ".") return std::string(1, '\0');
  std::string_view body = name.back() == '.' ? name.substr(0, name.size() - 1) : name;
  std::string wire;
  std::size_t start = 0;
  for (;;) {
    std::size_t dot = std::min(body.find('.', start), body.size());
    std::size_t length = dot - start;
    if (length == 0)
      return core::fail(core::Errc::syntax, fmt::format("empty label in '{}'", name), start);
    if (length > max_label_octets)
      return core::fail(core::Errc::too_long,
                        fmt::format("label of {} octets (the limit is 63)", length), start);
    wire.push_back(static_cast<char>(length));
    wire.append(body.substr(start, length));
    if (wire.size() + 1 > max_name_octets)
      return core::fail(core::Errc::too_long, "name longer than 255 octets in wire form", start);
    if (dot == body.size()) break;
    start = dot + 1;
  }
  wire.push_back('\0');
  return wire;
}

core::Expected<std::vector<std::uint8_t>> encode_query(std::string_view name, Type type,
                                                       const QueryOptions& options) {
  auto qname = encode_name(name);
  if (!qname) return std::unexpected(std::move(qname.error()));
  std::vector<std::uint8_t> out;
  out.reserve(header_octets + qname->size() + 4 + 11);
  put16(out, options.id);
  std::uint16_t flags = options.recursion_desired ? flag_rd : 0;
  if (options.dnssec_ok) flags |= flag_ad;  // RFC 6840 5.7: AD in a query asks for AD back
  put16(out, flags);
  put16(out, 1);                          // QDCOUNT
  put16(out, 0);                          // ANCOUNT
  put16(out, 0);                          // NSCOUNT
  put16(out, options.dnssec_ok ? 1 : 0);  // ARCOUNT
  out.insert(out.end(), qname->begin(), qname->end());
  put16(out, static_cast<std::uint16_t>(type));
  put16(out, class_in);
  if (options.dnssec_ok) {
    // RFC 6891 6.1.2: root owner, type OPT, CLASS = UDP payload size, TTL = extended RCODE,
    // version 0 and the DO flag, no options. 11 octets.
    out.push_back(0);
    put16(out, type_opt);
    put16(out, edns_udp_payload);
    put16(out, 0);
    put16(out, static_cast<std::uint16_t>(edns_do));
    put16(out, 0);
  }
  return out;
}

Answer decode_response(std::span<const std::uint8_t> message, std::string_view name, Type type) {
  Answer answer = Answer::with_status(std::string(name), type, Status::error);
  auto decoded = decode_into(message, name, type, answer);
  if (!decoded)
    return Answer::with_status(std::string(name), type, Status::error,
                               "malformed DNS response: " + decoded.error().message);
  return answer;
}

}  // namespace hallmark::dns::wire
