// SPDX-License-Identifier: Apache-2.0
// The message the session tests verify: SPF through a three-deep include chain, two DKIM
// signatures of the author domain and a two-hop ARC chain, in a zone built for it. Every
// protocol passes, so any lookup cut short shows in the verdict.
#pragma once

#include <chrono>
#include <string>

#include <gtest/gtest.h>

#include "hallmark/arc/seal.hpp"
#include "hallmark/authenticator/authenticator.hpp"
#include "hallmark/core/sync_wait.hpp"
#include "hallmark/dkim/sign.hpp"
#include "hallmark/dns/zone_resolver.hpp"

namespace hallmark::authenticator::testing {

inline constexpr std::int64_t signing_time = 1796000000;

inline const dkim::PrivateKey& test_key() {
  // One key for every signer: RSA generation is the slow part of these tests.
  static const dkim::PrivateKey key = *dkim::PrivateKey::generate(dkim::KeyType::rsa, 1024);
  return key;
}

/// example.com sends from 192.0.2.10 (HELO mail.example.com), authorised three includes deep;
/// selectors one and two sign as example.com; lists.example.net and fwd.example.org seal.
inline dns::ZoneResolver session_zone() {
  dns::ZoneResolver zone;
  zone.add_txt("example.com", {"v=spf1 include:a.example.com -all"});
  zone.add_txt("a.example.com", {"v=spf1 include:b.example.com -all"});
  zone.add_txt("b.example.com", {"v=spf1 include:c.example.com -all"});
  zone.add_txt("c.example.com", {"v=spf1 ip4:192.0.2.10 -all"});
  zone.add_txt("mail.example.com", {"v=spf1 a -all"});
  zone.add_address("mail.example.com", *core::IpAddress::parse("192.0.2.10"));
  zone.add_txt("_dmarc.example.com", {"v=DMARC1; p=reject"});
  std::string record = test_key().dns_record();
  std::vector<std::string> strings;
  for (std::size_t at = 0; at < record.size(); at += 255) strings.push_back(record.substr(at, 255));
  for (const char* name : {"one._domainkey.example.com", "two._domainkey.example.com",
                           "arc._domainkey.lists.example.net", "arc._domainkey.fwd.example.org"})
    zone.add_txt(name, strings);
  return zone;
}

inline std::string session_message(dns::Resolver& zone) {
  std::string message =
      "From: Alice <alice@example.com>\r\nTo: bob@example.net\r\nSubject: figures\r\n"
      "Date: Tue, 24 Nov 2026 09:30:00 +0000\r\nMessage-ID: <1@example.com>\r\n\r\n";
  for (int i = 0; i < 200; ++i) message += "A line of the body, with  some   spaces.\r\n";
  for (const char* selector : {"one", "two"}) {
    dkim::SignOptions sign;
    sign.domain = "example.com";
    sign.selector = selector;
    sign.now = [] { return signing_time; };
    message = *dkim::sign_message(message, test_key(), sign) + message;
  }
  for (const char* sealer : {"lists.example.net", "fwd.example.org"}) {
    arc::SealOptions seal;
    seal.domain = sealer;
    seal.selector = "arc";
    seal.authserv_id = sealer;
    seal.auth_results = "dkim=pass header.d=example.com; dmarc=pass header.from=example.com";
    seal.now = [] { return signing_time; };
    auto sealed = core::sync_wait(arc::seal_message(zone, message, test_key(), seal));
    EXPECT_TRUE(sealed) << sealed.error().message;
    message = sealed->fields + message;
  }
  return message;
}

inline Envelope session_envelope() {
  Envelope envelope;
  envelope.ip = *core::IpAddress::parse("192.0.2.10");
  envelope.helo = "mail.example.com";
  envelope.mail_from = "alice@example.com";
  envelope.recipients = {"bob@example.net"};
  return envelope;
}

inline Options session_options() {
  Options options;
  options.authserv_id = "mx.example.org";
  options.dkim.now = [] { return signing_time + 60; };
  return options;
}

/// Everything passes: SPF three includes deep, both signatures, the two-hop chain, DMARC.
inline void expect_all_pass(const Verdict& verdict) {
  ASSERT_TRUE(verdict.spf_mail_from);
  EXPECT_EQ(verdict.spf_mail_from->outcome, spf::Outcome::pass) << verdict.spf_mail_from->reason;
  ASSERT_EQ(verdict.dkim.size(), 2u);
  for (const dkim::Result& result : verdict.dkim)
    EXPECT_EQ(result.outcome, dkim::Outcome::pass) << result.detail;
  EXPECT_EQ(verdict.arc.outcome, arc::ChainStatus::pass) << verdict.arc.detail;
  EXPECT_EQ(verdict.arc.sets.size(), 2u);
  EXPECT_EQ(verdict.dmarc.outcome, dmarc::Outcome::pass) << verdict.dmarc.reason;
  EXPECT_TRUE(verdict.limits.empty());
}

}  // namespace hallmark::authenticator::testing
