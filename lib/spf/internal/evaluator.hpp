// SPDX-License-Identifier: Apache-2.0
// The state of one check_host() evaluation: inputs, lookup budget, trace. Layer-private.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "hallmark/core/task.hpp"
#include "hallmark/dns/resolver.hpp"
#include "hallmark/spf/evaluate.hpp"
#include "hallmark/spf/record_cache.hpp"
#include "spf/internal/macro.hpp"

namespace hallmark::spf::detail {

/// How one domain's record came out; for a fail, which record decided (its exp= applies).
struct Decision {
  Outcome outcome = Outcome::neutral;
  std::string reason;
  std::string mechanism;
  RecordCache::Entry record;
  std::string domain;
};

enum class Match : std::uint8_t { no, yes, temperror, permerror };

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

class Evaluator {
 public:
  Evaluator(dns::Resolver& resolver, const CheckHostInput& input, const Options& options);

  /// RFC 7208 4.4-4.7 for one domain; include and redirect recurse through it. Views given
  /// to these coroutines must outlive them: each caller co_awaits at once.
  core::Task<Decision> evaluate(std::string_view domain, unsigned depth);
  /// RFC 7208 6.2: the explanation for a fail decided by `decision`.
  core::Task<std::string> explain(Decision decision);
  /// Copies counts and trace into the result.
  void finish(Result& result);

  std::string_view sender() const noexcept { return sender_; }

  // The pieces below are used by the evaluator's own source files.
  core::Task<MatchResult> match(const Mechanism& mechanism, std::string_view domain,
                                unsigned depth);
  core::Task<std::optional<TargetName>> target_name(const MacroString& spec,
                                                    std::string_view domain);
  /// target_name() once %{p} is known: expansion, the 253-octet cut, the syntax check.
  /// Mechanisms call it directly when the spec has no %{p}, the one macro that needs DNS,
  /// which saves a coroutine frame per term.
  std::optional<TargetName> expand_target(const MacroString& spec, std::string_view domain,
                                          std::string_view validated = "unknown") const;
  core::Task<std::string> validated_name(std::string_view domain);
  core::Task<std::vector<std::string>> validate(std::vector<std::string> names);
  /// One counted lookup. A plain awaiter rather than a Task: most lookups are awaited
  /// directly, and a Task would cost a coroutine frame per query. Borrows `name` until the
  /// co_await ends.
  dns::detail::LookupAwaiter query(std::string_view name, dns::Type type);
  /// The same as a Task, for core::when_all.
  core::Task<dns::AnswerPtr> query_task(std::string name, dns::Type type);
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

 private:
  std::optional<TargetName> mechanism_target(const Mechanism& m, std::string_view domain,
                                             std::string_view validated) const;
  core::Task<MatchResult> match_address(const Mechanism& m, std::string_view domain);
  core::Task<MatchResult> match_mx(const Mechanism& m, std::string_view domain);
  core::Task<MatchResult> match_ptr(const Mechanism& m, std::string_view domain);
  core::Task<MatchResult> match_exists(const Mechanism& m, std::string_view domain);
  core::Task<MatchResult> match_include(const Mechanism& m, std::string_view domain,
                                        unsigned depth);

  dns::Resolver& resolver_;
  const Options& options_;
  core::IpAddress ip_;
  // Views of the CheckHostInput, which outlives the evaluator; built_sender_ only when the
  // sender had no local-part (RFC 7208 4.3).
  std::string_view helo_;
  std::string_view sender_;
  std::string_view local_part_;
  std::string_view sender_domain_;
  std::string built_sender_;
  mutable std::optional<std::int64_t> now_;  // see now()
  unsigned inside_include_ = 0;  // include levels being evaluated: their words are not kept
  RecordCache* cache_ = nullptr;

  unsigned dns_terms_ = 0;
  unsigned void_lookups_ = 0;
  unsigned queries_ = 0;
  std::vector<TraceEntry> trace_;
  std::size_t dropped_trace_ = 0;
};

}  // namespace hallmark::spf::detail
