// SPDX-License-Identifier: Apache-2.0
// The synchronous path for cached answers: `co_await dns::lookup(...)` on a CachingResolver
// takes a hit in await_ready, without suspending; a miss, an expired entry and a lookup
// already in flight still go the asynchronous way. Also the per-thread front: a clear()
// reaches every thread, and threads never see each other's stale answers.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "hallmark/core/sync_wait.hpp"
#include "hallmark/core/task.hpp"
#include "hallmark/core/when_all.hpp"
#include "hallmark/dns/caching_resolver.hpp"
#include "hallmark/dns/scoped_resolver.hpp"
#include "hallmark/dns/zone_resolver.hpp"
#include "support/holding_resolver.hpp"

namespace hallmark::dns {
namespace {

using std::chrono::seconds;
using test_support::HoldingResolver;

ZoneResolver test_zone() {
  ZoneResolver zone;
  zone.add_txt("a.example.test", {"v=spf1 -all"}, 300);
  zone.add_address("b.example.test", *core::IpAddress::parse("192.0.2.2"), 300);
  return zone;
}

// One lookup through the awaiter, recording whether the coroutine suspended on it.
core::Task<AnswerPtr> await_once(Resolver& resolver, std::string name, Type type, bool& suspended) {
  auto awaiter = dns::lookup(resolver, name, type);
  suspended = !awaiter.await_ready();
  if (!suspended) co_return awaiter.await_resume();
  co_return co_await dns::lookup(resolver, name, type);
}

class CachedLookupTest : public testing::Test {
 protected:
  CacheOptions options() {
    CacheOptions o;
    o.now = [this] { return now_; };
    return o;
  }
  std::chrono::steady_clock::time_point now_{};
  ZoneResolver zone_ = test_zone();
  HoldingResolver upstream_{zone_};
};

TEST_F(CachedLookupTest, MissGoesUpstreamThenHitIsSynchronous) {
  CachingResolver cache(upstream_, options());
  EXPECT_EQ(cache.cached("a.example.test", Type::txt), nullptr);  // a miss starts nothing
  EXPECT_TRUE(upstream_.started().empty());

  bool suspended = false;
  AnswerPtr first =
      core::sync_wait(await_once(cache, "a.example.test", Type::txt, suspended), &upstream_);
  EXPECT_TRUE(suspended);
  ASSERT_TRUE(first && first->ok());
  EXPECT_EQ(upstream_.started().size(), 1u);

  AnswerPtr second =
      core::sync_wait(await_once(cache, "A.Example.Test.", Type::txt, suspended), &upstream_);
  EXPECT_FALSE(suspended);
  ASSERT_TRUE(second);
  EXPECT_EQ(second->txt, first->txt);
  EXPECT_EQ(upstream_.started().size(), 1u);
  CachingResolver::Stats stats = cache.stats();
  EXPECT_EQ(stats.hits, 1u);
  EXPECT_EQ(stats.misses, 1u);
}

TEST_F(CachedLookupTest, HitCarriesTheRemainingTtlAndSharesTheAnswerWithinASecond) {
  CachingResolver cache(upstream_, options());
  lookup_sync(cache, "b.example.test", Type::a);
  AnswerPtr one = cache.cached("b.example.test", Type::a);
  AnswerPtr two = cache.cached("b.example.test", Type::a);
  ASSERT_TRUE(one && two);
  EXPECT_EQ(one.get(), two.get());
  EXPECT_EQ(one->ttl, 300u);
  now_ += seconds(120);
  AnswerPtr later = cache.cached("b.example.test", Type::a);
  ASSERT_TRUE(later);
  EXPECT_EQ(later->ttl, 180u);
  EXPECT_EQ(one->ttl, 300u);  // what a caller holds never changes
}

TEST_F(CachedLookupTest, ExpiredEntryIsNotAHit) {
  CachingResolver cache(upstream_, options());
  lookup_sync(cache, "b.example.test", Type::a);
  ASSERT_TRUE(cache.cached("b.example.test", Type::a));  // now in this thread's front too
  now_ += seconds(300);
  EXPECT_EQ(cache.cached("b.example.test", Type::a), nullptr);
  bool suspended = false;
  AnswerPtr fresh =
      core::sync_wait(await_once(cache, "b.example.test", Type::a, suspended), &upstream_);
  EXPECT_TRUE(suspended);
  ASSERT_TRUE(fresh);
  EXPECT_EQ(fresh->ttl, 300u);
  EXPECT_EQ(upstream_.started().size(), 2u);
}

TEST_F(CachedLookupTest, LookupInFlightIsJoinedNotRepeated) {
  CachingResolver cache(upstream_, options());
  // Two awaiters of one name, both started before the upstream answers: neither finds a
  // cached answer, the second joins the first's query.
  auto both = [&]() -> core::Task<std::vector<AnswerPtr>> {
    std::vector<core::Task<AnswerPtr>> tasks;
    tasks.push_back(resolve(cache, "a.example.test", Type::txt));
    tasks.push_back(resolve(cache, "a.example.test", Type::txt));
    co_return co_await core::when_all(std::move(tasks));
  };
  std::vector<AnswerPtr> answers = core::sync_wait(both(), &upstream_);
  ASSERT_EQ(answers.size(), 2u);
  EXPECT_EQ(answers[0], answers[1]);
  EXPECT_EQ(upstream_.started().size(), 1u);
  EXPECT_EQ(upstream_.max_in_flight(), 1u);
  EXPECT_EQ(cache.stats().coalesced, 1u);
}

TEST_F(CachedLookupTest, ClearReachesTheFrontOfEveryThread) {
  CachingResolver cache(upstream_, options());
  lookup_sync(cache, "b.example.test", Type::a);
  ASSERT_TRUE(cache.cached("b.example.test", Type::a));
  std::thread other([&] { EXPECT_TRUE(cache.cached("b.example.test", Type::a)); });
  other.join();
  cache.clear();
  EXPECT_EQ(cache.cached("b.example.test", Type::a), nullptr);
  std::thread after([&] { EXPECT_EQ(cache.cached("b.example.test", Type::a), nullptr); });
  after.join();
}

TEST_F(CachedLookupTest, CachesNeverAnswerForEachOther) {
  ZoneResolver other_zone;
  other_zone.add_address("b.example.test", *core::IpAddress::parse("198.51.100.7"), 300);
  CachingResolver first(zone_, options());
  CachingResolver second(other_zone, options());
  lookup_sync(first, "b.example.test", Type::a);
  ASSERT_TRUE(first.cached("b.example.test", Type::a));
  EXPECT_EQ(second.cached("b.example.test", Type::a), nullptr);
  lookup_sync(second, "b.example.test", Type::a);
  AnswerPtr from_second = second.cached("b.example.test", Type::a);
  ASSERT_TRUE(from_second && from_second->addresses.size() == 1);
  EXPECT_EQ(from_second->addresses[0].to_string(), "198.51.100.7");
  AnswerPtr from_first = first.cached("b.example.test", Type::a);
  ASSERT_TRUE(from_first && from_first->addresses.size() == 1);
  EXPECT_EQ(from_first->addresses[0].to_string(), "192.0.2.2");
}

// A resolver that answers inside lookup() (no pump), slowly: each lookup waits there until a
// second one has arrived or two seconds have passed.
class SlowSynchronousResolver final : public Resolver {
 public:
  explicit SlowSynchronousResolver(const ZoneResolver& zone) : zone_(zone) {}
  void lookup(std::string_view name, Type type, Completion done) override {
    {
      std::unique_lock lock(mutex_);
      ++arrived_;
      arrival_.notify_all();
      arrival_.wait_for(lock, seconds(2), [this] { return arrived_ >= 2; });
    }
    done(std::make_shared<const Answer>(zone_.answer(name, type)));
  }
  int arrived() {
    std::lock_guard lock(mutex_);
    return arrived_;
  }

 private:
  const ZoneResolver& zone_;
  std::mutex mutex_;
  std::condition_variable arrival_;
  int arrived_ = 0;
};

TEST_F(CachedLookupTest, ConcurrentMissesOverASynchronousUpstreamDoNotWaitOnEachOther) {
  // Joining the first thread's lookup would leave the second with nothing to pump:
  // core::sync_wait would abort. Both ask the upstream instead, and both are answered.
  SlowSynchronousResolver slow(zone_);
  CachingResolver cache(slow, options());
  std::atomic<int> answered{0};
  auto ask = [&] {
    Answer answer = lookup_sync(cache, "b.example.test", Type::a);
    if (answer.ok()) ++answered;
  };
  std::thread first(ask), second(ask);
  first.join();
  second.join();
  EXPECT_EQ(answered, 2);
  EXPECT_EQ(slow.arrived(), 2);
  EXPECT_TRUE(cache.cached("b.example.test", Type::a));
}

TEST_F(CachedLookupTest, ZeroMaxEntriesHasNoSynchronousHits) {
  CacheOptions o = options();
  o.max_entries = 0;
  CachingResolver cache(upstream_, o);
  lookup_sync(cache, "b.example.test", Type::a);
  EXPECT_EQ(cache.cached("b.example.test", Type::a), nullptr);
}

TEST_F(CachedLookupTest, ScopedResolverCountsCachedAnswersAgainstItsCap) {
  CachingResolver cache(upstream_, options());
  lookup_sync(cache, "b.example.test", Type::a);
  ScopedResolver scope(cache, 2);
  EXPECT_TRUE(scope.cached("b.example.test", Type::a));
  EXPECT_TRUE(scope.cached("b.example.test", Type::a));
  EXPECT_EQ(scope.lookups(), 2u);
  // The cap is reached: no answer at once; lookup() answers with the cap's error.
  EXPECT_EQ(scope.cached("b.example.test", Type::a), nullptr);
  Answer refused = lookup_sync(scope, "b.example.test", Type::a);
  EXPECT_EQ(refused.status, Status::error);
  EXPECT_TRUE(scope.cap_reached());
}

TEST_F(CachedLookupTest, CancelledOrExpiredScopeHasNoCachedAnswers) {
  CachingResolver cache(upstream_, options());
  lookup_sync(cache, "b.example.test", Type::a);
  ScopedResolver expired(cache);
  expired.expire();
  EXPECT_EQ(expired.cached("b.example.test", Type::a), nullptr);
  ScopedResolver cancelled(cache);
  cancelled.cancel();
  EXPECT_EQ(cancelled.cached("b.example.test", Type::a), nullptr);
}

TEST_F(CachedLookupTest, ThreadsHittingOneLargeCacheAllSeeTheirAnswers) {
  ZoneResolver zone;
  constexpr int names = 300;
  for (int i = 0; i < names; ++i)
    zone.add_txt("n" + std::to_string(i) + ".test", {"t" + std::to_string(i)}, 1000);
  CacheOptions o = options();
  o.max_entries = 2048;  // large enough to be sharded
  CachingResolver cache(zone, o);
  std::atomic<int> wrong{0}, answered{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int n = 0; n < 20000; ++n) {
        int i = (n * 31 + t * 7) % names;
        std::string name = "n" + std::to_string(i) + ".test";
        auto check = [&wrong, &answered, i](const AnswerPtr& answer) {
          ++answered;
          if (answer->txt.size() != 1 || answer->txt[0].text() != "t" + std::to_string(i)) ++wrong;
        };
        if (AnswerPtr answer = cache.cached(name, Type::txt)) {
          check(answer);
        } else {
          // Completes here, or on the thread whose lookup of the same name is in flight.
          cache.lookup(name, Type::txt, check);
        }
        if (t == 0 && n % 4000 == 0) cache.clear();
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(answered, 80000);
  EXPECT_EQ(wrong, 0);
  CachingResolver::Stats stats = cache.stats();
  EXPECT_EQ(stats.hits + stats.misses + stats.coalesced, 80000u);
  EXPECT_LE(stats.entries, 2048u);
}

}  // namespace
}  // namespace hallmark::dns
