// SPDX-License-Identifier: Apache-2.0
// Fuzz target: whole messages through ARC chain validation (RFC 8617 5.2), against a resolver
// that serves one RSA key at every _domainkey name, so seals and message signatures made with
// that key (the seeds) get as far as the crypto whatever d= and s= they name. The verdict must
// follow RFC 8617 5.2, and whole and split feeds must reach the same one.
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "hallmark/arc/verify.hpp"
#include "hallmark/core/sync_wait.hpp"
#include "hallmark/dkim/sign.hpp"
#include "hallmark/mail/header.hpp"

namespace {

using namespace hallmark;

// A 1024-bit test key, used for nothing else. The seeds in fuzz/corpus/arc_verify/ were sealed
// with it (`hallmark arc-seal --key`), so regenerating it would turn every seed into a fail.
constexpr std::string_view key_pem = R"(-----BEGIN PRIVATE KEY-----
MIICeAIBADANBgkqhkiG9w0BAQEFAASCAmIwggJeAgEAAoGBAKMr6B+GBtzuy3Bb
gbh4JVkdWJhB59doVsQEL157nc/uIFDxLfZW9yRyU+06grbd8RDTKBmeBFNUwtj1
zcrErQ8ld0kD3evM9Oo73MI1KTNdL0JrnHAapnEimkygk705263oM3N5uRYlex+P
1/+ez0jCJEt7t+1pkfuwNcKqcA3fAgMBAAECgYEAiLzaoNAoICzcvyNv6a6FXdCB
1dYk+xas30bCi2L8NKtQ2YPDCJSINzq3qi1GLQiAY6EQEaeh6FM3lakm860teBU8
wHGbdvKd3EyHjnRFQXV61jreK1GMi5CjiD3mRsoc3eGCkgiMb7zQLaJUZDXiNAmW
lPnGubGP5Gf0VsZ8EsECQQDRoliXBdwowu8R8Q4s+UK+4EEOmYCnuvsyBFUqH9XX
l5S8JgNBnf34vRFd8HxM2zdiCCJj6cqDAPGoPsAuvnx9AkEAx0LO3wwBG2QRRBSr
9ZloiD/1vUZ6IkxRXu7TeHktYGJqZgmLKm1kuf/mNS0tukM6FD+q+XiAPNmBGclM
HnQuiwJBAKjiv7g7kliMYwnzR9ZXobwg8oiOhiWa79AlyW68YwzjI4JIpYrxe7Au
sZUarylD2mRx5TLVIL9VvVor46xE7gkCQQCGxGuwNalGAk8fMbAAIyqtBD1LL7CJ
I/7g6zyBvctv5gA6VPgX0PcQScBEdPL5iGBus4UKx3JMNXt4mknuSvvzAkAfUx56
5zKYuMPIxqXstO5agdeNreZCES7AzUyHJe0s+vexPszcdMaULwhWhlFK4oMT67j5
7J8wIfu6kNIP6KAb
-----END PRIVATE KEY-----
)";

// The key's record as DNS would carry it: strings of at most 255 octets (RFC 1035 3.3.14).
dns::Txt key_record() {
  auto key = dkim::PrivateKey::from_pem(key_pem);
  if (!key) std::abort();
  std::string record = key->dns_record();
  dns::Txt txt;
  for (std::size_t at = 0; at < record.size(); at += 255)
    txt.strings.push_back(record.substr(at, 255));
  return txt;
}

// The key at every _domainkey name, a timeout under "tempfail." (RFC 8617 5.2.1: still a
// fail), NXDOMAIN elsewhere; answers synchronously.
class KeyResolver final : public dns::Resolver {
 public:
  KeyResolver() : record_(key_record()) {}
  void lookup(std::string_view name, dns::Type type, Completion done) override {
    dns::Answer answer;
    answer.name = std::string(name);
    answer.type = type;
    answer.status = dns::Status::nxdomain;
    if (name.starts_with("tempfail.")) {
      answer.status = dns::Status::timeout;
    } else if (type == dns::Type::txt && name.find("._domainkey.") != std::string_view::npos) {
      answer.status = dns::Status::noerror;
      answer.ttl = 3600;
      answer.txt.push_back(record_);
    }
    done(std::make_shared<const dns::Answer>(std::move(answer)));
  }

 private:
  dns::Txt record_;
};

KeyResolver& resolver() {
  static KeyResolver instance;
  return instance;
}

arc::VerifyOptions options(dkim::KeyCache& cache, bool oldest_pass) {
  arc::VerifyOptions out;
  out.oldest_pass = oldest_pass;
  out.key_cache = &cache;  // one per run, so no input depends on an earlier one
  return out;
}

arc::Result streamed(std::string_view message, std::size_t split, bool oldest_pass) {
  dkim::KeyCache cache;
  arc::Verifier verifier(resolver(), options(cache, oldest_pass));
  // Empty pieces are not fed: a host with no bytes to give calls finish() alone.
  for (std::string_view piece : {message.substr(0, split), message.substr(split)})
    if (!piece.empty() && !verifier.feed(piece)) break;
  return core::sync_wait(verifier.finish());
}

// RFC 8617 5.2 step 1: the chain is "none" exactly when no ARC header field is present;
// anything else, however malformed, is a chain to pass or fail.
bool has_arc_fields(const mail::HeaderSection& headers) {
  for (const mail::HeaderField& field : headers)
    if (field.name_is("ARC-Seal") || field.name_is("ARC-Message-Signature") ||
        field.name_is("ARC-Authentication-Results"))
      return true;
  return false;
}

// What a pass promises (RFC 8617 5.2 steps 3 to 7): sets 1..N, each seal verified, the cv=
// values none then pass, the newest AMS verified, and every sealer named.
void check_pass(const arc::Result& r) {
  if (r.sets.empty() || r.sets.size() > arc::max_instances) std::abort();
  if (r.reason != arc::Reason::ok || r.failed_instance != 0 || r.dns_failure) std::abort();
  for (std::size_t i = 0; i < r.sets.size(); ++i) {
    const arc::SetResult& set = r.sets[i];
    if (set.instance != i + 1 || set.seal_result != dkim::Outcome::pass) std::abort();
    auto expected_cv = i == 0 ? arc::ChainStatus::none : arc::ChainStatus::pass;
    if (set.chain_status != expected_cv) std::abort();
  }
  if (r.sets.back().ams_result != dkim::Outcome::pass) std::abort();
  if (r.sealers().size() != r.sets.size()) std::abort();
  // Step 5: 0 when every AMS verifies, else the instance above the newest that failed, which
  // is at least 2 since the newest (N) verified.
  if (r.oldest_pass && *r.oldest_pass != 0 &&
      (*r.oldest_pass < 2 || *r.oldest_pass > r.sets.size()))
    std::abort();
}

void check_verdict(const arc::Result& r, std::string_view message, bool oldest_pass) {
  if (r.outcome == arc::ChainStatus::pass) check_pass(r);
  if (r.outcome == arc::ChainStatus::pass && oldest_pass && !r.oldest_pass) std::abort();
  if (r.outcome != arc::ChainStatus::pass && (!r.sealers().empty() || r.oldest_pass)) std::abort();
  if (r.outcome == arc::ChainStatus::fail && r.reason == arc::Reason::ok) std::abort();
  if (r.failed_instance > arc::max_instances) std::abort();
  auto parsed = mail::parse_message(message);
  if (parsed && (r.outcome == arc::ChainStatus::none) == has_arc_fields(parsed->headers))
    std::abort();
  static_cast<void>(arc::auth_results_fragment(r));
}

bool same_verdict(const arc::Result& a, const arc::Result& b) {
  return a.outcome == b.outcome && a.reason == b.reason && a.detail == b.detail &&
         a.failed_instance == b.failed_instance && a.oldest_pass == b.oldest_pass &&
         a.sets.size() == b.sets.size();
}

}  // namespace

// Declared for -Wmissing-declarations; libFuzzer or the replay main calls it.
extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size);

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view message(reinterpret_cast<const char*>(data), size);
  // The size picks whether step 5 runs, so both paths get inputs.
  bool oldest_pass = size % 2 == 1;
  dkim::KeyCache cache;
  arc::Result whole =
      core::sync_wait(arc::verify_message(resolver(), message, options(cache, oldest_pass)));
  check_verdict(whole, message, oldest_pass);

  // The split point comes from the message's own first byte, so the fuzzer controls it.
  std::size_t split = size == 0 ? 0 : size * data[0] / 255;
  if (!same_verdict(whole, streamed(message, split, oldest_pass))) std::abort();
  return 0;
}
