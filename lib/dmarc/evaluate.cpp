// SPDX-License-Identifier: Apache-2.0
// DMARC evaluation (RFC 9989 5.3) in two halves: the policy lookup, which needs only the
// author domain, and the evaluation proper, which adds the SPF and DKIM identifiers.
#include "hallmark/dmarc/evaluate.hpp"

#include <algorithm>
#include <array>
#include <memory>
#include <random>
#include <span>

#include <fmt/format.h>

#include "dmarc/internal/organizational.hpp"
#include "dmarc/internal/report_destinations.hpp"
#include "hallmark/core/domain.hpp"
#include "hallmark/core/header_text.hpp"
#include "dns/internal/attempt.hpp"
#include "dns/internal/memo.hpp"

namespace hallmark::dmarc {
namespace {

// Identifiers compare in A-label form, lower case (RFC 9989 5.3.1 for the author domain; a
// signer may put U-labels in d=, RFC 8616 4).
std::string normal_domain(std::string_view domain) {
  domain = core::strip_trailing_dot(domain);
  if (std::ranges::any_of(domain, [](char c) { return static_cast<unsigned char>(c) >= 0x80; })) {
    if (auto a_label = core::to_a_label(domain, core::DomainSyntax::ldh))
      return std::move(*a_label);
  }
  return core::to_lower_ascii(domain);
}

double uniform_draw() {
  thread_local std::mt19937_64 engine{std::random_device{}()};
  return std::uniform_real_distribution<double>(0.0, 1.0)(engine);
}

Disposition disposition_of(Policy policy) noexcept {
  switch (policy) {
    case Policy::none: return Disposition::none;
    case Policy::quarantine: return Disposition::quarantine;
    case Policy::reject: return Disposition::reject;
  }
  return Disposition::none;
}

Disposition one_level_lower(Disposition disposition) noexcept {
  return disposition == Disposition::reject ? Disposition::quarantine : Disposition::none;
}

using dns::detail::Attempt;

// The functions below are attempts (dns/internal/attempt.hpp): nullopt means an answer was
// missing and has been wanted. Those that look at several things look at all of them before
// giving up, so that their lookups go out together.

// RFC 8020: NXDOMAIN means the name and everything under it does not exist (for np=).
std::optional<bool> domain_exists_now(Attempt& dns, const std::string& domain) {
  const dns::Answer* answer = dns.need(domain, dns::Type::a);
  if (answer == nullptr) return std::nullopt;
  return answer->status != dns::Status::nxdomain;
}

std::optional<std::vector<std::string>> report_uris_now(Attempt& dns,
                                                        const std::vector<std::string>& uris,
                                                        detail::ReportKind kind,
                                                        const AuthorPolicy& author,
                                                        const Options& options) {
  if (uris.empty()) return uris;
  const TreeWalk* author_walk =
      options.discovery == DiscoveryMode::tree_walk ? &author.discovery.walk : nullptr;
  return detail::authorised_uris_now(dns, uris, kind, author.discovery.policy->domain,
                                     author.discovery.organizational_domain, options.discovery,
                                     author_walk);
}

// Everything about one author domain that SPF and DKIM do not change.
std::optional<AuthorPolicy> lookup_author_now(Attempt& dns, std::string_view domain,
                                              const Options& options) {
  AuthorPolicy out;
  auto author = core::to_a_label(core::strip_trailing_dot(domain), core::DomainSyntax::ldh);
  if (!author) {
    out.error = "author domain: " + author.error().message;
    return out;
  }
  out.author_domain = std::move(*author);
  std::optional<Discovery> discovery =
      detail::discover_now(dns, out.author_domain, options.discovery);
  if (!discovery) return std::nullopt;
  out.discovery = std::move(*discovery);
  const std::optional<FoundRecord>& found = out.discovery.policy;
  if (out.discovery.temperror || !found || !is_applicable(*found->record)) return out;
  // Whether the author domain exists matters only to a record found above it that has np=.
  bool np_may_apply =
      found->domain != out.author_domain && found->record->nonexistent_policy.has_value();
  bool waiting = false;
  if (np_may_apply) {
    std::optional<bool> exists = domain_exists_now(dns, out.author_domain);
    waiting = !exists;
    out.author_domain_exists = exists.value_or(true);
  }
  if (options.verify_report_destinations) {
    auto aggregate = report_uris_now(dns, found->record->aggregate_uris,
                                     detail::ReportKind::aggregate, out, options);
    auto failure = report_uris_now(dns, found->record->failure_uris, detail::ReportKind::failure,
                                   out, options);
    if (!aggregate || !failure) return std::nullopt;
    out.aggregate_uris = std::move(*aggregate);
    out.failure_uris = std::move(*failure);
  }
  if (waiting) return std::nullopt;
  return out;
}

// lookup_author_now() through this thread's memo: while the answers it read stand, an author
// domain met again costs a check of each of them instead of the discovery.
std::optional<std::shared_ptr<const AuthorPolicy>> author_policy_now(Attempt& dns,
                                                                     std::string_view domain,
                                                                     const Options& options) {
  // A name longer than DNS can carry is no domain (a permerror worked out without DNS): not
  // worth a slot, and keys stay small.
  if (domain.size() > core::max_domain_length) {
    std::optional<AuthorPolicy> author = lookup_author_now(dns, domain, options);
    if (!author) return std::nullopt;
    return std::make_shared<const AuthorPolicy>(std::move(*author));
  }
  // What the policy depends on besides the answers: the discovery mode and whether the report
  // destinations were checked.
  std::array<char, 2 + core::max_domain_length> buffer;
  buffer[0] = options.discovery == DiscoveryMode::psl ? 'p' : 't';
  buffer[1] = options.verify_report_destinations ? 'r' : '-';
  std::copy(domain.begin(), domain.end(), buffer.begin() + 2);
  const std::string_view key(buffer.data(), domain.size() + 2);
  return dns::detail::memoized(
      dns::detail::Memo<AuthorPolicy>::of_this_thread(), dns, key,
      [&](Attempt& attempt) { return lookup_author_now(attempt, domain, options); });
}

std::optional<PolicyLookup> lookup_authors_now(Attempt& dns,
                                               const std::vector<std::string>& domains,
                                               const std::string& unusable_from,
                                               const Options& options) {
  PolicyLookup out;
  out.authors.reserve(domains.size());
  bool waiting = false;
  for (const std::string& domain : domains) {
    std::optional<std::shared_ptr<const AuthorPolicy>> author =
        author_policy_now(dns, domain, options);
    if (!author) {
      waiting = true;
    } else if (!waiting) {
      out.authors.push_back(std::move(*author));
    }
  }
  if (waiting) return std::nullopt;
  out.unusable_from = unusable_from;
  return out;
}

// Identifier alignment (RFC 9989 4.4): strict is equality, relaxed is the same organizational
// domain. An organizational domain is always its domain or an ancestor of it, so only a
// candidate at or under the author's organizational domain can align relaxed, and only that
// one needs a walk, which reuses the author's (`author_walk`, null in PSL mode). The common
// d= == From case costs no lookup at all. Returns whether an identifier whose check failed
// temporarily would have aligned.
std::optional<bool> align_now(Attempt& dns, const Record& record, const Identifiers& ids,
                              const Options& options, const TreeWalk* author_walk, Result& r) {
  struct Candidate {
    std::string_view domain;  // normal form: the identifier itself, or `normalised`
    std::string normalised;   // only when the identifier was not in normal form already
    bool is_spf = false;
    bool unfinished = false;                  // its check failed temporarily: it might have passed
    std::optional<std::string> organization;  // when it needed a walk of its own
  };
  // A message has a few identifiers: they fit on the stack, and only one with many
  // signatures puts its candidates on the heap. Sized whole before the first is added, so
  // that no candidate moves once `domain` may view its `normalised`.
  constexpr std::size_t inline_candidates = 8;
  const std::size_t most = 2 + ids.dkim_domains.size() + ids.dkim_temperror_domains.size();
  std::array<Candidate, inline_candidates> on_stack;
  std::vector<Candidate> on_heap(most > inline_candidates ? most : 0);
  const std::span<Candidate> room =
      most > inline_candidates ? std::span<Candidate>(on_heap) : std::span<Candidate>(on_stack);
  std::size_t count = 0;
  auto add = [&room, &count](std::string_view identifier, bool is_spf, bool unfinished) {
    Candidate& candidate = room[count++];
    candidate.is_spf = is_spf;
    candidate.unfinished = unfinished;
    // Nearly every identifier is lower case ASCII already: compared in place, not copied.
    const bool normal = !identifier.empty() && identifier.back() != '.' &&
                        std::ranges::none_of(identifier, [](char c) {
                          return (c >= 'A' && c <= 'Z') || static_cast<unsigned char>(c) >= 0x80;
                        });
    if (normal) {
      candidate.domain = identifier;
    } else {
      candidate.normalised = normal_domain(identifier);
      candidate.domain = candidate.normalised;
    }
  };
  if (ids.spf_pass && !ids.spf_domain.empty()) add(ids.spf_domain, true, false);
  for (const std::string& d : ids.dkim_domains) add(d, false, false);
  if (ids.spf_temperror && !ids.spf_domain.empty()) add(ids.spf_domain, true, true);
  for (const std::string& d : ids.dkim_temperror_domains) add(d, false, true);

  const std::span<Candidate> candidates = room.first(count);
  bool waiting = false;
  for (Candidate& candidate : candidates) {
    Alignment mode = candidate.is_spf ? record.spf_alignment : record.dkim_alignment;
    // The organizational domain is its own organizational domain: no walk for it either.
    if (candidate.domain == r.author_domain || candidate.domain == r.organizational_domain ||
        mode == Alignment::strict ||
        !core::is_subdomain_of(candidate.domain, r.organizational_domain))
      continue;
    std::optional<std::string> organization = detail::organizational_domain_now(
        dns, std::string(candidate.domain), options.discovery, author_walk);
    if (!organization) {
      waiting = true;
      continue;
    }
    candidate.organization = std::move(organization);
  }
  if (waiting) return std::nullopt;

  bool unfinished_aligns = false;
  for (Candidate& candidate : candidates) {
    Alignment mode = candidate.is_spf ? record.spf_alignment : record.dkim_alignment;
    bool aligned = candidate.domain == r.author_domain ||
                   (mode == Alignment::relaxed && candidate.domain == r.organizational_domain);
    if (candidate.organization) aligned = *candidate.organization == r.organizational_domain;
    if (!aligned) continue;
    if (candidate.unfinished) {
      unfinished_aligns = true;
    } else if (candidate.is_spf) {
      r.spf_aligned = true;
    } else if (!r.dkim_aligned) {
      r.dkim_aligned = true;
      r.aligned_dkim_domain = candidate.domain;
    }
  }
  return unfinished_aligns;
}

// RFC 9989 4.10.1 and 4.7: the policy that applies, then t=y and RFC 7489 pct= on a failure.
void apply_policy(const AuthorPolicy& author, const Record& record, const Options& options,
                  Result& r) {
  // p= for the author domain's own record; otherwise sp= for an existing subdomain and np=
  // for a non-existent one, each falling back to p=. A record with no valid p= or with an
  // invalid sp= or np= is applied, thanks to its rua=, as if it said only p=none.
  r.policy = record.policy.value_or(Policy::none);
  r.policy_tag = "p";
  if (!has_valid_policies(record)) {
    r.policy = Policy::none;
  } else if (r.record_domain != r.author_domain) {
    if (!author.author_domain_exists && record.nonexistent_policy) {
      r.policy = *record.nonexistent_policy;
      r.policy_tag = "np";
    } else if (record.subdomain_policy) {
      r.policy = *record.subdomain_policy;
      r.policy_tag = "sp";
    }
  }
  if (r.outcome != Outcome::fail) return;
  r.disposition = disposition_of(r.policy);
  if (r.disposition == Disposition::none) return;
  // t= and pct= are two spellings of one request, so together they lower the disposition
  // once at most: each set of rules reads the tag it defines.
  if (options.pct_rules == PctRules::rfc7489) {
    if (!record.percent || *record.percent >= 100) return;
    double draw = options.random ? options.random() : uniform_draw();
    // RFC 7489 6.6.4: messages left out of the sample get the next policy down.
    if (draw * 100.0 >= static_cast<double>(*record.percent)) {
      r.disposition = one_level_lower(r.disposition);
      r.sampled_out = true;
    }
    return;
  }
  // RFC 9989 A.6 made t=y the successor of pct=0; a record still written for RFC 7489 that
  // says pct=0 and nothing of t= asks for the same.
  bool testing = record.testing || (!record.testing_given && record.percent == 0u);
  if (testing) {
    r.disposition = one_level_lower(r.disposition);
    r.testing = true;
  }
}

std::optional<Result> evaluate_author_now(Attempt& dns, const AuthorPolicy& author,
                                          const Identifiers& ids, const Options& options) {
  Result r;
  if (!author.error.empty()) {
    r.outcome = Outcome::permerror;
    r.reason = author.error;
    return r;
  }
  r.author_domain = author.author_domain;
  r.organizational_domain = author.discovery.organizational_domain;
  if (author.discovery.temperror) {
    r.outcome = Outcome::temperror;
    r.reason = author.discovery.detail;
    return r;
  }
  const std::optional<FoundRecord>& found = author.discovery.policy;
  if (!found || !is_applicable(*found->record)) {
    r.outcome = Outcome::none;
    r.reason =
        found ? "the DMARC record has no valid policy and no report address" : "no DMARC record";
    return r;
  }
  r.record_domain = found->domain;
  r.record = found->record;
  const TreeWalk* author_walk =
      options.discovery == DiscoveryMode::tree_walk ? &author.discovery.walk : nullptr;
  std::optional<bool> unfinished_aligns = align_now(dns, *r.record, ids, options, author_walk, r);
  if (!unfinished_aligns) return std::nullopt;
  r.outcome = r.spf_aligned || r.dkim_aligned ? Outcome::pass : Outcome::fail;
  r.reason = r.outcome == Outcome::pass ? (r.dkim_aligned ? "DKIM aligned" : "SPF aligned")
                                        : "no aligned SPF or DKIM pass";
  if (r.outcome == Outcome::fail && *unfinished_aligns) {
    // RFC 9989 5.3.6: with a query unanswered the message neither passes nor fails; the
    // policy is not applied, and a retry may well pass.
    r.outcome = Outcome::temperror;
    r.reason = "an aligned SPF or DKIM check failed temporarily (DNS)";
  }
  apply_policy(author, *r.record, options, r);
  r.aggregate_uris = author.aggregate_uris;
  r.failure_uris = author.failure_uris;
  return r;
}

// A From field without a single author domain, handled as Options::unusable_from says.
Result unusable_from_result(const std::string& problem, const Options& options) {
  Result r;
  r.unusable_from = true;
  if (options.unusable_from == UnusableFrom::ignore) {
    r.outcome = Outcome::none;
    r.reason = problem;
  } else {
    r.outcome = Outcome::fail;
    r.disposition = Disposition::reject;
    r.reason = problem + "; rejected";
  }
  return r;
}

// How strongly a result speaks against a message: the strictest failing policy first
// (RFC 9989 11.5), then errors, then no policy; a pass only when every domain passed.
int severity(const Result& r) noexcept {
  switch (r.outcome) {
    case Outcome::fail: return 4 + static_cast<int>(r.disposition);
    case Outcome::temperror: return 3;
    case Outcome::permerror: return 2;
    case Outcome::none: return 1;
    case Outcome::pass: return 0;
  }
  return 0;
}

std::optional<ReportDestinations> authorise_now(Attempt& dns, const Record& record,
                                                const std::string& policy_domain,
                                                const std::string& organization,
                                                const Options& options) {
  auto aggregate =
      detail::authorised_uris_now(dns, record.aggregate_uris, detail::ReportKind::aggregate,
                                  policy_domain, organization, options.discovery, nullptr);
  auto failure =
      detail::authorised_uris_now(dns, record.failure_uris, detail::ReportKind::failure,
                                  policy_domain, organization, options.discovery, nullptr);
  if (!aggregate || !failure) return std::nullopt;
  return ReportDestinations{std::move(*aggregate), std::move(*failure)};
}

// Several author domains (UnusableFrom::each_domain): each is evaluated, the strictest result
// decides.
std::optional<Result> evaluate_lookup_now(Attempt& dns, const PolicyLookup& lookup,
                                          const Identifiers& ids, const Options& options) {
  if (lookup.authors.empty()) return unusable_from_result(lookup.unusable_from, options);
  if (lookup.authors.size() == 1 && lookup.unusable_from.empty())  // the usual From
    return evaluate_author_now(dns, *lookup.authors.front(), ids, options);
  std::vector<Result> results;
  results.reserve(lookup.authors.size());
  bool waiting = false;
  for (const std::shared_ptr<const AuthorPolicy>& author : lookup.authors) {
    std::optional<Result> result = evaluate_author_now(dns, *author, ids, options);
    if (!result) {
      waiting = true;
    } else if (!waiting) {
      results.push_back(std::move(*result));
    }
  }
  if (waiting) return std::nullopt;

  std::size_t worst = 0;
  for (std::size_t i = 1; i < results.size(); ++i)
    if (severity(results[i]) > severity(results[worst])) worst = i;
  Result r = std::move(results[worst]);
  for (std::size_t i = 0; i < results.size(); ++i)
    if (i != worst) r.other_author_domains.push_back(results[i].author_domain.str());
  r.unusable_from = true;
  r.reason = fmt::format("{} ({}; each of {} domains evaluated, the strictest applied)", r.reason,
                         lookup.unusable_from, results.size());
  return r;
}

// The author domains of a message: its one From domain, or under UnusableFrom::each_domain
// each of several; with the problem when there is not exactly one.
struct FromDomains {
  std::vector<std::string> domains;
  std::string problem;
};

FromDomains from_domains(const mail::HeaderSection& headers, const Options& options) {
  FromDomains out;
  auto single = author_domain(headers);
  if (single) {
    out.domains.push_back(std::move(*single));
    return out;
  }
  out.problem = single.error().message;
  if (options.unusable_from == UnusableFrom::each_domain &&
      single.error().code == core::Errc::too_many) {
    auto all = author_domains(headers);
    if (!all) {
      out.problem = all.error().message;
    } else if (all->size() > options.max_author_domains) {
      out.problem = fmt::format("From holds {} domains, more than the {} evaluated", all->size(),
                                options.max_author_domains);
    } else {
      out.domains = std::move(*all);
    }
  }
  return out;
}

// One author domain: its lookup and evaluation in one attempt, without the PolicyLookup and
// its vector that several domains need.
std::optional<Result> evaluate_domain_now(Attempt& dns, std::string_view author_domain,
                                          const Identifiers& ids, const Options& options) {
  std::optional<std::shared_ptr<const AuthorPolicy>> author =
      author_policy_now(dns, author_domain, options);
  if (!author) return std::nullopt;
  return evaluate_author_now(dns, **author, ids, options);
}

// A message's From domains: their policy lookups and the evaluation in one attempt.
std::optional<Result> evaluate_from_now(Attempt& dns, const FromDomains& from,
                                        const Identifiers& ids, const Options& options) {
  std::optional<PolicyLookup> lookup = lookup_authors_now(dns, from.domains, from.problem, options);
  if (!lookup) return std::nullopt;
  return evaluate_lookup_now(dns, *lookup, ids, options);
}

}  // namespace

std::string_view to_string(Outcome outcome) noexcept {
  switch (outcome) {
    case Outcome::none: return "none";
    case Outcome::pass: return "pass";
    case Outcome::fail: return "fail";
    case Outcome::temperror: return "temperror";
    case Outcome::permerror: return "permerror";
  }
  return "none";
}

std::string_view to_string(Disposition disposition) noexcept {
  return to_string(static_cast<Policy>(disposition));
}

std::string_view to_string(PctRules rules) noexcept {
  return rules == PctRules::rfc7489 ? "rfc7489" : "rfc9989";
}

std::string_view to_string(UnusableFrom handling) noexcept {
  switch (handling) {
    case UnusableFrom::reject: return "reject";
    case UnusableFrom::each_domain: return "each-domain";
    case UnusableFrom::ignore: return "ignore";
  }
  return "reject";
}

// The public functions below run their first attempt before returning
// (dns::detail::start_attempts): with a warm cache the task is ready at once.

core::Task<PolicyLookup> lookup_policy(dns::Resolver& resolver, std::string author_domain,
                                       Options options) {
  std::vector<std::string> domains;
  domains.push_back(std::move(author_domain));
  return dns::detail::start_attempts<PolicyLookup>(
      resolver, [domains = std::move(domains), options = std::move(options)](Attempt& dns) {
        return lookup_authors_now(dns, domains, {}, options);
      });
}

core::Task<PolicyLookup> lookup_policy(dns::Resolver& resolver, const mail::HeaderSection& headers,
                                       Options options) {
  FromDomains from = from_domains(headers, options);
  return dns::detail::start_attempts<PolicyLookup>(
      resolver, [from = std::move(from), options = std::move(options)](Attempt& dns) {
        return lookup_authors_now(dns, from.domains, from.problem, options);
      });
}

core::Task<Result> evaluate(dns::Resolver& resolver, PolicyLookup lookup,
                            const Identifiers& identifiers, const Options& options) {
  return dns::detail::start_attempts_borrowing<Result>(
      resolver,
      [&](Attempt& dns) { return evaluate_lookup_now(dns, lookup, identifiers, options); },
      [&] {
        return [owned = std::move(lookup), ids = identifiers, opts = options](Attempt& dns) {
          return evaluate_lookup_now(dns, owned, ids, opts);
        };
      });
}

core::Task<Result> evaluate(dns::Resolver& resolver, std::string_view author_domain,
                            const Identifiers& identifiers, const Options& options) {
  return dns::detail::start_attempts_borrowing<Result>(
      resolver,
      [&](Attempt& dns) { return evaluate_domain_now(dns, author_domain, identifiers, options); },
      [&] {
        return [author = std::string(author_domain), ids = identifiers, opts = options](
                   Attempt& dns) { return evaluate_domain_now(dns, author, ids, opts); };
      });
}

core::Task<Result> evaluate(dns::Resolver& resolver, const mail::HeaderSection& headers,
                            const Identifiers& identifiers, const Options& options) {
  FromDomains from = from_domains(headers, options);
  return dns::detail::start_attempts_borrowing<Result>(
      resolver, [&](Attempt& dns) { return evaluate_from_now(dns, from, identifiers, options); },
      [&] {
        return [owned = std::move(from), ids = identifiers, opts = options](Attempt& dns) {
          return evaluate_from_now(dns, owned, ids, opts);
        };
      });
}

// What it needs of `result` is copied before returning.
core::Task<ReportDestinations> authorise_report_destinations(dns::Resolver& resolver,
                                                             const Result& result,
                                                             Options options) {
  if (!result.record) return core::ready(ReportDestinations{});
  return dns::detail::start_attempts<ReportDestinations>(
      resolver, [record = result.record, policy_domain = result.record_domain.str(),
                 organization = result.organizational_domain.str(),
                 options = std::move(options)](Attempt& dns) {
        return authorise_now(dns, *record, policy_domain, organization, options);
      });
}

std::string auth_results_fragment(const Result& result) {
  std::string out = fmt::format("dmarc={}", to_string(result.outcome));
  if (result.record) {
    out += fmt::format(" ({}={} dis={})", result.policy_tag, to_string(result.policy),
                       to_string(result.disposition));
  } else if (result.unusable_from) {
    out += " (" + core::header_comment(result.reason) + ")";
  }
  if (!result.author_domain.empty())
    out += " header.from=" + core::header_value(result.author_domain);
  if (result.record || result.unusable_from)
    out += fmt::format(" policy.dmarc={}", to_string(result.disposition));
  return out;
}

}  // namespace hallmark::dmarc
