// SPDX-License-Identifier: Apache-2.0
// Peak memory of DKIM verification on a 50 MB message fed in 64 KB chunks: the message is
// generated as it is fed (bench/dkim_fixture.hpp), never held whole, so any growth of the
// process's high-water mark is the verifier's. Exits non-zero when the growth reaches 4 MB
// or the signatures do not pass.
#include <sys/resource.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "dkim_fixture.hpp"
#include "hallmark/core/sync_wait.hpp"
#include "hallmark/dkim/verify.hpp"

namespace {

using namespace hallmark;

constexpr std::uint64_t body_size = 50ull << 20;
constexpr std::size_t chunk_size = 64 << 10;
constexpr std::int64_t limit_kib = 4 << 10;

[[noreturn]] void fail(const std::string& message) {
  std::fprintf(stderr, "dkim_memory: %s\n", message.c_str());
  std::exit(EXIT_FAILURE);
}

// A field of /proc/self/status in KiB ("VmRSS", "VmHWM").
std::optional<std::int64_t> status_kib(std::string_view field) {
  std::ifstream in("/proc/self/status");
  std::string line;
  while (std::getline(in, line))
    if (line.starts_with(field) && line.size() > field.size() && line[field.size()] == ':')
      return std::strtoll(line.c_str() + field.size() + 1, nullptr, 10);
  return std::nullopt;
}

std::int64_t maxrss_kib() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return usage.ru_maxrss;  // KiB on Linux
}

// Linux 4.0+: writing 5 to clear_refs sets the high-water mark back to the current RSS, so
// what signing and set-up touched does not hide what verification touches.
bool reset_high_water_mark() {
  std::ofstream out("/proc/self/clear_refs");
  out << "5";
  out.flush();
  return static_cast<bool>(out);
}

// Two signatures, so both body canonicalizations and both key types run in the measured pass:
// rsa-2048 relaxed/relaxed and ed25519 simple/simple.
struct Signers {
  const hallmark_bench::DkimSigner* signer;
  dkim::Canonicalization canonicalization;
};

std::string sign_streamed(const hallmark_bench::DkimKeys& keys, const std::string& header,
                          std::uint64_t size, std::vector<char>& chunk) {
  const Signers plan[] = {{&keys.rsa2048, dkim::Canonicalization::relaxed},
                          {&keys.ed25519, dkim::Canonicalization::simple}};
  std::string fields;
  for (const Signers& s : plan) {
    dkim::Signer signer(s.signer->key,
                        hallmark_bench::dkim_sign_options(*s.signer, s.canonicalization));
    if (!signer.feed(header) || !signer.feed("\r\n")) fail("signer rejected the header");
    hallmark_bench::BodyText body(size);
    while (!body.done()) {
      std::size_t n = body.fill(chunk.data(), chunk.size());
      if (!signer.feed(std::string_view(chunk.data(), n))) fail("signer rejected the body");
    }
    auto field = signer.finish();
    if (!field) fail("signing failed: " + field.error().message);
    fields += *field;
  }
  return fields;
}

std::vector<dkim::Result> verify_streamed(dns::ZoneResolver& zone, dkim::KeyCache& cache,
                                          const std::string& head, std::uint64_t size,
                                          std::vector<char>& chunk) {
  dkim::VerifyOptions options;
  options.key_cache = &cache;
  dkim::Verifier verifier(zone, options);
  if (!verifier.feed(head)) fail("verifier rejected the header");
  hallmark_bench::BodyText body(size);
  while (!body.done()) {
    std::size_t n = body.fill(chunk.data(), chunk.size());
    if (!verifier.feed(std::string_view(chunk.data(), n))) fail("verifier rejected the body");
  }
  return core::sync_wait(verifier.finish(), zone.pump());
}

bool all_pass(const std::vector<dkim::Result>& results, std::size_t expected) {
  bool pass = results.size() == expected;
  for (const dkim::Result& r : results) {
    if (r.outcome != dkim::Outcome::pass) {
      std::fprintf(stderr, "  %s s=%s: %s (%s)\n", std::string(to_string(r.outcome)).c_str(),
                   r.selector.c_str(), std::string(to_string(r.reason)).c_str(), r.detail.c_str());
      pass = false;
    }
  }
  return pass;
}

}  // namespace

int main() {
  hallmark_bench::DkimKeys keys = hallmark_bench::dkim_keys();
  const std::string header = hallmark_bench::dkim_header();
  std::vector<char> chunk(chunk_size);
  dkim::KeyCache cache;

  // A small message first: fills the key cache (the warm cache) and lets OpenSSL and
  // the allocator set up what they keep for the life of the process.
  const std::string warm_head = sign_streamed(keys, header, 2048, chunk) + header + "\r\n";
  if (!all_pass(verify_streamed(keys.zone, cache, warm_head, 2048, chunk), 2))
    fail("the warm-up message does not verify");

  const std::string head = sign_streamed(keys, header, body_size, chunk) + header + "\r\n";

  std::optional<std::int64_t> before = status_kib("VmRSS");
  if (!before) fail("cannot read VmRSS from /proc/self/status");
  bool reset = reset_high_water_mark();
  std::int64_t maxrss_before = maxrss_kib();

  std::vector<dkim::Result> results = verify_streamed(keys.zone, cache, head, body_size, chunk);

  std::optional<std::int64_t> peak = status_kib("VmHWM");
  if (!peak) fail("cannot read VmHWM from /proc/self/status");
  std::int64_t growth = *peak - *before;
  bool passed = all_pass(results, 2);

  std::printf(
      "message: %llu octets of body in %zu-octet chunks, 2 signatures "
      "(rsa-2048 relaxed, ed25519 simple): %s\n",
      static_cast<unsigned long long>(body_size), chunk_size, passed ? "pass" : "NOT pass");
  std::printf("RSS before verifying: %lld KiB\n", static_cast<long long>(*before));
  std::printf("peak RSS while verifying: %lld KiB (high-water mark %s)\n",
              static_cast<long long>(*peak),
              reset ? "reset before verifying" : "NOT reset: includes signing");
  std::printf("ru_maxrss: %lld KiB before, %lld KiB after\n", static_cast<long long>(maxrss_before),
              static_cast<long long>(maxrss_kib()));
  std::printf("growth: %lld KiB (limit %lld KiB): %s\n", static_cast<long long>(growth),
              static_cast<long long>(limit_kib), growth < limit_kib ? "ok" : "OVER");
  return passed && growth < limit_kib ? EXIT_SUCCESS : EXIT_FAILURE;
}
