// SPDX-License-Identifier: Apache-2.0
// The SPF part of the audit. The include/redirect tree is the SPF evaluator's own trace of a
// check_host() for an address no policy lists, with the limits raised so the whole tree is
// seen and counted; the audit then compares the counts with RFC 7208 4.6.4's limits itself.
// Each node's record is read again through a cache (no second query) and parsed by the SPF
// parser for risky terms.
#include <algorithm>
#include <array>
#include <cctype>
#include <optional>
#include <set>
#include <span>

#include <fmt/format.h>

#include "audit/internal/findings.hpp"
#include "hallmark/audit/audit.hpp"
#include "hallmark/core/header_text.hpp"
#include "hallmark/core/when_all.hpp"
#include "hallmark/dns/caching_resolver.hpp"
#include "hallmark/spf/evaluate.hpp"
#include "hallmark/spf/record.hpp"

namespace hallmark::audit {

namespace {

using detail::add;

// RFC 7208 4.6.4.
constexpr unsigned lookup_limit = 10;
constexpr unsigned void_limit = 2;
// How far the audit walks past the limits: enough to count the largest real trees, and a
// bound on a loop (a redirect chain back to itself).
constexpr unsigned walk_lookup_cap = 60;
// RFC 7208 4.6.4: exchanges of one mx term.
constexpr std::size_t max_mx_exchanges = 10;
// Past these, an a: or mx term lets so many hosts send that it is worth a second look (a
// cloud load balancer's name, an outsourced MX farm).
constexpr std::size_t many_addresses = 8;
constexpr std::size_t many_mx_hosts = 5;
// RFC 7208 3.4: a record that keeps the answer within 512 octets of UDP.
constexpr std::size_t record_size_advice = 450;
// An address no real policy lists (the first of IPv4's "this network" block), so check_host()
// walks every term it can reach.
constexpr std::array<std::uint8_t, 4> walk_address = {0, 0, 0, 1};

std::string_view without_qualifier(std::string_view term) {
  if (!term.empty() && (term[0] == '+' || term[0] == '-' || term[0] == '~' || term[0] == '?'))
    term.remove_prefix(1);
  return term;
}

bool starts_with_word(std::string_view term, std::string_view word) {
  if (term.size() < word.size()) return false;
  for (std::size_t i = 0; i < word.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(term[i])) != word[i]) return false;
  return term.size() == word.size() || term[word.size()] == ':' || term[word.size()] == '/' ||
         term[word.size()] == '=';
}

bool is_include(std::string_view term) {
  return starts_with_word(without_qualifier(term), "include");
}
bool is_redirect(std::string_view term) { return starts_with_word(term, "redirect"); }

// RFC 7208 4.6.4: the terms that count against the limit of 10.
unsigned term_cost(std::string_view term) {
  if (is_redirect(term)) return 1;
  std::string_view bare = without_qualifier(term);
  for (std::string_view word : {"include", "a", "mx", "ptr", "exists"})
    if (starts_with_word(bare, word)) return 1;
  return 0;
}

std::string target_of(std::string_view term) {
  std::size_t at = term.find_first_of(":=");
  return at == std::string_view::npos ? std::string() : std::string(term.substr(at + 1));
}

struct Walk {
  unsigned running = 0;
  bool loop = false;
  std::vector<std::string> ancestors;
};

// The record at `depth` evaluated by the trace entries in `entries`: its own terms are those
// at `depth`; an include's subtree precedes its own entry (the evaluator records it once the
// included record is done), a redirect's follows it.
void build_node(std::span<const spf::TraceEntry> entries, unsigned depth, SpfNode& node,
                Walk& walk) {
  std::size_t child_start = 0;
  for (std::size_t i = 0; i < entries.size(); ++i) {
    const spf::TraceEntry& entry = entries[i];
    if (entry.depth != depth) continue;
    if (node.domain.empty()) node.domain = entry.domain;
    unsigned cost = term_cost(entry.term);
    node.dns_lookups += cost;
    walk.running += cost;
    if (entry.note == "void lookup") ++node.void_lookups;
    bool include = is_include(entry.term);
    bool redirect = !include && is_redirect(entry.term);
    if (!include && !redirect) {
      child_start = i + 1;
      continue;
    }
    SpfNode child;
    child.via = entry.term;
    child.domain = target_of(entry.term);
    std::span<const spf::TraceEntry> below =
        include ? entries.subspan(child_start, i - child_start) : entries.subspan(i + 1);
    if (std::find(walk.ancestors.begin(), walk.ancestors.end(), child.domain) !=
        walk.ancestors.end()) {
      walk.loop = true;
      child.error = fmt::format("loop: {} is already above it in the tree", child.domain);
    } else if (below.empty()) {
      // Nothing was evaluated there: the evaluator's note says why.
      if (!entry.note.empty() && !entry.note.starts_with("->")) child.error = entry.note;
    } else {
      walk.ancestors.push_back(child.domain);
      build_node(below, depth + 1, child, walk);
      walk.ancestors.pop_back();
    }
    if (child.running_total == 0) child.running_total = walk.running;
    node.children.push_back(std::move(child));
    child_start = i + 1;
    if (redirect) break;
  }
  node.running_total = walk.running;
}

void collect_nodes(SpfNode& node, std::vector<SpfNode*>& out) {
  out.push_back(&node);
  for (SpfNode& child : node.children) collect_nodes(child, out);
}

// The SPF records published at `domain`, as text.
core::Task<std::pair<dns::AnswerPtr, std::vector<std::string>>> spf_records(dns::Resolver& resolver,
                                                                            std::string domain) {
  dns::AnswerPtr answer = co_await dns::lookup(resolver, std::move(domain), dns::Type::txt);
  std::vector<std::string> records;
  for (const dns::Txt& txt : answer->txt) {
    std::string text = txt.text();
    if (spf::is_spf_record(text)) records.push_back(std::move(text));
  }
  co_return std::pair{answer, std::move(records)};
}

// Risky terms of one record (RFC 7208 5 and 10).
void check_terms(const SpfNode& node, const spf::Record& record, bool top,
                 std::vector<Finding>& findings) {
  std::string where = core::echoed(node.domain);
  bool has_all = false;
  for (const spf::Mechanism& mechanism : record.mechanisms) {
    if (mechanism.kind == spf::MechanismKind::all) {
      has_all = true;
      if (mechanism.qualifier == spf::Qualifier::pass)
        add(findings, Severity::error, "SPF_PASS_ALL",
            fmt::format("{}'s SPF record ends in +all: every host on the Internet may send as it",
                        where),
            "End the record with -all (or ~all while you check that every sender is listed)");
      else if (mechanism.qualifier == spf::Qualifier::neutral && top)
        add(findings, Severity::warning, "SPF_NEUTRAL_ALL",
            fmt::format("{}'s SPF record ends in ?all: it asserts nothing about other hosts",
                        where),
            "End the record with -all, or ~all while rolling out");
    }
    if (mechanism.kind == spf::MechanismKind::ptr)
      add(findings, Severity::warning, "SPF_PTR",
          fmt::format("{}'s SPF record uses ptr, which RFC 7208 5.5 says not to use: it is slow "
                      "and many receivers skip it",
                      where),
          "List the senders' addresses with ip4:/ip6: or a: instead");
  }
  if (top && !has_all && !record.redirect)
    add(findings, Severity::warning, "SPF_NO_ALL",
        fmt::format("{}'s SPF record has no 'all' and no redirect: hosts it does not list get "
                    "neutral, as if there were no policy for them",
                    where),
        "End the record with -all (or ~all while rolling out)");
}

// An a: or mx term, and the size of what it authorises.
struct HostTerm {
  std::string term;  // as written, for the message
  std::string name;
  bool mx = false;
};

// How many addresses an a: term's name has (A and AAAA), or how many exchanges an mx term's.
core::Task<std::size_t> count_authorised(dns::Resolver& resolver, HostTerm host) {
  if (host.mx) {
    dns::AnswerPtr mx = co_await dns::lookup(resolver, host.name, dns::Type::mx);
    co_return mx->mx.size();
  }
  auto [v4, v6] = co_await core::when_all(dns::resolve(resolver, host.name, dns::Type::a),
                                          dns::resolve(resolver, host.name, dns::Type::aaaa));
  co_return v4->addresses.size() + v6->addresses.size();
}

void collect_host_terms(const SpfNode& node, const spf::Record& record,
                        std::vector<HostTerm>& out) {
  for (const spf::Mechanism& mechanism : record.mechanisms) {
    bool mx = mechanism.kind == spf::MechanismKind::mx;
    if (!mx && mechanism.kind != spf::MechanismKind::a) continue;
    // A name built by macros depends on the sender: nothing to count ahead of time.
    if (mechanism.domain.has_macros()) continue;
    std::string name = mechanism.domain.empty() ? node.domain : mechanism.domain.text;
    out.push_back({spf::to_string(mechanism), std::move(name), mx});
  }
}

// What the prefetch has seen: names asked for once, and a bound on records for a loop or a
// hostile tree.
struct Prefetch {
  bool want_v6 = false;
  std::set<std::string> records_seen;
};

core::Task<std::size_t> prefetch_record(dns::Resolver& resolver, std::string domain,
                                        Prefetch& state);

core::Task<std::size_t> prefetch_addresses(dns::Resolver& resolver, std::string name,
                                           bool want_v6) {
  if (!want_v6) {
    co_await dns::resolve(resolver, std::move(name), dns::Type::a);
    co_return 0;
  }
  co_await core::when_all(dns::resolve(resolver, name, dns::Type::a),
                          dns::resolve(resolver, name, dns::Type::aaaa));
  co_return 0;
}

core::Task<std::size_t> prefetch_mx(dns::Resolver& resolver, std::string name, bool want_v6) {
  dns::AnswerPtr mx = co_await dns::lookup(resolver, std::move(name), dns::Type::mx);
  std::vector<core::Task<std::size_t>> hosts;
  for (const dns::Mx& exchange : mx->mx) {
    if (hosts.size() == max_mx_exchanges) break;
    hosts.push_back(prefetch_addresses(resolver, exchange.exchange, want_v6));
  }
  co_await core::when_all(std::move(hosts));
  co_return 0;
}

// Asks, level by level and all at once within a level, for what check_host() will ask one term
// after another: the records of includes and redirects and the names of a, mx and exists
// terms (those without macros). The walk then runs on cached answers, and the audit takes the
// time of the tree's depth rather than of its number of lookups. Nothing is evaluated here.
core::Task<std::size_t> prefetch_record(dns::Resolver& resolver, std::string domain,
                                        Prefetch& state) {
  if (state.records_seen.size() >= walk_lookup_cap || !state.records_seen.insert(domain).second)
    co_return 0;
  dns::AnswerPtr answer = co_await dns::lookup(resolver, domain, dns::Type::txt);
  std::optional<spf::Record> record;
  for (const dns::Txt& txt : answer->txt) {
    std::string text = txt.text();
    if (!spf::is_spf_record(text)) continue;
    if (record) co_return 0;  // several records: check_host stops at once
    core::Expected<spf::Record> parsed = spf::parse_record(text);
    if (!parsed) co_return 0;
    record = std::move(*parsed);
  }
  if (!record) co_return 0;
  std::vector<core::Task<std::size_t>> next;
  for (const spf::Mechanism& mechanism : record->mechanisms) {
    if (mechanism.domain.has_macros()) continue;
    std::string name = mechanism.domain.empty() ? domain : mechanism.domain.text;
    switch (mechanism.kind) {
      case spf::MechanismKind::include:
        next.push_back(prefetch_record(resolver, std::move(name), state));
        break;
      case spf::MechanismKind::a:
        // Both families: the audit counts what an a: term authorises (SPF_MANY_ADDRESSES).
        next.push_back(prefetch_addresses(resolver, std::move(name), true));
        break;
      case spf::MechanismKind::mx:
        next.push_back(prefetch_mx(resolver, std::move(name), state.want_v6));
        break;
      case spf::MechanismKind::exists:
        next.push_back(prefetch_addresses(resolver, std::move(name), false));
        break;
      default: break;
    }
  }
  if (record->redirect && !record->redirect->has_macros())
    next.push_back(prefetch_record(resolver, record->redirect->text, state));
  co_await core::when_all(std::move(next));
  co_return 0;
}

}  // namespace

core::Task<SpfAudit> audit_spf(dns::Resolver& upstream, std::string domain,
                               std::vector<core::IpAddress> ips) {
  // The walk and the checks of each address read the same records: one query each.
  dns::CachingResolver resolver(upstream);
  SpfAudit audit;
  std::vector<Finding>& findings = audit.findings;

  spf::Options walk_options;
  walk_options.trace = true;
  walk_options.max_trace_entries = 5000;
  walk_options.max_dns_mechanisms = walk_lookup_cap;
  walk_options.max_void_lookups = walk_lookup_cap;
  walk_options.fetch_explanation = false;
  auto input = [&](core::IpAddress ip) {
    spf::CheckHostInput in;
    in.ip = ip;
    in.domain = domain;
    in.sender = "postmaster@" + domain;
    in.helo = domain;
    return in;
  };
  Prefetch prefetch;
  prefetch.want_v6 =
      std::any_of(ips.begin(), ips.end(), [](const core::IpAddress& ip) { return ip.is_v6(); });
  co_await prefetch_record(resolver, domain, prefetch);

  std::vector<core::Task<spf::Result>> checks;
  checks.push_back(
      spf::check_host(resolver, input(core::IpAddress::v4(walk_address)), walk_options));
  spf::Options ip_options;
  ip_options.fetch_explanation = false;
  for (const core::IpAddress& ip : ips)
    checks.push_back(spf::check_host(resolver, input(ip), ip_options));
  auto [top, results] =
      co_await core::when_all(spf_records(resolver, domain), core::when_all(std::move(checks)));

  const auto& [answer, records] = top;
  std::string name = core::echoed(domain);
  if (answer->is_error()) {
    add(findings, Severity::warning, "SPF_LOOKUP_FAILED",
        fmt::format("the TXT lookup of {} failed: {}", name, dns::to_string(answer->status)));
    co_return audit;
  }
  if (records.empty()) {
    add(findings, Severity::error, "SPF_MISSING", fmt::format("{} has no SPF record", name),
        fmt::format("Publish {} TXT \"v=spf1 mx -all\" listing every host that sends its mail",
                    name));
    co_return audit;
  }
  audit.found = true;
  if (records.size() > 1)
    add(findings, Severity::error, "SPF_MULTIPLE_RECORDS",
        fmt::format("{} publishes {} SPF records; receivers treat that as a permanent error", name,
                    records.size()),
        "Merge them into one TXT record starting with v=spf1");

  // The tree, from the walk's trace.
  const spf::Result& walk = results.front();
  Walk state;
  state.ancestors.push_back(domain);
  audit.tree.domain = domain;
  build_node(walk.trace, 0, audit.tree, state);
  audit.total_lookups = walk.dns_lookups;
  audit.void_lookups = walk.void_lookups;

  // Each node's record as published, and its own problems.
  std::vector<SpfNode*> nodes;
  collect_nodes(audit.tree, nodes);
  std::vector<HostTerm> host_terms;
  std::vector<core::Task<std::pair<dns::AnswerPtr, std::vector<std::string>>>> fetches;
  for (SpfNode* node : nodes) fetches.push_back(spf_records(resolver, node->domain));
  auto published = co_await core::when_all(std::move(fetches));
  for (std::size_t i = 0; i < nodes.size(); ++i) {
    SpfNode& node = *nodes[i];
    const auto& [node_answer, node_records] = published[i];
    if (node_records.size() != 1) {
      if (node.error.empty() && node_records.empty() && !node.via.empty())
        node.error = node_answer->is_error() ? std::string(dns::to_string(node_answer->status))
                                             : "no SPF record";
      if (node_records.empty()) continue;
    }
    node.record = node_records.front();
    if (node.record.size() > record_size_advice)
      add(findings, Severity::warning, "SPF_RECORD_TOO_LONG",
          fmt::format("{}'s SPF record is {} octets, over the {} RFC 7208 3.4 advises to keep "
                      "answers within 512 octets of UDP",
                      core::echoed(node.domain), node.record.size(), record_size_advice),
          "Move some terms into an included record");
    core::Expected<spf::Record> parsed = spf::parse_record(node.record);
    if (!parsed) {
      add(findings, Severity::error, "SPF_SYNTAX",
          fmt::format("{}'s SPF record does not parse: {}", core::echoed(node.domain),
                      parsed.error().message),
          "Fix the record's syntax (RFC 7208 12)");
      continue;
    }
    check_terms(node, *parsed, &node == &audit.tree, findings);
    collect_host_terms(node, *parsed, host_terms);
  }
  // What each a: and mx term lets send (RFC 7208 4.6.4 caps mx at 10 exchanges).
  std::vector<core::Task<std::size_t>> counts;
  for (const HostTerm& host : host_terms) counts.push_back(count_authorised(resolver, host));
  std::vector<std::size_t> sizes = co_await core::when_all(std::move(counts));
  for (std::size_t i = 0; i < host_terms.size(); ++i) {
    const HostTerm& host = host_terms[i];
    if (host.mx && sizes[i] > max_mx_exchanges)
      add(findings, Severity::error, "SPF_MX_TOO_MANY",
          fmt::format("{} names {} with {} MX hosts, more than the {} RFC 7208 4.6.4 allows: "
                      "receivers answer permerror",
                      core::echoed(host.term), core::echoed(host.name), sizes[i], max_mx_exchanges),
          "List the sending hosts with a: or ip4:/ip6: instead of mx");
    else if (host.mx ? sizes[i] > many_mx_hosts : sizes[i] > many_addresses)
      add(findings, Severity::warning, "SPF_MANY_ADDRESSES",
          fmt::format("{} authorises every address of {} {}: check that every one of them may "
                      "send your mail",
                      core::echoed(host.term), sizes[i], host.mx ? "MX hosts" : "addresses"),
          "Name only the hosts that send mail, or list their addresses with ip4:/ip6:");
  }
  for (SpfNode* node : nodes)
    if (!node->via.empty() && !node->error.empty() && !state.loop)
      add(findings, Severity::error, "SPF_INCLUDE_BROKEN",
          fmt::format("{} of {}: {}", core::echoed(node->via), name, core::echoed(node->error)),
          "Fix or remove that term: receivers stop at it with a permanent or temporary error");

  // The limits of RFC 7208 4.6.4, counted over the whole tree.
  if (state.loop) {
    add(findings, Severity::error, "SPF_LOOP",
        fmt::format("{}'s SPF policy includes or redirects to itself", name),
        "Remove the include or redirect that leads back to a record above it");
  } else if (audit.total_lookups > lookup_limit) {
    add(findings, Severity::error, "SPF_TOO_MANY_LOOKUPS",
        fmt::format("{}'s SPF policy needs {} DNS-querying terms, more than the {} RFC 7208 "
                    "4.6.4 allows: receivers answer permerror",
                    name, audit.total_lookups, lookup_limit),
        "Replace includes by the ip4:/ip6: ranges they stand for, or drop senders you no "
        "longer use");
  } else if (audit.total_lookups + 1 >= lookup_limit) {
    add(findings, Severity::warning, "SPF_LOOKUPS_NEAR_LIMIT",
        fmt::format("{}'s SPF policy needs {} of the {} DNS-querying terms allowed", name,
                    audit.total_lookups, lookup_limit),
        "Keep room: a provider adding one include to its record breaks yours");
  } else {
    add(findings, Severity::ok, "SPF_LOOKUPS_OK",
        fmt::format("{}'s SPF policy needs {} of the {} DNS-querying terms allowed", name,
                    audit.total_lookups, lookup_limit));
  }
  if (audit.void_lookups > void_limit)
    add(findings, Severity::error, "SPF_TOO_MANY_VOID_LOOKUPS",
        fmt::format("{}'s SPF policy makes {} lookups that find nothing, more than the {} RFC "
                    "7208 4.6.4 allows: receivers answer permerror",
                    name, audit.void_lookups, void_limit),
        "Remove the terms naming hosts or domains that no longer exist");
  else if (audit.void_lookups > 0)
    add(findings, Severity::warning, "SPF_VOID_LOOKUPS",
        fmt::format("{}'s SPF policy makes {} lookup(s) that find nothing", name,
                    audit.void_lookups),
        "Remove the terms naming hosts or domains that no longer exist");
  if (walk.outcome == spf::Outcome::temperror)
    add(findings, Severity::warning, "SPF_LOOKUP_FAILED",
        fmt::format("a lookup of {}'s SPF policy failed: {}", name, core::echoed(walk.reason)));

  // The domain's own mail servers.
  for (std::size_t i = 0; i < ips.size(); ++i) {
    const spf::Result& result = results[i + 1];
    IpCheck check;
    check.ip = ips[i];
    check.outcome = result.outcome;
    check.term = result.mechanism;
    std::string ip = ips[i].to_string();
    if (result.outcome == spf::Outcome::pass)
      add(findings, Severity::ok, "SPF_IP_AUTHORISED",
          fmt::format("{} may send for {} ({})", ip, name, core::echoed(result.reason)));
    else if (result.outcome == spf::Outcome::temperror || result.outcome == spf::Outcome::permerror)
      add(findings, Severity::error, "SPF_IP_ERROR",
          fmt::format("{} for {}: {} ({})", ip, name, spf::to_string(result.outcome),
                      core::echoed(result.reason)));
    else
      add(findings, Severity::error, "SPF_IP_NOT_AUTHORISED",
          fmt::format("{} is not authorised to send for {}: SPF gives {}", ip, name,
                      spf::to_string(result.outcome)),
          fmt::format("Add {}:{} to {}'s SPF record", ips[i].is_v4() ? "ip4" : "ip6", ip, name));
    audit.ips.push_back(std::move(check));
  }
  co_return audit;
}

}  // namespace hallmark::audit
