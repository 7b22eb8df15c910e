// SPDX-License-Identifier: Apache-2.0
// A resolver on simulated time: every answer comes a fixed delay after its lookup started (or a
// per-name delay), in due order, when the test pumps it. No sleeping and no real clock, so
// latency tests are exact and deterministic: the time a verdict took is the simulated time
// when its last answer came.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <string>
#include <utility>

#include "hallmark/core/sync_wait.hpp"
#include "hallmark/dns/resolver.hpp"

namespace hallmark::test_support {

class SimulatedResolver final : public dns::Resolver, public core::Pump {
 public:
  using Clock = std::chrono::steady_clock;

  SimulatedResolver(dns::Resolver& inner, std::chrono::milliseconds delay)
      : inner_(inner), delay_(delay) {}

  /// Lookups of `name` (any type) take `delay` instead.
  void set_delay(const std::string& name, std::chrono::milliseconds delay) {
    delays_[name] = delay;
  }

  void lookup(std::string_view name, dns::Type type, Completion done) override {
    ++lookups_;
    auto custom = delays_.find(std::string(name));
    Clock::time_point due = now_ + (custom == delays_.end() ? delay_ : custom->second);
    std::uint64_t order = next_++;
    inner_.lookup(name, type, [this, due, order, done = std::move(done)](dns::AnswerPtr answer) {
      queue_.emplace(std::make_pair(due, order), Held{std::move(done), std::move(answer)});
    });
  }
  core::Pump* pump() noexcept override { return this; }

  bool pump_once() override { return pump_once_until(Clock::time_point::max()); }
  /// Moves simulated time to the next answer and delivers it, or to `limit` when that comes
  /// first.
  bool pump_once_until(Clock::time_point limit) override {
    if (queue_.empty()) return false;
    auto first = queue_.begin();
    if (first->first.first > limit) {
      now_ = std::max(now_, limit);
      return true;
    }
    now_ = std::max(now_, first->first.first);
    Held held = std::move(first->second);
    queue_.erase(first);
    held.done(std::move(held.answer));
    return true;
  }
  /// Moves simulated time to `when`, delivering the answers due before it: time that passes
  /// with nothing to answer (a slow SMTP client).
  void advance_to(Clock::time_point when) {
    while (now_ < when && pump_once_until(when)) {
    }
    now_ = std::max(now_, when);
  }
  /// Delivers everything due, however late; answers whose lookups were abandoned land on
  /// nothing.
  void drain() {
    while (pump_once()) {
    }
  }

  Clock::time_point now() const { return now_; }
  std::chrono::milliseconds elapsed() const {
    return std::chrono::duration_cast<std::chrono::milliseconds>(now_ - start_);
  }
  std::size_t lookups() const { return lookups_; }
  std::size_t queued() const { return queue_.size(); }

 private:
  struct Held {
    Completion done;
    dns::AnswerPtr answer;
  };
  dns::Resolver& inner_;
  std::chrono::milliseconds delay_;
  std::map<std::string, std::chrono::milliseconds> delays_;
  // An arbitrary, fixed origin: the clock is simulated.
  const Clock::time_point start_ = Clock::time_point(std::chrono::hours(1000));
  Clock::time_point now_ = start_;
  std::uint64_t next_ = 0;
  std::size_t lookups_ = 0;
  std::map<std::pair<Clock::time_point, std::uint64_t>, Held> queue_;
};

}  // namespace hallmark::test_support
