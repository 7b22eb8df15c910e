// SPDX-License-Identifier: Apache-2.0
// DKIM verification end to end over zone fixtures: the RFC 8463 example, sign-then-verify
// round trips, and the negative cases (altered body or header, added header, revoked key,
// testing key, SHA-1 restrictions, small keys, key flags, DNS failures, time limits).
#include <gtest/gtest.h>

#include <functional>

#include "dkim_corpus.hpp"
#include "dkim_fixtures.hpp"

namespace hallmark::dkim {
namespace {

using testing::ed25519_key;
using testing::key_of;
using testing::pinned_now;
using testing::rsa_key;
using testing::sign_options;
using testing::signed_copy;
using testing::summary;
using testing::to_crlf;
using testing::verify;
using testing::zone_with;

const char* const rfc8463_zone = R"(
brisbane._domainkey.football.example.com. TXT "v=DKIM1; k=ed25519; p=11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo="
test._domainkey.football.example.com. TXT "v=DKIM1; k=rsa; p=MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQDkHlOQoBTzWRiGs5V6NpP3idY6Wk08a5qhdR6wy5bdOKb2jLQiY/J16JYi0Qvx/byYzCNb3W91y3FutACDfzwQ/BC/e/8uBsCR+yz1Lxj+PL6lHvqMKrM3rG4hstT5QjvHO9PzoxZyVYLzBfO2EeC3Ip3G+2kryOTIKT+l/K4w3QIDAQAB"
)";

TEST(DkimVerify, Rfc8463ExampleBothSignaturesPass) {
  auto zone = dns::ZoneResolver::from_text(rfc8463_zone);
  ASSERT_TRUE(zone);
  std::string message = to_crlf(testing::read_conformance("dkim/rfc8463/rfc8463-example.msg"));
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
    PrivateKey key = key_of(type);
    dns::ZoneResolver zone = zone_with(key.dns_record());
    for (auto header_c : {Canonicalization::simple, Canonicalization::relaxed}) {
      for (auto body_c : {Canonicalization::simple, Canonicalization::relaxed}) {
        for (bool length : {false, true}) {
          SignOptions options = sign_options();
          options.header_canonicalization = header_c;
          options.body_canonicalization = body_c;
          options.body_length = length;
          options.oversign = true;
          std::string signed_message = signed_copy(plain_message, key, options);
          std::vector<Result> results = verify(zone, signed_message);
          ASSERT_EQ(results.size(), 1u);
          EXPECT_EQ(results[0].outcome, Outcome::pass)
              << to_string(header_c) << "/" << to_string(body_c) << " l=" << length << ": "
              << results[0].detail << "\n"
              << signed_message;
          std::string altered = signed_message;
          altered[altered.size() - 8] ^= 1;
          EXPECT_EQ(verify(zone, altered)[0].outcome, Outcome::fail);
        }
      }
    }
  }
}

std::string replace(std::string text, std::string_view from, std::string_view to) {
  std::size_t at = text.find(from);
  if (at == std::string::npos) {
    ADD_FAILURE() << "'" << from << "' is not in the message";
    return text;
  }
  return text.replace(at, from.size(), to);
}

// Puts `field` right below the DKIM-Signature field, above the signed fields: where an attacker
// adds a From that mail readers show.
std::string add_below_signature(const std::string& signed_message, std::string_view field) {
  std::size_t from = signed_message.find("\r\nFrom:");
  if (from == std::string::npos) return signed_message;
  return std::string(signed_message).insert(from + 2, field);
}

// Each case: how the message is signed, what is published, what happens to the message on the
// way, how it is verified, and the verdict (outcome/reason).
struct NegativeCase {
  const char* name;
  KeyType key = KeyType::rsa;
  std::function<void(SignOptions&)> sign = [](SignOptions&) {};
  std::function<std::string(const std::string& record)> publish = [](const std::string& record) {
    return record;
  };
  std::function<std::string(const std::string& message)> transit = [](const std::string& message) {
    return message;
  };
  std::function<void(VerifyOptions&)> check = [](VerifyOptions&) {};
  std::string_view verdict;
  bool testing_key = false;
};

std::string append(const std::string& text, std::string_view more) {
  return text + std::string(more);
}

const NegativeCase negative_cases[] = {
    {.name = "one altered body byte (rsa)",
     .transit = [](const std::string& m) { return replace(m, "Hello Bob", "Hello Bib"); },
     .verdict = "fail/body_hash_mismatch"},
    {.name = "one altered body byte (ed25519)",
     .key = KeyType::ed25519,
     .transit = [](const std::string& m) { return replace(m, "spaced", "spacex"); },
     .verdict = "fail/body_hash_mismatch"},
    {.name = "altered signed header",
     .transit = [](const std::string& m) { return replace(m, "To: bob@", "To: rob@"); },
     .verdict = "fail/signature_mismatch"},
    {.name = "altered signed header (ed25519)",
     .key = KeyType::ed25519,
     .transit =
         [](const std::string& m) { return replace(m, "<1@example.com>", "<2@example.com>"); },
     .verdict = "fail/signature_mismatch"},
    {.name = "added unsigned header",
     .transit = [](const std::string& m) { return "Received: from relay.example.net\r\n" + m; },
     .verdict = "pass"},
    // RFC 6376 8.15: without over-signing, a From added above the signed one is not seen by
    // the verifier (it takes instances bottom-up) but is shown by mail readers.
    {.name = "added From, not over-signed",
     .transit =
         [](const std::string& m) {
           return add_below_signature(m, "From: Mallory <m@evil.example>\r\n");
         },
     .verdict = "pass"},
    {.name = "added From, over-signed",
     .sign = [](SignOptions& o) { o.oversign = true; },
     .transit =
         [](const std::string& m) {
           return add_below_signature(m, "From: Mallory <m@evil.example>\r\n");
         },
     .verdict = "fail/signature_mismatch"},
    {.name = "added Subject, over-signed",
     .sign = [](SignOptions& o) { o.oversign = true; },
     .transit = [](const std::string& m) { return add_below_signature(m, "Subject: Urgent\r\n"); },
     .verdict = "fail/signature_mismatch"},
    {.name = "added Cc, over-signed though absent when signed",
     .sign = [](SignOptions& o) { o.oversign = true; },
     .transit =
         [](const std::string& m) { return add_below_signature(m, "Cc: eve@evil.example\r\n"); },
     .verdict = "fail/signature_mismatch"},
    {.name = "revoked key",
     .publish = [](const std::string&) { return std::string("v=DKIM1; k=rsa; p="); },
     .verdict = "permerror/key_revoked"},
    {.name = "testing key passes and says so",
     .publish = [](const std::string& r) { return replace(r, "v=DKIM1;", "v=DKIM1; t=y;"); },
     .verdict = "pass",
     .testing_key = true},
    {.name = "testing key still fails an altered body",
     .publish = [](const std::string& r) { return append(r, "; t=y"); },
     .transit = [](const std::string& m) { return replace(m, "Hello", "Howdy"); },
     .verdict = "fail/body_hash_mismatch",
     .testing_key = true},
    {.name = "rsa-sha1 rejected by default (RFC 8301 3.1)",
     .sign = [](SignOptions& o) { o.algorithm = Algorithm::rsa_sha1; },
     .verdict = "permerror/sha1_rejected"},
    {.name = "rsa-sha1 accepted when allowed",
     .sign = [](SignOptions& o) { o.algorithm = Algorithm::rsa_sha1; },
     .check = [](VerifyOptions& o) { o.allow_sha1 = true; },
     .verdict = "pass"},
    {.name = "key h=sha1 refuses an rsa-sha256 signature",
     .publish = [](const std::string& r) { return replace(r, "k=rsa;", "k=rsa; h=sha1;"); },
     .verdict = "permerror/key_hash_rejected"},
    {.name = "key h=sha256 refuses an rsa-sha1 signature",
     .sign = [](SignOptions& o) { o.algorithm = Algorithm::rsa_sha1; },
     .publish = [](const std::string& r) { return replace(r, "k=rsa;", "k=rsa; h=sha256;"); },
     .check = [](VerifyOptions& o) { o.allow_sha1 = true; },
     .verdict = "permerror/key_hash_rejected"},
    {.name = "key h=sha1:sha256 allows rsa-sha256",
     .publish = [](const std::string& r) { return replace(r, "k=rsa;", "k=rsa; h=sha1:sha256;"); },
     .verdict = "pass"},
    {.name = "ed25519 signature against an RSA key",
     .key = KeyType::ed25519,
     .publish = [](const std::string&) { return rsa_key(2048).dns_record(); },
     .verdict = "permerror/key_type_mismatch"},
    {.name = "key for another service (s=tlsrpt)",
     .publish = [](const std::string& r) { return replace(r, "k=rsa;", "k=rsa; s=tlsrpt;"); },
     .verdict = "permerror/key_service_mismatch"},
    {.name = "key for email among others",
     .publish = [](const std::string& r) { return replace(r, "k=rsa;", "k=rsa; s=tlsrpt:email;"); },
     .verdict = "pass"},
    {.name = "key t=s refuses an i= subdomain",
     .sign = [](SignOptions& o) { o.auid = "alice@mail.example.com"; },
     .publish = [](const std::string& r) { return append(r, "; t=s"); },
     .verdict = "permerror/key_strict_subdomain"},
    {.name = "key t=s accepts i= at d=",
     .sign = [](SignOptions& o) { o.auid = "alice@example.com"; },
     .publish = [](const std::string& r) { return append(r, "; t=s"); },
     .verdict = "pass"},
    {.name = "no key published",
     .publish = [](const std::string&) { return std::string(); },
     .verdict = "permerror/key_not_found"},
    {.name = "key record that does not parse",
     .publish = [](const std::string& r) { return replace(r, "v=DKIM1;", "v=DKIM2;"); },
     .verdict = "permerror/key_syntax"},
    {.name = "expired signature",
     .sign = [](SignOptions& o) { o.expire_after = 3600; },
     .check = [](VerifyOptions& o) { o.now = [] { return pinned_now + 3600 + 301; }; },
     .verdict = "permerror/expired"},
    {.name = "expiry within the clock skew",
     .sign = [](SignOptions& o) { o.expire_after = 3600; },
     .check = [](VerifyOptions& o) { o.now = [] { return pinned_now + 3600 + 299; }; },
     .verdict = "pass"},
    {.name = "signature from the future",
     .check = [](VerifyOptions& o) { o.now = [] { return pinned_now - 301; }; },
     .verdict = "permerror/future_timestamp"},
    {.name = "l= leaves text appended to the body unsigned",
     .sign = [](SignOptions& o) { o.body_length = true; },
     .transit = [](const std::string& m) { return append(m, "Appended by a list\r\n"); },
     .verdict = "neutral/body_not_covered"},
    {.name = "l= with appended text, accepted by choice",
     .sign = [](SignOptions& o) { o.body_length = true; },
     .transit = [](const std::string& m) { return append(m, "Appended by a list\r\n"); },
     .check = [](VerifyOptions& o) { o.unsigned_body = UnsignedBody::accept; },
     .verdict = "pass"},
    {.name = "l= longer than the body",
     .sign = [](SignOptions& o) { o.body_length = true; },
     .transit = [](const std::string& m) { return replace(m, "  spaced   text  \r\n", ""); },
     .verdict = "fail/body_length_exceeds"},
    {.name = "l= does not cover a changed signed part",
     .sign = [](SignOptions& o) { o.body_length = true; },
     .transit = [](const std::string& m) { return replace(m, "Hello Bob", "Hello Bib"); },
     .verdict = "fail/body_hash_mismatch"},
};

TEST(DkimVerify, NegativeCasesGiveTheirVerdicts) {
  for (const NegativeCase& test : negative_cases) {
    SCOPED_TRACE(test.name);
    PrivateKey key = key_of(test.key);
    SignOptions options = sign_options();
    test.sign(options);
    std::string message = test.transit(signed_copy(plain_message, key, options));
    dns::ZoneResolver zone;
    if (std::string record = test.publish(key.dns_record()); !record.empty())
      zone.add_txt("sel._domainkey.example.com", {record});
    VerifyOptions verify_options;
    test.check(verify_options);
    std::vector<Result> results = verify(zone, message, verify_options);
    ASSERT_EQ(results.size(), 1u);
    EXPECT_EQ(summary(results[0]), test.verdict) << results[0].detail;
    EXPECT_EQ(results[0].testing, test.testing_key);
    EXPECT_TRUE(results[0].outcome == Outcome::pass || !results[0].detail.empty());
  }
}

TEST(DkimVerify, SmallRsaKeyIsPermerrorUnlessAllowed) {
  PrivateKey small = rsa_key(512);
  ASSERT_EQ(small.bits(), 512u);
  dns::ZoneResolver zone = zone_with(small.dns_record());
  std::string message = signed_copy(plain_message, small, sign_options());
  std::vector<Result> results = verify(zone, message);
  ASSERT_EQ(results.size(), 1u);
  // RFC 8301 3.2: keys below 1024 bits MUST NOT be considered valid.
  EXPECT_EQ(summary(results[0]), "permerror/key_too_small") << results[0].detail;
  EXPECT_EQ(results[0].key_bits, 512u);
  EXPECT_NE(results[0].detail.find("512"), std::string::npos) << results[0].detail;

  VerifyOptions lenient;
  lenient.min_rsa_bits = 512;
  EXPECT_EQ(summary(verify(zone, message, lenient)), "pass");

  PrivateKey smallest_allowed = rsa_key(1024);
  dns::ZoneResolver zone_1024 = zone_with(smallest_allowed.dns_record());
  EXPECT_EQ(
      summary(verify(zone_1024, signed_copy(plain_message, smallest_allowed, sign_options()))),
      "pass");
}

TEST(DkimVerify, DnsFailuresAreTemperrors) {
  std::string message = signed_copy(plain_message, rsa_key(2048), sign_options());
  for (dns::Status status : {dns::Status::timeout, dns::Status::servfail}) {
    dns::ZoneResolver zone;
    zone.add_failure("sel._domainkey.example.com", status);
    std::vector<Result> results = verify(zone, message);
    ASSERT_EQ(results.size(), 1u);
    EXPECT_EQ(summary(results[0]), "temperror/key_unavailable") << dns::to_string(status);
  }
}

// Several signatures, each judged on its own and reported in header order: the newest (top)
// passes, a broken one in the middle does not spoil the others.
TEST(DkimVerify, SeveralSignaturesAreJudgedSeparatelyInHeaderOrder) {
  PrivateKey rsa = rsa_key(2048);
  PrivateKey ed = ed25519_key();
  std::string message = signed_copy(plain_message, rsa, sign_options("example.com", "rsa"));
  message = signed_copy(message, ed, sign_options("example.com", "gone"));
  message = signed_copy(message, ed, sign_options("example.org", "ed"));
  dns::ZoneResolver zone;
  zone.add_txt("rsa._domainkey.example.com", {rsa.dns_record()});
  zone.add_txt("ed._domainkey.example.org", {ed.dns_record()});
  std::vector<Result> results = verify(zone, message);
  ASSERT_EQ(results.size(), 3u);
  EXPECT_EQ(summary(results), "pass permerror/key_not_found pass");
  EXPECT_EQ(results[0].domain, "example.org");
  EXPECT_EQ(results[1].selector, "gone");
  EXPECT_EQ(results[2].selector, "rsa");
}

// What transport may do to a message and which canonicalizations survive it.
TEST(DkimVerify, TransportChangesPassWhereTheCanonicalizationAllows) {
  std::string long_subject;
  for (int i = 0; i < 60; ++i) long_subject += " word" + std::to_string(i);
  const std::string lf_message =
      "From: Alice <alice@example.com>\n"
      "To: bob@example.net\n"
      "Subject:" +
      long_subject +
      "\n"
      "Date: Tue, 24 Nov 2026 10:00:00 +0000\n"
      "\n"
      "Gr\xc3\xbc\xc3\x9f"
      "e aus K\xc3\xb6ln,\n\n  spaced   text  \n";
  struct {
    const char* name;
    std::function<std::string(const std::string&)> transit;
    bool simple_header_passes, simple_body_passes;
  } changes[] = {
      {"nothing", [](const std::string& m) { return m; }, true, true},
      // Signed with bare LF, delivered with CRLF: both are the same wire form.
      {"LF to CRLF", [](const std::string& m) { return to_crlf(m); }, true, true},
      {"trailing blank lines added", [](const std::string& m) { return m + "\n\n\n"; }, true, true},
      {"long header refolded",
       [](const std::string& m) { return replace(m, " word30 word31", "\n\tword30\n  word31"); },
       false, true},
      {"body white space changed",
       [](const std::string& m) { return replace(m, "spaced   text", "spaced text"); }, true,
       false},
      {"trailing white space added to a body line",
       [](const std::string& m) { return replace(m, "K\xc3\xb6ln,\n", "K\xc3\xb6ln, \t\n"); }, true,
       false},
  };
  for (KeyType type : {KeyType::rsa, KeyType::ed25519}) {
    PrivateKey key = key_of(type);
    dns::ZoneResolver zone = zone_with(key.dns_record());
    for (auto header_c : {Canonicalization::simple, Canonicalization::relaxed}) {
      for (auto body_c : {Canonicalization::simple, Canonicalization::relaxed}) {
        SignOptions options = sign_options();
        options.header_canonicalization = header_c;
        options.body_canonicalization = body_c;
        std::string signed_message = signed_copy(lf_message, key, options);
        for (const auto& change : changes) {
          bool should_pass =
              (header_c == Canonicalization::relaxed || change.simple_header_passes) &&
              (body_c == Canonicalization::relaxed || change.simple_body_passes);
          std::vector<Result> results = verify(zone, change.transit(signed_message));
          ASSERT_EQ(results.size(), 1u);
          EXPECT_EQ(results[0].outcome == Outcome::pass, should_pass)
              << change.name << " with " << to_string(header_c) << "/" << to_string(body_c) << " "
              << (type == KeyType::rsa ? "rsa" : "ed25519") << ": " << summary(results[0]) << " "
              << results[0].detail;
        }
      }
    }
  }
}

// The verdict of a Verifier fed a message in the given pieces, at the pinned time.
std::vector<Result> verify_streamed(dns::Resolver& resolver, std::vector<std::string_view> pieces,
                                    VerifyOptions options = {}) {
  KeyCache cache;
  options.now = [] { return pinned_now; };
  options.key_cache = &cache;
  Verifier verifier(resolver, options);
  for (std::string_view piece : pieces) static_cast<void>(verifier.feed(piece));
  return core::sync_wait(verifier.finish(), resolver.pump());
}

// The streaming verifier gives the same verdict whatever the chunking, including splits inside
// the header section and in the middle of CRLF pairs.
TEST(DkimVerify, ChunkingDoesNotChangeTheVerdict) {
  PrivateKey key = ed25519_key();
  dns::ZoneResolver zone = zone_with(key.dns_record());
  for (Canonicalization body : {Canonicalization::simple, Canonicalization::relaxed}) {
    SignOptions options = sign_options();
    options.body_canonicalization = body;
    const std::string message = signed_copy(plain_message, key, options);
    for (std::size_t cut = 0; cut <= message.size(); cut += 3) {
      std::string_view text = message;
      std::vector<Result> results = verify_streamed(zone, {text.substr(0, cut), text.substr(cut)});
      ASSERT_EQ(results.size(), 1u);
      EXPECT_EQ(summary(results[0]), "pass") << to_string(body) << ", split at " << cut;
    }
  }
}

// verify_message() reads the header section in place, a Verifier fed bytes copies it through
// its parser: both must give the same results, for broken messages too.
TEST(DkimVerify, WholeMessageAndStreamAgree) {
  PrivateKey key = ed25519_key();
  dns::ZoneResolver zone = zone_with(key.dns_record());
  const std::string message = signed_copy(plain_message, key, sign_options());
  const std::string header = message.substr(0, message.find("\r\n\r\n") + 2);
  VerifyOptions few_fields;
  few_fields.limits.max_fields = 3;
  VerifyOptions short_header;
  short_header.limits.max_header_bytes = 100;
  struct {
    std::string name;
    std::string message;
    VerifyOptions options;
    std::string verdict;
  } cases[] = {
      {"signed", message, {}, "pass"},
      {"no body", header + "\r\n", {}, "fail/body_hash_mismatch"},
      {"no blank line", header, {}, "fail/body_hash_mismatch"},
      {"empty", "", {}, ""},
      {"too many fields", message, few_fields, "permerror/syntax"},
      {"header too long", message, short_header, "permerror/syntax"},
  };
  for (const auto& test : cases) {
    std::vector<Result> whole = verify(zone, test.message, test.options);
    std::vector<Result> streamed = verify_streamed(zone, {test.message}, test.options);
    EXPECT_EQ(summary(whole), test.verdict) << test.name;
    EXPECT_EQ(summary(streamed), test.verdict) << test.name;
    ASSERT_EQ(whole.size(), streamed.size()) << test.name;
    for (std::size_t i = 0; i < whole.size(); ++i)
      EXPECT_EQ(whole[i].detail, streamed[i].detail) << test.name;
  }
}

}  // namespace
}  // namespace hallmark::dkim
