// SPDX-License-Identifier: Apache-2.0
// HostResolver: DNS done by the C host. Each lookup is handed to the host's start callback
// under a number; the host brings back the raw response (decoded here, as c-ares' responses
// are) or a failure. One thread: the host's. Layer-private.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <unordered_map>

#include "hallmark/dns/resolver.hpp"
#include "hallmark/hallmark.h"

namespace hallmark::capi {

class HostResolver final : public dns::Resolver {
 public:
  HostResolver(hallmark_dns_start_fn start, void* user) : start_(start), user_(user) {}
  /// The ctx the callback is told about; set once the ctx exists.
  void set_ctx(hallmark_ctx* ctx) noexcept { ctx_ = ctx; }

  void lookup(std::string_view name, dns::Type type, Completion done) override;
  // No pump(): only the host can bring answers, so nothing may block waiting for them. But
  // they come later, so a cache in front lets identical lookups in flight share one.
  bool completes_later() noexcept override { return true; }

  /// Completes `id` with the response message; false when `id` is not pending.
  bool answer(std::uint64_t id, std::span<const std::uint8_t> response);
  /// Completes `id` as failed with `status`; false when `id` is not pending.
  bool fail(std::uint64_t id, dns::Status status);
  std::size_t pending() const noexcept { return pending_.size(); }

 private:
  struct Lookup {
    std::string name;
    dns::Type type;
    Completion done;
  };
  /// Removes `id` and runs its completion with what `make` gives.
  template <class Make>
  bool complete(std::uint64_t id, Make&& make);

  hallmark_dns_start_fn start_;
  void* user_;
  hallmark_ctx* ctx_ = nullptr;
  std::uint64_t next_id_ = 1;
  std::unordered_map<std::uint64_t, Lookup> pending_;
};

}  // namespace hallmark::capi
