// SPDX-License-Identifier: Apache-2.0
// hallmark against Debian's libopendkim on the same signed messages (bench/dkim_fixture.hpp):
// checks both pass every message, times both, prints hallmark's rate over libopendkim's.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "dkim_fixture.hpp"
#include "hallmark/core/sync_wait.hpp"
#include "hallmark/dkim/verify.hpp"
#include "median_reporter.hpp"

// libopendkim's header is C: its prototypes use C's _Bool, which C++ spells bool. It comes last
// so its macros cannot reach hallmark's headers.
#define _Bool bool
#include <dkim.h>
#undef _Bool

namespace {

using namespace hallmark;
using hallmark_bench::DkimSigner;

using hallmark_bench::canonicalization_name;
constexpr auto& sizes = hallmark_bench::dkim_sizes;
constexpr auto& canonicalizations = hallmark_bench::dkim_canonicalizations;

using hallmark_bench::dkim_fixture_fail;

hallmark_bench::DkimKeys& keys() { return hallmark_bench::shared_dkim_keys(); }

struct Case {
  const DkimSigner* signer;
  dkim::Canonicalization canonicalization;
  std::uint64_t size;
  std::string message;
  std::string suffix;  // "Rsa2048_Relaxed/2048"
};

// ---- hallmark ----------------------------------------------------------------------------

// As bench_dkim times it: one KeyCache for the run, warm after the first message, so no DNS
// lookup and no key decoding per message.
dkim::KeyCache& key_cache() {
  static dkim::KeyCache cache;
  return cache;
}

bool hallmark_passes(const std::string& message, std::string* why = nullptr) {
  dkim::VerifyOptions options;
  options.key_cache = &key_cache();
  dns::ZoneResolver& zone = keys().zone;
  std::vector<dkim::Result> results =
      core::sync_wait(dkim::verify_message(zone, message, options), zone.pump());
  bool pass = results.size() == 1 && results[0].outcome == dkim::Outcome::pass;
  if (!pass && why != nullptr)
    *why = results.empty() ? "no result"
                           : std::string(to_string(results[0].reason)) + ": " + results[0].detail;
  return pass;
}

// ---- libopendkim -------------------------------------------------------------------------

// The key records served from memory through dkim_set_key_lookup(), as a milter with a warm
// DNS cache would see them: libopendkim still parses the record and decodes the key for every
// message, which is how its API works (it keeps no decoded keys).
DKIM_CBSTAT key_lookup(DKIM* /*dkim*/, DKIM_SIGINFO* sig, unsigned char* buf, size_t buflen) {
  const char* selector = reinterpret_cast<const char*>(dkim_sig_getselector(sig));
  const std::string* record = nullptr;
  if (selector != nullptr && std::string_view(selector) == keys().rsa2048.selector)
    record = &keys().rsa2048_record;
  if (selector != nullptr && std::string_view(selector) == keys().ed25519.selector)
    record = &keys().ed25519_record;
  if (record == nullptr) return DKIM_CBSTAT_NOTFOUND;
  if (record->size() + 1 > buflen) return DKIM_CBSTAT_ERROR;
  std::memcpy(buf, record->c_str(), record->size() + 1);
  return DKIM_CBSTAT_CONTINUE;
}

class Libopendkim {
 public:
  Libopendkim() : lib_(dkim_init(nullptr, nullptr)) {
    if (lib_ == nullptr) dkim_fixture_fail("dkim_init failed");
    if (dkim_set_key_lookup(lib_, key_lookup) != DKIM_STAT_OK)
      dkim_fixture_fail("dkim_set_key_lookup failed");
  }
  ~Libopendkim() { dkim_close(lib_); }
  Libopendkim(const Libopendkim&) = delete;
  Libopendkim& operator=(const Libopendkim&) = delete;

  bool supports_ed25519() const { return dkim_libfeature(lib_, DKIM_FEATURE_ED25519); }

  // What a milter does per message: a verify handle, each header field (its final CRLF
  // removed, folding kept, as dkim_header() wants), the end of the header, the body, the end
  // of the message. The raw message is split here, in the timed path, since hallmark too is
  // handed raw bytes and finds the fields itself.
  bool verify(std::string_view message, std::string* why = nullptr) {
    DKIM_STAT status = DKIM_STAT_OK;
    DKIM* dkim =
        dkim_verify(lib_, reinterpret_cast<const unsigned char*>("bench"), nullptr, &status);
    if (dkim == nullptr) {
      if (why != nullptr) *why = std::string("dkim_verify: ") + dkim_getresultstr(status);
      return false;
    }
    std::size_t at = 0;
    for (;;) {
      std::size_t end = message.find("\r\n", at);
      if (end == std::string_view::npos) break;
      if (end == at) {  // the blank line: the body follows
        at += 2;
        break;
      }
      // A field goes on while its next line starts with white space (RFC 5322 2.2.3).
      while (end + 2 < message.size() && (message[end + 2] == ' ' || message[end + 2] == '\t'))
        end = message.find("\r\n", end + 2);
      std::string_view field = message.substr(at, end - at);
      status = dkim_header(dkim, const_cast<unsigned char*>(bytes(field)), field.size());
      if (status != DKIM_STAT_OK) break;
      at = end + 2;
    }
    if (status == DKIM_STAT_OK) status = dkim_eoh(dkim);
    std::string_view body = message.substr(at);
    if (status == DKIM_STAT_OK)
      status = dkim_body(dkim, const_cast<unsigned char*>(bytes(body)), body.size());
    bool testkey = false;
    if (status == DKIM_STAT_OK) status = dkim_eom(dkim, &testkey);
    DKIM_SIGINFO* sig = dkim_getsignature(dkim);
    bool pass = status == DKIM_STAT_OK && sig != nullptr && DKIM_SIG_CHECK(sig);
    if (!pass && why != nullptr) {
      *why = dkim_getresultstr(status);
      if (sig != nullptr)
        *why += std::string(" (") + dkim_sig_geterrorstr(dkim_sig_geterror(sig)) + ")";
      if (const char* error = dkim_geterror(dkim)) *why += std::string(": ") + error;
    }
    dkim_free(dkim);
    return pass;
  }

 private:
  static const unsigned char* bytes(std::string_view text) {
    return reinterpret_cast<const unsigned char*>(text.data());
  }

  DKIM_LIB* lib_;
};

Libopendkim& libopendkim() {
  static Libopendkim peer;
  return peer;
}

// ---- corpus and agreement ----------------------------------------------------------------

std::vector<Case>& corpus() {
  static std::vector<Case> cases = [] {
    std::vector<Case> out;
    const std::string header = hallmark_bench::dkim_header();
    std::vector<const DkimSigner*> signers = {&keys().rsa2048};
    // Debian's libopendkim 2.11 is built with Ed25519 (RFC 8463) support, but ask: a build
    // without it would fail every ed25519 message, and then only RSA is compared.
    if (libopendkim().supports_ed25519()) {
      signers.push_back(&keys().ed25519);
    } else {
      std::printf("libopendkim lacks Ed25519 support: comparing rsa-sha256 only\n");
    }
    for (const DkimSigner* signer : signers)
      for (std::uint64_t size : sizes) {
        const std::string body = hallmark_bench::dkim_body(size);
        for (dkim::Canonicalization canon : canonicalizations)
          out.push_back(Case{signer, canon, size,
                             hallmark_bench::dkim_signed_message(*signer, canon, header, body),
                             std::string(signer->name) + "_" + canonicalization_name(canon) + "/" +
                                 std::to_string(size)});
      }
    return out;
  }();
  return cases;
}

// A rate of a verifier that does not pass the message means nothing, so a message either side
// fails stops the run.
bool implementations_agree() {
  bool agree = true;
  for (const Case& c : corpus()) {
    std::string ours_why;
    std::string theirs_why;
    bool ours = hallmark_passes(c.message, &ours_why);
    bool theirs = libopendkim().verify(c.message, &theirs_why);
    std::printf("%-24s hallmark=%s libopendkim=%s\n", c.suffix.c_str(), ours ? "pass" : "FAIL",
                theirs ? "pass" : "FAIL");
    if (!ours) std::fprintf(stderr, "  hallmark: %s\n", ours_why.c_str());
    if (!theirs) std::fprintf(stderr, "  libopendkim: %s\n", theirs_why.c_str());
    agree = agree && ours && theirs;
  }
  return agree;
}

// ---- timing and ratios -------------------------------------------------------------------

void time_hallmark(benchmark::State& state, const Case& c) {
  dkim::VerifyOptions options;
  options.key_cache = &key_cache();
  dns::ZoneResolver& zone = keys().zone;
  for (auto _ : state) {
    std::vector<dkim::Result> results =
        core::sync_wait(dkim::verify_message(zone, c.message, options), zone.pump());
    benchmark::DoNotOptimize(results.data());
  }
  state.SetItemsProcessed(state.iterations());
}

void time_libopendkim(benchmark::State& state, const Case& c) {
  for (auto _ : state) {
    bool pass = libopendkim().verify(c.message);
    benchmark::DoNotOptimize(pass);
  }
  state.SetItemsProcessed(state.iterations());
}

constexpr std::string_view hallmark_prefix = "BM_Hallmark_";
constexpr std::string_view libopendkim_prefix = "BM_Libopendkim_";

// Each case's two contenders run next to each other, so a noisy spell on the shared machine is
// likelier to hit both than one.
void register_benchmarks() {
  for (const Case& c : corpus()) {
    benchmark::RegisterBenchmark((std::string(hallmark_prefix) + c.suffix).c_str(),
                                 [&c](benchmark::State& state) { time_hallmark(state, c); })
        ->Unit(benchmark::kMicrosecond);
    benchmark::RegisterBenchmark((std::string(libopendkim_prefix) + c.suffix).c_str(),
                                 [&c](benchmark::State& state) { time_libopendkim(state, c); })
        ->Unit(benchmark::kMicrosecond);
  }
}

void print_ratios(const hallmark_bench::MedianReporter& reporter) {
  constexpr double target = 2.0;
  std::printf("\n%-24s %14s %14s %10s\n", "case", "hallmark msg/s", "opendkim msg/s", "ratio");
  bool met = true;
  for (const Case& c : corpus()) {
    auto ours = reporter.median(std::string(hallmark_prefix) + c.suffix);
    auto theirs = reporter.median(std::string(libopendkim_prefix) + c.suffix);
    if (!ours || !theirs || *theirs == 0) continue;
    double ratio = *ours / *theirs;
    met = met && ratio >= target;
    std::printf("%-24s %14.0f %14.0f %9.2fx%s\n", c.suffix.c_str(), *ours, *theirs, ratio,
                ratio >= target ? "" : "  under target");
  }
  std::printf(
      "(messages per second of CPU time; ratio = hallmark / libopendkim, target >= %.1fx: %s)\n",
      target, met ? "met" : "NOT met");
}

}  // namespace

int main(int argc, char** argv) {
  return hallmark_bench::compare_main(argc, argv, "libopendkim", implementations_agree,
                                      register_benchmarks, print_ratios);
}
