// SPDX-License-Identifier: Apache-2.0
// Fetching and decoding DKIM keys through the resolver and the key cache. Layer-private.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "dkim/internal/crypto.hpp"
#include "hallmark/core/task.hpp"
#include "hallmark/dkim/key_cache.hpp"
#include "hallmark/dkim/types.hpp"
#include "hallmark/dns/resolver.hpp"

namespace hallmark::dkim::detail {

/// A key lookup's outcome: a usable key, or why there is none.
struct FetchedKey {
  Outcome failure = Outcome::none;  // none when the key is usable
  Reason reason = Reason::ok;
  std::string detail;
  KeyRecord record;
  PublicKey key;
};

/// Looks up every name in DNS concurrently and keeps what it finds in `cache`; the caller has
/// already asked `cache` for them (a warm cache needs no task at all).
core::Task<std::vector<std::shared_ptr<const FetchedKey>>> fetch_keys(
    dns::Resolver& resolver, std::vector<std::string> names, KeyCache& cache);

}  // namespace hallmark::dkim::detail
