// SPDX-License-Identifier: Apache-2.0
// when_all: run several tasks concurrently and resume once all have finished. Every task is
// started before any result is awaited, so their DNS lookups are all in flight together.
#pragma once

#include <atomic>
#include <coroutine>
#include <cstddef>
#include <exception>
#include <optional>
#include <tuple>
#include <utility>
#include <vector>

#include "hallmark/core/task.hpp"

namespace hallmark::core {
namespace detail {

struct Latch {
  std::atomic<std::size_t> remaining{0};
  std::coroutine_handle<> awaiter;
  // True for the arrival that brings the count to zero.
  bool arrive() noexcept { return remaining.fetch_sub(1, std::memory_order_acq_rel) == 1; }
};

// Runs one child task to completion, then counts down the latch; the last child to finish
// resumes the coroutine waiting in when_all.
class LatchedRun {
 public:
  struct promise_type : RecycledFrame {
    Latch* latch = nullptr;
    LatchedRun get_return_object() noexcept {
      return LatchedRun(std::coroutine_handle<promise_type>::from_promise(*this));
    }
    std::suspend_always initial_suspend() const noexcept { return {}; }
    auto final_suspend() const noexcept {
      struct Arrive {
        bool await_ready() const noexcept { return false; }
        std::coroutine_handle<> await_suspend(std::coroutine_handle<promise_type> self) noexcept {
          Latch* counter = self.promise().latch;
          if (counter->arrive()) return counter->awaiter;
          return std::noop_coroutine();
        }
        void await_resume() const noexcept {}
      };
      return Arrive{};
    }
    void return_void() const noexcept {}
    // Children catch their task's exception themselves (see run_into).
    void unhandled_exception() const noexcept { std::terminate(); }
  };

  explicit LatchedRun(std::coroutine_handle<promise_type> handle) noexcept : handle_(handle) {}
  LatchedRun(LatchedRun&& other) noexcept : handle_(std::exchange(other.handle_, {})) {}
  LatchedRun& operator=(LatchedRun&&) = delete;
  ~LatchedRun() {
    if (handle_) handle_.destroy();
  }
  void start(Latch& latch) noexcept {
    handle_.promise().latch = &latch;
    handle_.resume();
  }

 private:
  std::coroutine_handle<promise_type> handle_;
};

template <class T>
LatchedRun run_into(Task<T> task, std::optional<T>* slot, std::exception_ptr* error) {
  try {
    T value = co_await std::move(task);
    slot->emplace(std::move(value));
  } catch (...) {
    *error = std::current_exception();
  }
}

class WhenAllAwaiter {
 public:
  explicit WhenAllAwaiter(std::vector<LatchedRun>& runs) noexcept : runs_(runs) {}
  bool await_ready() const noexcept { return runs_.empty(); }
  bool await_suspend(std::coroutine_handle<> awaiter) noexcept {
    // One extra count for ourselves, so a child finishing synchronously cannot resume the
    // awaiter before every child has been started.
    latch_.remaining.store(runs_.size() + 1, std::memory_order_relaxed);
    latch_.awaiter = awaiter;
    for (LatchedRun& run : runs_) run.start(latch_);
    return !latch_.arrive();
  }
  void await_resume() const noexcept {}

 private:
  std::vector<LatchedRun>& runs_;
  Latch latch_;
};

}  // namespace detail

/// Runs every task concurrently; the results come back in the order of the input.
template <class T>
Task<std::vector<T>> when_all(std::vector<Task<T>> tasks) {
  std::vector<T> results;
  // Nothing to run side by side: no latch, slots or bookkeeping for the common single task.
  if (tasks.size() <= 1) {
    if (tasks.size() == 1) results.push_back(co_await std::move(tasks.front()));
    co_return results;
  }
  std::vector<std::optional<T>> slots(tasks.size());
  std::exception_ptr error;
  std::vector<detail::LatchedRun> runs;
  runs.reserve(tasks.size());
  for (std::size_t i = 0; i < tasks.size(); ++i)
    runs.push_back(detail::run_into(std::move(tasks[i]), &slots[i], &error));
  co_await detail::WhenAllAwaiter(runs);
  if (error) std::rethrow_exception(error);
  results.reserve(slots.size());
  for (std::optional<T>& slot : slots) results.push_back(std::move(*slot));
  co_return results;
}

/// Runs tasks of different types concurrently: `auto [spf, dkim] = co_await when_all(a, b);`
template <class... Ts>
Task<std::tuple<Ts...>> when_all(Task<Ts>... tasks) {
  std::tuple<std::optional<Ts>...> slots;
  std::exception_ptr error;
  std::vector<detail::LatchedRun> runs;
  runs.reserve(sizeof...(Ts));
  [&]<std::size_t... I>(std::index_sequence<I...>) {
    (runs.push_back(detail::run_into(std::move(tasks), &std::get<I>(slots), &error)), ...);
  }
  (std::index_sequence_for<Ts...>{});
  co_await detail::WhenAllAwaiter(runs);
  if (error) std::rethrow_exception(error);
  co_return std::apply([](auto&... slot) { return std::tuple<Ts...>(std::move(*slot)...); }, slots);
}

}  // namespace hallmark::core
