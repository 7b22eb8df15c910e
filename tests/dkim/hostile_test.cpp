// SPDX-License-Identifier: Apache-2.0
// Hostile DKIM input: malformed base64, a 100,000-entry h=, 10,000 DKIM-Signature fields,
// garbage and truncated DER keys, a 1 MB key record. Each must give a clear error or verdict,
// in bounded time and memory.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <random>

#include "dkim_fixtures.hpp"
#include "hallmark/core/base64.hpp"
#include "hallmark/dkim/parse.hpp"
#include "support/bounded.hpp"

namespace hallmark::dkim {
namespace {

using ::testing::HasSubstr;
using testing::pinned_now;
using testing::rsa_key;
using testing::sign_options;
using testing::signed_copy;
using testing::summary;
using testing::verify;
using testing::zone_with;

using test_support::bounded;

const std::string plain_message =
    "From: Alice <alice@example.com>\r\n"
    "To: bob@example.net\r\n"
    "Subject: hostile\r\n"
    "\r\n"
    "Hello\r\n";

// A syntactically complete signature with the given tags replaced or added.
std::string signature_field(std::string_view extra_tags, std::string_view b = "AAAA",
                            std::string_view bh = "2jUSOH9NhtVGCQWNr9BrIAPreKQjO6Sn7XIkfJVOzv8=",
                            std::string_view h = "From:To:Subject") {
  return "DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed; d=example.com; s=sel; h=" +
         std::string(h) + "; bh=" + std::string(bh) + "; " + std::string(extra_tags) +
         "b=" + std::string(b) + "\r\n";
}

TEST(DkimHostile, MalformedBase64IsPermerrorNamingTheTag) {
  struct {
    std::string field;
    std::string_view tag;
  } cases[] = {
      {signature_field("", "!!!!"), "'b'"},
      {signature_field("", "QUJD="), "'b'"},
      {signature_field("", "QU\x01JD"), "'b'"},  // a control character: tag-list syntax
      {signature_field("", std::string(100'000, 'A') + "="), "'b'"},
      {signature_field("", "AAAA", "2jUSOH9NhtVGCQWNr9BrIAPreKQjO6Sn7XIkfJVOzv8"), "'bh'"},
      {signature_field("", "AAAA", "====2jUSOH9NhtVGCQWNr9BrIAPreKQjO6Sn7XIkfJVOzv8"), "'bh'"},
  };
  dns::ZoneResolver zone = zone_with(rsa_key(2048).dns_record());
  for (const auto& test : cases) {
    std::vector<Result> results = verify(zone, test.field + plain_message);
    ASSERT_EQ(results.size(), 1u) << test.field.substr(0, 120);
    EXPECT_EQ(results[0].outcome, Outcome::permerror) << test.field.substr(0, 120);
    EXPECT_THAT(results[0].detail, HasSubstr(std::string(test.tag))) << test.field.substr(0, 120);
  }
  // Damaged base64 in the key record: the key, not the signature, is at fault.
  dns::ZoneResolver bad_key = zone_with("v=DKIM1; k=rsa; p=MIGf*MA0GCSqGSIb3");
  std::vector<Result> results =
      verify(bad_key, signed_copy(plain_message, rsa_key(2048), sign_options()));
  ASSERT_EQ(results.size(), 1u);
  EXPECT_EQ(summary(results[0]), "permerror/key_syntax");
  EXPECT_THAT(results[0].detail, HasSubstr("'p'"));
}

// b= and bh= decoding to more than any real signature or digest, which the verifier keeps on
// the heap rather than inline: judged as wrong values, not cut to size.
TEST(DkimHostile, OversizedSignatureAndBodyHashAreJudged) {
  PrivateKey key = rsa_key(2048);
  dns::ZoneResolver zone = zone_with(key.dns_record());
  SignOptions options = sign_options();
  options.body_canonicalization = Canonicalization::relaxed;
  auto field = sign_message(plain_message, key, options);
  ASSERT_TRUE(field) << field.error().message;
  auto signature = parse_signature(std::string_view(*field).substr(field->find(':') + 1));
  ASSERT_TRUE(signature) << signature.error().message;
  const std::string bh = core::base64_encode(signature->body_hash);
  const std::string long_b = core::base64_encode(std::string(1000, 'x'));
  const std::string long_bh = core::base64_encode(signature->body_hash + std::string(100, 'x'));
  struct {
    std::string field;
    std::string_view verdict;
  } cases[] = {
      {signature_field("", long_b, bh), "fail/signature_mismatch"},
      {signature_field("", "AAAA", long_bh), "fail/body_hash_mismatch"},
  };
  for (const auto& test : cases) {
    std::vector<Result> results = verify(zone, test.field + plain_message);
    ASSERT_EQ(results.size(), 1u);
    EXPECT_EQ(summary(results[0]), test.verdict) << test.field.substr(0, 120);
  }
}

// 100,000 names in h=, most of them repeats of present fields and names of absent ones: the
// verifier must hash what they select (each instance once) in time linear in the list.
TEST(DkimHostile, HundredThousandEntryHeaderList) {
  std::string h = "From";
  for (int i = 1; i < 100'000; ++i)
    h += i % 3 == 0 ? ":To" : (i % 3 == 1 ? ":X-Absent-" + std::to_string(i) : ":from");
  std::string message =
      signature_field("", "AAAA", "2jUSOH9NhtVGCQWNr9BrIAPreKQjO6Sn7XIkfJVOzv8=", h) +
      plain_message;
  ASSERT_GT(message.size(), 700'000u);  // most of the 2 MiB a header section may have
  dns::ZoneResolver zone = zone_with(rsa_key(2048).dns_record());
  std::vector<Result> results = bounded("100,000-entry h=", [&] { return verify(zone, message); });
  ASSERT_EQ(results.size(), 1u);
  // Well formed, so judged: the body hash above is not this body's.
  EXPECT_EQ(results[0].outcome, Outcome::fail) << results[0].detail;
}

// Counts lookups, to show that signatures past the cap cost no DNS traffic.
class CountingResolver final : public dns::Resolver {
 public:
  explicit CountingResolver(dns::Resolver& inner) : inner_(inner) {}
  void lookup(std::string_view name, dns::Type type, Completion done) override {
    ++lookups;
    inner_.lookup(name, type, std::move(done));
  }
  std::size_t lookups = 0;

 private:
  dns::Resolver& inner_;
};

std::string many_signatures(std::size_t count) {
  std::string message;
  message.reserve(count * 200);
  // Different selectors, so a cache or de-duplication of names cannot hide the cost.
  for (std::size_t i = 0; i < count; ++i)
    message += "DKIM-Signature: v=1; a=rsa-sha256; d=example.com; s=s" + std::to_string(i) +
               "; h=From; bh=2jUSOH9NhtVGCQWNr9BrIAPreKQjO6Sn7XIkfJVOzv8=; b=AAAA\r\n";
  return message + plain_message;
}

TEST(DkimHostile, TenThousandSignatureFieldsAreCappedNotVerified) {
  dns::ZoneResolver zone;
  CountingResolver counting(zone);
  VerifyOptions options;
  // The default header limit is 10,000 fields; raise it so the signature cap is what acts.
  options.limits.max_fields = 20'000;
  std::string message = many_signatures(10'000);
  std::vector<Result> results =
      bounded("10,000 signatures", [&] { return verify(counting, message, options); });
  ASSERT_EQ(results.size(), 10'000u);
  EXPECT_LE(counting.lookups, options.max_signatures);
  for (std::size_t i = 0; i < results.size(); ++i) {
    if (i < options.max_signatures) {
      EXPECT_EQ(summary(results[i]), "permerror/key_not_found") << i;
    } else {
      ASSERT_EQ(summary(results[i]), "permerror/too_many_signatures") << i;
      EXPECT_EQ(results[i].selector, "s" + std::to_string(i));  // still says which one it was
    }
  }
}

// Under the default limits 10,000 signature fields plus the message's own overflow the header
// section: the streaming verifier refuses the message with an error that says why.
TEST(DkimHostile, TenThousandSignatureFieldsOverflowTheDefaultHeaderLimit) {
  dns::ZoneResolver zone;
  std::string message = many_signatures(10'000);
  Verifier verifier(zone);
  core::Expected<void> fed = bounded("10,000 signatures", [&] { return verifier.feed(message); });
  ASSERT_FALSE(fed);
  EXPECT_EQ(fed.error().code, core::Errc::too_many);
  EXPECT_THAT(fed.error().message, HasSubstr("10000 fields"));
  // Finishing completes with no lookups, and the message is a permanent error rather than
  // "unsigned": a flood of fields must not buy a dkim=none.
  std::vector<Result> results = core::sync_wait(verifier.finish());
  ASSERT_EQ(results.size(), 1u);
  EXPECT_EQ(results[0].outcome, Outcome::permerror);
  EXPECT_THAT(results[0].detail, HasSubstr("header section"));
  std::vector<Result> whole = verify(zone, message);
  ASSERT_EQ(whole.size(), 1u);
  EXPECT_EQ(whole[0].outcome, Outcome::permerror);
}

std::string spki_of(const PrivateKey& key) {
  std::string record = key.dns_record();
  return *core::base64_decode(record.substr(record.find("p=") + 2));
}

TEST(DkimHostile, GarbageAndTruncatedDerKeysAreUnusable) {
  PrivateKey key = rsa_key(2048);
  std::string message = signed_copy(plain_message, key, sign_options());
  std::string spki = spki_of(key);
  std::mt19937 random(42);
  std::string noise(300, '\0');
  for (char& c : noise) c = static_cast<char>(random());
  // An Ed25519 SubjectPublicKeyInfo: a real key, but not an RSA one.
  std::string ed_spki =
      "\x30\x2a\x30\x05\x06\x03\x2b\x65\x70\x03\x21\x00" + std::string(32, '\x11');
  struct {
    const char* name;
    std::string k;
    std::string p;
  } cases[] = {
      {"random bytes", "rsa", noise},
      {"truncated by one octet", "rsa", spki.substr(0, spki.size() - 1)},
      {"truncated to half", "rsa", spki.substr(0, spki.size() / 2)},
      {"only the DER header", "rsa", spki.substr(0, 4)},
      {"one zero octet", "rsa", std::string(1, '\0')},
      {"trailing garbage", "rsa", spki + "garbage"},
      {"a length field claiming 4 GB", "rsa", "\x30\x84\xff\xff\xff\xff" + spki.substr(4)},
      {"an Ed25519 SPKI under k=rsa", "rsa", ed_spki},
      {"an RSA SPKI under k=ed25519", "ed25519", spki},
      {"31 octets under k=ed25519", "ed25519", std::string(31, '\x11')},
      {"an Ed25519 SPKI under k=ed25519 (RFC 8463 wants the raw 32 octets)", "ed25519", ed_spki},
  };
  for (const auto& test : cases) {
    dns::ZoneResolver zone =
        zone_with("v=DKIM1; k=" + test.k + "; p=" + core::base64_encode(test.p));
    std::vector<Result> results = verify(zone, message);
    ASSERT_EQ(results.size(), 1u) << test.name;
    EXPECT_EQ(results[0].outcome, Outcome::permerror) << test.name;
    // A key of the wrong type for a= may be caught before or after decoding; either names it.
    EXPECT_THAT((std::vector<Reason>{Reason::key_unusable, Reason::key_type_mismatch}),
                ::testing::Contains(results[0].reason))
        << test.name << ": " << summary(results[0]) << " " << results[0].detail;
    EXPECT_FALSE(results[0].detail.empty()) << test.name;
  }
}

TEST(DkimHostile, MegabyteKeyRecordIsRejectedQuickly) {
  std::string message = signed_copy(plain_message, rsa_key(2048), sign_options());
  std::string huge_p = core::base64_encode(std::string(750'000, '\x5a'));
  struct {
    const char* name;
    std::string record;
  } cases[] = {
      {"a 1 MB p=", "v=DKIM1; k=rsa; p=" + huge_p},
      {"a 1 MB notes tag before a good key",
       "v=DKIM1; n=" + std::string(1'000'000, 'n') + "; " + rsa_key(2048).dns_record().substr(9)},
      {"120,000 unknown tags",
       [] {
         std::string r = "v=DKIM1; k=rsa; ";
         for (int i = 0; i < 120'000; ++i) r += "x" + std::to_string(i) + "=1;";
         return r + "p=";
       }()},
  };
  for (const auto& test : cases) {
    ASSERT_GE(test.record.size(), 1'000'000u) << test.name;
    // Published as the 255-octet strings a real zone would hold, about 4,000 of them.
    std::vector<std::string> strings;
    for (std::size_t at = 0; at < test.record.size(); at += 255)
      strings.push_back(test.record.substr(at, 255));
    dns::ZoneResolver zone;
    zone.add_txt("sel._domainkey.example.com", strings);
    std::vector<Result> results = bounded(test.name, [&] { return verify(zone, message); });
    ASSERT_EQ(results.size(), 1u) << test.name;
    if (std::string_view(test.name).starts_with("a 1 MB notes")) {
      // Nothing wrong with a long record as such: the key in it works.
      EXPECT_EQ(summary(results[0]), "pass") << test.name << ": " << results[0].detail;
    } else {
      EXPECT_EQ(results[0].outcome, Outcome::permerror) << test.name;
      EXPECT_FALSE(results[0].detail.empty()) << test.name;
      EXPECT_LT(results[0].detail.size(), 1000u)
          << test.name << ": the detail must not echo the record";
    }
  }
}

// Other shapes of nonsense in the field itself.
TEST(DkimHostile, BrokenSignatureFieldsArePermerrors) {
  const std::string fields[] = {
      "DKIM-Signature:\r\n",
      "DKIM-Signature: \r\n \r\n",
      "DKIM-Signature: ;;;;\r\n",
      "DKIM-Signature: eeee\r\n",
      "DKIM-Signature: v=1; v=1; v=1\r\n",
      "DKIM-Signature: =?UTF-8?Q?v=3D1;_a=3Drsa-sha256?=\r\n",
      "DKIM-Signature: v=1; a=rsa-sha256; d=" + std::string(100'000, 'a') +
          ".com; s=sel; h=From; bh=AAAA; b=AAAA\r\n",
      "DKIM-Signature: v=1; a=rsa-sha256; d=example.com; s=" + std::string(300, 's') +
          "; h=From; bh=AAAA; b=AAAA\r\n",
      "DKIM-Signature: v=1; a=rsa-sha256; d=example.com; s=sel; h=From; bh=AAAA; b=AAAA; l=" +
          std::string(100'000, '9') + "\r\n",
  };
  dns::ZoneResolver zone;
  for (const std::string& field : fields) {
    std::vector<Result> results =
        bounded("broken field", [&] { return verify(zone, field + plain_message); });
    ASSERT_EQ(results.size(), 1u) << field.substr(0, 80);
    EXPECT_EQ(results[0].outcome, Outcome::permerror) << field.substr(0, 80);
    EXPECT_FALSE(results[0].detail.empty()) << field.substr(0, 80);
    EXPECT_LT(results[0].detail.size(), 1000u) << field.substr(0, 80);
  }
}

}  // namespace
}  // namespace hallmark::dkim
