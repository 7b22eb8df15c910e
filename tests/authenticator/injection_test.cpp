// SPDX-License-Identifier: Apache-2.0
// Header injection through the rendered Authentication-Results field: every value a sender
// controls (the From domain, DKIM d=, s=, i= and a=, MAIL FROM, HELO, the ARC-Authentication-
// Results a sealer wrote, the sealer's d=) carrying line breaks, ';', comment and quote
// characters, NUL, 8-bit bytes or 10 KB, must leave one field that parses back with exactly
// the methods we wrote, in order, whose continuation lines all start with white space, and
// whose size stays bounded.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <memory>
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

namespace hallmark::authenticator {
namespace {

constexpr std::int64_t signing_time = 1796000000;
constexpr std::string_view field_name = "Authentication-Results:";

// RFC 5322 2.1.1: no line of a field may exceed 998 octets.
constexpr std::size_t max_line = 998;
// Six methods whose every echoed value is capped at 255 octets (twice that when escaped) fit
// well within this; a single 10 KB value copied through would not.
constexpr std::size_t max_field = 4 * 1024;

const dkim::PrivateKey& test_key() {
  static const dkim::PrivateKey key = *dkim::PrivateKey::generate(dkim::KeyType::rsa, 1024);
  return key;
}

struct Hostile {
  std::string name;
  std::string value;
};

// What a sender may put in a value it controls.
std::vector<Hostile> hostile_values() {
  using namespace std::string_literals;
  return {
      {"crlf field", "x\r\nX-Injected: 1"},
      {"lf field", "x\nX-Injected: 1"},
      {"cr field", "x\rX-Injected: 1"},
      {"crlf our field", "x\r\nAuthentication-Results: mx.example.org; dmarc=pass"},
      {"crlf blank", "x\r\n \r\nX-Injected: 1"},
      {"semicolon method", "x; dmarc=pass header.from=bank.example"},
      {"open comment", "x(dmarc=pass"},
      {"close comment", "x) dmarc=pass (y"},
      {"quote", "x\" dmarc=pass \"y"},
      {"backslash", "x\\"},
      {"backslash quote", "x\\\" ; dkim=pass"},
      {"nul", "x\0; dkim=pass"s},
      {"del and controls", "x\x7f\x01\x1b[31m"},
      {"utf8",
       "b\xc3\xbc"
       "cher.example"},
      {"bad utf8", "x\xff\xfe\xc3"},
      {"10 KB", std::string(10 * 1024, 'a')},
      {"10 KB dots", std::string(10 * 1024, '.')},
      {"10 KB parens", std::string(10 * 1024, '(')},
      {"10 KB backslashes", std::string(10 * 1024, '\\')},
      {"10 KB quotes", std::string(10 * 1024, '"')},
      {"10 KB spaces then field", std::string(10 * 1024, ' ') + "\r\nX-Injected: 1"},
      {"10 KB utf8",
       [] {
         std::string out;
         while (out.size() < 10 * 1024) out += "\xc3\xbc";
         return out;
       }()},
  };
}

// Only reject.test publishes: DMARC p=reject, a DKIM key (s=good), SPF for 192.0.2.1; the
// sealer's key at sealer.test.
dns::ZoneResolver injection_zone() {
  dns::ZoneResolver zone;
  zone.add_txt("reject.test", {"v=spf1 ip4:192.0.2.1 -all"});
  zone.add_txt("_dmarc.reject.test", {"v=DMARC1; p=reject"});
  std::string record = test_key().dns_record();
  std::vector<std::string> strings;
  for (std::size_t at = 0; at < record.size(); at += 255) strings.push_back(record.substr(at, 255));
  zone.add_txt("good._domainkey.reject.test", strings);
  zone.add_txt("arc._domainkey.sealer.test", strings);
  return zone;
}

Envelope envelope(std::string mail_from = "alice@reject.test",
                  std::string helo = "mail.reject.test") {
  Envelope out;
  out.ip = *core::IpAddress::parse("192.0.2.1");
  out.helo = std::move(helo);
  out.mail_from = std::move(mail_from);
  out.recipients = {"bob@example.net"};
  return out;
}

std::string message_from(std::string_view from_field) {
  std::string message = "From: " + std::string(from_field) +
                        "\r\n"
                        "To: bob@example.net\r\n"
                        "Subject: statement\r\n"
                        "Date: Tue, 24 Nov 2026 09:30:00 +0000\r\n"
                        "Message-ID: <1@reject.test>\r\n";
  return message;
}

constexpr std::string_view body = "\r\nYour statement is ready.\r\n";

std::string plain_message() {
  return message_from("Alice <alice@reject.test>") + std::string(body);
}

// A DKIM-Signature written by hand, last in the header section so that whatever its values do
// to the lines, there is one such field and the From above it is intact.
struct DkimTags {
  std::string d = "reject.test", s = "good", i = "@reject.test", a = "rsa-sha256";
};

std::string message_with_signature(const DkimTags& tags) {
  return message_from("Alice <alice@reject.test>") + "DKIM-Signature: v=1; a=" + tags.a +
         "; c=relaxed/relaxed; d=" + tags.d + "; s=" + tags.s + "; i=" + tags.i +
         "; h=from:to:subject; bh=47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=; "
         "b=dGhpcyBpcyBub3QgYSBzaWduYXR1cmUgYXQgYWxs\r\n" +
         std::string(body);
}

std::string sealed(dns::Resolver& zone, const std::string& message, std::string aar) {
  arc::SealOptions options;
  options.domain = "sealer.test";
  options.selector = "arc";
  options.authserv_id = "sealer.test";
  options.auth_results = std::move(aar);
  options.now = [] { return signing_time; };
  dkim::KeyCache keys;
  options.verify.key_cache = &keys;
  core::Expected<arc::Sealed> result =
      core::sync_wait(arc::seal_message(zone, message, test_key(), options));
  if (!result || result->fields.empty()) return {};
  return result->fields + message;
}

class AuthenticatorInjection : public testing::Test {
 protected:
  Verdict verify(const std::string& message, Envelope env = envelope(), bool iprev = false) {
    Options options;
    options.iprev = iprev;
    options.authserv_id = "mx.example.org";
    options.dkim.now = [] { return signing_time + 60; };
    options.dkim.key_cache = &keys_;
    options.arc.key_cache = &keys_;
    options.trusted_arc_sealers =
        std::make_shared<const AllowList>(*AllowList::parse("sealer.test\n"));
    options.allow_dmarc = std::make_shared<const AllowList>(*AllowList::parse("reject.test\n"));
    Authenticator authenticator(zone_, std::move(options));
    return authenticator.verify_blocking(message, std::move(env));
  }

  dns::ZoneResolver zone_ = injection_zone();
  dkim::KeyCache keys_;
};

std::vector<std::string> lines_of(std::string_view field) {
  std::vector<std::string> lines;
  for (;;) {
    std::size_t crlf = field.find("\r\n");
    lines.emplace_back(field.substr(0, crlf));
    if (crlf == std::string_view::npos) return lines;
    field.remove_prefix(crlf + 2);
  }
}

std::string printable(std::string_view text) {
  std::string out;
  for (char c : text.substr(0, 4096)) {
    auto octet = static_cast<unsigned char>(c);
    if (octet >= 0x20 && octet < 0x7f) {
      out += c;
    } else {
      static const char hex[] = "0123456789abcdef";
      out += "\\x";
      out += hex[octet >> 4];
      out += hex[octet & 15];
    }
  }
  if (text.size() > 4096) out += "...";
  return out;
}

// One field, within bounds, that parses back to our authserv-id and `methods` in this order.
void expect_one_safe_field(const Verdict& v, const std::vector<std::string>& methods) {
  const std::string& field = v.authentication_results;
  ASSERT_EQ(field.rfind(field_name, 0), 0u) << printable(field);
  EXPECT_LE(field.size(), max_field);
  EXPECT_EQ(field.find('\0'), std::string::npos) << "NUL in the field";
  std::vector<std::string> lines = lines_of(field);
  for (std::size_t i = 0; i < lines.size(); ++i) {
    const std::string& line = lines[i];
    EXPECT_EQ(line.find_first_of("\r\n"), std::string::npos)
        << "bare CR or LF in line " << i << ": " << printable(line);
    EXPECT_LE(line.size(), max_line) << "line " << i;
    if (i == 0) continue;
    // A continuation line: white space first, and something after it (a line of only white
    // space is obsolete syntax, RFC 5322 4.2).
    ASSERT_FALSE(line.empty()) << "line " << i << " is empty: the field ends there";
    EXPECT_TRUE(line.front() == ' ' || line.front() == '\t')
        << "line " << i << " starts a new field: " << printable(line);
    EXPECT_NE(line.find_first_not_of(" \t"), std::string::npos) << "line " << i << " is blank";
  }

  core::Expected<mail::AuthResults> parsed =
      mail::parse_auth_results(std::string_view(field).substr(field_name.size()));
  ASSERT_TRUE(parsed) << parsed.error().message << " at " << parsed.error().offset << " in "
                      << printable(field);
  EXPECT_EQ(parsed->authserv_id, "mx.example.org");
  std::vector<std::string> found;
  for (const mail::AuthMethod& method : parsed->methods) found.push_back(method.method);
  EXPECT_EQ(found, methods) << printable(field);
  for (const mail::AuthMethod& method : parsed->methods) {
    for (const mail::AuthProperty& property : method.properties) {
      EXPECT_EQ(property.value.find_first_of(std::string_view("\r\n\0", 3)), std::string::npos)
          << method.method << " " << property.ptype << "." << property.property;
      EXPECT_LE(property.value.size(), 300u) << method.method << " " << property.property;
    }
  }
}

const std::vector<std::string> all_methods = {"spf", "spf", "dkim", "arc", "dmarc"};

TEST_F(AuthenticatorInjection, FromDomain) {
  for (const Hostile& h : hostile_values()) {
    SCOPED_TRACE(h.name);
    for (const std::string& from :
         {"Alice <alice@" + h.value + ">", "alice@" + h.value, "alice@reject.test" + h.value,
          "\"" + h.value + "\" <alice@reject.test>"}) {
      Verdict v = verify(message_from(from) + std::string(body));
      expect_one_safe_field(v, all_methods);
    }
  }
}

TEST_F(AuthenticatorInjection, DkimTagValues) {
  for (const Hostile& h : hostile_values()) {
    SCOPED_TRACE(h.name);
    for (std::string DkimTags::*tag : {&DkimTags::d, &DkimTags::s, &DkimTags::i, &DkimTags::a}) {
      for (bool prefix : {false, true}) {
        DkimTags tags;
        // Alone, or after the value it replaces, so parsers that stop early still see it.
        tags.*tag = prefix ? tags.*tag + h.value : h.value;
        Verdict v = verify(message_with_signature(tags));
        expect_one_safe_field(v, all_methods);
      }
    }
  }
}

// Values a DKIM parser accepts (VALCHAR is any printable but ';'), so they reach the result
// and the renderer rather than stopping at a syntax error.
TEST_F(AuthenticatorInjection, DkimPrintableValuesReachTheField) {
  struct {
    std::string DkimTags::*tag;
    std::string_view property;  // header.<property> in the field
    std::string dkim::Result::*kept;
    std::string_view suffix;  // i= must stay within d= to be kept
  } tags_tried[] = {
      {&DkimTags::d, "d", &dkim::Result::domain, ""},
      {&DkimTags::s, "s", &dkim::Result::selector, ""},
      {&DkimTags::i, "i", &dkim::Result::auid, "@reject.test"},
      {&DkimTags::a, "a", &dkim::Result::algorithm, ""},
  };
  for (std::string_view value :
       {"x(y", "x)y", "x\"y", "x\\y", "x=y", "x,y", "(comment)", "\\\"", "x)(dmarc=pass"}) {
    SCOPED_TRACE(value);
    for (const auto& t : tags_tried) {
      SCOPED_TRACE(t.property);
      DkimTags tags;
      tags.*t.tag = std::string(value) + std::string(t.suffix);
      Verdict v = verify(message_with_signature(tags));
      expect_one_safe_field(v, all_methods);
      ASSERT_EQ(v.dkim.size(), 1u);
      // Where the result kept the value, the field gives it back: escaped, then unescaped.
      core::Expected<mail::AuthResults> parsed = mail::parse_auth_results(
          std::string_view(v.authentication_results).substr(field_name.size()));
      ASSERT_TRUE(parsed);
      const mail::AuthMethod* dkim = parsed->find("dkim");
      ASSERT_NE(dkim, nullptr);
      const std::string& kept = v.dkim[0].*t.kept;
      if (!kept.empty()) {
        EXPECT_EQ(dkim->property("header", t.property), kept);
      }
    }
  }
}

TEST_F(AuthenticatorInjection, MailFrom) {
  for (const Hostile& h : hostile_values()) {
    SCOPED_TRACE(h.name);
    for (const std::string& mail_from :
         {h.value, h.value + "@reject.test", "alice@" + h.value, "alice@reject.test" + h.value,
          "\"" + h.value + "\"@reject.test"}) {
      Verdict v = verify(plain_message(), envelope(mail_from));
      expect_one_safe_field(v, all_methods);
    }
  }
}

TEST_F(AuthenticatorInjection, Helo) {
  for (const Hostile& h : hostile_values()) {
    SCOPED_TRACE(h.name);
    for (const std::string& helo : {h.value, "mail.reject.test" + h.value}) {
      expect_one_safe_field(verify(plain_message(), envelope("alice@reject.test", helo)),
                            all_methods);
      // The null reverse path: the HELO name is the MAIL FROM identity (postmaster@HELO).
      expect_one_safe_field(verify(plain_message(), envelope("", helo)),
                            {"spf", "dkim", "arc", "dmarc"});
    }
  }
}

// A trusted sealer's AAR decides the override when DMARC fails (the list's own MAIL FROM
// does not align and the post is unsigned); none of it may reach our field but through the
// comment naming the sealer.
TEST_F(AuthenticatorInjection, SealedArcAuthenticationResults) {
  const Envelope from_list = envelope("list@sealer.test", "lists.sealer.test");
  {
    std::string message = sealed(zone_, plain_message(), "dmarc=pass header.from=reject.test");
    ASSERT_FALSE(message.empty());
    Verdict v = verify(message, from_list);
    EXPECT_EQ(v.override_reason, "trusted_forwarder") << "the override path is not reached";
    expect_one_safe_field(v, all_methods);
  }
  std::size_t sealed_count = 0;
  for (const Hostile& h : hostile_values()) {
    SCOPED_TRACE(h.name);
    for (const std::string& aar : {"dmarc=pass header.from=" + h.value,
                                   "dmarc=pass (" + h.value + ") header.from=reject.test",
                                   "dmarc=pass reason=\"" + h.value + "\" header.from=reject.test",
                                   "dmarc=pass header.from=reject.test; x=" + h.value, h.value}) {
      std::string message = sealed(zone_, plain_message(), aar);
      // The sealer may refuse text it cannot seal; what it seals must be safe to read.
      if (message.empty()) continue;
      ++sealed_count;
      expect_one_safe_field(verify(message, from_list), all_methods);
    }
  }
  EXPECT_GT(sealed_count, hostile_values().size()) << "the sealer refused nearly every AAR";
}

// The AAR, the AMS's and the AS's d= edited after sealing: the chain fails, and its detail
// may quote what was edited in.
TEST_F(AuthenticatorInjection, EditedArcFields) {
  std::string original = sealed(zone_, plain_message(), "dmarc=pass header.from=reject.test");
  ASSERT_FALSE(original.empty());
  struct Edit {
    std::string_view field, find;
  } edits[] = {
      {"ARC-Authentication-Results:", "dmarc=pass"},
      {"ARC-Seal:", "d=sealer.test"},
      {"ARC-Message-Signature:", "d=sealer.test"},
      {"ARC-Seal:", "s=arc"},
  };
  for (const Hostile& h : hostile_values()) {
    SCOPED_TRACE(h.name);
    for (const Edit& edit : edits) {
      SCOPED_TRACE(edit.field);
      std::string message = original;
      std::size_t field = message.find(edit.field);
      ASSERT_NE(field, std::string::npos);
      std::size_t at = message.find(edit.find, field);
      ASSERT_NE(at, std::string::npos);
      message.insert(at + edit.find.size(), h.value);
      Verdict v = verify(message);
      expect_one_safe_field(v, all_methods);
    }
  }
}

// The client's PTR names belong to whoever runs its reverse zone.
TEST_F(AuthenticatorInjection, PtrNames) {
  for (const Hostile& h : hostile_values()) {
    SCOPED_TRACE(h.name);
    for (const std::string& name : {h.value, "mail.reject.test" + h.value}) {
      zone_ = injection_zone();
      zone_.add_ptr("1.2.0.192.in-addr.arpa", name);
      Verdict alone = verify(plain_message(), envelope(), true);
      ASSERT_TRUE(alone.iprev);
      expect_one_safe_field(alone, {"iprev", "spf", "spf", "dkim", "arc", "dmarc"});
      // Beside a name that confirms, which iprev then reports.
      zone_.add_ptr("1.2.0.192.in-addr.arpa", "mail.reject.test");
      zone_.add_address("mail.reject.test", *core::IpAddress::parse("192.0.2.1"));
      Verdict confirmed = verify(plain_message(), envelope(), true);
      ASSERT_TRUE(confirmed.iprev);
      EXPECT_EQ(confirmed.iprev->outcome, IprevResult::Outcome::pass);
      expect_one_safe_field(confirmed, {"iprev", "spf", "spf", "dkim", "arc", "dmarc"});
    }
  }
}

// Everything hostile at once, 10 KB each: the field stays within its bound.
TEST_F(AuthenticatorInjection, EverythingAtOnceStaysBounded) {
  for (const Hostile& h : hostile_values()) {
    SCOPED_TRACE(h.name);
    DkimTags tags{"reject.test" + h.value, h.value, h.value + "@reject.test", h.value};
    std::string message = message_with_signature(tags);
    message.replace(message.find("alice@reject.test"), 17, "alice@" + h.value);
    Verdict v = verify(message, envelope(h.value + "@" + h.value, h.value));
    expect_one_safe_field(v, all_methods);
  }
}

}  // namespace
}  // namespace hallmark::authenticator
