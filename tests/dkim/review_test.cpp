// SPDX-License-Identifier: Apache-2.0
// Regression tests for the DKIM findings of the outside review: an h= that names "from." in
// place of From, content appended past l=, and sender text echoed without bound.
#include <gtest/gtest.h>

#include "dkim/internal/crypto.hpp"
#include "dkim/internal/header_hash.hpp"
#include "dkim/internal/parse_reason.hpp"
#include "dkim_fixtures.hpp"
#include "hallmark/core/base64.hpp"
#include "hallmark/core/header_text.hpp"
#include "hallmark/dkim/auth_results.hpp"
#include "hallmark/dkim/parse.hpp"

namespace hallmark::dkim {
namespace {

using testing::rsa_key;
using testing::sign_options;
using testing::signed_copy;
using testing::summary;
using testing::verify;
using testing::zone_with;

const std::string body = "Pay invoice 42 to account A.\r\n";
const std::string headers =
    "From: Alice <alice@example.com>\r\n"
    "To: bob@example.net\r\n"
    "Subject: invoice\r\n";

// A DKIM-Signature that really verifies over the fields `h` names, made the way a careless or
// hostile signer would: with field names no conforming signer writes.
std::string signature_over(std::string_view h, const PrivateKey& key) {
  std::string bh = core::base64_encode(detail::digest_of(Hash::sha256, body).view());
  std::string field =
      "DKIM-Signature: v=1; a=rsa-sha256; c=simple/simple; d=example.com;"
      " s=sel; h=" +
      std::string(h) + "; bh=" + bh + "; b=";
  std::string message = field + "\r\n" + headers + "\r\n" + body;
  auto parsed = mail::parse_message(message);
  EXPECT_TRUE(parsed);
  Signature s;
  s.algorithm = Algorithm::rsa_sha256;
  for (std::size_t start = 0; start <= h.size();) {
    std::size_t colon = std::min(h.find(':', start), h.size());
    s.signed_headers.emplace_back(h.substr(start, colon - start));
    start = colon + 1;
  }
  s.b_value_offset = parsed->headers[0].value.size();
  detail::HeaderIndex index(parsed->headers);
  detail::DigestBytes digest = detail::header_digest(parsed->headers, index, 0, s);
  std::string b =
      detail::sign_digest(static_cast<EVP_PKEY*>(key.native()), s.algorithm, digest.view());
  EXPECT_FALSE(b.empty());
  return field + core::base64_encode(b) + "\r\n";
}

TEST(DkimReview, FromWithATrailingDotDoesNotCountAsSigningFrom) {
  // "from." is no field's name: a signature listing it leaves From unsigned (RFC 6376 5.4).
  for (std::string_view h : {"from.:to:subject", "From.:To:Subject", "FROM.:to"}) {
    SCOPED_TRACE(h);
    auto parsed = parse_signature(std::string("v=1; a=rsa-sha256; d=example.com; s=sel; h=") +
                                  std::string(h) + "; bh=AAAA; b=AAAA");
    ASSERT_FALSE(parsed);
    EXPECT_EQ(detail::reason_for(parsed.error()), Reason::from_not_signed);
  }
  for (std::string_view h : {"from:to", "FROM:to", "fRoM"}) {
    auto parsed = parse_signature(std::string("v=1; a=rsa-sha256; d=example.com; s=sel; h=") +
                                  std::string(h) + "; bh=AAAA; b=AAAA");
    EXPECT_TRUE(parsed) << h << ": " << parsed.error().message;
  }
}

TEST(DkimReview, MessageSignedOverFromDotNeverPasses) {
  PrivateKey key = rsa_key(2048);
  dns::ZoneResolver zone = zone_with(key.dns_record());
  std::string signature = signature_over("from.:to:subject", key);
  std::string original = signature + headers + "\r\n" + body;
  std::vector<Result> results = verify(zone, original);
  ASSERT_EQ(results.size(), 1u);
  EXPECT_EQ(summary(results[0]), "permerror/from_not_signed") << results[0].detail;

  std::string forged = original;
  forged.replace(forged.find("Alice <alice@example.com>"), 25, "Bank <ceo@bank.example>");
  results = verify(zone, forged);
  ASSERT_EQ(results.size(), 1u);
  EXPECT_NE(results[0].outcome, Outcome::pass);

  // The same construction with the real name verifies, so the test above tests the name.
  std::string honest = signature_over("from:to:subject", key) + headers + "\r\n" + body;
  EXPECT_EQ(summary(verify(zone, honest)), "pass");
}

// The classic l= attack: a signed message with content appended after signing.
struct Appended {
  std::string message;
  dns::ZoneResolver zone;
};

Appended appended_after_signing() {
  PrivateKey key = rsa_key(2048);
  SignOptions options = sign_options();
  options.body_length = true;
  std::string message = headers + "\r\n" + body;
  return {signed_copy(message, key, options) + "Pay to account B instead.\r\n",
          zone_with(key.dns_record())};
}

TEST(DkimReview, ContentAfterLengthLimitIsNeutralByDefault) {
  Appended a = appended_after_signing();
  std::vector<Result> results = verify(a.zone, a.message);
  ASSERT_EQ(results.size(), 1u);
  EXPECT_EQ(summary(results[0]), "neutral/body_not_covered") << results[0].detail;
  EXPECT_EQ(results[0].body_length, body.size());
  EXPECT_EQ(results[0].canonical_body_length, body.size() + 27);
  EXPECT_EQ(results[0].unsigned_body_octets, 27u);
  EXPECT_NE(results[0].detail.find("27"), std::string::npos) << results[0].detail;
  EXPECT_NE(auth_results_fragment(results[0]).find("dkim=neutral (l="), std::string::npos)
      << auth_results_fragment(results[0]);
}

TEST(DkimReview, ContentAfterLengthLimitFollowsThePolicy) {
  Appended a = appended_after_signing();
  VerifyOptions options;
  options.unsigned_body = UnsignedBody::accept;
  std::vector<Result> results = verify(a.zone, a.message, options);
  ASSERT_EQ(results.size(), 1u);
  EXPECT_EQ(summary(results[0]), "pass");
  EXPECT_EQ(results[0].unsigned_body_octets, 27u);
  // Accepted, but never silently: the fragment says what was not signed.
  EXPECT_EQ(auth_results_fragment(results[0]).find("dkim=pass (l= leaves 27 body octets unsigned)"),
            0u)
      << auth_results_fragment(results[0]);

  options.unsigned_body = UnsignedBody::fail;
  EXPECT_EQ(summary(verify(a.zone, a.message, options)), "fail/body_not_covered");
}

TEST(DkimReview, LengthLimitCoveringTheWholeBodyPasses) {
  PrivateKey key = rsa_key(2048);
  SignOptions options = sign_options();
  options.body_length = true;
  std::string message = signed_copy(headers + "\r\n" + body, key, options);
  dns::ZoneResolver zone = zone_with(key.dns_record());
  std::vector<Result> results = verify(zone, message);
  ASSERT_EQ(results.size(), 1u);
  EXPECT_EQ(summary(results[0]), "pass");
  EXPECT_EQ(results[0].unsigned_body_octets, 0u);
  EXPECT_EQ(results[0].canonical_body_length, body.size());
}

TEST(DkimReview, UnparsableDomainAndAlgorithmAreEchoedCut) {
  std::string huge(10'000, 'x');
  std::string message = "DKIM-Signature: v=1; a=" + huge + "; d=" + huge + ".example; s=" + huge +
                        "; h=From; bh=AAAA; b=AAAA\r\n" + headers + "\r\n" + body;
  dns::ZoneResolver zone;
  std::vector<Result> results = verify(zone, message);
  ASSERT_EQ(results.size(), 1u);
  EXPECT_EQ(results[0].outcome, Outcome::permerror);
  for (const std::string* echoed :
       {&results[0].algorithm, &results[0].domain, &results[0].selector}) {
    EXPECT_LE(echoed->size(), core::max_echoed_octets + 3);
    EXPECT_TRUE(echoed->ends_with("...")) << *echoed;
  }
  EXPECT_LT(results[0].detail.size(), 200u);
  EXPECT_LT(auth_results_fragment(results[0]).size(), 1200u);
}

// verify_message reads the message when the task runs: a temporary string would be gone by
// then, so that call does not compile (as for its siblings that keep views).
template <class Message>
concept VerifiableTemporary = requires(dns::Resolver& resolver, Message message) {
  verify_message(resolver, std::move(message));
};
static_assert(!VerifiableTemporary<std::string>);
static_assert(VerifiableTemporary<std::string_view>);

}  // namespace
}  // namespace hallmark::dkim
