// SPDX-License-Identifier: Apache-2.0
// The DMARC part of the domain audit: every finding from a fixture made for it
// (tests/audit/zones/dmarc.zone), report destinations judged as receivers judge them, and
// hostile records kept out of the messages.
#include <algorithm>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "audit_fixtures.hpp"
#include "hallmark/audit/audit.hpp"
#include "hallmark/core/sync_wait.hpp"
#include "hallmark/dmarc/evaluate.hpp"
#include "hallmark/dns/zone_resolver.hpp"
#include "support/holding_resolver.hpp"

namespace hallmark::audit {
namespace {

using test_support::HoldingResolver;
using testing::Contains;
using testing::ElementsAre;
using testing::HasSubstr;
using testing::Not;

dns::ZoneResolver& zone() { return testing_support::fixture_zone("dmarc.zone"); }

void expect_clean(const std::vector<Finding>& findings) {
  testing_support::expect_clean(findings, "DMARC_");
}

DmarcAudit audit(const std::string& domain, dns::Resolver& resolver = zone()) {
  DmarcAudit a = core::sync_wait(audit_dmarc(resolver, domain), resolver.pump());
  expect_clean(a.findings);
  return a;
}

std::vector<std::string> codes(const DmarcAudit& a) {
  std::vector<std::string> out;
  for (const Finding& finding : a.findings) out.push_back(finding.code);
  return out;
}

const Finding* find(const DmarcAudit& a, std::string_view code) {
  for (const Finding& finding : a.findings)
    if (finding.code == code) return &finding;
  return nullptr;
}

Severity severity_of(const DmarcAudit& a, std::string_view code) {
  const Finding* f = find(a, code);
  EXPECT_NE(f, nullptr) << code;
  return f != nullptr ? f->severity : Severity::ok;
}

// What the library's receivers do with the same record: the rua= URIs they would use.
std::vector<std::string> receivers_rua(const std::string& domain) {
  dmarc::Options options;
  options.verify_report_destinations = true;
  dmarc::Result r = core::sync_wait(dmarc::evaluate(zone(), domain, {}, options));
  return r.aggregate_uris;
}

TEST(AuditDmarc, PolicyNoneWithReports) {
  DmarcAudit a = audit("none.example");
  EXPECT_TRUE(a.found);
  EXPECT_EQ(a.record_domain, "none.example");
  EXPECT_EQ(a.record, "v=DMARC1; p=none; rua=mailto:dmarc@none.example");
  EXPECT_THAT(codes(a), ElementsAre("DMARC_RECORD_OK", "DMARC_POLICY_NONE", "DMARC_NP_ABSENT",
                                    "DMARC_REPORT_OK"));
  EXPECT_EQ(severity_of(a, "DMARC_RECORD_OK"), Severity::ok);
  const Finding* none = find(a, "DMARC_POLICY_NONE");
  EXPECT_EQ(none->severity, Severity::warning);
  EXPECT_THAT(none->fix, HasSubstr("p=quarantine, then to p=reject"));
  EXPECT_EQ(severity_of(a, "DMARC_NP_ABSENT"), Severity::info);
  ASSERT_EQ(a.destinations.size(), 1u);
  const ReportDestination& d = a.destinations[0];
  EXPECT_EQ(d.uri, "mailto:dmarc@none.example");
  EXPECT_EQ(d.kind, "rua");
  EXPECT_EQ(d.host, "none.example");
  EXPECT_FALSE(d.external);
  EXPECT_TRUE(d.authorised);
  EXPECT_TRUE(d.authorised_by.empty());
}

TEST(AuditDmarc, PolicyRejectIsOk) {
  DmarcAudit a = audit("reject.example");
  EXPECT_THAT(codes(a), ElementsAre("DMARC_RECORD_OK", "DMARC_POLICY_REJECT", "DMARC_NP_ABSENT",
                                    "DMARC_REPORT_OK"));
  EXPECT_EQ(severity_of(a, "DMARC_POLICY_REJECT"), Severity::ok);
  // np= would say nothing p=reject does not already.
  EXPECT_TRUE(find(a, "DMARC_NP_ABSENT")->fix.empty());
}

TEST(AuditDmarc, QuarantineWithAWeakerSubdomainPolicyAndNp) {
  DmarcAudit a = audit("quarantine.example");
  EXPECT_EQ(severity_of(a, "DMARC_POLICY_QUARANTINE"), Severity::info);
  EXPECT_THAT(find(a, "DMARC_POLICY_QUARANTINE")->fix, HasSubstr("p=reject"));
  const Finding* weaker = find(a, "DMARC_SUBDOMAIN_POLICY_WEAKER");
  ASSERT_NE(weaker, nullptr);
  EXPECT_EQ(weaker->severity, Severity::warning);
  EXPECT_THAT(weaker->message, HasSubstr("sp=none is weaker than p=quarantine"));
  EXPECT_EQ(severity_of(a, "DMARC_NP_POLICY"), Severity::ok);
  EXPECT_EQ(find(a, "DMARC_NP_ABSENT"), nullptr);
}

TEST(AuditDmarc, RecordOfTheOrganizationalDomainApplies) {
  DmarcAudit a = audit("mail.org.example");
  EXPECT_TRUE(a.found);
  EXPECT_EQ(a.record_domain, "org.example");
  EXPECT_THAT(a.record, HasSubstr("p=reject; sp=quarantine"));
  const Finding* inherited = find(a, "DMARC_ORG_DOMAIN_RECORD");
  ASSERT_NE(inherited, nullptr);
  EXPECT_EQ(inherited->severity, Severity::info);
  EXPECT_THAT(inherited->message, HasSubstr("_dmarc.org.example"));
  // For a subdomain, sp= is the policy that counts; np= is the organizational domain's matter.
  EXPECT_THAT(find(a, "DMARC_POLICY_QUARANTINE")->message, HasSubstr("sp=quarantine"));
  EXPECT_EQ(find(a, "DMARC_NP_ABSENT"), nullptr);
  ASSERT_EQ(a.destinations.size(), 1u);
  EXPECT_FALSE(a.destinations[0].external);
}

TEST(AuditDmarc, OnlyAPublicSuffixDomainRecord) {
  DmarcAudit a = audit("shop.psd.example");
  EXPECT_EQ(a.record_domain, "psd.example");
  EXPECT_TRUE(a.found);
  EXPECT_THAT(codes(a), ElementsAre("DMARC_PSD_RECORD"));
  EXPECT_EQ(a.findings[0].severity, Severity::warning);
  EXPECT_THAT(a.findings[0].message, HasSubstr("(p=reject)"));
  EXPECT_THAT(find(a, "DMARC_PSD_RECORD")->fix, HasSubstr("_dmarc.shop.psd.example TXT"));
}

TEST(AuditDmarc, ExternalDestinationNotAuthorised) {
  DmarcAudit a = audit("unauthorised.example");
  ASSERT_EQ(a.destinations.size(), 1u);
  const ReportDestination& d = a.destinations[0];
  EXPECT_EQ(d.host, "reports.example.org");
  EXPECT_TRUE(d.external);
  EXPECT_FALSE(d.authorised);
  const Finding* f = find(a, "DMARC_REPORT_UNAUTHORISED");
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(f->severity, Severity::error);
  EXPECT_THAT(f->message, HasSubstr("unauthorised.example._report._dmarc.reports.example.org"));
  EXPECT_THAT(f->fix, HasSubstr("unauthorised.example._report._dmarc.reports.example.org TXT "
                                "\"v=DMARC1;\""));
  EXPECT_TRUE(receivers_rua("unauthorised.example").empty());
}

TEST(AuditDmarc, ExternalDestinationsAuthorisedByNameAndByWildcard) {
  DmarcAudit a = audit("authorised.example");
  EXPECT_THAT(codes(a), Not(Contains("DMARC_REPORT_UNAUTHORISED")));
  ASSERT_EQ(a.destinations.size(), 3u);
  const ReportDestination& by_name = a.destinations[0];
  EXPECT_EQ(by_name.host, "reports.example.net");
  EXPECT_TRUE(by_name.external);
  EXPECT_TRUE(by_name.authorised);
  EXPECT_EQ(by_name.authorised_by, "authorised.example._report._dmarc.reports.example.net");
  const ReportDestination& wild = a.destinations[1];
  EXPECT_EQ(wild.host, "wild.example.net");
  EXPECT_TRUE(wild.authorised);
  EXPECT_EQ(wild.authorised_by, "*._report._dmarc.wild.example.net");
  const ReportDestination& failure = a.destinations[2];
  EXPECT_EQ(failure.kind, "ruf");
  EXPECT_FALSE(failure.external);
  EXPECT_TRUE(failure.authorised);
  std::size_t authorised = 0;
  for (const Finding& f : a.findings) {
    if (f.code != "DMARC_REPORT_AUTHORISED") continue;
    ++authorised;
    EXPECT_EQ(f.severity, Severity::ok);
  }
  EXPECT_EQ(authorised, 2u);
  EXPECT_THAT(a.findings.back().message, HasSubstr("ruf=mailto:forensic@authorised.example"));
  // The library's receivers agree.
  EXPECT_EQ(
      receivers_rua("authorised.example"),
      (std::vector<std::string>{"mailto:agg@reports.example.net", "mailto:agg@wild.example.net"}));
}

TEST(AuditDmarc, ConfirmationThatSendsReportsElsewhere) {
  DmarcAudit a = audit("redirected.example");
  ASSERT_EQ(a.destinations.size(), 1u);
  EXPECT_FALSE(a.destinations[0].authorised);
  const Finding* f = find(a, "DMARC_REPORT_UNAUTHORISED");
  ASSERT_NE(f, nullptr);
  EXPECT_THAT(f->message, HasSubstr("another host"));
  EXPECT_TRUE(receivers_rua("redirected.example").empty());
}

TEST(AuditDmarc, PercentIsPartial) {
  DmarcAudit a = audit("pct.example");
  const Finding* f = find(a, "DMARC_PCT_PARTIAL");
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(f->severity, Severity::warning);
  EXPECT_THAT(f->message, HasSubstr("pct=50"));
  EXPECT_THAT(f->message, HasSubstr("RFC 7489"));
}

TEST(AuditDmarc, TestingMode) {
  DmarcAudit a = audit("testing.example");
  EXPECT_EQ(severity_of(a, "DMARC_TESTING"), Severity::warning);
  EXPECT_EQ(severity_of(a, "DMARC_POLICY_REJECT"), Severity::ok);
}

TEST(AuditDmarc, NoReports) {
  DmarcAudit a = audit("noreports.example");
  EXPECT_EQ(severity_of(a, "DMARC_NO_REPORTS"), Severity::warning);
  EXPECT_THAT(find(a, "DMARC_NO_REPORTS")->fix, HasSubstr("rua=mailto:"));
  EXPECT_TRUE(a.destinations.empty());
}

TEST(AuditDmarc, InvalidRecords) {
  // Not a DMARC record at all (no ';' after v=DMARC1): receivers see none.
  DmarcAudit invalid = audit("invalid.example");
  EXPECT_FALSE(invalid.found);
  EXPECT_THAT(codes(invalid), ElementsAre("DMARC_RECORD_INVALID"));
  EXPECT_EQ(invalid.findings[0].severity, Severity::error);
  EXPECT_THAT(invalid.findings[0].message, HasSubstr("v=DMARC1 p=reject"));
  EXPECT_THAT(invalid.findings[0].fix, HasSubstr("_dmarc.invalid.example TXT"));
  // A DMARC record whose p= is no policy, and no rua= to save it: ignored.
  DmarcAudit bad_policy = audit("badpolicy.example");
  EXPECT_TRUE(bad_policy.found);
  EXPECT_THAT(codes(bad_policy), ElementsAre("DMARC_RECORD_INVALID"));
  EXPECT_THAT(bad_policy.findings[0].message, HasSubstr("ignore it"));
  // With rua=, receivers apply it as p=none, and its reports go out.
  auto saved = dns::ZoneResolver::from_text(
      R"(_dmarc.saved.example. TXT "v=DMARC1; p=block; rua=mailto:d@saved.example")");
  ASSERT_TRUE(saved);
  DmarcAudit with_rua = audit("saved.example", *saved);
  EXPECT_TRUE(with_rua.found);
  EXPECT_THAT(codes(with_rua), ElementsAre("DMARC_RECORD_INVALID", "DMARC_REPORT_OK"));
  EXPECT_THAT(with_rua.findings[0].message, HasSubstr("as p=none"));
}

TEST(AuditDmarc, SeveralRecordsAreDiscarded) {
  DmarcAudit a = audit("twice.example");
  EXPECT_FALSE(a.found);
  EXPECT_THAT(codes(a), ElementsAre("DMARC_MULTIPLE_RECORDS"));
  EXPECT_EQ(a.findings[0].severity, Severity::error);
}

TEST(AuditDmarc, MissingRecordComesWithTheOneToPublish) {
  DmarcAudit a = audit("missing.example");
  EXPECT_FALSE(a.found);
  EXPECT_THAT(codes(a), ElementsAre("DMARC_MISSING"));
  EXPECT_EQ(a.findings[0].severity, Severity::error);
  EXPECT_THAT(a.findings[0].fix, HasSubstr("_dmarc.missing.example TXT \"v=DMARC1; p=none; "
                                           "rua=mailto:dmarc-reports@missing.example\""));
}

TEST(AuditDmarc, TimeoutIsAWarning) {
  DmarcAudit a = audit("timeout.example");
  EXPECT_FALSE(a.found);
  EXPECT_THAT(codes(a), ElementsAre("DMARC_LOOKUP_FAILED"));
  EXPECT_EQ(a.findings[0].severity, Severity::warning);
  EXPECT_THAT(a.findings[0].message, HasSubstr("_dmarc.timeout.example"));
}

TEST(AuditDmarc, DestinationHostsAreCheckedConcurrently) {
  HoldingResolver holding(zone());
  DmarcAudit a = audit("authorised.example", holding);
  EXPECT_EQ(a.destinations.size(), 3u);
  // The two external hosts, each by name and by wildcard, all in flight together.
  EXPECT_GE(holding.max_in_flight(), 4u);
}

TEST(AuditDmarc, HostileRecordStaysOutOfMessages) {
  dns::ZoneResolver z;
  std::vector<std::string> strings = {"v=DMARC1; p=none; n=\x01\x1b[2J\r\n"};
  for (int i = 0; i < 40; ++i) strings.push_back(std::string(250, 'a'));
  std::string rua = "; rua=";
  for (int i = 0; i < 12; ++i) rua += "mailto:r@h" + std::to_string(i) + ".example.net,";
  strings.push_back(rua + "mailto:r@hostile.example");
  z.add_txt("_dmarc.hostile.example", strings);
  DmarcAudit a = audit("hostile.example", z);
  EXPECT_TRUE(a.found);
  EXPECT_EQ(a.destinations.size(), 13u);
  EXPECT_EQ(severity_of(a, "DMARC_TOO_MANY_DESTINATIONS"), Severity::warning);
  // Receivers check the first ten hosts; the others are not theirs to use.
  EXPECT_FALSE(a.destinations[11].authorised);
  EXPECT_FALSE(a.destinations[12].authorised);
  EXPECT_FALSE(a.destinations[12].checked) << "past the hosts receivers check: not refused";
  EXPECT_TRUE(a.destinations[0].checked);
  EXPECT_EQ(a.policy, "none");
  EXPECT_EQ(a.policy_tag, "p");
}

}  // namespace
}  // namespace hallmark::audit
