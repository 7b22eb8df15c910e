// SPDX-License-Identifier: Apache-2.0
// Key lookup (RFC 6376 3.6.2): TXT at <selector>._domainkey.<domain>, record parsing, key
// decoding, and caching of the decoded key for the record's TTL.
#include "dkim/internal/key_fetch.hpp"

#include <algorithm>
#include <list>
#include <mutex>
#include <unordered_map>

#include <fmt/format.h>

#include "core/internal/seeded_hash.hpp"
#include "hallmark/core/domain.hpp"
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

namespace detail {

KeyRequests::~KeyRequests() {
  if (!fetching_ || fetching_->done()) return;
  // A resolver that dropped its pending completions will never resume the fetch: its frames
  // can go now, without waiting.
  if (resolver_->abandoned()) return;
  if (core::Pump* pump = resolver_->pump())
    while (!fetching_->done() && pump->pump_once()) {
    }
  if (!fetching_->done()) static_cast<void>(new core::Started<KeyList>(std::move(*fetching_)));
}

std::size_t KeyRequests::add(std::string_view selector, std::string_view domain) {
  auto a_domain = core::to_a_label(domain, core::DomainSyntax::ldh_underscore);
  auto a_selector = core::to_a_label(selector, core::DomainSyntax::ldh_underscore);
  std::string name = key_name(a_selector ? std::string_view(*a_selector) : selector,
                              a_domain ? std::string_view(*a_domain) : domain);
  for (std::size_t i = 0; i < names_.size(); ++i)
    if (names_[i] == name) return i;
  names_.push_back(std::move(name));
  return names_.size() - 1;
}

void KeyRequests::start(dns::Resolver& resolver, KeyCache& cache) {
  resolver_ = &resolver;
  auto now = std::chrono::steady_clock::now();
  std::vector<std::string> missing;
  cached_.resize(names_.size());
  for (std::size_t i = 0; i < names_.size(); ++i) {
    cached_[i] = cache.find(names_[i], now);
    if (cached_[i]) continue;
    missing.push_back(names_[i]);
    looked_up_.push_back(i);
  }
  if (!missing.empty()) fetching_.emplace(fetch_keys(resolver, std::move(missing), cache));
}

core::Task<KeyList> KeyRequests::keys() {
  KeyList all = std::move(cached_);
  if (fetching_) {
    KeyList answers = co_await *fetching_;
    for (std::size_t i = 0; i < answers.size(); ++i) all[looked_up_[i]] = std::move(answers[i]);
  }
  co_return all;
}

KeyProblem check_key(const FetchedKey& key, Algorithm algorithm, std::string_view auid_domain,
                     std::string_view signing_domain, unsigned min_rsa_bits) {
  if (key.failure != Outcome::none) return {key.failure, key.reason, key.detail};
  const KeyRecord& record = key.record;
  if (record.type != key_type_of(algorithm))
    return {Outcome::permerror, Reason::key_type_mismatch, "key type does not match a="};
  if (!record.hashes.empty() && std::find(record.hashes.begin(), record.hashes.end(),
                                          hash_of(algorithm)) == record.hashes.end())
    return {Outcome::permerror, Reason::key_hash_rejected,
            "key h= does not allow the signature's hash"};
  if (!record.services.empty() &&
      std::find_if(record.services.begin(), record.services.end(), [](const std::string& service) {
        return service == "*" || service == "email";
      }) == record.services.end())
    return {Outcome::permerror, Reason::key_service_mismatch, "key s= excludes email"};
  if (record.strict_subdomains && !auid_domain.empty() &&
      !core::domain_equal(auid_domain, signing_domain))
    return {Outcome::permerror, Reason::key_strict_subdomain,
            "key t=s forbids an i= subdomain of d="};
  if (record.type == KeyType::rsa && key.key.bits < min_rsa_bits)
    return {
        Outcome::permerror, Reason::key_too_small,
        fmt::format("RSA key of {} bits is below {} (RFC 8301 3.2)", key.key.bits, min_rsa_bits)};
  return {};
}

}  // namespace detail
}  // namespace hallmark::dkim
