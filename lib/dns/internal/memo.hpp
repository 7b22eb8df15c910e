// SPDX-License-Identifier: Apache-2.0
// Results worked out from DNS answers, remembered with the answers they came from.
// Library-private.
//
// A result that depends only on the answers it read (a DMARC policy discovery, an
// organizational domain) need not be worked out again while those answers stand. A memo keeps
// it with every answer it read, and hands it out only when each of them is still the answer the
// attempt reads now: the same object, compared by address. That needs no clock of its own and
// keeps TTLs honest (a caching resolver hands out another object once an answer expires, and
// renews the remaining TTL once a second); a resolver without a cache never matches, and a
// ScopedResolver still counts each of those names as a lookup of the message, as the work
// itself would have. Holding the answers keeps their addresses from being reused.
//
// One memo per thread and per kind of result, direct-mapped: no lock on a hit, a fixed number of
// entries, and a collision costs only the work itself.
#pragma once

#include <array>
#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "dns/internal/attempt.hpp"

namespace hallmark::dns::detail {

template <class T>
class Memo {
 public:
  using Value = std::shared_ptr<const T>;

  /// This thread's memo for T, allocated on the thread's first use: threads that never meet T
  /// pay nothing.
  static Memo& of_this_thread() {
    thread_local std::unique_ptr<Memo> memo;
    if (!memo) memo = std::make_unique<Memo>();
    return *memo;
  }

  /// The result remembered for `key`, when every answer it came from is still the one `dns`
  /// reads (those answers are then the attempt's, as if the work had read them); null
  /// otherwise.
  Value find(Attempt& dns, std::string_view key) {
    Slot& slot = slot_for(key);
    if (!slot.value || slot.key != key) return nullptr;
    for (const Consulted& c : slot.consulted)
      if (dns.find(c.name, c.type) != c.answer.get()) return nullptr;
    return slot.value;
  }

  void remember(std::string_view key, Value value, std::vector<Consulted> consulted) {
    Slot& slot = slot_for(key);
    slot.key.assign(key);
    slot.value = std::move(value);
    slot.consulted = std::move(consulted);
  }

 private:
  struct Slot {
    std::string key;
    Value value;
    std::vector<Consulted> consulted;
  };
  Slot& slot_for(std::string_view key) {
    return slots_[std::hash<std::string_view>{}(key) % slots_.size()];
  }
  // As many as the DNS cache's per-thread front: the author domains a receiver meets most.
  std::array<Slot, 256> slots_;
};

/// The value of `work` (an attempt: a callable taking Attempt& and giving std::optional<T>,
/// nullopt while it waits) for `key`, from `memo` when its answers stand, else worked out and
/// remembered. `key` must name everything besides the answers that the value depends on.
template <class T, class F>
std::optional<std::shared_ptr<const T>> memoized(Memo<T>& memo, Attempt& dns, std::string_view key,
                                                 F&& work) {
  // An enclosing memoized() records what this one reads too, as its value depends on it: on a
  // hit, the checks of find() read every answer through `dns`, which records them.
  if (std::shared_ptr<const T> known = memo.find(dns, key)) return known;
  std::vector<Consulted>* enclosing = dns.recording();
  std::vector<Consulted> read;
  dns.record_into(&read);
  std::optional<T> value = work(dns);
  dns.record_into(enclosing);
  if (enclosing != nullptr) enclosing->insert(enclosing->end(), read.begin(), read.end());
  if (!value) return std::nullopt;
  auto shared = std::make_shared<const T>(std::move(*value));
  memo.remember(key, shared, std::move(read));
  return shared;
}

}  // namespace hallmark::dns::detail
