// SPDX-License-Identifier: Apache-2.0
// The state of one check_host() evaluation: inputs, lookup budget, trace. Layer-private.
//
// The evaluation is an attempt over the answers at hand (dns/internal/attempt.hpp): with a warm
// cache the first one finishes, with no coroutine per term or per include level.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "dns/internal/attempt.hpp"
#include "hallmark/dns/resolver.hpp"
#include "hallmark/spf/evaluate.hpp"
#include "hallmark/spf/record_cache.hpp"
#include "spf/internal/macro.hpp"

namespace hallmark::spf::detail {

/// What the attempts of one check_host() share: the answers, and the time %{t} read.
struct Memory {
  dns::detail::AnswerMemory answers;
  std::optional<std::int64_t> now;
};

/// How one domain's record came out; for a fail, which record decided (its exp= applies).
/// `pending` means the attempt stopped for a lookup: the rest is meaningless.
struct Decision {
  Outcome outcome = Outcome::neutral;
  bool pending = false;
  core::InlineString<128> reason;  // as Result's, so that handing them over stays inline
  core::InlineString<64> mechanism;
  RecordCache::Entry record;
  std::string domain;
};

enum class Match : std::uint8_t { no, yes, temperror, permerror, pending };

struct MatchResult {
  Match match = Match::no;
  std::string note;
};

bool is_checkable_domain(std::string_view domain) noexcept;

/// The name a term queries. Without macros it is a view of the record's own text or of the
/// domain being evaluated, both alive while the term is; only an expansion is kept here.
struct TargetName {
  core::InlineString<256> owned;  // an expansion, cut to 253 octets (RFC 7208 7.3)
  std::string_view borrowed;
  bool is_borrowed = false;
  std::string_view view() const noexcept {
    return is_borrowed ? borrowed : std::string_view(owned);
  }
};

/// %{p} (RFC 7208 7.3): the validated name, or nullopt when the attempt is waiting for DNS.
/// A view of a PTR name in an answer the attempt keeps (alive until the evaluation ends), or
/// of "unknown".
using Validated = std::optional<std::string_view>;

/// The arguments of check_host() as views: of the caller's own strings for a first attempt,
/// of a CheckHostInput kept by the task for the attempts after a fetch.
struct InputView {
  core::IpAddress ip;
  std::string_view domain;
  std::string_view sender;  // without a local-part (no '@'), postmaster@ is put in front
  std::string_view helo;
};

/// One attempt at check_host().
class Evaluator {
 public:
  /// `input`'s strings must outlive the evaluator.
  Evaluator(dns::Resolver& resolver, const InputView& input, const Options& options,
            Memory& memory);

  /// check_host() to the end: fills `result`'s outcome, reason, mechanism, explanation,
  /// counts and trace, and returns true; or returns false when a lookup is missing (wanted()).
  bool run(Result& result);
  /// The lookups this attempt stopped for, when run() returned false.
  std::vector<dns::detail::Wanted> take_wanted() noexcept { return attempt_.take_wanted(); }

  std::string_view sender() const noexcept { return sender_; }

 private:
  /// RFC 7208 4.4-4.7 for one domain; include and redirect recurse through it.
  Decision evaluate(std::string_view domain, unsigned depth);
  /// RFC 7208 6.2: the explanation for a fail decided by `decision`; nullopt when waiting.
  std::optional<std::string> explain(const Decision& decision);
  MatchResult match(const Mechanism& mechanism, std::string_view domain, unsigned depth);
  MatchResult match_address(const Mechanism& m, std::string_view domain);
  MatchResult match_mx(const Mechanism& m, std::string_view domain);
  MatchResult match_ptr(const Mechanism& m, std::string_view domain);
  MatchResult match_exists(const Mechanism& m, std::string_view domain);
  MatchResult match_include(const Mechanism& m, std::string_view domain, unsigned depth);
  /// A lookup that gave NXDOMAIN or no records: counted, and permerror past the limit.
  MatchResult void_lookup();
  /// The validated name for %{p} when `spec` uses it, else "unknown".
  Validated validated_for(const MacroString& spec, std::string_view domain);
  Validated validated_name(std::string_view domain);
  /// The names among `names` one of whose addresses is the client's; nullopt when waiting.
  std::optional<std::vector<std::string_view>> validate(const std::vector<std::string_view>& names);
  /// Expansion, the 253-octet cut and the syntax check of a term's target.
  std::optional<TargetName> expand_target(const MacroString& spec, std::string_view domain,
                                          std::string_view validated) const;
  /// a, mx and ptr default to the current domain (RFC 7208 4.8).
  std::optional<TargetName> mechanism_target(const Mechanism& m, std::string_view domain,
                                             std::string_view validated) const;

  /// One counted lookup from memory or the resolver's cache; null when neither has it.
  const dns::Answer* answer(std::string_view name, dns::Type type);
  /// Notes a lookup this attempt cannot go on without.
  void want(std::string_view name, dns::Type type);
  /// answer(), noting the lookup when the answer is missing.
  const dns::Answer* need(std::string_view name, dns::Type type);
  /// The macro values for expanding `spec` (the time only when it uses %{t}).
  MacroValues values(const MacroString& spec, std::string_view domain,
                     std::string_view validated = "unknown") const;
  std::int64_t now() const;
  bool count_term() noexcept;
  bool count_void() noexcept;
  void add_trace(TraceEntry entry);
  /// Whether the trace has no room left, so callers can skip building entries.
  bool trace_full() const noexcept {
    return !options_.trace || trace_.size() >= options_.max_trace_entries;
  }
  dns::Type address_type() const noexcept;
  unsigned prefix_for(const Mechanism& m) const noexcept;
  bool contains_client(const dns::Answer& answer, unsigned prefix) const noexcept;
  /// all, ip4, ip6: the mechanisms that need no DNS.
  bool matches_without_dns(const Mechanism& m) const noexcept;

  const Options& options_;
  Memory& memory_;
  dns::detail::Attempt attempt_;
  core::IpAddress ip_;
  // Views of the input, which outlives the evaluator; built_sender_ only when the sender had
  // no local-part (RFC 7208 4.3).
  std::string_view domain_;
  std::string_view helo_;
  std::string_view sender_;
  std::string_view local_part_;
  std::string_view sender_domain_;
  std::string built_sender_;
  unsigned inside_include_ = 0;  // include levels being evaluated: their words are not kept
  RecordCache* cache_ = nullptr;

  unsigned dns_terms_ = 0;
  unsigned void_lookups_ = 0;
  unsigned queries_ = 0;
  std::vector<TraceEntry> trace_;
  std::size_t dropped_trace_ = 0;
};

}  // namespace hallmark::spf::detail
