// SPDX-License-Identifier: Apache-2.0
// DKIM verification with a warm key cache (bench/dkim_fixture.hpp: 15-field header, text
// bodies of 2 KB to 2 MB, rsa-2048 and ed25519, relaxed and simple), next to a baseline doing
// only the OpenSSL work every verifier must do; prints hallmark's cost over the baseline's.
#include <benchmark/benchmark.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "dkim/internal/header_hash.hpp"
#include "dkim_fixture.hpp"
#include "hallmark/core/sync_wait.hpp"
#include "hallmark/dkim/parse.hpp"
#include "hallmark/dkim/verify.hpp"
#include "hallmark/mail/header.hpp"
#include "median_reporter.hpp"

namespace {

using namespace hallmark;
using hallmark_bench::DkimSigner;

using hallmark_bench::canonicalization_name;
constexpr auto& sizes = hallmark_bench::dkim_sizes;
constexpr auto& canonicalizations = hallmark_bench::dkim_canonicalizations;

using hallmark_bench::dkim_fixture_fail;

hallmark_bench::DkimKeys& keys() { return hallmark_bench::shared_dkim_keys(); }

// ---- hallmark ----------------------------------------------------------------------------

struct VerifyCase {
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
  for (auto _ : state) {
    std::vector<dkim::Result> results = hallmark_verify(c.message, options);
    benchmark::DoNotOptimize(results.data());
  }
  if (cache.stats().misses != 1) state.SkipWithError("the key cache missed in the timed loop");
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * c.message.size()));
}

// ---- the OpenSSL-only baseline -----------------------------------------------------------

// What any verifier of this message must ask of OpenSSL: SHA-256 over its bytes (more than
// the canonical header and body it hashes, never less) and one signature verification with a
// key already decoded. Set-up is done once where OpenSSL allows it, as hallmark does with a
// warm key cache: the digest context is reused and the algorithm fetched once; for RSA a
// verification context prepared once is copied per message; Ed25519 has nothing to prepare
// that a copy would save.
struct BaselineCase {
  const DkimSigner* signer;
  std::uint64_t size;
  std::string message;
  std::shared_ptr<EVP_PKEY> public_key;
  std::shared_ptr<EVP_PKEY_CTX> rsa_verify;  // prepared: PKCS#1 v1.5, SHA-256
  std::string signature;                     // b=, decoded
  std::string header_digest;                 // what b= signs
};

const EVP_MD* sha256() {
  static const std::unique_ptr<EVP_MD, decltype(&EVP_MD_free)> md(
      EVP_MD_fetch(nullptr, "SHA256", nullptr), &EVP_MD_free);
  return md.get();
}

const unsigned char* bytes(std::string_view data) {
  return reinterpret_cast<const unsigned char*>(data.data());
}

bool baseline_verify(const BaselineCase& b) {
  if (b.signer->key.type() == dkim::KeyType::ed25519) {
    std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), &EVP_MD_CTX_free);
    return EVP_DigestVerifyInit(ctx.get(), nullptr, nullptr, nullptr, b.public_key.get()) == 1 &&
           EVP_DigestVerify(ctx.get(), bytes(b.signature), b.signature.size(),
                            bytes(b.header_digest), b.header_digest.size()) == 1;
  }
  std::unique_ptr<EVP_PKEY_CTX, decltype(&EVP_PKEY_CTX_free)> ctx(
      EVP_PKEY_CTX_dup(b.rsa_verify.get()), &EVP_PKEY_CTX_free);
  return ctx && EVP_PKEY_verify(ctx.get(), bytes(b.signature), b.signature.size(),
                                bytes(b.header_digest), b.header_digest.size()) == 1;
}

std::shared_ptr<EVP_PKEY_CTX> prepared_rsa_verify(EVP_PKEY* key) {
  std::shared_ptr<EVP_PKEY_CTX> ctx(EVP_PKEY_CTX_new(key, nullptr), &EVP_PKEY_CTX_free);
  if (!ctx || EVP_PKEY_verify_init(ctx.get()) != 1 ||
      EVP_PKEY_CTX_set_rsa_padding(ctx.get(), RSA_PKCS1_PADDING) != 1 ||
      EVP_PKEY_CTX_set_signature_md(ctx.get(), sha256()) != 1)
    dkim_fixture_fail("cannot prepare an RSA verification context");
  return ctx;
}

void time_baseline(benchmark::State& state, const BaselineCase& b) {
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> md(EVP_MD_CTX_new(), &EVP_MD_CTX_free);
  for (auto _ : state) {
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int digest_size = 0;
    EVP_DigestInit_ex2(md.get(), sha256(), nullptr);
    EVP_DigestUpdate(md.get(), b.message.data(), b.message.size());
    EVP_DigestFinal_ex(md.get(), digest, &digest_size);
    benchmark::DoNotOptimize(digest);
    if (!baseline_verify(b)) {
      state.SkipWithError("baseline signature does not verify");
      break;
    }
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * b.message.size()));
}

// The public half alone, re-read from its DER as a verifier decodes p=, so OpenSSL holds no
// private material that could change how it verifies.
std::shared_ptr<EVP_PKEY> public_key_of(const dkim::PrivateKey& key) {
  unsigned char* der = nullptr;
  int size = i2d_PUBKEY(static_cast<EVP_PKEY*>(key.native()), &der);
  if (size <= 0) dkim_fixture_fail("i2d_PUBKEY failed");
  const unsigned char* p = der;
  EVP_PKEY* decoded = d2i_PUBKEY(nullptr, &p, size);
  OPENSSL_free(der);
  if (decoded == nullptr) dkim_fixture_fail("d2i_PUBKEY failed");
  return std::shared_ptr<EVP_PKEY>(decoded, &EVP_PKEY_free);
}

BaselineCase baseline_for(const VerifyCase& c) {
  auto parsed = mail::parse_message(c.message);
  if (!parsed) dkim_fixture_fail("corpus message does not parse: " + parsed.error().message);
  const mail::HeaderSection& headers = parsed->headers;
  std::size_t index = 0;
  while (index < headers.size() && !headers[index].name_is("DKIM-Signature")) ++index;
  if (index == headers.size()) dkim_fixture_fail("corpus message is not signed");
  auto signature = dkim::parse_signature(headers[index].value);
  if (!signature)
    dkim_fixture_fail("corpus signature does not parse: " + signature.error().message);
  dkim::detail::HeaderIndex lookup(headers);
  BaselineCase b{c.signer,
                 c.size,
                 c.message,
                 public_key_of(c.signer->key),
                 nullptr,
                 signature->signature,
                 dkim::detail::header_digest(headers, lookup, index, *signature)};
  if (c.signer->key.type() == dkim::KeyType::rsa)
    b.rsa_verify = prepared_rsa_verify(b.public_key.get());
  if (!baseline_verify(b)) dkim_fixture_fail("the baseline cannot verify the corpus signature");
  return b;
}

// ---- corpus, registration, ratios --------------------------------------------------------

struct Corpus {
  std::vector<VerifyCase> verify;      // signer x size x canonicalization
  std::vector<BaselineCase> baseline;  // signer x size, on the relaxed message's bytes
};

Corpus& corpus() {
  static Corpus c = [] {
    Corpus out;
    const std::string header = hallmark_bench::dkim_header();
    for (const DkimSigner* signer : {&keys().rsa2048, &keys().ed25519})
      for (std::uint64_t size : sizes) {
        const std::string body = hallmark_bench::dkim_body(size);
        for (dkim::Canonicalization canon : canonicalizations)
          out.verify.push_back(
              VerifyCase{signer, canon, size,
                         hallmark_bench::dkim_signed_message(*signer, canon, header, body)});
        out.baseline.push_back(baseline_for(out.verify[out.verify.size() - 2]));
      }
    return out;
  }();
  return c;
}

std::string verify_name(const VerifyCase& c) {
  return "BM_Verify_" + std::string(c.signer->name) + "_" +
         canonicalization_name(c.canonicalization);
}
std::string baseline_name(const BaselineCase& b) {
  return "BM_Baseline_" + std::string(b.signer->name);
}

// Each size's contenders run next to each other, so a noisy spell on the shared machine is
// likelier to hit all of them than one.
void register_benchmarks() {
  Corpus& c = corpus();
  for (std::size_t i = 0; i < c.baseline.size(); ++i) {
    const BaselineCase& b = c.baseline[i];
    for (std::size_t j = 2 * i; j < 2 * i + 2; ++j) {
      const VerifyCase& v = c.verify[j];
      benchmark::RegisterBenchmark(verify_name(v).c_str(),
                                   [&v](benchmark::State& state) { time_verify(state, v); })
          ->Arg(static_cast<std::int64_t>(v.size))
          ->Unit(benchmark::kMicrosecond);
    }
    benchmark::RegisterBenchmark(baseline_name(b).c_str(),
                                 [&b](benchmark::State& state) { time_baseline(state, b); })
        ->Arg(static_cast<std::int64_t>(b.size))
        ->Unit(benchmark::kMicrosecond);
  }
}

void print_ratios(const hallmark_bench::MedianReporter& reporter) {
  constexpr double target = 1.15;
  std::printf("\n%-8s %-8s %9s %14s %14s %10s\n", "key", "canon", "body", "hallmark us",
              "baseline us", "ratio");
  bool met = true;
  for (const VerifyCase& v : corpus().verify) {
    // Appended, not "/" + to_string(): GCC 12 warns falsely (-Wrestrict) on that form.
    std::string suffix(1, '/');
    suffix += std::to_string(v.size);
    auto ours = reporter.median(verify_name(v) + suffix);
    auto base = reporter.median("BM_Baseline_" + std::string(v.signer->name) + suffix);
    if (!ours || !base) continue;
    double ratio = *ours / *base;
    met = met && ratio <= target;
    std::printf("%-8s %-8s %9llu %14.2f %14.2f %9.3fx%s\n", std::string(v.signer->name).c_str(),
                canonicalization_name(v.canonicalization).c_str(),
                static_cast<unsigned long long>(v.size), *ours, *base, ratio,
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
