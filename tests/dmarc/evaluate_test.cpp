// SPDX-License-Identifier: Apache-2.0
// DMARC evaluation over zone fixtures: alignment modes, sp/np, t=y, pct= sampling, report
// destinations, PSL versus tree walk, and the From-header attacks seen in other verifiers.
#include <gtest/gtest.h>

#include "hallmark/core/sync_wait.hpp"
#include "hallmark/dmarc/evaluate.hpp"
#include "hallmark/dns/zone_resolver.hpp"

namespace hallmark::dmarc {
namespace {

constexpr std::string_view fixture = R"(
_dmarc.example.com.   TXT "v=DMARC1; p=reject; sp=quarantine; np=reject; rua=mailto:agg@example.com,mailto:agg@reports.example.net,mailto:agg@rogue.example.org"
example.com.          A   192.0.2.1
mail.example.com.     A   192.0.2.2
_dmarc.strict.test.   TXT "v=DMARC1; p=reject; adkim=s; aspf=s"
_dmarc.testing.test.  TXT "v=DMARC1; p=reject; t=y"
_dmarc.sampled.test.  TXT "v=DMARC1; p=quarantine; pct=25"
_dmarc.nopolicy.test. TXT "v=DMARC1; rua=mailto:r@nopolicy.test"
_dmarc.empty.test.    TXT "v=DMARC1"
_dmarc.slow.test.     TIMEOUT
*._report._dmarc.reports.example.net. TXT "v=DMARC1"
)";

dns::ZoneResolver zone() {
  auto parsed = dns::ZoneResolver::from_text(fixture, "dmarc.zone");
  EXPECT_TRUE(parsed) << parsed.error().message;
  return parsed ? std::move(*parsed) : dns::ZoneResolver();
}

Result run(dns::Resolver& resolver, std::string author, Identifiers ids, Options options = {}) {
  return core::sync_wait(evaluate(resolver, std::move(author), std::move(ids), std::move(options)));
}

Identifiers spf(std::string domain) { return Identifiers{std::move(domain), true, {}}; }
Identifiers dkim(std::string domain) { return Identifiers{{}, false, {std::move(domain)}}; }

TEST(DmarcEvaluate, RelaxedAlignmentPassesForSubdomains) {
  dns::ZoneResolver z = zone();
  Result r = run(z, "example.com", spf("bounce.example.com"));
  EXPECT_EQ(r.outcome, Outcome::pass) << r.reason;
  EXPECT_TRUE(r.spf_aligned);
  EXPECT_EQ(r.record_domain, "example.com");
  EXPECT_EQ(r.organizational_domain, "example.com");
  Result d = run(z, "mail.example.com", dkim("example.com"));
  EXPECT_EQ(d.outcome, Outcome::pass);
  EXPECT_EQ(d.aligned_dkim_domain, "example.com");
}

TEST(DmarcEvaluate, StrictAlignmentNeedsTheSameDomain) {
  dns::ZoneResolver z = zone();
  EXPECT_EQ(run(z, "strict.test", spf("mail.strict.test")).outcome, Outcome::fail);
  EXPECT_EQ(run(z, "strict.test", dkim("mail.strict.test")).outcome, Outcome::fail);
  EXPECT_EQ(run(z, "strict.test", dkim("STRICT.test.")).outcome, Outcome::pass);
}

TEST(DmarcEvaluate, InternationalDomainsAlignInALabelForm) {
  auto z =
      dns::ZoneResolver::from_text(R"(_dmarc.xn--bcher-kva.example. TXT "v=DMARC1; p=reject")");
  ASSERT_TRUE(z);
  Result r = run(*z, "Bücher.example", dkim("bücher.example"));
  EXPECT_EQ(r.author_domain, "xn--bcher-kva.example");
  EXPECT_EQ(r.outcome, Outcome::pass) << r.reason;
  EXPECT_EQ(run(*z, "xn--bcher-kva.example", spf("XN--BCHER-KVA.example")).outcome, Outcome::pass);
}

TEST(DmarcEvaluate, UnfinishedAlignedCheckIsTemperrorNotFail) {
  dns::ZoneResolver z = zone();
  // RFC 9989 5.3.6: the aligned signature's key lookup timed out; it might have passed.
  Identifiers dkim_unfinished;
  dkim_unfinished.dkim_temperror_domains = {"example.com"};
  Result r = run(z, "example.com", dkim_unfinished);
  EXPECT_EQ(r.outcome, Outcome::temperror) << r.reason;
  EXPECT_EQ(r.disposition, Disposition::none);
  Identifiers spf_unfinished{"bounce.example.com", false, {}};
  spf_unfinished.spf_temperror = true;
  EXPECT_EQ(run(z, "example.com", spf_unfinished).outcome, Outcome::temperror);
  // An unfinished check that could not align anyway changes nothing.
  Identifiers foreign;
  foreign.dkim_temperror_domains = {"elsewhere.test"};
  EXPECT_EQ(run(z, "example.com", foreign).outcome, Outcome::fail);
  // Nor does one beside an aligned pass.
  Identifiers passed = dkim("example.com");
  passed.dkim_temperror_domains = {"example.com"};
  EXPECT_EQ(run(z, "example.com", passed).outcome, Outcome::pass);
}

TEST(DmarcEvaluate, FailingSpfOrForeignDomainsDoNotAlign) {
  dns::ZoneResolver z = zone();
  Identifiers failed_spf{"example.com", false, {}};
  Result r = run(z, "example.com", failed_spf);
  EXPECT_EQ(r.outcome, Outcome::fail);
  EXPECT_EQ(r.disposition, Disposition::reject);
  EXPECT_EQ(run(z, "example.com", dkim("example.com.evil.test")).outcome, Outcome::fail);
  EXPECT_EQ(run(z, "example.com", dkim("notexample.com")).outcome, Outcome::fail);
}

TEST(DmarcEvaluate, SubdomainAndNonExistentPolicies) {
  dns::ZoneResolver z = zone();
  Result own = run(z, "example.com", {});
  EXPECT_EQ(own.policy_tag, "p");
  EXPECT_EQ(own.disposition, Disposition::reject);
  Result existing = run(z, "mail.example.com", {});
  EXPECT_EQ(existing.policy_tag, "sp");
  EXPECT_EQ(existing.disposition, Disposition::quarantine);
  Result missing = run(z, "nowhere.example.com", {});
  EXPECT_EQ(missing.policy_tag, "np");
  EXPECT_EQ(missing.disposition, Disposition::reject);
}

TEST(DmarcEvaluate, TestingModeLowersTheDisposition) {
  dns::ZoneResolver z = zone();
  Result r = run(z, "testing.test", {});
  EXPECT_EQ(r.outcome, Outcome::fail);
  EXPECT_EQ(r.policy, Policy::reject);
  EXPECT_EQ(r.disposition, Disposition::quarantine);
  EXPECT_TRUE(r.testing);
}

TEST(DmarcEvaluate, PctSamplesWithAnInjectedRandomSource) {
  dns::ZoneResolver z = zone();
  Options in_sample;
  in_sample.pct_rules = PctRules::rfc7489;
  in_sample.random = [] { return 0.10; };
  Options out_of_sample = in_sample;
  out_of_sample.random = [] { return 0.90; };
  EXPECT_EQ(run(z, "sampled.test", {}, in_sample).disposition, Disposition::quarantine);
  Result skipped = run(z, "sampled.test", {}, out_of_sample);
  EXPECT_EQ(skipped.disposition, Disposition::none);
  EXPECT_TRUE(skipped.sampled_out);
}

TEST(DmarcEvaluate, RecordsWithoutPolicyAndDnsFailures) {
  dns::ZoneResolver z = zone();
  Result fallback = run(z, "nopolicy.test", {});
  EXPECT_EQ(fallback.outcome, Outcome::fail);  // applied as p=none: rua= is valid
  EXPECT_EQ(fallback.disposition, Disposition::none);
  EXPECT_EQ(run(z, "empty.test", {}).outcome, Outcome::none);
  EXPECT_EQ(run(z, "unpublished.test", {}).outcome, Outcome::none);
  EXPECT_EQ(run(z, "slow.test", {}).outcome, Outcome::temperror);
  EXPECT_EQ(run(z, "bad..domain", {}).outcome, Outcome::permerror);
}

TEST(DmarcEvaluate, ExternalReportDestinationsMustAuthorise) {
  dns::ZoneResolver z = zone();
  Options reports;
  reports.verify_report_destinations = true;
  Result r = run(z, "example.com", {}, reports);
  // Same organization kept; reports.example.net authorises by wildcard; rogue.example.org
  // does not.
  EXPECT_EQ(r.aggregate_uris,
            (std::vector<std::string>{"mailto:agg@example.com", "mailto:agg@reports.example.net"}));
}

TEST(DmarcEvaluate, PslModeFindsRegistrableDomains) {
  auto z = dns::ZoneResolver::from_text(R"(_dmarc.example.co.uk. TXT "v=DMARC1; p=reject")");
  ASSERT_TRUE(z);
  Options psl;
  psl.discovery = DiscoveryMode::psl;
  Result with_psl = run(*z, "mail.example.co.uk", dkim("other.example.co.uk"), psl);
  EXPECT_EQ(with_psl.organizational_domain, "example.co.uk");
  EXPECT_EQ(with_psl.outcome, Outcome::pass);
  // The tree walk finds the same record here, and would also honour a psd= flag the PSL
  // cannot express.
  Result walked = run(*z, "mail.example.co.uk", dkim("other.example.co.uk"));
  EXPECT_EQ(walked.organizational_domain, "example.co.uk");
  EXPECT_EQ(walked.outcome, Outcome::pass);
  // Where they differ: no record anywhere makes the walk stop at the name itself, while the
  // PSL still knows the registrable domain.
  auto bare = dns::ZoneResolver::from_text(R"(_dmarc.shop.example.co.uk. TXT "v=DMARC1; p=none")");
  ASSERT_TRUE(bare);
  EXPECT_EQ(run(*bare, "shop.example.co.uk", dkim("www.example.co.uk"), psl).outcome,
            Outcome::pass);
  EXPECT_EQ(run(*bare, "shop.example.co.uk", dkim("www.example.co.uk")).outcome, Outcome::fail);
}

TEST(DmarcEvaluate, AuthResultsFragment) {
  dns::ZoneResolver z = zone();
  EXPECT_EQ(auth_results_fragment(run(z, "example.com", dkim("example.com"))),
            "dmarc=pass (p=reject dis=none) header.from=example.com policy.dmarc=none");
  EXPECT_EQ(auth_results_fragment(run(z, "mail.example.com", {})),
            "dmarc=fail (sp=quarantine dis=quarantine) header.from=mail.example.com "
            "policy.dmarc=quarantine");
}

TEST(DmarcAuthorDomain, RejectsTheAmbiguousFromAttacks) {
  struct {
    std::string_view message;
    std::optional<std::string_view> domain;  // nullopt: no author domain
  } cases[] = {
      {"From: Alice <alice@Example.COM>\r\n\r\n", "example.com"},
      // A trailing dot is not RFC 5322 syntax: no author domain, never another domain's pass.
      {"From: Alice <alice@example.com.>\r\n\r\n", std::nullopt},
      {"From: a@example.com, b@EXAMPLE.com\r\n\r\n", "example.com"},
      {"From: a@bücher.example\r\n\r\n", "xn--bcher-kva.example"},
      {"From: a@victim.example, b@attacker.example\r\n\r\n", std::nullopt},
      {"From: a@victim.example\r\nFrom: b@attacker.example\r\n\r\n", std::nullopt},
      {"From: (a@attacker.example) user@victim.example\r\n\r\n", "victim.example"},
      {"From: \"a@attacker.example\" <user@victim.example>\r\n\r\n", "victim.example"},
      {"To: a@example.com\r\n\r\n", std::nullopt},
      {"From: undisclosed:;\r\n\r\n", std::nullopt},
      {"From: user@[192.0.2.1]\r\n\r\n", std::nullopt},
      {"From: not an address\r\n\r\n", std::nullopt},
  };
  for (const auto& c : cases) {
    auto m = mail::parse_message(c.message);
    ASSERT_TRUE(m) << c.message << ": " << m.error().message;
    auto domain = author_domain(m->headers);
    if (c.domain) {
      ASSERT_TRUE(domain) << c.message << ": " << domain.error().message;
      EXPECT_EQ(*domain, *c.domain) << c.message;
    } else {
      EXPECT_FALSE(domain) << c.message << " -> " << domain.value_or("");
    }
  }
}

}  // namespace
}  // namespace hallmark::dmarc
