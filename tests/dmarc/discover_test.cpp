// SPDX-License-Identifier: Apache-2.0
// The DNS Tree Walk (RFC 9989 4.10): the queries it makes, the examples of 4.10.2, and policy
// discovery (4.10.1) over zone fixtures.
#include <gtest/gtest.h>

#include <vector>

#include "hallmark/core/sync_wait.hpp"
#include "hallmark/dmarc/discover.hpp"
#include "hallmark/dns/zone_resolver.hpp"
#include "support/holding_resolver.hpp"

namespace hallmark::dmarc {
namespace {

using test_support::HoldingResolver;

dns::ZoneResolver zone(std::string_view text) {
  auto parsed = dns::ZoneResolver::from_text(text, "dmarc.zone");
  EXPECT_TRUE(parsed) << parsed.error().message;
  return parsed ? std::move(*parsed) : dns::ZoneResolver();
}

std::string org_of(dns::ZoneResolver& z, const std::string& domain) {
  TreeWalk walk = core::sync_wait(tree_walk(z, domain));
  return organizational_domain(domain, walk);
}

TEST(DmarcTreeWalk, LongNamesAreShortenedToEightQueries) {
  dns::ZoneResolver z = zone("");
  HoldingResolver recorder(z);
  TreeWalk walk =
      core::sync_wait(tree_walk(recorder, "a.b.c.d.e.f.g.h.i.j.mail.example.com"), recorder.pump());
  std::vector<std::string> expected = {"_dmarc.a.b.c.d.e.f.g.h.i.j.mail.example.com",
                                       "_dmarc.g.h.i.j.mail.example.com",
                                       "_dmarc.h.i.j.mail.example.com",
                                       "_dmarc.i.j.mail.example.com",
                                       "_dmarc.j.mail.example.com",
                                       "_dmarc.mail.example.com",
                                       "_dmarc.example.com",
                                       "_dmarc.com"};
  EXPECT_EQ(recorder.started(), expected);
  EXPECT_EQ(walk.queries, 8u);
}

TEST(DmarcTreeWalk, OrganizationalDomainExamplesOfRfc9989) {
  // 4.10.2: records at mail.example.com and example.com -> example.com.
  dns::ZoneResolver both = zone(R"(
_dmarc.mail.example.com. TXT "v=DMARC1; p=none"
_dmarc.example.com. TXT "v=DMARC1; p=reject"
)");
  EXPECT_EQ(org_of(both, "a.mail.example.com"), "example.com");
  // psd=n at mail.example.com -> mail.example.com.
  dns::ZoneResolver psd_n = zone(R"(
_dmarc.mail.example.com. TXT "v=DMARC1; p=none; psd=n"
_dmarc.example.com. TXT "v=DMARC1; p=reject"
)");
  EXPECT_EQ(org_of(psd_n, "a.mail.example.com"), "mail.example.com");
  // Only _dmarc.com with psd=y -> example.com.
  dns::ZoneResolver psd_y = zone(R"(_dmarc.com. TXT "v=DMARC1; p=reject; psd=y")");
  EXPECT_EQ(org_of(psd_y, "a.mail.example.com"), "example.com");
  // Nothing anywhere: the start is its own organizational domain.
  dns::ZoneResolver empty = zone("");
  EXPECT_EQ(org_of(empty, "a.mail.example.com"), "a.mail.example.com");
}

TEST(DmarcTreeWalk, ReusesWhatAnEarlierWalkSaw) {
  dns::ZoneResolver z = zone(R"(
_dmarc.example.com.      TXT "v=DMARC1; p=reject"
_dmarc.psd.example.com.  TXT "v=DMARC1; p=none; psd=y"
)");
  HoldingResolver holding(z);
  TreeWalk author = core::sync_wait(tree_walk(holding, "a.mail.example.com"), holding.pump());
  ASSERT_EQ(holding.started().size(), 4u);
  // An ancestor's walk is known entirely; a walk from beside the author's queries only the
  // names the author's did not, and finds the same organizational domain as a fresh walk.
  TreeWalk ancestor =
      core::sync_wait(tree_walk(holding, "mail.example.com", author), holding.pump());
  EXPECT_EQ(ancestor.queries, 0u);
  EXPECT_EQ(organizational_domain("mail.example.com", ancestor), "example.com");
  TreeWalk beside =
      core::sync_wait(tree_walk(holding, "x.bounce.example.com", author), holding.pump());
  EXPECT_EQ(beside.queries, 2u);
  EXPECT_EQ(holding.started().back(), "_dmarc.bounce.example.com");
  EXPECT_EQ(organizational_domain("x.bounce.example.com", beside), "example.com");
  // A psd=y record the author's walk never reached still stops the new walk.
  TreeWalk under_psd =
      core::sync_wait(tree_walk(holding, "shop.psd.example.com", author), holding.pump());
  EXPECT_EQ(organizational_domain("shop.psd.example.com", under_psd), "shop.psd.example.com");
  EXPECT_EQ(under_psd.domain, "shop.psd.example.com");
  EXPECT_EQ(under_psd.names_seen, 2u);  // stopped at the psd=y record
}

TEST(DmarcTreeWalk, SeveralRecordsAtOneNameCountAsNone) {
  dns::ZoneResolver z = zone(R"(
_dmarc.example.com. TXT "v=DMARC1; p=reject"
_dmarc.example.com. TXT "v=DMARC1; p=none"
_dmarc.example.com. TXT "unrelated text"
)");
  TreeWalk walk = core::sync_wait(tree_walk(z, "example.com"));
  EXPECT_TRUE(walk.records.empty());
}

TEST(DmarcDiscover, AuthorOrganizationalThenPublicSuffixPolicy) {
  dns::ZoneResolver z = zone(R"(
_dmarc.example.com.      TXT "v=DMARC1; p=reject; sp=quarantine"
_dmarc.mail.example.com. TXT "v=DMARC1; p=none"
_dmarc.own.example.com.  TXT "v=DMARC1; p=quarantine"
_dmarc.psd.test.         TXT "v=DMARC1; p=reject; psd=y"
)");
  Discovery own = core::sync_wait(discover_policy(z, "own.example.com"));
  ASSERT_TRUE(own.policy);
  EXPECT_EQ(own.policy->domain, "own.example.com");
  EXPECT_EQ(own.organizational_domain, "example.com");
  // a.mail.example.com: mail.example.com is neither author, organizational nor PSD.
  Discovery sub = core::sync_wait(discover_policy(z, "a.mail.example.com"));
  ASSERT_TRUE(sub.policy);
  EXPECT_EQ(sub.policy->domain, "example.com");
  Discovery psd = core::sync_wait(discover_policy(z, "shop.brand.psd.test"));
  ASSERT_TRUE(psd.policy);
  EXPECT_EQ(psd.policy->domain, "psd.test");
  EXPECT_EQ(psd.organizational_domain, "brand.psd.test");
  Discovery none = core::sync_wait(discover_policy(z, "example.net"));
  EXPECT_FALSE(none.policy);
  EXPECT_FALSE(none.temperror);
}

TEST(DmarcDiscover, DnsFailureIsTemperror) {
  dns::ZoneResolver z = zone("_dmarc.slow.example. TIMEOUT\n_dmarc.broken.example. SERVFAIL\n");
  EXPECT_TRUE(core::sync_wait(discover_policy(z, "slow.example")).temperror);
  EXPECT_TRUE(core::sync_wait(discover_policy(z, "a.broken.example")).temperror);
}

}  // namespace
}  // namespace hallmark::dmarc
