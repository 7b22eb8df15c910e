// SPDX-License-Identifier: Apache-2.0
// Reading hallmark-milter.conf. The line reader is the one of the allow lists and score
// table, so the three kinds of file an operator edits follow the same rules.
#include "config.hpp"

#include <charconv>
#include <functional>
#include <map>
#include <optional>
#include <set>

#include <fmt/format.h>

#include "authenticator/internal/line_file.hpp"
#include "core/internal/ascii.hpp"

namespace hallmark::milter {

namespace {

using authenticator::detail::Line;
using authenticator::detail::LineReader;
using authenticator::detail::quote_line_text;

core::Expected<bool> parse_flag(std::string_view value) {
  for (std::string_view yes : {"yes", "true", "on", "1"})
    if (core::detail::iequals(value, yes)) return true;
  for (std::string_view no : {"no", "false", "off", "0"})
    if (core::detail::iequals(value, no)) return false;
  return core::fail(core::Errc::bad_value, "want yes or no");
}

core::Expected<std::chrono::milliseconds> parse_milliseconds(std::string_view value) {
  unsigned long long ms = 0;
  auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), ms);
  // A day is far past any sensible DNS wait; the bound keeps the arithmetic of deadlines safe.
  if (ec != std::errc() || end != value.data() + value.size() || ms == 0 || ms > 86'400'000)
    return core::fail(core::Errc::bad_value, "want milliseconds from 1 to 86400000");
  return std::chrono::milliseconds(ms);
}

core::Expected<std::size_t> parse_bytes(std::string_view value) {
  unsigned long long bytes = 0;
  auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), bytes);
  if (ec != std::errc() || end != value.data() + value.size() || bytes == 0)
    return core::fail(core::Errc::bad_value, "want a positive number of octets");
  return static_cast<std::size_t>(bytes);
}

// A header field name (RFC 5322 3.6.8: printable ASCII but ':').
core::Expected<std::string> parse_field_name(std::string_view value) {
  for (char c : value)
    if (c <= 0x20 || c >= 0x7f || c == ':')
      return core::fail(core::Errc::bad_value, "not a header field name");
  return std::string(value);
}

// RFC 8601 2.2's authserv-id as we write it bare: an RFC 2045 token (printable ASCII but
// blanks and tspecials), so the field we add parses everywhere.
core::Expected<std::string> parse_authserv_id(std::string_view value) {
  constexpr std::string_view tspecials = "()<>@,;:\\\"/[]?=";
  for (char c : value)
    if (c <= 0x20 || c >= 0x7f || tspecials.find(c) != std::string_view::npos)
      return core::fail(core::Errc::bad_value, "want a host name (an RFC 2045 token)");
  return std::string(value);
}

// Words separated by blanks or commas: "127.0.0.0/8, ::1".
std::vector<std::string_view> words(std::string_view value) {
  std::vector<std::string_view> out;
  std::size_t at = 0;
  while (at < value.size()) {
    std::size_t end = value.find_first_of(" \t,", at);
    if (end == std::string_view::npos) end = value.size();
    if (end > at) out.push_back(value.substr(at, end - at));
    at = end + 1;
  }
  return out;
}

// One key's reader: stores the parsed value in the config, or says what is wrong with it.
using Setter = std::function<core::Expected<void>(Config&, std::string_view)>;

template <class T, class Parse>
Setter set(T Config::*member, Parse parse) {
  return [member, parse](Config& config, std::string_view value) -> core::Expected<void> {
    auto parsed = parse(value);
    if (!parsed) return std::unexpected(std::move(parsed.error()));
    config.*member = std::move(*parsed);
    return {};
  };
}

Setter set_text(std::string Config::*member) {
  return set(member, [](std::string_view value) -> core::Expected<std::string> {
    return std::string(value);
  });
}

Setter append_text(std::vector<std::string> Config::*member) {
  return [member](Config& config, std::string_view value) -> core::Expected<void> {
    for (std::string_view word : words(value)) (config.*member).emplace_back(word);
    return {};
  };
}

const std::map<std::string, Setter, std::less<>>& setters() {
  static const std::map<std::string, Setter, std::less<>> table = {
      {"socket",
       [](Config& config, std::string_view value) -> core::Expected<void> {
         if (core::Expected<void> ok = check_socket(value); !ok) return ok;
         config.socket = std::string(value);
         return {};
       }},
      {"authserv_id", set(&Config::authserv_id, parse_authserv_id)},
      {"zone", append_text(&Config::zone_files)},
      {"dns_server", append_text(&Config::dns_servers)},
      {"dns_timeout_ms", set(&Config::dns_timeout, parse_milliseconds)},
      {"deadline_ms", set(&Config::deadline, parse_milliseconds)},
      {"check_helo", set(&Config::check_helo, parse_flag)},
      {"iprev", set(&Config::iprev, parse_flag)},
      {"allow_dmarc", set_text(&Config::allow_dmarc)},
      {"allow_spf_dkim", set_text(&Config::allow_spf_dkim)},
      {"trusted_arc_sealers", set_text(&Config::trusted_arc_sealers)},
      {"scores", set_text(&Config::scores)},
      {"score_header", set(&Config::score_header, parse_field_name)},
      {"reject_dmarc", set(&Config::reject_dmarc, parse_flag)},
      {"quarantine", set(&Config::quarantine,
                         [](std::string_view value) -> core::Expected<QuarantineAction> {
                           if (value == "none") return QuarantineAction::none;
                           if (value == "milter") return QuarantineAction::milter;
                           if (value == "header") return QuarantineAction::header;
                           return core::fail(core::Errc::bad_value, "want none, milter or header");
                         })},
      {"quarantine_header", set(&Config::quarantine_header, parse_field_name)},
      {"temporary_failure",
       set(&Config::temporary_failure,
           [](std::string_view value) -> core::Expected<TemporaryFailureAction> {
             if (value == "accept") return TemporaryFailureAction::accept;
             if (value == "tempfail") return TemporaryFailureAction::tempfail;
             return core::fail(core::Errc::bad_value, "want accept or tempfail");
           })},
      {"skip_networks",
       [](Config& config, std::string_view value) -> core::Expected<void> {
         // The key replaces the default list, so "skip_networks = none" checks everything.
         config.skip_networks.clear();
         if (value == "none") return {};
         for (std::string_view word : words(value)) {
           core::Expected<core::Cidr> network = core::Cidr::parse(word);
           if (!network)
             return core::fail(core::Errc::bad_value, fmt::format("'{}': {}", quote_line_text(word),
                                                                  network.error().message));
           config.skip_networks.push_back(*network);
         }
         return {};
       }},
      {"skip_authenticated", set(&Config::skip_authenticated, parse_flag)},
      {"arc_seal_key", set_text(&Config::arc_seal_key)},
      {"arc_seal_domain", set_text(&Config::arc_seal_domain)},
      {"arc_seal_selector", set_text(&Config::arc_seal_selector)},
      {"arc_seal_max_bytes", set(&Config::arc_seal_max_bytes, parse_bytes)},
      {"log", set(&Config::log,
                  [](std::string_view value) -> core::Expected<LogTarget> {
                    if (value == "syslog") return LogTarget::syslog;
                    if (value == "stderr") return LogTarget::stderr_stream;
                    return core::fail(core::Errc::bad_value, "want syslog or stderr");
                  })},
      {"syslog_facility", set(&Config::syslog_facility,
                              [](std::string_view value) -> core::Expected<std::string> {
                                static const std::set<std::string_view> known = {
                                    "mail",   "daemon", "user",   "local0", "local1", "local2",
                                    "local3", "local4", "local5", "local6", "local7"};
                                if (!known.contains(value))
                                  return core::fail(core::Errc::bad_value,
                                                    "want mail, daemon, user or local0..local7");
                                return std::string(value);
                              })},
  };
  return table;
}

// Keys that collect values over several lines.
bool repeatable(std::string_view key) { return key == "zone" || key == "dns_server"; }

std::vector<core::Cidr> default_skip_networks() {
  return {*core::Cidr::parse("127.0.0.0/8"), *core::Cidr::parse("::1/128")};
}

}  // namespace

core::Expected<void> check_socket(std::string_view socket) {
  auto after = [&](std::string_view prefix) -> std::optional<std::string_view> {
    if (socket.substr(0, prefix.size()) != prefix) return std::nullopt;
    return socket.substr(prefix.size());
  };
  if (auto path = after("unix:") ? after("unix:") : after("local:")) {
    if (path->empty() || path->front() != '/')
      return core::fail(core::Errc::bad_value, "a unix socket wants an absolute path");
    return {};
  }
  if (auto rest = after("inet:") ? after("inet:") : after("inet6:")) {
    // PORT@HOST; the host may be left out (every address).
    std::string_view port = rest->substr(0, rest->find('@'));
    unsigned number = 0;
    auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), number);
    if (ec != std::errc() || end != port.data() + port.size() || number == 0 || number > 65535)
      return core::fail(core::Errc::bad_value, "an inet socket wants PORT@HOST, port 1-65535");
    return {};
  }
  return core::fail(core::Errc::bad_value, "want unix:/PATH, inet:PORT@HOST or inet6:PORT@HOST");
}

core::Expected<Config> parse_config(std::string_view text, std::string_view origin) {
  if (core::Expected<void> size = authenticator::detail::check_line_file_size(text); !size)
    return core::fail(size.error().code, fmt::format("{}: {}", origin, size.error().message));
  Config config;
  config.skip_networks = default_skip_networks();
  std::set<std::string, std::less<>> seen;
  LineReader reader(text);
  for (Line line; reader.next(line);) {
    auto at = [&](const std::string& what) {
      return core::fail(core::Errc::bad_value, fmt::format("{}:{}: {}", origin, line.number, what),
                        line.offset);
    };
    std::size_t equals = line.content.find('=');
    if (equals == std::string_view::npos)
      return at(fmt::format("want 'key = value', got '{}'", quote_line_text(line.content)));
    std::string_view key = core::detail::trim_fws(line.content.substr(0, equals));
    std::string_view value = core::detail::trim_fws(line.content.substr(equals + 1));
    auto setter = setters().find(key);
    if (setter == setters().end()) return at(fmt::format("unknown key '{}'", quote_line_text(key)));
    if (!repeatable(key) && !seen.emplace(key).second)
      return at(fmt::format("'{}' is given twice", key));
    if (core::Expected<void> stored = setter->second(config, value); !stored)
      return at(fmt::format("{}: {}", key, stored.error().message));
  }
  if (config.sealing() && (config.arc_seal_domain.empty() || config.arc_seal_selector.empty()))
    return core::fail(
        core::Errc::bad_value,
        fmt::format("{}: arc_seal_key needs arc_seal_domain and arc_seal_selector", origin));
  if (!config.zone_files.empty() && !config.dns_servers.empty())
    return core::fail(core::Errc::bad_value,
                      fmt::format("{}: zone and dns_server cannot be combined", origin));
  return config;
}

core::Expected<Config> load_config(const std::string& path) {
  core::Expected<std::string> text = authenticator::detail::read_line_file(path);
  if (!text) return std::unexpected(std::move(text.error()));
  return parse_config(*text, path);
}

}  // namespace hallmark::milter
