// SPDX-License-Identifier: Apache-2.0
// The Authenticator: the resolver stack, the fixed options and the reloadable policy that every
// session starts from; whole-message calls on top of sessions.
#include "hallmark/authenticator/authenticator.hpp"

#include <unistd.h>

#include <climits>

#include "authenticator/internal/authenticator_impl.hpp"
#include "hallmark/core/domain.hpp"
#include "hallmark/dns/threaded_resolver.hpp"
#include "hallmark/dns/zone_resolver.hpp"
#include "hallmark/mail/auth_results.hpp"

namespace hallmark::authenticator {
namespace {

std::string host_name() {
  char name[HOST_NAME_MAX + 1] = {};
  if (::gethostname(name, sizeof name - 1) != 0 || name[0] == '\0') return "localhost";
  return name;
}

detail::PolicyPtr policy_of(const Options& options) {
  auto policy = std::make_shared<detail::Policy>();
  policy->scores = options.scores;
  policy->allow_dmarc = options.allow_dmarc;
  policy->allow_spf_dkim = options.allow_spf_dkim;
  policy->trusted_arc_sealers = options.trusted_arc_sealers;
  return policy;
}

// The authserv-id of a field value that does not parse, read the way RFC 8601 2.2 writes it:
// after whitespace and comments, a token or a quoted string. A forger must not keep a field
// that claims our name merely by breaking its syntax, hiding the id behind a comment or
// quoting it.
std::string claimed_id(std::string_view value) {
  std::size_t at = 0;
  int depth = 0;
  while (at < value.size()) {
    char c = value[at];
    if (depth > 0 && c == '\\') {
      at += 2;
    } else if (c == '(') {
      ++depth;
      ++at;
    } else if (depth > 0 && c == ')') {
      --depth;
      ++at;
    } else if (depth > 0 || c == ' ' || c == '\t' || c == '\r' || c == '\n') {
      ++at;
    } else {
      break;
    }
  }
  std::string id;
  if (at < value.size() && value[at] == '"') {
    for (++at; at < value.size() && value[at] != '"'; ++at) {
      if (value[at] == '\\' && at + 1 < value.size()) ++at;
      id += value[at];
    }
    return id;
  }
  for (; at < value.size(); ++at) {
    auto c = static_cast<unsigned char>(value[at]);
    if (c <= ' ' || c == 0x7f || c == ';' || c == '(') break;
    id += static_cast<char>(c);
  }
  return id;
}

}  // namespace

Authenticator::Impl::Impl(dns::Resolver& r, Options o)
    : resolver(r),
      options(std::move(o)),
      authserv_id(options.authserv_id.empty() ? host_name() : options.authserv_id),
      policy(policy_of(options)) {
  if (options.dkim.key_cache == nullptr || options.arc.key_cache == nullptr) {
    own_keys = std::make_unique<dkim::KeyCache>();
    if (options.dkim.key_cache == nullptr) options.dkim.key_cache = own_keys.get();
    if (options.arc.key_cache == nullptr) options.arc.key_cache = own_keys.get();
  }
}

Authenticator::Authenticator(dns::Resolver& resolver, Options options)
    : impl_(std::make_unique<Impl>(resolver, std::move(options))) {}

core::Expected<std::unique_ptr<Authenticator>> Authenticator::create(Options options,
                                                                     ResolverConfig config) {
  std::unique_ptr<dns::Resolver> upstream;
  std::unique_ptr<dns::Resolver> cache;
  if (!config.zone_files.empty()) {
    auto zone = std::make_unique<dns::ZoneResolver>();
    for (const std::string& file : config.zone_files)
      if (core::Expected<void> loaded = zone->load_file(file); !loaded)
        return std::unexpected(loaded.error());
    // Fixtures answer from memory: a cache in front would only copy them.
    upstream = std::move(zone);
  } else {
    // c-ares on a thread of its own, so that sessions may run on any of the host's threads.
    core::Expected<std::unique_ptr<dns::ThreadedResolver>> cares =
        dns::ThreadedResolver::create(std::move(config.cares));
    if (!cares) return std::unexpected(cares.error());
    upstream = std::move(*cares);
    cache = std::make_unique<dns::CachingResolver>(*upstream, std::move(config.cache));
  }
  dns::Resolver& used = cache ? *cache : *upstream;
  auto authenticator = std::make_unique<Authenticator>(used, std::move(options));
  authenticator->impl_->own_upstream = std::move(upstream);
  authenticator->impl_->own_cache = std::move(cache);
  return authenticator;
}

Authenticator::~Authenticator() {
  // The resolver the sessions used goes last; the cache before its upstream.
  if (impl_) impl_->own_cache.reset();
}

core::Task<Verdict> Authenticator::verify(std::string_view message, Envelope envelope) {
  std::unique_ptr<Session> session = start(std::move(envelope));
  // A header section past the limits is reported in the verdict.
  static_cast<void>(session->feed(message));
  Verdict verdict = co_await session->finish();
  co_return verdict;
}

Verdict Authenticator::verify_blocking(std::string_view message, Envelope envelope) {
  std::unique_ptr<Session> session = start(std::move(envelope));
  static_cast<void>(session->feed(message));
  return session->finish_blocking();
}

void Authenticator::reload(AllowListPtr allow_dmarc, AllowListPtr allow_spf_dkim,
                           AllowListPtr trusted_arc_sealers) {
  // Sessions under way keep the policy they took; the next ones take this one.
  detail::PolicyPtr current = impl_->current_policy();
  auto next = std::make_shared<detail::Policy>(*current);
  if (allow_dmarc) next->allow_dmarc = std::move(allow_dmarc);
  if (allow_spf_dkim) next->allow_spf_dkim = std::move(allow_spf_dkim);
  if (trusted_arc_sealers) next->trusted_arc_sealers = std::move(trusted_arc_sealers);
  impl_->set_policy(std::move(next));
}

void Authenticator::reload(ScoreTable scores) {
  detail::PolicyPtr current = impl_->current_policy();
  auto next = std::make_shared<detail::Policy>(*current);
  next->scores = scores;
  impl_->set_policy(std::move(next));
}

const Options& Authenticator::options() const noexcept { return impl_->options; }
const std::string& Authenticator::authserv_id() const noexcept { return impl_->authserv_id; }
dns::Resolver& Authenticator::resolver() noexcept { return impl_->resolver; }

std::vector<std::size_t> own_auth_results_fields(const mail::HeaderSection& headers,
                                                 std::string_view authserv_id) {
  std::vector<std::size_t> own;
  for (std::size_t i = 0; i < headers.size(); ++i) {
    if (!headers[i].name_is("Authentication-Results")) continue;
    core::Expected<mail::AuthResults> parsed = mail::parse_auth_results(headers[i].value);
    std::string id = parsed ? parsed->authserv_id : claimed_id(headers[i].value);
    if (core::domain_equal(id, authserv_id)) own.push_back(i);
  }
  return own;
}

}  // namespace hallmark::authenticator
