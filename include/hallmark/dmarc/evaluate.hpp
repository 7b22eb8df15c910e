// SPDX-License-Identifier: Apache-2.0
// DMARC evaluation (RFC 9989 5.3, with RFC 7489 pct= and PSL discovery as options): the
// author domain, policy discovery, identifier alignment, the result and the disposition.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "hallmark/core/error.hpp"
#include "hallmark/core/task.hpp"
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
};

struct Options {
  DiscoveryMode discovery = DiscoveryMode::tree_walk;
  /// RFC 7489 pct= sampling: a number in [0, 1); std::random_device based when empty.
  std::function<double()> random;
  /// Keep only rua=/ruf= URIs whose domain authorises our reports (RFC 9989 / RFC 7489 7.1).
  bool verify_report_destinations = true;
};

struct Result {
  Outcome outcome = Outcome::none;
  std::string reason;
  std::string author_domain;          // A-label, lower case
  std::string record_domain;          // where the applied record was found
  std::string organizational_domain;  // of the author domain
  std::optional<Record> record;
  Policy policy = Policy::none;                 // the p=, sp= or np= value that applies
  std::string policy_tag;                       // "p", "sp" or "np"
  Disposition disposition = Disposition::none;  // after t=y and pct=
  bool testing = false;                         // t=y lowered the disposition
  bool sampled_out = false;                     // pct= left this message out
  bool spf_aligned = false;
  bool dkim_aligned = false;
  std::string aligned_dkim_domain;
  std::vector<std::string> aggregate_uris;  // authorised rua= URIs
  std::vector<std::string> failure_uris;    // authorised ruf= URIs
};

/// RFC 9989 5.3.1: the one author domain of a message, in A-label form.
/// Errors: Errc::missing_tag (no From field or no address), Errc::too_many (several From
/// fields, or addresses in more than one domain), Errc::syntax (a From that does not parse),
/// Errc::bad_value (a domain literal or a name that is not a domain).
HALLMARK_API core::Expected<std::string> author_domain(const mail::HeaderSection& headers);

/// Evaluates DMARC for `author_domain` (already extracted) and the identifiers.
HALLMARK_API core::Task<Result> evaluate(dns::Resolver& resolver, std::string author_domain,
                                         Identifiers identifiers, Options options = {});

/// "dmarc=pass (p=reject dis=none) header.from=example.com policy.dmarc=reject".
HALLMARK_API std::string auth_results_fragment(const Result& result);

}  // namespace hallmark::dmarc
