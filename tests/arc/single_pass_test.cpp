// SPDX-License-Identifier: Apache-2.0
// One pass over the body for DKIM and ARC together: a DKIM verifier and an ARC validator
// driven by one message parser share their body hashes, so a DKIM signature and the newest AMS
// with the same canonicalization and hash cost one hash job, and both verdicts come out right.
#include <gtest/gtest.h>

#include "dkim/internal/body_hashes.hpp"
#include "hallmark/arc/seal.hpp"
#include "hallmark/arc/verify.hpp"
#include "hallmark/core/sync_wait.hpp"
#include "hallmark/dkim/verify.hpp"
#include "hallmark/dns/zone_resolver.hpp"
#include "hallmark/mail/stream.hpp"

namespace hallmark::arc {
namespace {

// Fans one parsed message out to both verifiers and feeds the shared hashes once.
class BothVerifiers final : public mail::MessageHandler {
 public:
  BothVerifiers(dns::Resolver& resolver, dkim::KeyCache& cache)
      : dkim_(resolver, dkim_options(cache), hashes_),
        arc_(resolver, arc_options(cache), hashes_) {}

  void on_end_of_headers(const mail::HeaderSection& headers) override {
    dkim_.on_end_of_headers(headers);
    arc_.on_end_of_headers(headers);
    jobs_after_headers_ = hashes_.job_count();
  }
  void on_body(std::string_view chunk) override {
    hashes_.feed(chunk);
    ++chunks_;
  }
  void on_end() override {
    hashes_.finish();
    dkim_.on_end();
    arc_.on_end();
  }

  dkim::Verifier& dkim() { return dkim_; }
  Verifier& arc() { return arc_; }
  std::size_t jobs() const { return jobs_after_headers_; }
  std::size_t chunks() const { return chunks_; }

 private:
  static dkim::VerifyOptions dkim_options(dkim::KeyCache& cache) {
    dkim::VerifyOptions options;
    options.key_cache = &cache;
    options.now = [] { return 1700000000; };
    return options;
  }
  static VerifyOptions arc_options(dkim::KeyCache& cache) {
    VerifyOptions options;
    options.key_cache = &cache;
    return options;
  }

  dkim::detail::BodyHashes hashes_;
  dkim::Verifier dkim_;
  Verifier arc_;
  std::size_t jobs_after_headers_ = 0;
  std::size_t chunks_ = 0;
};

TEST(ArcSinglePass, DkimAndArcShareOneBodyPass) {
  dkim::PrivateKey key = *dkim::PrivateKey::generate(dkim::KeyType::rsa, 2048);
  dns::ZoneResolver zone;
  zone.add_txt("sel._domainkey.example.com", {key.dns_record()});
  zone.add_txt("arc._domainkey.lists.example.org", {key.dns_record()});

  std::string body;
  for (int i = 0; i < 2000; ++i) body += "A line of the body,  with   spaces \r\n";
  std::string message = "From: a@example.com\r\nTo: b@example.net\r\nSubject: hi\r\n\r\n" + body;
  dkim::SignOptions sign;
  sign.domain = "example.com";
  sign.selector = "sel";
  sign.now = [] { return 1700000000; };
  message = *dkim::sign_message(message, key, sign) + message;
  SealOptions seal;
  seal.domain = "lists.example.org";
  seal.selector = "arc";
  seal.authserv_id = "lists.example.org";
  seal.auth_results = "dkim=pass header.d=example.com";
  seal.now = [] { return 1700000000; };
  auto sealed = core::sync_wait(seal_message(zone, message, key, seal));
  ASSERT_TRUE(sealed) << sealed.error().message;
  message = sealed->fields + message;

  dkim::KeyCache cache;
  BothVerifiers both(zone, cache);
  mail::MessageParser parser(both);
  // Small chunks, so the body really streams.
  for (std::size_t at = 0; at < message.size(); at += 1000)
    ASSERT_TRUE(parser.feed(std::string_view(message).substr(at, 1000)));
  ASSERT_TRUE(parser.finish());
  EXPECT_GT(both.chunks(), 10u);
  // The DKIM signature and the AMS are both relaxed body, sha256, no l=: one job.
  EXPECT_EQ(both.jobs(), 1u);

  std::vector<dkim::Result> dkim_results = core::sync_wait(both.dkim().finish());
  ASSERT_EQ(dkim_results.size(), 1u);
  EXPECT_EQ(dkim_results[0].outcome, dkim::Outcome::pass) << dkim_results[0].detail;
  Result arc_result = core::sync_wait(both.arc().finish());
  EXPECT_EQ(arc_result.outcome, ChainStatus::pass) << arc_result.detail;
  EXPECT_EQ(arc_result.sealers(), std::vector<std::string>{"lists.example.org"});
}

}  // namespace
}  // namespace hallmark::arc
