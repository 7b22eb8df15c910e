// SPDX-License-Identifier: Apache-2.0
// DKIM verification with a warm key cache on two corpora, rsa-2048 and ed25519, relaxed and
// simple, bodies of 2 KB to 20 MB: "tidy" (bench/dkim_fixture.hpp: 15-field header, clean text)
// and "real mail" (bench/dkim_real_mail.hpp: white space runs, trailing white space, trailing
// empty lines, UTF-8, sloppy folds). Each runs next to a baseline doing only the OpenSSL work
// every verifier must do on the same bytes; prints hallmark's cost over the baseline's and the
// heap allocations per verified signature.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <memory>
#include <new>
#include <optional>
#include <string>
#include <vector>

#include "allocation_counter.hpp"
#include "dkim_baseline.hpp"
#include "dkim_fixture.hpp"
#include "dkim_real_mail.hpp"
#include "hallmark/core/sync_wait.hpp"
#include "hallmark/dkim/verify.hpp"
#include "median_reporter.hpp"

namespace {

using namespace hallmark;
using hallmark_bench::DkimSigner;

using hallmark_bench::canonicalization_name;
constexpr auto& canonicalizations = hallmark_bench::dkim_canonicalizations;
// The fixture's sizes and 20 MB, where relaxed canonicalization must keep up with SHA-256.
constexpr std::uint64_t sizes[] = {2 << 10, 20 << 10, 200 << 10, 2 << 20, 20 << 20};

// The two corpora, by benchmark name part.
enum class Corpus { tidy, real_mail };
constexpr Corpus corpora[] = {Corpus::tidy, Corpus::real_mail};
std::string corpus_name(Corpus c) { return c == Corpus::tidy ? "Tidy" : "RealMail"; }

hallmark_bench::DkimKeys& keys() { return hallmark_bench::shared_dkim_keys(); }

// ---- hallmark ----------------------------------------------------------------------------

struct VerifyCase {
  Corpus corpus;
  const DkimSigner* signer;
  dkim::Canonicalization canonicalization;
  std::uint64_t size;
  std::string message;
};

std::vector<dkim::Result> hallmark_verify(std::string_view message,
                                          const dkim::VerifyOptions& options) {
  dns::ZoneResolver& zone = keys().zone;
  return core::sync_wait(dkim::verify_message(zone, message, options), zone.pump());
}

void time_verify(benchmark::State& state, const VerifyCase& c) {
  dkim::KeyCache cache;
  dkim::VerifyOptions options;
  options.key_cache = &cache;
  // Also fills the cache: from here on no DNS lookup and no key decoding.
  std::vector<dkim::Result> first = hallmark_verify(c.message, options);
  if (first.size() != 1 || first[0].outcome != dkim::Outcome::pass) {
    state.SkipWithError(first.empty() ? "no result" : first[0].detail.c_str());
    return;
  }
  std::uint64_t allocated_before = hallmark_bench::allocations_so_far();
  for (auto _ : state) {
    std::vector<dkim::Result> results = hallmark_verify(c.message, options);
    benchmark::DoNotOptimize(results.data());
  }
  // One signature per message: allocations per verify are allocations per signature.
  state.counters["allocs"] = benchmark::Counter(
      static_cast<double>(hallmark_bench::allocations_so_far() - allocated_before),
      benchmark::Counter::kAvgIterations);
  if (cache.stats().misses != 1) state.SkipWithError("the key cache missed in the timed loop");
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * c.message.size()));
}

// ---- the OpenSSL-only baseline (bench/dkim_baseline.hpp) --------------------------------

using hallmark_bench::BaselineCase;
using hallmark_bench::time_baseline;

BaselineCase baseline_for(const VerifyCase& c) {
  return hallmark_bench::baseline_for(c.signer, c.size, c.message);
}

// ---- corpus, registration, ratios --------------------------------------------------------

struct Cases {
  std::vector<VerifyCase> verify;      // corpus x signer x size x canonicalization
  std::vector<BaselineCase> baseline;  // corpus x signer x size, on the relaxed message's bytes
  std::vector<Corpus> baseline_corpus;
};

Cases& cases() {
  static Cases c = [] {
    Cases out;
    for (Corpus corpus : corpora) {
      const std::string header = corpus == Corpus::tidy ? hallmark_bench::dkim_header()
                                                        : hallmark_bench::real_mail_header();
      for (const DkimSigner* signer : {&keys().rsa2048, &keys().ed25519})
        for (std::uint64_t size : sizes) {
          const std::string body = corpus == Corpus::tidy ? hallmark_bench::dkim_body(size)
                                                          : hallmark_bench::real_mail_body(size);
          for (dkim::Canonicalization canon : canonicalizations)
            out.verify.push_back(
                VerifyCase{corpus, signer, canon, size,
                           hallmark_bench::dkim_signed_message(*signer, canon, header, body)});
          out.baseline.push_back(baseline_for(out.verify[out.verify.size() - 2]));
          out.baseline_corpus.push_back(corpus);
        }
    }
    return out;
  }();
  return c;
}

std::string verify_name(const VerifyCase& c) {
  return "BM_Verify_" + corpus_name(c.corpus) + "_" + std::string(c.signer->name) + "_" +
         canonicalization_name(c.canonicalization);
}
std::string baseline_name(Corpus corpus, const DkimSigner* signer) {
  return "BM_Baseline_" + corpus_name(corpus) + "_" + std::string(signer->name);
}

// Each size's contenders run next to each other, so a noisy spell on the shared machine is
// likelier to hit all of them than one.
void register_benchmarks() {
  Cases& c = cases();
  for (std::size_t i = 0; i < c.baseline.size(); ++i) {
    const BaselineCase& b = c.baseline[i];
    for (std::size_t j = 2 * i; j < 2 * i + 2; ++j) {
      const VerifyCase& v = c.verify[j];
      benchmark::RegisterBenchmark(verify_name(v).c_str(),
                                   [&v](benchmark::State& state) { time_verify(state, v); })
          ->Arg(static_cast<std::int64_t>(v.size))
          ->Unit(benchmark::kMicrosecond);
    }
    benchmark::RegisterBenchmark(baseline_name(c.baseline_corpus[i], b.signer).c_str(),
                                 [&b](benchmark::State& state) { time_baseline(state, b); })
        ->Arg(static_cast<std::int64_t>(b.size))
        ->Unit(benchmark::kMicrosecond);
  }
}

void print_ratios(const hallmark_bench::MedianReporter& reporter) {
  constexpr double target = 1.15;
  std::printf("\n%-9s %-8s %-8s %9s %14s %14s %10s %8s\n", "corpus", "key", "canon", "body",
              "hallmark us", "baseline us", "ratio", "allocs");
  bool met = true;
  for (const VerifyCase& v : cases().verify) {
    // Appended, not "/" + to_string(): GCC 12 warns falsely (-Wrestrict) on that form.
    std::string suffix(1, '/');
    suffix += std::to_string(v.size);
    auto ours = reporter.median(verify_name(v) + suffix);
    auto base = reporter.median(baseline_name(v.corpus, v.signer) + suffix);
    if (!ours || !base) continue;
    double ratio = *ours / *base;
    met = met && ratio <= target;
    std::printf("%-9s %-8s %-8s %9llu %14.2f %14.2f %9.3fx %8.1f%s\n",
                corpus_name(v.corpus).c_str(), std::string(v.signer->name).c_str(),
                canonicalization_name(v.canonicalization).c_str(),
                static_cast<unsigned long long>(v.size), *ours, *base, ratio,
                reporter.counter(verify_name(v) + suffix, "allocs").value_or(-1),
                ratio <= target ? "" : "  over target");
  }
  std::printf(
      "(CPU time per message; ratio = hallmark / OpenSSL-only baseline, target <= %.2fx: %s)\n",
      target, met ? "met" : "NOT met");
}

}  // namespace

// Its own main, for the ratio table after the runs; libbenchmark_main's main is then not
// linked in (it comes from a static archive, used only for an undefined main).
int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return EXIT_FAILURE;
  register_benchmarks();
  hallmark_bench::MedianReporter reporter(hallmark_bench::cpu_microseconds);
  benchmark::RunSpecifiedBenchmarks(&reporter);
  print_ratios(reporter);
  benchmark::Shutdown();
  return EXIT_SUCCESS;
}
