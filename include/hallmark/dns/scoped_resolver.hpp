// SPDX-License-Identifier: Apache-2.0
// ScopedResolver: a resolver for one unit of work (one message), over a shared one. It counts
// and caps the work's lookups and can end them all at once: cancel() drops every pending
// completion so the coroutines awaiting them can simply be destroyed, expire() answers them
// as timeouts. The shared resolver's late answers land harmlessly.
#pragma once

#include <cstddef>
#include <memory>
#include <string_view>

#include "hallmark/dns/resolver.hpp"
#include "hallmark/export.hpp"

namespace hallmark::dns {

class HALLMARK_API ScopedResolver final : public Resolver {
 public:
  /// `upstream` must outlive this resolver (not the lookups it started: their answers find
  /// this scope gone and are dropped). After `max_lookups` lookups, further ones are answered
  /// at once with Status::error, without a query.
  explicit ScopedResolver(Resolver& upstream, std::size_t max_lookups = SIZE_MAX);
  /// Cancels whatever is pending.
  ~ScopedResolver() override;
  ScopedResolver(const ScopedResolver&) = delete;
  ScopedResolver& operator=(const ScopedResolver&) = delete;

  void lookup(std::string_view name, Type type, Completion done) override;
  /// The upstream's cached answer, counted against max_lookups like any lookup.
  AnswerPtr cached(std::string_view name, Type type) override;
  core::Pump* pump() noexcept override;
  bool abandoned() const noexcept override;

  /// Drops every pending completion without calling it; later lookups are dropped too. Never
  /// blocks on the upstream resolver (it may wait for a completion running on another thread
  /// to return).
  void cancel() noexcept;
  /// Answers every pending lookup with Status::timeout now; later lookups get the same answer
  /// at once.
  void expire();

  std::size_t lookups() const noexcept;  // started, including those refused by the cap
  std::size_t pending() const noexcept;
  bool cap_reached() const noexcept;  // a lookup was refused by the cap
  bool expired() const noexcept;

 private:
  struct State;
  // Shared with the completions handed upstream, which may outlive this object.
  std::shared_ptr<State> state_;
  Resolver& upstream_;
};

}  // namespace hallmark::dns
