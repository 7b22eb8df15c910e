// SPDX-License-Identifier: Apache-2.0
// DMARC evaluate() throughput on the policies of bench/dmarc_fixture.hpp: through a warm
// CachingResolver, over the in-memory ZoneResolver alone, and with PSL discovery for one case.
#include <benchmark/benchmark.h>

#include <cstdint>
#include <string>

#include "dmarc_fixture.hpp"
#include "allocation_counter.hpp"
#include "hallmark/core/sync_wait.hpp"
#include "hallmark/dmarc/evaluate.hpp"
#include "hallmark/dns/caching_resolver.hpp"

namespace {

using namespace hallmark;
using hallmark_bench::DmarcCase;

dns::ZoneResolver& zone() { return hallmark_bench::shared_dmarc_dns().zone; }
dns::CachingResolver& cache() { return hallmark_bench::shared_dmarc_dns().cache; }

// The author domain and identifiers are built per call, as an MTA builds them per message.
dmarc::Result evaluate(dns::Resolver& resolver, const DmarcCase& c, const dmarc::Options& options) {
  return core::sync_wait(dmarc::evaluate(resolver, std::string(c.author_domain),
                                         hallmark_bench::dmarc_identifiers(c), options),
                         resolver.pump());
}

// DNS lookups of one evaluation, read off the shared cache's counters; all of them are hits
// once it is warm, so this is what sets the cases apart.
std::uint64_t lookups_per_evaluation(const DmarcCase& c, const dmarc::Options& options) {
  auto total = [](const dns::CachingResolver::Stats& s) { return s.hits + s.misses + s.coalesced; };
  std::uint64_t before = total(cache().stats());
  evaluate(cache(), c, options);
  return total(cache().stats()) - before;
}

void evaluate_case(benchmark::State& state, dns::Resolver& resolver, const DmarcCase& c,
                   dmarc::DiscoveryMode discovery) {
  const dmarc::Options options = hallmark_bench::dmarc_options(discovery);
  // Also warms the cache before the timed loop.
  std::string mismatch = hallmark_bench::dmarc_mismatch(c, evaluate(resolver, c, options));
  if (!mismatch.empty()) {
    state.SkipWithError(mismatch.c_str());
    return;
  }
  for (auto _ : state) {
    dmarc::Result result = evaluate(resolver, c, options);
    benchmark::DoNotOptimize(result);
  }
  state.SetItemsProcessed(state.iterations());
  // Read off shared counters: only meaningful with no other thread evaluating.
  if (state.threads() == 1) {
    state.counters["lookups"] = static_cast<double>(lookups_per_evaluation(c, options));
    // Heap allocations of the library in one more evaluation, warm: the caller's author
    // domain and identifiers (built per message in the timed loop) are built before counting.
    const std::string author(c.author_domain);
    const dmarc::Identifiers ids = hallmark_bench::dmarc_identifiers(c);
    const std::uint64_t before = hallmark_bench::allocations_so_far();
    benchmark::DoNotOptimize(
        core::sync_wait(dmarc::evaluate(resolver, author, ids, options), resolver.pump()));
    state.counters["allocs"] = static_cast<double>(hallmark_bench::allocations_so_far() - before);
  }
}

// Registered by hand so each case gets the plain name the reports use
// (BM_Evaluate_WarmCache_FailReject), not BENCHMARK_CAPTURE's "fn/arg".
[[maybe_unused]] const bool registered = [] {
  for (const DmarcCase& c : hallmark_bench::dmarc_cases) {
    std::string suffix(c.name);
    benchmark::RegisterBenchmark(
        ("BM_Evaluate_WarmCache_" + suffix).c_str(), [&c](benchmark::State& state) {
          evaluate_case(state, cache(), c, dmarc::DiscoveryMode::tree_walk);
        });
    // One and two threads through the one cache, wall-clock: the scaling of a hit.
    benchmark::RegisterBenchmark(("BM_Evaluate_WarmCache_" + suffix + "_Scaling").c_str(),
                                 [&c](benchmark::State& state) {
                                   evaluate_case(state, cache(), c,
                                                 dmarc::DiscoveryMode::tree_walk);
                                 })
        ->Threads(1)
        ->Threads(2)
        ->UseRealTime();
    benchmark::RegisterBenchmark(("BM_Evaluate_ZoneOnly_" + suffix).c_str(),
                                 [&c](benchmark::State& state) {
                                   evaluate_case(state, zone(), c, dmarc::DiscoveryMode::tree_walk);
                                 });
  }
  // The tree walk (the default) queries every parent up to the TLD where the public suffix
  // list answers from memory: the subdomain case, with the longest walks, shows the gap.
  const DmarcCase& subdomain = hallmark_bench::dmarc_cases[0];
  benchmark::RegisterBenchmark(
      ("BM_Evaluate_WarmCache_" + std::string(subdomain.name) + "_Psl").c_str(),
      [&subdomain](benchmark::State& state) {
        evaluate_case(state, cache(), subdomain, dmarc::DiscoveryMode::psl);
      });
  return true;
}();

}  // namespace
