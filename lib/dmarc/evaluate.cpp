// SPDX-License-Identifier: Apache-2.0
// DMARC evaluation (RFC 9989 5.3): discovery, alignment, result, policy and disposition.
#include "hallmark/dmarc/evaluate.hpp"

#include <libpsl.h>

#include <random>

#include <fmt/format.h>

#include "hallmark/core/domain.hpp"
#include "hallmark/core/header_text.hpp"
#include "hallmark/core/when_all.hpp"
#include "hallmark/dmarc/discover.hpp"
#include "hallmark/mail/address.hpp"

namespace hallmark::dmarc {
namespace {

std::string normal_domain(std::string_view domain) {
  return core::to_lower_ascii(core::strip_trailing_dot(domain));
}

// RFC 7489 3.2: the registrable domain under the public suffix list (the system's data).
std::string psl_organizational_domain(const std::string& domain) {
  static const psl_ctx_t* psl = [] {
    const psl_ctx_t* latest = psl_latest(nullptr);
    return latest != nullptr ? latest : psl_builtin();
  }();
  if (psl == nullptr) return domain;
  const char* registrable = psl_registrable_domain(psl, domain.c_str());
  return registrable != nullptr ? std::string(registrable) : domain;
}

core::Task<std::string> organizational_domain_of(dns::Resolver& resolver, std::string domain,
                                                 DiscoveryMode mode) {
  if (mode == DiscoveryMode::psl) co_return psl_organizational_domain(domain);
  TreeWalk walk = co_await tree_walk(resolver, domain);
  co_return organizational_domain(domain, walk);
}

// RFC 7489 6.6.3: with the PSL, the author domain's record, else the organizational one's.
core::Task<Discovery> discover_with_psl(dns::Resolver& resolver, std::string author) {
  Discovery out;
  out.organizational_domain = psl_organizational_domain(author);
  std::vector<std::string> names = {author};
  if (out.organizational_domain != author) names.push_back(out.organizational_domain);
  for (const std::string& name : names) {
    dns::Answer answer = co_await dns::lookup(resolver, "_dmarc." + name, dns::Type::txt);
    if (answer.is_error()) {
      out.temperror = true;
      out.detail = fmt::format("{} looking up _dmarc.{} TXT", dns::to_string(answer.status), name);
      co_return out;
    }
    if (std::optional<Record> only = single_record(answer)) {
      out.policy = FoundRecord{name, std::move(*only)};
      co_return out;
    }
  }
  co_return out;
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

// The host of a reporting URI: mailto:user@host?... or scheme://host[:port]/...
std::string uri_domain(std::string_view uri) {
  if (uri.size() > 7 && core::to_lower_ascii(uri.substr(0, 7)) == "mailto:") {
    std::string_view address = uri.substr(7);
    address = address.substr(0, address.find('?'));
    std::size_t at = address.rfind('@');
    return at == std::string_view::npos ? std::string() : normal_domain(address.substr(at + 1));
  }
  std::size_t slashes = uri.find("://");
  if (slashes == std::string_view::npos) return {};
  std::string_view host = uri.substr(slashes + 3);
  host = host.substr(0, host.find_first_of(":/?#"));
  return normal_domain(host);
}

// RFC 7489 7.1: a destination on another organizational domain must publish
// <author>._report._dmarc.<destination> with v=DMARC1.
core::Task<std::vector<std::string>> authorised_uris(dns::Resolver& resolver,
                                                     std::vector<std::string> uris,
                                                     std::string author, std::string organization,
                                                     DiscoveryMode mode) {
  std::vector<std::string> kept;
  for (std::string& uri : uris) {
    std::string destination = uri_domain(uri);
    if (destination.empty()) continue;
    std::string destination_org = co_await organizational_domain_of(resolver, destination, mode);
    if (destination_org == organization) {
      kept.push_back(std::move(uri));
      continue;
    }
    dns::Answer answer = co_await dns::lookup(
        resolver, fmt::format("{}._report._dmarc.{}", author, destination), dns::Type::txt);
    bool authorised = false;
    for (const dns::Txt& txt : answer.txt) authorised |= is_dmarc_record(txt.text());
    if (authorised) kept.push_back(std::move(uri));
  }
  co_return kept;
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

core::Expected<std::string> author_domain(const mail::HeaderSection& headers) {
  std::vector<const mail::HeaderField*> from = headers.all("From");
  if (from.empty()) return core::fail(core::Errc::missing_tag, "the message has no From field");
  // RFC 9989 5.3.1: zero or several author domains make DMARC validation impossible.
  if (from.size() > 1)
    return core::fail(core::Errc::too_many,
                      fmt::format("the message has {} From fields", from.size()));
  auto mailboxes = mail::parse_address_list(from.front()->value);
  if (!mailboxes) return core::fail(core::Errc::syntax, "From: " + mailboxes.error().message);
  std::string domain;
  for (const mail::Mailbox& mailbox : *mailboxes) {
    if (mailbox.has_domain_literal())
      return core::fail(core::Errc::bad_value, "From holds an address literal, not a domain");
    auto a_label =
        core::to_a_label(core::strip_trailing_dot(mailbox.domain), core::DomainSyntax::ldh);
    if (!a_label)
      return core::fail(core::Errc::bad_value, "From domain: " + a_label.error().message);
    if (!domain.empty() && domain != *a_label)
      return core::fail(core::Errc::too_many, "From holds addresses in more than one domain");
    domain = std::move(*a_label);
  }
  if (domain.empty()) return core::fail(core::Errc::missing_tag, "From holds no address");
  return domain;
}

core::Task<Result> evaluate(dns::Resolver& resolver, std::string author_domain,
                            Identifiers identifiers, Options options) {
  Result r;
  auto author = core::to_a_label(core::strip_trailing_dot(author_domain), core::DomainSyntax::ldh);
  if (!author) {
    r.outcome = Outcome::permerror;
    r.reason = "author domain: " + author.error().message;
    r.disposition = Disposition::none;
    co_return r;
  }
  r.author_domain = *author;
  Discovery discovery;
  if (options.discovery == DiscoveryMode::psl) {
    discovery = co_await discover_with_psl(resolver, r.author_domain);
  } else {
    discovery = co_await discover_policy(resolver, r.author_domain);
  }
  r.organizational_domain = discovery.organizational_domain;
  if (discovery.temperror) {
    r.outcome = Outcome::temperror;
    r.reason = discovery.detail;
    co_return r;
  }
  if (!discovery.policy || !is_applicable(discovery.policy->record)) {
    r.outcome = Outcome::none;
    r.reason = discovery.policy ? "the DMARC record has no valid policy and no report address"
                                : "no DMARC record";
    co_return r;
  }
  r.record_domain = discovery.policy->domain;
  r.record = discovery.policy->record;
  const Record& record = *r.record;

  // Identifier alignment (RFC 9989 4.4): strict is equality, relaxed is the same
  // organizational domain.
  std::vector<std::string> candidates;
  if (identifiers.spf_pass && !identifiers.spf_domain.empty())
    candidates.push_back(normal_domain(identifiers.spf_domain));
  std::size_t dkim_start = candidates.size();
  for (const std::string& d : identifiers.dkim_domains) candidates.push_back(normal_domain(d));
  std::vector<core::Task<std::string>> walks;
  for (const std::string& candidate : candidates)
    walks.push_back(organizational_domain_of(resolver, candidate, options.discovery));
  std::vector<std::string> organizations = co_await core::when_all(std::move(walks));
  for (std::size_t i = 0; i < candidates.size(); ++i) {
    bool is_spf = i < dkim_start;
    Alignment mode = is_spf ? record.spf_alignment : record.dkim_alignment;
    bool aligned = candidates[i] == r.author_domain ||
                   (mode == Alignment::relaxed && organizations[i] == r.organizational_domain);
    if (!aligned) continue;
    if (is_spf) {
      r.spf_aligned = true;
    } else if (!r.dkim_aligned) {
      r.dkim_aligned = true;
      r.aligned_dkim_domain = candidates[i];
    }
  }
  r.outcome = r.spf_aligned || r.dkim_aligned ? Outcome::pass : Outcome::fail;
  r.reason = r.outcome == Outcome::pass ? (r.dkim_aligned ? "DKIM aligned" : "SPF aligned")
                                        : "no aligned SPF or DKIM pass";

  // RFC 9989 4.10.1: p= for the author domain's own record; otherwise sp= for an existing
  // subdomain and np= for a non-existent one (RFC 8020: NXDOMAIN), falling back to p=.
  r.policy = record.policy.value_or(Policy::none);
  r.policy_tag = "p";
  if (r.record_domain != r.author_domain) {
    dns::Answer exists = co_await dns::lookup(resolver, r.author_domain, dns::Type::a);
    bool nonexistent = exists.status == dns::Status::nxdomain;
    if (nonexistent && record.nonexistent_policy) {
      r.policy = *record.nonexistent_policy;
      r.policy_tag = "np";
    } else if (record.subdomain_policy) {
      r.policy = *record.subdomain_policy;
      r.policy_tag = "sp";
    }
  }
  if (r.outcome == Outcome::fail) {
    r.disposition = disposition_of(r.policy);
    if (record.testing && r.disposition != Disposition::none) {  // RFC 9989 4.7 t=y
      r.disposition = one_level_lower(r.disposition);
      r.testing = true;
    }
    if (record.percent && *record.percent < 100 && r.disposition != Disposition::none) {
      double draw = options.random ? options.random() : uniform_draw();
      // RFC 7489 6.6.4: messages left out of the sample get the next policy down.
      if (draw * 100.0 >= static_cast<double>(*record.percent)) {
        r.disposition = one_level_lower(r.disposition);
        r.sampled_out = true;
      }
    }
  }
  if (options.verify_report_destinations) {
    r.aggregate_uris = co_await authorised_uris(resolver, record.aggregate_uris, r.author_domain,
                                                r.organizational_domain, options.discovery);
    r.failure_uris = co_await authorised_uris(resolver, record.failure_uris, r.author_domain,
                                              r.organizational_domain, options.discovery);
  } else {
    r.aggregate_uris = record.aggregate_uris;
    r.failure_uris = record.failure_uris;
  }
  co_return r;
}

std::string auth_results_fragment(const Result& result) {
  std::string out = fmt::format("dmarc={}", to_string(result.outcome));
  if (result.record)
    out += fmt::format(" ({}={} dis={})", result.policy_tag, to_string(result.policy),
                       to_string(result.disposition));
  if (!result.author_domain.empty())
    out += " header.from=" + core::header_value(result.author_domain);
  if (result.record) out += fmt::format(" policy.dmarc={}", to_string(result.disposition));
  return out;
}

}  // namespace hallmark::dmarc
