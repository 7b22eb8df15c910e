// SPDX-License-Identifier: Apache-2.0
// The state of one check_host() evaluation: inputs, lookup budget, trace. Layer-private.
//
// The evaluation itself is plain synchronous code over the answers it has: those earlier
// attempts fetched (Memory) and those the resolver holds already (Resolver::cached). When an
// answer is missing the attempt stops and names what it needs; the driver (run_check_host)
// fetches that, concurrently when there are several, and runs the evaluation again from the
// start. With a warm cache the first attempt finishes: no coroutine per term or per include
// level, no suspension. A cold check replays its earlier steps once per round of lookups,
// which costs microseconds against the lookups' milliseconds.
#pragma once

#include <array>
#include <list>
#include <optional>
#include <string>
#include <vector>

#include "hallmark/dns/resolver.hpp"
#include "hallmark/spf/evaluate.hpp"
#include "hallmark/spf/record_cache.hpp"
#include "spf/internal/macro.hpp"

namespace hallmark::spf::detail {

/// A lookup an attempt could not answer.
struct Wanted {
  std::string name;
  dns::Type type;
};

/// What the attempts of one check_host() share, so that each attempt sees the same world: the
/// answers fetched or met so far (a name is asked of the resolver once per check, which keeps
/// a ScopedResolver's count honest) and the time %{t} read.
class Memory {
 public:
  Memory() = default;
  Memory(const Memory&) = delete;
  Memory& operator=(const Memory&) = delete;

  /// The answer kept for (name, type); null when there is none. Names compare as domains.
  const dns::Answer* find(std::string_view name, dns::Type type) const noexcept;
  /// Keeps `answer` as the answer for (name, type).
  void keep(std::string_view name, dns::Type type, dns::AnswerPtr answer);

  std::optional<std::int64_t> now;  // %{t}, once read

 private:
  struct Page {
    dns::AnswerPtr answer;
    std::string_view name;  // the answer's own name, or one of owned_names_
    dns::Type type;
  };
  const Page& page(std::size_t index) const noexcept {
    return index < inline_pages_.size() ? inline_pages_[index]
                                        : more_pages_[index - inline_pages_.size()];
  }
  // A policy's check meets a handful of names: they fit without a heap allocation.
  std::array<Page, 8> inline_pages_{};
  std::vector<Page> more_pages_;
  std::size_t size_ = 0;
  std::list<std::string> owned_names_;  // stable addresses; only for answers named otherwise
};

/// How one domain's record came out; for a fail, which record decided (its exp= applies).
/// `pending` means the attempt stopped for a lookup: the rest is meaningless.
struct Decision {
  Outcome outcome = Outcome::neutral;
  bool pending = false;
  std::string reason;
  std::string mechanism;
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
  std::string owned;
  std::string_view borrowed;
  bool is_borrowed = false;
  std::string_view view() const noexcept {
    return is_borrowed ? borrowed : std::string_view(owned);
  }
};

/// %{p} (RFC 7208 7.3): the validated name, or nullopt when the attempt is waiting for DNS.
using Validated = std::optional<std::string>;

/// One attempt at check_host().
class Evaluator {
 public:
  Evaluator(dns::Resolver& resolver, const CheckHostInput& input, const Options& options,
            Memory& memory);

  /// check_host() to the end: fills `result`'s outcome, reason, mechanism, explanation,
  /// counts and trace, and returns true; or returns false when a lookup is missing (wanted()).
  bool run(Result& result);
  /// The lookups this attempt stopped for, when run() returned false.
  std::vector<Wanted>& wanted() noexcept { return wanted_; }

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
  std::optional<std::vector<std::string>> validate(const std::vector<std::string>& names);
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

  dns::Resolver& resolver_;
  const Options& options_;
  Memory& memory_;
  core::IpAddress ip_;
  // Views of the CheckHostInput, which outlives the evaluator; built_sender_ only when the
  // sender had no local-part (RFC 7208 4.3).
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
  std::vector<Wanted> wanted_;
};

}  // namespace hallmark::spf::detail
