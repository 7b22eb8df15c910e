// SPDX-License-Identifier: Apache-2.0
// The DMARC policies and authenticated identifiers that bench/dmarc_bench.cpp and
// bench/compare/libopendmarc_dmarc.cpp both evaluate, kept in one place so the comparison times
// exactly the inputs hallmark is timed on.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "hallmark/dmarc/evaluate.hpp"
#include "zone_fixture.hpp"

namespace hallmark_bench {

// Three organisations, one policy shape each: example.com publishes reject for itself and
// quarantine for its subdomains, example.org asks for strict alignment, example.net sends its
// aggregate reports to itself and to a collector on example.org, which authorises that. The A
// records make the author domains exist, so a subdomain gets sp= and not np= (RFC 9989 4.10.1).
// mailer.example.net, the bulk sender of two cases, needs no records: its organizational domain
// comes from example.net's. Owner names are absolute, one record a line, so the libopendmarc
// harness can list the TXT names without a master-file parser.
inline constexpr std::string_view dmarc_zone_text = R"zone($TTL 3600
_dmarc.example.com.                               TXT "v=DMARC1; p=reject; sp=quarantine"
example.com.                                      A   192.0.2.1
mail.example.com.                                 A   192.0.2.2
_dmarc.example.org.                               TXT "v=DMARC1; p=reject; adkim=s; aspf=s"
example.org.                                      A   192.0.2.3
_dmarc.example.net.                               TXT "v=DMARC1; p=quarantine; rua=mailto:dmarc@example.net,mailto:agg@reports.example.org"
example.net.                                      A   192.0.2.4
example.net._report._dmarc.reports.example.org.   TXT "v=DMARC1"
)zone";

/// One message's DMARC inputs: the From domain and the identifiers SPF and DKIM verified.
struct DmarcCase {
  std::string_view name;           // benchmark name suffix
  std::string_view author_domain;  // RFC5322.From
  std::string_view spf_domain;     // MAIL FROM domain that passed SPF; "" when SPF did not pass
  std::string_view dkim_domain;    // d= of the one signature that passed; "" when none did
  hallmark::dmarc::Outcome expected;
  hallmark::dmarc::Disposition expected_disposition;
  std::string_view expected_policy_tag;  // "p" or "sp": the tag that applies
  std::size_t expected_rua;              // rua= URIs left after the authorisation check
};

inline constexpr DmarcCase dmarc_cases[] = {
    // From a subdomain without a record of its own: discovery walks up to example.com's, and
    // the parent domain's signature aligns under relaxed DKIM alignment (the default).
    {"DkimRelaxedSubdomain", "mail.example.com", "", "example.com", hallmark::dmarc::Outcome::pass,
     hallmark::dmarc::Disposition::none, "sp", 0},
    // A bulk sender on behalf of example.com that authenticates only its own domain: nothing
    // aligns, and the author domain's own p=reject applies.
    {"FailReject", "example.com", "bounces.mailer.example.net", "mailer.example.net",
     hallmark::dmarc::Outcome::fail, hallmark::dmarc::Disposition::reject, "p", 0},
    // Strict SPF alignment: the envelope domain is the author domain itself. The bulk sender's
    // signature, also checked, aligns with nothing.
    {"SpfStrict", "example.org", "example.org", "mailer.example.net",
     hallmark::dmarc::Outcome::pass, hallmark::dmarc::Disposition::none, "p", 0},
    // A rua= on another organizational domain costs the _report._dmarc authorisation lookup
    // (RFC 7489 7.1) on top of the evaluation; the own-domain URI needs none.
    {"ExternalRua", "example.net", "", "example.net", hallmark::dmarc::Outcome::pass,
     hallmark::dmarc::Disposition::none, "p", 2},
};

inline hallmark::dmarc::Identifiers dmarc_identifiers(const DmarcCase& c) {
  hallmark::dmarc::Identifiers identifiers;
  identifiers.spf_domain = std::string(c.spf_domain);
  identifiers.spf_pass = !c.spf_domain.empty();
  if (!c.dkim_domain.empty()) identifiers.dkim_domains.emplace_back(c.dkim_domain);
  return identifiers;
}

// pct= sampling draws from std::random_device unless given a source: a fixed draw keeps every
// run on one path. None of these records samples; a record added later might.
inline hallmark::dmarc::Options dmarc_options(hallmark::dmarc::DiscoveryMode discovery) {
  hallmark::dmarc::Options options;
  options.discovery = discovery;
  options.random = [] { return 0.0; };
  // ExternalRua measures the authorisation of rua= destinations, which is opt-in.
  options.verify_report_destinations = true;
  return options;
}

/// Why `result` is not what the fixture expects for `c`; empty when it is.
inline std::string dmarc_mismatch(const DmarcCase& c, const hallmark::dmarc::Result& result) {
  std::string why;
  auto expect = [&why](bool ok, std::string_view what, std::string_view got) {
    if (ok) return;
    if (!why.empty()) why += "; ";
    why += std::string(what) + " is " + std::string(got);
  };
  expect(result.outcome == c.expected, "outcome",
         std::string(to_string(result.outcome)) + " (" + result.reason + ")");
  expect(result.disposition == c.expected_disposition, "disposition",
         to_string(result.disposition));
  expect(result.policy_tag == c.expected_policy_tag, "policy tag", result.policy_tag);
  expect(result.aggregate_uris.size() == c.expected_rua, "number of rua= URIs",
         std::to_string(result.aggregate_uris.size()));
  return why;
}

/// The fixture zone and one cache over it, built once per program.
inline FixtureDns& shared_dmarc_dns() {
  static FixtureDns dns(dmarc_zone_text, "dmarc_fixture");
  return dns;
}

}  // namespace hallmark_bench
