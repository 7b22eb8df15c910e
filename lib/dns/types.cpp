// SPDX-License-Identifier: Apache-2.0
// Names of DNS types and statuses, and the operator-facing text form of an answer.
#include "hallmark/dns/types.hpp"
#include "core/internal/ascii.hpp"

#include <array>
#include <charconv>
#include <utility>

#include <fmt/format.h>

namespace hallmark::dns {
namespace {

constexpr std::array<std::pair<Type, std::string_view>, 9> type_names = {{
    {Type::a, "A"},
    {Type::ns, "NS"},
    {Type::cname, "CNAME"},
    {Type::soa, "SOA"},
    {Type::ptr, "PTR"},
    {Type::mx, "MX"},
    {Type::txt, "TXT"},
    {Type::aaaa, "AAAA"},
    {Type::spf, "SPF"},
}};

using core::detail::iequals;

// Master-file quoting of one character-string (RFC 1035 5.1).
std::string quote(std::string_view text) {
  std::string out = "\"";
  for (unsigned char c : text) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += static_cast<char>(c);
    } else if (c < 0x20 || c >= 0x7f) {
      out += fmt::format("\\{:03d}", c);
    } else {
      out += static_cast<char>(c);
    }
  }
  out += '"';
  return out;
}

}  // namespace

std::string_view to_string(Type type) noexcept {
  for (const auto& [value, name] : type_names)
    if (value == type) return name;
  return "UNKNOWN";
}

std::string_view to_string(Status status) noexcept {
  switch (status) {
    case Status::noerror: return "noerror";
    case Status::nxdomain: return "nxdomain";
    case Status::nodata: return "nodata";
    case Status::servfail: return "servfail";
    case Status::timeout: return "timeout";
    case Status::refused: return "refused";
    case Status::error: return "error";
  }
  return "error";
}

std::optional<Type> parse_type(std::string_view text) noexcept {
  for (const auto& [value, name] : type_names)
    if (iequals(text, name)) return value;
  if (text.size() > 4 && iequals(text.substr(0, 4), "TYPE")) text.remove_prefix(4);
  unsigned number = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), number);
  if (text.empty() || ec != std::errc{} || end != text.data() + text.size()) return std::nullopt;
  for (const auto& [value, name] : type_names)
    if (static_cast<unsigned>(value) == number) return value;
  return std::nullopt;
}

std::string_view Txt::text(std::string& scratch) const {
  if (strings.size() == 1) return strings.front();
  scratch = text();
  return scratch;
}

std::string Txt::text() const {
  std::string joined;
  std::size_t total = 0;
  for (const std::string& piece : strings) total += piece.size();
  joined.reserve(total);
  for (const std::string& piece : strings) joined += piece;
  return joined;
}

std::size_t Answer::size() const noexcept {
  switch (type) {
    case Type::a:
    case Type::aaaa: return addresses.size();
    case Type::mx: return mx.size();
    case Type::txt:
    case Type::spf: return txt.size();
    case Type::ptr: return ptr.size();
    case Type::ns: return ns.size();
    case Type::cname: return cname.size();
    case Type::soa: return 0;
  }
  return 0;
}

Answer Answer::with_status(std::string name, Type type, Status status, std::string detail,
                           std::uint32_t ttl) {
  Answer answer;
  answer.name = std::move(name);
  answer.type = type;
  answer.status = status;
  answer.detail = std::move(detail);
  answer.ttl = ttl;
  return answer;
}

std::vector<std::string> record_data(const Answer& answer) {
  std::vector<std::string> data;
  data.reserve(answer.size());
  for (const core::IpAddress& address : answer.addresses) data.push_back(address.to_string());
  for (const Mx& mx : answer.mx) data.push_back(fmt::format("{} {}.", mx.preference, mx.exchange));
  for (const Txt& txt : answer.txt) {
    std::string text;
    for (const std::string& piece : txt.strings) {
      if (!text.empty()) text += ' ';
      text += quote(piece);
    }
    data.push_back(txt.strings.empty() ? std::string("\"\"") : std::move(text));
  }
  for (const std::string& target : answer.ptr) data.push_back(target + ".");
  for (const std::string& target : answer.ns) data.push_back(target + ".");
  return data;
}

std::string format_answer(const Answer& answer) {
  std::string owner = answer.name;
  if (owner.empty() || owner.back() != '.') owner += '.';
  std::string out = fmt::format("status: {}", to_string(answer.status));
  if (answer.authenticated) out += " (authenticated)";
  if (!answer.detail.empty()) out += fmt::format(" ({})", answer.detail);
  out += '\n';
  for (const std::string& target : answer.cname)
    out += fmt::format("{} {} IN CNAME {}.\n", owner, answer.ttl, target);
  std::string_view type_name = to_string(answer.type);
  for (const std::string& data : record_data(answer))
    out += fmt::format("{} {} IN {} {}\n", owner, answer.ttl, type_name, data);
  return out;
}

}  // namespace hallmark::dns
