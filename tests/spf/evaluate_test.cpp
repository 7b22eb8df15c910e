// SPDX-License-Identifier: Apache-2.0
// check_host() over zone fixtures: limits and their counts, identities, errors, the trace,
// concurrency of mx/ptr lookups, and hostile policies.
#include <gtest/gtest.h>

#include "hallmark/core/sync_wait.hpp"
#include "hallmark/dns/zone_resolver.hpp"
#include "hallmark/spf/evaluate.hpp"
#include "support/holding_resolver.hpp"

namespace hallmark::spf {
namespace {

dns::ZoneResolver zone(std::string_view text) {
  auto parsed = dns::ZoneResolver::from_text(text, "test.zone");
  EXPECT_TRUE(parsed) << parsed.error().message;
  return parsed ? std::move(*parsed) : dns::ZoneResolver();
}

Result check(dns::Resolver& resolver, std::string_view ip, std::string_view mail_from,
             std::string_view helo = "mail.example.org", Options options = {}) {
  Envelope envelope{core::IpAddress::parse(ip).value(), std::string(helo), std::string(mail_from)};
  options.now = [] { return std::int64_t{1700000000}; };
  return core::sync_wait(check_mail_from(resolver, envelope, options), resolver.pump());
}

using test_support::HoldingResolver;

constexpr std::string_view policy_zone = R"(
$ORIGIN example.com.
@          TXT "v=spf1 ip4:192.0.2.0/25 ip6:2001:db8:1::/48 a:mail.example.com mx include:_spf.partner.example.net -all"
mail       A    198.51.100.7
mail       AAAA 2001:db8:2::7
@          MX   10 mx1
@          MX   20 mx2
mx1        A    198.51.100.21
mx2        A    198.51.100.22
_spf.partner.example.net. TXT "v=spf1 ip4:203.0.113.0/24 ~all"
soft       TXT "v=spf1 ?a ~all"
soft       A    192.0.2.200
explained  TXT "v=spf1 -all exp=why.%{d}"
why.explained TXT "%{i} is not one of %{d}'s designated mail servers."
null-helo.example.org. TXT "v=spf1 a -all"
null-helo.example.org. A 192.0.2.77
slow       TIMEOUT
broken     SERVFAIL
)";

TEST(SpfCheckHost, MatchesEachMechanismKind) {
  dns::ZoneResolver z = zone(policy_zone);
  struct {
    std::string_view ip, outcome, mechanism;
  } cases[] = {
      {"192.0.2.10", "pass", "+ip4:192.0.2.0/25"},
      {"2001:db8:1::5", "pass", "+ip6:2001:db8:1::/48"},
      {"198.51.100.7", "pass", "+a:mail.example.com"},
      {"2001:db8:2::7", "pass", "+a:mail.example.com"},
      {"198.51.100.22", "pass", "+mx"},
      {"203.0.113.9", "pass", "+include:_spf.partner.example.net"},
      {"::ffff:192.0.2.10", "pass", "+ip4:192.0.2.0/25"},  // IPv4-mapped is IPv4
      {"192.0.2.200", "fail", "-all"},
  };
  for (auto [ip, outcome, mechanism] : cases) {
    Result r = check(z, ip, "user@example.com");
    EXPECT_EQ(to_string(r.outcome), outcome) << ip << ": " << r.reason;
    EXPECT_EQ(r.mechanism, mechanism) << ip;
  }
}

TEST(SpfCheckHost, ReportsLookupCountsAndTrace) {
  dns::ZoneResolver z = zone(policy_zone);
  Options traced;
  traced.trace = true;
  Result r = check(z, "203.0.113.9", "user@example.com", "mail.example.org", traced);
  ASSERT_EQ(r.outcome, Outcome::pass);
  EXPECT_EQ(r.dns_lookups, 3u);  // a, mx, include
  EXPECT_EQ(r.void_lookups, 0u);
  ASSERT_GE(r.trace.size(), 5u);
  EXPECT_EQ(r.trace.back().term, "+include:_spf.partner.example.net");
  EXPECT_TRUE(r.trace.back().matched);
  EXPECT_EQ(r.trace[3].term, "+mx");
  EXPECT_EQ(r.trace[3].dns_lookups, 3u);  // MX, then A of both exchanges
  bool saw_included = false;
  for (const TraceEntry& entry : r.trace)
    if (entry.domain == "_spf.partner.example.net" && entry.depth == 1) saw_included = true;
  EXPECT_TRUE(saw_included);
}

TEST(SpfCheckHost, ExplanationIsExpandedAfterFail) {
  dns::ZoneResolver z = zone(policy_zone);
  Result r = check(z, "192.0.2.9", "user@explained.example.com");
  ASSERT_EQ(r.outcome, Outcome::fail);
  EXPECT_EQ(r.explanation,
            "192.0.2.9 is not one of explained.example.com's designated mail servers.");
  Result plain = check(z, "192.0.2.200", "user@example.com");
  EXPECT_EQ(plain.explanation, "example.com does not designate 192.0.2.200 as a permitted sender");
}

TEST(SpfCheckHost, NullReversePathChecksPostmasterAtHelo) {
  dns::ZoneResolver z = zone(policy_zone);
  Result r = check(z, "192.0.2.77", "", "null-helo.example.org");
  EXPECT_EQ(r.outcome, Outcome::pass);
  EXPECT_EQ(r.identity, Identity::helo);
  EXPECT_EQ(r.sender, "postmaster@null-helo.example.org");
  // The HELO identity itself (RFC 7208 2.3), and a HELO that is no domain: none, with the
  // literal postmaster@ sender.
  Envelope envelope{core::IpAddress::parse("192.0.2.77").value(), "null-helo.example.org", ""};
  Result helo = core::sync_wait(check_helo(z, envelope));
  EXPECT_EQ(helo.sender, "postmaster@null-helo.example.org");
  EXPECT_EQ(helo.domain, "null-helo.example.org");
  envelope.helo = "user@null-helo.example.org";
  Result odd = core::sync_wait(check_helo(z, envelope));
  EXPECT_EQ(odd.outcome, Outcome::none);
  EXPECT_EQ(odd.sender, "postmaster@user@null-helo.example.org");
}

TEST(SpfCheckHost, DnsFailuresAreTemperror) {
  dns::ZoneResolver z = zone(policy_zone);
  EXPECT_EQ(check(z, "192.0.2.1", "a@slow.example.com").outcome, Outcome::temperror);
  EXPECT_EQ(check(z, "192.0.2.1", "a@broken.example.com").outcome, Outcome::temperror);
  EXPECT_EQ(check(z, "192.0.2.1", "a@nowhere.example.com").outcome, Outcome::none);
  EXPECT_EQ(check(z, "192.0.2.1", "a@single-label").outcome, Outcome::none);
}

std::string chain_zone(std::string_view term, int count) {
  std::string text = "$ORIGIN example.net.\n";
  for (int i = 0; i < count; ++i)
    text += "d" + std::to_string(i) + " TXT \"v=spf1 " + std::string(term) + "d" +
            std::to_string(i + 1) + ".example.net" + (term == "redirect=" ? "" : " -all") + "\"\n";
  text += "d" + std::to_string(count) + " TXT \"v=spf1 +all\"\n";
  return text;
}

TEST(SpfLimits, TenDnsTermsPassEleventhIsPermerror) {
  dns::ZoneResolver ten = zone(chain_zone("include:", 10));
  EXPECT_EQ(check(ten, "192.0.2.1", "a@d0.example.net").outcome, Outcome::pass);
  dns::ZoneResolver eleven = zone(chain_zone("include:", 11));
  Result r = check(eleven, "192.0.2.1", "a@d0.example.net");
  EXPECT_EQ(r.outcome, Outcome::permerror);
  EXPECT_EQ(r.dns_lookups, 11u);
  EXPECT_NE(r.reason.find("more than 10"), std::string::npos) << r.reason;
}

TEST(SpfLimits, RedirectChainOfTwentyIsPermerror) {
  dns::ZoneResolver z = zone(chain_zone("redirect=", 20));
  Result r = check(z, "192.0.2.1", "a@d0.example.net");
  EXPECT_EQ(r.outcome, Outcome::permerror);
  EXPECT_EQ(r.dns_lookups, 11u);
  dns::ZoneResolver short_chain = zone(chain_zone("redirect=", 9));
  EXPECT_EQ(check(short_chain, "192.0.2.1", "a@d0.example.net").outcome, Outcome::pass);
}

TEST(SpfLimits, IncludeLoopIsPermerror) {
  dns::ZoneResolver z = zone(R"(
loop.example. TXT "v=spf1 include:loop.example -all"
)");
  Result r = check(z, "192.0.2.1", "a@loop.example");
  EXPECT_EQ(r.outcome, Outcome::permerror);
  EXPECT_EQ(r.dns_lookups, 11u);
}

TEST(SpfLimits, VoidLookupsAreLimitedAndConfigurable) {
  dns::ZoneResolver z = zone(R"(
two.example.   TXT "v=spf1 a:n1.two.example a:n2.two.example -all"
three.example. TXT "v=spf1 a:n1.three.example a:n2.three.example exists:n3.three.example +all"
)");
  Result two = check(z, "192.0.2.1", "a@two.example");
  EXPECT_EQ(two.outcome, Outcome::fail);
  EXPECT_EQ(two.void_lookups, 2u);
  EXPECT_EQ(check(z, "192.0.2.1", "a@three.example").outcome, Outcome::permerror);
  Options lenient;
  lenient.max_void_lookups = 3;
  EXPECT_EQ(check(z, "192.0.2.1", "a@three.example", "h.example", lenient).outcome, Outcome::pass);
}

TEST(SpfLimits, ElevenMxIsPermerrorElevenPtrIgnoresTheRest) {
  std::string text = "many-mx.example. TXT \"v=spf1 mx -all\"\n";
  for (int i = 0; i < 11; ++i)
    text += "many-mx.example. MX " + std::to_string(i) + " mx" + std::to_string(i) +
            ".many-mx.example.\n";
  text += "many-ptr.example. TXT \"v=spf1 ptr -all\"\n";
  for (int i = 0; i < 11; ++i)
    text += "1.2.0.192.in-addr.arpa. PTR h" + std::to_string(i) + ".many-ptr.example.\n";
  text += "h10.many-ptr.example. A 192.0.2.1\n";  // only the ignored 11th name validates
  text += "h3.many-ptr.example. A 192.0.2.99\n";
  dns::ZoneResolver z = zone(text);
  EXPECT_EQ(check(z, "192.0.2.1", "a@many-mx.example").outcome, Outcome::permerror);
  EXPECT_EQ(check(z, "192.0.2.1", "a@many-ptr.example").outcome, Outcome::fail);
}

TEST(SpfConcurrency, MxExchangeLookupsRunTogether) {
  std::string text = "c.example. TXT \"v=spf1 mx -all\"\n";
  for (int i = 0; i < 8; ++i) {
    text += "c.example. MX 10 mx" + std::to_string(i) + ".c.example.\n";
    text += "mx" + std::to_string(i) + ".c.example. A 198.51.100." + std::to_string(i) + "\n";
  }
  dns::ZoneResolver z = zone(text);
  HoldingResolver holding(z);
  Result r = check(holding, "198.51.100.7", "a@c.example");
  EXPECT_EQ(r.outcome, Outcome::pass);
  EXPECT_EQ(holding.max_in_flight(), 8u);
}

TEST(SpfConcurrency, PtrValidationLookupsRunTogether) {
  std::string text = "p.example. TXT \"v=spf1 ptr -all\"\n";
  for (int i = 0; i < 5; ++i) {
    text += "7.100.51.198.in-addr.arpa. PTR h" + std::to_string(i) + ".p.example.\n";
    text += "h" + std::to_string(i) + ".p.example. A 198.51.100." + std::to_string(3 + i) + "\n";
  }
  dns::ZoneResolver z = zone(text);
  HoldingResolver holding(z);
  EXPECT_EQ(check(holding, "198.51.100.7", "a@p.example").outcome, Outcome::pass);
  EXPECT_EQ(holding.max_in_flight(), 5u);
}

TEST(SpfHostile, HugeAndTrickyPolicies) {
  std::string terms;
  for (int i = 0; i < 5000; ++i)
    terms += " ip4:10." + std::to_string(i / 256 % 256) + "." + std::to_string(i % 256) + ".1";
  std::string big = "v=spf1" + terms + " -all";
  dns::ZoneResolver z;
  // One TXT record of many strings, 64 KB in all.
  std::vector<std::string> strings;
  for (std::size_t i = 0; i < big.size(); i += 255) strings.push_back(big.substr(i, 255));
  z.add_txt("big.example", strings);
  z.add_txt("junk.example", {"v=spf1 " + std::string(65000, 'x')});
  z.add_txt("macro.example", {"v=spf1 exists:%{l}%{l}%{l}%{l}%{l}.%{d} -all"});
  z.add_txt("nonascii.example", {"v=spf1 a:\xff\xfe.example -all"});
  z.add_txt("twice.example", {"v=spf1 -all"});
  z.add_txt("twice.example", {"v=spf1 +all"});
  Options traced;
  traced.trace = true;
  Result big_result = check(z, "192.0.2.1", "a@big.example", "h.example", traced);
  EXPECT_EQ(big_result.outcome, Outcome::fail);
  EXPECT_LE(big_result.trace.size(), Options{}.max_trace_entries + 1);
  EXPECT_EQ(check(z, "192.0.2.1", "a@junk.example").outcome, Outcome::permerror);
  EXPECT_EQ(check(z, "192.0.2.1", std::string(60, 'l') + "@macro.example").outcome, Outcome::fail);
  EXPECT_EQ(check(z, "192.0.2.1", "a@nonascii.example").outcome, Outcome::permerror);
  EXPECT_EQ(check(z, "192.0.2.1", "a@twice.example").outcome, Outcome::permerror);
  std::string huge_sender = std::string(100000, 'a') + "@macro.example";
  // The expansion exceeds any legal name: like an unusable name, it matches nothing.
  EXPECT_EQ(check(z, "192.0.2.1", huge_sender).outcome, Outcome::fail);
}

}  // namespace
}  // namespace hallmark::spf
