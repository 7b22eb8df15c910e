// SPDX-License-Identifier: Apache-2.0
// Key lookup (RFC 6376 3.6.2): TXT at <selector>._domainkey.<domain>, record parsing, key
// decoding, and caching of the decoded key for the record's TTL.
#include "dkim/internal/key_fetch.hpp"

#include <list>
#include <mutex>
#include <unordered_map>

#include <fmt/format.h>

#include "core/internal/seeded_hash.hpp"
#include "hallmark/core/when_all.hpp"
#include "hallmark/dkim/record.hpp"

namespace hallmark::dkim {

struct KeyCache::Impl {
  struct Entry {
    std::string name;
    std::shared_ptr<const detail::FetchedKey> key;
    std::chrono::steady_clock::time_point expires;
  };
  explicit Impl(std::size_t limit) : max_entries(limit == 0 ? 1 : limit) {}
  std::size_t max_entries;
  std::mutex mutex;
  std::list<Entry> order;  // most recently used first
  // Key names come from d= and s=: hashed with a per-process key.
  std::unordered_map<std::string_view, std::list<Entry>::iterator, core::detail::SeededHash> index;
  Stats stats;
};

KeyCache::KeyCache(std::size_t max_entries) : impl_(std::make_unique<Impl>(max_entries)) {}
KeyCache::~KeyCache() = default;

KeyCache& KeyCache::shared() {
  static KeyCache cache;
  return cache;
}

KeyCache::Stats KeyCache::stats() const {
  std::lock_guard lock(impl_->mutex);
  Stats out = impl_->stats;
  out.entries = impl_->order.size();
  return out;
}

void KeyCache::clear() {
  std::lock_guard lock(impl_->mutex);
  impl_->index.clear();
  impl_->order.clear();
}

std::shared_ptr<const detail::FetchedKey> KeyCache::find(
    std::string_view name, std::chrono::steady_clock::time_point now) {
  std::lock_guard lock(impl_->mutex);
  auto it = impl_->index.find(name);
  if (it == impl_->index.end() || it->second->expires <= now) {
    ++impl_->stats.misses;
    return nullptr;
  }
  impl_->order.splice(impl_->order.begin(), impl_->order, it->second);
  ++impl_->stats.hits;
  return it->second->key;
}

void KeyCache::store(std::string name, std::shared_ptr<const detail::FetchedKey> key,
                     std::chrono::steady_clock::time_point expires) {
  std::lock_guard lock(impl_->mutex);
  if (auto it = impl_->index.find(name); it != impl_->index.end()) {
    it->second->key = std::move(key);
    it->second->expires = expires;
    impl_->order.splice(impl_->order.begin(), impl_->order, it->second);
    return;
  }
  impl_->order.push_front(Impl::Entry{std::move(name), std::move(key), expires});
  impl_->index.emplace(impl_->order.front().name, impl_->order.begin());
  if (impl_->order.size() > impl_->max_entries) {
    impl_->index.erase(impl_->order.back().name);
    impl_->order.pop_back();
  }
}

namespace detail {
namespace {

std::shared_ptr<const FetchedKey> failed(Outcome outcome, Reason reason, std::string detail) {
  auto key = std::make_shared<FetchedKey>();
  key->failure = outcome;
  key->reason = reason;
  key->detail = std::move(detail);
  return key;
}

std::shared_ptr<const FetchedKey> from_answer(const dns::Answer& answer) {
  if (answer.is_error())
    return failed(Outcome::temperror, Reason::key_unavailable,
                  fmt::format("key lookup of {}: {}", answer.name, dns::to_string(answer.status)));
  if (answer.is_void() || answer.txt.empty())
    return failed(Outcome::permerror, Reason::key_not_found,
                  fmt::format("no key at {}", answer.name));
  // RFC 6376 3.6.2.2: several records are a publishing error; use the first that parses.
  std::string first_error;
  for (const dns::Txt& txt : answer.txt) {
    std::string text = txt.text();
    auto record = parse_key_record(text);
    if (!record) {
      if (first_error.empty()) first_error = record.error().message;
      continue;
    }
    auto key = std::make_shared<FetchedKey>();
    key->record = std::move(*record);
    if (key->record.revoked()) {
      key->failure = Outcome::permerror;
      key->reason = Reason::key_revoked;
      key->detail = fmt::format("key at {} is revoked (empty p=)", answer.name);
      return key;
    }
    auto decoded = decode_public_key(key->record.type, key->record.public_key);
    if (!decoded)
      return failed(Outcome::permerror, Reason::key_unusable,
                    fmt::format("key at {}: {}", answer.name, decoded.error().message));
    key->key = std::move(*decoded);
    return key;
  }
  return failed(Outcome::permerror, Reason::key_syntax,
                fmt::format("key at {}: {}", answer.name, first_error));
}

core::Task<std::shared_ptr<const FetchedKey>> fetch_key(dns::Resolver& resolver, std::string name,
                                                        KeyCache& cache) {
  auto now = std::chrono::steady_clock::now();
  dns::AnswerPtr shared_answer = co_await dns::lookup(resolver, name, dns::Type::txt);
  const dns::Answer& answer = *shared_answer;
  std::shared_ptr<const FetchedKey> key = from_answer(answer);
  // Temporary failures are not kept: the next message should try again.
  if (key->failure != Outcome::temperror)
    cache.store(name, key, now + std::chrono::seconds(answer.ttl));
  co_return key;
}

}  // namespace

core::Task<std::vector<std::shared_ptr<const FetchedKey>>> fetch_keys(
    dns::Resolver& resolver, std::vector<std::string> names, KeyCache& cache) {
  std::vector<core::Task<std::shared_ptr<const FetchedKey>>> lookups;
  lookups.reserve(names.size());
  for (std::string& name : names) lookups.push_back(fetch_key(resolver, std::move(name), cache));
  std::vector<std::shared_ptr<const FetchedKey>> keys = co_await core::when_all(std::move(lookups));
  co_return keys;
}

}  // namespace detail
}  // namespace hallmark::dkim
