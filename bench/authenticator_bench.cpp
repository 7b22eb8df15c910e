// SPDX-License-Identifier: Apache-2.0
// The Authenticator's whole verdict for one message with warm caches, next to the OpenSSL floor
// every DKIM verifier pays for the same message, and the same verdict on one and on two threads
// through one shared Authenticator.
//
// The message: bench/dkim_fixture.hpp's 15-field header and a 20 KB text body, signed once with
// rsa-2048 (relaxed/relaxed) by example.com; SPF for example.com reaches the client 192.0.2.25
// only in the second include (example.com -> _spf1 -> _spf2, ip4 terms at every level); the
// HELO name has an "a" policy; DMARC p=reject at example.com. The resolver is a
// dns::ZoneResolver behind a dns::CachingResolver, and one verdict runs before anything is timed,
// so every DNS answer comes from the cache and the DKIM key from the key cache (checked: the
// caches must not miss in the timed loops).
//
// How to read the table printed after the runs:
//   - verdict / floor: BM_AuthenticatorVerdict's CPU time per message over BM_OpensslFloor's,
//     the floor being what bench/dkim_bench.cpp calls its baseline (bench/dkim_baseline.hpp):
//     SHA-256 over the message's bytes plus one RSA-2048 verification, EVP objects fetched once.
//     Everything above 1.0x is SPF, DMARC, canonicalization, parsing, coroutines and assembling
//     the verdict. Target: at most 1.3x.
//   - 2 threads / 1 thread: the items/s (messages per second of wall-clock time) of
//     BM_AuthenticatorVerdict/real_time/threads:2 over threads:1, both through ONE Authenticator
//     with its shared caches. 2.0x is perfect scaling; target: at least 1.8x. Only meaningful
//     with two otherwise idle cores: on a busy or one-core machine this figure measures the
//     machine, not the library. Two controls run beside it: BM_MachineControl, arithmetic with
//     nothing shared (read the verdict's 2/1 only when this one's is near 2.0), and
//     BM_OpensslFloor on one and two threads (how far the OpenSSL work alone scales here: the
//     verdict cannot scale better than its largest part). The table prints all three, and the
//     load average.
// Both ratios are of medians when run with --benchmark_repetitions.
#include <benchmark/benchmark.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "dkim_baseline.hpp"
#include "dkim_fixture.hpp"
#include "hallmark/authenticator/authenticator.hpp"
#include "hallmark/core/ip.hpp"
#include "hallmark/dkim/key_cache.hpp"
#include "hallmark/dns/caching_resolver.hpp"
#include "hallmark/dns/zone_resolver.hpp"
#include "authenticator_fixture.hpp"
#include "median_reporter.hpp"

namespace {

using namespace hallmark;
using hallmark_bench::dkim_fixture_fail;

constexpr std::uint64_t body_size = 20 << 10;
using hallmark_bench::make_envelope;
using hallmark_bench::make_zone;

// Every protocol passes; a verdict that does not would time another path.
std::optional<std::string> wrong(const authenticator::Verdict& v) {
  if (!v.spf_mail_from || v.spf_mail_from->outcome != spf::Outcome::pass)
    return "SPF (MAIL FROM) does not pass";
  if (!v.spf_helo || v.spf_helo->outcome != spf::Outcome::pass) return "SPF (HELO) does not pass";
  if (v.dkim.size() != 1 || v.dkim[0].outcome != dkim::Outcome::pass)
    return "DKIM does not pass: " + (v.dkim.empty() ? std::string("no result") : v.dkim[0].detail);
  if (v.dmarc.outcome != dmarc::Outcome::pass) return "DMARC does not pass: " + v.dmarc.reason;
  if (!v.limits.empty()) return "a limit was reached: " + v.limits.front().detail;
  return std::nullopt;
}

struct Fixture {
  Fixture()
      : zone(make_zone(hallmark_bench::shared_dkim_keys())),
        cache(zone),
        message(hallmark_bench::dkim_signed_message(
            hallmark_bench::shared_dkim_keys().rsa2048, dkim::Canonicalization::relaxed,
            hallmark_bench::dkim_header(), hallmark_bench::dkim_body(body_size))),
        envelope(make_envelope()),
        floor(hallmark_bench::baseline_for(&hallmark_bench::shared_dkim_keys().rsa2048, body_size,
                                           message)) {
    authenticator::Options options;
    options.authserv_id = "mx1.example.org";
    options.dkim.key_cache = &keys;
    shared = std::make_unique<authenticator::Authenticator>(cache, std::move(options));
    // Warms every cache; the second verdict counts what one message asks of them.
    if (auto problem = wrong(shared->verify_blocking(message, envelope)))
      dkim_fixture_fail("the warm-up verdict is wrong: " + *problem);
    dns::CachingResolver::Stats first = cache.stats();
    if (auto problem = wrong(shared->verify_blocking(message, envelope)))
      dkim_fixture_fail("the second verdict is wrong: " + *problem);
    dns::CachingResolver::Stats second = cache.stats();
    lookups_per_verdict = second.hits + second.misses + second.coalesced - first.hits -
                          first.misses - first.coalesced;
    dns_misses = second.misses;
    key_misses = keys.stats().misses;
    if (dns_misses != first.misses) dkim_fixture_fail("the DNS cache missed once warm");
  }

  dns::ZoneResolver zone;
  dns::CachingResolver cache;
  dkim::KeyCache keys;
  std::string message;
  authenticator::Envelope envelope;
  hallmark_bench::BaselineCase floor;
  std::unique_ptr<authenticator::Authenticator> shared;  // by every thread
  std::uint64_t lookups_per_verdict = 0;
  std::uint64_t dns_misses = 0;
  std::uint64_t key_misses = 0;
};

Fixture& fixture() {
  static Fixture f;
  return f;
}

// ---- the benchmarks --------------------------------------------------------------------------

void BM_AuthenticatorVerdict(benchmark::State& state) {
  Fixture& f = fixture();
  for (auto _ : state) {
    // The host builds an envelope per message too.
    authenticator::Verdict verdict = f.shared->verify_blocking(f.message, f.envelope);
    if (verdict.dmarc.outcome != dmarc::Outcome::pass || verdict.dkim.size() != 1 ||
        verdict.dkim[0].outcome != dkim::Outcome::pass) {
      state.SkipWithError("the verdict changed in the timed loop");
      break;
    }
    benchmark::DoNotOptimize(verdict.score);
  }
  if (state.thread_index() == 0 &&
      (f.cache.stats().misses != f.dns_misses || f.keys.stats().misses != f.key_misses))
    state.SkipWithError("a cache missed in the timed loop");
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * f.message.size()));
}

void BM_OpensslFloor(benchmark::State& state) {
  // A verification context of its own per thread, prepared before the timed loop: OpenSSL does
  // not promise that several threads may copy one at once. The key is shared, as a cached one is.
  hallmark_bench::BaselineCase own = fixture().floor;
  own.rsa_verify = hallmark_bench::prepared_rsa_verify(own.public_key.get());
  hallmark_bench::time_baseline(state, own);
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
}

// The control for the scaling figure: arithmetic in registers, nothing shared, no memory
// traffic. Its own 2-thread/1-thread ratio says how much of a second core the machine gave the
// run; the verdict's ratio is the library's only when this one is near 2.0.
void BM_MachineControl(benchmark::State& state) {
  std::uint64_t x = static_cast<std::uint64_t>(state.thread_index()) + 1;
  for (auto _ : state) {
    for (int i = 0; i < 20000; ++i) {
      x = x * 6364136223846793005ull + 1442695040888963407ull;
      benchmark::DoNotOptimize(x);
    }
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
}

const std::string verdict_name = "BM_AuthenticatorVerdict";
const std::string control_name = "BM_MachineControl";
const std::string floor_name = "BM_OpensslFloor";

void register_benchmarks() {
  // CPU time, one thread: the figure compared with the floor.
  benchmark::RegisterBenchmark(verdict_name.c_str(), BM_AuthenticatorVerdict)
      ->Unit(benchmark::kMicrosecond);
  benchmark::RegisterBenchmark(floor_name.c_str(), BM_OpensslFloor)->Unit(benchmark::kMicrosecond);
  // Wall-clock time, one then two threads through the same Authenticator: the scaling figure.
  benchmark::RegisterBenchmark(verdict_name.c_str(), BM_AuthenticatorVerdict)
      ->Threads(1)
      ->Threads(2)
      ->UseRealTime()
      ->Unit(benchmark::kMicrosecond);
  // The floor on one and two threads: how far the OpenSSL work alone scales on this machine.
  benchmark::RegisterBenchmark(floor_name.c_str(), BM_OpensslFloor)
      ->Threads(1)
      ->Threads(2)
      ->UseRealTime()
      ->Unit(benchmark::kMicrosecond);
  benchmark::RegisterBenchmark(control_name.c_str(), BM_MachineControl)
      ->Threads(1)
      ->Threads(2)
      ->UseRealTime()
      ->Unit(benchmark::kMicrosecond);
}

std::string load_average() {
  std::ifstream in("/proc/loadavg");
  std::string one, five;
  in >> one >> five;
  return in ? one + " " + five : "unknown";
}

void print_ratios(const hallmark_bench::MedianReporter& reporter) {
  constexpr double floor_target = 1.3;
  constexpr double scaling_target = 1.8;
  // Every benchmark reports items/s: of CPU time for the first two, of wall-clock time for the
  // threaded ones (all threads' messages over the elapsed time).
  std::optional<double> verdict_rate = reporter.median(verdict_name);
  std::optional<double> floor_rate = reporter.median(floor_name);
  std::optional<double> one = reporter.median(verdict_name + "/real_time/threads:1");
  std::optional<double> two = reporter.median(verdict_name + "/real_time/threads:2");
  std::optional<double> floor_one = reporter.median(floor_name + "/real_time/threads:1");
  std::optional<double> floor_two = reporter.median(floor_name + "/real_time/threads:2");
  std::optional<double> control_one = reporter.median(control_name + "/real_time/threads:1");
  std::optional<double> control_two = reporter.median(control_name + "/real_time/threads:2");
  const Fixture& f = fixture();

  std::printf(
      "\nmessage: %zu octets (20 KB body), 1 rsa-2048 DKIM signature, SPF 2 includes deep "
      "+ HELO, DMARC; %llu cache lookups per verdict, all hits\n",
      f.message.size(), static_cast<unsigned long long>(f.lookups_per_verdict));
  if (verdict_rate && floor_rate) {
    double ratio = *floor_rate / *verdict_rate;  // time ratio = inverse rate ratio
    std::printf(
        "verdict %10.2f us   floor %10.2f us   verdict/floor %6.3fx  (target <= %.1fx: %s)\n",
        1e6 / *verdict_rate, 1e6 / *floor_rate, ratio, floor_target,
        ratio <= floor_target ? "met" : "NOT met");
  } else {
    std::printf("verdict/floor: a benchmark did not run\n");
  }
  if (one && two) {
    double ratio = *two / *one;
    std::printf(
        "1 thread %10.0f msg/s   2 threads %10.0f msg/s   2/1 %6.3fx  (target >= %.1fx: "
        "%s)\n",
        *one, *two, ratio, scaling_target, ratio >= scaling_target ? "met" : "NOT met");
  } else {
    std::printf("2/1 threads: a benchmark did not run\n");
  }
  if (floor_one && floor_two)
    std::printf("floor control   2/1 %6.3fx (the OpenSSL work alone, same threads)\n",
                *floor_two / *floor_one);
  if (control_one && control_two)
    std::printf(
        "machine control 2/1 %6.3fx (pure arithmetic: what a second core gave this run; "
        "the verdict's 2/1 is the library's only when this is near 2.0)\n",
        *control_two / *control_one);
  std::printf("(%u hardware threads; load average %s at the end of the run)\n",
              std::thread::hardware_concurrency(), load_average().c_str());
}

}  // namespace

// Its own main, for the ratios after the runs; libbenchmark_main's main is then not linked in.
int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return EXIT_FAILURE;
  fixture();  // keys, message, zone, warm caches: before any timing
  register_benchmarks();
  hallmark_bench::MedianReporter reporter(hallmark_bench::items_per_second);
  benchmark::RunSpecifiedBenchmarks(&reporter);
  print_ratios(reporter);
  benchmark::Shutdown();
  return EXIT_SUCCESS;
}
