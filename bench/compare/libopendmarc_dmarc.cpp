// SPDX-License-Identifier: Apache-2.0
// hallmark against Debian's libopendmarc on the same DMARC records and identifiers
// (bench/dmarc_fixture.hpp): checks both reach the same verdict for each case, times both,
// prints hallmark's rate over libopendmarc's.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "dmarc_fixture.hpp"
#include "hallmark/core/sync_wait.hpp"
#include "hallmark/dmarc/evaluate.hpp"
#include "median_reporter.hpp"

// libopendmarc's header pulls in <resolv.h> and its nameser macros (T_TXT, NOERROR). It comes
// last so they cannot reach into hallmark's headers.
#include <opendmarc/dmarc.h>

#ifndef HALLMARK_PUBLIC_SUFFIX_LIST
#define HALLMARK_PUBLIC_SUFFIX_LIST "/usr/share/publicsuffix/public_suffix_list.dat"
#endif

namespace {

using namespace hallmark;
using hallmark_bench::DmarcCase;

[[noreturn]] void fail(const std::string& message) {
  std::fprintf(stderr, "libopendmarc_dmarc: %s\n", message.c_str());
  std::exit(EXIT_FAILURE);
}

// What both sides must agree on before either is timed.
struct Verdict {
  std::string policy;         // pass, or the policy to enforce: none, quarantine, reject; absent
  std::string policy_tag;     // p or sp
  std::string record_domain;  // where the applied record was published
  std::string rua;            // the authorised rua= URIs, comma-separated

  friend bool operator==(const Verdict&, const Verdict&) = default;
};

std::string describe(const Verdict& v) {
  return v.policy + " (" + v.policy_tag + "= of " + v.record_domain +
         ", rua=" + (v.rua.empty() ? "-" : v.rua) + ")";
}

// ---- hallmark ----------------------------------------------------------------------------

dns::ZoneResolver& zone() { return hallmark_bench::shared_dmarc_dns().zone; }
dns::CachingResolver& cache() { return hallmark_bench::shared_dmarc_dns().cache; }

dmarc::Result hallmark_evaluate(dns::Resolver& resolver, const DmarcCase& c,
                                const dmarc::Options& options) {
  return core::sync_wait(dmarc::evaluate(resolver, std::string(c.author_domain),
                                         hallmark_bench::dmarc_identifiers(c), options),
                         resolver.pump());
}

Verdict verdict_of(const dmarc::Result& r) {
  Verdict v;
  if (r.outcome == dmarc::Outcome::pass) {
    v.policy = "pass";
  } else if (r.outcome == dmarc::Outcome::fail) {
    v.policy = std::string(to_string(r.disposition));
  } else if (r.outcome == dmarc::Outcome::none) {
    v.policy = "absent";
  } else {
    v.policy = std::string(to_string(r.outcome));
  }
  v.policy_tag = r.policy_tag;
  v.record_domain = r.record_domain;
  for (const std::string& uri : r.aggregate_uris) v.rua += (v.rua.empty() ? "" : ",") + uri;
  return v;
}

// ---- libopendmarc ------------------------------------------------------------------------

// libopendmarc's C API takes every string as unsigned char*, even those it only reads.
u_char* c_text(const std::string& text) {
  return reinterpret_cast<u_char*>(const_cast<char*>(text.c_str()));
}

class Libopendmarc {
 public:
  // Its organizational domains come from the public suffix list file, read once here; its DNS
  // answers come from opendmarc_dns_fake_record(), filled from hallmark's parse of the same
  // master text so both sides read identical records. Once that table holds any name, every
  // TXT query is answered from it (NO_DATA for the rest) and none goes to the network.
  Libopendmarc() {
    if (FILE* psl = std::fopen(HALLMARK_PUBLIC_SUFFIX_LIST, "r")) {
      std::fclose(psl);
    } else {
      fail(std::string("cannot read the public suffix list ") + HALLMARK_PUBLIC_SUFFIX_LIST +
           " (Debian: publicsuffix)");
    }
    std::memset(&lib_, 0, sizeof lib_);
    lib_.tld_type = OPENDMARC_TLD_TYPE_MOZILLA;
    std::strncpy(reinterpret_cast<char*>(lib_.tld_source_file), HALLMARK_PUBLIC_SUFFIX_LIST,
                 sizeof lib_.tld_source_file - 1);
    if (int status = opendmarc_policy_library_init(&lib_); status != DMARC_PARSE_OKAY)
      fail("opendmarc_policy_library_init failed: " + std::to_string(status));
    std::size_t records = 0;
    for (const std::string& name :
         hallmark_bench::fixture_owner_names(hallmark_bench::dmarc_zone_text)) {
      dns::Answer answer = zone().answer(name, dns::Type::txt);
      if (!answer.ok() || answer.txt.empty()) continue;
      // The table keeps one answer per name, which is all a DMARC name should have.
      if (answer.txt.size() != 1) fail(name + " needs exactly one TXT record");
      opendmarc_dns_fake_record(name.c_str(), answer.txt.front().text().c_str());
      ++records;
    }
    if (records == 0) fail("the fixture has no TXT records: libopendmarc would query the network");
  }
  ~Libopendmarc() { opendmarc_policy_library_shutdown(&lib_); }
  Libopendmarc(const Libopendmarc&) = delete;
  Libopendmarc& operator=(const Libopendmarc&) = delete;

  // The case as C strings, made once: libopendmarc copies what it keeps.
  struct Message {
    std::string author;
    std::string spf_domain;
    std::string dkim_domain;
  };
  static Message message_for(const DmarcCase& c) {
    return Message{std::string(c.author_domain), std::string(c.spf_domain),
                   std::string(c.dkim_domain)};
  }

  // What opendmarc's milter does per message, in its order: the From domain, the SPF and DKIM
  // results (it reads them from Authentication-Results), the record lookup, the policy to
  // enforce, the tag and domain it came from, and the rua= list, which is where libopendmarc
  // makes the _report._dmarc authorisation lookups. The milter keeps one context per SMTP
  // connection; here each message is a connection of its own.
  Verdict evaluate(const Message& m) const {
    Verdict v;
    DMARC_POLICY_T* ctx = opendmarc_policy_connect_init(c_text(client_ip_), 0);
    if (ctx == nullptr) fail("opendmarc_policy_connect_init failed");
    int status = opendmarc_policy_store_from_domain(ctx, c_text(m.author));
    if (status == DMARC_PARSE_OKAY && !m.spf_domain.empty())
      status = opendmarc_policy_store_spf(ctx, c_text(m.spf_domain), DMARC_POLICY_SPF_OUTCOME_PASS,
                                          DMARC_POLICY_SPF_ORIGIN_MAILFROM, nullptr);
    if (status == DMARC_PARSE_OKAY && !m.dkim_domain.empty())
      status = opendmarc_policy_store_dkim(ctx, c_text(m.dkim_domain), c_text(selector_),
                                           DMARC_POLICY_DKIM_OUTCOME_PASS, nullptr);
    if (status == DMARC_PARSE_OKAY) status = opendmarc_policy_query_dmarc(ctx, c_text(m.author));
    if (status != DMARC_PARSE_OKAY) {
      v.policy = std::string("error: ") + opendmarc_policy_status_to_str(status);
    } else {
      v.policy = policy_name(opendmarc_get_policy_to_enforce(ctx));
      v.policy_tag = opendmarc_get_policy_token_used(ctx) == DMARC_USED_POLICY_IS_SP ? "sp" : "p";
      u_char domain[DMARC_MAXHOSTNAMELEN] = {};
      if (opendmarc_policy_fetch_utilized_domain(ctx, domain, sizeof domain) == DMARC_PARSE_OKAY)
        v.record_domain = reinterpret_cast<const char*>(domain);
      // Only the buffer form holds the authorised URIs: the array returned is the record's
      // list before the check.
      u_char rua[512] = {};
      opendmarc_policy_fetch_rua(ctx, rua, sizeof rua, 1);
      v.rua = reinterpret_cast<const char*>(rua);
      if (v.rua.ends_with(',')) v.rua.pop_back();  // each URI is written with a comma after it
    }
    opendmarc_policy_connect_shutdown(ctx);
    return v;
  }

 private:
  static std::string policy_name(int policy) {
    switch (policy) {
      case DMARC_POLICY_PASS: return "pass";
      case DMARC_POLICY_NONE: return "none";
      case DMARC_POLICY_QUARANTINE: return "quarantine";
      case DMARC_POLICY_REJECT: return "reject";
      case DMARC_POLICY_ABSENT: return "absent";
      default: return "status " + std::to_string(policy);
    }
  }

  OPENDMARC_LIB_T lib_;
  std::string client_ip_ = "192.0.2.99";
  std::string selector_ = "s1";
};

Libopendmarc& libopendmarc() {
  static Libopendmarc peer;
  return peer;
}

// ---- agreement ---------------------------------------------------------------------------

// A rate of an implementation that gives a different answer means nothing, so any
// disagreement, between hallmark's modes, with the fixture's expectation or with
// libopendmarc, stops the run.
bool implementations_agree() {
  bool agree = true;
  for (const DmarcCase& c : hallmark_bench::dmarc_cases) {
    const dmarc::Options psl = hallmark_bench::dmarc_options(dmarc::DiscoveryMode::psl);
    const dmarc::Options walk = hallmark_bench::dmarc_options(dmarc::DiscoveryMode::tree_walk);
    struct Run {
      const char* what;
      dmarc::Result result;
    };
    const Run runs[] = {{"psl, cache", hallmark_evaluate(cache(), c, psl)},
                        {"tree walk, cache", hallmark_evaluate(cache(), c, walk)},
                        {"tree walk, zone", hallmark_evaluate(zone(), c, walk)}};
    Verdict ours = verdict_of(runs[0].result);
    Verdict theirs = libopendmarc().evaluate(Libopendmarc::message_for(c));
    bool same = theirs == ours;
    std::string why;
    for (const Run& run : runs) {
      std::string mismatch = hallmark_bench::dmarc_mismatch(c, run.result);
      if (!mismatch.empty())
        why += std::string("  hallmark (") + run.what + "): " + mismatch + "\n";
      if (verdict_of(run.result) != ours)
        why += std::string("  hallmark (") + run.what +
               ") differs from its PSL mode: " + describe(verdict_of(run.result)) + "\n";
    }
    same = same && why.empty();
    std::printf("%-22s hallmark=%s libopendmarc=%s%s\n", std::string(c.name).c_str(),
                describe(ours).c_str(), describe(theirs).c_str(), same ? "" : "  <-- DISAGREE");
    if (!same) {
      std::fprintf(stderr, "disagreement for %s (From %s):\n%s", std::string(c.name).c_str(),
                   std::string(c.author_domain).c_str(), why.c_str());
      agree = false;
    }
  }
  return agree;
}

// ---- timing ------------------------------------------------------------------------------

void time_hallmark(benchmark::State& state, const DmarcCase& c, dmarc::DiscoveryMode discovery) {
  const dmarc::Options options = hallmark_bench::dmarc_options(discovery);
  for (auto _ : state) {
    dmarc::Result result = hallmark_evaluate(cache(), c, options);
    benchmark::DoNotOptimize(result);
  }
  state.SetItemsProcessed(state.iterations());
}

void time_libopendmarc(benchmark::State& state, const DmarcCase& c) {
  const Libopendmarc::Message message = Libopendmarc::message_for(c);
  for (auto _ : state) {
    Verdict verdict = libopendmarc().evaluate(message);
    benchmark::DoNotOptimize(verdict);
  }
  state.SetItemsProcessed(state.iterations());
}

constexpr std::string_view hallmark_psl_prefix = "BM_Hallmark_WarmCache_Psl_";
constexpr std::string_view hallmark_walk_prefix = "BM_Hallmark_WarmCache_TreeWalk_";
constexpr std::string_view libopendmarc_prefix = "BM_Libopendmarc_FakeDns_";

// Each case's contenders run next to each other, so a noisy spell on the shared machine is
// more likely to hit all of them than one. PSL discovery is what libopendmarc does, so that
// pair is like for like; the tree walk (hallmark's default, RFC 9989) is shown for its cost.
void register_benchmarks() {
  for (const DmarcCase& c : hallmark_bench::dmarc_cases) {
    std::string suffix(c.name);
    benchmark::RegisterBenchmark(
        (std::string(hallmark_psl_prefix) + suffix).c_str(),
        [&c](benchmark::State& state) { time_hallmark(state, c, dmarc::DiscoveryMode::psl); });
    benchmark::RegisterBenchmark((std::string(hallmark_walk_prefix) + suffix).c_str(),
                                 [&c](benchmark::State& state) {
                                   time_hallmark(state, c, dmarc::DiscoveryMode::tree_walk);
                                 });
    benchmark::RegisterBenchmark((std::string(libopendmarc_prefix) + suffix).c_str(),
                                 [&c](benchmark::State& state) { time_libopendmarc(state, c); });
  }
}

void print_ratios(const hallmark_bench::MedianReporter& reporter) {
  std::printf("\n%-22s %10s %10s %12s %8s %8s\n", "case", "psl", "tree walk", "libopendmarc",
              "psl/o", "walk/o");
  for (const DmarcCase& c : hallmark_bench::dmarc_cases) {
    std::string suffix(c.name);
    auto psl_rate = reporter.median(std::string(hallmark_psl_prefix) + suffix);
    auto walk_rate = reporter.median(std::string(hallmark_walk_prefix) + suffix);
    auto their_rate = reporter.median(std::string(libopendmarc_prefix) + suffix);
    auto show = hallmark_bench::show_rate;
    auto ratio = [&](std::optional<double> ours) {
      return hallmark_bench::show_ratio(ours, their_rate);
    };
    std::printf("%-22s %10s %10s %12s %8s %8s\n", suffix.c_str(), show(psl_rate).c_str(),
                show(walk_rate).c_str(), show(their_rate).c_str(), ratio(psl_rate).c_str(),
                ratio(walk_rate).c_str());
  }
  std::printf(
      "(evaluations per second of CPU time; hallmark through a warm CachingResolver with PSL\n"
      " discovery and with the RFC 9989 tree walk; libopendmarc answering from its fake-DNS\n"
      " table with the same public suffix list; x/o = hallmark rate / libopendmarc rate)\n");
}

}  // namespace

int main(int argc, char** argv) {
  return hallmark_bench::compare_main(argc, argv, "libopendmarc", implementations_agree,
                                      register_benchmarks, print_ratios);
}
