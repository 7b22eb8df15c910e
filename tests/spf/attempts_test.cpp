// SPDX-License-Identifier: Apache-2.0
// check_host() as attempts over the answers at hand: with a warm cache the first attempt
// finishes without asking the upstream anything; a cold check fetches what each attempt
// wanted and starts over, and must give exactly what the warm one gives. Also an expired
// entry, a lookup already in flight for another check, and the per-message lookup count.
#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <vector>

#include "hallmark/core/sync_wait.hpp"
#include "hallmark/core/when_all.hpp"
#include "hallmark/dns/caching_resolver.hpp"
#include "hallmark/dns/scoped_resolver.hpp"
#include "hallmark/dns/zone_resolver.hpp"
#include "hallmark/spf/evaluate.hpp"
#include "support/holding_resolver.hpp"

namespace hallmark::spf {
namespace {

using std::chrono::seconds;
using test_support::HoldingResolver;

// One zone exercising every mechanism, include chains, redirect, exp= and %{p}.
constexpr std::string_view zone_text = R"zone(
$ORIGIN example.com.
@          TXT "v=spf1 ip4:192.0.2.0/25 a:mail.example.com mx include:_spf.partner.example.net -all"
mail       A    198.51.100.7
@          MX   10 mx1
@          MX   20 mx2
@          MX   30 mx3
mx1        A    198.51.100.21
mx2        A    198.51.100.22
mx3        A    198.51.100.23
_spf.partner.example.net. TXT "v=spf1 include:deep.partner.example.net ~all"
deep.partner.example.net. TXT "v=spf1 ip4:203.0.113.0/24 -all"
redirected TXT "v=spf1 redirect=example.com"
explained  TXT "v=spf1 exists:%{i}.allow.example.com -all exp=why.%{d}"
why.explained TXT "%{i} is not allowed to send for %{d} (%{p})"
7.100.51.198.in-addr.arpa. PTR mail.example.com.
ptr        TXT "v=spf1 ptr:example.com -all"
loop       TXT "v=spf1 include:loop.example.com -all"
)zone";

dns::ZoneResolver zone() {
  auto parsed = dns::ZoneResolver::from_text(zone_text, "attempts.zone");
  EXPECT_TRUE(parsed) << parsed.error().message;
  return parsed ? std::move(*parsed) : dns::ZoneResolver();
}

struct Case {
  std::string_view ip;
  std::string_view mail_from;
};

// Each case ends differently: pass by ip4, a, mx, include chain; softfail and fail from
// deep in an include; redirect; a fail explained with %{p}; ptr; an include loop.
const std::vector<Case> cases = {
    {"192.0.2.3", "a@example.com"},
    {"198.51.100.7", "b@example.com"},
    {"198.51.100.23", "c@example.com"},
    {"203.0.113.9", "d@example.com"},
    {"198.51.100.99", "e@example.com"},
    {"203.0.113.9", "f@redirected.example.com"},
    {"198.51.100.7", "g@explained.example.com"},
    {"198.51.100.7", "h@ptr.example.com"},
    {"192.0.2.3", "i@loop.example.com"},
};

Options traced() {
  Options options;
  options.trace = true;
  options.now = [] { return std::int64_t{1700000000}; };
  return options;
}

Result check(dns::Resolver& resolver, const Case& c, core::Pump* pump) {
  Envelope envelope{core::IpAddress::parse(c.ip).value(), "mail.example.org",
                    std::string(c.mail_from)};
  return core::sync_wait(check_mail_from(resolver, envelope, traced()), pump);
}

void expect_same(const Result& a, const Result& b, std::string_view what) {
  SCOPED_TRACE(std::string(what));
  EXPECT_EQ(a.outcome, b.outcome);
  EXPECT_EQ(a.reason, b.reason);
  EXPECT_EQ(a.mechanism, b.mechanism);
  EXPECT_EQ(a.explanation, b.explanation);
  EXPECT_EQ(a.dns_lookups, b.dns_lookups);
  EXPECT_EQ(a.void_lookups, b.void_lookups);
  ASSERT_EQ(a.trace.size(), b.trace.size());
  for (std::size_t i = 0; i < a.trace.size(); ++i) {
    EXPECT_EQ(a.trace[i].domain, b.trace[i].domain);
    EXPECT_EQ(a.trace[i].term, b.trace[i].term);
    EXPECT_EQ(a.trace[i].dns_lookups, b.trace[i].dns_lookups);
    EXPECT_EQ(a.trace[i].depth, b.trace[i].depth);
    EXPECT_EQ(a.trace[i].matched, b.trace[i].matched);
    EXPECT_EQ(a.trace[i].note, b.trace[i].note);
  }
}

class SpfAttempts : public testing::Test {
 protected:
  dns::CacheOptions cache_options() {
    dns::CacheOptions o;
    o.now = [this] { return now_; };
    return o;
  }
  std::chrono::steady_clock::time_point now_{};
  dns::ZoneResolver zone_ = zone();
  HoldingResolver upstream_{zone_};
};

TEST_F(SpfAttempts, ColdAndWarmChecksGiveTheSameResult) {
  for (const Case& c : cases) {
    dns::ZoneResolver fresh_zone = zone();
    HoldingResolver fresh_upstream(fresh_zone);
    dns::CachingResolver cache(fresh_upstream, cache_options());
    Result cold = check(cache, c, &fresh_upstream);
    const std::size_t fetched = fresh_upstream.started().size();
    EXPECT_GT(fetched, 0u) << c.mail_from;
    Result warm = check(cache, c, nullptr);  // no pump: it must not need one
    EXPECT_EQ(fresh_upstream.started().size(), fetched) << c.mail_from << " asked upstream again";
    expect_same(cold, warm, c.mail_from);
    // The same evaluation straight over the zone (no cache: every lookup is an attempt's
    // want) agrees too.
    expect_same(cold, check(zone_, c, nullptr), c.mail_from);
  }
}

TEST_F(SpfAttempts, OutcomesAreTheOnesThePoliciesSay) {
  const std::vector<Outcome> expected = {Outcome::pass, Outcome::pass, Outcome::pass,
                                         Outcome::pass, Outcome::fail, Outcome::pass,
                                         Outcome::fail, Outcome::pass, Outcome::permerror};
  for (std::size_t i = 0; i < cases.size(); ++i)
    EXPECT_EQ(check(zone_, cases[i], nullptr).outcome, expected[i]) << cases[i].mail_from;
  Result explained = check(zone_, cases[6], nullptr);
  EXPECT_EQ(explained.explanation,
            "198.51.100.7 is not allowed to send for explained.example.com (mail.example.com)");
}

TEST_F(SpfAttempts, EachNameIsAskedOncePerCheckHoweverManyAttempts) {
  // The include chain takes three rounds of lookups cold; a ScopedResolver must still see
  // each (name, type) once, as it caps the message's lookups.
  dns::CachingResolver cache(upstream_, cache_options());
  for (int round = 0; round < 2; ++round) {
    dns::ScopedResolver scope(cache);
    Result r = check(scope, cases[3], &upstream_);
    EXPECT_EQ(r.outcome, Outcome::pass);
    // TXT example.com, A mail, MX example.com, three exchange A, TXT partner, TXT deep.
    EXPECT_EQ(scope.lookups(), 8u) << "round " << round;
  }
}

TEST_F(SpfAttempts, ExchangesMissingFromTheCacheAreFetchedTogether) {
  dns::CachingResolver cache(upstream_, cache_options());
  dns::lookup_sync(cache, "mx1.example.com", dns::Type::a);  // one exchange already cached
  const std::size_t before = upstream_.started().size();
  Result r = check(cache, cases[2], &upstream_);
  EXPECT_EQ(r.outcome, Outcome::pass);
  EXPECT_GE(upstream_.max_in_flight(), 2u);            // mx2 and mx3 in one round
  EXPECT_EQ(upstream_.started().size() - before, 5u);  // TXT, A mail, MX, mx2, mx3
}

TEST_F(SpfAttempts, AnExpiredAnswerIsFetchedAgain) {
  dns::CachingResolver cache(upstream_, cache_options());
  Result first = check(cache, cases[0], &upstream_);
  const std::size_t fetched = upstream_.started().size();
  now_ += seconds(7 * 86400);  // past every TTL of the zone
  Result again = check(cache, cases[0], &upstream_);
  EXPECT_GT(upstream_.started().size(), fetched);
  expect_same(first, again, "after expiry");
}

TEST_F(SpfAttempts, ChecksInFlightTogetherShareTheirLookups) {
  dns::CachingResolver cache(upstream_, cache_options());
  auto both = [&]() -> core::Task<std::vector<Result>> {
    std::vector<core::Task<Result>> tasks;
    for (int i = 0; i < 2; ++i) {
      Envelope envelope{core::IpAddress::parse("203.0.113.9").value(), "mail.example.org",
                        "x@example.com"};
      tasks.push_back(check_mail_from(cache, envelope, traced()));
    }
    co_return co_await core::when_all(std::move(tasks));
  };
  std::vector<Result> results = core::sync_wait(both(), &upstream_);
  ASSERT_EQ(results.size(), 2u);
  expect_same(results[0], results[1], "two at once");
  EXPECT_EQ(results[0].outcome, Outcome::pass);
  EXPECT_GT(cache.stats().coalesced, 0u);
  EXPECT_EQ(upstream_.started().size(), 8u);  // each name once for both checks
}

}  // namespace
}  // namespace hallmark::spf
