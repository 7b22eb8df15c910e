// SPDX-License-Identifier: Apache-2.0
// The SPF part of the domain audit: the include/redirect tree with its counts, every finding
// from a fixture made for it (tests/audit/zones/spf.zone), and the domain's own addresses.
#include <algorithm>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "audit_fixtures.hpp"
#include "hallmark/audit/audit.hpp"
#include "hallmark/core/sync_wait.hpp"
#include "hallmark/dns/zone_resolver.hpp"

namespace hallmark::audit {
namespace {

dns::ZoneResolver& zone() { return testing_support::fixture_zone("spf.zone"); }

SpfAudit audit(const std::string& domain, std::vector<core::IpAddress> ips = {}) {
  return core::sync_wait(audit_spf(zone(), domain, std::move(ips)), zone().pump());
}

std::vector<std::string> codes(const SpfAudit& audit) {
  std::vector<std::string> out;
  for (const Finding& finding : audit.findings) out.push_back(finding.code);
  return out;
}

const Finding* find(const SpfAudit& audit, std::string_view code) {
  for (const Finding& finding : audit.findings)
    if (finding.code == code) return &finding;
  return nullptr;
}

core::IpAddress ip(std::string_view text) { return *core::IpAddress::parse(text); }

TEST(AuditSpf, TwelveLookupsAreTooManyAndTheTreeShowsWhere) {
  SpfAudit a = audit("twelve.audit.test");
  ASSERT_TRUE(a.found);
  EXPECT_EQ(a.total_lookups, 12u);
  const Finding* too_many = find(a, "SPF_TOO_MANY_LOOKUPS");
  ASSERT_NE(too_many, nullptr);
  EXPECT_EQ(too_many->severity, Severity::error);
  EXPECT_THAT(too_many->message, testing::HasSubstr("12 DNS-querying terms"));
  EXPECT_FALSE(too_many->fix.empty());
  // The tree: three includes under the top, the third with one more below it.
  const SpfNode& top = a.tree;
  EXPECT_EQ(top.domain, "twelve.audit.test");
  EXPECT_THAT(top.record, testing::StartsWith("v=spf1 include:p1"));
  EXPECT_EQ(top.dns_lookups, 3u);
  ASSERT_EQ(top.children.size(), 3u);
  EXPECT_EQ(top.children[0].domain, "p1.twelve.audit.test");
  EXPECT_EQ(top.children[0].via, "+include:p1.twelve.audit.test");
  EXPECT_EQ(top.children[0].dns_lookups, 3u);
  EXPECT_EQ(top.children[0].running_total, 4u);
  EXPECT_EQ(top.children[1].running_total, 8u);
  ASSERT_EQ(top.children[2].children.size(), 1u);
  EXPECT_EQ(top.children[2].children[0].domain, "q.p3.twelve.audit.test");
  EXPECT_EQ(top.children[2].children[0].running_total, 12u);
  EXPECT_EQ(top.running_total, 12u);
}

TEST(AuditSpf, TenLookupsPassButAreNearTheLimit) {
  SpfAudit a = audit("ten.audit.test");
  EXPECT_EQ(a.total_lookups, 10u);
  EXPECT_EQ(find(a, "SPF_TOO_MANY_LOOKUPS"), nullptr);
  ASSERT_NE(find(a, "SPF_LOOKUPS_NEAR_LIMIT"), nullptr);
  EXPECT_EQ(find(a, "SPF_LOOKUPS_NEAR_LIMIT")->severity, Severity::warning);
}

TEST(AuditSpf, AHealthyPolicyAndItsOwnServers) {
  SpfAudit a = audit("good.audit.test", {ip("192.0.2.10"), ip("198.51.100.7"), ip("203.0.113.1")});
  EXPECT_EQ(a.total_lookups, 1u);
  ASSERT_NE(find(a, "SPF_LOOKUPS_OK"), nullptr);
  ASSERT_EQ(a.ips.size(), 3u);
  EXPECT_EQ(a.ips[0].outcome, spf::Outcome::pass);
  EXPECT_EQ(a.ips[0].term, "+ip4:192.0.2.10");
  EXPECT_EQ(a.ips[1].outcome, spf::Outcome::pass);  // through the include
  EXPECT_EQ(a.ips[2].outcome, spf::Outcome::fail);
  std::vector<std::string> found = codes(a);
  EXPECT_EQ(std::count(found.begin(), found.end(), "SPF_IP_AUTHORISED"), 2);
  const Finding* refused = find(a, "SPF_IP_NOT_AUTHORISED");
  ASSERT_NE(refused, nullptr);
  EXPECT_THAT(refused->message, testing::HasSubstr("203.0.113.1"));
  EXPECT_THAT(refused->fix, testing::HasSubstr("ip4:203.0.113.1"));
  for (const Finding& finding : a.findings)
    if (finding.code != "SPF_IP_NOT_AUTHORISED") {
      EXPECT_LE(finding.severity, Severity::info) << finding.code;
    }
}

TEST(AuditSpf, VoidLookupsPastTwo) {
  SpfAudit a = audit("voids.audit.test");
  EXPECT_EQ(a.void_lookups, 3u);
  ASSERT_NE(find(a, "SPF_TOO_MANY_VOID_LOOKUPS"), nullptr);
  EXPECT_EQ(a.tree.void_lookups, 3u);
}

TEST(AuditSpf, RedirectLoop) {
  SpfAudit a = audit("loop.audit.test");
  ASSERT_NE(find(a, "SPF_LOOP"), nullptr);
  EXPECT_EQ(find(a, "SPF_TOO_MANY_LOOKUPS"), nullptr) << "the loop is the cause, said once";
  ASSERT_EQ(a.tree.children.size(), 1u);
  ASSERT_EQ(a.tree.children[0].children.size(), 1u);
  EXPECT_THAT(a.tree.children[0].children[0].error, testing::HasSubstr("loop"));
}

TEST(AuditSpf, RiskyTerms) {
  EXPECT_THAT(codes(audit("passall.audit.test")), testing::Contains("SPF_PASS_ALL"));
  EXPECT_THAT(codes(audit("neutralall.audit.test")), testing::Contains("SPF_NEUTRAL_ALL"));
  EXPECT_THAT(codes(audit("ptr.audit.test")), testing::Contains("SPF_PTR"));
  EXPECT_THAT(codes(audit("noall.audit.test")), testing::Contains("SPF_NO_ALL"));
  EXPECT_THAT(codes(audit("good.audit.test")),
              testing::Not(testing::AnyOf(testing::Contains("SPF_NO_ALL"),
                                          testing::Contains("SPF_PASS_ALL"))));
}

TEST(AuditSpf, TermsThatAuthoriseManyHosts) {
  SpfAudit many = audit("manyaddr.audit.test");
  const Finding* addresses = find(many, "SPF_MANY_ADDRESSES");
  ASSERT_NE(addresses, nullptr);
  EXPECT_THAT(addresses->message, testing::HasSubstr("10 addresses"));
  EXPECT_THAT(codes(audit("manymx.audit.test")), testing::Contains("SPF_MX_TOO_MANY"));
  EXPECT_THAT(codes(audit("good.audit.test")),
              testing::Not(testing::Contains("SPF_MANY_ADDRESSES")));
}

TEST(AuditSpf, RecordProblems) {
  EXPECT_THAT(codes(audit("twice.audit.test")), testing::Contains("SPF_MULTIPLE_RECORDS"));
  EXPECT_THAT(codes(audit("broken.audit.test")), testing::Contains("SPF_SYNTAX"));
  EXPECT_THAT(codes(audit("long.audit.test")), testing::Contains("SPF_RECORD_TOO_LONG"));
  SpfAudit missing = audit("none.audit.test");
  EXPECT_FALSE(missing.found);
  EXPECT_THAT(codes(missing), testing::ElementsAre("SPF_MISSING"));
  EXPECT_THAT(missing.findings[0].fix, testing::HasSubstr("v=spf1"));
}

TEST(AuditSpf, BrokenAndFailingIncludes) {
  SpfAudit broken = audit("brokeninclude.audit.test");
  const Finding* include = find(broken, "SPF_INCLUDE_BROKEN");
  ASSERT_NE(include, nullptr);
  EXPECT_THAT(include->message, testing::HasSubstr("nothing.audit.test"));
  SpfAudit slow = audit("slow.audit.test");
  EXPECT_THAT(codes(slow), testing::Contains("SPF_LOOKUP_FAILED"));
}

}  // namespace
}  // namespace hallmark::audit
