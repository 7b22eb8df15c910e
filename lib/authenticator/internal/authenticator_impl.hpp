// SPDX-License-Identifier: Apache-2.0
// What an Authenticator holds, shared with its sessions. Layer-private.
#pragma once

#include <memory>
#include <mutex>
#include <string>

#include "authenticator/internal/policy.hpp"
#include "hallmark/authenticator/authenticator.hpp"

namespace hallmark::authenticator {

struct Authenticator::Impl {
  Impl(dns::Resolver& resolver, Options options);

  /// Resolvers the authenticator made for itself (create()); empty when the host gave one.
  std::unique_ptr<dns::Resolver> own_upstream;
  std::unique_ptr<dns::Resolver> own_cache;
  dns::Resolver& resolver;
  /// Fixed at construction; the reloadable part lives in `policy`.
  Options options;
  /// DKIM and ARC keys, when the options name no cache: keys belong with the resolver that
  /// found them, so two authenticators on different DNS never share one.
  std::unique_ptr<dkim::KeyCache> own_keys;
  std::string authserv_id;
  // A mutex rather than std::atomic<std::shared_ptr>, which libc++ 16 (the fuzz build) lacks.
  // It is held only to copy a pointer, once per session.
  mutable std::mutex policy_mutex;
  detail::PolicyPtr policy;

  detail::PolicyPtr current_policy() const {
    std::lock_guard lock(policy_mutex);
    return policy;
  }
  void set_policy(detail::PolicyPtr next) {
    std::lock_guard lock(policy_mutex);
    policy = std::move(next);
  }
  std::chrono::steady_clock::time_point now() const {
    return options.clock ? options.clock() : std::chrono::steady_clock::now();
  }
};

}  // namespace hallmark::authenticator
