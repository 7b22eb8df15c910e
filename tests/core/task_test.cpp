// SPDX-License-Identifier: Apache-2.0
// Task, when_all and sync_wait: laziness, ordering, concurrency of when_all, deep chains.
#include <gtest/gtest.h>

#include <algorithm>
#include <deque>
#include <functional>
#include <stdexcept>
#include <string>

#include "hallmark/core/started.hpp"
#include "hallmark/core/sync_wait.hpp"
#include "hallmark/core/task.hpp"
#include "hallmark/core/when_all.hpp"

namespace hallmark::core {
namespace {

// Completions held until the test releases them: lets a test see that every operation was
// started before any finished.
class HeldEvents final : public Pump {
 public:
  struct Wait {
    HeldEvents& events;
    int value;
    bool await_ready() const noexcept { return false; }
    void await_suspend(std::coroutine_handle<> h) { events.held.push_back(h); }
    int await_resume() const noexcept { return value; }
  };
  Wait wait(int value) { return Wait{*this, value}; }
  bool pump_once() override {
    if (held.empty()) return false;
    std::coroutine_handle<> next = held.front();
    held.pop_front();
    next.resume();
    return true;
  }
  std::deque<std::coroutine_handle<>> held;
};

Task<int> answer(int value) { co_return value; }

Task<int> held_value(HeldEvents& events, int value) {
  int got = co_await events.wait(value);
  co_return got * 10;
}

Task<int> sum_of_chain(int depth) {
  int total = 0;
  for (int i = 0; i < depth; ++i) total += co_await answer(1);
  co_return total;
}

Task<int> throws() {
  throw std::runtime_error("boom");
  co_return 0;
}

TEST(Task, IsLazy) {
  bool ran = false;
  auto body = [](bool& flag) -> Task<int> {
    flag = true;
    co_return 1;
  };
  Task<int> task = body(ran);
  EXPECT_FALSE(ran);
  EXPECT_EQ(sync_wait(std::move(task)), 1);
  EXPECT_TRUE(ran);
}

TEST(Task, LongSynchronousChainDoesNotGrowTheStack) {
  EXPECT_EQ(sync_wait(sum_of_chain(1'000'000)), 1'000'000);
}

TEST(Task, PropagatesExceptionsToTheAwaiter) {
  EXPECT_THROW(sync_wait(throws()), std::runtime_error);
}

TEST(Task, DestroyingAnUnstartedTaskIsSafe) {
  Task<int> task = answer(3);
  EXPECT_FALSE(task.done());
}

TEST(WhenAll, StartsEveryTaskBeforeAnyFinishes) {
  HeldEvents events;
  std::vector<Task<int>> tasks;
  for (int i = 0; i < 5; ++i) tasks.push_back(held_value(events, i));
  Task<std::vector<int>> all = when_all(std::move(tasks));
  all.start_detached(std::noop_coroutine());
  EXPECT_EQ(events.held.size(), 5u);  // all five waiting at once
  EXPECT_FALSE(all.done());
  while (events.pump_once()) {
  }
  ASSERT_TRUE(all.done());
  EXPECT_EQ(all.take_result(), (std::vector<int>{0, 10, 20, 30, 40}));
}

TEST(WhenAll, ResultsKeepInputOrderWhateverTheCompletionOrder) {
  HeldEvents events;
  std::vector<Task<int>> tasks;
  for (int i = 0; i < 4; ++i) tasks.push_back(held_value(events, i));
  Task<std::vector<int>> all = when_all(std::move(tasks));
  all.start_detached(std::noop_coroutine());
  std::reverse(events.held.begin(), events.held.end());
  while (events.pump_once()) {
  }
  ASSERT_TRUE(all.done());
  EXPECT_EQ(all.take_result(), (std::vector<int>{0, 10, 20, 30}));
}

TEST(WhenAll, EmptyAndSynchronousInputs) {
  EXPECT_TRUE(sync_wait(when_all(std::vector<Task<int>>{})).empty());
  std::vector<Task<int>> tasks;
  tasks.push_back(answer(1));
  tasks.push_back(answer(2));
  EXPECT_EQ(sync_wait(when_all(std::move(tasks))), (std::vector<int>{1, 2}));
}

TEST(WhenAll, HeterogeneousTasks) {
  HeldEvents events;
  auto text = []() -> Task<std::string> { co_return "spf"; };
  auto [a, b, c] = sync_wait(when_all(held_value(events, 4), text(), answer(7)), &events);
  EXPECT_EQ(a, 40);
  EXPECT_EQ(b, "spf");
  EXPECT_EQ(c, 7);
}

TEST(ReadyTask, IsDoneAtOnceAndHandsItsValueOver) {
  Task<std::string> task = ready(std::string(40, 'x'));
  EXPECT_TRUE(task.valid());
  EXPECT_TRUE(task.done());
  EXPECT_EQ(sync_wait(std::move(task)), std::string(40, 'x'));
  auto awaits = []() -> Task<int> { co_return 1 + co_await ready(41); };
  EXPECT_EQ(sync_wait(awaits()), 42);
  Task<int> moved = ready(7);
  Task<int> target = std::move(moved);
  EXPECT_FALSE(moved.valid());  // NOLINT(bugprone-use-after-move): a moved task is empty
  EXPECT_EQ(sync_wait(std::move(target)), 7);
}

TEST(ReadyTask, MixesWithCoroutinesInWhenAll) {
  HeldEvents events;
  std::vector<Task<int>> tasks;
  tasks.push_back(held_value(events, 3));
  tasks.push_back(ready(5));
  tasks.push_back(answer(8));
  EXPECT_EQ(sync_wait(when_all(std::move(tasks)), &events), (std::vector<int>{30, 5, 8}));
}

TEST(WhenAll, RethrowsAChildsException) {
  std::vector<Task<int>> tasks;
  tasks.push_back(answer(1));
  tasks.push_back(throws());
  EXPECT_THROW(sync_wait(when_all(std::move(tasks))), std::runtime_error);
}

Task<int> await_started(Started<int>& started) {
  int value = co_await started;
  co_return value + 1;
}

TEST(Started, RunsBeforeItIsAwaited) {
  HeldEvents events;
  Started<int> started(held_value(events, 4));
  EXPECT_EQ(events.held.size(), 1u);  // already waiting on its event
  EXPECT_FALSE(started.done());
  Task<int> waiter = await_started(started);
  waiter.start_detached(std::noop_coroutine());
  EXPECT_FALSE(waiter.done());
  while (events.pump_once()) {
  }
  ASSERT_TRUE(waiter.done());
  EXPECT_EQ(waiter.take_result(), 41);
}

TEST(Started, CanFinishBeforeItIsAwaited) {
  Started<int> started(answer(9));
  EXPECT_TRUE(started.done());
  EXPECT_EQ(sync_wait(await_started(started)), 10);
  HeldEvents events;
  Started<int> later(held_value(events, 2));
  events.pump_once();
  EXPECT_TRUE(later.done());
  EXPECT_EQ(sync_wait(await_started(later)), 21);
}

TEST(Started, CarriesExceptions) {
  Started<int> started(throws());
  EXPECT_THROW(sync_wait(await_started(started)), std::runtime_error);
}

}  // namespace
}  // namespace hallmark::core
