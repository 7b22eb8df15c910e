// SPDX-License-Identifier: Apache-2.0
// Fetching and decoding DKIM keys through the resolver and the key cache. Layer-private.
#pragma once

#include <memory>
#include <optional>
#include <string_view>
#include <string>
#include <vector>

#include "dkim/internal/crypto.hpp"
#include "hallmark/core/started.hpp"
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

using KeyList = std::vector<std::shared_ptr<const FetchedKey>>;

/// The keys one message needs, by selector and domain: those in the cache are taken when the
/// requests start, the others are looked up concurrently. DKIM signatures and ARC sets share
/// this; a name asked for twice is fetched once.
class KeyRequests {
 public:
  KeyRequests() = default;
  KeyRequests(const KeyRequests&) = delete;
  KeyRequests& operator=(const KeyRequests&) = delete;
  /// Lookups still in flight hold pointers into this object: they are let land first when the
  /// resolver can be pumped, and leaked (never freed under them) when it cannot.
  ~KeyRequests();

  /// The slot of the key at <selector>._domainkey.<domain> (A-label form).
  std::size_t add(std::string_view selector, std::string_view domain);
  bool empty() const noexcept { return names_.empty(); }
  /// Takes what `cache` has and starts looking up the rest.
  void start(dns::Resolver& resolver, KeyCache& cache);
  /// Every key, by slot, once all lookups are in. Valid once.
  core::Task<KeyList> keys();

 private:
  dns::Resolver* resolver_ = nullptr;
  std::vector<std::string> names_;
  KeyList cached_;                      // by slot; null where the cache had none
  std::vector<std::size_t> looked_up_;  // the slots `fetching_` fetches, in its order
  std::optional<core::Started<KeyList>> fetching_;
};

/// Why a fetched key cannot verify a signature of `algorithm` (RFC 6376 6.1.2, RFC 8301 3.2),
/// or outcome none when it can. `auid_domain` is the domain of i= (empty for ARC, which has no
/// AUID), checked against a key's t=s.
struct KeyProblem {
  Outcome outcome = Outcome::none;
  Reason reason = Reason::ok;
  std::string detail;
};
KeyProblem check_key(const FetchedKey& key, Algorithm algorithm, std::string_view auid_domain,
                     std::string_view signing_domain, unsigned min_rsa_bits);

}  // namespace hallmark::dkim::detail
