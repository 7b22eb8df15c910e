// SPDX-License-Identifier: Apache-2.0
// ScopedResolver: pending completions live in a state shared with the completions handed
// upstream, so whichever comes first, a late answer or the end of the scope, the other finds
// out under the state's lock.
#include "hallmark/dns/scoped_resolver.hpp"

#include <algorithm>
#include <cstdint>
#include <mutex>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

namespace hallmark::dns {

struct ScopedResolver::State {
  // Recursive: a completion may start the next lookup (SPF's include chain does) while the
  // lock is held, and an upstream cache hit completes inside lookup().
  mutable std::recursive_mutex mutex;
  bool cancelled = false;
  bool expired = false;
  bool cap_reached = false;
  std::size_t max_lookups = SIZE_MAX;
  std::size_t lookups = 0;
  std::uint64_t next_id = 0;
  struct Pending {
    Completion done;
    std::string name;
    Type type;
  };
  std::unordered_map<std::uint64_t, Pending> pending;
};

ScopedResolver::ScopedResolver(Resolver& upstream, std::size_t max_lookups)
    : state_(std::make_shared<State>()), upstream_(upstream) {
  state_->max_lookups = max_lookups;
}

ScopedResolver::~ScopedResolver() { cancel(); }

void ScopedResolver::lookup(std::string_view name, Type type, Completion done) {
  std::unique_lock lock(state_->mutex);
  State& state = *state_;
  if (state.cancelled) return;
  ++state.lookups;
  if (state.expired) {
    lock.unlock();
    done(std::make_shared<const Answer>(Answer::with_status(
        std::string(name), type, Status::timeout, "the message's deadline has passed")));
    return;
  }
  if (state.lookups > state.max_lookups) {
    state.cap_reached = true;
    lock.unlock();
    done(std::make_shared<const Answer>(Answer::with_status(
        std::string(name), type, Status::error,
        "the message's limit of " + std::to_string(state.max_lookups) + " DNS lookups")));
    return;
  }
  std::uint64_t id = state.next_id++;
  state.pending.emplace(id, State::Pending{std::move(done), std::string(name), type});
  // The lock stays held: a cache hit answers inside this call, and must find its entry.
  upstream_.lookup(name, type, [weak = std::weak_ptr<State>(state_), id](AnswerPtr answer) {
    std::shared_ptr<State> alive = weak.lock();
    if (!alive) return;
    std::lock_guard guard(alive->mutex);
    auto found = alive->pending.find(id);
    if (found == alive->pending.end()) return;  // cancelled or expired meanwhile
    Completion completion = std::move(found->second.done);
    alive->pending.erase(found);
    // Run under the lock, so cancel() on another thread cannot free the coroutine this
    // resumes while it runs.
    completion(std::move(answer));
  });
}

AnswerPtr ScopedResolver::cached(std::string_view name, Type type) {
  std::lock_guard lock(state_->mutex);
  State& state = *state_;
  // A cancelled, expired or capped scope answers through lookup(), which says so.
  if (state.cancelled || state.expired || state.lookups >= state.max_lookups) return nullptr;
  AnswerPtr answer = upstream_.cached(name, type);
  if (answer) ++state.lookups;  // a cached answer is a lookup of the message all the same
  return answer;
}

core::Pump* ScopedResolver::pump() noexcept { return upstream_.pump(); }

bool ScopedResolver::abandoned() const noexcept {
  std::lock_guard lock(state_->mutex);
  return state_->cancelled;
}

void ScopedResolver::cancel() noexcept {
  std::unordered_map<std::uint64_t, State::Pending> dropped;
  {
    std::lock_guard lock(state_->mutex);
    state_->cancelled = true;
    dropped.swap(state_->pending);
  }
  // Destroyed outside the lock: a completion owns nothing that needs it.
}

void ScopedResolver::expire() {
  std::lock_guard lock(state_->mutex);
  if (state_->cancelled) return;
  state_->expired = true;
  // Answered in the order started; each answer may start lookups, which fail at once.
  std::vector<std::pair<std::uint64_t, State::Pending>> due(
      std::make_move_iterator(state_->pending.begin()),
      std::make_move_iterator(state_->pending.end()));
  state_->pending.clear();
  std::sort(due.begin(), due.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  for (auto& [id, lookup] : due)
    lookup.done(std::make_shared<const Answer>(
        Answer::with_status(std::move(lookup.name), lookup.type, Status::timeout,
                            "the message's deadline passed before the answer")));
}

std::size_t ScopedResolver::lookups() const noexcept {
  std::lock_guard lock(state_->mutex);
  return state_->lookups;
}

std::size_t ScopedResolver::pending() const noexcept {
  std::lock_guard lock(state_->mutex);
  return state_->pending.size();
}

bool ScopedResolver::cap_reached() const noexcept {
  std::lock_guard lock(state_->mutex);
  return state_->cap_reached;
}

bool ScopedResolver::expired() const noexcept {
  std::lock_guard lock(state_->mutex);
  return state_->expired;
}

}  // namespace hallmark::dns
