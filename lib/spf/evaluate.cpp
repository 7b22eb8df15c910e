// SPDX-License-Identifier: Apache-2.0
// check_host() (RFC 7208 4-6): record lookup and selection, mechanisms, include/redirect,
// the lookup limits of 4.6.4, and the exp= explanation.
#include "hallmark/spf/evaluate.hpp"

#include <algorithm>
#include <chrono>

#include <fmt/format.h>

#include "hallmark/core/domain.hpp"
#include "hallmark/core/when_all.hpp"
#include "hallmark/spf/record.hpp"
#include "hallmark/spf/record_cache.hpp"
#include "spf/internal/evaluator.hpp"
#include "spf/internal/macro.hpp"

namespace hallmark::spf {
namespace detail {

using dns::Answer;
using dns::Type;

// RFC 7208 4.3: a <domain> that is malformed or not multi-label gives "none".
bool is_checkable_domain(std::string_view domain) noexcept {
  if (domain.empty() || domain.front() == '[') return false;  // address literals
  return core::is_valid_domain(domain, core::DomainSyntax::dns) && core::label_count(domain) >= 2;
}

Evaluator::Evaluator(dns::Resolver& resolver, const CheckHostInput& input, const Options& options)
    : resolver_(resolver), options_(options), ip_(input.ip.unmapped()), helo_(input.helo) {
  const std::string_view sender = input.sender;
  std::size_t at = sender.rfind('@');
  local_part_ = at == std::string_view::npos ? std::string_view() : sender.substr(0, at);
  sender_domain_ = at == std::string_view::npos ? sender : sender.substr(at + 1);
  sender_ = sender;
  if (local_part_.empty()) {  // RFC 7208 4.3
    local_part_ = "postmaster";
    built_sender_ = "postmaster@";
    built_sender_ += sender_domain_;
    sender_ = built_sender_;
  }
  cache_ = options.record_cache ? options.record_cache : &RecordCache::shared();
  // A large provider's policy evaluates a few dozen terms: room for them up front saves
  // the trace's regrowth, which moves every entry's strings.
  if (options.trace) trace_.reserve(std::min<std::size_t>(options.max_trace_entries, 32));
}

// %{t} alone needs the time: read on first use, as the clock costs more than a whole
// evaluation of a simple policy.
std::int64_t Evaluator::now() const {
  if (!now_) {
    now_ = options_.now ? options_.now()
                        : std::chrono::duration_cast<std::chrono::seconds>(
                              std::chrono::system_clock::now().time_since_epoch())
                              .count();
  }
  return *now_;
}

MacroValues Evaluator::values(const MacroString& spec, std::string_view domain,
                              std::string_view validated) const {
  MacroValues v;
  v.sender = sender_;
  v.local_part = local_part_;
  v.sender_domain = sender_domain_;
  v.domain = domain;
  v.ip = ip_;
  v.helo = helo_;
  v.validated_name = validated;
  v.receiver = options_.receiver;
  if (uses_macro(spec, 't')) v.now = now();
  return v;
}

dns::detail::LookupAwaiter Evaluator::query(std::string_view name, Type type) {
  ++queries_;
  return dns::lookup(resolver_, name, type);
}

core::Task<dns::AnswerPtr> Evaluator::query_task(std::string name, Type type) {
  ++queries_;
  return dns::resolve(resolver_, std::move(name), type);
}

bool Evaluator::count_term() noexcept { return ++dns_terms_ <= options_.max_dns_mechanisms; }

bool Evaluator::count_void() noexcept { return ++void_lookups_ <= options_.max_void_lookups; }

void Evaluator::add_trace(TraceEntry entry) {
  if (!options_.trace) return;
  if (trace_.size() < options_.max_trace_entries) {
    trace_.push_back(std::move(entry));
  } else {
    ++dropped_trace_;
  }
}

dns::Type Evaluator::address_type() const noexcept { return ip_.is_v4() ? Type::a : Type::aaaa; }

unsigned Evaluator::prefix_for(const Mechanism& m) const noexcept {
  return ip_.is_v4() ? m.cidr4 : m.cidr6;
}

bool Evaluator::contains_client(const Answer& answer, unsigned prefix) const noexcept {
  for (const core::IpAddress& address : answer.addresses)
    if (core::same_prefix(address, ip_, prefix)) return true;
  return false;
}

core::Task<std::optional<TargetName>> Evaluator::target_name(const MacroString& spec,
                                                             std::string_view domain) {
  std::string validated = "unknown";
  if (uses_macro(spec, 'p')) validated = co_await validated_name(domain);
  co_return expand_target(spec, domain, validated);
}

std::optional<TargetName> Evaluator::expand_target(const MacroString& spec, std::string_view domain,
                                                   std::string_view validated) const {
  constexpr std::size_t domain_limit = 253;  // RFC 7208 7.3, as truncate_to_domain_limit
  TargetName target;
  // Text without a '%' has no macro and no escape: it is its own expansion.
  if (spec.text.find('%') == std::string::npos && spec.text.size() <= domain_limit) {
    target.borrowed = spec.text;
    target.is_borrowed = true;
  } else {
    std::optional<std::string> expanded = expand(spec, values(spec, domain, validated));
    if (!expanded) return std::nullopt;
    target.owned = truncate_to_domain_limit(std::move(*expanded));
  }
  // RFC 7208 leaves an expanded name that DNS cannot carry undefined; like a name that does
  // not exist, it matches nothing (the suite's preferred result).
  if (!core::is_valid_domain(target.view(), core::DomainSyntax::dns)) return std::nullopt;
  return target;
}

// RFC 7208 7.3 and 5.5: the validated name of the client for %{p}.
core::Task<std::string> Evaluator::validated_name(std::string_view domain) {
  dns::AnswerPtr shared_ptr_answer = co_await query(ip_.reverse_name(), Type::ptr);
  const dns::Answer& ptr = *shared_ptr_answer;
  if (!ptr.ok()) co_return "unknown";
  std::vector<std::string> names = ptr.ptr;
  if (names.size() > options_.max_ptr_names) names.resize(options_.max_ptr_names);
  std::vector<std::string> validated = co_await validate(std::move(names));
  for (const std::string& name : validated)
    if (core::domain_equal(name, domain)) co_return name;
  for (const std::string& name : validated)
    if (core::is_subdomain_of(name, domain)) co_return name;
  co_return validated.empty() ? std::string("unknown") : validated.front();
}

// RFC 7208 5.5: a PTR name is validated when one of its addresses is the client's. The
// address lookups run concurrently; names whose lookup fails are skipped.
core::Task<std::vector<std::string>> Evaluator::validate(std::vector<std::string> names) {
  std::vector<core::Task<dns::AnswerPtr>> lookups;
  lookups.reserve(names.size());
  for (const std::string& name : names) lookups.push_back(query_task(name, address_type()));
  std::vector<dns::AnswerPtr> answers = co_await core::when_all(std::move(lookups));
  std::vector<std::string> validated;
  for (std::size_t i = 0; i < names.size(); ++i)
    if (answers[i]->ok() && contains_client(*answers[i], ip_.is_v4() ? 32 : 128))
      validated.push_back(names[i]);
  co_return validated;
}

}  // namespace detail

namespace {

core::Task<Result> run_check_host(dns::Resolver& resolver, CheckHostInput input, Options options,
                                  Identity identity) {
  Result result;
  result.identity = identity;
  {
    // The evaluator reads the input in place; it is moved into the result only afterwards.
    detail::Evaluator evaluator(resolver, input, options);
    detail::Decision decision;
    if (!detail::is_checkable_domain(input.domain)) {
      decision.outcome = Outcome::none;
      decision.reason =
          fmt::format("'{}' is not a domain SPF can check (RFC 7208 4.3)", input.domain);
    } else {
      decision = co_await evaluator.evaluate(input.domain, 0);
    }
    result.outcome = decision.outcome;
    result.reason = std::move(decision.reason);
    result.mechanism = std::move(decision.mechanism);
    if (result.outcome == Outcome::fail)
      result.explanation = co_await evaluator.explain(std::move(decision));
    evaluator.finish(result);
    if (evaluator.sender().data() != input.sender.data()) result.sender = evaluator.sender();
  }
  if (result.sender.empty()) result.sender = std::move(input.sender);
  result.domain = std::move(input.domain);
  co_return result;
}

}  // namespace

core::Task<Result> check_host(dns::Resolver& resolver, CheckHostInput input, Options options) {
  return run_check_host(resolver, std::move(input), std::move(options), Identity::mailfrom);
}

core::Task<Result> check_mail_from(dns::Resolver& resolver, Envelope envelope, Options options) {
  // RFC 7208 2.4: with a null reverse path the identity is postmaster@<HELO>.
  if (envelope.mail_from.empty()) return check_helo(resolver, std::move(envelope), options);
  std::string domain = envelope.mail_from.substr(envelope.mail_from.rfind('@') + 1);
  CheckHostInput input{envelope.ip, std::move(domain), std::move(envelope.mail_from),
                       std::move(envelope.helo)};
  return run_check_host(resolver, std::move(input), std::move(options), Identity::mailfrom);
}

core::Task<Result> check_helo(dns::Resolver& resolver, Envelope envelope, Options options) {
  std::string sender = "postmaster@" + envelope.helo;
  CheckHostInput input{envelope.ip, envelope.helo, std::move(sender), std::move(envelope.helo)};
  return run_check_host(resolver, std::move(input), std::move(options), Identity::helo);
}

}  // namespace hallmark::spf
