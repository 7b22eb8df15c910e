// SPDX-License-Identifier: Apache-2.0
// Evaluating one SPF record (RFC 7208 4.4-4.7) and each mechanism (RFC 7208 5), counting
// DNS-querying terms and void lookups as 4.6.4 requires.
#include <fmt/format.h>

#include "hallmark/core/domain.hpp"
#include "hallmark/spf/record.hpp"
#include "spf/internal/evaluator.hpp"

namespace hallmark::spf::detail {

using dns::Answer;
using dns::Type;

namespace {

Outcome outcome_of(Qualifier qualifier) noexcept {
  switch (qualifier) {
    case Qualifier::pass: return Outcome::pass;
    case Qualifier::fail: return Outcome::fail;
    case Qualifier::softfail: return Outcome::softfail;
    case Qualifier::neutral: return Outcome::neutral;
  }
  return Outcome::neutral;
}

bool queries_dns(MechanismKind kind) noexcept {
  return kind != MechanismKind::all && kind != MechanismKind::ip4 && kind != MechanismKind::ip6;
}

std::string failure_note(const Answer& answer) {
  return fmt::format("{} looking up {} {}", dns::to_string(answer.status), answer.name,
                     dns::to_string(answer.type));
}

Decision decide(Outcome outcome, std::string_view reason) {
  Decision decision;
  decision.outcome = outcome;
  decision.reason = reason;
  return decision;
}

Decision pending() {
  Decision decision;
  decision.pending = true;
  return decision;
}

std::string limit_reason(unsigned limit) {
  return fmt::format("more than {} DNS-querying terms (RFC 7208 4.6.4)", limit);
}

}  // namespace

Decision Evaluator::evaluate(std::string_view domain, unsigned depth) {
  // The top domain was checked by run(), with its own reason.
  if (depth > 0 && !is_checkable_domain(domain))
    return decide(Outcome::none, fmt::format("'{}' is not a valid domain", domain));
  const dns::Answer* txt = need(domain, Type::txt);
  if (txt == nullptr) return pending();
  if (txt->is_error()) return decide(Outcome::temperror, failure_note(*txt));
  // RFC 7208 4.5: exactly one record starting "v=spf1"; other TXT records are ignored.
  const dns::Txt* chosen = nullptr;
  std::string_view text;
  std::string scratch, chosen_text;  // only for records split into several strings
  for (const dns::Txt& record : txt->txt) {
    std::string_view candidate = record.text(scratch);
    if (!is_spf_record(candidate)) continue;
    if (chosen != nullptr)
      return decide(Outcome::permerror, fmt::format("{} has more than one SPF record", domain));
    chosen = &record;
    text = candidate;
    if (candidate.data() == scratch.data()) text = chosen_text = std::move(scratch);
  }
  if (chosen == nullptr) return decide(Outcome::none, fmt::format("{} has no SPF record", domain));

  std::shared_ptr<const RecordCache::Rendered> parsed = cache_->parse_rendered(text);
  if (!parsed->record)
    return decide(Outcome::permerror,
                  fmt::format("{}: {}", domain, parsed->record.error().message));
  const Record& record = *parsed->record;

  for (std::size_t index = 0; index < record.mechanisms.size(); ++index) {
    const Mechanism& mechanism = record.mechanisms[index];
    MatchResult result;
    unsigned lookups = 0;
    if (queries_dns(mechanism.kind)) {
      if (!count_term())
        return decide(Outcome::permerror, limit_reason(options_.max_dns_mechanisms));
      unsigned before = queries_;
      result = match(mechanism, domain, depth);
      lookups = queries_ - before;
    } else {
      // all, ip4 and ip6 are most of a large policy's terms: matched here, with no copy of
      // the domain.
      result.match = matches_without_dns(mechanism) ? Match::yes : Match::no;
    }
    if (result.match == Match::pending) return pending();
    // A term's text (rendered once, with the parse) is copied only for a trace entry that is
    // kept or for the deciding term.
    if (trace_full()) {
      ++dropped_trace_;
    } else {
      trace_.push_back(TraceEntry{std::string(domain), parsed->terms[index], depth, lookups,
                                  result.match == Match::yes, result.note});
    }
    switch (result.match) {
      case Match::no: continue;
      case Match::pending: return pending();
      case Match::temperror: return decide(Outcome::temperror, std::move(result.note));
      case Match::permerror: return decide(Outcome::permerror, std::move(result.note));
      case Match::yes: {
        // An include keeps only the outcome of what it includes, and the reason for a trace
        // entry: with no room in the trace, an included record's words would be thrown away.
        if (inside_include_ > 0 && trace_full()) return decide(outcome_of(mechanism.qualifier), {});
        const std::string_view term = parsed->terms[index];
        Decision decision;
        decision.outcome = outcome_of(mechanism.qualifier);
        decision.reason.append(domain).append(" matched ").append(term);
        decision.mechanism = term;
        // Only a fail is explained (RFC 7208 6.2), from the record that decided it.
        if (decision.outcome == Outcome::fail) {
          decision.record = RecordCache::Entry(parsed, &parsed->record);
          decision.domain = domain;
        }
        return decision;
      }
    }
  }

  if (record.redirect) {
    // RFC 7208 6.1: redirect counts as a DNS-querying term; a target without a record, or
    // one that is malformed, is permerror rather than none.
    if (!count_term()) return decide(Outcome::permerror, limit_reason(options_.max_dns_mechanisms));
    Validated validated = validated_for(*record.redirect, domain);
    if (!validated) return pending();
    std::optional<TargetName> target = expand_target(*record.redirect, domain, *validated);
    if (!target) {
      if (!trace_full())
        add_trace(TraceEntry{std::string(domain), "redirect=" + record.redirect->text, depth, 0,
                             false, "invalid target name"});
      return decide(Outcome::permerror, fmt::format("{}: redirect target is not a domain", domain));
    }
    if (!trace_full())
      add_trace(TraceEntry{std::string(domain), "redirect=" + record.redirect->text, depth, 0, true,
                           fmt::format("-> {}", target->view())});
    Decision redirected = evaluate(target->view(), depth + 1);
    if (redirected.outcome == Outcome::none && !redirected.pending)
      return decide(Outcome::permerror,
                    fmt::format("redirect target {} has no SPF record", target->view()));
    return redirected;
  }
  if (inside_include_ > 0 && trace_full()) return decide(Outcome::neutral, {});
  // RFC 7208 4.7: as if "?all" ended the record
  return decide(Outcome::neutral, fmt::format("no mechanism of {} matched", domain));
}

bool Evaluator::matches_without_dns(const Mechanism& m) const noexcept {
  if (m.kind == MechanismKind::all) return true;
  core::Cidr network{m.network, m.kind == MechanismKind::ip4 ? m.cidr4 : m.cidr6};
  return network.contains(ip_);
}

MatchResult Evaluator::match(const Mechanism& m, std::string_view domain, unsigned depth) {
  switch (m.kind) {
    case MechanismKind::all:
    case MechanismKind::ip4:
    case MechanismKind::ip6: return {matches_without_dns(m) ? Match::yes : Match::no, {}};
    case MechanismKind::a: return match_address(m, domain);
    case MechanismKind::mx: return match_mx(m, domain);
    case MechanismKind::ptr: return match_ptr(m, domain);
    case MechanismKind::exists: return match_exists(m, domain);
    case MechanismKind::include: return match_include(m, domain, depth);
  }
  return {};
}

std::optional<TargetName> Evaluator::mechanism_target(const Mechanism& m, std::string_view domain,
                                                      std::string_view validated) const {
  if (m.domain.empty()) return TargetName{{}, domain, true};
  return expand_target(m.domain, domain, validated);
}

// The void-lookup rule (RFC 7208 4.6.4) shared by a, mx, ptr and exists.
MatchResult Evaluator::void_lookup() {
  if (!count_void()) return MatchResult{Match::permerror, "too many void lookups (RFC 7208 4.6.4)"};
  return MatchResult{Match::no, "void lookup"};
}

// RFC 7208 5.3
MatchResult Evaluator::match_address(const Mechanism& m, std::string_view domain) {
  Validated validated = validated_for(m.domain, domain);
  if (!validated) return {Match::pending, {}};
  std::optional<TargetName> target = mechanism_target(m, domain, *validated);
  if (!target) return MatchResult{Match::no, "target is not a valid domain name"};
  const dns::Answer* addresses = need(target->view(), address_type());
  if (addresses == nullptr) return {Match::pending, {}};
  if (addresses->is_error()) return MatchResult{Match::temperror, failure_note(*addresses)};
  if (addresses->is_void()) return void_lookup();
  return MatchResult{contains_client(*addresses, prefix_for(m)) ? Match::yes : Match::no, {}};
}

// RFC 7208 5.4: the exchanges' addresses missing from memory and cache are wanted together,
// so the driver looks them up concurrently.
MatchResult Evaluator::match_mx(const Mechanism& m, std::string_view domain) {
  Validated validated = validated_for(m.domain, domain);
  if (!validated) return {Match::pending, {}};
  std::optional<TargetName> target = mechanism_target(m, domain, *validated);
  if (!target) return MatchResult{Match::no, "target is not a valid domain name"};
  const dns::Answer* mx = need(target->view(), Type::mx);
  if (mx == nullptr) return {Match::pending, {}};
  if (mx->is_error()) return MatchResult{Match::temperror, failure_note(*mx)};
  if (mx->is_void()) return void_lookup();
  // RFC 7208 4.6.4: the publisher controls its MX set, so too many exchanges is its error.
  if (mx->mx.size() > options_.max_mx_names)
    return MatchResult{Match::permerror,
                       fmt::format("{} has {} MX records, more than {} (RFC 7208 4.6.4)",
                                   target->view(), mx->mx.size(), options_.max_mx_names)};
  const unsigned prefix = prefix_for(m);
  const dns::Answer* failed = nullptr;
  std::vector<std::string_view> missing;  // views into the MX answer, which memory keeps
  for (const dns::Mx& exchange : mx->mx) {
    if (exchange.exchange.empty()) continue;
    const dns::Answer* addresses = answer(exchange.exchange, address_type());
    if (addresses == nullptr) {
      missing.push_back(exchange.exchange);
      continue;
    }
    if (addresses->ok() && contains_client(*addresses, prefix)) return MatchResult{Match::yes, {}};
    if (addresses->is_error() && failed == nullptr) failed = addresses;
  }
  // A match among the known exchanges decided above; otherwise every missing one is needed.
  if (!missing.empty()) {
    for (std::string_view name : missing) want(name, address_type());
    return {Match::pending, {}};
  }
  if (failed != nullptr) return MatchResult{Match::temperror, failure_note(*failed)};
  return MatchResult{Match::no, {}};
}

// RFC 7208 5.5: only validated PTR names that are the target or below it can match.
MatchResult Evaluator::match_ptr(const Mechanism& m, std::string_view domain) {
  Validated validated = validated_for(m.domain, domain);
  if (!validated) return {Match::pending, {}};
  std::optional<TargetName> target = mechanism_target(m, domain, *validated);
  if (!target) return MatchResult{Match::no, "target is not a valid domain name"};
  const std::string reverse = ip_.reverse_name();
  const dns::Answer* ptr = need(reverse, Type::ptr);
  if (ptr == nullptr) return {Match::pending, {}};
  // A DNS error during the PTR lookup makes the mechanism not match (RFC 7208 5.5).
  if (ptr->is_error()) return MatchResult{Match::no, failure_note(*ptr)};
  if (ptr->is_void()) return void_lookup();
  // PTR names are the client's, so extras are dropped rather than blamed (RFC 7208 4.6.4).
  std::vector<std::string_view> candidates;
  for (std::size_t i = 0; i < ptr->ptr.size() && i < options_.max_ptr_names; ++i)
    if (core::is_subdomain_of(ptr->ptr[i], target->view())) candidates.push_back(ptr->ptr[i]);
  std::optional<std::vector<std::string_view>> names = validate(candidates);
  if (!names) return {Match::pending, {}};
  return MatchResult{names->empty() ? Match::no : Match::yes,
                     names->empty() ? std::string() : fmt::format("validated {}", names->front())};
}

// RFC 7208 5.7: always an A query, whatever the client's address family.
MatchResult Evaluator::match_exists(const Mechanism& m, std::string_view domain) {
  Validated validated = validated_for(m.domain, domain);
  if (!validated) return {Match::pending, {}};
  std::optional<TargetName> target = expand_target(m.domain, domain, *validated);
  if (!target) return MatchResult{Match::no, "target is not a valid domain name"};
  const dns::Answer* addresses = need(target->view(), Type::a);
  if (addresses == nullptr) return {Match::pending, {}};
  if (addresses->is_error()) return MatchResult{Match::temperror, failure_note(*addresses)};
  if (addresses->is_void()) return void_lookup();
  // The note is for the trace alone: not formatted when there is none.
  return MatchResult{Match::yes,
                     trace_full() ? std::string() : fmt::format("exists {}", target->view())};
}

// RFC 7208 5.2: pass matches; fail, softfail, neutral do not; errors propagate; a target
// without a record is permerror.
MatchResult Evaluator::match_include(const Mechanism& m, std::string_view domain, unsigned depth) {
  Validated validated = validated_for(m.domain, domain);
  if (!validated) return {Match::pending, {}};
  std::optional<TargetName> target = expand_target(m.domain, domain, *validated);
  if (!target) return MatchResult{Match::permerror, "include target is not a valid domain name"};
  ++inside_include_;
  Decision included = evaluate(target->view(), depth + 1);
  --inside_include_;
  if (included.pending) return {Match::pending, {}};
  switch (included.outcome) {
    case Outcome::pass: return MatchResult{Match::yes, included.reason.str()};
    case Outcome::fail:
    case Outcome::softfail:
    case Outcome::neutral: return MatchResult{Match::no, included.reason.str()};
    case Outcome::temperror: return MatchResult{Match::temperror, included.reason.str()};
    case Outcome::permerror: return MatchResult{Match::permerror, included.reason.str()};
    case Outcome::none:
      return MatchResult{Match::permerror,
                         fmt::format("include target {} has no SPF record", target->view())};
  }
  return MatchResult{Match::no, {}};
}

}  // namespace hallmark::spf::detail
