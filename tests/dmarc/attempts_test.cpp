// SPDX-License-Identifier: Apache-2.0
// DMARC evaluation as attempts over the answers at hand: warm, the whole evaluation is done
// without asking the upstream anything; cold, it fetches what each attempt wanted (the walks
// of several alignment candidates together) and gives exactly what the warm one gives. Each
// name is asked once per evaluation, however many attempts it takes.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "hallmark/core/sync_wait.hpp"
#include "hallmark/dmarc/evaluate.hpp"
#include "hallmark/dns/caching_resolver.hpp"
#include "hallmark/dns/scoped_resolver.hpp"
#include "hallmark/dns/zone_resolver.hpp"
#include "support/holding_resolver.hpp"

namespace hallmark::dmarc {
namespace {

using test_support::HoldingResolver;

constexpr std::string_view zone_text = R"(
_dmarc.example.com.        TXT "v=DMARC1; p=reject; sp=quarantine; np=reject; rua=mailto:a@example.com,mailto:a@reports.example.net"
example.com.               A   192.0.2.1
mail.example.com.          A   192.0.2.2
_dmarc.psd.example.        TXT "v=DMARC1; p=quarantine; psd=y"
_dmarc.org.psd.example.    TXT "v=DMARC1; p=none"
*._report._dmarc.reports.example.net. TXT "v=DMARC1"
)";

dns::ZoneResolver zone() {
  auto parsed = dns::ZoneResolver::from_text(zone_text, "attempts.zone");
  EXPECT_TRUE(parsed) << parsed.error().message;
  return parsed ? std::move(*parsed) : dns::ZoneResolver();
}

struct Case {
  std::string author;
  Identifiers ids;
};

// Strict and relaxed alignment, candidates that need walks of their own (two at once),
// sp= for an existing subdomain, np= for a missing one, a public suffix domain.
std::vector<Case> cases() {
  return {
      {"example.com", Identifiers{"example.com", true, {}}},
      {"example.com", Identifiers{"a.b.example.com", true, {"x.y.example.com"}}},
      {"mail.example.com", Identifiers{{}, false, {"other.example.net"}}},
      {"missing.example.com", Identifiers{{}, false, {"other.example.net"}}},
      {"deep.org.psd.example", Identifiers{"org.psd.example", true, {}}},
      {"unknown.test", Identifiers{"unknown.test", true, {}}},
  };
}

Options with_reports() {
  Options options;
  options.verify_report_destinations = true;
  return options;
}

Result run(dns::Resolver& resolver, const Case& c, core::Pump* pump) {
  return core::sync_wait(evaluate(resolver, c.author, c.ids, with_reports()), pump);
}

void expect_same(const Result& a, const Result& b, std::string_view what) {
  SCOPED_TRACE(std::string(what));
  EXPECT_EQ(a.outcome, b.outcome);
  EXPECT_EQ(a.reason, b.reason);
  EXPECT_EQ(a.author_domain, b.author_domain);
  EXPECT_EQ(a.record_domain, b.record_domain);
  EXPECT_EQ(a.organizational_domain, b.organizational_domain);
  EXPECT_EQ(a.policy, b.policy);
  EXPECT_EQ(a.policy_tag, b.policy_tag);
  EXPECT_EQ(a.disposition, b.disposition);
  EXPECT_EQ(a.spf_aligned, b.spf_aligned);
  EXPECT_EQ(a.dkim_aligned, b.dkim_aligned);
  EXPECT_EQ(a.aggregate_uris, b.aggregate_uris);
}

TEST(DmarcAttempts, ColdAndWarmEvaluationsGiveTheSameResult) {
  for (const Case& c : cases()) {
    dns::ZoneResolver z = zone();
    HoldingResolver upstream(z);
    dns::CachingResolver cache(upstream);
    Result cold = run(cache, c, &upstream);
    const std::size_t fetched = upstream.started().size();
    EXPECT_GT(fetched, 0u) << c.author;
    Result warm = run(cache, c, nullptr);  // no pump: it must not need one
    EXPECT_EQ(upstream.started().size(), fetched) << c.author << " asked upstream again";
    expect_same(cold, warm, c.author);
    expect_same(cold, run(z, c, nullptr), c.author);  // no cache: every lookup is wanted
  }
}

TEST(DmarcAttempts, OutcomesAreTheOnesTheRecordsSay) {
  dns::ZoneResolver z = zone();
  std::vector<Case> all = cases();
  Result strict = run(z, all[0], nullptr);
  EXPECT_EQ(strict.outcome, Outcome::pass);
  EXPECT_EQ(strict.aggregate_uris,
            (std::vector<std::string>{"mailto:a@example.com", "mailto:a@reports.example.net"}));
  Result walked = run(z, all[1], nullptr);
  EXPECT_TRUE(walked.spf_aligned && walked.dkim_aligned);
  Result sub = run(z, all[2], nullptr);
  EXPECT_EQ(sub.outcome, Outcome::fail);
  EXPECT_EQ(sub.policy_tag, "sp");
  Result missing = run(z, all[3], nullptr);
  EXPECT_EQ(missing.policy_tag, "np");
  EXPECT_EQ(missing.disposition, Disposition::reject);
  Result psd = run(z, all[4], nullptr);
  EXPECT_EQ(psd.outcome, Outcome::pass);
  EXPECT_EQ(psd.organizational_domain, "org.psd.example");
  EXPECT_EQ(run(z, all[5], nullptr).outcome, Outcome::none);
}

TEST(DmarcAttempts, WalksOfSeveralCandidatesGoOutTogether) {
  dns::ZoneResolver z = zone();
  HoldingResolver upstream(z);
  // Two candidates below the organizational domain, each needing its own walk.
  Result r = run(upstream, cases()[1], &upstream);
  EXPECT_EQ(r.outcome, Outcome::pass);
  EXPECT_GE(upstream.max_in_flight(), 2u);
}

TEST(DmarcAttempts, EachNameIsAskedOncePerEvaluation) {
  dns::ZoneResolver z = zone();
  HoldingResolver upstream(z);
  dns::CachingResolver cache(upstream);
  std::size_t cold_lookups = 0;
  for (int round = 0; round < 2; ++round) {
    dns::ScopedResolver scope(cache);
    Result r = run(scope, cases()[1], &upstream);
    EXPECT_EQ(r.outcome, Outcome::pass);
    if (round == 0) cold_lookups = scope.lookups();
    EXPECT_EQ(scope.lookups(), cold_lookups) << "round " << round;
  }
  // _dmarc at example.com and com, the two candidates' walks below it (a.b., b., x.y., y.),
  // the external report destination.
  EXPECT_EQ(cold_lookups, 7u);
}

TEST(DmarcAttempts, PolicyLookupThenEvaluateMatchesOneCall) {
  dns::ZoneResolver z = zone();
  for (const Case& c : cases()) {
    PolicyLookup lookup = core::sync_wait(lookup_policy(z, c.author, with_reports()));
    Result two_steps = core::sync_wait(evaluate(z, std::move(lookup), c.ids, with_reports()));
    expect_same(two_steps, run(z, c, nullptr), c.author);
  }
}

}  // namespace
}  // namespace hallmark::dmarc
