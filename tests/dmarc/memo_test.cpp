// SPDX-License-Identifier: Apache-2.0
// Author policies remembered per thread with the answers they came from: an author domain met
// again gets the same policy while those answers stand, and a new one as soon as the cache
// hands out another answer (expired, cleared), never a policy the DNS no longer says.
#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "hallmark/core/sync_wait.hpp"
#include "hallmark/dmarc/evaluate.hpp"
#include "hallmark/dns/caching_resolver.hpp"
#include "hallmark/dns/scoped_resolver.hpp"
#include "hallmark/dns/zone_resolver.hpp"

namespace hallmark::dmarc {
namespace {

using Clock = std::chrono::steady_clock;

dns::ZoneResolver zone_saying(std::string_view policy) {
  auto parsed = dns::ZoneResolver::from_text(
      std::string("_dmarc.memo.example. 300 TXT \"v=DMARC1; p=") + std::string(policy) +
          "; rua=mailto:r@memo.example,mailto:r@reports.example\"\n"
          "*._report._dmarc.reports.example. 300 TXT \"v=DMARC1\"\n"
          "mail.memo.example. 300 A 192.0.2.1\n",
      "memo.zone");
  EXPECT_TRUE(parsed) << parsed.error().message;
  return parsed ? std::move(*parsed) : dns::ZoneResolver();
}

// Forwards to whichever zone the test says, as a DNS server whose data changes.
class SwitchableResolver final : public dns::Resolver {
 public:
  explicit SwitchableResolver(dns::Resolver* inner) : inner_(inner) {}
  void lookup(std::string_view name, dns::Type type, Completion done) override {
    inner_->lookup(name, type, std::move(done));
  }
  void point_at(dns::Resolver* inner) { inner_ = inner; }

 private:
  dns::Resolver* inner_;
};

// A cache on a clock the test moves.
struct World {
  dns::ZoneResolver reject = zone_saying("reject");
  dns::ZoneResolver none = zone_saying("none");
  SwitchableResolver upstream{&reject};
  Clock::time_point now = Clock::now();
  dns::CachingResolver cache{upstream, clock_options()};

  dns::CacheOptions clock_options() {
    dns::CacheOptions options;
    options.now = [this] { return now; };
    return options;
  }
  std::shared_ptr<const AuthorPolicy> policy(dns::Resolver& resolver, std::string author,
                                             Options options = {}) {
    PolicyLookup lookup = core::sync_wait(lookup_policy(resolver, std::move(author), options));
    EXPECT_EQ(lookup.authors.size(), 1u);
    return lookup.authors.empty() ? nullptr : lookup.authors.front();
  }
};

Policy applied(const AuthorPolicy& author) {
  return author.discovery.policy ? author.discovery.policy->record->policy.value_or(Policy::none)
                                 : Policy::none;
}

TEST(DmarcMemo, AnAuthorMetAgainGetsTheSamePolicyWhileItsAnswersStand) {
  World w;
  auto first = w.policy(w.cache, "mail.memo.example");
  auto second = w.policy(w.cache, "mail.memo.example");
  ASSERT_TRUE(first && second);
  EXPECT_EQ(first.get(), second.get());
  EXPECT_EQ(applied(*second), Policy::reject);
  // Another spelling is another key, the same policy worked out again.
  auto upper = w.policy(w.cache, "MAIL.memo.example");
  EXPECT_NE(upper.get(), first.get());
  EXPECT_EQ(upper->author_domain, "mail.memo.example");
}

TEST(DmarcMemo, AnExpiredAnswerGivesThePolicyTheDnsSaysNow) {
  World w;
  auto before = w.policy(w.cache, "mail.memo.example");
  ASSERT_EQ(applied(*before), Policy::reject);
  w.upstream.point_at(&w.none);
  // Within the TTL the cache still holds the record it had, and so does the memo.
  w.now += std::chrono::seconds(100);
  EXPECT_EQ(applied(*w.policy(w.cache, "mail.memo.example")), Policy::reject);
  // Past it the record is looked up again, and the remembered policy is not handed out.
  w.now += std::chrono::seconds(300);
  auto after = w.policy(w.cache, "mail.memo.example");
  EXPECT_NE(after.get(), before.get());
  EXPECT_EQ(applied(*after), Policy::none);
}

TEST(DmarcMemo, AClearedCacheIsNotOutlivedByTheMemo) {
  World w;
  auto before = w.policy(w.cache, "mail.memo.example");
  w.upstream.point_at(&w.none);
  w.cache.clear();
  auto after = w.policy(w.cache, "mail.memo.example");
  EXPECT_NE(after.get(), before.get());
  EXPECT_EQ(applied(*after), Policy::none);
}

TEST(DmarcMemo, ANameLongerThanDnsCarriesIsAPermerrorEachTime) {
  World w;
  const std::string huge = std::string(300, 'a') + ".memo.example";
  for (int round = 0; round < 2; ++round) {
    Result r = core::sync_wait(evaluate(w.cache, huge, Identifiers{"memo.example", true, {}}));
    EXPECT_EQ(r.outcome, Outcome::permerror) << r.reason;
  }
}

TEST(DmarcMemo, AResolverWithoutCacheWorksItOutEachTime) {
  World w;
  auto first = w.policy(w.reject, "mail.memo.example");
  auto second = w.policy(w.reject, "mail.memo.example");
  EXPECT_NE(first.get(), second.get());
  EXPECT_EQ(applied(*second), Policy::reject);
}

TEST(DmarcMemo, OptionsThatChangeThePolicyAreKeptApart) {
  World w;
  Options with_destinations;
  with_destinations.verify_report_destinations = true;
  auto plain = w.policy(w.cache, "mail.memo.example");
  auto checked = w.policy(w.cache, "mail.memo.example", with_destinations);
  EXPECT_TRUE(plain->aggregate_uris.empty());
  EXPECT_EQ(checked->aggregate_uris,
            (std::vector<std::string>{"mailto:r@memo.example", "mailto:r@reports.example"}));
  Options psl;
  psl.discovery = DiscoveryMode::psl;
  auto by_list = w.policy(w.cache, "mail.memo.example", psl);
  EXPECT_NE(by_list.get(), plain.get());
  EXPECT_EQ(w.policy(w.cache, "mail.memo.example").get(), plain.get());
}

TEST(DmarcMemo, AScopedResolverCountsARememberedPolicyAsTheLookupsItTook) {
  World w;
  Options with_destinations;
  with_destinations.verify_report_destinations = true;
  std::size_t counted[2] = {};
  for (std::size_t round = 0; round < 2; ++round) {
    dns::ScopedResolver scope(w.cache);
    w.policy(scope, "mail.memo.example", with_destinations);
    counted[round] = scope.lookups();
  }
  // _dmarc at mail.memo.example, memo.example and example, then the external destination.
  EXPECT_EQ(counted[0], 4u);
  EXPECT_EQ(counted[1], counted[0]);
}

TEST(DmarcMemo, EachThreadKeepsItsOwn) {
  World w;
  auto here = w.policy(w.cache, "mail.memo.example");
  std::shared_ptr<const AuthorPolicy> there;
  std::thread([&] {
    there = w.policy(w.cache, "mail.memo.example");
    EXPECT_EQ(w.policy(w.cache, "mail.memo.example").get(), there.get());
  }).join();
  EXPECT_NE(here.get(), there.get());
  EXPECT_EQ(applied(*there), Policy::reject);
}

TEST(DmarcMemo, EvaluationsOnARememberedPolicyAreTheSame) {
  World w;
  Identifiers aligned{"memo.example", true, {}};
  Identifiers unaligned{"other.example", true, {}};
  for (int round = 0; round < 2; ++round) {
    Result pass = core::sync_wait(evaluate(w.cache, "mail.memo.example", aligned));
    EXPECT_EQ(pass.outcome, Outcome::pass);
    EXPECT_TRUE(pass.spf_aligned);
    Result fail = core::sync_wait(evaluate(w.cache, "mail.memo.example", unaligned));
    EXPECT_EQ(fail.outcome, Outcome::fail);
    EXPECT_EQ(fail.disposition, Disposition::reject);
    EXPECT_EQ(fail.organizational_domain, "memo.example");
  }
}

}  // namespace
}  // namespace hallmark::dmarc
