// SPDX-License-Identifier: Apache-2.0
// ScopedResolver: one message's view of a shared resolver. Its lookups are capped, cancelled
// (dropped, never called) and expired (answered as timeouts), and answers that come after the
// scope is gone land on nothing.
#include <gtest/gtest.h>

#include "hallmark/dns/scoped_resolver.hpp"
#include "hallmark/dns/zone_resolver.hpp"
#include "support/holding_resolver.hpp"

namespace hallmark::dns {
namespace {

using test_support::HoldingResolver;

struct Rig {
  Rig() {
    zone.add_txt("example.com", {"v=spf1 -all"});
    zone.add_address("mail.example.com", *core::IpAddress::parse("192.0.2.1"));
  }
  ZoneResolver zone;
  HoldingResolver held{zone};
};

TEST(ScopedResolver, PassesAnswersThrough) {
  Rig rig;
  ScopedResolver scope(rig.held);
  AnswerPtr got;
  scope.lookup("example.com", Type::txt, [&](AnswerPtr answer) { got = std::move(answer); });
  EXPECT_EQ(scope.pending(), 1u);
  EXPECT_FALSE(got);
  ASSERT_TRUE(rig.held.pump_once());
  ASSERT_TRUE(got);
  EXPECT_EQ(got->status, Status::noerror);
  EXPECT_EQ(scope.pending(), 0u);
  EXPECT_EQ(scope.lookups(), 1u);
}

TEST(ScopedResolver, SynchronousAnswersComeInsideLookup) {
  ZoneResolver zone;
  zone.add_txt("example.com", {"v=spf1 -all"});
  ScopedResolver scope(zone);
  bool answered = false;
  scope.lookup("example.com", Type::txt, [&](AnswerPtr) { answered = true; });
  EXPECT_TRUE(answered);
  EXPECT_EQ(scope.pending(), 0u);
}

TEST(ScopedResolver, CapAnswersAtOnceWithAnErrorAndNoQuery) {
  Rig rig;
  ScopedResolver scope(rig.held, 2);
  std::vector<Status> statuses;
  for (int i = 0; i < 4; ++i)
    scope.lookup("example.com", Type::txt,
                 [&](AnswerPtr answer) { statuses.push_back(answer->status); });
  // The two refused lookups are answered at once; the two allowed are still held upstream.
  EXPECT_EQ(statuses, (std::vector<Status>{Status::error, Status::error}));
  EXPECT_EQ(rig.held.started().size(), 2u);
  EXPECT_TRUE(scope.cap_reached());
  EXPECT_EQ(scope.lookups(), 4u);
  rig.held.pump_once();
  rig.held.pump_once();
  EXPECT_EQ(statuses.size(), 4u);
}

TEST(ScopedResolver, CancelDropsCompletionsAndLaterAnswersLandOnNothing) {
  Rig rig;
  ScopedResolver scope(rig.held);
  int calls = 0;
  scope.lookup("example.com", Type::txt, [&](AnswerPtr) { ++calls; });
  scope.lookup("mail.example.com", Type::a, [&](AnswerPtr) { ++calls; });
  EXPECT_FALSE(scope.abandoned());
  scope.cancel();
  EXPECT_TRUE(scope.abandoned());
  EXPECT_EQ(scope.pending(), 0u);
  scope.lookup("example.com", Type::txt, [&](AnswerPtr) { ++calls; });  // dropped too
  while (rig.held.pump_once()) {
  }
  EXPECT_EQ(calls, 0);
}

TEST(ScopedResolver, AnswersAfterTheScopeIsGoneAreDropped) {
  Rig rig;
  int calls = 0;
  {
    ScopedResolver scope(rig.held);
    scope.lookup("example.com", Type::txt, [&](AnswerPtr) { ++calls; });
  }
  EXPECT_EQ(rig.held.in_flight(), 1u);
  EXPECT_TRUE(rig.held.pump_once());
  EXPECT_EQ(calls, 0);
}

TEST(ScopedResolver, ExpireAnswersPendingLookupsAsTimeoutsInOrder) {
  Rig rig;
  ScopedResolver scope(rig.held);
  std::vector<std::string> order;
  scope.lookup("example.com", Type::txt, [&](AnswerPtr answer) {
    EXPECT_EQ(answer->status, Status::timeout);
    EXPECT_EQ(answer->name, "example.com");
    EXPECT_EQ(answer->type, Type::txt);
    order.push_back(answer->name);
    // A lookup started from a completion after expiry fails at once.
    scope.lookup("late.example.com", Type::a, [&](AnswerPtr late) {
      EXPECT_EQ(late->status, Status::timeout);
      order.push_back(late->name);
    });
  });
  scope.lookup("mail.example.com", Type::a, [&](AnswerPtr answer) {
    EXPECT_EQ(answer->status, Status::timeout);
    order.push_back(answer->name);
  });
  scope.expire();
  EXPECT_TRUE(scope.expired());
  EXPECT_EQ(order,
            (std::vector<std::string>{"example.com", "late.example.com", "mail.example.com"}));
  // The real answers come later and change nothing.
  while (rig.held.pump_once()) {
  }
  EXPECT_EQ(order.size(), 3u);
}

}  // namespace
}  // namespace hallmark::dns
