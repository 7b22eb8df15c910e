// SPDX-License-Identifier: Apache-2.0
// Protocol logic as synchronous attempts over the answers at hand. Library-private.
//
// An attempt is plain code that reads DNS answers from what earlier attempts fetched
// (AnswerMemory) and from what the resolver already holds (Resolver::cached). When an answer
// is missing it notes the lookup (want) and gives up; the driver fetches every lookup noted,
// concurrently, and runs the attempt again from the start. With a warm cache the first attempt
// finishes: no coroutine frame per step, no suspension, no completion. A cold evaluation
// replays its earlier steps once per round of lookups, microseconds against the lookups'
// milliseconds. The logic exists once, with no asynchronous twin to keep in step.
#pragma once

#include <list>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "hallmark/core/task.hpp"
#include "hallmark/dns/resolver.hpp"

namespace hallmark::dns::detail {

/// A lookup an attempt could not answer.
struct Wanted {
  std::string name;
  Type type;
};

/// An answer an attempt read, as it read it: what a result worked out from answers depends on
/// (dns/internal/memo.hpp).
struct Consulted {
  std::string name;
  Type type;
  AnswerPtr answer;
};

/// The answers the attempts of one evaluation share, so that each attempt sees the same
/// world, and a name is asked of the resolver once per evaluation (which keeps a
/// ScopedResolver's count of a message's lookups honest).
class AnswerMemory {
 public:
  AnswerMemory() noexcept {}  // NOLINT: the inline pages are constructed as they are kept
  // Moved from a first attempt into the coroutine that fetches: the pages' names view answers
  // and list nodes, neither of which moves.
  AnswerMemory(AnswerMemory&& other) noexcept;
  AnswerMemory& operator=(AnswerMemory&&) = delete;
  AnswerMemory(const AnswerMemory&) = delete;
  AnswerMemory& operator=(const AnswerMemory&) = delete;
  ~AnswerMemory();

  /// The answer kept for (name, type); null when there is none. Names compare as domains.
  const AnswerPtr* find(std::string_view name, Type type) const noexcept;
  /// Keeps `answer` as the answer for (name, type).
  void keep(std::string_view name, Type type, AnswerPtr answer);

 private:
  struct Page {
    AnswerPtr answer;
    std::string_view name;  // the answer's own name, or one of owned_names_
    Type type;
  };
  // An evaluation meets a handful of names, a large provider's SPF policy a dozen: they fit
  // without a heap allocation. They are constructed only as they are used: an evaluation on
  // a warm cache should not zero and then destroy sixteen pages to keep one.
  static constexpr std::size_t inline_capacity = 16;
  std::size_t inline_used() const noexcept {
    return size_ < inline_capacity ? size_ : inline_capacity;
  }
  const Page& page(std::size_t index) const noexcept {
    return index < inline_capacity ? inline_pages_[index] : more_pages_[index - inline_capacity];
  }
  union {
    Page inline_pages_[inline_capacity];
  };
  std::vector<Page> more_pages_;
  std::size_t size_ = 0;
  std::list<std::string> owned_names_;  // stable addresses; only for answers named otherwise
};

/// One attempt's access to DNS.
class Attempt {
 public:
  Attempt(Resolver& resolver, AnswerMemory& memory) noexcept
      : resolver_(resolver), memory_(memory) {}

  /// The answer from memory or from the resolver's cache (then kept); null when neither has
  /// it. Does not note the lookup: a caller that can decide without it need not wait.
  const Answer* find(std::string_view name, Type type);
  /// Notes a lookup this attempt cannot finish without.
  void want(std::string_view name, Type type);
  /// find(), noting the lookup when the answer is missing.
  const Answer* need(std::string_view name, Type type);

  bool waiting() const noexcept { return !wanted_.empty(); }
  std::vector<Wanted> take_wanted() noexcept { return std::move(wanted_); }

  /// While `out` is set, every answer found is also appended to it (null stops that).
  void record_into(std::vector<Consulted>* out) noexcept { consulted_ = out; }
  std::vector<Consulted>* recording() const noexcept { return consulted_; }

 private:
  Resolver& resolver_;
  AnswerMemory& memory_;
  std::vector<Wanted> wanted_;
  std::vector<Consulted>* consulted_ = nullptr;
};

/// Looks up every one of `wanted` (concurrently when there are several) into `memory`.
core::Task<void> fetch(Resolver& resolver, AnswerMemory& memory, std::vector<Wanted> wanted);

/// Runs `attempt` (a callable taking Attempt& and giving std::optional<T>, nullopt when it
/// waits) until it gives a value, fetching between attempts what each wanted. `memory` and
/// `wanted` carry over what a first attempt, run before any coroutine, learnt and lacked.
template <class T, class F>
core::Task<T> run_attempts(Resolver& resolver, F attempt, AnswerMemory memory = {},
                           std::vector<Wanted> wanted = {}) {
  for (;;) {
    if (!wanted.empty()) co_await fetch(resolver, memory, std::move(wanted));
    Attempt current(resolver, memory);
    std::optional<T> done = attempt(current);
    if (done) co_return std::move(*done);
    wanted = current.take_wanted();
  }
}

/// start_attempts() for arguments the caller keeps only until the call returns: `borrowed`
/// runs the first attempt on them in place, and only when it waits does `owning()` give the
/// attempt, owning copies of them, that the task runs after each fetch. A warm evaluation then
/// copies nothing of its arguments.
template <class T, class Borrowed, class MakeOwning>
core::Task<T> start_attempts_borrowing(Resolver& resolver, Borrowed borrowed, MakeOwning owning) {
  AnswerMemory memory;
  std::vector<Wanted> wanted;
  {
    Attempt first(resolver, memory);
    if (std::optional<T> done = borrowed(first)) return core::ready(std::move(*done));
    wanted = first.take_wanted();
  }
  return run_attempts<T>(resolver, owning(), std::move(memory), std::move(wanted));
}

/// run_attempts() with the first attempt run now, before any coroutine exists: when every
/// answer is at hand (a warm cache) the work is done before this returns, and the task only
/// hands the value over.
template <class T, class F>
core::Task<T> start_attempts(Resolver& resolver, F attempt) {
  return start_attempts_borrowing<T>(
      resolver, [&attempt](Attempt& first) { return attempt(first); },
      [&attempt] { return std::move(attempt); });
}

}  // namespace hallmark::dns::detail
