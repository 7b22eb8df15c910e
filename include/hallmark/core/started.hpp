// SPDX-License-Identifier: Apache-2.0
// Started<T>: a task that runs from the moment it is created, awaited later. Streaming
// verification starts its DNS lookups when the header section ends and collects the answers
// after the body: Started is the bridge between those two moments.
#pragma once

#include <atomic>
#include <coroutine>
#include <exception>
#include <memory>
#include <optional>
#include <utility>

#include "hallmark/core/task.hpp"

namespace hallmark::core {

template <class T>
class Started {
 public:
  /// Starts `task` now; it may finish before the constructor returns.
  explicit Started(Task<T> task) : state_(std::make_unique<State>()) {
    runner_ = run(std::move(task), state_.get());
    runner_.handle.resume();
  }
  Started(Started&&) noexcept = default;
  Started& operator=(Started&&) noexcept = default;
  /// The task must have finished (await it first): destroying a running task would leave
  /// its pending lookups pointing at freed memory.
  ~Started() = default;

  bool done() const noexcept { return state_->phase.load(std::memory_order_acquire) == done_phase; }

  /// The result once done(), whichever thread finished the task; valid once (instead of
  /// awaiting it).
  T take() {
    if (state_->error) std::rethrow_exception(state_->error);
    return std::move(*state_->value);
  }

  /// Awaits the result; valid once.
  auto operator co_await() & noexcept {
    struct Awaiter {
      State* state;
      bool await_ready() const noexcept {
        return state->phase.load(std::memory_order_acquire) == done_phase;
      }
      bool await_suspend(std::coroutine_handle<> awaiter) noexcept {
        state->awaiter = awaiter;
        int expected = running_phase;
        // If the task finished meanwhile, do not suspend.
        return state->phase.compare_exchange_strong(expected, waiting_phase,
                                                    std::memory_order_acq_rel);
      }
      T await_resume() {
        if (state->error) std::rethrow_exception(state->error);
        return std::move(*state->value);
      }
    };
    return Awaiter{state_.get()};
  }

 private:
  static constexpr int running_phase = 0;
  static constexpr int waiting_phase = 1;  // someone awaits; finishing resumes them
  static constexpr int done_phase = 2;

  struct State {
    std::atomic<int> phase{running_phase};
    std::coroutine_handle<> awaiter;
    std::optional<T> value;
    std::exception_ptr error;
  };

  struct Runner {
    struct promise_type {
      State* state = nullptr;
      Runner get_return_object() noexcept {
        return Runner{std::coroutine_handle<promise_type>::from_promise(*this)};
      }
      std::suspend_always initial_suspend() const noexcept { return {}; }
      auto final_suspend() const noexcept {
        struct Finish {
          bool await_ready() const noexcept { return false; }
          std::coroutine_handle<> await_suspend(std::coroutine_handle<promise_type> self) noexcept {
            State* s = self.promise().state;
            if (s->phase.exchange(done_phase, std::memory_order_acq_rel) == waiting_phase)
              return s->awaiter;
            return std::noop_coroutine();
          }
          void await_resume() const noexcept {}
        };
        return Finish{};
      }
      void return_void() const noexcept {}
      void unhandled_exception() noexcept { state->error = std::current_exception(); }
    };
    Runner() = default;
    explicit Runner(std::coroutine_handle<promise_type> h) noexcept : handle(h) {}
    Runner(Runner&& other) noexcept : handle(std::exchange(other.handle, {})) {}
    Runner& operator=(Runner&& other) noexcept {
      if (this != &other) {
        if (handle) handle.destroy();
        handle = std::exchange(other.handle, {});
      }
      return *this;
    }
    ~Runner() {
      if (handle) handle.destroy();
    }
    std::coroutine_handle<promise_type> handle;
  };

  static Runner run(Task<T> task, State* state) {
    Runner runner = body(std::move(task), state);
    runner.handle.promise().state = state;
    return runner;
  }
  static Runner body(Task<T> task, State* state) {
    T value = co_await std::move(task);
    state->value.emplace(std::move(value));
  }

  std::unique_ptr<State> state_;
  Runner runner_;
};

}  // namespace hallmark::core
