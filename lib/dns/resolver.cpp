// SPDX-License-Identifier: Apache-2.0
// The resolver interface's out-of-line parts and the blocking lookup used by tools.
#include "hallmark/dns/resolver.hpp"

namespace hallmark::dns {

Resolver::~Resolver() = default;

AnswerPtr Resolver::cached(std::string_view, Type) { return nullptr; }

core::Task<AnswerPtr> resolve(Resolver& resolver, std::string name, Type type) {
  co_return co_await lookup(resolver, std::move(name), type);
}

Answer lookup_sync(Resolver& resolver, std::string_view name, Type type) {
  return *core::sync_wait(resolve(resolver, std::string(name), type), resolver.pump());
}

}  // namespace hallmark::dns
