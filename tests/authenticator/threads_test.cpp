// SPDX-License-Identifier: Apache-2.0
// Several threads verifying different messages through one Authenticator while the allow lists
// are reloaded: every verdict right, no data race (the tsan configuration of .ci/run runs this
// under ThreadSanitizer).
#include <atomic>
#include <thread>

#include <gtest/gtest.h>

#include "hallmark/dns/caching_resolver.hpp"
#include "session_fixture.hpp"

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

}  // namespace
}  // namespace hallmark::authenticator
