// SPDX-License-Identifier: Apache-2.0
// Several threads verifying different messages through one Authenticator while the allow lists
// are reloaded: every verdict right, no data race (the tsan configuration of .ci/run runs this
// under ThreadSanitizer).
#include <atomic>
#include <thread>

#include <gtest/gtest.h>

#include "hallmark/dns/caching_resolver.hpp"
#include "session_fixture.hpp"
#include "support/nsd_server.hpp"

namespace hallmark::authenticator {
namespace {

using testing::expect_all_pass;
using testing::session_envelope;
using testing::session_message;
using testing::session_options;
using testing::session_zone;

TEST(AuthenticatorThreads, SharedByThreadsWhileListsReload) {
  dns::ZoneResolver zone = session_zone();
  const std::string message = session_message(zone);
  const std::string spoof = "From: ceo@example.com\r\nSubject: urgent\r\n\r\nPay now.\r\n";
  dns::CachingResolver cache(zone);
  Options options = session_options();
  options.allow_dmarc = std::make_shared<const AllowList>(*AllowList::parse("example.com\n"));
  Authenticator authenticator(cache, options);

  constexpr int threads = 4;
  constexpr int messages_each = 40;
  std::atomic<int> wrong{0};
  std::atomic<bool> stop{false};
  std::thread reloader([&] {
    auto with = std::make_shared<const AllowList>(*AllowList::parse("example.com\n"));
    auto without = std::make_shared<const AllowList>(*AllowList::parse("other.example\n"));
    for (int i = 0; !stop.load(); ++i)
      authenticator.reload(i % 2 ? with : without, nullptr, nullptr);
  });
  std::vector<std::thread> workers;
  for (int t = 0; t < threads; ++t) {
    workers.emplace_back([&, t] {
      for (int i = 0; i < messages_each; ++i) {
        bool forged = (i + t) % 3 == 0;
        Envelope envelope = session_envelope();
        if (forged) envelope.ip = *core::IpAddress::parse("203.0.113.9");
        Verdict verdict = authenticator.verify_blocking(forged ? spoof : message, envelope);
        bool right = forged ? verdict.dmarc.outcome == dmarc::Outcome::fail &&
                                  verdict.disposition == dmarc::Disposition::reject
                            : verdict.dmarc.outcome == dmarc::Outcome::pass &&
                                  verdict.arc.outcome == arc::ChainStatus::pass &&
                                  verdict.dkim.size() == 2;
        // The list in force when the session started decides; either list is fine here, but
        // the tag must match the outcome it weighs.
        if (verdict.has_tag(Tag::allowlist_dmarc) && forged) right = false;
        if (verdict.has_tag(Tag::blocklist_dmarc) && !forged) right = false;
        if (!right) ++wrong;
      }
    });
  }
  for (std::thread& worker : workers) worker.join();
  stop = true;
  reloader.join();
  EXPECT_EQ(wrong.load(), 0);
}

// The session zone as master files for nsd. psd=n marks example.com an organizational domain
// (RFC 9989 4.10), so the tree walk does not ask this server for _dmarc.com, which it would
// refuse.
std::vector<test_support::NsdZone> served_zones() {
  std::string key;
  std::string record = testing::test_key().dns_record();
  for (std::size_t at = 0; at < record.size(); at += 255)
    key += " \"" + record.substr(at, 255) + "\"";
  auto zone = [&](std::string origin, std::string records) {
    return test_support::NsdZone{origin,
                                 "$ORIGIN " + origin +
                                     ".\n$TTL 300\n@ IN SOA ns hostmaster 1 3600 600 86400 60\n"
                                     "@ IN NS ns\nns IN A 127.0.0.1\n" +
                                     records};
  };
  return {
      zone("example.com",
           "@ IN TXT \"v=spf1 include:a.example.com -all\"\n"
           "a IN TXT \"v=spf1 include:b.example.com -all\"\n"
           "b IN TXT \"v=spf1 include:c.example.com -all\"\n"
           "c IN TXT \"v=spf1 ip4:192.0.2.10 -all\"\n"
           "mail IN TXT \"v=spf1 a -all\"\nmail IN A 192.0.2.10\n"
           "_dmarc IN TXT \"v=DMARC1; p=reject; psd=n\"\n"
           "one._domainkey IN TXT" +
               key + "\ntwo._domainkey IN TXT" + key + "\n"),
      zone("lists.example.net", "arc._domainkey IN TXT" + key + "\n"),
      zone("fwd.example.org", "arc._domainkey IN TXT" + key + "\n"),
  };
}

// The same through real DNS: c-ares on its own thread (what Authenticator::create builds),
// answering the sessions of four threads at once.
TEST(AuthenticatorThreads, SharedByThreadsOverRealDns) {
  auto server = test_support::NsdServer::start(served_zones());
  if (!server) {
    if (std::getenv("CI") == nullptr) GTEST_SKIP() << server.error().message;
    FAIL() << server.error().message;
  }
  dns::ZoneResolver zone = session_zone();
  const std::string message = session_message(zone);
  ResolverConfig resolver;
  resolver.cares.servers = {(*server)->address()};
  auto authenticator = Authenticator::create(session_options(), resolver);
  ASSERT_TRUE(authenticator) << authenticator.error().message;

  constexpr int threads = 4;
  constexpr int messages_each = 10;
  std::atomic<int> passed{0};
  std::vector<std::thread> workers;
  for (int t = 0; t < threads; ++t)
    workers.emplace_back([&] {
      for (int i = 0; i < messages_each; ++i) {
        Verdict verdict = (*authenticator)->verify_blocking(message, session_envelope());
        if (verdict.dmarc.outcome == dmarc::Outcome::pass && verdict.limits.empty() &&
            verdict.spf_mail_from && verdict.spf_mail_from->outcome == spf::Outcome::pass &&
            verdict.arc.outcome == arc::ChainStatus::pass && verdict.dkim.size() == 2 &&
            verdict.dkim[0].outcome == dkim::Outcome::pass)
          ++passed;
      }
    });
  for (std::thread& worker : workers) worker.join();
  EXPECT_EQ(passed.load(), threads * messages_each);
}

}  // namespace
}  // namespace hallmark::authenticator
