// SPDX-License-Identifier: Apache-2.0
// check_host() (RFC 7208 4-6): record lookup and selection, mechanisms, include/redirect,
// the lookup limits of 4.6.4, and the exp= explanation.
#include "hallmark/spf/evaluate.hpp"

#include <algorithm>
#include <chrono>

#include <fmt/format.h>

#include "core/internal/ascii.hpp"
#include "hallmark/core/domain.hpp"
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
  // A valid name has no empty label, so a dot before its end means at least two labels.
  return core::is_valid_domain(domain, core::DomainSyntax::dns) &&
         core::strip_trailing_dot(domain).find('.') != std::string_view::npos;
}

Evaluator::Evaluator(dns::Resolver& resolver, const InputView& input, const Options& options,
                     Memory& memory)
    : options_(options),
      memory_(memory),
      attempt_(resolver, memory.answers),
      ip_(input.ip.unmapped()),
      domain_(input.domain),
      helo_(input.helo) {
  const std::string_view sender = input.sender;
  std::size_t at = core::detail::last_of(sender, '@');
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

bool Evaluator::run(Result& result) {
  Decision decision;
  if (!is_checkable_domain(domain_)) {
    decision.outcome = Outcome::none;
    decision.reason = fmt::format("'{}' is not a domain SPF can check (RFC 7208 4.3)", domain_);
  } else {
    decision = evaluate(domain_, 0);
    if (decision.pending) return false;
  }
  if (decision.outcome == Outcome::fail) {
    std::optional<std::string> explanation = explain(decision);
    if (!explanation) return false;
    result.explanation = *explanation;
  }
  result.outcome = decision.outcome;
  result.reason = std::move(decision.reason);
  result.mechanism = std::move(decision.mechanism);
  result.dns_lookups = dns_terms_;
  result.void_lookups = void_lookups_;
  result.trace = std::move(trace_);
  if (options_.trace && dropped_trace_ > 0)
    result.trace.push_back(TraceEntry{
        {}, "...", 0, 0, false, fmt::format("{} more terms not traced", dropped_trace_)});
  return true;
}

// %{t} alone needs the time: read on first use, as the clock costs more than a whole
// evaluation of a simple policy, and kept for the attempts that follow.
std::int64_t Evaluator::now() const {
  if (!memory_.now) {
    memory_.now = options_.now ? options_.now()
                               : std::chrono::duration_cast<std::chrono::seconds>(
                                     std::chrono::system_clock::now().time_since_epoch())
                                     .count();
  }
  return *memory_.now;
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

const dns::Answer* Evaluator::answer(std::string_view name, Type type) {
  ++queries_;
  return attempt_.find(name, type);
}

void Evaluator::want(std::string_view name, Type type) { attempt_.want(name, type); }

const dns::Answer* Evaluator::need(std::string_view name, Type type) {
  ++queries_;
  return attempt_.need(name, type);
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

std::optional<TargetName> Evaluator::expand_target(const MacroString& spec, std::string_view domain,
                                                   std::string_view validated) const {
  constexpr std::size_t domain_limit = 253;  // RFC 7208 7.3, as truncate_to_domain_limit
  TargetName target;
  // Text without a '%' has no macro and no escape: it is its own expansion.
  if (spec.text.find('%') == std::string::npos && spec.text.size() <= domain_limit) {
    target.borrowed = spec.text;
    target.is_borrowed = true;
  } else {
    // Expanded into this thread's reused buffer: the name kept is at most 253 octets, which
    // the target holds inline, so a macro costs no allocation either.
    thread_local std::string expansion;
    expansion.clear();
    if (!expand_into(spec, values(spec, domain, validated), expansion)) return std::nullopt;
    target.owned = truncate_to_domain_limit(expansion);
    if (expansion.capacity() > 4 * max_expansion) std::string().swap(expansion);
  }
  // RFC 7208 leaves an expanded name that DNS cannot carry undefined; like a name that does
  // not exist, it matches nothing (the suite's preferred result).
  if (!core::is_valid_domain(target.view(), core::DomainSyntax::dns)) return std::nullopt;
  return target;
}

Validated Evaluator::validated_for(const MacroString& spec, std::string_view domain) {
  if (!uses_macro(spec, 'p')) return std::string_view("unknown");
  return validated_name(domain);
}

// RFC 7208 7.3 and 5.5: the validated name of the client for %{p}.
Validated Evaluator::validated_name(std::string_view domain) {
  const std::string reverse = ip_.reverse_name();
  const dns::Answer* ptr = need(reverse, Type::ptr);
  if (ptr == nullptr) return std::nullopt;
  if (!ptr->ok()) return std::string_view("unknown");
  std::vector<std::string_view> names(
      ptr->ptr.begin(),
      ptr->ptr.begin() + std::min<std::size_t>(ptr->ptr.size(), options_.max_ptr_names));
  std::optional<std::vector<std::string_view>> validated = validate(names);
  if (!validated) return std::nullopt;
  for (std::string_view name : *validated)
    if (core::domain_equal(name, domain)) return name;
  for (std::string_view name : *validated)
    if (core::is_subdomain_of(name, domain)) return name;
  return validated->empty() ? std::string_view("unknown") : validated->front();
}

// RFC 7208 5.5: a PTR name is validated when one of its addresses is the client's; names
// whose lookup fails are skipped. Every missing lookup is wanted at once, so the driver
// makes them concurrently.
std::optional<std::vector<std::string_view>> Evaluator::validate(
    const std::vector<std::string_view>& names) {
  std::vector<std::string_view> validated;
  bool waiting = false;
  for (std::string_view name : names) {
    const dns::Answer* addresses = need(name, address_type());
    if (addresses == nullptr) {
      waiting = true;
    } else if (addresses->ok() && contains_client(*addresses, ip_.is_v4() ? 32 : 128)) {
      validated.push_back(name);
    }
  }
  if (waiting) return std::nullopt;
  return validated;
}

}  // namespace detail

namespace {

detail::InputView view_of(const CheckHostInput& input) noexcept {
  return detail::InputView{input.ip, input.domain, input.sender, input.helo};
}

// The result's identity fields, once an attempt has finished.
void complete(Result& result, const detail::InputView& input, std::string_view sender) {
  result.sender = sender;  // as given, or built by the evaluator (RFC 7208 4.3)
  result.domain = input.domain;
}

// Fetches what the last attempt wanted and runs attempts until one finishes. The task keeps
// its own copies of the arguments: the caller's may be gone by the time it resumes.
core::Task<Result> fetch_and_retry(dns::Resolver& resolver, CheckHostInput input, Options options,
                                   Result result, detail::Memory memory,
                                   std::vector<dns::detail::Wanted> wanted) {
  for (;;) {
    co_await dns::detail::fetch(resolver, memory.answers, std::move(wanted));
    const detail::InputView view = view_of(input);
    detail::Evaluator evaluator(resolver, view, options, memory);
    if (evaluator.run(result)) {
      complete(result, view, evaluator.sender());
      co_return result;
    }
    wanted = evaluator.take_wanted();
  }
}

// The first attempt runs before any coroutine exists, on the caller's arguments in place:
// when every answer is at hand (a warm cache) the check is over before this returns, and the
// task only hands the result over; nothing of the arguments was copied but what the result
// keeps.
core::Task<Result> start_check(dns::Resolver& resolver, const detail::InputView& input,
                               const Options& options, Identity identity) {
  Result result;
  result.identity = identity;
  detail::Memory memory;
  std::vector<dns::detail::Wanted> wanted;
  {
    detail::Evaluator evaluator(resolver, input, options, memory);
    if (evaluator.run(result)) {
      complete(result, input, evaluator.sender());
      return core::ready(std::move(result));
    }
    wanted = evaluator.take_wanted();
  }
  CheckHostInput owned{input.ip, std::string(input.domain), std::string(input.sender),
                       std::string(input.helo)};
  return fetch_and_retry(resolver, std::move(owned), options, std::move(result), std::move(memory),
                         std::move(wanted));
}

}  // namespace

core::Task<Result> check_host(dns::Resolver& resolver, const CheckHostInput& input,
                              const Options& options) {
  return start_check(resolver, view_of(input), options, Identity::mailfrom);
}

core::Task<Result> check_mail_from(dns::Resolver& resolver, const Envelope& envelope,
                                   const Options& options) {
  // RFC 7208 2.4: with a null reverse path the identity is postmaster@<HELO>.
  if (envelope.mail_from.empty()) return check_helo(resolver, envelope, options);
  const std::string_view mail_from = envelope.mail_from;
  const std::string_view domain = mail_from.substr(core::detail::last_of(mail_from, '@') + 1);
  return start_check(resolver, detail::InputView{envelope.ip, domain, mail_from, envelope.helo},
                     options, Identity::mailfrom);
}

core::Task<Result> check_helo(dns::Resolver& resolver, const Envelope& envelope,
                              const Options& options) {
  // RFC 7208 2.3: <sender> is postmaster@<HELO>. A sender without a local-part gets exactly
  // that from the evaluator (RFC 7208 4.3), without a string built here; a HELO holding an
  // '@' (no domain, so the check gives none) keeps the literal form.
  std::string postmaster;
  std::string_view sender = envelope.helo;
  if (sender.find('@') != std::string_view::npos)
    sender = postmaster = "postmaster@" + envelope.helo;
  return start_check(resolver, detail::InputView{envelope.ip, envelope.helo, sender, envelope.helo},
                     options, Identity::helo);
}

}  // namespace hallmark::spf
