// SPDX-License-Identifier: Apache-2.0
// Fuzz target: whole messages through the DKIM verifier, against a zone holding the RFC 8463
// example keys (one Ed25519, one RSA), so signatures can get as far as the crypto. Whole and
// split feeds must reach the same verdicts.
#include <cstdint>
#include <cstdlib>
#include <string_view>
#include <vector>

#include "hallmark/core/sync_wait.hpp"
#include "hallmark/dkim/verify.hpp"
#include "hallmark/dns/zone_resolver.hpp"

namespace {

using namespace hallmark;

constexpr std::string_view zone_text = R"(
$ORIGIN _domainkey.football.example.com.
brisbane TXT "v=DKIM1; k=ed25519; p=11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo="
test     TXT ( "v=DKIM1; k=rsa; p=MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQDkHlOQoBTzWRiGs5V6NpP3idY6Wk08a5"
               "qhdR6wy5bdOKb2jLQiY/J16JYi0Qvx/byYzCNb3W91y3FutACDfzwQ/BC/e/8uBsCR+yz1Lxj+PL6lHvqMKrM3rG4"
               "hstT5QjvHO9PzoxZyVYLzBfO2EeC3Ip3G+2kryOTIKT+l/K4w3QIDAQAB" )
slow     TIMEOUT
)";

dns::ZoneResolver& zone() {
  static dns::ZoneResolver resolver = [] {
    auto loaded = dns::ZoneResolver::from_text(zone_text);
    if (!loaded) std::abort();
    return std::move(*loaded);
  }();
  return resolver;
}

dkim::VerifyOptions options(dkim::KeyCache& cache) {
  dkim::VerifyOptions out;
  out.now = [] { return std::int64_t{1528637909} + 86400; };  // a day after the RFC example
  out.key_cache = &cache;  // one per run, so no input depends on an earlier one
  return out;
}

std::vector<dkim::Result> streamed(std::string_view message, std::size_t split) {
  dkim::KeyCache cache;
  dkim::Verifier verifier(zone(), options(cache));
  if (verifier.feed(message.substr(0, split)))
    static_cast<void>(verifier.feed(message.substr(split)));
  return core::sync_wait(verifier.finish(), zone().pump());
}

}  // namespace

// Declared for -Wmissing-declarations; libFuzzer or the replay main calls it.
extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size);

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view message(reinterpret_cast<const char*>(data), size);
  dkim::KeyCache cache;
  std::vector<dkim::Result> whole =
      core::sync_wait(dkim::verify_message(zone(), message, options(cache)), zone().pump());
  for (const dkim::Result& r : whole)
    if ((r.outcome == dkim::Outcome::pass) != (r.reason == dkim::Reason::ok)) std::abort();

  // The split point comes from the message's own first byte, so the fuzzer controls it.
  std::size_t split = size == 0 ? 0 : size * data[0] / 255;
  std::vector<dkim::Result> pieces = streamed(message, split);
  if (pieces.size() != whole.size()) std::abort();
  for (std::size_t i = 0; i < whole.size(); ++i) {
    if (pieces[i].outcome != whole[i].outcome || pieces[i].reason != whole[i].reason ||
        pieces[i].detail != whole[i].detail || pieces[i].field_index != whole[i].field_index)
      std::abort();
  }
  return 0;
}
