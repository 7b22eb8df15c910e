// SPDX-License-Identifier: Apache-2.0
// The audit's latency on simulated DNS time (every answer 100 ms after its lookup): it takes the
// time of the longest chain of dependent lookups, not of their number.
#include <gtest/gtest.h>

#include "hallmark/audit/audit.hpp"
#include "hallmark/core/sync_wait.hpp"
#include "hallmark/dns/zone_resolver.hpp"
#include "support/simulated_resolver.hpp"

namespace hallmark::audit {
namespace {

using namespace std::chrono_literals;

struct Rig {
  Rig() {
    for (const char* file : {"spf.zone", "dkim.zone", "dmarc.zone", "mail.zone"}) {
      core::Expected<void> loaded =
          zone.load_file(std::string(HALLMARK_SOURCE_DIR "/tests/audit/zones/") + file);
      if (!loaded) ADD_FAILURE() << loaded.error().message;
    }
  }
  dns::ZoneResolver zone;
  test_support::SimulatedResolver simulated{zone, 100ms};
};

TEST(AuditLatency, SpfTakesTheTreesDepthNotItsLookups) {
  Rig rig;
  SpfAudit audit = core::sync_wait(
      audit_spf(rig.simulated, "twelve.audit.test", {*core::IpAddress::parse("192.0.2.11")}),
      rig.simulated.pump());
  EXPECT_EQ(audit.total_lookups, 12u);
  // The top record, its three includes, then their a: names and the fourth include: three
  // answers one after another, though check_host() asks for 16 names one at a time.
  EXPECT_EQ(rig.simulated.elapsed(), 300ms);
  EXPECT_GE(rig.simulated.lookups(), 16u);
}

TEST(AuditLatency, AWholeAuditTakesItsLongestChain) {
  Rig rig;
  auto report =
      core::sync_wait(audit_domain(rig.simulated, "twelve.audit.test"), rig.simulated.pump());
  ASSERT_TRUE(report);
  // DKIM's probes, DMARC's tree walk and the MX/TLS-RPT/MTA-STS lookups run beside the SPF
  // tree: none of their chains is longer than its three steps.
  EXPECT_EQ(rig.simulated.elapsed(), 300ms);
  EXPECT_GT(rig.simulated.lookups(), 40u);
}

}  // namespace
}  // namespace hallmark::audit
