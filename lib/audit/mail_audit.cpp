// SPDX-License-Identifier: Apache-2.0
// The receiving side of the audit: the domain's MX hosts and their addresses (RFC 5321 5.1,
// RFC 7505 null MX, RFC 2181 10.3), and the TLS-RPT (RFC 8460), MTA-STS (RFC 8461) and BIMI
// records published beside them. The MX lookup and the three TXT lookups start together; the
// hosts' address lookups start once the MX answer is in, while the TXT lookups may still be
// in flight.
#include <algorithm>

#include <fmt/format.h>

#include "audit/mail_records.hpp"
#include "core/internal/ascii.hpp"
#include "hallmark/audit/audit.hpp"
#include "hallmark/core/domain.hpp"
#include "hallmark/core/header_text.hpp"
#include "hallmark/core/when_all.hpp"

namespace hallmark::audit {
namespace {

using detail::printable;

// MX hosts whose addresses are looked up, the most preferred first; the records past them are
// counted, not checked (a hostile domain may publish thousands).
constexpr std::size_t max_checked_hosts = 16;
// A record kept in MailAudit: far longer than any real one.
constexpr std::size_t max_record_octets = 1024;
// A name in a message: a domain name and a prefix such as "default._bimi.".
constexpr std::size_t max_name_octets = core::max_domain_length + 32;
// A parser's error or a list of URIs in a message.
constexpr std::size_t max_detail_octets = 300;

Finding finding(Severity severity, std::string_view code, std::string message,
                std::string fix = {}) {
  return Finding{severity, std::string(code), std::move(message), std::move(fix)};
}

std::string shown(std::string_view name) { return printable(name, max_name_octets); }

Finding lookup_failed(std::string_view name, const dns::Answer& answer, std::string_view what) {
  return finding(
      Severity::warning, "MAIL_LOOKUP_FAILED",
      fmt::format("the DNS lookup of {} {} failed ({}), so {} could not be checked", shown(name),
                  dns::to_string(answer.type), dns::to_string(answer.status), what),
      "Check that the domain's name servers answer for this name, then run the audit "
      "again.");
}

// RFC 5321 4.1.3 address literals, bracketed or bare: an MX must name a host (5.1).
bool is_ip_literal(std::string_view host) {
  if (host.size() > 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
    if (host.size() > 5 && core::detail::iequals(host.substr(0, 5), "IPv6:")) host.remove_prefix(5);
  }
  return core::IpAddress::parse(host).has_value();
}

struct Host {
  std::string name;
  std::uint16_t preference = 0;  // of its most preferred MX
  dns::AnswerPtr a;
  dns::AnswerPtr aaaa;
};

struct MxLookup {
  dns::AnswerPtr answer;
  std::vector<dns::Mx> records;  // by preference, then name
  std::vector<Host> hosts;       // each host once, without IP literals and the null MX's "."
  std::size_t unchecked = 0;     // records past max_checked_hosts
};

core::Task<MxLookup> look_up_mx(dns::Resolver& resolver, std::string domain) {
  MxLookup out;
  out.answer = co_await dns::lookup(resolver, domain, dns::Type::mx);
  if (!out.answer->ok()) co_return out;
  out.records = out.answer->mx;
  std::sort(out.records.begin(), out.records.end(), [](const dns::Mx& a, const dns::Mx& b) {
    return a.preference != b.preference ? a.preference < b.preference : a.exchange < b.exchange;
  });
  std::vector<core::Task<dns::AnswerPtr>> lookups;
  for (const dns::Mx& mx : out.records) {
    if (mx.exchange.empty() || is_ip_literal(mx.exchange)) continue;
    if (std::any_of(out.hosts.begin(), out.hosts.end(),
                    [&mx](const Host& host) { return core::domain_equal(host.name, mx.exchange); }))
      continue;
    if (out.hosts.size() == max_checked_hosts) {
      ++out.unchecked;
      continue;
    }
    out.hosts.push_back(Host{mx.exchange, mx.preference, nullptr, nullptr});
    lookups.push_back(dns::resolve(resolver, mx.exchange, dns::Type::a));
    lookups.push_back(dns::resolve(resolver, mx.exchange, dns::Type::aaaa));
  }
  std::vector<dns::AnswerPtr> answers = co_await core::when_all(std::move(lookups));
  for (std::size_t i = 0; i < out.hosts.size(); ++i) {
    out.hosts[i].a = std::move(answers[2 * i]);
    out.hosts[i].aaaa = std::move(answers[2 * i + 1]);
  }
  co_return out;
}

// One MX host: it must have an address, and be no alias (RFC 2181 10.3). False when it gave a
// finding.
bool check_host(const Host& host, std::vector<Finding>& findings) {
  const dns::Answer& a = *host.a;
  const dns::Answer& aaaa = *host.aaaa;
  std::string name = shown(host.name);
  bool resolves = (a.ok() && !a.addresses.empty()) || (aaaa.ok() && !aaaa.addresses.empty());
  if (!resolves && (a.is_error() || aaaa.is_error())) {
    findings.push_back(lookup_failed(host.name, a.is_error() ? a : aaaa, "this MX host"));
    return false;
  }
  if (!resolves) {
    bool gone = a.status == dns::Status::nxdomain;
    findings.push_back(finding(
        Severity::error, "MAIL_MX_NOT_RESOLVING",
        fmt::format("MX host {} (preference {}) has no A or AAAA record{}: mail sent to it "
                    "cannot be delivered",
                    name, host.preference, gone ? " (the name does not exist)" : ""),
        fmt::format("Publish A or AAAA records for {}, or point the MX at a host that has them.",
                    name)));
    return false;
  }
  const std::vector<std::string>& aliases = a.cname.empty() ? aaaa.cname : a.cname;
  if (!aliases.empty()) {
    std::string target = shown(aliases.back());
    findings.push_back(
        finding(Severity::warning, "MAIL_MX_CNAME",
                fmt::format("MX host {} is an alias (CNAME) of {}: an MX must name the host itself "
                            "(RFC 2181 10.3), and some senders refuse an alias",
                            name, target),
                fmt::format("Point the MX at {} instead of its alias.", target)));
    return false;
  }
  return true;
}

// The MX findings. False when the domain receives no mail: a null MX, or no domain at all.
bool check_mx(std::string_view domain, const MxLookup& lookup, MailAudit& out) {
  const dns::Answer& answer = *lookup.answer;
  std::string name = shown(domain);
  if (answer.is_error()) {
    out.findings.push_back(lookup_failed(domain, answer, "the MX records"));
    return true;
  }
  if (!answer.ok() || lookup.records.empty()) {
    bool gone = answer.status == dns::Status::nxdomain;
    out.findings.push_back(finding(
        Severity::warning, "MAIL_NO_MX",
        gone ? fmt::format("{} does not exist (NXDOMAIN): no mail can be delivered to it", name)
             : fmt::format("{} has no MX records: senders deliver to its A or AAAA address "
                           "instead (RFC 5321 5.1)",
                           name),
        fmt::format("Publish MX records naming the hosts that receive mail for {0}, or the null "
                    "MX \"{0}. IN MX 0 .\" if it receives none (RFC 7505).",
                    name)));
    return !gone;
  }
  for (const dns::Mx& mx : lookup.records)
    out.mx.push_back(
        fmt::format("{} {}", mx.preference, mx.exchange.empty() ? "." : shown(mx.exchange)));

  auto nulls = std::count_if(lookup.records.begin(), lookup.records.end(),
                             [](const dns::Mx& mx) { return mx.exchange.empty(); });
  if (nulls > 0 && static_cast<std::size_t>(nulls) == lookup.records.size()) {
    std::uint16_t preference = lookup.records.front().preference;
    std::string note =
        preference == 0 ? ""
                        : fmt::format(" (preference {}, where RFC 7505 3 asks for 0)", preference);
    out.findings.push_back(
        finding(Severity::info, "MAIL_NULL_MX",
                fmt::format("{} publishes a null MX (RFC 7505): it says it receives no mail{}",
                            name, note)));
    return false;
  }
  bool clean = nulls == 0;
  if (!clean)
    out.findings.push_back(finding(
        Severity::error, "MAIL_NULL_MX_MIXED",
        fmt::format("{} publishes a null MX (\"0 .\") beside other MX records, which RFC 7505 3 "
                    "forbids: senders may take it that the domain receives no mail",
                    name),
        "Remove the null MX if the domain receives mail, or every other MX record if it does "
        "not."));
  for (const dns::Mx& mx : lookup.records) {
    if (mx.exchange.empty() || !is_ip_literal(mx.exchange)) continue;
    clean = false;
    std::string literal = shown(mx.exchange);
    out.findings.push_back(finding(
        Severity::warning, "MAIL_MX_IP_LITERAL",
        fmt::format("MX {} {} names an IP address where a host name belongs (RFC 5321 5.1): "
                    "most senders will not deliver to it",
                    mx.preference, literal),
        fmt::format("Publish an A or AAAA record for a host name with address {} and point the "
                    "MX at that name.",
                    literal)));
  }
  for (const Host& host : lookup.hosts) clean = check_host(host, out.findings) && clean;
  if (lookup.unchecked > 0)
    out.findings.push_back(finding(
        Severity::info, "MAIL_MX_UNCHECKED",
        fmt::format("{} has {} MX records more than the {} hosts checked; they were not looked up",
                    name, lookup.unchecked, max_checked_hosts)));
  if (clean) {
    std::string list;
    for (const std::string& mx : out.mx) list += (list.empty() ? "" : ", ") + mx;
    out.findings.push_back(finding(Severity::ok, "MAIL_MX_OK",
                                   fmt::format("every MX host of {} has an address: {}", name,
                                               core::echoed(list, max_detail_octets))));
  }
  return true;
}

// The kind of TXT record looked up at one name.
struct Kind {
  std::string_view label;  // "TLS-RPT"
  std::string_view code;   // "TLSRPT", as in MAIL_TLSRPT_MULTIPLE
  Severity several;        // for more than one record
  bool (*mentions)(std::string_view) noexcept;
};

enum class Presence : std::uint8_t { none, one, unusable };

// The record of `kind` at `name`, its character-strings joined (RFC 8460 3, RFC 8461 3.1: one
// string, as for SPF and DKIM). A failed lookup and several records are findings, and then
// the record is not checked further; `record` gets the first of several.
Presence find_record(std::string_view name, const dns::Answer& answer, const Kind& kind,
                     std::string& record, std::vector<Finding>& findings) {
  if (answer.is_error()) {
    findings.push_back(lookup_failed(name, answer, fmt::format("the {} record", kind.label)));
    return Presence::unusable;
  }
  std::size_t found = 0;
  if (answer.ok()) {
    for (const dns::Txt& txt : answer.txt) {
      std::string scratch;
      std::string_view text = txt.text(scratch);
      if (!kind.mentions(text)) continue;
      if (found++ == 0) record = text;
    }
  }
  if (found <= 1) return found == 0 ? Presence::none : Presence::one;
  findings.push_back(finding(
      kind.several, fmt::format("MAIL_{}_MULTIPLE", kind.code),
      fmt::format("{} {} records at {}: receivers use none of them", found, kind.label,
                  shown(name)),
      fmt::format("Keep one {} record at {} and remove the others.", kind.label, shown(name))));
  return Presence::unusable;
}

Finding invalid(const Kind& kind, Severity severity, std::string_view name,
                const core::Error& error, std::string_view consequence, std::string fix) {
  return finding(severity, fmt::format("MAIL_{}_INVALID", kind.code),
                 fmt::format("the {} record at {} is invalid: {}; {}", kind.label, shown(name),
                             printable(error.message, max_detail_octets), consequence),
                 std::move(fix));
}

constexpr Kind tls_rpt_kind{"TLS-RPT", "TLSRPT", Severity::error, detail::mentions_tls_rpt};
constexpr Kind mta_sts_kind{"MTA-STS", "MTASTS", Severity::error, detail::mentions_mta_sts};
constexpr Kind bimi_kind{"BIMI", "BIMI", Severity::warning, detail::mentions_bimi};

void check_tls_rpt(std::string_view domain, std::string_view name, const dns::Answer& answer,
                   bool receives_mail, MailAudit& out) {
  std::string text;
  Presence presence = find_record(name, answer, tls_rpt_kind, text, out.findings);
  out.tls_rpt = printable(text, max_record_octets);
  if (presence == Presence::unusable) return;
  if (presence == Presence::none) {
    if (receives_mail)
      out.findings.push_back(finding(
          Severity::info, "MAIL_NO_TLSRPT",
          fmt::format("{} publishes no TLS-RPT record at {}: senders cannot report failed TLS "
                      "deliveries to it (RFC 8460)",
                      shown(domain), shown(name)),
          fmt::format("Publish {}. IN TXT \"v=TLSRPTv1; rua=mailto:tls-reports@{}\", with a "
                      "mailbox that reads the reports.",
                      shown(name), shown(domain))));
    return;
  }
  core::Expected<detail::TlsRptRecord> record = detail::parse_tls_rpt_record(text);
  if (!record) {
    out.findings.push_back(
        invalid(tls_rpt_kind, Severity::error, name, record.error(), "senders send no reports",
                fmt::format("Publish one record \"v=TLSRPTv1; rua=mailto:tls-reports@{}\" at {}: "
                            "the version first and exactly so, then rua= with mailto: or https: "
                            "URIs (RFC 8460 3).",
                            shown(domain), shown(name))));
    return;
  }
  std::string list;
  for (const std::string& uri : record->rua) list += (list.empty() ? "" : ", ") + uri;
  out.findings.push_back(finding(Severity::ok, "MAIL_TLSRPT_OK",
                                 fmt::format("TLS-RPT reports for {} go to {}", shown(domain),
                                             printable(list, max_detail_octets))));
}

void check_mta_sts(std::string_view domain, std::string_view name, const dns::Answer& answer,
                   bool receives_mail, MailAudit& out) {
  std::string text;
  Presence presence = find_record(name, answer, mta_sts_kind, text, out.findings);
  out.mta_sts = printable(text, max_record_octets);
  std::string policy = fmt::format("https://mta-sts.{}/.well-known/mta-sts.txt", shown(domain));
  if (presence == Presence::unusable) return;
  if (presence == Presence::none) {
    if (receives_mail)
      out.findings.push_back(finding(
          Severity::info, "MAIL_NO_MTASTS",
          fmt::format("{} publishes no MTA-STS record at {}: senders may deliver to it without "
                      "TLS, or to an impostor (RFC 8461)",
                      shown(domain), shown(name)),
          fmt::format("Serve a policy at {} and publish {}. IN TXT \"v=STSv1; id=1\", raising "
                      "the id whenever the policy changes.",
                      policy, shown(name))));
    return;
  }
  core::Expected<detail::MtaStsRecord> record = detail::parse_mta_sts_record(text);
  if (!record) {
    out.findings.push_back(invalid(
        mta_sts_kind, Severity::error, name, record.error(), "senders ignore the policy",
        fmt::format("Publish one record \"v=STSv1; id=...\" at {}: the version first and exactly "
                    "so, then an id of 1 to 32 letters and digits, changed whenever the policy "
                    "at {} changes (RFC 8461 3.1).",
                    shown(name), policy)));
    return;
  }
  out.findings.push_back(finding(
      Severity::ok, "MAIL_MTASTS_OK",
      fmt::format("the MTA-STS record at {} is valid (id {}); the policy at {} is not fetched by "
                  "this audit",
                  shown(name), record->id, policy)));
}

void check_bimi(std::string_view name, const dns::Answer& answer, MailAudit& out) {
  std::string text;
  Presence presence = find_record(name, answer, bimi_kind, text, out.findings);
  out.bimi = printable(text, max_record_octets);
  if (presence != Presence::one) return;  // BIMI is optional: no record, no finding
  core::Expected<detail::BimiRecord> record = detail::parse_bimi_record(text);
  if (!record) {
    out.findings.push_back(
        invalid(bimi_kind, Severity::warning, name, record.error(), "mail clients show no logo",
                fmt::format("Publish {}. IN TXT \"v=BIMI1; l=https://.../logo.svg\", l= the "
                            "https: URI of an SVG Tiny PS logo, and a= that of the mark "
                            "certificate when a mailbox provider asks for one.",
                            shown(name))));
    return;
  }
  std::string what =
      record->location.empty()
          ? std::string("declines to publish a logo")
          : fmt::format("names the logo {}{}", printable(record->location, max_detail_octets),
                        record->authority.empty()
                            ? std::string()
                            : fmt::format(" and the evidence {}",
                                          printable(record->authority, max_detail_octets)));
  out.findings.push_back(finding(Severity::ok, "MAIL_BIMI_OK",
                                 fmt::format("the BIMI record at {} {}", shown(name), what)));
}

}  // namespace

core::Task<MailAudit> audit_mail(dns::Resolver& resolver, std::string domain) {
  domain = core::to_lower_ascii(core::strip_trailing_dot(domain));
  std::string tls_rpt_name = "_smtp._tls." + domain;
  std::string mta_sts_name = "_mta-sts." + domain;
  std::string bimi_name = "default._bimi." + domain;
  auto [mx, tls_rpt, mta_sts, bimi] = co_await core::when_all(
      look_up_mx(resolver, domain), dns::resolve(resolver, tls_rpt_name, dns::Type::txt),
      dns::resolve(resolver, mta_sts_name, dns::Type::txt),
      dns::resolve(resolver, bimi_name, dns::Type::txt));
  MailAudit out;
  bool receives_mail = check_mx(domain, mx, out);
  check_tls_rpt(domain, tls_rpt_name, *tls_rpt, receives_mail, out);
  check_mta_sts(domain, mta_sts_name, *mta_sts, receives_mail, out);
  check_bimi(bimi_name, *bimi, out);
  co_return out;
}

}  // namespace hallmark::audit
