// SPDX-License-Identifier: Apache-2.0
// A resolver that holds every completion until the test pumps it. Tests use it to see which
// lookups were started before anything was answered, and how many were in flight at once.
#pragma once

#include <algorithm>
#include <deque>
#include <string>
#include <utility>
#include <vector>

#include "hallmark/core/sync_wait.hpp"
#include "hallmark/dns/resolver.hpp"

namespace hallmark::test_support {

class HoldingResolver final : public dns::Resolver, public core::Pump {
 public:
  explicit HoldingResolver(dns::Resolver& inner) : inner_(inner) {}

  void lookup(std::string_view name, dns::Type type, Completion done) override {
    started_.emplace_back(name);
    inner_.lookup(name, type, [this, done = std::move(done)](dns::AnswerPtr answer) mutable {
      held_.emplace_back(std::move(done), std::move(answer));
      max_in_flight_ = std::max(max_in_flight_, held_.size());
    });
  }
  core::Pump* pump() noexcept override { return this; }

  /// Answers the oldest held lookup; false when none is held.
  bool pump_once() override {
    if (held_.empty()) return false;
    auto [done, answer] = std::move(held_.front());
    held_.pop_front();
    done(std::move(answer));
    return true;
  }

  std::size_t max_in_flight() const { return max_in_flight_; }
  std::size_t in_flight() const { return held_.size(); }
  /// Every name looked up so far, in order.
  const std::vector<std::string>& started() const { return started_; }

 private:
  dns::Resolver& inner_;
  std::deque<std::pair<Completion, dns::AnswerPtr>> held_;
  std::vector<std::string> started_;
  std::size_t max_in_flight_ = 0;
};

}  // namespace hallmark::test_support
