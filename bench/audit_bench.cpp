// SPDX-License-Identifier: Apache-2.0
// The domain audit: CPU time per audit of a domain whose SPF policy needs 12 lookups three
// levels deep (tests/audit/zones/), and, on simulated DNS time where every answer comes 100 ms
// after its lookup, the time the audit takes (`dns_ms`) against the lookups it makes
// (`lookups`): the longest chain of dependent lookups, not their number.
#include <benchmark/benchmark.h>

#include <chrono>
#include <string>

#include "hallmark/audit/audit.hpp"
#include "hallmark/core/sync_wait.hpp"
#include "hallmark/dns/zone_resolver.hpp"
#include "support/simulated_resolver.hpp"

namespace {

using namespace hallmark;

dns::ZoneResolver& fixtures() {
  static dns::ZoneResolver* zone = [] {
    auto* z = new dns::ZoneResolver();
    for (const char* file : {"spf.zone", "dkim.zone", "dmarc.zone", "mail.zone"}) {
      core::Expected<void> loaded =
          z->load_file(std::string(HALLMARK_SOURCE_DIR "/tests/audit/zones/") + file);
      if (!loaded) std::abort();
    }
    return z;
  }();
  return *zone;
}

void BM_AuditDomain(benchmark::State& state) {
  double dns_ms = 0;
  double lookups = 0;
  for (auto _ : state) {
    test_support::SimulatedResolver simulated(fixtures(), std::chrono::milliseconds(100));
    auto report =
        core::sync_wait(audit::audit_domain(simulated, "twelve.audit.test"), simulated.pump());
    if (!report) state.SkipWithError("the audit failed");
    benchmark::DoNotOptimize(report);
    dns_ms = static_cast<double>(simulated.elapsed().count());
    lookups = static_cast<double>(simulated.lookups());
  }
  state.counters["dns_ms"] = dns_ms;
  state.counters["lookups"] = lookups;
}
BENCHMARK(BM_AuditDomain)->Unit(benchmark::kMicrosecond);

}  // namespace
