// SPDX-License-Identifier: Apache-2.0
// dns::detail::Memo and memoized(): a value is handed out again only while every answer it was
// worked out from is still the one the resolver gives, and a memoized value used inside
// another makes the outer one depend on its answers too.
#include <gtest/gtest.h>

#include <chrono>
#include <optional>
#include <string>

#include "dns/internal/memo.hpp"
#include "hallmark/dns/caching_resolver.hpp"
#include "hallmark/dns/zone_resolver.hpp"

namespace hallmark::dns::detail {
namespace {

using Clock = std::chrono::steady_clock;

struct World {
  ZoneResolver zone;
  Clock::time_point now = Clock::now();
  CachingResolver cache{zone, clock_options()};
  AnswerMemory memory;

  World() {
    zone.add_txt("short.example", {"one"}, 100);
    zone.add_txt("long.example", {"two"}, 1000);
  }
  CacheOptions clock_options() {
    CacheOptions options;
    options.now = [this] { return now; };
    return options;
  }
  // Warms the cache, as a fetch between attempts would.
  void warm() {
    for (const char* name : {"short.example", "long.example"})
      cache.lookup(name, Type::txt, [](AnswerPtr) {});
  }
};

// The TXT text of `name`, counting how often it is worked out.
std::optional<std::string> text_of(Attempt& dns, std::string_view name, int& worked) {
  const Answer* answer = dns.need(name, Type::txt);
  if (answer == nullptr) return std::nullopt;
  ++worked;
  return answer->txt.empty() ? std::string() : answer->txt.front().text();
}

TEST(DnsMemo, AValueStandsWhileItsAnswersDo) {
  World w;
  w.warm();
  Memo<std::string> memo;
  int worked = 0;
  auto run = [&] {
    AnswerMemory memory;
    Attempt dns(w.cache, memory);
    return memoized(memo, dns, "k",
                    [&](Attempt& a) { return text_of(a, "short.example", worked); });
  };
  auto first = run();
  auto second = run();
  ASSERT_TRUE(first && second);
  EXPECT_EQ(**first, "one");
  EXPECT_EQ(first->get(), second->get());
  EXPECT_EQ(worked, 1);
  w.now += std::chrono::seconds(150);  // the answer expired: nothing to check it against
  AnswerMemory memory;
  Attempt dns(w.cache, memory);
  EXPECT_FALSE(
      memoized(memo, dns, "k", [&](Attempt& a) { return text_of(a, "short.example", worked); }));
  EXPECT_TRUE(dns.waiting());
}

TEST(DnsMemo, AnOuterValueDependsOnTheAnswersOfAnInnerOne) {
  World w;
  w.warm();
  Memo<std::string> inner, outer;
  int worked_inner = 0, worked_outer = 0;
  auto run = [&] {
    AnswerMemory memory;
    Attempt dns(w.cache, memory);
    return memoized(outer, dns, "outer", [&](Attempt& a) -> std::optional<std::string> {
      ++worked_outer;
      auto part = memoized(inner, a, "inner",
                           [&](Attempt& b) { return text_of(b, "short.example", worked_inner); });
      const Answer* other = a.need("long.example", Type::txt);
      if (!part || other == nullptr) return std::nullopt;
      return **part + "+" + other->txt.front().text();
    });
  };
  ASSERT_EQ(**run(), "one+two");
  ASSERT_EQ(**run(), "one+two");
  EXPECT_EQ(worked_outer, 1);
  // The inner value's answer ends first (100 s): the outer one, which read it only through the
  // inner memo, is worked out again too.
  w.now += std::chrono::seconds(150);
  w.warm();
  ASSERT_EQ(**run(), "one+two");
  EXPECT_EQ(worked_outer, 2);
  EXPECT_EQ(worked_inner, 2);
}

TEST(DnsMemo, AResolverWithoutCacheNeverMatches) {
  World w;
  Memo<std::string> memo;
  int worked = 0;
  for (int round = 0; round < 2; ++round) {
    AnswerMemory memory;
    Attempt dns(w.zone, memory);  // ZoneResolver::cached() has nothing: the answer is wanted
    EXPECT_FALSE(
        memoized(memo, dns, "k", [&](Attempt& a) { return text_of(a, "short.example", worked); }));
  }
  EXPECT_EQ(worked, 0);
}

}  // namespace
}  // namespace hallmark::dns::detail
