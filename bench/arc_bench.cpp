// SPDX-License-Identifier: Apache-2.0
// ARC chain validation with warm keys: a 20 KB text message (bench/dkim_fixture.hpp's header and
// body, DKIM-signed by its author) sealed by three forwarders with rsa-2048 keys,
// relaxed/relaxed, next to a baseline doing only the OpenSSL work every validator must do;
// prints hallmark's cost over the baseline's.
#include <benchmark/benchmark.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

#include <array>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "dkim/internal/header_hash.hpp"
#include "dkim_fixture.hpp"
#include "hallmark/arc/parse.hpp"
#include "hallmark/arc/seal.hpp"
#include "hallmark/arc/verify.hpp"
#include "hallmark/core/sync_wait.hpp"
#include "hallmark/dkim/canonicalize.hpp"
#include "hallmark/mail/header.hpp"
#include "median_reporter.hpp"

namespace {

using namespace hallmark;
using hallmark_bench::dkim_fixture_fail;

constexpr std::size_t hops = 3;
constexpr std::uint64_t body_size = 20 << 10;
constexpr std::int64_t sealed_at = 1710238207;  // 12 March 2024, after the fixture's Date

// ---- the chain ---------------------------------------------------------------------------

struct Forwarder {
  std::string domain;    // d= of its seal and message signature
  std::string selector;  // s=
  dkim::PrivateKey key;
};

struct Chain {
  std::array<Forwarder, hops> forwarders;
  dns::ZoneResolver zone;  // the author's keys and the forwarders'
  std::string message;     // with all three ARC sets
};

std::string seal_once(dns::ZoneResolver& zone, const std::string& message, const Forwarder& hop) {
  arc::SealOptions options;
  options.domain = hop.domain;
  options.selector = hop.selector;
  options.authserv_id = "mx." + hop.domain;
  options.auth_results =
      "spf=pass smtp.mailfrom=sender@example.com; dkim=pass header.d=example.com; "
      "dmarc=pass header.from=example.com";
  options.now = [] { return sealed_at; };
  auto sealed =
      core::sync_wait(arc::seal_message(zone, message, hop.key, std::move(options)), zone.pump());
  if (!sealed) dkim_fixture_fail("sealing failed: " + sealed.error().message);
  if (sealed->fields.empty()) dkim_fixture_fail("not sealed: " + sealed->skipped);
  return sealed->fields + message;
}

Chain make_chain() {
  hallmark_bench::DkimKeys& author = hallmark_bench::shared_dkim_keys();
  Chain chain{
      {Forwarder{"lists.example.org", "arc2024",
                 hallmark_bench::dkim_generate(dkim::KeyType::rsa, 2048)},
       Forwarder{"relay.example.net", "seal",
                 hallmark_bench::dkim_generate(dkim::KeyType::rsa, 2048)},
       Forwarder{"mx.example.edu", "arc", hallmark_bench::dkim_generate(dkim::KeyType::rsa, 2048)}},
      dns::ZoneResolver(),
      {}};
  chain.zone.add_txt("rsa2048._domainkey.example.com",
                     hallmark_bench::txt_strings(author.rsa2048_record), 3600);
  for (const Forwarder& hop : chain.forwarders)
    chain.zone.add_txt(hop.selector + "._domainkey." + hop.domain,
                       hallmark_bench::txt_strings(hop.key.dns_record()), 3600);
  chain.message = hallmark_bench::dkim_signed_message(
      author.rsa2048, dkim::Canonicalization::relaxed, hallmark_bench::dkim_header(),
      hallmark_bench::dkim_body(body_size));
  for (const Forwarder& hop : chain.forwarders)
    chain.message = seal_once(chain.zone, chain.message, hop);
  return chain;
}

Chain& chain() {
  static Chain c = make_chain();
  return c;
}

// ---- hallmark ----------------------------------------------------------------------------

arc::Result hallmark_verify(const arc::VerifyOptions& options) {
  dns::ZoneResolver& zone = chain().zone;
  return core::sync_wait(arc::verify_message(zone, chain().message, options), zone.pump());
}

void BM_ArcVerify_3Hops_Rsa2048_Relaxed(benchmark::State& state) {
  dkim::KeyCache cache;
  arc::VerifyOptions options;
  options.key_cache = &cache;
  // Also fills the cache: from here on no DNS lookup and no key decoding.
  arc::Result first = hallmark_verify(options);
  if (first.outcome != arc::ChainStatus::pass || first.sets.size() != hops) {
    state.SkipWithError(("the chain does not pass: " + first.detail).c_str());
    return;
  }
  std::uint64_t misses = cache.stats().misses;
  for (auto _ : state) {
    arc::Result result = hallmark_verify(options);
    benchmark::DoNotOptimize(result.outcome);
  }
  if (cache.stats().misses != misses) state.SkipWithError("the key cache missed in the timed loop");
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * chain().message.size()));
}

// ---- the OpenSSL-only baseline -----------------------------------------------------------

// What any validator of this chain must ask of OpenSSL (RFC 8617 5.2 steps 4 and 6): SHA-256
// of the canonical body once (the newest AMS's bh=), SHA-256 of the newest AMS's signed
// header fields, of each seal's ARC sets, and four RSA-2048 verifications (the newest AMS and
// three seals) with keys already decoded and verification contexts prepared once, as hallmark
// has them with a warm key cache. Canonicalization is done beforehand: the baseline only hashes.
struct Signed {
  std::string canonical;  // what the signature's hash covers
  std::string signature;  // b=, decoded
  std::shared_ptr<EVP_PKEY_CTX> verify;
};

struct Baseline {
  std::string canonical_body;
  std::vector<Signed> signatures;  // the newest AMS, then the seals newest first
};

const EVP_MD* sha256() {
  static const std::unique_ptr<EVP_MD, decltype(&EVP_MD_free)> md(
      EVP_MD_fetch(nullptr, "SHA256", nullptr), &EVP_MD_free);
  return md.get();
}

const unsigned char* bytes(std::string_view data) {
  return reinterpret_cast<const unsigned char*>(data.data());
}

std::array<unsigned char, EVP_MAX_MD_SIZE> digest(EVP_MD_CTX* md, std::string_view data) {
  std::array<unsigned char, EVP_MAX_MD_SIZE> out{};
  unsigned int size = 0;
  EVP_DigestInit_ex2(md, sha256(), nullptr);
  EVP_DigestUpdate(md, data.data(), data.size());
  EVP_DigestFinal_ex(md, out.data(), &size);
  return out;
}

bool baseline_verify(EVP_MD_CTX* md, const Signed& s) {
  std::array<unsigned char, EVP_MAX_MD_SIZE> hash = digest(md, s.canonical);
  std::unique_ptr<EVP_PKEY_CTX, decltype(&EVP_PKEY_CTX_free)> ctx(EVP_PKEY_CTX_dup(s.verify.get()),
                                                                  &EVP_PKEY_CTX_free);
  return ctx &&
         EVP_PKEY_verify(ctx.get(), bytes(s.signature), s.signature.size(), hash.data(), 32) == 1;
}

bool baseline_validate(EVP_MD_CTX* md, const Baseline& b) {
  benchmark::DoNotOptimize(digest(md, b.canonical_body));
  for (const Signed& s : b.signatures)
    if (!baseline_verify(md, s)) return false;
  return true;
}

void BM_ArcBaseline_3Hops_Rsa2048(benchmark::State& state, const Baseline& b) {
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> md(EVP_MD_CTX_new(), &EVP_MD_CTX_free);
  for (auto _ : state) {
    if (!baseline_validate(md.get(), b)) {
      state.SkipWithError("baseline signature does not verify");
      break;
    }
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * chain().message.size()));
}

// The public half alone, re-read from its DER as a validator decodes p=, in a verification
// context prepared once: PKCS#1 v1.5 with SHA-256.
std::shared_ptr<EVP_PKEY_CTX> prepared_verify(const dkim::PrivateKey& key) {
  unsigned char* der = nullptr;
  int size = i2d_PUBKEY(static_cast<EVP_PKEY*>(key.native()), &der);
  if (size <= 0) dkim_fixture_fail("i2d_PUBKEY failed");
  const unsigned char* p = der;
  std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> decoded(d2i_PUBKEY(nullptr, &p, size),
                                                              &EVP_PKEY_free);
  OPENSSL_free(der);
  if (!decoded) dkim_fixture_fail("d2i_PUBKEY failed");
  std::shared_ptr<EVP_PKEY_CTX> ctx(EVP_PKEY_CTX_new(decoded.get(), nullptr), &EVP_PKEY_CTX_free);
  if (!ctx || EVP_PKEY_verify_init(ctx.get()) != 1 ||
      EVP_PKEY_CTX_set_rsa_padding(ctx.get(), RSA_PKCS1_PADDING) != 1 ||
      EVP_PKEY_CTX_set_signature_md(ctx.get(), sha256()) != 1)
    dkim_fixture_fail("cannot prepare an RSA verification context");
  return ctx;
}

// Each instance's three fields, by position in the header section.
struct SetFields {
  std::size_t aar = 0, ams = 0, seal = 0;
};

std::array<SetFields, hops> set_fields(const mail::HeaderSection& headers) {
  std::array<SetFields, hops> sets{};
  for (std::size_t i = 0; i < headers.size(); ++i) {
    auto instance = arc::parse_instance(headers[i].value);
    if (!instance) continue;
    if (*instance < 1 || *instance > hops) dkim_fixture_fail("unexpected ARC instance");
    SetFields& set = sets[*instance - 1];
    if (headers[i].name_is("ARC-Authentication-Results")) set.aar = i;
    if (headers[i].name_is("ARC-Message-Signature")) set.ams = i;
    if (headers[i].name_is("ARC-Seal")) set.seal = i;
  }
  return sets;
}

// The field with its b= value removed and no final CRLF (RFC 6376 3.7, RFC 8617 5.1.1).
void append_unsigned(const mail::HeaderField& field, std::size_t b_offset, std::size_t b_length,
                     std::string& out) {
  auto value_offset = static_cast<std::size_t>(field.value.data() - field.raw.data());
  dkim::detail::append_signature_field(field.raw, value_offset + b_offset,
                                       value_offset + b_offset + b_length,
                                       dkim::Canonicalization::relaxed, out);
}

Signed newest_ams(const mail::HeaderSection& headers, const SetFields& set, const Forwarder& hop) {
  auto ams = arc::parse_message_signature(headers[set.ams].value);
  if (!ams) dkim_fixture_fail("AMS does not parse: " + ams.error().message);
  Signed s{{}, ams->signature.signature, prepared_verify(hop.key)};
  dkim::detail::HeaderIndex index(headers);
  dkim::detail::append_signed_headers(headers, index, ams->signature.signed_headers,
                                      dkim::Canonicalization::relaxed, s.canonical, set.ams);
  append_unsigned(headers[set.ams], ams->signature.b_value_offset, ams->signature.b_value_length,
                  s.canonical);
  return s;
}

// RFC 8617 5.1.1: seal i covers the sets 1..i, each as AAR, AMS, AS, its own AS without b=.
Signed seal_of(const mail::HeaderSection& headers, const std::array<SetFields, hops>& sets,
               std::size_t instance, const Forwarder& hop) {
  const SetFields& own = sets[instance - 1];
  auto seal = arc::parse_seal(headers[own.seal].value);
  if (!seal) dkim_fixture_fail("seal does not parse: " + seal.error().message);
  Signed s{{}, seal->signature, prepared_verify(hop.key)};
  for (std::size_t i = 0; i < instance; ++i) {
    dkim::canonicalize_header(headers[sets[i].aar].raw, dkim::Canonicalization::relaxed,
                              s.canonical);
    dkim::canonicalize_header(headers[sets[i].ams].raw, dkim::Canonicalization::relaxed,
                              s.canonical);
    if (i + 1 < instance)
      dkim::canonicalize_header(headers[sets[i].seal].raw, dkim::Canonicalization::relaxed,
                                s.canonical);
  }
  append_unsigned(headers[own.seal], seal->b_value_offset, seal->b_value_length, s.canonical);
  return s;
}

Baseline make_baseline() {
  auto parsed = mail::parse_message(chain().message);
  if (!parsed) dkim_fixture_fail("sealed message does not parse: " + parsed.error().message);
  const mail::HeaderSection& headers = parsed->headers;
  Baseline b;
  dkim::BodyCanonicalizer canonicalizer(dkim::Canonicalization::relaxed);
  auto sink = [&b](const char* data, std::size_t size) { b.canonical_body.append(data, size); };
  canonicalizer.feed(parsed->body, sink);
  canonicalizer.finish(sink);
  std::array<SetFields, hops> sets = set_fields(headers);
  b.signatures.push_back(newest_ams(headers, sets[hops - 1], chain().forwarders[hops - 1]));
  for (std::size_t instance = hops; instance >= 1; --instance)
    b.signatures.push_back(seal_of(headers, sets, instance, chain().forwarders[instance - 1]));
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> md(EVP_MD_CTX_new(), &EVP_MD_CTX_free);
  // The baseline's reading of RFC 8617 must agree with the sealer's, or it times other work.
  if (!baseline_validate(md.get(), b)) dkim_fixture_fail("the baseline cannot verify the chain");
  return b;
}

// ---- registration, ratio -----------------------------------------------------------------

const std::string verify_name = "BM_ArcVerify_3Hops_Rsa2048_Relaxed";
const std::string baseline_name = "BM_ArcBaseline_3Hops_Rsa2048";

void register_benchmarks() {
  static const Baseline baseline = make_baseline();
  benchmark::RegisterBenchmark(verify_name.c_str(), BM_ArcVerify_3Hops_Rsa2048_Relaxed)
      ->Arg(static_cast<std::int64_t>(body_size))
      ->Unit(benchmark::kMicrosecond);
  benchmark::RegisterBenchmark(
      baseline_name.c_str(),
      [](benchmark::State& state) { BM_ArcBaseline_3Hops_Rsa2048(state, baseline); })
      ->Arg(static_cast<std::int64_t>(body_size))
      ->Unit(benchmark::kMicrosecond);
}

void print_ratio(const hallmark_bench::MedianReporter& reporter) {
  // Appended, not "/" + to_string(): GCC 12 warns falsely (-Wrestrict) on that form.
  std::string suffix(1, '/');
  suffix += std::to_string(body_size);
  std::optional<double> ours = reporter.median(verify_name + suffix);
  std::optional<double> base = reporter.median(baseline_name + suffix);
  std::printf("\n%-6s %-8s %9s %14s %14s %10s\n", "hops", "key", "body", "hallmark us",
              "baseline us", "ratio");
  if (!ours || !base) {
    std::printf("(a benchmark did not run: no ratio)\n");
    return;
  }
  std::printf("%-6zu %-8s %9llu %14.2f %14.2f %9.3fx\n", hops, "Rsa2048",
              static_cast<unsigned long long>(body_size), *ours, *base, *ours / *base);
  std::printf("(CPU time per message; ratio = hallmark / OpenSSL-only baseline)\n");
}

}  // namespace

// Its own main, for the ratio after the runs; libbenchmark_main's main is then not linked in.
int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return EXIT_FAILURE;
  register_benchmarks();
  hallmark_bench::MedianReporter reporter(hallmark_bench::cpu_microseconds);
  benchmark::RunSpecifiedBenchmarks(&reporter);
  print_ratio(reporter);
  benchmark::Shutdown();
  return EXIT_SUCCESS;
}
