// SPDX-License-Identifier: Apache-2.0
// DMARC evaluation (RFC 9989 5.3, with RFC 7489 pct= and PSL discovery as options): the
// author domain, policy discovery, identifier alignment, the result and the disposition.
//
// The tasks below begin before they return: with every answer in the resolver's cache the work
// is over and the task is ready; otherwise it fetches what is missing when awaited.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "hallmark/core/inline_string.hpp"
#include "hallmark/core/error.hpp"
#include "hallmark/core/task.hpp"
#include "hallmark/dmarc/author.hpp"
#include "hallmark/dmarc/discover.hpp"
#include "hallmark/dmarc/record.hpp"
#include "hallmark/dns/resolver.hpp"
#include "hallmark/export.hpp"
#include "hallmark/mail/header.hpp"

namespace hallmark::dmarc {

enum class Outcome : std::uint8_t { none, pass, fail, temperror, permerror };
enum class Disposition : std::uint8_t { none, quarantine, reject };
HALLMARK_API std::string_view to_string(Outcome outcome) noexcept;
HALLMARK_API std::string_view to_string(Disposition disposition) noexcept;

/// How organizational domains are found.
enum class DiscoveryMode : std::uint8_t {
  tree_walk,  // RFC 9989 4.10 (the default)
  psl,        // RFC 7489 3.2: the public suffix list through libpsl (system data)
};

/// The authenticated identifiers DMARC aligns with the author domain.
struct Identifiers {
  std::string spf_domain;  // MAIL FROM domain, or the HELO name for a null reverse path
  bool spf_pass = false;
  std::vector<std::string> dkim_domains;  // d= of each signature that passed
  /// Checks that could not complete because DNS failed temporarily: SPF temperror for
  /// spf_domain, and d= of each DKIM signature whose key lookup did. When one of them would
  /// have aligned, a message that otherwise fails is temperror, not fail: RFC 9989 5.3.6 says
  /// it cannot be considered to pass or fail.
  bool spf_temperror = false;
  std::vector<std::string> dkim_temperror_domains = {};
};

/// What to do with a message whose From field gives no single author domain: no From, several
/// From fields, addresses in several domains, an address literal, a From that does not parse.
/// RFC 9989 5.3.1 ends validation there and leaves the handling to the receiver (11.5).
enum class UnusableFrom : std::uint8_t {
  reject,       // the default: dmarc=fail with disposition reject, never a pass
  each_domain,  // several domains: evaluate each (up to Options::max_author_domains) and apply
                // the strictest failing policy (RFC 9989 11.5); otherwise as reject
  ignore,       // RFC 9989 5.3.1 to the letter: dmarc=none, disposition none
};
HALLMARK_API std::string_view to_string(UnusableFrom handling) noexcept;

/// Which tag lowers the disposition of a failing message below its policy, by one level and
/// never more: t= and pct= are the same request in two versions of DMARC.
enum class PctRules : std::uint8_t {
  rfc9989,  // the default: t=y (RFC 9989 4.7). pct= is historic and ignored, except that
            // pct=0 in a record without t= reads as t=y, its successor (RFC 9989 A.6).
  rfc7489,  // pct= samples (RFC 7489 6.6.4): a message outside the sample gets the next policy
            // down. t= is not an RFC 7489 tag and is ignored.
};
HALLMARK_API std::string_view to_string(PctRules rules) noexcept;

struct Options {
  DiscoveryMode discovery = DiscoveryMode::tree_walk;
  UnusableFrom unusable_from = UnusableFrom::reject;
  /// With UnusableFrom::each_domain, a From with more domains than this is rejected unevaluated.
  std::size_t max_author_domains = 5;
  PctRules pct_rules = PctRules::rfc9989;
  /// RFC 7489 pct= sampling: a number in [0, 1); std::random_device based when empty.
  std::function<double()> random;
  /// Fill Result::aggregate_uris and failure_uris with the rua=/ruf= URIs that authorise our
  /// reports. Off by default: a verdict does not need them, and the check costs up to ~20
  /// queries at names the sender's record chooses. A report generator asks for them, here or
  /// later with authorise_report_destinations().
  bool verify_report_destinations = false;
};

/// The verdict for one message. Its texts are held inside the result up to a size that covers
/// nearly every real domain (longer ones go to the heap), so an evaluation on cached answers
/// allocates nothing; they read as std::string_view.
struct Result {
  Outcome outcome = Outcome::none;
  core::InlineString<128> reason;
  core::InlineString<64> author_domain;  // A-label, lower case; the deciding one of several
  std::vector<std::string> other_author_domains;  // UnusableFrom::each_domain: the rest
  bool unusable_from = false;                     // the From field gave no single author domain
  core::InlineString<64> record_domain;           // where the applied record was found
  core::InlineString<64> organizational_domain;   // of the author domain
  RecordPtr record;                               // the record applied; null when none applies
  Policy policy = Policy::none;                   // the p=, sp= or np= value that applies
  std::string policy_tag;                         // "p", "sp" or "np"
  Disposition disposition = Disposition::none;    // after t= or pct= (Options::pct_rules)
  bool testing = false;                           // t=y lowered the disposition
  bool sampled_out = false;                       // pct= left this message out (rfc7489)
  bool spf_aligned = false;
  bool dkim_aligned = false;
  core::InlineString<64> aligned_dkim_domain;
  /// Authorised rua= and ruf= URIs, with Options::verify_report_destinations only.
  std::vector<std::string> aggregate_uris;
  std::vector<std::string> failure_uris;
};

/// Everything about one author domain that does not depend on SPF or DKIM: its policy
/// record, its organizational domain, whether it exists (for np=) and which report
/// destinations are authorised.
struct AuthorPolicy {
  std::string author_domain;  // A-label, lower case
  std::string error;          // the author domain is not a domain (permerror)
  Discovery discovery;
  bool author_domain_exists = true;  // false on NXDOMAIN (RFC 8020); checked when np= may apply
  std::vector<std::string> aggregate_uris;  // authorised rua= URIs
  std::vector<std::string> failure_uris;    // authorised ruf= URIs
};

/// The identifier-independent half of DMARC for one message. Start it as soon as the From
/// field is known (core::Started), concurrently with SPF and DKIM, and finish it with
/// evaluate(resolver, lookup, identifiers) once their results are in: the policy lookups
/// never wait for them.
struct PolicyLookup {
  /// One, or several under UnusableFrom::each_domain. Shared and immutable: while the answers
  /// a policy came from stand, another message from the same author domain gets the same one.
  std::vector<std::shared_ptr<const AuthorPolicy>> authors;
  std::string unusable_from;  // why the From field gave no single author domain
};

/// Policy lookup for an author domain already extracted.
HALLMARK_API core::Task<PolicyLookup> lookup_policy(dns::Resolver& resolver,
                                                    std::string author_domain,
                                                    Options options = {});

/// Policy lookup for a message's header section: the author domain comes from From, and a
/// From without a single usable domain is handled as Options::unusable_from says. The header
/// section is read before this returns; it need not outlive the task.
HALLMARK_API core::Task<PolicyLookup> lookup_policy(dns::Resolver& resolver,
                                                    const mail::HeaderSection& headers,
                                                    Options options = {});

/// Finishes a policy lookup with the authenticated identifiers: alignment, the result and the
/// disposition. The identifiers and options are read before this returns (the task copies
/// them when it must wait), so they need not outlive the task.
HALLMARK_API core::Task<Result> evaluate(dns::Resolver& resolver, PolicyLookup lookup,
                                         const Identifiers& identifiers,
                                         const Options& options = {});

/// lookup_policy() then evaluate(), for callers that have the identifiers already. The
/// arguments are read before this returns, as above.
HALLMARK_API core::Task<Result> evaluate(dns::Resolver& resolver, std::string_view author_domain,
                                         const Identifiers& identifiers,
                                         const Options& options = {});
HALLMARK_API core::Task<Result> evaluate(dns::Resolver& resolver,
                                         const mail::HeaderSection& headers,
                                         const Identifiers& identifiers,
                                         const Options& options = {});

/// The report destinations a receiver may use for an evaluated message: the record's rua=
/// and ruf= URIs on the policy domain's organizational domain, and external ones whose host
/// confirms with <policy domain>._report._dmarc.<host> (its own rua=/ruf= overriding ours
/// when it stays on that host). Empty when no record applied. `result` is read before this
/// returns.
struct ReportDestinations {
  std::vector<std::string> aggregate;
  std::vector<std::string> failure;
};
HALLMARK_API core::Task<ReportDestinations> authorise_report_destinations(dns::Resolver& resolver,
                                                                          const Result& result,
                                                                          Options options = {});

/// "dmarc=fail (p=reject dis=quarantine) header.from=example.com policy.dmarc=quarantine".
/// policy.dmarc is the disposition after t= or pct=, "the evaluated DMARC policy applied"
/// (RFC 9989 9.1), so it reads "none" on a pass; the comment gives the published policy.
HALLMARK_API std::string auth_results_fragment(const Result& result);

}  // namespace hallmark::dmarc
