// SPDX-License-Identifier: Apache-2.0
// The domain audit: what a domain owner checks before mail bounces. One call looks up a
// domain's SPF tree, DKIM keys, DMARC record and report destinations, MX, TLS-RPT, MTA-STS
// and BIMI records, all concurrently, and returns findings with a severity, a stable code, a
// one-line message and the fix in words. The records are read by the protocols' own parsers
// and the SPF tree by the SPF evaluator's own trace.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "hallmark/core/ip.hpp"
#include "hallmark/core/task.hpp"
#include "hallmark/dns/resolver.hpp"
#include "hallmark/export.hpp"
#include "hallmark/spf/types.hpp"

namespace hallmark::audit {

enum class Severity : std::uint8_t { ok, info, warning, error };
HALLMARK_API std::string_view to_string(Severity severity) noexcept;

/// One thing the audit found. `code` is stable (SPF_TOO_MANY_LOOKUPS, DKIM_KEY_TOO_SHORT,
/// ...): programs match on it; `message` and `fix` are for people.
struct Finding {
  Severity severity = Severity::ok;
  std::string code;
  std::string message;  // one line: what is wrong (or right)
  std::string fix;      // in words, with the record to publish; empty when nothing to do
};

/// One record of the SPF include/redirect tree.
struct SpfNode {
  std::string domain;
  std::string via;            // "include:_spf.example.com", "redirect=...", empty for the top
  std::string record;         // the SPF record as published; empty when none was found
  std::string error;          // why the node has no usable record ("no SPF record", "timeout", ...)
  unsigned dns_lookups = 0;   // DNS-querying terms of this record itself (RFC 7208 4.6.4)
  unsigned void_lookups = 0;  // its lookups that found nothing
  unsigned running_total = 0;  // DNS-querying terms evaluated up to and including this node
  std::vector<SpfNode> children;
};

/// Whether one of the domain's mail server addresses is authorised.
struct IpCheck {
  core::IpAddress ip;
  spf::Outcome outcome = spf::Outcome::none;
  std::string term;  // the term that decided ("ip4:192.0.2.0/24"), empty when none matched
};

struct SpfAudit {
  bool found = false;
  SpfNode tree;
  unsigned total_lookups = 0;  // against the limit of 10
  unsigned void_lookups = 0;   // against the limit of 2
  std::vector<IpCheck> ips;
  std::vector<Finding> findings;
};

struct DkimKey {
  std::string selector;
  bool found = false;
  std::string record;    // the TXT record as published
  std::string key_type;  // "rsa", "ed25519"
  unsigned bits = 0;     // RSA modulus size, 256 for ed25519
  std::vector<Finding> findings;
};

struct DkimAudit {
  /// No selector was given: the common ones (common_dkim_selectors()) were probed.
  bool probed_common_selectors = false;
  std::vector<std::string> probed_selectors;  // the selectors looked up, in order
  std::vector<DkimKey> keys;                  // the selectors given, or those probed and found
  std::vector<Finding> findings;
};

/// A rua= or ruf= destination.
struct ReportDestination {
  std::string uri;
  std::string kind;           // "rua" or "ruf"
  std::string host;           // the mailto: address's domain
  bool external = false;      // on another organizational domain than the policy's
  bool authorised = true;     // always for internal ones
  std::string authorised_by;  // the _report._dmarc name that said so, for external ones
  /// Whether the authorisation could be checked: false for a URI with no valid host, a host
  /// past the number receivers check, or a lookup that failed (then `authorised` is false
  /// without meaning "refused").
  bool checked = true;
};

struct DmarcAudit {
  bool found = false;
  /// The record as published (its strings joined), for display; stranger's text.
  std::string record;
  std::string record_domain;  // where it was found (the domain, or its organizational domain)
  /// The policy that applies to the domain ("none", "quarantine", "reject") and the tag it
  /// came from ("p", or "sp" for a subdomain under its organizational domain's record).
  std::string policy;
  std::string policy_tag;
  std::vector<ReportDestination> destinations;
  std::vector<Finding> findings;
};

/// MX, TLS-RPT, MTA-STS and BIMI. The records are the first one published at each name, cut
/// and with control octets replaced for display. The MTA-STS policy file itself (over HTTPS)
/// is not fetched.
struct MailAudit {
  std::vector<std::string> mx;  // "10 mx1.example.com", in preference order
  std::string tls_rpt;          // the _smtp._tls record, when present
  std::string mta_sts;          // the _mta-sts record, when present
  std::string bimi;             // the default._bimi record, when present
  std::vector<Finding> findings;
};

struct Report {
  std::string domain;  // as audited (A-label, lower case)
  SpfAudit spf;
  DkimAudit dkim;
  DmarcAudit dmarc;
  MailAudit mail;

  /// Every finding, SPF first, then DKIM (report-wide, then per key), DMARC and the rest.
  std::vector<Finding> findings() const;
  /// The worst severity among them.
  Severity worst() const noexcept;
};

struct Options {
  /// The domain's own mail server addresses: each is checked against its SPF policy.
  std::vector<core::IpAddress> ips;
  /// DKIM selectors to check; empty: probe common_dkim_selectors().
  std::vector<std::string> selectors;
};

/// The selectors probed when none is given: those of the large providers and of common
/// signing software's defaults.
HALLMARK_API const std::vector<std::string>& common_dkim_selectors();

/// Audits `domain` (a domain name; U-labels are converted). Lookups run concurrently where
/// the protocols allow; the audit completes whatever the DNS answers (timeouts become
/// findings). Errors: a domain that is not a domain name (Errc::syntax).
HALLMARK_API core::Task<core::Expected<Report>> audit_domain(dns::Resolver& resolver,
                                                             std::string domain,
                                                             Options options = {});

/// The records a domain with none should start with, as the operator guides suggest: SPF
/// allowing its MX (`v=spf1 mx -all`), DMARC p=none with aggregate reports to `rua`, and
/// TLS-RPT to the same mailbox. Zone-file lines.
HALLMARK_API std::vector<std::string> suggested_records(std::string_view domain,
                                                        std::string_view report_mailbox);

// The parts audit_domain() puts together, each usable alone (a panel may show one).
HALLMARK_API core::Task<SpfAudit> audit_spf(dns::Resolver& resolver, std::string domain,
                                            std::vector<core::IpAddress> ips);
HALLMARK_API core::Task<DkimAudit> audit_dkim(dns::Resolver& resolver, std::string domain,
                                              std::vector<std::string> selectors);
HALLMARK_API core::Task<DmarcAudit> audit_dmarc(dns::Resolver& resolver, std::string domain);
HALLMARK_API core::Task<MailAudit> audit_mail(dns::Resolver& resolver, std::string domain);

}  // namespace hallmark::audit
