// SPDX-License-Identifier: Apache-2.0
// DKIM key records (RFC 6376 3.6.1, RFC 8463 4): tags, flags and restrictions, rejections, and
// keys published as several TXT strings.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "hallmark/core/base64.hpp"
#include "hallmark/core/sync_wait.hpp"
#include "hallmark/dkim/record.hpp"
#include "hallmark/dkim/sign.hpp"
#include "hallmark/dkim/verify.hpp"
#include "hallmark/dns/zone_resolver.hpp"

namespace hallmark::dkim {
namespace {

using core::Errc;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

// The RFC 8463 A.2 keys.
constexpr std::string_view rsa_p =
    "MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQDkHlOQoBTzWRiGs5V6NpP3idY6Wk08a5qhdR6wy5bdOKb2jLQiY/"
    "J16JYi0Qvx/"
    "byYzCNb3W91y3FutACDfzwQ/BC/e/8uBsCR+yz1Lxj+PL6lHvqMKrM3rG4hstT5QjvHO9PzoxZyVYLzBfO2EeC3Ip3G+"
    "2kryOTIKT+l/K4w3QIDAQAB";
constexpr std::string_view ed25519_p = "11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=";

std::string with_p(std::string_view before, std::string_view p = rsa_p) {
  return std::string(before) + "p=" + std::string(p);
}

TEST(DkimKeyRecordParse, ReadsRsaAndEd25519Keys) {
  auto rsa = parse_key_record(with_p("v=DKIM1; k=rsa; "));
  ASSERT_TRUE(rsa) << rsa.error().message;
  EXPECT_EQ(rsa->type, KeyType::rsa);
  EXPECT_EQ(rsa->public_key, *core::base64_decode(rsa_p));
  EXPECT_TRUE(rsa->hashes.empty());
  EXPECT_TRUE(rsa->services.empty());
  EXPECT_FALSE(rsa->testing);
  EXPECT_FALSE(rsa->strict_subdomains);
  EXPECT_FALSE(rsa->revoked());

  auto ed25519 = parse_key_record(with_p("v=DKIM1; k=ed25519; ", ed25519_p));
  ASSERT_TRUE(ed25519) << ed25519.error().message;
  EXPECT_EQ(ed25519->type, KeyType::ed25519);
  EXPECT_EQ(ed25519->public_key.size(), 32u);

  // Every tag but p= is optional; k= defaults to rsa.
  auto bare = parse_key_record(with_p(""));
  ASSERT_TRUE(bare) << bare.error().message;
  EXPECT_EQ(bare->type, KeyType::rsa);
}

TEST(DkimKeyRecordParse, ReadsFlagsAndRestrictions) {
  struct {
    std::string text;
    std::vector<Hash> hashes;
    std::vector<std::string> services;
    bool testing, strict;
  } cases[] = {
      {with_p("v=DKIM1; h=sha256; "), {Hash::sha256}, {}, false, false},
      {with_p("h=sha1:sha256; "), {Hash::sha1, Hash::sha256}, {}, false, false},
      // RFC 6376 3.6.1: unrecognized hash names are ignored.
      {with_p("h=md5 : sha256:sha512; "), {Hash::sha256}, {}, false, false},
      {with_p("s=email; "), {}, {"email"}, false, false},
      {with_p("s=*; "), {}, {"*"}, false, false},
      {with_p("s=email:web:fine; "), {}, {"email", "web", "fine"}, false, false},
      {with_p("t=y; "), {}, {}, true, false},
      {with_p("t=s; "), {}, {}, false, true},
      {with_p("t=y:s; "), {}, {}, true, true},
      // Unknown flags are ignored (the Mail::DKIM corpus publishes "t = y:n:extra").
      {with_p("v=DKIM1; x1 = extra ; t = y:n:extra; "), {}, {}, true, false},
      // g= is RFC 4871's, gone in RFC 6376; n= is only notes.
      {with_p("v=DKIM1; g=jl*g; n=send comments to tony; "), {}, {}, false, false},
  };
  for (const auto& test : cases) {
    auto key = parse_key_record(test.text);
    ASSERT_TRUE(key) << test.text << ": " << key.error().message;
    EXPECT_EQ(key->hashes, test.hashes) << test.text;
    EXPECT_EQ(key->services, test.services) << test.text;
    EXPECT_EQ(key->testing, test.testing) << test.text;
    EXPECT_EQ(key->strict_subdomains, test.strict) << test.text;
  }
}

TEST(DkimKeyRecordParse, EmptyPublicKeyMeansRevoked) {
  for (std::string_view text : {"v=DKIM1; k=rsa; p=", "k=rsa; t=y; p=", "v=DKIM1; p= ;"}) {
    auto key = parse_key_record(text);
    ASSERT_TRUE(key) << text << ": " << key.error().message;
    EXPECT_TRUE(key->revoked()) << text;
  }
}

TEST(DkimKeyRecordParse, RejectionsNameTheProblem) {
  struct {
    std::string text;
    Errc code;
    std::string_view says;
  } cases[] = {
      // RFC 6376 3.6.1: v= MUST be first when present, and "DKIM1".
      {with_p("k=rsa; v=DKIM1; "), Errc::bad_value, "'v' is not the first tag"},
      {with_p("v=DKIM3; "), Errc::unsupported, "'v'"},
      {with_p("v=dkim1; "), Errc::unsupported, "'v'"},
      {with_p("k=foobar; "), Errc::unsupported, "'k'"},
      // dkimpy's badk.txt: the algorithm name where the key type belongs.
      {with_p("k=ed25519-sha256; "), Errc::unsupported, "'k'"},
      {with_p("h=bad; "), Errc::unsupported, "'h'"},
      {"v=DKIM1; k=rsa", Errc::missing_tag, "p="},
      {"", Errc::missing_tag, "p="},
      {with_p("v=DKIM1; ", "MIGf*MA0G"), Errc::bad_encoding, "'p'"},
      // dkimpy's badversion.txt: "v=DKIM1:" is not a tag list.
      {with_p("v=DKIM1: k=rsa; "), Errc::unsupported, "'v'"},
      {with_p("v=DKIM1; k=rsa; t; "), Errc::syntax, "'t'"},
      {with_p("v=DKIM1; k=rsa; k=ed25519; "), Errc::duplicate_tag, "'k'"},
  };
  for (const auto& test : cases) {
    auto key = parse_key_record(test.text);
    ASSERT_FALSE(key) << test.text;
    EXPECT_EQ(key.error().code, test.code) << test.text << ": " << key.error().message;
    EXPECT_THAT(key.error().message, HasSubstr(std::string(test.says))) << test.text;
  }
}

TEST(DkimKeyRecordParse, FoldedBase64IsJoined) {
  std::string folded = "v=DKIM1; p=";
  std::string_view p = rsa_p;
  while (!p.empty()) {
    folded += std::string(p.substr(0, 20)) + " \t";
    p.remove_prefix(std::min<std::size_t>(20, p.size()));
  }
  auto key = parse_key_record(folded);
  ASSERT_TRUE(key) << key.error().message;
  EXPECT_EQ(key->public_key, *core::base64_decode(rsa_p));
}

TEST(DkimKeyRecordParse, KeyNameIsSelectorUnderDomainkey) {
  EXPECT_EQ(key_name("brisbane", "football.example.com"),
            "brisbane._domainkey.football.example.com");
  EXPECT_EQ(key_name("2023-05.eu", "example.org"), "2023-05.eu._domainkey.example.org");
}

// RFC 6376 3.6.2.2: a record of several strings is read as their concatenation. 2048-bit and
// larger RSA keys do not fit one 255-octet string, and publishers cut them anywhere: inside
// the base64, inside a tag name, right after a ';'.
TEST(DkimKeyRecord, KeyPublishedAsSeveralStringsVerifies) {
  auto key = PrivateKey::generate(KeyType::rsa, 2048);
  ASSERT_TRUE(key) << key.error().message;
  const std::string record = key->dns_record();
  const std::string message = "From: a@example.com\r\nSubject: cut keys\r\n\r\nbody\r\n";
  SignOptions options;
  options.domain = "example.com";
  options.selector = "sel";
  auto field = sign_message(message, *key, options);
  ASSERT_TRUE(field) << field.error().message;
  const std::string signed_message = *field + message;
  for (std::size_t piece : {1u, 2u, 7u, 100u, 255u}) {
    std::vector<std::string> strings;
    for (std::size_t at = 0; at < record.size(); at += piece)
      strings.push_back(record.substr(at, piece));
    dns::ZoneResolver zone;
    zone.add_txt("sel._domainkey.example.com", strings);
    KeyCache cache;
    VerifyOptions verify_options;
    verify_options.key_cache = &cache;
    std::vector<Result> results =
        core::sync_wait(verify_message(zone, signed_message, verify_options));
    ASSERT_EQ(results.size(), 1u);
    EXPECT_EQ(results[0].outcome, Outcome::pass)
        << "strings of " << piece << ": " << results[0].detail;
    EXPECT_EQ(results[0].key_bits, 2048u);
  }
}

}  // namespace
}  // namespace hallmark::dkim
