// SPDX-License-Identifier: Apache-2.0
// From results to tags, through the whole authenticator: small messages against a zone built
// for them make each SPF, DKIM, ARC, DMARC and iprev outcome happen, and each case checks the
// exact set of tags lib/authenticator/assemble.cpp maps it to. Then local policy: the allow
// lists, the trusted-sealer override and when it must not apply, score tables, reloads, and
// own_auth_results_fields().
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <functional>
#include <memory>
#include <ostream>
#include <set>
#include <sstream>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "hallmark/arc/seal.hpp"
#include "hallmark/authenticator/authenticator.hpp"
#include "hallmark/core/sync_wait.hpp"
#include "hallmark/dkim/key_cache.hpp"
#include "hallmark/dkim/sign.hpp"
#include "hallmark/dns/zone_resolver.hpp"
#include "hallmark/mail/auth_results.hpp"
#include "hallmark/mail/header.hpp"

#include "print_results.hpp"

namespace hallmark::authenticator {
namespace {

constexpr std::int64_t signing_time = 1796000000;

const dkim::PrivateKey& test_key() {
  // One key for every signer and sealer: RSA generation is the slow part.
  static const dkim::PrivateKey key = *dkim::PrivateKey::generate(dkim::KeyType::rsa, 1024);
  return key;
}

core::IpAddress ip(std::string_view text) {
  core::Expected<core::IpAddress> parsed = core::IpAddress::parse(text);
  EXPECT_TRUE(parsed) << text;
  return parsed ? *parsed : core::IpAddress();
}

// Every name a case below needs. The client is 192.0.2.1 unless a case says otherwise.
constexpr std::string_view zone_text = R"(
$ORIGIN test.
$TTL 300
; SPF: one MAIL FROM domain per outcome.
spf-pass        IN TXT  "v=spf1 ip4:192.0.2.1 -all"
spf-fail        IN TXT  "v=spf1 -all"
spf-softfail    IN TXT  "v=spf1 ~all"
spf-neutral     IN TXT  "v=spf1 ?all"
spf-none        IN A    192.0.2.200
spf-timeout     IN TIMEOUT
spf-servfail    IN SERVFAIL
spf-permerror   IN TXT  "v=spf1 ip4:192.0.2.1 frobnicate -all"
; DMARC: one author domain per policy. reject.test also signs (selectors good, revoked, slow).
_dmarc.reject           IN TXT "v=DMARC1; p=reject"
_dmarc.quarantine       IN TXT "v=DMARC1; p=quarantine"
_dmarc.monitor          IN TXT "v=DMARC1; p=none"
_dmarc.testing          IN TXT "v=DMARC1; p=quarantine; t=y"
_dmarc.testing-reject   IN TXT "v=DMARC1; p=reject; t=y"
nodmarc                 IN A   192.0.2.201
_dmarc.dmarc-timeout    IN TIMEOUT
revoked._domainkey.reject IN TXT "v=DKIM1; p="
slow._domainkey.reject  IN TIMEOUT
; ARC: sealer.test and other-sealer.test publish the key (below), slow-sealer.test's times out.
arc._domainkey.slow-sealer IN TIMEOUT
; iprev: 192.0.2.1 confirms, 192.0.2.2 names a host elsewhere, 192.0.2.3 times out,
; 192.0.2.5 has no PTR.
host1           IN A    192.0.2.1
host2           IN A    192.0.2.99
1.2.0.192.in-addr.arpa. IN PTR host1.test.
2.2.0.192.in-addr.arpa. IN PTR host2.test.
3.2.0.192.in-addr.arpa. IN TIMEOUT
)";

dns::ZoneResolver tag_zone() {
  dns::ZoneResolver zone;
  core::Expected<void> loaded = zone.load_text(zone_text, "tag_mapping_test");
  EXPECT_TRUE(loaded) << loaded.error().message;
  std::string record = test_key().dns_record();
  std::vector<std::string> strings;
  for (std::size_t at = 0; at < record.size(); at += 255) strings.push_back(record.substr(at, 255));
  for (const char* name : {"good._domainkey.reject.test", "arc._domainkey.sealer.test",
                           "arc._domainkey.other-sealer.test"})
    zone.add_txt(name, strings);
  // 192.0.2.4's PTR name is no host name (a leading hyphen): nothing to look up.
  zone.add_ptr("4.2.0.192.in-addr.arpa", "-bad-.test");
  return zone;
}

std::string plain_message(std::string_view author_domain) {
  std::string message = "From: Alice <alice@" + std::string(author_domain) +
                        ">\r\n"
                        "To: bob@example.net\r\n"
                        "Subject: quarterly figures\r\n"
                        "Date: Tue, 24 Nov 2026 09:30:00 +0000\r\n"
                        "Message-ID: <1@mail.test>\r\n"
                        "\r\n";
  for (int i = 0; i < 5; ++i) message += "The figures for the quarter are in the ticket.\r\n";
  return message;
}

std::string signed_message(std::string message, std::string_view domain, std::string_view selector,
                           bool body_length = false) {
  dkim::SignOptions options;
  options.domain = std::string(domain);
  options.selector = std::string(selector);
  options.body_length = body_length;
  options.now = [] { return signing_time; };
  core::Expected<std::string> field = dkim::sign_message(message, test_key(), options);
  EXPECT_TRUE(field) << field.error().message;
  return field ? *field + message : message;
}

// What a mailing list does to a post: a footer that breaks body hashes.
std::string with_footer(std::string message) { return message + "-- \r\nthe team list\r\n"; }

// The message with its (first) Subject changed, which breaks the newest AMS.
std::string with_new_subject(std::string message) {
  std::size_t at = message.find("\r\nSubject: ");
  EXPECT_NE(at, std::string::npos);
  if (at != std::string::npos) message.insert(at + 11, "[changed] ");
  return message;
}

std::string sealed_message(dns::Resolver& zone, const std::string& message, std::string_view sealer,
                           std::string_view aar) {
  arc::SealOptions options;
  options.domain = std::string(sealer);
  options.selector = "arc";
  options.authserv_id = std::string(sealer);
  options.auth_results = std::string(aar);
  options.now = [] { return signing_time; };
  dkim::KeyCache keys;
  options.verify.key_cache = &keys;
  core::Expected<arc::Sealed> sealed =
      core::sync_wait(arc::seal_message(zone, message, test_key(), options));
  EXPECT_TRUE(sealed) << sealed.error().message;
  if (!sealed) return message;
  EXPECT_FALSE(sealed->fields.empty()) << sealed->skipped;
  return sealed->fields + message;
}

AllowListPtr list_of(std::string_view text) {
  core::Expected<AllowList> list = AllowList::parse(text);
  EXPECT_TRUE(list) << list.error().message;
  if (!list) return nullptr;
  return std::make_shared<const AllowList>(std::move(*list));
}

// One input: the envelope, the message (built against the zone, which sealing needs) and the
// options local policy takes; the tags expected, in table order.
struct Case {
  std::string name;
  std::string expected_tags;
  std::string mail_from = "alice@spf-pass.test";
  std::string client = "192.0.2.1";
  std::function<std::string(dns::Resolver&)> message = [](dns::Resolver&) {
    return plain_message("nodmarc.test");
  };
  std::function<void(Options&)> configure = [](Options&) {};
};

Options base_options() {
  Options options;
  options.authserv_id = "mx.example.org";
  options.dkim.now = [] { return signing_time + 60; };
  options.spf.now = [] { return signing_time + 60; };
  return options;
}

// A fresh authenticator per verification, each with its own key cache, so no key or failure
// one case published leaks into another.
struct Harness {
  dns::ZoneResolver zone = tag_zone();
  dkim::KeyCache keys;

  Options options(const std::function<void(Options&)>& configure = {}) {
    Options options = base_options();
    options.dkim.key_cache = &keys;
    options.arc.key_cache = &keys;
    if (configure) configure(options);
    return options;
  }

  static Envelope envelope(std::string_view client, std::string_view mail_from) {
    Envelope envelope;
    envelope.ip = ip(client);
    envelope.helo = "mail.helo.test";
    envelope.mail_from = std::string(mail_from);
    envelope.recipients = {"bob@example.net"};
    return envelope;
  }

  Verdict run(const Case& c) {
    std::string message = c.message(zone);
    Authenticator authenticator(zone, options(c.configure));
    return authenticator.verify_blocking(message, envelope(c.client, c.mail_from));
  }
};

std::string tag_names(const Verdict& v) {
  std::string out;
  for (const ScoredTag& t : v.tags) out += (out.empty() ? "" : " ") + std::string(to_string(t.tag));
  return out;
}

std::string describe(const Verdict& v) {
  std::ostringstream out;
  if (v.spf_mail_from)
    out << "spf=" << spf::to_string(v.spf_mail_from->outcome) << " (" << v.spf_mail_from->reason
        << ")\n";
  for (const dkim::Result& r : v.dkim)
    out << "dkim=" << dkim::to_string(r.outcome) << "/" << dkim::to_string(r.reason) << " ("
        << r.detail << ")\n";
  out << "arc=" << arc::to_string(v.arc.outcome) << " dns_failure=" << v.arc.dns_failure << " ("
      << v.arc.detail << ")\n";
  out << "dmarc=" << dmarc::to_string(v.dmarc.outcome)
      << " dis=" << dmarc::to_string(v.dmarc.disposition) << " (" << v.dmarc.reason << ")\n";
  if (v.iprev) out << "iprev=" << to_string(v.iprev->outcome) << " (" << v.iprev->detail << ")\n";
  out << "disposition=" << dmarc::to_string(v.disposition) << " " << v.override_reason << "\n";
  out << v.authentication_results;
  return out.str();
}

// Options that turn local policy on.
std::function<void(Options&)> with_allow_dmarc(std::string_view list) {
  return [list = std::string(list)](Options& o) { o.allow_dmarc = list_of(list); };
}
std::function<void(Options&)> with_allow_spf_dkim(std::string_view list) {
  return [list = std::string(list)](Options& o) { o.allow_spf_dkim = list_of(list); };
}
std::function<void(Options&)> with_iprev() {
  return [](Options& o) { o.iprev = true; };
}

// A post by alice@reject.test, signed (s=good), through the team list at sealer.test: the
// footer breaks the signature, so DMARC fails, and the list seals what it found on arrival.
std::string list_post(dns::Resolver& zone, std::string_view aar, std::string_view sealer) {
  std::string post =
      with_footer(signed_message(plain_message("reject.test"), "reject.test", "good"));
  return sealed_message(zone, post, sealer, aar);
}

constexpr std::string_view aar_saw_pass =
    "spf=pass smtp.mailfrom=alice@reject.test; dkim=pass header.d=reject.test; "
    "dmarc=pass header.from=reject.test";

std::vector<Case> cases() {
  auto author = [](std::string domain) {
    return [domain](dns::Resolver&) { return plain_message(domain); };
  };
  auto signed_by = [](std::string selector) {
    return [selector](dns::Resolver&) {
      return signed_message(plain_message("reject.test"), "reject.test", selector);
    };
  };
  return {
      // SPF, for the MAIL FROM identity; the author domain has no DMARC record.
      {"SpfPass", "SPF_ALLOW DKIM_NA ARC_NA DMARC_NA", "alice@spf-pass.test"},
      {"SpfFail", "SPF_FAIL DKIM_NA ARC_NA DMARC_NA", "alice@spf-fail.test"},
      {"SpfSoftfail", "SPF_SOFTFAIL DKIM_NA ARC_NA DMARC_NA", "alice@spf-softfail.test"},
      {"SpfNeutral", "SPF_NEUTRAL DKIM_NA ARC_NA DMARC_NA", "alice@spf-neutral.test"},
      {"SpfNone", "SPF_NA DKIM_NA ARC_NA DMARC_NA", "alice@spf-none.test"},
      {"SpfTimeoutIsTemperror", "SPF_DNSFAIL DKIM_NA ARC_NA DMARC_NA", "alice@spf-timeout.test"},
      {"SpfServfailIsTemperror", "SPF_DNSFAIL DKIM_NA ARC_NA DMARC_NA", "alice@spf-servfail.test"},
      {"SpfPermerror", "SPF_PERMFAIL DKIM_NA ARC_NA DMARC_NA", "alice@spf-permerror.test"},
      // The null reverse path is checked as postmaster@HELO; mail.helo.test has no record.
      {"SpfNullReversePathChecksHelo", "SPF_NA DKIM_NA ARC_NA DMARC_NA", ""},

      // DKIM, by reject.test (p=reject): DMARC follows the signature.
      {"DkimPass", "SPF_ALLOW DKIM_ALLOW ARC_NA DMARC_POLICY_ALLOW", "alice@spf-pass.test",
       "192.0.2.1", signed_by("good")},
      {"DkimFailOnAlteredBody", "SPF_ALLOW DKIM_REJECT ARC_NA DMARC_POLICY_REJECT",
       "alice@spf-pass.test", "192.0.2.1",
       [](dns::Resolver&) {
         return with_footer(signed_message(plain_message("reject.test"), "reject.test", "good"));
       }},
      // The aligned signature's key timed out: DMARC cannot say fail (RFC 9989 5.3.6).
      {"DkimKeyTimeoutIsTempfail", "SPF_ALLOW DKIM_TEMPFAIL ARC_NA DMARC_DNSFAIL",
       "alice@spf-pass.test", "192.0.2.1", signed_by("slow")},
      {"DkimRevokedKeyIsPermfail", "SPF_ALLOW DKIM_PERMFAIL ARC_NA DMARC_POLICY_REJECT",
       "alice@spf-pass.test", "192.0.2.1", signed_by("revoked")},
      {"DkimMissingKeyIsPermfail", "SPF_ALLOW DKIM_PERMFAIL ARC_NA DMARC_POLICY_REJECT",
       "alice@spf-pass.test", "192.0.2.1", signed_by("absent")},
      // l= leaves the footer unsigned: neutral, which counts neither way.
      {"DkimOnlyNeutralIsNa", "SPF_ALLOW DKIM_NA ARC_NA DMARC_POLICY_REJECT", "alice@spf-pass.test",
       "192.0.2.1",
       [](dns::Resolver&) {
         return with_footer(
             signed_message(plain_message("reject.test"), "reject.test", "good", true));
       }},
      {"DkimUnsignedIsNa", "SPF_ALLOW DKIM_NA ARC_NA DMARC_POLICY_REJECT", "alice@spf-pass.test",
       "192.0.2.1", author("reject.test")},
      {"DkimPassAndFailFireBoth", "SPF_ALLOW DKIM_ALLOW DKIM_REJECT ARC_NA DMARC_POLICY_ALLOW",
       "alice@spf-pass.test", "192.0.2.1",
       [](dns::Resolver&) {
         // The outer signature covers the body as sent; the inner one was made before the
         // footer.
         std::string inner =
             with_footer(signed_message(plain_message("reject.test"), "reject.test", "good"));
         return signed_message(inner, "reject.test", "good");
       }},

      // ARC.
      {"ArcPass", "SPF_ALLOW DKIM_NA ARC_ALLOW DMARC_NA", "alice@spf-pass.test", "192.0.2.1",
       [](dns::Resolver& zone) {
         return sealed_message(zone, plain_message("nodmarc.test"), "sealer.test", "none");
       }},
      {"ArcFailOnChangedHeader", "SPF_ALLOW DKIM_NA ARC_REJECT DMARC_NA", "alice@spf-pass.test",
       "192.0.2.1",
       [](dns::Resolver& zone) {
         return with_new_subject(
             sealed_message(zone, plain_message("nodmarc.test"), "sealer.test", "none"));
       }},
      {"ArcKeyTimeoutIsDnsfail", "SPF_ALLOW DKIM_NA ARC_DNSFAIL DMARC_NA", "alice@spf-pass.test",
       "192.0.2.1",
       [](dns::Resolver& zone) {
         return sealed_message(zone, plain_message("nodmarc.test"), "slow-sealer.test", "none");
       }},

      // DMARC, unsigned unless it passes; SPF passes for spf-pass.test, which aligns with none.
      {"DmarcPass", "SPF_ALLOW DKIM_ALLOW ARC_NA DMARC_POLICY_ALLOW", "alice@spf-pass.test",
       "192.0.2.1", signed_by("good")},
      {"DmarcRejectPolicy", "SPF_ALLOW DKIM_NA ARC_NA DMARC_POLICY_REJECT", "alice@spf-pass.test",
       "192.0.2.1", author("reject.test")},
      {"DmarcQuarantinePolicy", "SPF_ALLOW DKIM_NA ARC_NA DMARC_POLICY_QUARANTINE",
       "alice@spf-pass.test", "192.0.2.1", author("quarantine.test")},
      {"DmarcNonePolicyIsSoftfail", "SPF_ALLOW DKIM_NA ARC_NA DMARC_POLICY_SOFTFAIL",
       "alice@spf-pass.test", "192.0.2.1", author("monitor.test")},
      {"DmarcTestingLowersQuarantineToSoftfail", "SPF_ALLOW DKIM_NA ARC_NA DMARC_POLICY_SOFTFAIL",
       "alice@spf-pass.test", "192.0.2.1", author("testing.test")},
      {"DmarcTestingLowersRejectToQuarantine", "SPF_ALLOW DKIM_NA ARC_NA DMARC_POLICY_QUARANTINE",
       "alice@spf-pass.test", "192.0.2.1", author("testing-reject.test")},
      {"DmarcNoRecordIsNa", "SPF_ALLOW DKIM_NA ARC_NA DMARC_NA", "alice@spf-pass.test", "192.0.2.1",
       author("nodmarc.test")},
      {"DmarcTimeoutIsDnsfail", "SPF_ALLOW DKIM_NA ARC_NA DMARC_DNSFAIL", "alice@spf-pass.test",
       "192.0.2.1", author("dmarc-timeout.test")},
      // A header section past the limits cannot be verified: permerror for DKIM and DMARC,
      // and the chain fails.
      {"DmarcPermerrorOnUnverifiableHeader", "SPF_ALLOW DKIM_PERMFAIL ARC_REJECT DMARC_BAD_POLICY",
       "alice@spf-pass.test", "192.0.2.1", author("reject.test"),
       [](Options& o) { o.header_limits.max_fields = 3; }},

      // iprev, when asked for.
      {"IprevPass", "SPF_ALLOW DKIM_NA ARC_NA DMARC_NA IPREV_ALLOW", "alice@spf-pass.test",
       "192.0.2.1", author("nodmarc.test"), with_iprev()},
      {"IprevFailWhenTheNameLeadsElsewhere", "SPF_FAIL DKIM_NA ARC_NA DMARC_NA IPREV_FAIL",
       "alice@spf-pass.test", "192.0.2.2", author("nodmarc.test"), with_iprev()},
      {"IprevFailWithoutPtr", "SPF_FAIL DKIM_NA ARC_NA DMARC_NA IPREV_FAIL", "alice@spf-pass.test",
       "192.0.2.5", author("nodmarc.test"), with_iprev()},
      {"IprevTimeoutIsDnsfail", "SPF_FAIL DKIM_NA ARC_NA DMARC_NA IPREV_DNSFAIL",
       "alice@spf-pass.test", "192.0.2.3", author("nodmarc.test"), with_iprev()},
      {"IprevUnusablePtrNameIsPermfail", "SPF_FAIL DKIM_NA ARC_NA DMARC_NA IPREV_PERMFAIL",
       "alice@spf-pass.test", "192.0.2.4", author("nodmarc.test"), with_iprev()},

      // The DMARC allow list: a pass earns the ham tag, a failure the spam tag, anything else
      // neither.
      {"AllowListedDmarcPass", "SPF_ALLOW DKIM_ALLOW ARC_NA DMARC_POLICY_ALLOW ALLOWLIST_DMARC",
       "alice@spf-pass.test", "192.0.2.1", signed_by("good"), with_allow_dmarc("reject.test")},
      {"AllowListedDmarcFail", "SPF_ALLOW DKIM_NA ARC_NA DMARC_POLICY_REJECT BLOCKLIST_DMARC",
       "alice@spf-pass.test", "192.0.2.1", author("reject.test"), with_allow_dmarc("reject.test")},
      {"AllowListedByWildcardDmarcFail",
       "SPF_ALLOW DKIM_NA ARC_NA DMARC_POLICY_QUARANTINE BLOCKLIST_DMARC", "alice@spf-pass.test",
       "192.0.2.1", author("quarantine.test"), with_allow_dmarc("*.test")},
      {"AllowListedDmarcNoneFiresNeither", "SPF_ALLOW DKIM_NA ARC_NA DMARC_NA",
       "alice@spf-pass.test", "192.0.2.1", author("nodmarc.test"),
       with_allow_dmarc("nodmarc.test")},
      {"AllowListedDmarcTemperrorFiresNeither", "SPF_ALLOW DKIM_NA ARC_NA DMARC_DNSFAIL",
       "alice@spf-pass.test", "192.0.2.1", author("dmarc-timeout.test"),
       with_allow_dmarc("dmarc-timeout.test")},
      {"UnlistedDmarcFailFiresNeither", "SPF_ALLOW DKIM_NA ARC_NA DMARC_POLICY_REJECT",
       "alice@spf-pass.test", "192.0.2.1", author("reject.test"),
       with_allow_dmarc("quarantine.test")},

      // The SPF/DKIM allow list, for the MAIL FROM domain and each d=.
      {"AllowListedSpfPass", "SPF_ALLOW DKIM_NA ARC_NA DMARC_NA ALLOWLIST_SPF_DKIM",
       "alice@spf-pass.test", "192.0.2.1", author("nodmarc.test"),
       with_allow_spf_dkim("spf-pass.test")},
      {"AllowListedSpfFail", "SPF_FAIL DKIM_NA ARC_NA DMARC_NA BLOCKLIST_SPF_DKIM",
       "alice@spf-fail.test", "192.0.2.1", author("nodmarc.test"),
       with_allow_spf_dkim("spf-fail.test")},
      {"AllowListedSpfSoftfailFiresNeither", "SPF_SOFTFAIL DKIM_NA ARC_NA DMARC_NA",
       "alice@spf-softfail.test", "192.0.2.1", author("nodmarc.test"),
       with_allow_spf_dkim("spf-softfail.test")},
      {"AllowListedDkimPass", "SPF_ALLOW DKIM_ALLOW ARC_NA DMARC_POLICY_ALLOW ALLOWLIST_SPF_DKIM",
       "alice@spf-pass.test", "192.0.2.1", signed_by("good"), with_allow_spf_dkim("reject.test")},
      {"AllowListedDkimFail", "SPF_ALLOW DKIM_REJECT ARC_NA DMARC_POLICY_REJECT BLOCKLIST_SPF_DKIM",
       "alice@spf-pass.test", "192.0.2.1",
       [](dns::Resolver&) {
         return with_footer(signed_message(plain_message("reject.test"), "reject.test", "good"));
       },
       with_allow_spf_dkim("reject.test")},
      {"AllowListedDkimPermerrorFiresNeither", "SPF_ALLOW DKIM_PERMFAIL ARC_NA DMARC_POLICY_REJECT",
       "alice@spf-pass.test", "192.0.2.1", signed_by("revoked"),
       with_allow_spf_dkim("reject.test")},
      {"AllowListedSpfPassAndDkimFailFireBoth",
       "SPF_ALLOW DKIM_REJECT ARC_NA DMARC_POLICY_REJECT ALLOWLIST_SPF_DKIM BLOCKLIST_SPF_DKIM",
       "alice@spf-pass.test", "192.0.2.1",
       [](dns::Resolver&) {
         return with_footer(signed_message(plain_message("reject.test"), "reject.test", "good"));
       },
       with_allow_spf_dkim("spf-pass.test\nreject.test")},

      // Trusted ARC sealers.
      {"TrustedSealerOverridesDmarcFailure",
       "SPF_ALLOW DKIM_REJECT ARC_ALLOW ARC_TRUSTED DMARC_POLICY_SOFTFAIL", "list@spf-pass.test",
       "192.0.2.1",
       [](dns::Resolver& zone) { return list_post(zone, aar_saw_pass, "sealer.test"); },
       [](Options& o) { o.trusted_arc_sealers = list_of("sealer.test"); }},
      // The override takes the failure away, so a listed author earns no BLOCKLIST_DMARC.
      {"TrustedSealerOverrideSilencesTheDmarcBlocklist",
       "SPF_ALLOW DKIM_REJECT ARC_ALLOW ARC_TRUSTED DMARC_POLICY_SOFTFAIL", "list@spf-pass.test",
       "192.0.2.1",
       [](dns::Resolver& zone) { return list_post(zone, aar_saw_pass, "sealer.test"); },
       [](Options& o) {
         o.trusted_arc_sealers = list_of("sealer.test");
         o.allow_dmarc = list_of("reject.test");
       }},
      {"UntrustedSealerDoesNotOverride", "SPF_ALLOW DKIM_REJECT ARC_ALLOW DMARC_POLICY_REJECT",
       "list@spf-pass.test", "192.0.2.1",
       [](dns::Resolver& zone) { return list_post(zone, aar_saw_pass, "other-sealer.test"); },
       [](Options& o) { o.trusted_arc_sealers = list_of("sealer.test"); }},
  };
}

class AuthenticatorTagMapping : public testing::TestWithParam<Case> {};

TEST_P(AuthenticatorTagMapping, FiresExactlyTheMappedTags) {
  const Case& c = GetParam();
  Harness harness;
  Verdict v = harness.run(c);
  EXPECT_EQ(tag_names(v), c.expected_tags) << describe(v);
  // The score is the sum of the fired tags' default scores.
  ScoreTable defaults;
  double sum = 0;
  for (const ScoredTag& t : v.tags) {
    EXPECT_EQ(t.score, defaults.score(t.tag)) << to_string(t.tag);
    sum += defaults.score(t.tag);
  }
  EXPECT_DOUBLE_EQ(v.score, sum);
}

INSTANTIATE_TEST_SUITE_P(Cases, AuthenticatorTagMapping, testing::ValuesIn(cases()),
                         [](const testing::TestParamInfo<Case>& param) {
                           return param.param.name;
                         });

TEST(AuthenticatorTagMappingCoverage, EveryTagFiresForSomeInput) {
  std::set<Tag> fired;
  Harness harness;
  for (const Case& c : cases())
    for (const ScoredTag& t : harness.run(c).tags) fired.insert(t.tag);
  for (std::size_t i = 0; i < tag_count; ++i)
    EXPECT_TRUE(fired.contains(static_cast<Tag>(i)))
        << to_string(static_cast<Tag>(i)) << " fires for no case";
}

// The results behind the tags, for the cases whose tag alone does not show the outcome.
TEST(AuthenticatorTagMappingResults, OutcomesBehindTheTags) {
  Harness harness;
  std::vector<Case> all = cases();
  auto run = [&](std::string_view name) {
    auto c = std::find_if(all.begin(), all.end(), [&](const Case& x) { return x.name == name; });
    EXPECT_NE(c, all.end()) << name;
    return harness.run(*c);
  };
  Verdict neutral = run("DkimOnlyNeutralIsNa");
  ASSERT_EQ(neutral.dkim.size(), 1u);
  EXPECT_EQ(neutral.dkim[0].outcome, dkim::Outcome::neutral) << neutral.dkim[0].detail;

  Verdict testing = run("DmarcTestingLowersQuarantineToSoftfail");
  EXPECT_EQ(testing.dmarc.outcome, dmarc::Outcome::fail);
  EXPECT_TRUE(testing.dmarc.testing);
  EXPECT_EQ(testing.dmarc.disposition, dmarc::Disposition::none);
  EXPECT_EQ(testing.disposition, dmarc::Disposition::none);

  Verdict monitor = run("DmarcNonePolicyIsSoftfail");
  EXPECT_EQ(monitor.dmarc.outcome, dmarc::Outcome::fail);
  EXPECT_EQ(monitor.dmarc.policy, dmarc::Policy::none);
  EXPECT_FALSE(monitor.dmarc.testing);

  Verdict lowered = run("DmarcTestingLowersRejectToQuarantine");
  EXPECT_EQ(lowered.disposition, dmarc::Disposition::quarantine);

  Verdict servfail = run("SpfServfailIsTemperror");
  ASSERT_TRUE(servfail.spf_mail_from);
  EXPECT_EQ(servfail.spf_mail_from->outcome, spf::Outcome::temperror);
  EXPECT_TRUE(servfail.temporary_failure());

  Verdict arc_dns = run("ArcKeyTimeoutIsDnsfail");
  EXPECT_EQ(arc_dns.arc.outcome, arc::ChainStatus::fail);
  EXPECT_TRUE(arc_dns.arc.dns_failure);
  EXPECT_TRUE(arc_dns.temporary_failure());

  Verdict arc_fail = run("ArcFailOnChangedHeader");
  EXPECT_FALSE(arc_fail.arc.dns_failure);
  EXPECT_FALSE(arc_fail.temporary_failure());

  Verdict broken = run("DmarcPermerrorOnUnverifiableHeader");
  EXPECT_EQ(broken.dmarc.outcome, dmarc::Outcome::permerror);
  ASSERT_FALSE(broken.limits.empty());
  EXPECT_EQ(broken.limits.front().limit, Limit::header_section);

  Verdict null_path = run("SpfNullReversePathChecksHelo");
  ASSERT_TRUE(null_path.spf_mail_from);
  EXPECT_EQ(null_path.spf_mail_from->sender, "postmaster@mail.helo.test");
  EXPECT_FALSE(null_path.spf_helo) << "the MAIL FROM check already is the HELO check";
}

// ------------------------------------------------------------------ local policy in detail

TEST(AuthenticatorLocalPolicy, TrustedSealerOverrideIsRecorded) {
  Harness harness;
  std::string message = list_post(harness.zone, aar_saw_pass, "sealer.test");
  Authenticator authenticator(harness.zone, harness.options([](Options& o) {
    o.trusted_arc_sealers = list_of("sealer.test");
  }));
  Verdict v = authenticator.verify_blocking(message, Harness::envelope("192.0.2.1", ""));
  EXPECT_EQ(v.dmarc.outcome, dmarc::Outcome::fail);
  EXPECT_EQ(v.dmarc.disposition, dmarc::Disposition::reject) << "DMARC's own, before policy";
  EXPECT_EQ(v.disposition, dmarc::Disposition::none);
  EXPECT_EQ(v.override_reason, "trusted_forwarder");
  ASSERT_EQ(v.policy_changes.size(), 1u);
  EXPECT_EQ(v.policy_changes[0].rule, PolicyRule::trusted_arc_sealer);
  EXPECT_EQ(v.policy_changes[0].domain, "sealer.test");
  EXPECT_NE(v.authentication_results.find("trusted sealer sealer.test"), std::string::npos)
      << v.authentication_results;
  EXPECT_NE(v.authentication_results.find("policy.dmarc=none"), std::string::npos)
      << v.authentication_results;
}

// An AAR that names no author domain is taken at its word about the message it received.
TEST(AuthenticatorLocalPolicy, TrustedSealerWithoutHeaderFromIsTakenAtItsWord) {
  Harness harness;
  std::string message = list_post(harness.zone, "dmarc=pass", "sealer.test");
  Authenticator authenticator(harness.zone, harness.options([](Options& o) {
    o.trusted_arc_sealers = list_of("sealer.test");
  }));
  Verdict v = authenticator.verify_blocking(message, Harness::envelope("192.0.2.1", ""));
  EXPECT_EQ(v.arc.outcome, arc::ChainStatus::pass) << v.arc.detail;
  EXPECT_EQ(v.override_reason, "trusted_forwarder") << describe(v);
  EXPECT_EQ(v.disposition, dmarc::Disposition::none);
}

// Each case is one reason the override must not apply; DMARC's reject stands.
TEST(AuthenticatorLocalPolicy, TrustedSealerDoesNotOverrideWhenItShouldNot) {
  struct {
    std::string why;
    std::function<std::string(dns::Resolver&)> message;
  } cases[] = {
      {"its AAR says dmarc=fail",
       [](dns::Resolver& zone) {
         return list_post(zone,
                          "spf=pass smtp.mailfrom=alice@reject.test; dkim=fail "
                          "header.d=reject.test; dmarc=fail header.from=reject.test",
                          "sealer.test");
       }},
      {"its AAR has no dmarc result",
       [](dns::Resolver& zone) {
         return list_post(zone, "spf=pass smtp.mailfrom=alice@reject.test", "sealer.test");
       }},
      {"its AAR speaks of another author domain",
       [](dns::Resolver& zone) {
         return list_post(zone, "dmarc=pass header.from=elsewhere.test", "sealer.test");
       }},
      {"it is not the newest sealer",
       [](dns::Resolver& zone) {
         std::string first = list_post(zone, aar_saw_pass, "sealer.test");
         return sealed_message(zone, first, "other-sealer.test", aar_saw_pass);
       }},
      {"the chain fails",
       [](dns::Resolver& zone) {
         return with_new_subject(list_post(zone, aar_saw_pass, "sealer.test"));
       }},
      // A second From added above the sealed one after sealing: the AMS still verifies (it
      // signs the bottom-most From), but the message now has no single author domain, which
      // the sealer's "dmarc=pass" cannot speak for, named domain or not.
      {"a From field was added after sealing",
       [](dns::Resolver& zone) {
         std::string message = list_post(zone, "dmarc=pass", "sealer.test");
         message.insert(message.find("\r\nFrom: ") + 2, "From: CEO <ceo@quarantine.test>\r\n");
         return message;
       }},
      {"a From field was added after sealing, AAR naming the author",
       [](dns::Resolver& zone) {
         std::string message = list_post(zone, aar_saw_pass, "sealer.test");
         message.insert(message.find("\r\nFrom: ") + 2, "From: CEO <ceo@quarantine.test>\r\n");
         return message;
       }},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.why);
    Harness harness;
    std::string message = c.message(harness.zone);
    Authenticator authenticator(harness.zone, harness.options([](Options& o) {
      o.trusted_arc_sealers = list_of("sealer.test");
    }));
    Verdict v = authenticator.verify_blocking(message, Harness::envelope("192.0.2.1", ""));
    EXPECT_EQ(v.dmarc.outcome, dmarc::Outcome::fail) << describe(v);
    EXPECT_EQ(v.disposition, dmarc::Disposition::reject) << describe(v);
    EXPECT_EQ(v.override_reason, "");
    EXPECT_FALSE(v.has_tag(Tag::arc_trusted));
    EXPECT_TRUE(v.has_tag(Tag::dmarc_policy_reject)) << tag_names(v);
    EXPECT_TRUE(v.policy_changes.empty());
  }
}

TEST(AuthenticatorLocalPolicy, AllowListChangesAreRecordedInOrder) {
  Harness harness;
  std::string message =
      with_footer(signed_message(plain_message("reject.test"), "reject.test", "good"));
  Authenticator authenticator(harness.zone, harness.options([](Options& o) {
    o.allow_dmarc = list_of("reject.test");
    o.allow_spf_dkim = list_of("spf-fail.test\nreject.test");
  }));
  Verdict v =
      authenticator.verify_blocking(message, Harness::envelope("192.0.2.1", "a@spf-fail.test"));
  EXPECT_EQ(tag_names(v),
            "SPF_FAIL DKIM_REJECT ARC_NA DMARC_POLICY_REJECT BLOCKLIST_DMARC BLOCKLIST_SPF_DKIM");
  ASSERT_EQ(v.policy_changes.size(), 3u);
  EXPECT_EQ(v.policy_changes[0].rule, PolicyRule::allow_list_dmarc);
  EXPECT_EQ(v.policy_changes[0].domain, "reject.test");
  EXPECT_EQ(v.policy_changes[1].rule, PolicyRule::allow_list_spf_dkim);
  EXPECT_EQ(v.policy_changes[1].domain, "spf-fail.test");
  EXPECT_EQ(v.policy_changes[2].rule, PolicyRule::allow_list_spf_dkim);
  EXPECT_EQ(v.policy_changes[2].domain, "reject.test");
  // The lists weigh the message; they do not change DMARC's disposition.
  EXPECT_EQ(v.disposition, dmarc::Disposition::reject);
  EXPECT_EQ(v.override_reason, "");
}

TEST(AuthenticatorLocalPolicy, ScoreTableOverrideChangesTheScore) {
  Harness harness;
  std::string message = plain_message("reject.test");
  Envelope envelope = Harness::envelope("192.0.2.1", "alice@spf-fail.test");
  Authenticator defaults(harness.zone, harness.options());
  Verdict before = defaults.verify_blocking(message, envelope);
  ASSERT_TRUE(before.has_tag(Tag::spf_fail));
  EXPECT_DOUBLE_EQ(before.score, 1.0 + 2.0);  // SPF_FAIL, DMARC_POLICY_REJECT

  Authenticator custom(harness.zone, harness.options([](Options& o) {
    o.scores.set(Tag::spf_fail, 4.5);
    o.scores.set(Tag::dkim_na, 0.25);
  }));
  Verdict after = custom.verify_blocking(message, envelope);
  EXPECT_EQ(tag_names(after), tag_names(before));
  EXPECT_DOUBLE_EQ(after.score, 4.5 + 0.25 + 2.0);
  for (const ScoredTag& t : after.tags) {
    if (t.tag == Tag::spf_fail) {
      EXPECT_EQ(t.score, 4.5);
    }
  }

  // A table parsed from a file's text, swapped in by reload(), weighs later sessions.
  core::Expected<ScoreTable> table = ScoreTable::parse("DMARC_POLICY_REJECT = 10\n");
  ASSERT_TRUE(table) << table.error().message;
  defaults.reload(*table);
  Verdict reloaded = defaults.verify_blocking(message, envelope);
  EXPECT_DOUBLE_EQ(reloaded.score, 1.0 + 10.0);
}

TEST(AuthenticatorLocalPolicy, ReloadSwapsListsForLaterSessionsOnly) {
  Harness harness;
  std::string message = signed_message(plain_message("reject.test"), "reject.test", "good");
  Envelope envelope = Harness::envelope("192.0.2.1", "alice@spf-pass.test");
  Authenticator authenticator(harness.zone, harness.options());

  std::unique_ptr<Session> before = authenticator.start(envelope);
  authenticator.reload(list_of("reject.test"), list_of("spf-pass.test"), nullptr);
  std::unique_ptr<Session> after = authenticator.start(envelope);
  ASSERT_TRUE(before->feed(message));
  ASSERT_TRUE(after->feed(message));
  Session* both[] = {before.get(), after.get()};
  std::vector<Verdict> verdicts = Session::finish_all_blocking(both);
  EXPECT_EQ(tag_names(verdicts[0]), "SPF_ALLOW DKIM_ALLOW ARC_NA DMARC_POLICY_ALLOW");
  EXPECT_TRUE(verdicts[0].policy_changes.empty());
  EXPECT_EQ(tag_names(verdicts[1]),
            "SPF_ALLOW DKIM_ALLOW ARC_NA DMARC_POLICY_ALLOW ALLOWLIST_DMARC ALLOWLIST_SPF_DKIM");
  EXPECT_LT(verdicts[1].score, verdicts[0].score);

  // Null keeps a list: only the SPF/DKIM list changes here.
  authenticator.reload(nullptr, list_of("elsewhere.test"), nullptr);
  Verdict third = authenticator.verify_blocking(message, envelope);
  EXPECT_EQ(tag_names(third), "SPF_ALLOW DKIM_ALLOW ARC_NA DMARC_POLICY_ALLOW ALLOWLIST_DMARC");
}

TEST(AuthenticatorLocalPolicy, ReloadOfTrustedSealersWaitsForTheNextSession) {
  Harness harness;
  std::string message = list_post(harness.zone, aar_saw_pass, "sealer.test");
  Envelope envelope = Harness::envelope("192.0.2.1", "list@spf-pass.test");
  Authenticator authenticator(harness.zone, harness.options());
  std::unique_ptr<Session> started = authenticator.start(envelope);
  authenticator.reload(nullptr, nullptr, list_of("sealer.test"));
  ASSERT_TRUE(started->feed(message));
  Verdict old_policy = started->finish_blocking();
  EXPECT_FALSE(old_policy.has_tag(Tag::arc_trusted));
  EXPECT_EQ(old_policy.disposition, dmarc::Disposition::reject);
  Verdict new_policy = authenticator.verify_blocking(message, envelope);
  EXPECT_TRUE(new_policy.has_tag(Tag::arc_trusted));
  EXPECT_EQ(new_policy.disposition, dmarc::Disposition::none);
}

// ------------------------------------------------------------------ own_auth_results_fields

TEST(AuthenticatorOwnAuthResults, FindsOursCaseInsensitivelyAndKeepsOthers) {
  const std::string message =
      "Authentication-Results: MX.Example.ORG; spf=pass smtp.mailfrom=a@example.com\r\n"
      "Authentication-Results: other.example; dkim=pass header.d=example.com\r\n"
      "From: alice@example.com\r\n"
      "authentication-results: mx.example.org.; none\r\n"
      "Authentication-Results: mx.example.org (unterminated comment\r\n"
      "Authentication-Results: other.example (unterminated; dkim=pass\r\n"
      "Authentication-Results: mx.example.org.evil.example; spf=pass\r\n"
      "X-Authentication-Results: mx.example.org; spf=pass\r\n"
      "Authentication-Results:\r\n"
      "Authentication-Results:   mx.example.org;dkim=fail\r\n"
      "\r\n"
      "body\r\n";
  core::Expected<mail::Message> parsed = mail::parse_message(message);
  ASSERT_TRUE(parsed) << parsed.error().message;
  // 0: ours in another case; 3: ours with a trailing dot; 4: unparsable but led by our id;
  // 9: ours with extra white space. 1 and 5 are another service's (5 unparsable), 6 only
  // starts like ours, 7 is another field, 8 is empty.
  EXPECT_EQ(own_auth_results_fields(parsed->headers, "mx.example.org"),
            (std::vector<std::size_t>{0, 3, 4, 9}));
  EXPECT_EQ(own_auth_results_fields(parsed->headers, "OTHER.example"),
            (std::vector<std::size_t>{1, 5}));
  EXPECT_TRUE(own_auth_results_fields(parsed->headers, "nobody.example").empty());
}

// A forger who breaks the syntax after our authserv-id must not keep the field, however the
// id itself is written: behind a comment, quoted (as the parser decodes it when the rest
// parses), or followed by a NUL (where a C consumer stops reading).
TEST(AuthenticatorOwnAuthResults, CountsUnparsableFieldsWhoseIdIsOursHoweverWritten) {
  struct {
    std::string_view why;
    std::string value;
  } cases[] = {
      {"comment before the id", "(our results) mx.example.org; spf=pass (unterminated"},
      {"quoted id", "\"mx.example.org\"; dkim=pass (unterminated"},
      {"NUL after the id", std::string("mx.example.org\0; spf=pass", 25)},
  };
  for (const auto& c : cases) {
    std::string message = "Authentication-Results: " + c.value + "\r\nFrom: a@example.com\r\n\r\n";
    core::Expected<mail::Message> parsed = mail::parse_message(message);
    ASSERT_TRUE(parsed) << c.why;
    ASSERT_FALSE(mail::parse_auth_results(parsed->headers[0].value)) << c.why << " parses";
    EXPECT_EQ(own_auth_results_fields(parsed->headers, "mx.example.org"),
              std::vector<std::size_t>{0})
        << c.why;
  }
  // The same fields, parsable, are ours already.
  for (std::string_view value :
       {"(our results) mx.example.org; spf=pass", "\"mx.example.org\"; dkim=pass"}) {
    std::string message = "Authentication-Results: " + std::string(value) + "\r\n\r\n";
    core::Expected<mail::Message> parsed = mail::parse_message(message);
    ASSERT_TRUE(parsed);
    EXPECT_EQ(own_auth_results_fields(parsed->headers, "mx.example.org"),
              std::vector<std::size_t>{0})
        << value;
  }
}

}  // namespace
}  // namespace hallmark::authenticator
