// SPDX-License-Identifier: Apache-2.0
// A keyed hash for tables whose keys a sender chooses (DNS names, key names, record texts):
// SipHash-2-4 under a key drawn once per process, so nobody can precompute names that all
// land in one bucket and turn every lookup into a walk of a long chain. Library-private.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>

namespace hallmark::core::detail {

using SipKey = std::array<std::uint8_t, 16>;

/// SipHash-2-4 of `data` under `key` (Aumasson and Bernstein, 2012).
std::uint64_t siphash24(const SipKey& key, std::string_view data) noexcept;

/// The process's key: random, drawn on first use.
const SipKey& process_hash_key() noexcept;

/// Hash functor for unordered containers keyed by strings; transparent, so a std::string key
/// can be found with a std::string_view.
struct SeededHash {
  using is_transparent = void;
  std::size_t operator()(std::string_view text) const noexcept {
    return static_cast<std::size_t>(siphash24(process_hash_key(), text));
  }
};

}  // namespace hallmark::core::detail
