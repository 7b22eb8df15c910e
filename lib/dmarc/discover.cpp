// SPDX-License-Identifier: Apache-2.0
// The DNS Tree Walk (RFC 9989 4.10), organizational domain selection (4.10.2) and policy
// discovery (4.10.1).
#include "hallmark/dmarc/discover.hpp"

#include <algorithm>

#include <fmt/format.h>

#include "hallmark/core/domain.hpp"

namespace hallmark::dmarc {
namespace {

constexpr std::size_t max_walk_queries = 8;

// The names a walk queries, RFC 9989 4.10 steps 3-7: the start, then (from eight labels or
// more) the last seven labels, then one label fewer each time.
std::vector<std::string> walk_targets(const std::string& domain) {
  std::vector<std::string_view> labels = core::split_labels(domain);
  std::vector<std::string> targets;
  if (labels.empty()) return targets;
  auto join = [&](std::size_t first) {
    std::string name;
    for (std::size_t i = first; i < labels.size(); ++i)
      name += (name.empty() ? "" : ".") + std::string(labels[i]);
    return name;
  };
  targets.push_back(join(0));
  std::size_t first = labels.size() >= 8 ? labels.size() - 7 : 1;
  for (; first < labels.size() && targets.size() < max_walk_queries; ++first)
    targets.push_back(join(first));
  return targets;
}

// What `known` saw at `target`: nullopt when it did not query it, else the record found there
// (itself optional).
std::optional<std::optional<Record>> known_answer(const TreeWalk* known,
                                                  const std::string& target) {
  if (known == nullptr || std::ranges::find(known->queried, target) == known->queried.end())
    return std::nullopt;
  for (const FoundRecord& found : known->records)
    if (found.domain == target) return std::optional<Record>(found.record);
  return std::optional<Record>();
}

core::Task<TreeWalk> walk_with(dns::Resolver& resolver, std::string domain, const TreeWalk* known) {
  TreeWalk walk;
  for (std::string& target : walk_targets(core::to_lower_ascii(core::strip_trailing_dot(domain)))) {
    std::optional<Record> only;
    if (auto seen = known_answer(known, target)) {
      only = std::move(*seen);
    } else {
      ++walk.queries;
      dns::AnswerPtr shared_answer =
          co_await dns::lookup(resolver, "_dmarc." + target, dns::Type::txt);
      const dns::Answer& answer = *shared_answer;
      if (answer.is_error()) {
        walk.temperror = true;
        walk.detail =
            fmt::format("{} looking up _dmarc.{} TXT", dns::to_string(answer.status), target);
        co_return walk;
      }
      only = single_record(answer);
    }
    walk.queried.push_back(target);
    if (!only) continue;
    bool stop = only->psd != PsdFlag::unknown;
    walk.records.push_back(FoundRecord{std::move(target), std::move(*only)});
    if (stop) break;
  }
  co_return walk;
}

}  // namespace

std::optional<Record> single_record(const dns::Answer& answer) {
  std::optional<Record> only;
  unsigned found = 0;
  for (const dns::Txt& txt : answer.txt) {
    std::string text = txt.text();
    if (!is_dmarc_record(text)) continue;
    if (++found > 1) return std::nullopt;
    if (auto record = parse_record(text)) only = std::move(*record);
  }
  return only;
}

core::Task<TreeWalk> tree_walk(dns::Resolver& resolver, std::string domain) {
  return walk_with(resolver, std::move(domain), nullptr);
}

core::Task<TreeWalk> tree_walk(dns::Resolver& resolver, std::string domain, const TreeWalk& known) {
  return walk_with(resolver, std::move(domain), &known);
}

std::string organizational_domain(const std::string& domain, const TreeWalk& walk) {
  std::string start = core::to_lower_ascii(core::strip_trailing_dot(domain));
  for (const FoundRecord& found : walk.records) {
    if (found.record.psd == PsdFlag::no) return found.domain;
    if (found.record.psd == PsdFlag::yes && found.domain != start) {
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
  return start;
}

core::Task<Discovery> discover_policy(dns::Resolver& resolver, std::string author_domain) {
  Discovery out;
  std::string author = core::to_lower_ascii(core::strip_trailing_dot(author_domain));
  out.walk = co_await tree_walk(resolver, author);
  out.temperror = out.walk.temperror;
  out.detail = out.walk.detail;
  out.organizational_domain = organizational_domain(author, out.walk);
  const FoundRecord* psd = nullptr;
  for (const FoundRecord& found : out.walk.records) {
    if (found.domain == author || found.domain == out.organizational_domain) {
      out.policy = found;
      break;
    }
    if (found.record.psd == PsdFlag::yes) psd = &found;
  }
  if (!out.policy && psd != nullptr) out.policy = *psd;
  co_return out;
}

}  // namespace hallmark::dmarc
