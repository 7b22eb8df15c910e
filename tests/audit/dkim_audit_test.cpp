// SPDX-License-Identifier: Apache-2.0
// The DKIM part of the domain audit: every finding from a fixture made for it
// (tests/audit/zones/dkim.zone), probing of the common selectors, concurrent lookups, and
// hostile text kept out of the messages.
#include <algorithm>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "audit_fixtures.hpp"
#include "hallmark/audit/audit.hpp"
#include "hallmark/core/sync_wait.hpp"
#include "hallmark/dkim/record.hpp"
#include "hallmark/dns/zone_resolver.hpp"
#include "support/holding_resolver.hpp"

namespace hallmark::audit {
namespace {

using test_support::HoldingResolver;
using testing::ElementsAre;
using testing::HasSubstr;

dns::ZoneResolver& zone() { return testing_support::fixture_zone("dkim.zone"); }

void expect_clean(const std::vector<Finding>& findings) {
  testing_support::expect_clean(findings, "DKIM_");
}

DkimAudit audit(dns::Resolver& resolver, const std::string& domain,
                std::vector<std::string> selectors) {
  DkimAudit a =
      core::sync_wait(audit_dkim(resolver, domain, std::move(selectors)), resolver.pump());
  expect_clean(a.findings);
  for (const DkimKey& key : a.keys) expect_clean(key.findings);
  return a;
}

// The one key of an audit of one selector of dkim.example.
DkimKey key(const std::string& selector) {
  DkimAudit a = audit(zone(), "dkim.example", {selector});
  EXPECT_FALSE(a.probed_common_selectors);
  EXPECT_EQ(a.keys.size(), 1u) << selector;
  if (a.keys.empty()) return {};
  EXPECT_EQ(a.keys[0].selector, selector);
  return a.keys[0];
}

std::vector<std::string> codes(const std::vector<Finding>& findings) {
  std::vector<std::string> out;
  for (const Finding& finding : findings) out.push_back(finding.code);
  return out;
}

const Finding* find(const std::vector<Finding>& findings, std::string_view code) {
  for (const Finding& finding : findings)
    if (finding.code == code) return &finding;
  return nullptr;
}

TEST(AuditDkim, RsaKeySizes) {
  DkimKey short_key = key("rsa512");
  EXPECT_TRUE(short_key.found);
  EXPECT_EQ(short_key.key_type, "rsa");
  EXPECT_EQ(short_key.bits, 512u);
  EXPECT_THAT(codes(short_key.findings), ElementsAre("DKIM_KEY_TOO_SHORT"));
  EXPECT_EQ(short_key.findings[0].severity, Severity::error);
  EXPECT_THAT(short_key.findings[0].message, HasSubstr("rsa512._domainkey.dkim.example"));
  EXPECT_THAT(short_key.findings[0].message, HasSubstr("512 bits"));
  EXPECT_THAT(short_key.findings[0].fix, HasSubstr("--bits 2048"));
  EXPECT_THAT(short_key.record, testing::StartsWith("v=DKIM1; k=rsa; p=MFww"));

  DkimKey weak = key("rsa1024");
  EXPECT_EQ(weak.bits, 1024u);
  EXPECT_THAT(codes(weak.findings), ElementsAre("DKIM_KEY_WEAK"));
  EXPECT_EQ(weak.findings[0].severity, Severity::warning);
  EXPECT_THAT(weak.findings[0].message, HasSubstr("2048"));

  DkimKey good = key("rsa2048");
  EXPECT_EQ(good.bits, 2048u);
  EXPECT_EQ(good.key_type, "rsa");
  EXPECT_THAT(codes(good.findings), ElementsAre("DKIM_KEY_OK"));
  EXPECT_EQ(good.findings[0].severity, Severity::ok);
  EXPECT_TRUE(good.findings[0].fix.empty());
  // The strings of the TXT record are joined.
  EXPECT_THAT(good.record, testing::EndsWith("IDAQAB"));
  EXPECT_EQ(good.record.find('"'), std::string::npos);
}

TEST(AuditDkim, Ed25519KeyIsGood) {
  DkimKey ed = key("ed25519");
  EXPECT_TRUE(ed.found);
  EXPECT_EQ(ed.key_type, "ed25519");
  EXPECT_EQ(ed.bits, 256u);
  EXPECT_THAT(codes(ed.findings), ElementsAre("DKIM_KEY_OK"));
  EXPECT_EQ(ed.findings[0].severity, Severity::ok);
}

TEST(AuditDkim, Sha1OnlyIsAnError) {
  DkimKey k = key("sha1only");
  EXPECT_THAT(codes(k.findings), ElementsAre("DKIM_SHA1_ONLY", "DKIM_KEY_OK"));
  EXPECT_EQ(k.findings[0].severity, Severity::error);
  EXPECT_THAT(k.findings[0].message, HasSubstr("RFC 8301"));
  EXPECT_THAT(k.findings[0].fix, HasSubstr("sha256"));
}

TEST(AuditDkim, TestingModeIsAWarning) {
  DkimKey k = key("testing");
  EXPECT_THAT(codes(k.findings), ElementsAre("DKIM_TESTING", "DKIM_KEY_OK"));
  EXPECT_EQ(k.findings[0].severity, Severity::warning);
  EXPECT_THAT(k.findings[0].message, HasSubstr("t=y"));
}

TEST(AuditDkim, RevokedKey) {
  DkimKey k = key("revoked");
  EXPECT_TRUE(k.found);
  EXPECT_EQ(k.bits, 0u);
  EXPECT_THAT(codes(k.findings), ElementsAre("DKIM_KEY_REVOKED"));
  // Given by name, the selector is presumably in use.
  EXPECT_EQ(k.findings[0].severity, Severity::warning);
  EXPECT_THAT(k.findings[0].message, HasSubstr("revoked"));
}

TEST(AuditDkim, KeysThatDoNotLoad) {
  DkimKey bad = key("badbase64");
  EXPECT_TRUE(bad.found);
  EXPECT_THAT(codes(bad.findings), ElementsAre("DKIM_KEY_INVALID"));
  EXPECT_EQ(bad.findings[0].severity, Severity::error);
  EXPECT_THAT(bad.findings[0].message, HasSubstr("base64"));

  DkimKey not_a_key = key("notakey");
  EXPECT_THAT(codes(not_a_key.findings), ElementsAre("DKIM_KEY_INVALID"));
  EXPECT_THAT(not_a_key.findings[0].message, HasSubstr("does not load"));
  EXPECT_EQ(not_a_key.bits, 0u);
}

TEST(AuditDkim, SyntaxErrorGivesTheParsersMessage) {
  DkimKey k = key("syntax");
  EXPECT_TRUE(k.found);
  EXPECT_THAT(codes(k.findings), ElementsAre("DKIM_RECORD_INVALID"));
  EXPECT_EQ(k.findings[0].severity, Severity::error);
  auto parsed = dkim::parse_key_record(k.record);
  ASSERT_FALSE(parsed);
  EXPECT_THAT(k.findings[0].message, HasSubstr(parsed.error().message));
  EXPECT_THAT(k.findings[0].fix, HasSubstr("syntax._domainkey.dkim.example TXT"));
}

TEST(AuditDkim, KeyForAnotherService) {
  DkimKey k = key("service");
  EXPECT_THAT(codes(k.findings), ElementsAre("DKIM_KEY_NOT_FOR_EMAIL", "DKIM_KEY_OK"));
  EXPECT_EQ(k.findings[0].severity, Severity::error);
}

TEST(AuditDkim, LookupFailureIsAWarning) {
  DkimKey k = key("servfail");
  EXPECT_FALSE(k.found);
  EXPECT_THAT(codes(k.findings), ElementsAre("DKIM_LOOKUP_FAILED"));
  EXPECT_EQ(k.findings[0].severity, Severity::warning);
  EXPECT_THAT(k.findings[0].message, HasSubstr("servfail._domainkey.dkim.example"));
}

TEST(AuditDkim, SeveralRecordsAtOneName) {
  DkimKey k = key("two");
  EXPECT_TRUE(k.found);
  ASSERT_FALSE(k.findings.empty());
  EXPECT_EQ(k.findings[0].code, "DKIM_MULTIPLE_RECORDS");
  EXPECT_EQ(k.findings[0].severity, Severity::error);
  EXPECT_THAT(k.findings[0].message, HasSubstr("2 TXT records"));
}

TEST(AuditDkim, SelectorGivenButAbsent) {
  DkimKey k = key("nosuch");
  EXPECT_FALSE(k.found);
  EXPECT_THAT(codes(k.findings), ElementsAre("DKIM_KEY_MISSING"));
  EXPECT_EQ(k.findings[0].severity, Severity::warning);
  EXPECT_THAT(k.findings[0].fix, HasSubstr("nosuch._domainkey.dkim.example TXT"));
}

TEST(AuditDkim, EverySelectorGivenIsListedOnceInOrder) {
  DkimAudit a = audit(zone(), "DKIM.example.", {"rsa2048", "nosuch", "RSA2048", "ed25519"});
  ASSERT_EQ(a.keys.size(), 3u);
  EXPECT_EQ(a.keys[0].selector, "rsa2048");
  EXPECT_EQ(a.keys[1].selector, "nosuch");
  EXPECT_EQ(a.keys[2].selector, "ed25519");
  EXPECT_TRUE(a.findings.empty());  // an RSA key as well as the ed25519 one
}

TEST(AuditDkim, Ed25519AloneIsNoted) {
  DkimAudit a = audit(zone(), "dkim.example", {"ed25519", "rsa512"});
  EXPECT_THAT(codes(a.findings), ElementsAre("DKIM_ED25519_ONLY"));
  EXPECT_EQ(a.findings[0].severity, Severity::info);
}

TEST(AuditDkim, ProbingListsOnlyTheSelectorsFound) {
  const std::vector<std::string>& common = common_dkim_selectors();
  ASSERT_GE(common.size(), 3u);
  dns::ZoneResolver z;
  z.add_txt(dkim::key_name(common[1], "probe.example"),
            {"v=DKIM1; k=ed25519; p=r0Z+/7UW2X5sAPuGByCj/jHx5ZXUsHjubjmC63Ehe8I="});
  z.add_failure(dkim::key_name(common[0], "probe.example"), dns::Status::servfail);
  // A retired selector is no surprise when probing.
  z.add_txt(dkim::key_name(common[2], "probe.example"), {"v=DKIM1; p="});
  DkimAudit a = audit(z, "probe.example", {});
  EXPECT_TRUE(a.probed_common_selectors);
  // Those found, and the one that could not be looked up; absent ones are not listed.
  ASSERT_EQ(a.keys.size(), 3u);
  EXPECT_EQ(a.keys[0].selector, common[0]);
  EXPECT_THAT(codes(a.keys[0].findings), ElementsAre("DKIM_LOOKUP_FAILED"));
  EXPECT_EQ(a.keys[1].selector, common[1]);
  EXPECT_TRUE(a.keys[1].found);
  EXPECT_EQ(a.keys[1].bits, 256u);
  EXPECT_EQ(a.keys[2].selector, common[2]);
  EXPECT_THAT(codes(a.keys[2].findings), ElementsAre("DKIM_KEY_REVOKED"));
  EXPECT_EQ(a.keys[2].findings[0].severity, Severity::info);
  EXPECT_EQ(find(a.findings, "DKIM_NO_KEY_FOUND"), nullptr);
}

TEST(AuditDkim, ProbingThatFindsNothingSaysWhatWasProbed) {
  DkimAudit a = audit(zone(), "nokeys.example", {});
  EXPECT_TRUE(a.probed_common_selectors);
  EXPECT_TRUE(a.keys.empty());
  EXPECT_THAT(codes(a.findings), ElementsAre("DKIM_NO_KEY_FOUND"));
  const Finding& none = a.findings[0];
  EXPECT_EQ(none.severity, Severity::info);
  EXPECT_THAT(none.message, HasSubstr(common_dkim_selectors().front()));
  EXPECT_THAT(none.fix, HasSubstr("--selector"));
}

TEST(AuditDkim, EveryLookupStartsBeforeAnyAnswer) {
  HoldingResolver holding(zone());
  DkimAudit a = audit(holding, "dkim.example", {"rsa512", "rsa1024", "rsa2048", "ed25519"});
  EXPECT_EQ(a.keys.size(), 4u);
  EXPECT_EQ(holding.max_in_flight(), 4u);

  HoldingResolver probing(zone());
  audit(probing, "nokeys.example", {});
  EXPECT_EQ(probing.max_in_flight(), common_dkim_selectors().size());
}

TEST(AuditDkim, HostileTextStaysOutOfMessages) {
  dns::ZoneResolver z;
  std::vector<std::string> strings = {"v=DKIM1; k=rsa; n=\x01\x7f; p=", std::string(200, '!')};
  for (int i = 0; i < 40; ++i) strings.push_back(std::string(250, 'A'));
  z.add_txt(dkim::key_name("hostile", "hostile.example"), strings);
  DkimAudit a = audit(z, "hostile.example", {"hostile", "new\nline", std::string(300, 'x')});
  ASSERT_EQ(a.keys.size(), 3u);
  EXPECT_TRUE(a.keys[0].found);
  EXPECT_FALSE(a.keys[0].findings.empty());
  EXPECT_THAT(codes(a.keys[1].findings), ElementsAre("DKIM_KEY_MISSING"));
  EXPECT_THAT(codes(a.keys[2].findings), ElementsAre("DKIM_SELECTOR_INVALID"));
}

}  // namespace
}  // namespace hallmark::audit
