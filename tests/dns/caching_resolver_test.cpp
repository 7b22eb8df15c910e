// SPDX-License-Identifier: Apache-2.0
// CachingResolver: hits and remaining TTLs, expiry on a pinned clock, negative and failure
// caching, the size bound, coalescing of in-flight lookups, and a multi-threaded smoke test.
#include <gtest/gtest.h>

#include <array>
#include <atomic>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "hallmark/dns/caching_resolver.hpp"
#include "hallmark/dns/zone_resolver.hpp"

namespace hallmark::dns {
namespace {

using std::chrono::seconds;

struct FakeClock {
  std::chrono::steady_clock::time_point now{};
  void advance(seconds by) { now += by; }
};

// Passes lookups to a zone and counts them; optionally holds them until released, so a test
// can start several lookups before any answer exists.
class CountingResolver final : public Resolver, public core::Pump {
 public:
  explicit CountingResolver(const ZoneResolver& zone, bool hold = false)
      : zone_(zone), hold_(hold) {}

  void lookup(std::string_view name, Type type, Completion done) override {
    ++queries;
    if (!hold_) {
      done(std::make_shared<const Answer>(zone_.answer(name, type)));
      return;
    }
    std::lock_guard lock(mutex_);
    held_.push_back(Held{std::string(name), type, std::move(done)});
  }
  core::Pump* pump() noexcept override { return this; }
  bool pump_once() override { return release() > 0; }

  std::size_t held() {
    std::lock_guard lock(mutex_);
    return held_.size();
  }
  std::size_t release() {
    std::vector<Held> ready;
    {
      std::lock_guard lock(mutex_);
      ready.swap(held_);
    }
    for (Held& h : ready) h.done(std::make_shared<const Answer>(zone_.answer(h.name, h.type)));
    return ready.size();
  }

  std::atomic<int> queries{0};

 private:
  struct Held {
    std::string name;
    Type type;
    Completion done;
  };
  const ZoneResolver& zone_;
  bool hold_;
  std::mutex mutex_;
  std::vector<Held> held_;
};

ZoneResolver test_zone() {
  core::Expected<ZoneResolver> zone = ZoneResolver::from_text(
      "@ 600 SOA ns host 1 2 3 4 7200\n"
      "a 300 TXT \"v=spf1 -all\"\n"
      "a 300 A 192.0.2.1\n"
      "b 300 A 192.0.2.2\n"
      "c 300 A 192.0.2.3\n"
      "long 604800 A 192.0.2.4\n"
      "zero 0 A 192.0.2.5\n"
      "down TIMEOUT\n"
      "broken SERVFAIL\n",
      "cache.zone", "example.test");
  EXPECT_TRUE(zone) << zone.error().message;
  return std::move(*zone);
}

class CachingResolverTest : public testing::Test {
 protected:
  CacheOptions options() {
    CacheOptions o;
    o.now = [this] { return clock_.now; };
    return o;
  }
  Answer ask(Resolver& resolver, std::string_view name, Type type) {
    Answer result;
    bool answered = false;
    resolver.lookup(name, type, [&](hallmark::dns::AnswerPtr shared_answer) {
      const hallmark::dns::Answer& answer = *shared_answer;
      result = std::move(answer);
      answered = true;
    });
    EXPECT_TRUE(answered) << name;
    return result;
  }

  FakeClock clock_;
  ZoneResolver zone_ = test_zone();
  CountingResolver upstream_{zone_};
};

TEST_F(CachingResolverTest, HitAnswersWithRemainingTtl) {
  CachingResolver cache(upstream_, options());
  Answer first = ask(cache, "a.example.test", Type::txt);
  EXPECT_EQ(first.ttl, 300u);
  clock_.advance(seconds(100));
  Answer second = ask(cache, "a.example.test", Type::txt);
  EXPECT_EQ(upstream_.queries, 1);
  EXPECT_EQ(second.status, Status::noerror);
  EXPECT_EQ(second.ttl, 200u);
  EXPECT_EQ(second.txt, first.txt);
  CachingResolver::Stats stats = cache.stats();
  EXPECT_EQ(stats.hits, 1u);
  EXPECT_EQ(stats.misses, 1u);
  EXPECT_EQ(stats.entries, 1u);
}

TEST_F(CachingResolverTest, HitsShareOneAnswerUntilItsTtlTicks) {
  CachingResolver cache(upstream_, options());
  std::vector<AnswerPtr> seen;
  auto keep = [&](AnswerPtr answer) { seen.push_back(std::move(answer)); };
  for (int i = 0; i < 3; ++i) cache.lookup("a.example.test", Type::txt, keep);
  ASSERT_EQ(seen.size(), 3u);
  EXPECT_EQ(seen[1].get(), seen[2].get());  // no copy per hit
  clock_.advance(seconds(1));
  cache.lookup("a.example.test", Type::txt, keep);
  cache.lookup("a.example.test", Type::txt, keep);
  EXPECT_NE(seen[3].get(), seen[2].get());  // a second later: renewed with the lower TTL
  EXPECT_EQ(seen[3]->ttl, 299u);
  EXPECT_EQ(seen[2]->ttl, 300u);  // what a caller holds never changes
  EXPECT_EQ(seen[3].get(), seen[4].get());
  EXPECT_EQ(upstream_.queries, 1);
}

TEST_F(CachingResolverTest, EntryExpiresWithItsTtl) {
  CachingResolver cache(upstream_, options());
  ask(cache, "a.example.test", Type::a);
  clock_.advance(seconds(299));
  EXPECT_EQ(ask(cache, "a.example.test", Type::a).ttl, 1u);
  EXPECT_EQ(upstream_.queries, 1);
  clock_.advance(seconds(1));
  EXPECT_EQ(ask(cache, "a.example.test", Type::a).ttl, 300u);
  EXPECT_EQ(upstream_.queries, 2);
}

TEST_F(CachingResolverTest, KeysIgnoreCaseAndTrailingDotButNotType) {
  CachingResolver cache(upstream_, options());
  ask(cache, "a.example.test", Type::a);
  Answer upper = ask(cache, "A.EXAMPLE.Test.", Type::a);
  EXPECT_EQ(upper.name, "a.example.test");  // the shared answer names the lookup that made it
  EXPECT_EQ(upstream_.queries, 1);
  ask(cache, "a.example.test", Type::txt);
  EXPECT_EQ(upstream_.queries, 2);
}

TEST_F(CachingResolverTest, MaxTtlCapsPositiveAnswers) {
  CacheOptions o = options();
  o.max_ttl = seconds(3600);
  CachingResolver cache(upstream_, o);
  ask(cache, "long.example.test", Type::a);
  EXPECT_EQ(ask(cache, "long.example.test", Type::a).ttl, 3600u);
  clock_.advance(seconds(3600));
  ask(cache, "long.example.test", Type::a);
  EXPECT_EQ(upstream_.queries, 2);
}

TEST_F(CachingResolverTest, ZeroTtlIsNotCached) {
  CachingResolver cache(upstream_, options());
  ask(cache, "zero.example.test", Type::a);
  ask(cache, "zero.example.test", Type::a);
  EXPECT_EQ(upstream_.queries, 2);
  EXPECT_EQ(cache.stats().entries, 0u);
}

TEST_F(CachingResolverTest, NegativeAnswersAreCachedUpToTheCap) {
  CachingResolver cache(upstream_, options());  // max_negative_ttl 1 h, SOA says 600 s
  EXPECT_EQ(ask(cache, "none.example.test", Type::a).status, Status::nxdomain);
  EXPECT_EQ(ask(cache, "a.example.test", Type::mx).status, Status::nodata);
  clock_.advance(seconds(599));
  Answer nx = ask(cache, "none.example.test", Type::a);
  EXPECT_EQ(nx.status, Status::nxdomain);
  EXPECT_EQ(nx.ttl, 1u);
  EXPECT_EQ(ask(cache, "a.example.test", Type::mx).status, Status::nodata);
  EXPECT_EQ(upstream_.queries, 2);

  CacheOptions capped = options();
  capped.max_negative_ttl = seconds(60);
  CachingResolver short_cache(upstream_, capped);
  EXPECT_EQ(ask(short_cache, "none.example.test", Type::a).ttl, 600u);
  EXPECT_EQ(ask(short_cache, "none.example.test", Type::a).ttl, 60u);
  clock_.advance(seconds(60));
  ask(short_cache, "none.example.test", Type::a);
  EXPECT_EQ(upstream_.queries, 4);
}

TEST_F(CachingResolverTest, FailuresAreNotCachedByDefault) {
  CachingResolver cache(upstream_, options());
  EXPECT_EQ(ask(cache, "down.example.test", Type::txt).status, Status::timeout);
  EXPECT_EQ(ask(cache, "down.example.test", Type::txt).status, Status::timeout);
  EXPECT_EQ(ask(cache, "broken.example.test", Type::a).status, Status::servfail);
  EXPECT_EQ(ask(cache, "broken.example.test", Type::a).status, Status::servfail);
  EXPECT_EQ(upstream_.queries, 4);
  EXPECT_EQ(cache.stats().entries, 0u);
}

TEST_F(CachingResolverTest, FailuresAreCachedForFailureTtlAtMostFiveMinutes) {
  CacheOptions o = options();
  o.failure_ttl = seconds(3600);  // RFC 2308 7.1: cut to 300 s
  CachingResolver cache(upstream_, o);
  ask(cache, "down.example.test", Type::txt);
  clock_.advance(seconds(299));
  Answer cached = ask(cache, "down.example.test", Type::txt);
  EXPECT_EQ(cached.status, Status::timeout);
  EXPECT_EQ(upstream_.queries, 1);
  clock_.advance(seconds(1));
  ask(cache, "down.example.test", Type::txt);
  EXPECT_EQ(upstream_.queries, 2);
}

TEST_F(CachingResolverTest, SizeBoundEvictsLeastRecentlyUsed) {
  CacheOptions o = options();
  o.max_entries = 2;
  CachingResolver cache(upstream_, o);
  ask(cache, "a.example.test", Type::a);
  ask(cache, "b.example.test", Type::a);
  ask(cache, "a.example.test", Type::a);  // a is now the most recently used
  ask(cache, "c.example.test", Type::a);  // evicts b
  EXPECT_EQ(upstream_.queries, 3);
  ask(cache, "a.example.test", Type::a);
  EXPECT_EQ(upstream_.queries, 3);
  ask(cache, "b.example.test", Type::a);
  EXPECT_EQ(upstream_.queries, 4);
  CachingResolver::Stats stats = cache.stats();
  EXPECT_EQ(stats.entries, 2u);
  EXPECT_EQ(stats.evictions, 2u);
}

TEST_F(CachingResolverTest, ZeroMaxEntriesCachesNothing) {
  CacheOptions o = options();
  o.max_entries = 0;
  CachingResolver cache(upstream_, o);
  ask(cache, "a.example.test", Type::a);
  ask(cache, "a.example.test", Type::a);
  EXPECT_EQ(upstream_.queries, 2);
}

TEST_F(CachingResolverTest, ClearDropsEntries) {
  CachingResolver cache(upstream_, options());
  ask(cache, "a.example.test", Type::a);
  cache.clear();
  EXPECT_EQ(cache.stats().entries, 0u);
  ask(cache, "a.example.test", Type::a);
  EXPECT_EQ(upstream_.queries, 2);
}

TEST_F(CachingResolverTest, CoalescesIdenticalLookupsInFlight) {
  CountingResolver held(zone_, /*hold=*/true);
  CachingResolver cache(held, options());
  std::vector<Answer> answers;
  auto keep = [&](hallmark::dns::AnswerPtr shared_answer) {
    const hallmark::dns::Answer& answer = *shared_answer;
    answers.push_back(std::move(answer));
  };
  cache.lookup("a.example.test", Type::txt, keep);
  cache.lookup("A.example.test.", Type::txt, keep);
  cache.lookup("a.example.test", Type::a, keep);  // another key: its own query
  EXPECT_EQ(held.queries, 2);
  EXPECT_TRUE(answers.empty());
  held.release();
  ASSERT_EQ(answers.size(), 3u);
  std::vector<std::string> names;
  for (const Answer& answer : answers) {
    EXPECT_EQ(answer.status, Status::noerror) << answer.name;
    names.push_back(answer.name);
  }
  EXPECT_EQ(names,
            (std::vector<std::string>{"a.example.test", "a.example.test", "a.example.test"}));
  EXPECT_EQ(answers[0].txt, answers[1].txt);
  EXPECT_EQ(cache.stats().coalesced, 1u);
  EXPECT_EQ(cache.stats().misses, 2u);
  cache.lookup("a.example.test", Type::txt, keep);  // now cached
  EXPECT_EQ(answers.size(), 4u);
  EXPECT_EQ(held.queries, 2);
}

TEST_F(CachingResolverTest, LookupSyncPumpsTheUpstream) {
  CountingResolver held(zone_, /*hold=*/true);
  CachingResolver cache(held, options());
  EXPECT_EQ(cache.pump(), static_cast<core::Pump*>(&held));
  EXPECT_EQ(lookup_sync(cache, "b.example.test", Type::a).addresses.at(0).to_string(), "192.0.2.2");
  EXPECT_EQ(lookup_sync(cache, "b.example.test", Type::a).status, Status::noerror);
  EXPECT_EQ(held.queries, 1);
}

TEST_F(CachingResolverTest, LookupInFlightOutlivesTheCache) {
  CountingResolver held(zone_, /*hold=*/true);
  bool answered = false;
  {
    CachingResolver cache(held, options());
    cache.lookup("a.example.test", Type::a, [&](hallmark::dns::AnswerPtr shared_answer) {
      const hallmark::dns::Answer& answer = *shared_answer;
      answered = answer.status == Status::noerror;
    });
  }
  held.release();
  EXPECT_TRUE(answered);
}

TEST_F(CachingResolverTest, ThrowingUpstreamAnswersErrorAndDoesNotWedge) {
  struct Throwing final : Resolver {
    int calls = 0;
    void lookup(std::string_view, Type, Completion) override {
      ++calls;
      throw std::runtime_error("boom");
    }
  } throwing;
  CachingResolver cache(throwing, options());
  EXPECT_EQ(ask(cache, "a.example.test", Type::a).status, Status::error);
  EXPECT_EQ(ask(cache, "a.example.test", Type::a).status, Status::error);
  EXPECT_EQ(throwing.calls, 2);
}

TEST_F(CachingResolverTest, ManyThreadsShareOneCache) {
  ZoneResolver zone;
  constexpr int names = 64;
  for (int i = 0; i < names; ++i) {
    std::array<std::uint8_t, 4> bytes{192, 0, 2, static_cast<std::uint8_t>(i)};
    zone.add_address("h" + std::to_string(i) + ".test", core::IpAddress::v4(bytes), 1000);
    zone.add_txt("h" + std::to_string(i) + ".test", {"t" + std::to_string(i)}, 1000);
  }
  CacheOptions o = options();
  o.max_entries = 40;  // smaller than the working set: eviction under contention too
  CachingResolver cache(zone, o);
  std::atomic<int> wrong{0}, answered{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int n = 0; n < 20000; ++n) {
        int i = (n * 7 + t * 13) % names;
        bool want_txt = (n + t) % 3 == 0;
        cache.lookup("H" + std::to_string(i) + ".test", want_txt ? Type::txt : Type::a,
                     [&, i, want_txt](hallmark::dns::AnswerPtr shared_answer) {
                       const hallmark::dns::Answer& answer = *shared_answer;
                       ++answered;
                       bool right = want_txt ? answer.txt.size() == 1 &&
                                                   answer.txt[0].text() == "t" + std::to_string(i)
                                             : answer.addresses.size() == 1 &&
                                                   answer.addresses[0].bytes()[3] == i;
                       if (answer.status != Status::noerror || !right) ++wrong;
                     });
        if (t == 0 && n % 5000 == 0) cache.clear();
        if (t == 1 && n % 1000 == 0) (void)cache.stats();
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(wrong, 0);
  EXPECT_EQ(answered, 80000);
  CachingResolver::Stats stats = cache.stats();
  EXPECT_EQ(stats.hits + stats.misses + stats.coalesced, 80000u);
  EXPECT_LE(stats.entries, 40u);
  EXPECT_GT(stats.hits, 0u);
}

}  // namespace
}  // namespace hallmark::dns
