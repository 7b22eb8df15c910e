// SPDX-License-Identifier: Apache-2.0
// ThreadedResolver against a real nsd on 127.0.0.1: lookups started from several threads at
// once all complete, on the resolver's own thread; a waiting thread wakes for answers and by
// its limit; destruction completes whatever is pending, once each.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <thread>
#include <vector>

#include "hallmark/dns/threaded_resolver.hpp"
#include "support/nsd_server.hpp"
#include "support/silent_server.hpp"

namespace hallmark::dns {
namespace {

using namespace std::chrono_literals;

constexpr std::string_view zone =
    "$ORIGIN threads.test.\n$TTL 300\n"
    "@ IN SOA ns hostmaster 1 3600 600 86400 60\n@ IN NS ns\nns IN A 127.0.0.1\n"
    "www IN A 192.0.2.1\n@ IN TXT \"v=spf1 -all\"\n";

class ThreadedResolverTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    auto server = test_support::NsdServer::start({{"threads.test", std::string(zone)}});
    if (!server) {
      if (std::getenv("CI") == nullptr) GTEST_SKIP() << server.error().message;
      FAIL() << server.error().message;
    }
    server_ = std::move(*server).release();
  }
  static void TearDownTestSuite() {
    delete server_;
    server_ = nullptr;
  }
  void SetUp() override {
    if (server_ == nullptr) GTEST_SKIP() << "no nsd";
  }
  static test_support::NsdServer* server_;
};

test_support::NsdServer* ThreadedResolverTest::server_ = nullptr;

TEST_F(ThreadedResolverTest, LookupsFromManyThreadsCompleteOnTheResolversThread) {
  auto resolver = ThreadedResolver::create({.servers = {server_->address()}});
  ASSERT_TRUE(resolver) << resolver.error().message;
  constexpr int threads = 4;
  constexpr int each = 50;
  std::atomic<int> answered{0};
  std::atomic<int> wrong{0};
  std::vector<std::thread> workers;
  for (int t = 0; t < threads; ++t) {
    workers.emplace_back([&] {
      std::atomic<int> mine{0};
      const std::thread::id caller = std::this_thread::get_id();
      for (int i = 0; i < each; ++i) {
        (*resolver)->lookup(i % 2 ? "www.threads.test" : "threads.test",
                            i % 2 ? Type::a : Type::txt, [&, caller](AnswerPtr answer) {
                              if (answer->status != Status::noerror) ++wrong;
                              if (std::this_thread::get_id() == caller) ++wrong;
                              ++answered;
                              ++mine;
                            });
      }
      while (mine.load() < each)
        (*resolver)->pump_once_until(std::chrono::steady_clock::now() + 5s);
    });
  }
  for (std::thread& worker : workers) worker.join();
  EXPECT_EQ(answered.load(), threads * each);
  EXPECT_EQ(wrong.load(), 0);
  EXPECT_EQ((*resolver)->pending(), 0u);
  EXPECT_FALSE((*resolver)->pump_once());  // nothing pending: no wait
}

TEST_F(ThreadedResolverTest, WaitingEndsByTheLimit) {
  test_support::SilentServer silent;
  auto resolver = ThreadedResolver::create({.servers = {silent.address()}, .timeout = 30s});
  ASSERT_TRUE(resolver) << resolver.error().message;
  (*resolver)->lookup("www.threads.test", Type::a, [](AnswerPtr) {});
  auto start = std::chrono::steady_clock::now();
  EXPECT_TRUE((*resolver)->pump_once_until(start + 50ms));
  EXPECT_LT(std::chrono::steady_clock::now() - start, 5s);
  EXPECT_EQ((*resolver)->pending(), 1u);
}

TEST_F(ThreadedResolverTest, DestructionCompletesPendingLookupsOnce) {
  test_support::SilentServer silent;
  auto resolver = ThreadedResolver::create({.servers = {silent.address()}, .timeout = 30s});
  ASSERT_TRUE(resolver) << resolver.error().message;
  std::vector<int> calls(10, 0);
  std::atomic<int> errors{0};
  for (std::size_t i = 0; i < calls.size(); ++i)
    (*resolver)->lookup("www.threads.test", Type::a, [&, i](AnswerPtr answer) {
      ++calls[i];
      if (answer->status == Status::error) ++errors;
    });
  resolver->reset();
  for (int count : calls) EXPECT_EQ(count, 1);
  EXPECT_EQ(errors.load(), 10);
}

}  // namespace
}  // namespace hallmark::dns
