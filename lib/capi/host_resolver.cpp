// SPDX-License-Identifier: Apache-2.0
#include "capi/host_resolver.hpp"

#include <memory>
#include <utility>

#include "dns/internal/wire.hpp"

namespace hallmark::capi {

void HostResolver::lookup(std::string_view name, dns::Type type, Completion done) {
  const std::uint64_t id = next_id_++;
  auto slot = pending_.emplace(id, Lookup{std::string(name), type, std::move(done)}).first;
  // The host may answer from inside the callback, which erases the entry: pass a copy.
  const std::string asked = slot->second.name;
  start_(user_, ctx_, id, asked.c_str(), static_cast<unsigned>(type));
}

template <class Make>
bool HostResolver::complete(std::uint64_t id, Make&& make) {
  auto found = pending_.find(id);
  if (found == pending_.end()) return false;
  Lookup lookup = std::move(found->second);
  pending_.erase(found);
  lookup.done(std::make_shared<const dns::Answer>(make(lookup)));
  return true;
}

bool HostResolver::answer(std::uint64_t id, std::span<const std::uint8_t> response) {
  return complete(id, [&](const Lookup& lookup) {
    return dns::wire::decode_response(response, lookup.name, lookup.type);
  });
}

bool HostResolver::fail(std::uint64_t id, dns::Status status) {
  return complete(id, [&](const Lookup& lookup) {
    return dns::Answer::with_status(lookup.name, lookup.type, status, "failed by the host");
  });
}

}  // namespace hallmark::capi
