// SPDX-License-Identifier: Apache-2.0
// The DNS Tree Walk (RFC 9989 4.10), organizational domain selection (4.10.2) and policy
// discovery (4.10.1).
#include "hallmark/dmarc/discover.hpp"

#include <algorithm>
#include <array>

#include <fmt/format.h>

#include "core/internal/parse_cache.hpp"
#include "dmarc/internal/organizational.hpp"
#include "dns/internal/attempt.hpp"
#include "hallmark/core/domain.hpp"

namespace hallmark::dmarc {
namespace {

constexpr std::size_t max_walk_queries = 8;

// The names a walk looks at (RFC 9989 4.10 steps 3-7), as offsets into the domain, since each
// is a suffix of it: the domain itself, then its last seven labels at most, one label fewer
// each time. For fewer than eight labels that is every parent; from eight on, the names
// between are skipped.
struct Targets {
  std::array<std::size_t, max_walk_queries> offsets{};
  std::size_t count = 0;
};

Targets walk_targets(std::string_view domain) noexcept {
  Targets t;
  if (domain.empty()) return t;
  t.offsets[t.count++] = 0;
  // Label starts from the right, the last label first.
  std::array<std::size_t, max_walk_queries - 1> parents{};
  std::size_t found = 0;
  for (std::size_t i = domain.size(); i-- > 0 && found < parents.size();)
    if (domain[i] == '.' && i + 1 < domain.size()) parents[found++] = i + 1;
  while (found > 0) t.offsets[t.count++] = parents[--found];
  return t;
}

std::string_view target_at(std::string_view domain, const Targets& t, std::size_t i) noexcept {
  return domain.substr(t.offsets[i]);
}

// Every evaluation of a domain's mail reads the same few records: parse each text once.
// DMARC records are short; a longer text is parsed every time (RFC 9989 records fit in a
// packet). Bounded at 4096 entries of 1 KB.
core::detail::ParseCache<core::Expected<Record>>& parsed_records() {
  static core::detail::ParseCache<core::Expected<Record>> cache(4096, 1024);
  return cache;
}

// What `known` saw at `target`: nullopt when it did not look there, else the record found
// there (null for none).
std::optional<RecordPtr> known_answer(const TreeWalk* known, std::string_view target) {
  if (known == nullptr) return std::nullopt;
  Targets seen = walk_targets(known->domain);
  bool looked = false;
  for (std::size_t i = 0; i < seen.count && i < known->names_seen && !looked; ++i)
    looked = target_at(known->domain, seen, i) == target;
  if (!looked) return std::nullopt;
  for (const FoundRecord& found : known->records)
    if (found.domain == target) return found.record;
  return RecordPtr();
}

}  // namespace

RecordPtr single_record(const dns::Answer& answer) {
  RecordPtr only;
  unsigned found = 0;
  for (const dns::Txt& txt : answer.txt) {
    std::string scratch;
    std::string_view text = txt.text(scratch);
    if (!is_dmarc_record(text)) continue;
    if (++found > 1) return nullptr;
    auto parsed = parsed_records().get(text, [](std::string_view t) { return parse_record(t); });
    if (*parsed) only = RecordPtr(parsed, &**parsed);  // shares the cache entry, no copy
  }
  return only;
}

core::Task<TreeWalk> tree_walk(dns::Resolver& resolver, std::string domain) {
  return dns::detail::start_attempts<TreeWalk>(
      resolver, [domain = std::move(domain)](dns::detail::Attempt& dns) {
        return detail::tree_walk_now(dns, domain, nullptr);
      });
}

core::Task<TreeWalk> tree_walk(dns::Resolver& resolver, std::string domain, const TreeWalk& known) {
  return dns::detail::start_attempts<TreeWalk>(
      resolver, [domain = std::move(domain), &known](dns::detail::Attempt& dns) {
        return detail::tree_walk_now(dns, domain, &known);
      });
}

std::string organizational_domain(const std::string& domain, const TreeWalk& walk) {
  // A walk knows where it started, in normal form; a hand-made one may not.
  std::string lowered;
  std::string_view start = walk.domain;
  if (start.empty()) start = lowered = core::to_lower_ascii(core::strip_trailing_dot(domain));
  for (const FoundRecord& found : walk.records) {
    if (found.record->psd == PsdFlag::no) return found.domain;
    if (found.record->psd == PsdFlag::yes && found.domain != start) {
      // One label below the public suffix domain, on the way to the start.
      std::size_t labels = core::label_count(found.domain) + 1;
      std::vector<std::string_view> all = core::split_labels(start);
      std::string org;
      for (std::size_t i = all.size() - labels; i < all.size(); ++i)
        org += (org.empty() ? "" : ".") + std::string(all[i]);
      return org;
    }
  }
  if (!walk.records.empty()) return walk.records.back().domain;
  return std::string(start);
}

core::Task<Discovery> discover_policy(dns::Resolver& resolver, std::string author_domain) {
  return dns::detail::start_attempts<Discovery>(
      resolver, [author = std::move(author_domain)](dns::detail::Attempt& dns) {
        return detail::discover_now(dns, author, DiscoveryMode::tree_walk);
      });
}

namespace detail {

std::optional<TreeWalk> tree_walk_now(dns::detail::Attempt& dns, std::string_view domain,
                                      const TreeWalk* known) {
  TreeWalk walk;
  walk.domain = core::to_lower_ascii(core::strip_trailing_dot(domain));
  Targets targets = walk_targets(walk.domain);
  for (std::size_t i = 0; i < targets.count; ++i) {
    std::string_view target = target_at(walk.domain, targets, i);
    RecordPtr only;
    if (auto seen = known_answer(known, target)) {
      only = std::move(*seen);
    } else {
      ++walk.queries;
      // Built on the stack, not on the heap, when the target is no longer than a domain name
      // (as it is unless a caller passed a name no DNS can carry).
      constexpr std::string_view prefix = "_dmarc.";
      std::array<char, prefix.size() + core::max_domain_length> buffer;
      std::string long_name;
      std::string_view name;
      if (target.size() <= core::max_domain_length) {
        std::copy(prefix.begin(), prefix.end(), buffer.begin());
        std::copy(target.begin(), target.end(), buffer.begin() + prefix.size());
        name = std::string_view(buffer.data(), prefix.size() + target.size());
      } else {
        long_name = std::string(prefix) + std::string(target);
        name = long_name;
      }
      const dns::Answer* answer = dns.need(name, dns::Type::txt);
      if (answer == nullptr) return std::nullopt;
      if (answer->is_error()) {
        walk.temperror = true;
        walk.detail =
            fmt::format("{} looking up _dmarc.{} TXT", dns::to_string(answer->status), target);
        return walk;
      }
      only = single_record(*answer);
    }
    ++walk.names_seen;
    if (!only) continue;
    bool stop = only->psd != PsdFlag::unknown;
    walk.records.push_back(FoundRecord{std::string(target), std::move(only)});
    if (stop) break;
  }
  return walk;
}

std::optional<Discovery> discover_by_walk_now(dns::detail::Attempt& dns,
                                              std::string_view author_domain) {
  std::optional<TreeWalk> walk = tree_walk_now(dns, author_domain, nullptr);
  if (!walk) return std::nullopt;
  Discovery out;
  out.walk = std::move(*walk);
  const std::string& author = out.walk.domain;
  out.temperror = out.walk.temperror;
  out.detail = out.walk.detail;
  out.organizational_domain = organizational_domain(author, out.walk);
  const FoundRecord* psd = nullptr;
  for (const FoundRecord& found : out.walk.records) {
    if (found.domain == author || found.domain == out.organizational_domain) {
      out.policy = found;
      break;
    }
    if (found.record->psd == PsdFlag::yes) psd = &found;
  }
  if (!out.policy && psd != nullptr) out.policy = *psd;
  return out;
}

}  // namespace detail
}  // namespace hallmark::dmarc
