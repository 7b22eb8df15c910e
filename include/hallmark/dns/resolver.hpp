// SPDX-License-Identifier: Apache-2.0
// The resolver interface every protocol uses, and the awaitable that turns a callback
// lookup into `co_await dns::lookup(resolver, name, type)`.
#pragma once

#include <atomic>
#include <coroutine>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>

#include "hallmark/core/sync_wait.hpp"
#include "hallmark/core/task.hpp"
#include "hallmark/dns/types.hpp"
#include "hallmark/export.hpp"

namespace hallmark::dns {

/// Answers are immutable once made and shared, not copied: a cache hands the same answer to
/// every caller, and protocol code reads it in place.
using AnswerPtr = std::shared_ptr<const Answer>;

class HALLMARK_API Resolver {
 public:
  /// Called with a non-null answer.
  using Completion = std::function<void(AnswerPtr)>;

  virtual ~Resolver();

  /// Starts a lookup of (name, type); `done` is called exactly once with the answer, maybe
  /// before lookup() returns (cache hit, zone fixture), maybe later from the event loop.
  /// `name` is an A-label domain, with or without a trailing dot.
  virtual void lookup(std::string_view name, Type type, Completion done) = 0;

  /// The event loop that completes this resolver's lookups, for core::sync_wait; null when
  /// every lookup completes synchronously.
  virtual core::Pump* pump() noexcept { return nullptr; }

  /// Whether lookups complete after lookup() returns (from an event loop, another thread or
  /// a host that answers later), so that a cache may let identical lookups in flight share
  /// one. By default, when there is a pump to drive them.
  virtual bool completes_later() noexcept { return pump() != nullptr; }

  /// True once this resolver will never complete the lookups still pending (it dropped
  /// them, as ScopedResolver::cancel() does): a coroutine awaiting one may then simply be
  /// destroyed instead of being let land.
  virtual bool abandoned() const noexcept { return false; }

  /// The answer this resolver already holds for (name, type), given at once without starting
  /// a lookup; null when it has none, and then lookup() is the way. The awaiter asks this
  /// first, so a cached answer costs no suspension and no completion. A caching resolver
  /// answers as lookup() would on a hit (same TTL accounting); a resolver that only wraps
  /// another (ScopedResolver) forwards it and counts it as a lookup. Any thread.
  virtual AnswerPtr cached(std::string_view name, Type type);
};

namespace detail {

class LookupAwaiter {
 public:
  /// Borrows `name`: it must outlive the co_await, as a variable or a temporary in the
  /// co_await's own expression does.
  LookupAwaiter(Resolver& resolver, std::string_view name, Type type)
      : resolver_(resolver), name_(name), type_(type) {}
  /// Keeps `name`, moved in: no copy, and nothing to outlive.
  LookupAwaiter(Resolver& resolver, std::string&& name, Type type)
      : resolver_(resolver), owned_(std::move(name)), name_(owned_), type_(type) {}
  // name_ may point into owned_: the awaiter stays where it was made (returned by value, the
  // prvalue is constructed in place).
  LookupAwaiter(const LookupAwaiter&) = delete;
  LookupAwaiter& operator=(const LookupAwaiter&) = delete;

  bool await_ready() {
    answer_ = resolver_.cached(name_, type_);
    return answer_ != nullptr;
  }
  bool await_suspend(std::coroutine_handle<> awaiter) {
    awaiter_ = awaiter;
    resolver_.lookup(name_, type_, [this](AnswerPtr answer) {
      answer_ = std::move(answer);
      // Whoever comes second resumes: if the completion ran inside lookup(), await_suspend
      // sees it and does not suspend at all.
      if (state_.exchange(true, std::memory_order_acq_rel)) awaiter_.resume();
    });
    return !state_.exchange(true, std::memory_order_acq_rel);
  }
  AnswerPtr await_resume() noexcept { return std::move(answer_); }

 private:
  Resolver& resolver_;
  std::string owned_;
  std::string_view name_;
  Type type_;
  std::coroutine_handle<> awaiter_;
  AnswerPtr answer_;
  std::atomic<bool> state_{false};
};

}  // namespace detail

/// `AnswerPtr a = co_await dns::lookup(resolver, "example.com", dns::Type::txt);`
/// A cached answer (Resolver::cached) is taken without suspending. A name given as a view
/// or an lvalue string is borrowed until the co_await ends; an rvalue string is moved in.
inline detail::LookupAwaiter lookup(Resolver& resolver, std::string_view name, Type type) {
  return detail::LookupAwaiter(resolver, name, type);
}
inline detail::LookupAwaiter lookup(Resolver& resolver, const std::string& name, Type type) {
  return detail::LookupAwaiter(resolver, std::string_view(name), type);
}
inline detail::LookupAwaiter lookup(Resolver& resolver, std::string&& name, Type type) {
  return detail::LookupAwaiter(resolver, std::move(name), type);
}
inline detail::LookupAwaiter lookup(Resolver& resolver, const char* name, Type type) {
  return detail::LookupAwaiter(resolver, std::string_view(name), type);
}

/// The same lookup as a Task, for core::when_all over several lookups.
HALLMARK_API core::Task<AnswerPtr> resolve(Resolver& resolver, std::string name, Type type);

/// Blocking lookup for tools and tests: runs the resolver's event loop until answered, and
/// returns a copy of the answer.
HALLMARK_API Answer lookup_sync(Resolver& resolver, std::string_view name, Type type);

}  // namespace hallmark::dns
