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
    // pct= (RFC 7489): the draw is 0.5, so pct=50 and below leave the message out.
    {"v=DMARC1; p=reject; pct=100", "case.test", {}, Outcome::fail, "p", Disposition::reject},
    {"v=DMARC1; p=reject; pct=51", "case.test", {}, Outcome::fail, "p", Disposition::reject},
    {"v=DMARC1; p=reject; pct=50", "case.test", {}, Outcome::fail, "p", Disposition::quarantine},
    {"v=DMARC1; p=quarantine; pct=0", "case.test", {}, Outcome::fail, "p", Disposition::none},
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
