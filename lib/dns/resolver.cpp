// SPDX-License-Identifier: Apache-2.0
// The resolver interface's out-of-line parts and the blocking lookup used by tools.
#include "hallmark/dns/resolver.hpp"

namespace hallmark::dns {

Resolver::~Resolver() = default;

core::Task<Answer> resolve(Resolver& resolver, std::string name, Type type) {
  Answer answer = co_await lookup(resolver, std::move(name), type);
  co_return answer;
}

Answer lookup_sync(Resolver& resolver, std::string_view name, Type type) {
  return core::sync_wait(resolve(resolver, std::string(name), type), resolver.pump());
}

}  // namespace hallmark::dns
