// SPDX-License-Identifier: Apache-2.0
// The Verdict: every protocol's result for one message, the tags that fired with their scores,
// DMARC's disposition after local policy, and what local policy changed.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "hallmark/arc/types.hpp"
#include "hallmark/authenticator/iprev.hpp"
#include "hallmark/authenticator/tags.hpp"
#include "hallmark/dkim/types.hpp"
#include "hallmark/dmarc/evaluate.hpp"
#include "hallmark/export.hpp"
#include "hallmark/spf/types.hpp"

namespace hallmark::authenticator {

/// A per-message bound that cut the work short (Options says each one's size).
enum class Limit : std::uint8_t {
  dns_queries,      // the per-message query cap: later lookups answered as failures
  deadline,         // the per-message deadline: pending lookups answered as timeouts
  dkim_signatures,  // signatures past the cap were not verified
  arc_sets,         // a chain longer than the cap was not validated
  header_section,   // the header section broke the size or field-count bound
};
HALLMARK_API std::string_view to_string(Limit limit) noexcept;

struct LimitReached {
  Limit limit = Limit::dns_queries;
  std::string detail;
};

/// A local-policy rule that changed the outcome.
enum class PolicyRule : std::uint8_t {
  trusted_arc_sealer,   // a trusted sealer's passing chain overrode a DMARC failure
  allow_list_dmarc,     // a domain on the DMARC allow list passed or failed
  allow_list_spf_dkim,  // a domain on the SPF/DKIM allow list passed or failed
};
HALLMARK_API std::string_view to_string(PolicyRule rule) noexcept;

struct PolicyChange {
  PolicyRule rule = PolicyRule::trusted_arc_sealer;
  std::string domain;  // the sealer, or the listed domain
  std::string detail;  // in words, for logs
};

struct ScoredTag {
  Tag tag = Tag::spf_na;
  double score = 0;
  friend bool operator==(const ScoredTag&, const ScoredTag&) = default;
};

struct Verdict {
  /// RFC 7208 2.4: the MAIL FROM identity (postmaster@HELO for a null reverse path); what
  /// DMARC aligns with. nullopt when the envelope never gave a client address.
  std::optional<spf::Result> spf_mail_from;
  /// RFC 7208 2.3: the HELO identity, when checked (Options::check_helo, a HELO name and a
  /// non-null reverse path).
  std::optional<spf::Result> spf_helo;
  /// One result per DKIM-Signature field, in header order.
  std::vector<dkim::Result> dkim;
  arc::Result arc;
  dmarc::Result dmarc;
  /// When Options::iprev asks for it and the client address is known.
  std::optional<IprevResult> iprev;

  /// DMARC's disposition after local policy (dmarc.disposition before it).
  dmarc::Disposition disposition = dmarc::Disposition::none;
  /// Why local policy changed DMARC's disposition, in the words of the aggregate report's
  /// PolicyOverrideType: "trusted_forwarder" (a trusted ARC sealer) or "local_policy"; empty
  /// when nothing changed it.
  std::string override_reason;
  /// Every local-policy rule that changed something, in the order applied.
  std::vector<PolicyChange> policy_changes;

  /// The tags that fired, in table order, each with its score; and their sum.
  std::vector<ScoredTag> tags;
  double score = 0;

  /// Per-message bounds that cut work short.
  std::vector<LimitReached> limits;

  /// The Authentication-Results field (name included, folded with "\r\n", no final line
  /// break), ready to prepend to the message.
  std::string authentication_results;

  bool has_tag(Tag tag) const noexcept;
  /// Whether any protocol met a temporary DNS failure: a host may prefer to answer 4xx.
  bool temporary_failure() const noexcept;
};

/// The verdict's methods as RFC 8601 result fragments ("spf=pass smtp.mailfrom=...", ...), in
/// the order of Verdict::authentication_results: for an ARC-Authentication-Results, or a
/// field of the host's own making.
HALLMARK_API std::vector<std::string> auth_results_fragments(const Verdict& verdict);

}  // namespace hallmark::authenticator
