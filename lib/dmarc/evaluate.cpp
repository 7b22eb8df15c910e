// SPDX-License-Identifier: Apache-2.0
// DMARC evaluation (RFC 9989 5.3) in two halves: the policy lookup, which needs only the
// author domain, and the evaluation proper, which adds the SPF and DKIM identifiers.
#include "hallmark/dmarc/evaluate.hpp"

#include <algorithm>
#include <random>

#include <fmt/format.h>

#include "dmarc/internal/organizational.hpp"
#include "dmarc/internal/report_destinations.hpp"
#include "hallmark/core/domain.hpp"
#include "hallmark/core/header_text.hpp"
#include "hallmark/core/when_all.hpp"

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

// RFC 8020: NXDOMAIN means the name and everything under it does not exist (for np=).
core::Task<bool> domain_exists(dns::Resolver& resolver, std::string domain, bool wanted) {
  if (!wanted) co_return true;
  dns::AnswerPtr shared_answer = co_await dns::lookup(resolver, std::move(domain), dns::Type::a);
  const dns::Answer& answer = *shared_answer;
  co_return answer.status != dns::Status::nxdomain;
}

core::Task<std::vector<std::string>> report_uris(dns::Resolver& resolver,
                                                 std::vector<std::string> uris,
                                                 detail::ReportKind kind,
                                                 const AuthorPolicy& author,
                                                 const Options& options) {
  if (!options.verify_report_destinations || uris.empty()) co_return uris;
  const TreeWalk* author_walk =
      options.discovery == DiscoveryMode::tree_walk ? &author.discovery.walk : nullptr;
  co_return co_await detail::authorised_uris(
      resolver, std::move(uris), kind, author.discovery.policy->domain,
      author.discovery.organizational_domain, options.discovery, author_walk);
}

// Everything about one author domain that SPF and DKIM do not change.
core::Task<AuthorPolicy> lookup_author(dns::Resolver& resolver, std::string domain,
                                       const Options& options) {
  AuthorPolicy out;
  auto author = core::to_a_label(core::strip_trailing_dot(domain), core::DomainSyntax::ldh);
  if (!author) {
    out.error = "author domain: " + author.error().message;
    co_return out;
  }
  out.author_domain = std::move(*author);
  out.discovery = co_await detail::discover(resolver, out.author_domain, options.discovery);
  const std::optional<FoundRecord>& found = out.discovery.policy;
  if (out.discovery.temperror || !found || !is_applicable(*found->record)) co_return out;
  // Whether the author domain exists matters only to a record found above it that has np=.
  bool np_may_apply =
      found->domain != out.author_domain && found->record->nonexistent_policy.has_value();
  bool reports_to_check =
      options.verify_report_destinations &&
      (!found->record->aggregate_uris.empty() || !found->record->failure_uris.empty());
  if (!np_may_apply && !reports_to_check) co_return out;
  auto [exists, aggregate, failure] =
      co_await core::when_all(domain_exists(resolver, out.author_domain, np_may_apply),
                              report_uris(resolver, found->record->aggregate_uris,
                                          detail::ReportKind::aggregate, out, options),
                              report_uris(resolver, found->record->failure_uris,
                                          detail::ReportKind::failure, out, options));
  out.author_domain_exists = exists;
  out.aggregate_uris = std::move(aggregate);
  out.failure_uris = std::move(failure);
  co_return out;
}

core::Task<PolicyLookup> lookup_authors(dns::Resolver& resolver, std::vector<std::string> domains,
                                        std::string unusable_from, Options options) {
  PolicyLookup out;
  out.unusable_from = std::move(unusable_from);
  if (domains.size() == 1) {  // the usual From: no when_all, no vector of tasks
    out.authors.push_back(co_await lookup_author(resolver, std::move(domains.front()), options));
    co_return out;
  }
  std::vector<core::Task<AuthorPolicy>> lookups;
  lookups.reserve(domains.size());
  for (std::string& domain : domains)
    lookups.push_back(lookup_author(resolver, std::move(domain), options));
  out.authors = co_await core::when_all(std::move(lookups));
  co_return out;
}

// Identifier alignment (RFC 9989 4.4): strict is equality, relaxed is the same organizational
// domain. An organizational domain is always its domain or an ancestor of it, so only a
// candidate at or under the author's organizational domain can align relaxed, and only that
// one needs a walk, which reuses the author's (`author_walk`, null in PSL mode). The common
// d= == From case costs no lookup at all. Returns whether an identifier whose check failed
// temporarily would have aligned.
core::Task<bool> align(dns::Resolver& resolver, const Record& record, const Identifiers& ids,
                       const Options& options, const TreeWalk* author_walk, Result& r) {
  struct Candidate {
    std::string domain;
    bool is_spf;
    bool unfinished = false;  // its check failed temporarily: it might have passed
  };
  std::vector<Candidate> candidates;
  if (ids.spf_pass && !ids.spf_domain.empty())
    candidates.push_back({normal_domain(ids.spf_domain), true});
  for (const std::string& d : ids.dkim_domains) candidates.push_back({normal_domain(d), false});
  if (ids.spf_temperror && !ids.spf_domain.empty())
    candidates.push_back({normal_domain(ids.spf_domain), true, true});
  for (const std::string& d : ids.dkim_temperror_domains)
    candidates.push_back({normal_domain(d), false, true});

  std::vector<std::size_t> walked;
  std::vector<core::Task<std::string>> walks;
  for (std::size_t i = 0; i < candidates.size(); ++i) {
    Alignment mode = candidates[i].is_spf ? record.spf_alignment : record.dkim_alignment;
    // The organizational domain is its own organizational domain: no walk for it either.
    if (candidates[i].domain == r.author_domain ||
        candidates[i].domain == r.organizational_domain || mode == Alignment::strict ||
        !core::is_subdomain_of(candidates[i].domain, r.organizational_domain))
      continue;
    walked.push_back(i);
    walks.push_back(detail::organizational_domain_of(resolver, candidates[i].domain,
                                                     options.discovery, author_walk));
  }
  std::vector<std::string> organizations;
  if (walks.size() == 1) {  // the usual case: no when_all for one walk
    organizations.push_back(co_await std::move(walks.front()));
  } else if (!walks.empty()) {
    organizations = co_await core::when_all(std::move(walks));
  }

  bool unfinished_aligns = false;
  for (std::size_t i = 0; i < candidates.size(); ++i) {
    Alignment mode = candidates[i].is_spf ? record.spf_alignment : record.dkim_alignment;
    bool aligned = candidates[i].domain == r.author_domain ||
                   (mode == Alignment::relaxed && candidates[i].domain == r.organizational_domain);
    if (auto w = std::ranges::find(walked, i); w != walked.end())
      aligned = organizations[w - walked.begin()] == r.organizational_domain;
    if (!aligned) continue;
    if (candidates[i].unfinished) {
      unfinished_aligns = true;
    } else if (candidates[i].is_spf) {
      r.spf_aligned = true;
    } else if (!r.dkim_aligned) {
      r.dkim_aligned = true;
      r.aligned_dkim_domain = candidates[i].domain;
    }
  }
  co_return unfinished_aligns;
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

core::Task<Result> evaluate_author(dns::Resolver& resolver, AuthorPolicy author,
                                   const Identifiers& ids, const Options& options) {
  Result r;
  if (!author.error.empty()) {
    r.outcome = Outcome::permerror;
    r.reason = std::move(author.error);
    co_return r;
  }
  r.author_domain = author.author_domain;
  r.organizational_domain = author.discovery.organizational_domain;
  if (author.discovery.temperror) {
    r.outcome = Outcome::temperror;
    r.reason = author.discovery.detail;
    co_return r;
  }
  const std::optional<FoundRecord>& found = author.discovery.policy;
  if (!found || !is_applicable(*found->record)) {
    r.outcome = Outcome::none;
    r.reason =
        found ? "the DMARC record has no valid policy and no report address" : "no DMARC record";
    co_return r;
  }
  r.record_domain = found->domain;
  r.record = found->record;
  const TreeWalk* author_walk =
      options.discovery == DiscoveryMode::tree_walk ? &author.discovery.walk : nullptr;
  bool unfinished_aligns = co_await align(resolver, *r.record, ids, options, author_walk, r);
  r.outcome = r.spf_aligned || r.dkim_aligned ? Outcome::pass : Outcome::fail;
  r.reason = r.outcome == Outcome::pass ? (r.dkim_aligned ? "DKIM aligned" : "SPF aligned")
                                        : "no aligned SPF or DKIM pass";
  if (r.outcome == Outcome::fail && unfinished_aligns) {
    // RFC 9989 5.3.6: with a query unanswered the message neither passes nor fails; the
    // policy is not applied, and a retry may well pass.
    r.outcome = Outcome::temperror;
    r.reason = "an aligned SPF or DKIM check failed temporarily (DNS)";
  }
  apply_policy(author, *r.record, options, r);
  r.aggregate_uris = std::move(author.aggregate_uris);
  r.failure_uris = std::move(author.failure_uris);
  co_return r;
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

core::Task<ReportDestinations> authorise_for(dns::Resolver& resolver, RecordPtr record,
                                             std::string policy_domain, std::string organization,
                                             Options options) {
  ReportDestinations out;
  if (!record) co_return out;
  auto [aggregate, failure] = co_await core::when_all(
      detail::authorised_uris(resolver, record->aggregate_uris, detail::ReportKind::aggregate,
                              policy_domain, organization, options.discovery, nullptr),
      detail::authorised_uris(resolver, record->failure_uris, detail::ReportKind::failure,
                              policy_domain, organization, options.discovery, nullptr));
  out.aggregate = std::move(aggregate);
  out.failure = std::move(failure);
  co_return out;
}

core::Task<Result> evaluate_lookup(dns::Resolver& resolver, core::Task<PolicyLookup> lookup,
                                   Identifiers identifiers, Options options) {
  PolicyLookup found = co_await std::move(lookup);
  co_return co_await evaluate(resolver, std::move(found), std::move(identifiers),
                              std::move(options));
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

core::Task<PolicyLookup> lookup_policy(dns::Resolver& resolver, std::string author_domain,
                                       Options options) {
  std::vector<std::string> domains;
  domains.push_back(std::move(author_domain));
  return lookup_authors(resolver, std::move(domains), {}, std::move(options));
}

// Not a coroutine: the header section is read before returning, so it need not outlive the
// task.
core::Task<PolicyLookup> lookup_policy(dns::Resolver& resolver, const mail::HeaderSection& headers,
                                       Options options) {
  auto single = author_domain(headers);
  if (single) return lookup_policy(resolver, std::move(*single), std::move(options));
  std::string problem = single.error().message;
  std::vector<std::string> domains;
  if (options.unusable_from == UnusableFrom::each_domain &&
      single.error().code == core::Errc::too_many) {
    auto all = author_domains(headers);
    if (!all) {
      problem = all.error().message;
    } else if (all->size() > options.max_author_domains) {
      problem = fmt::format("From holds {} domains, more than the {} evaluated", all->size(),
                            options.max_author_domains);
    } else {
      domains = std::move(*all);
    }
  }
  return lookup_authors(resolver, std::move(domains), std::move(problem), std::move(options));
}

core::Task<Result> evaluate(dns::Resolver& resolver, PolicyLookup lookup, Identifiers identifiers,
                            Options options) {
  if (lookup.authors.empty()) co_return unusable_from_result(lookup.unusable_from, options);
  if (lookup.authors.size() == 1 && lookup.unusable_from.empty())  // the usual From
    co_return co_await evaluate_author(resolver, std::move(lookup.authors.front()), identifiers,
                                       options);
  std::vector<core::Task<Result>> each;
  each.reserve(lookup.authors.size());
  for (AuthorPolicy& author : lookup.authors)
    each.push_back(evaluate_author(resolver, std::move(author), identifiers, options));
  std::vector<Result> results = co_await core::when_all(std::move(each));
  if (results.size() == 1 && lookup.unusable_from.empty()) co_return std::move(results.front());

  // Several author domains (UnusableFrom::each_domain): the strictest result decides.
  std::size_t worst = 0;
  for (std::size_t i = 1; i < results.size(); ++i)
    if (severity(results[i]) > severity(results[worst])) worst = i;
  Result r = std::move(results[worst]);
  for (std::size_t i = 0; i < results.size(); ++i)
    if (i != worst) r.other_author_domains.push_back(results[i].author_domain);
  r.unusable_from = true;
  r.reason = fmt::format("{} ({}; each of {} domains evaluated, the strictest applied)", r.reason,
                         lookup.unusable_from, results.size());
  co_return r;
}

core::Task<Result> evaluate(dns::Resolver& resolver, std::string author_domain,
                            Identifiers identifiers, Options options) {
  // One author domain: its lookup and evaluation in this one frame, without the PolicyLookup
  // and its vector that several domains need.
  AuthorPolicy author = co_await lookup_author(resolver, std::move(author_domain), options);
  co_return co_await evaluate_author(resolver, std::move(author), identifiers, options);
}

core::Task<Result> evaluate(dns::Resolver& resolver, const mail::HeaderSection& headers,
                            Identifiers identifiers, Options options) {
  return evaluate_lookup(resolver, lookup_policy(resolver, headers, options),
                         std::move(identifiers), std::move(options));
}

// Not a coroutine: what it needs of `result` is copied before returning.
core::Task<ReportDestinations> authorise_report_destinations(dns::Resolver& resolver,
                                                             const Result& result,
                                                             Options options) {
  return authorise_for(resolver, result.record, result.record_domain, result.organizational_domain,
                       std::move(options));
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
