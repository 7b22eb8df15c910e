// SPDX-License-Identifier: Apache-2.0
// The DMARC part of the domain audit: the record receivers apply, found by the library's own
// policy discovery (RFC 9989 4.10), what its tags ask of them, and each report destination,
// external ones checked for the authorisation receivers look for (RFC 9989, RFC 7489 7.1).
#include <algorithm>
#include <optional>

#include <fmt/format.h>

#include "core/internal/ascii.hpp"
#include "dmarc/internal/organizational.hpp"
#include "dmarc/internal/report_destinations.hpp"
#include "audit/internal/findings.hpp"
#include "hallmark/audit/audit.hpp"
#include "hallmark/core/domain.hpp"
#include "hallmark/core/header_text.hpp"
#include "hallmark/core/when_all.hpp"
#include "hallmark/dmarc/discover.hpp"
#include "hallmark/dmarc/record.hpp"

namespace hallmark::audit {
namespace {

using detail::add;
using detail::normal_domain;
using detail::shown;

// As lib/dmarc/report_destinations.cpp: receivers check this many distinct hosts of a rua= (or
// ruf=) list and drop the rest, so a hostile record cannot make them query without end.
constexpr std::size_t max_checked_hosts = 10;

// The record every operator guide starts with.
std::string starter_record(std::string_view domain) {
  return fmt::format("_dmarc.{} TXT \"v=DMARC1; p=none; rua=mailto:dmarc-reports@{}\"",
                     shown(domain), shown(domain));
}

// The domain's own _dmarc TXT records, as published: several DMARC records, or TXT that is
// not one, which receivers discard (RFC 9989 4.10 step 2, 4.7). True when it found either.
bool check_own_records(const dns::Answer& own, const std::string& domain, DmarcAudit& out) {
  if (!own.ok()) return false;
  std::size_t dmarc = 0;
  const dns::Txt* other = nullptr;
  for (const dns::Txt& txt : own.txt) {
    if (dmarc::is_dmarc_record(txt.text())) {
      ++dmarc;
    } else if (other == nullptr) {
      other = &txt;
    }
  }
  if (dmarc > 1) {
    add(out.findings, Severity::error, "DMARC_MULTIPLE_RECORDS",
        fmt::format("_dmarc.{} has {} DMARC records: receivers discard them all (RFC 9989 4.10)",
                    shown(domain), dmarc),
        fmt::format("Keep exactly one DMARC record at _dmarc.{}", shown(domain)));
    return true;
  }
  if (dmarc == 0 && other != nullptr) {
    add(out.findings, Severity::error, "DMARC_RECORD_INVALID",
        fmt::format("_dmarc.{} has TXT that is not a DMARC record, which receivers ignore "
                    "(the first tag must be exactly v=DMARC1): \"{}\"",
                    shown(domain), shown(other->text())),
        fmt::format("Publish {}", starter_record(domain)));
    return true;
  }
  return false;
}

// The record's text as published, where discovery found it.
std::string published_text(const dns::Answer& answer) {
  for (const dns::Txt& txt : answer.txt) {
    std::string text = txt.text();
    if (dmarc::is_dmarc_record(text)) return text;
  }
  return {};
}

// Why a record has no valid policy (RFC 9989 4.10.1), in words; empty when it has one.
std::string policy_problems(const dmarc::Record& record) {
  std::vector<std::string_view> problems;
  if (record.policy_invalid) {
    problems.push_back("p= is not none, quarantine or reject");
  } else if (!record.policy) {
    problems.push_back("it has no p=");
  }
  if (record.subdomain_policy_invalid) problems.push_back("sp= is not none, quarantine or reject");
  if (record.nonexistent_policy_invalid)
    problems.push_back("np= is not none, quarantine or reject");
  std::string out;
  for (std::string_view problem : problems)
    out += fmt::format("{}{}", out.empty() ? "" : "; ", problem);
  return out;
}

int strength(dmarc::Policy policy) noexcept { return static_cast<int>(policy); }

// Where the applied record came from, when not from the domain itself. True when it is a
// public suffix domain's (psd=y, RFC 9989 4.10.1): its tags are not the domain owner's to
// change, so the audit says which policy applies and stops there.
bool check_origin(const dmarc::Discovery& discovery, const std::string& domain, DmarcAudit& out) {
  const dmarc::FoundRecord& found = *discovery.policy;
  if (found.domain == domain) return false;
  if (found.domain == discovery.organizational_domain) {
    add(out.findings, Severity::info, "DMARC_ORG_DOMAIN_RECORD",
        fmt::format("no DMARC record at _dmarc.{}: the record of its organizational domain at "
                    "_dmarc.{} applies to it",
                    shown(domain), shown(found.domain)));
    return false;
  }
  const dmarc::Record& record = *found.record;
  bool sp = record.subdomain_policy.has_value();
  dmarc::Policy policy =
      sp ? *record.subdomain_policy : record.policy.value_or(dmarc::Policy::none);
  std::string organization;
  if (discovery.organizational_domain != domain)
    organization =
        fmt::format(" or at its organizational domain {}", shown(discovery.organizational_domain));
  add(out.findings, Severity::warning, "DMARC_PSD_RECORD",
      fmt::format("no DMARC record at _dmarc.{}{}: only the public suffix domain's record at "
                  "_dmarc.{} applies ({}={}), and its reports go to the suffix's operator",
                  shown(domain), organization, shown(found.domain), sp ? "sp" : "p",
                  dmarc::to_string(policy)),
      fmt::format("Publish a record of its own: {}",
                  starter_record(discovery.organizational_domain)));
  return true;
}

// p= (or sp= for a subdomain using its organizational domain's record), and sp= against p=.
void check_policy(const dmarc::Record& record, const std::string& record_domain,
                  const std::string& domain, DmarcAudit& out) {
  dmarc::Policy policy = *record.policy;
  std::string_view tag = "p";
  if (record_domain != domain && record.subdomain_policy) {
    policy = *record.subdomain_policy;
    tag = "sp";
  }
  out.policy = std::string(dmarc::to_string(policy));
  out.policy_tag = std::string(tag);
  std::string where =
      fmt::format("_dmarc.{}: {}={}", shown(record_domain), tag, dmarc::to_string(policy));
  if (record_domain != domain) where += fmt::format(" (for {})", shown(domain));
  switch (policy) {
    case dmarc::Policy::none:
      add(out.findings, Severity::warning, "DMARC_POLICY_NONE",
          fmt::format("{}: receivers only report; mail that fails DMARC is delivered as usual",
                      where),
          fmt::format("Watch the aggregate reports{}; once they show that all legitimate mail "
                      "passes DMARC, move to {}=quarantine, then to {}=reject",
                      record.aggregate_uris.empty() ? " (add rua= to get them)" : "", tag, tag));
      break;
    case dmarc::Policy::quarantine:
      add(out.findings, Severity::info, "DMARC_POLICY_QUARANTINE",
          fmt::format("{}: mail that fails DMARC goes to spam folders", where),
          fmt::format("Move to {}=reject once the reports show no legitimate mail failing", tag));
      break;
    case dmarc::Policy::reject:
      add(out.findings, Severity::ok, "DMARC_POLICY_REJECT",
          fmt::format("{}: mail that fails DMARC is rejected", where));
      break;
  }
  if (record_domain == domain && record.subdomain_policy &&
      strength(*record.subdomain_policy) < strength(policy))
    add(out.findings, Severity::warning, "DMARC_SUBDOMAIN_POLICY_WEAKER",
        fmt::format("_dmarc.{}: sp={} is weaker than p={}: mail forged from its subdomains "
                    "meets less resistance",
                    shown(domain), dmarc::to_string(*record.subdomain_policy),
                    dmarc::to_string(policy)),
        fmt::format("Remove sp= (subdomains then get p={}) unless a subdomain still sends mail "
                    "that fails DMARC",
                    dmarc::to_string(policy)));
}

// np= (RFC 9989 4.7), which matters on an organizational domain: mail from its names that do
// not exist.
void check_np(const dmarc::Record& record, const std::string& domain, DmarcAudit& out) {
  dmarc::Policy fallback = record.subdomain_policy.value_or(*record.policy);
  if (!record.nonexistent_policy) {
    add(out.findings, Severity::info, "DMARC_NP_ABSENT",
        fmt::format("_dmarc.{} has no np= (RFC 9989): mail from its subdomains that do not "
                    "exist gets {}={}",
                    shown(domain), record.subdomain_policy ? "sp" : "p",
                    dmarc::to_string(fallback)),
        fallback == dmarc::Policy::reject
            ? std::string()
            : std::string("Add np=reject: no legitimate mail comes from names that do not exist"));
    return;
  }
  dmarc::Policy np = *record.nonexistent_policy;
  bool strongest = np == dmarc::Policy::reject;
  add(out.findings, strongest ? Severity::ok : Severity::info, "DMARC_NP_POLICY",
      fmt::format("_dmarc.{}: np={}: mail from its subdomains that do not exist {}", shown(domain),
                  dmarc::to_string(np),
                  strongest                         ? "is rejected"
                  : np == dmarc::Policy::quarantine ? "goes to spam folders"
                                                    : "is delivered as usual"),
      strongest ? std::string()
                : std::string("Set np=reject: no legitimate mail comes from names that do not "
                              "exist"));
}

// t= (RFC 9989) and pct= (RFC 7489 6.3).
void check_rollout(const dmarc::Record& record, const std::string& record_domain, DmarcAudit& out) {
  if (record.testing)
    add(out.findings, Severity::warning, "DMARC_TESTING",
        fmt::format("_dmarc.{}: t=y: receivers apply one level less than the policy "
                    "(quarantine instead of reject, nothing instead of quarantine) (RFC 9989)",
                    shown(record_domain)),
        "Remove t=y once the reports show that legitimate mail passes");
  if (record.percent && *record.percent < 100)
    add(out.findings, Severity::warning, "DMARC_PCT_PARTIAL",
        fmt::format("_dmarc.{}: pct={}: receivers following RFC 7489 apply the policy to {}% "
                    "of failing mail only; RFC 9989 dropped pct= (and reads pct=0 as t=y)",
                    shown(record_domain), *record.percent, *record.percent),
        "Remove pct= once the reports show that legitimate mail passes; use t=y (RFC 9989) "
        "for a staged rollout");
}

// What one report destination host said.
struct HostCheck {
  std::string host;
  bool external = false;
  std::string name;       // <policy domain>._report._dmarc.<host>, for external hosts
  std::string failure;    // the lookup failed temporarily: why
  bool too_long = false;  // `name` is longer than a domain name may be
  std::optional<dmarc::Record> confirming;  // the first v=DMARC1 record there
  std::string authorised_by;
};

// Whether the wildcard at "*._report._dmarc.<host>" is what answered for the explicit name:
// the DNS does not say, but a synthesised answer is the wildcard's records.
bool from_wildcard(const dns::Answer& explicit_answer, const dns::Answer& wildcard) {
  return wildcard.ok() && !published_text(wildcard).empty() && wildcard.txt == explicit_answer.txt;
}

// "Verifying External Destinations" (RFC 9989 aggregate reporting; RFC 7489 7.1): a host on
// another organizational domain must publish <policy domain>._report._dmarc.<host>. The same
// steps as lib/dmarc/report_destinations.cpp, keeping the names that answered.
core::Task<HostCheck> check_host(dns::Resolver& resolver, std::string host,
                                 std::string policy_domain, std::string organization,
                                 const dmarc::TreeWalk* walk) {
  HostCheck out;
  out.host = std::move(host);
  // Only a host at or under the policy's organizational domain can share it.
  if (core::is_subdomain_of(out.host, organization)) {
    std::string host_organization = co_await dmarc::detail::organizational_domain_of(
        resolver, out.host, dmarc::DiscoveryMode::tree_walk, walk);
    if (host_organization == organization) co_return out;
  }
  out.external = true;
  out.name = fmt::format("{}._report._dmarc.{}", policy_domain, out.host);
  if (out.name.size() > core::max_domain_length) {
    out.too_long = true;
    co_return out;
  }
  auto [explicit_answer, wildcard] = co_await core::when_all(
      dns::resolve(resolver, out.name, dns::Type::txt),
      dns::resolve(resolver, "*._report._dmarc." + out.host, dns::Type::txt));
  if (explicit_answer->is_error()) {
    out.failure = fmt::format("{} looking up {} TXT", dns::to_string(explicit_answer->status),
                              shown(out.name));
    co_return out;
  }
  std::string scratch;
  for (const dns::Txt& txt : explicit_answer->txt) {
    auto record = dmarc::parse_record(txt.text(scratch));
    if (!record) continue;
    out.confirming = std::move(*record);
    out.authorised_by =
        from_wildcard(*explicit_answer, *wildcard) ? "*._report._dmarc." + out.host : out.name;
    break;
  }
  co_return out;
}

// Step 9: a confirming record's own URIs replace ours only when all stay on its host.
bool redirects_elsewhere(const HostCheck& check, std::string_view kind) {
  const std::vector<std::string>& uris =
      kind == "rua" ? check.confirming->aggregate_uris : check.confirming->failure_uris;
  return std::ranges::any_of(uris, [&check](const std::string& uri) {
    return dmarc::detail::uri_domain(uri) != check.host;
  });
}

// The findings of one destination whose host was checked.
void judge(const HostCheck& check, const std::string& policy_domain, ReportDestination& d,
           std::vector<Finding>& findings) {
  std::string what = fmt::format("{}={}", d.kind, shown(d.uri));
  d.external = check.external;
  if (!check.external) {
    add(findings, Severity::ok, "DMARC_REPORT_OK",
        fmt::format("{}: on the policy's own organizational domain, no authorisation needed",
                    what));
    return;
  }
  std::string host = shown(check.host);
  std::string name = shown(check.name);
  d.authorised = false;
  if (!check.failure.empty()) {
    d.checked = false;
    add(findings, Severity::warning, "DMARC_LOOKUP_FAILED",
        fmt::format("{}: cannot tell whether {} takes reports for {}: {}", what, host,
                    shown(policy_domain), check.failure),
        fmt::format("Make sure the name servers of {} answer for {}", host, name));
    return;
  }
  std::string publish = fmt::format(
      "The owner of {} must publish {} TXT \"v=DMARC1;\" (or *._report._dmarc.{} TXT "
      "\"v=DMARC1;\" to take reports for every domain); otherwise send reports to an address "
      "on {}",
      host, name, host, shown(policy_domain));
  if (check.too_long) {
    add(findings, Severity::error, "DMARC_REPORT_UNAUTHORISED",
        fmt::format("{}: {} is too long for the DNS, so nothing can authorise it and receivers "
                    "send {} no reports",
                    what, name, host),
        fmt::format("Send reports to an address on {}", shown(policy_domain)));
    return;
  }
  if (!check.confirming) {
    add(findings, Severity::error, "DMARC_REPORT_UNAUTHORISED",
        fmt::format("{}: {} is on another organizational domain and has no v=DMARC1 record at "
                    "{}: receivers send it no reports (RFC 7489 7.1)",
                    what, host, name),
        publish);
    return;
  }
  if (redirects_elsewhere(check, d.kind)) {
    add(findings, Severity::error, "DMARC_REPORT_UNAUTHORISED",
        fmt::format("{}: the record at {} sends {}= reports on to another host, which "
                    "receivers refuse: they send none",
                    what, shown(check.authorised_by), d.kind),
        fmt::format("The owner of {} must list only addresses at {} in that record's {}=, or "
                    "remove it",
                    host, host, d.kind));
    return;
  }
  d.authorised = true;
  d.authorised_by = check.authorised_by;
  bool wildcard = check.authorised_by != check.name;
  add(findings, Severity::ok, "DMARC_REPORT_AUTHORISED",
      fmt::format("{}: {} authorises reports for {} {}{}", what, host, shown(policy_domain),
                  wildcard ? "by its wildcard record " : "at ", shown(check.authorised_by)));
}

bool is_mailto(std::string_view uri) noexcept {
  return uri.size() > 7 && core::detail::iequals(uri.substr(0, 7), "mailto:");
}

// The hosts receivers would check for one list: its first distinct valid hosts.
void collect_hosts(const std::vector<std::string>& uris, std::vector<std::string>& all) {
  std::vector<std::string> hosts;
  for (const std::string& uri : uris) {
    std::string host = dmarc::detail::uri_domain(uri);
    if (!core::is_valid_domain(host, core::DomainSyntax::dns)) continue;
    if (std::ranges::find(hosts, host) != hosts.end()) continue;
    if (hosts.size() == max_checked_hosts) break;
    hosts.push_back(host);
    if (std::ranges::find(all, host) == all.end()) all.push_back(std::move(host));
  }
}

// Every rua= and ruf= destination, hosts checked concurrently. `discovery` must outlive the
// task (its walk is reused).
core::Task<void> check_destinations(dns::Resolver& resolver, const dmarc::Discovery& discovery,
                                    DmarcAudit& out) {
  const dmarc::FoundRecord& found = *discovery.policy;
  const dmarc::Record& record = *found.record;
  std::vector<std::string> hosts;
  collect_hosts(record.aggregate_uris, hosts);
  collect_hosts(record.failure_uris, hosts);
  std::vector<core::Task<HostCheck>> tasks;
  tasks.reserve(hosts.size());
  for (const std::string& host : hosts)
    tasks.push_back(
        check_host(resolver, host, found.domain, discovery.organizational_domain, &discovery.walk));
  std::vector<HostCheck> checks = co_await core::when_all(std::move(tasks));

  bool unchecked = false;
  for (std::string_view kind : {std::string_view("rua"), std::string_view("ruf")}) {
    const std::vector<std::string>& uris =
        kind == "rua" ? record.aggregate_uris : record.failure_uris;
    std::vector<std::string> kind_hosts;
    collect_hosts(uris, kind_hosts);
    for (const std::string& uri : uris) {
      ReportDestination d;
      d.uri = uri;
      d.kind = std::string(kind);
      d.host = dmarc::detail::uri_domain(uri);
      if (!is_mailto(uri))
        add(out.findings, Severity::warning, "DMARC_REPORT_URI_NOT_MAILTO",
            fmt::format("{}={}: receivers need only support mailto: URIs (RFC 7489 6.2)", kind,
                        shown(uri)),
            "Give a mailto: address for reports");
      auto check = std::ranges::find(checks, d.host, &HostCheck::host);
      if (!core::is_valid_domain(d.host, core::DomainSyntax::dns)) {
        d.authorised = false;
        d.checked = false;
        add(out.findings, Severity::warning, "DMARC_REPORT_URI_INVALID",
            fmt::format("{}={}: no valid host to send reports to", kind, shown(uri)),
            "Give a mailto: URI with an address, such as mailto:dmarc-reports@" +
                shown(found.domain));
      } else if (std::ranges::find(kind_hosts, d.host) == kind_hosts.end()) {
        d.authorised = false;
        d.checked = false;
        unchecked = true;
      } else {
        judge(*check, found.domain, d, out.findings);
      }
      out.destinations.push_back(std::move(d));
    }
  }
  if (unchecked)
    add(out.findings, Severity::warning, "DMARC_TOO_MANY_DESTINATIONS",
        fmt::format("_dmarc.{} names more than {} report hosts in one list: receivers check "
                    "only the first ones, and need support only two URIs (RFC 7489 6.2)",
                    shown(found.domain), max_checked_hosts),
        "List one or two report addresses");
}

void check_reports(const dmarc::Record& record, const std::string& record_domain, DmarcAudit& out) {
  if (!record.aggregate_uris.empty()) return;
  add(out.findings, Severity::warning, "DMARC_NO_REPORTS",
      fmt::format("_dmarc.{} has no rua= with a valid URI: you get no aggregate reports, so you "
                  "cannot see who sends mail in the domain's name or whether it passes",
                  shown(record_domain)),
      fmt::format("Add rua=mailto:dmarc-reports@{} (a mailbox or a report service) to the "
                  "record at _dmarc.{}",
                  shown(record_domain), shown(record_domain)));
}

}  // namespace

core::Task<DmarcAudit> audit_dmarc(dns::Resolver& resolver, std::string domain) {
  DmarcAudit out;
  std::string name = normal_domain(domain);
  // The walk's first query and our own look at the same name; they run side by side.
  auto [discovery, own] =
      co_await core::when_all(dmarc::discover_policy(resolver, name),
                              dns::resolve(resolver, "_dmarc." + name, dns::Type::txt));
  if (discovery.temperror || own->is_error()) {
    std::string detail = discovery.detail;
    if (!discovery.temperror)
      detail = fmt::format("{} looking up _dmarc.{} TXT", dns::to_string(own->status), name);
    add(out.findings, Severity::warning, "DMARC_LOOKUP_FAILED",
        fmt::format("the DMARC lookup for {} failed: {}", shown(name), shown(detail)),
        fmt::format("Make sure the name servers of {} answer for _dmarc.{}; meanwhile receivers "
                    "get a temporary error and may defer its mail",
                    shown(name), shown(name)));
    co_return out;
  }
  bool own_problem = check_own_records(*own, name, out);
  if (!discovery.policy) {
    if (!own_problem)
      add(out.findings, Severity::error, "DMARC_MISSING",
          fmt::format("no DMARC record at _dmarc.{} or its organizational domain: receivers "
                      "apply no policy and send no reports",
                      shown(name)),
          fmt::format("Publish {}", starter_record(name)));
    co_return out;
  }
  const dmarc::FoundRecord& found = *discovery.policy;
  const dmarc::Record& record = *found.record;
  out.found = true;
  out.record_domain = found.domain;
  if (found.domain == name) {
    out.record = published_text(*own);
  } else {
    dns::AnswerPtr at = co_await dns::lookup(resolver, "_dmarc." + found.domain, dns::Type::txt);
    out.record = published_text(*at);
  }
  if (out.record.empty()) out.record = dmarc::to_string(record);
  if (check_origin(discovery, name, out)) co_return out;

  if (std::string problems = policy_problems(record); !problems.empty()) {
    // RFC 9989 4.10.1: applied as p=none when it has a rua= URI, otherwise not at all.
    add(out.findings, Severity::error, "DMARC_RECORD_INVALID",
        fmt::format("_dmarc.{}: {}: receivers {}", shown(found.domain), problems,
                    dmarc::is_applicable(record) ? "apply it as p=none (it has rua=)"
                                                 : "ignore it, so the domain has no policy"),
        fmt::format("Give p= (and sp=, np=) one of none, quarantine or reject, such as {}",
                    starter_record(found.domain)));
    if (!dmarc::is_applicable(record)) co_return out;
  } else {
    add(out.findings, Severity::ok, "DMARC_RECORD_OK",
        fmt::format("DMARC record at _dmarc.{}: \"{}\"", shown(found.domain), shown(out.record)));
    check_policy(record, found.domain, name, out);
    if (found.domain == name && name == discovery.organizational_domain)
      check_np(record, name, out);
  }
  check_rollout(record, found.domain, out);
  check_reports(record, found.domain, out);
  co_await check_destinations(resolver, discovery, out);
  co_return out;
}

}  // namespace hallmark::audit
