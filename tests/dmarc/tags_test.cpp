// SPDX-License-Identifier: Apache-2.0
// Every record tag and its invalid forms, end to end: a zone fixture publishes one record per
// case, and evaluation shows what the tag did to the result (RFC 9989 4.7, 4.8, 4.10.1; RFC
// 7489 6.3 for pct=).
#include <gtest/gtest.h>

#include <fmt/format.h>

#include "hallmark/core/sync_wait.hpp"
#include "hallmark/dmarc/evaluate.hpp"
#include "hallmark/dns/zone_resolver.hpp"

namespace hallmark::dmarc {
namespace {

struct TagCase {
  std::string_view record;  // published at _dmarc.case.test
  std::string_view author;  // the author domain evaluated
  Identifiers identifiers;  // authenticated identifiers (none: the message fails)
  Outcome outcome;
  std::string_view policy_tag;  // "" when no record applies
  Disposition disposition;
};

Identifiers dkim(std::string domain) { return Identifiers{{}, false, {std::move(domain)}}; }
Identifiers spf(std::string domain) { return Identifiers{std::move(domain), true, {}}; }

const TagCase tag_cases[] = {
    // v=: the first tag, exactly DMARC1; anything else is not a DMARC record.
    {"v=DMARC1; p=reject", "case.test", {}, Outcome::fail, "p", Disposition::reject},
    {"v=DMARC2; p=reject", "case.test", {}, Outcome::none, "", Disposition::none},
    {"v=dmarc1; p=reject", "case.test", {}, Outcome::none, "", Disposition::none},
    {"p=reject; v=DMARC1", "case.test", {}, Outcome::none, "", Disposition::none},
    {"p=reject", "case.test", {}, Outcome::none, "", Disposition::none},
    // p=: values in any case; invalid or absent means p=none with a valid rua=, else no DMARC.
    {"v=DMARC1; p=Quarantine", "case.test", {}, Outcome::fail, "p", Disposition::quarantine},
    {"v=DMARC1; p=none", "case.test", {}, Outcome::fail, "p", Disposition::none},
    {"v=DMARC1; p=bogus", "case.test", {}, Outcome::none, "", Disposition::none},
    {"v=DMARC1; p=bogus; rua=mailto:r@case.test",
     "case.test",
     {},
     Outcome::fail,
     "p",
     Disposition::none},
    {"v=DMARC1; rua=mailto:r@case.test", "case.test", {}, Outcome::fail, "p", Disposition::none},
    {"v=DMARC1; p=reject; rua=not-a-uri", "case.test", {}, Outcome::fail, "p", Disposition::reject},
    {"v=DMARC1; rua=not-a-uri", "case.test", {}, Outcome::none, "", Disposition::none},
    // sp=: existing subdomains; invalid means the record applies as p=none only with rua=.
    {"v=DMARC1; p=reject; sp=quarantine",
     "sub.case.test",
     {},
     Outcome::fail,
     "sp",
     Disposition::quarantine},
    {"v=DMARC1; p=reject; sp=quarantine", "case.test", {}, Outcome::fail, "p", Disposition::reject},
    {"v=DMARC1; p=reject", "sub.case.test", {}, Outcome::fail, "p", Disposition::reject},
    {"v=DMARC1; p=reject; sp=bogus", "sub.case.test", {}, Outcome::none, "", Disposition::none},
    {"v=DMARC1; p=reject; sp=bogus; rua=mailto:r@case.test",
     "sub.case.test",
     {},
     Outcome::fail,
     "p",
     Disposition::none},
    // np=: subdomains that do not exist (NXDOMAIN), else sp=, else p=.
    {"v=DMARC1; p=none; sp=quarantine; np=reject",
     "gone.case.test",
     {},
     Outcome::fail,
     "np",
     Disposition::reject},
    {"v=DMARC1; p=none; sp=quarantine; np=reject",
     "sub.case.test",
     {},
     Outcome::fail,
     "sp",
     Disposition::quarantine},
    {"v=DMARC1; p=none; sp=quarantine",
     "gone.case.test",
     {},
     Outcome::fail,
     "sp",
     Disposition::quarantine},
    {"v=DMARC1; p=quarantine", "gone.case.test", {}, Outcome::fail, "p", Disposition::quarantine},
    {"v=DMARC1; p=reject; np=bogus", "gone.case.test", {}, Outcome::none, "", Disposition::none},
    // adkim= and aspf=: s is strict; r and anything invalid is relaxed.
    {"v=DMARC1; p=reject; adkim=s", "case.test", dkim("sub.case.test"), Outcome::fail, "p",
     Disposition::reject},
    {"v=DMARC1; p=reject; adkim=s", "case.test", dkim("case.test"), Outcome::pass, "p",
     Disposition::none},
    {"v=DMARC1; p=reject; adkim=r", "case.test", dkim("sub.case.test"), Outcome::pass, "p",
     Disposition::none},
    {"v=DMARC1; p=reject; adkim=strict", "case.test", dkim("sub.case.test"), Outcome::pass, "p",
     Disposition::none},
    {"v=DMARC1; p=reject; aspf=s", "case.test", spf("bounce.case.test"), Outcome::fail, "p",
     Disposition::reject},
    {"v=DMARC1; p=reject; aspf=S", "case.test", spf("bounce.case.test"), Outcome::fail, "p",
     Disposition::reject},
    {"v=DMARC1; p=reject; aspf=x", "case.test", spf("bounce.case.test"), Outcome::pass, "p",
     Disposition::none},
    // t=: y lowers the disposition one step; n and invalid values do nothing.
    {"v=DMARC1; p=reject; t=y", "case.test", {}, Outcome::fail, "p", Disposition::quarantine},
    {"v=DMARC1; p=quarantine; t=y", "case.test", {}, Outcome::fail, "p", Disposition::none},
    {"v=DMARC1; p=reject; t=n", "case.test", {}, Outcome::fail, "p", Disposition::reject},
    {"v=DMARC1; p=reject; t=yes", "case.test", {}, Outcome::fail, "p", Disposition::reject},
    // pct= is historic under RFC 9989 (the default rules): ignored, but for pct=0 without t=,
    // which reads as t=y (RFC 9989 A.6). DmarcTestingAndPct has RFC 7489 sampling.
    {"v=DMARC1; p=reject; pct=100", "case.test", {}, Outcome::fail, "p", Disposition::reject},
    {"v=DMARC1; p=reject; pct=51", "case.test", {}, Outcome::fail, "p", Disposition::reject},
    {"v=DMARC1; p=reject; pct=50", "case.test", {}, Outcome::fail, "p", Disposition::reject},
    {"v=DMARC1; p=quarantine; pct=0", "case.test", {}, Outcome::fail, "p", Disposition::none},
    {"v=DMARC1; p=reject; pct=0; t=n", "case.test", {}, Outcome::fail, "p", Disposition::reject},
    {"v=DMARC1; p=reject; pct=101", "case.test", {}, Outcome::fail, "p", Disposition::reject},
    {"v=DMARC1; p=reject; pct=-1", "case.test", {}, Outcome::fail, "p", Disposition::reject},
    {"v=DMARC1; p=reject; pct=abc", "case.test", {}, Outcome::fail, "p", Disposition::reject},
    // Tags that do not change the verdict, valid or not, and unknown tags.
    {"v=DMARC1; p=reject; fo=1:d:s; rf=afrf; ri=3600; ruf=mailto:f@case.test",
     "case.test",
     {},
     Outcome::fail,
     "p",
     Disposition::reject},
    {"v=DMARC1; p=reject; fo=x; rf=; ri=soon; ruf=::",
     "case.test",
     {},
     Outcome::fail,
     "p",
     Disposition::reject},
    {"v=DMARC1; p=reject; psd=q; future=1; x=",
     "case.test",
     {},
     Outcome::fail,
     "p",
     Disposition::reject},
    // Syntax around the tags: spaces, empty tags, a missing final semicolon, repeated tags.
    {"v=DMARC1 ;; p = reject ;", "case.test", {}, Outcome::fail, "p", Disposition::reject},
    {"v=DMARC1; p=none; p=reject", "case.test", {}, Outcome::fail, "p", Disposition::none},
};

TEST(DmarcTags, EveryTagAndItsInvalidFormsThroughEvaluation) {
  for (const TagCase& c : tag_cases) {
    std::string zone_text = fmt::format(
        "_dmarc.case.test. TXT \"{}\"\ncase.test. A 192.0.2.1\nsub.case.test. A 192.0.2.2\n",
        c.record);
    auto zone = dns::ZoneResolver::from_text(zone_text, "tags.zone");
    ASSERT_TRUE(zone) << zone.error().message;
    Options options;
    options.random = [] { return 0.5; };
    Result r = core::sync_wait(evaluate(*zone, std::string(c.author), c.identifiers, options));
    SCOPED_TRACE(fmt::format("record \"{}\", author {}", c.record, c.author));
    EXPECT_EQ(r.outcome, c.outcome) << r.reason;
    EXPECT_EQ(r.policy_tag, c.policy_tag);
    EXPECT_EQ(r.disposition, c.disposition);
    EXPECT_EQ(r.record != nullptr, !c.policy_tag.empty());
    if (r.record) {
      EXPECT_EQ(r.record_domain, "case.test");
    }
  }
}

// t= and pct= together, every combination under both sets of rules: the disposition of a
// failing message is its policy lowered by one level at most, never twice (p=reject; t=y;
// pct=50 is quarantine or reject, never none).
TEST(DmarcTestingAndPct, EveryCombinationLowersAtMostOneLevel) {
  const std::pair<std::string_view, Disposition> policies[] = {
      {"none", Disposition::none},
      {"quarantine", Disposition::quarantine},
      {"reject", Disposition::reject}};
  const std::string_view testing_tags[] = {"", "; t=y", "; t=n"};
  const std::string_view percent_tags[] = {"", "; pct=0", "; pct=50", "; pct=100"};
  auto lower = [](Disposition d) {
    return d == Disposition::reject ? Disposition::quarantine : Disposition::none;
  };
  for (auto [policy, published] : policies) {
    for (std::string_view t : testing_tags) {
      for (std::string_view pct : percent_tags) {
        std::string record = fmt::format("v=DMARC1; p={}{}{}", policy, t, pct);
        auto zone = dns::ZoneResolver::from_text(
            fmt::format("_dmarc.case.test. TXT \"{}\"\n", record), "pct.zone");
        ASSERT_TRUE(zone);
        for (PctRules rules : {PctRules::rfc9989, PctRules::rfc7489}) {
          for (double draw : {0.10, 0.75}) {
            SCOPED_TRACE(fmt::format("{} under {}, draw {}", record, to_string(rules), draw));
            Options options;
            options.pct_rules = rules;
            options.random = [draw] { return draw; };
            Result r = core::sync_wait(evaluate(*zone, "case.test", {}, options));
            ASSERT_EQ(r.outcome, Outcome::fail);
            bool lowered = false;
            if (rules == PctRules::rfc9989) {
              // t=y, or a legacy pct=0 where t= says nothing.
              lowered = t == "; t=y" || (t.empty() && pct == "; pct=0");
            } else {
              // Sampling: pct=0 leaves every message out, pct=50 those drawn at 0.5 or above.
              lowered = pct == "; pct=0" || (pct == "; pct=50" && draw >= 0.5);
            }
            Disposition expected = lowered ? lower(published) : published;
            EXPECT_EQ(r.disposition, expected);
            EXPECT_EQ(r.testing,
                      lowered && rules == PctRules::rfc9989 && published != Disposition::none);
            EXPECT_EQ(r.sampled_out,
                      lowered && rules == PctRules::rfc7489 && published != Disposition::none);
            if (published == Disposition::reject) {
              EXPECT_NE(r.disposition, Disposition::none);
            }
          }
        }
      }
    }
  }
}

// RFC 9989 4.10.1: with no record at the author or organizational domain, a public suffix
// domain's record (psd=y) applies; psd=n makes its domain the organizational domain.
TEST(DmarcTags, PsdFlagChoosesTheOrganizationalDomain) {
  auto zone = dns::ZoneResolver::from_text(R"(
_dmarc.psd.test.               TXT "v=DMARC1; p=reject; psd=y"
_dmarc.org.psd.test.           TXT "v=DMARC1; p=quarantine; psd=n"
_dmarc.a.b.other.test.         TXT "v=DMARC1; p=none; psd=maybe"
_dmarc.other.test.             TXT "v=DMARC1; p=reject"
org.psd.test.                  A   192.0.2.1
mail.org.psd.test.             A   192.0.2.1
)",
                                           "psd.zone");
  ASSERT_TRUE(zone) << zone.error().message;
  Result under_psd = core::sync_wait(evaluate(*zone, "other.psd.test", {}));
  EXPECT_EQ(under_psd.record_domain, "psd.test");
  EXPECT_EQ(under_psd.disposition, Disposition::reject);
  Result under_org = core::sync_wait(evaluate(*zone, "mail.org.psd.test", dkim("org.psd.test")));
  EXPECT_EQ(under_org.organizational_domain, "org.psd.test");
  EXPECT_EQ(under_org.outcome, Outcome::pass);
  // psd=maybe counts as psd=u: the walk goes past it, and the shortest name with a record is
  // the organizational domain. Read as psd=n it would have been a.b.other.test.
  Result invalid_flag = core::sync_wait(evaluate(*zone, "a.b.other.test", dkim("other.test")));
  EXPECT_EQ(invalid_flag.record_domain, "a.b.other.test");
  EXPECT_EQ(invalid_flag.organizational_domain, "other.test");
  EXPECT_EQ(invalid_flag.outcome, Outcome::pass);
}

}  // namespace
}  // namespace hallmark::dmarc
