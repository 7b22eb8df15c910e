// SPDX-License-Identifier: Apache-2.0
// Task<T>: a lazily started coroutine, the unit of DNS-dependent protocol logic. Awaiting a
// task starts it and resumes the awaiter when it finishes (symmetric transfer, so long
// chains of synchronously completing tasks do not grow the stack).
#pragma once

#include <atomic>
#include <cassert>
#include <coroutine>
#include <exception>
#include <new>
#include <optional>
#include <type_traits>
#include <utility>

#include "hallmark/core/frame_allocator.hpp"

namespace hallmark::core {

template <class T = void>
class Task;

namespace detail {

class PromiseBase : public RecycledFrame {
 public:
  // A task that completes before its awaiter has finished suspending (the usual case with
  // zone fixtures and cache hits) must not resume the awaiter from inside itself: without a
  // guaranteed tail call (-O0, sanitizers) every such hand-back would nest a stack frame, and a
  // loop over thousands of synchronous awaits would overflow. So whoever comes second of
  // "task finished" and "awaiter suspended" resumes the awaiter, and a synchronous finish
  // simply lets await_suspend return false.
  struct FinalAwaiter {
    bool await_ready() const noexcept { return false; }
    template <class Promise>
    void await_suspend(std::coroutine_handle<Promise> done) noexcept {
      PromiseBase& promise = done.promise();
      if (promise.finished_.exchange(true, std::memory_order_acq_rel))
        promise.continuation_.resume();
    }
    void await_resume() const noexcept {}
  };

  std::suspend_always initial_suspend() const noexcept { return {}; }
  FinalAwaiter final_suspend() const noexcept { return {}; }
  void unhandled_exception() noexcept { exception_ = std::current_exception(); }
  void set_continuation(std::coroutine_handle<> next) noexcept { continuation_ = next; }
  /// Called by the awaiter after it has started the task: true when the task has already
  /// finished, so the awaiter should not suspend.
  bool finished_before_suspend() noexcept {
    return finished_.exchange(true, std::memory_order_acq_rel);
  }

 protected:
  void rethrow_if_failed() const {
    if (exception_) std::rethrow_exception(exception_);
  }

 private:
  std::coroutine_handle<> continuation_ = std::noop_coroutine();
  std::exception_ptr exception_;
  std::atomic<bool> finished_{false};
};

template <class T>
class Promise final : public PromiseBase {
 public:
  Task<T> get_return_object() noexcept;
  template <class U>
  void return_value(U&& value) {
    value_.emplace(std::forward<U>(value));
  }
  T take() {
    rethrow_if_failed();
    assert(value_.has_value());
    return std::move(*value_);
  }

 private:
  std::optional<T> value_;
};

template <>
class Promise<void> final : public PromiseBase {
 public:
  Task<void> get_return_object() noexcept;
  void return_void() const noexcept {}
  void take() const { rethrow_if_failed(); }
};

}  // namespace detail

namespace detail {

// What a ready task holds instead of a coroutine (core::ready): the value, for a T that has one.
// A ready task's value lives in memory from the frame recycler, behind a pointer: no heap
// allocation, and a Task stays one pointer wider whatever T is. (An std::optional<T> member
// also works, but GCC 12 then takes every move of an empty task for a read of uninitialised
// memory, -Wmaybe-uninitialized.)
template <class T>
class ReadyValue {
 public:
  ReadyValue() noexcept = default;
  ReadyValue(ReadyValue&& other) noexcept : value_(std::exchange(other.value_, nullptr)) {}
  ReadyValue& operator=(ReadyValue&& other) noexcept {
    if (this != &other) {
      reset();
      value_ = std::exchange(other.value_, nullptr);
    }
    return *this;
  }
  ~ReadyValue() { reset(); }

  template <class U>
  void emplace(U&& value) {
    reset();
    void* memory = allocate_frame(sizeof(T));
    try {
      value_ = new (memory) T(std::forward<U>(value));
    } catch (...) {
      deallocate_frame(memory, sizeof(T));
      throw;
    }
  }
  bool has_value() const noexcept { return value_ != nullptr; }
  T& operator*() noexcept { return *value_; }

 private:
  void reset() noexcept {
    if (value_ == nullptr) return;
    value_->~T();
    deallocate_frame(value_, sizeof(T));
    value_ = nullptr;
  }
  T* value_ = nullptr;
};
template <>
class ReadyValue<void> {
 public:
  bool has_value() const noexcept { return false; }
};

}  // namespace detail

template <class T>
Task<std::remove_cvref_t<T>> ready(T&& value);

template <class T>
class [[nodiscard]] Task {
 public:
  using promise_type = detail::Promise<T>;
  using value_type = T;

  Task() noexcept = default;
  explicit Task(std::coroutine_handle<promise_type> handle) noexcept : handle_(handle) {}
  Task(Task&& other) noexcept
      : handle_(std::exchange(other.handle_, {})), ready_(std::move(other.ready_)) {}
  Task& operator=(Task&& other) noexcept {
    if (this != &other) {
      destroy();
      handle_ = std::exchange(other.handle_, {});
      ready_ = std::move(other.ready_);
    }
    return *this;
  }
  Task(const Task&) = delete;
  Task& operator=(const Task&) = delete;
  ~Task() { destroy(); }

  bool valid() const noexcept { return static_cast<bool>(handle_) || ready_.has_value(); }
  bool done() const noexcept { return ready_.has_value() || (handle_ && handle_.done()); }

  auto operator co_await() && noexcept {
    struct Awaiter {
      std::coroutine_handle<promise_type> task;
      detail::ReadyValue<T>* ready;
      bool await_ready() const noexcept { return ready->has_value() || !task || task.done(); }
      bool await_suspend(std::coroutine_handle<> awaiter) noexcept {
        task.promise().set_continuation(awaiter);
        task.resume();
        return !task.promise().finished_before_suspend();
      }
      T await_resume() {
        if constexpr (!std::is_void_v<T>) {
          if (ready->has_value()) return std::move(**ready);
        }
        return task.promise().take();
      }
    };
    return Awaiter{handle_, &ready_};
  }

  /// For drivers (sync_wait, tests): start the task; `continuation` is resumed if it
  /// finishes later, asynchronously. A ready task has nothing to start.
  void start_detached(std::coroutine_handle<> continuation) noexcept {
    if (ready_.has_value()) return;
    handle_.promise().set_continuation(continuation);
    handle_.resume();
    handle_.promise().finished_before_suspend();
  }
  T take_result() {
    if constexpr (!std::is_void_v<T>) {
      if (ready_.has_value()) return std::move(*ready_);
    }
    return handle_.promise().take();
  }

 private:
  template <class U>
  friend Task<std::remove_cvref_t<U>> ready(U&& value);

  void destroy() noexcept {
    if (handle_) handle_.destroy();
    handle_ = {};
  }

  std::coroutine_handle<promise_type> handle_;
  detail::ReadyValue<T> ready_;
};

namespace detail {
template <class T>
Task<T> Promise<T>::get_return_object() noexcept {
  return Task<T>(std::coroutine_handle<Promise<T>>::from_promise(*this));
}
inline Task<void> Promise<void>::get_return_object() noexcept {
  return Task<void>(std::coroutine_handle<Promise<void>>::from_promise(*this));
}
}  // namespace detail

/// A task that is already done and hands `value` over when awaited, with no coroutine: for a
/// function that may finish its work before returning (every answer in the cache) but must
/// return a Task.
template <class T>
Task<std::remove_cvref_t<T>> ready(T&& value) {
  Task<std::remove_cvref_t<T>> task;
  task.ready_.emplace(std::forward<T>(value));
  return task;
}

}  // namespace hallmark::core
