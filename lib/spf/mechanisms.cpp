// SPDX-License-Identifier: Apache-2.0
// Evaluating one SPF record (RFC 7208 4.4-4.7) and each mechanism (RFC 7208 5), counting
// DNS-querying terms and void lookups as 4.6.4 requires.
#include <fmt/format.h>

#include "hallmark/core/domain.hpp"
#include "hallmark/core/when_all.hpp"
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

Decision decide(Outcome outcome, std::string reason) {
  Decision decision;
  decision.outcome = outcome;
  decision.reason = std::move(reason);
  return decision;
}

std::string limit_reason(unsigned limit) {
  return fmt::format("more than {} DNS-querying terms (RFC 7208 4.6.4)", limit);
}

}  // namespace

core::Task<Decision> Evaluator::evaluate(std::string_view domain, unsigned depth) {
  // The top domain was checked by run_check_host, with its own reason.
  if (depth > 0 && !is_checkable_domain(domain))
    co_return decide(Outcome::none, fmt::format("'{}' is not a valid domain", domain));
  dns::AnswerPtr shared_txt = co_await query(domain, Type::txt);
  const dns::Answer& txt = *shared_txt;
  if (txt.is_error()) co_return decide(Outcome::temperror, failure_note(txt));
  // RFC 7208 4.5: exactly one record starting "v=spf1"; other TXT records are ignored.
  const dns::Txt* chosen = nullptr;
  std::string_view text;
  std::string scratch, chosen_text;  // only for records split into several strings
  for (const dns::Txt& record : txt.txt) {
    std::string_view candidate = record.text(scratch);
    if (!is_spf_record(candidate)) continue;
    if (chosen != nullptr)
      co_return decide(Outcome::permerror, fmt::format("{} has more than one SPF record", domain));
    chosen = &record;
    text = candidate;
    if (candidate.data() == scratch.data()) text = chosen_text = std::move(scratch);
  }
  if (chosen == nullptr)
    co_return decide(Outcome::none, fmt::format("{} has no SPF record", domain));

  std::shared_ptr<const RecordCache::Rendered> parsed = cache_->parse_rendered(text);
  if (!parsed->record)
    co_return decide(Outcome::permerror,
                     fmt::format("{}: {}", domain, parsed->record.error().message));
  const Record& record = *parsed->record;

  for (std::size_t index = 0; index < record.mechanisms.size(); ++index) {
    const Mechanism& mechanism = record.mechanisms[index];
    MatchResult result;
    unsigned lookups = 0;
    if (queries_dns(mechanism.kind)) {
      if (!count_term())
        co_return decide(Outcome::permerror, limit_reason(options_.max_dns_mechanisms));
      unsigned before = queries_;
      result = co_await match(mechanism, domain, depth);
      lookups = queries_ - before;
    } else {
      // all, ip4 and ip6 are most of a large policy's terms: matched here, they cost no
      // coroutine frame and no copy of the domain.
      result.match = matches_without_dns(mechanism) ? Match::yes : Match::no;
    }
    // A term's text (rendered once, with the parse) is copied only for a trace entry that is
    // kept or for the deciding term.
    std::string term;
    if (trace_full()) {
      ++dropped_trace_;
    } else {
      term = parsed->terms[index];
      trace_.push_back(TraceEntry{std::string(domain), term, depth, lookups,
                                  result.match == Match::yes, result.note});
    }
    switch (result.match) {
      case Match::no: continue;
      case Match::temperror: co_return decide(Outcome::temperror, std::move(result.note));
      case Match::permerror: co_return decide(Outcome::permerror, std::move(result.note));
      case Match::yes: {
        // An include keeps only the outcome of what it includes, and the reason for a trace
        // entry: with no room in the trace, an included record's words would be thrown away.
        if (inside_include_ > 0 && trace_full())
          co_return decide(outcome_of(mechanism.qualifier), {});
        if (term.empty()) term = parsed->terms[index];
        std::string reason;
        reason.reserve(domain.size() + term.size() + 9);
        reason.append(domain).append(" matched ").append(term);
        Decision decision = decide(outcome_of(mechanism.qualifier), std::move(reason));
        decision.mechanism = std::move(term);
        // Only a fail is explained (RFC 7208 6.2), from the record that decided it.
        if (decision.outcome == Outcome::fail) {
          decision.record = RecordCache::Entry(parsed, &parsed->record);
          decision.domain = domain;
        }
        co_return decision;
      }
    }
  }

  if (record.redirect) {
    // RFC 7208 6.1: redirect counts as a DNS-querying term; a target without a record, or
    // one that is malformed, is permerror rather than none.
    if (!count_term())
      co_return decide(Outcome::permerror, limit_reason(options_.max_dns_mechanisms));
    std::optional<TargetName> target = co_await target_name(*record.redirect, domain);
    if (!target) {
      if (!trace_full())
        add_trace(TraceEntry{std::string(domain), "redirect=" + record.redirect->text, depth, 0,
                             false, "invalid target name"});
      co_return decide(Outcome::permerror,
                       fmt::format("{}: redirect target is not a domain", domain));
    }
    if (!trace_full())
      add_trace(TraceEntry{std::string(domain), "redirect=" + record.redirect->text, depth, 0, true,
                           fmt::format("-> {}", target->view())});
    Decision redirected = co_await evaluate(target->view(), depth + 1);
    if (redirected.outcome == Outcome::none)
      co_return decide(Outcome::permerror,
                       fmt::format("redirect target {} has no SPF record", target->view()));
    co_return redirected;
  }
  if (inside_include_ > 0 && trace_full()) co_return decide(Outcome::neutral, {});
  Decision fallthrough =
      decide(Outcome::neutral, fmt::format("no mechanism of {} matched", domain));
  co_return fallthrough;  // RFC 7208 4.7: as if "?all" ended the record
}

bool Evaluator::matches_without_dns(const Mechanism& m) const noexcept {
  if (m.kind == MechanismKind::all) return true;
  core::Cidr network{m.network, m.kind == MechanismKind::ip4 ? m.cidr4 : m.cidr6};
  return network.contains(ip_);
}

core::Task<MatchResult> Evaluator::match(const Mechanism& m, std::string_view domain,
                                         unsigned depth) {
  MatchResult result;
  switch (m.kind) {
    case MechanismKind::all:
    case MechanismKind::ip4:
    case MechanismKind::ip6: result.match = matches_without_dns(m) ? Match::yes : Match::no; break;
    case MechanismKind::a: result = co_await match_address(m, domain); break;
    case MechanismKind::mx: result = co_await match_mx(m, domain); break;
    case MechanismKind::ptr: result = co_await match_ptr(m, domain); break;
    case MechanismKind::exists: result = co_await match_exists(m, domain); break;
    case MechanismKind::include: result = co_await match_include(m, domain, depth); break;
  }
  co_return result;
}

// a, mx and ptr default to the current domain (RFC 7208 4.8).
std::optional<TargetName> Evaluator::mechanism_target(const Mechanism& m, std::string_view domain,
                                                      std::string_view validated) const {
  if (m.domain.empty()) return TargetName{{}, domain, true};
  return expand_target(m.domain, domain, validated);
}

// RFC 7208 5.3
core::Task<MatchResult> Evaluator::match_address(const Mechanism& m, std::string_view domain) {
  std::string validated = "unknown";
  if (uses_macro(m.domain, 'p')) validated = co_await validated_name(domain);
  std::optional<TargetName> target = mechanism_target(m, domain, validated);
  if (!target) co_return MatchResult{Match::no, "target is not a valid domain name"};
  dns::AnswerPtr shared_answer = co_await query(target->view(), address_type());
  const dns::Answer& answer = *shared_answer;
  if (answer.is_error()) co_return MatchResult{Match::temperror, failure_note(answer)};
  if (answer.is_void()) {
    if (!count_void())
      co_return MatchResult{Match::permerror, "too many void lookups (RFC 7208 4.6.4)"};
    co_return MatchResult{Match::no, "void lookup"};
  }
  co_return MatchResult{contains_client(answer, prefix_for(m)) ? Match::yes : Match::no, {}};
}

// RFC 7208 5.4: the exchanges' addresses are looked up concurrently.
core::Task<MatchResult> Evaluator::match_mx(const Mechanism& m, std::string_view domain) {
  std::string validated = "unknown";
  if (uses_macro(m.domain, 'p')) validated = co_await validated_name(domain);
  std::optional<TargetName> target = mechanism_target(m, domain, validated);
  if (!target) co_return MatchResult{Match::no, "target is not a valid domain name"};
  dns::AnswerPtr shared_mx = co_await query(target->view(), Type::mx);
  const dns::Answer& mx = *shared_mx;
  if (mx.is_error()) co_return MatchResult{Match::temperror, failure_note(mx)};
  if (mx.is_void()) {
    if (!count_void())
      co_return MatchResult{Match::permerror, "too many void lookups (RFC 7208 4.6.4)"};
    co_return MatchResult{Match::no, "void lookup"};
  }
  // RFC 7208 4.6.4: the publisher controls its MX set, so too many exchanges is its error.
  if (mx.mx.size() > options_.max_mx_names)
    co_return MatchResult{Match::permerror,
                          fmt::format("{} has {} MX records, more than {} (RFC 7208 4.6.4)",
                                      target->view(), mx.mx.size(), options_.max_mx_names)};
  // Exchanges whose addresses are cached are checked at once, with no task and no
  // suspension; only the others are looked up, concurrently.
  const unsigned prefix = prefix_for(m);
  dns::AnswerPtr failed;
  std::vector<core::Task<dns::AnswerPtr>> lookups;
  for (const dns::Mx& exchange : mx.mx) {
    if (exchange.exchange.empty()) continue;
    dns::AnswerPtr cached = resolver_.cached(exchange.exchange, address_type());
    if (!cached) {
      lookups.push_back(query_task(exchange.exchange, address_type()));
      continue;
    }
    ++queries_;
    if (cached->ok() && contains_client(*cached, prefix)) co_return MatchResult{Match::yes, {}};
    if (cached->is_error() && !failed) failed = std::move(cached);
  }
  if (!lookups.empty()) {
    std::vector<dns::AnswerPtr> addresses = co_await core::when_all(std::move(lookups));
    for (dns::AnswerPtr& answer : addresses) {
      if (answer->ok() && contains_client(*answer, prefix)) co_return MatchResult{Match::yes, {}};
      if (answer->is_error() && !failed) failed = std::move(answer);
    }
  }
  if (failed) co_return MatchResult{Match::temperror, failure_note(*failed)};
  co_return MatchResult{Match::no, {}};
}

// RFC 7208 5.5: only validated PTR names that are the target or below it can match.
core::Task<MatchResult> Evaluator::match_ptr(const Mechanism& m, std::string_view domain) {
  std::string validated = "unknown";
  if (uses_macro(m.domain, 'p')) validated = co_await validated_name(domain);
  std::optional<TargetName> target = mechanism_target(m, domain, validated);
  if (!target) co_return MatchResult{Match::no, "target is not a valid domain name"};
  dns::AnswerPtr shared_ptr_answer = co_await query(ip_.reverse_name(), Type::ptr);
  const dns::Answer& ptr = *shared_ptr_answer;
  // A DNS error during the PTR lookup makes the mechanism not match (RFC 7208 5.5).
  if (ptr.is_error()) co_return MatchResult{Match::no, failure_note(ptr)};
  if (ptr.is_void()) {
    if (!count_void())
      co_return MatchResult{Match::permerror, "too many void lookups (RFC 7208 4.6.4)"};
    co_return MatchResult{Match::no, "void lookup"};
  }
  // PTR names are the client's, so extras are dropped rather than blamed (RFC 7208 4.6.4).
  std::vector<std::string> candidates;
  for (std::size_t i = 0; i < ptr.ptr.size() && i < options_.max_ptr_names; ++i)
    if (core::is_subdomain_of(ptr.ptr[i], target->view())) candidates.push_back(ptr.ptr[i]);
  std::vector<std::string> names = co_await validate(std::move(candidates));
  co_return MatchResult{names.empty() ? Match::no : Match::yes,
                        names.empty() ? std::string() : "validated " + names.front()};
}

// RFC 7208 5.7: always an A query, whatever the client's address family.
core::Task<MatchResult> Evaluator::match_exists(const Mechanism& m, std::string_view domain) {
  std::string validated = "unknown";
  if (uses_macro(m.domain, 'p')) validated = co_await validated_name(domain);
  std::optional<TargetName> target = expand_target(m.domain, domain, validated);
  if (!target) co_return MatchResult{Match::no, "target is not a valid domain name"};
  dns::AnswerPtr shared_answer = co_await query(target->view(), Type::a);
  const dns::Answer& answer = *shared_answer;
  if (answer.is_error()) co_return MatchResult{Match::temperror, failure_note(answer)};
  if (answer.is_void()) {
    if (!count_void())
      co_return MatchResult{Match::permerror, "too many void lookups (RFC 7208 4.6.4)"};
    co_return MatchResult{Match::no, "void lookup"};
  }
  co_return MatchResult{Match::yes, fmt::format("exists {}", target->view())};
}

// RFC 7208 5.2: pass matches; fail, softfail, neutral do not; errors propagate; a target
// without a record is permerror.
core::Task<MatchResult> Evaluator::match_include(const Mechanism& m, std::string_view domain,
                                                 unsigned depth) {
  std::string validated = "unknown";
  if (uses_macro(m.domain, 'p')) validated = co_await validated_name(domain);
  std::optional<TargetName> target = expand_target(m.domain, domain, validated);
  if (!target) co_return MatchResult{Match::permerror, "include target is not a valid domain name"};
  ++inside_include_;
  Decision included = co_await evaluate(target->view(), depth + 1);
  --inside_include_;
  switch (included.outcome) {
    case Outcome::pass: co_return MatchResult{Match::yes, std::move(included.reason)};
    case Outcome::fail:
    case Outcome::softfail:
    case Outcome::neutral: co_return MatchResult{Match::no, std::move(included.reason)};
    case Outcome::temperror: co_return MatchResult{Match::temperror, std::move(included.reason)};
    case Outcome::permerror: co_return MatchResult{Match::permerror, std::move(included.reason)};
    case Outcome::none:
      co_return MatchResult{Match::permerror,
                            fmt::format("include target {} has no SPF record", target->view())};
  }
  co_return MatchResult{Match::no, {}};
}

}  // namespace hallmark::spf::detail
