// SPDX-License-Identifier: Apache-2.0
// Hostile sender text through every protocol's Authentication-Results fragment and the field
// that joins them, read back with the RFC 8601 parser: whatever a HELO name, a local part, a
// d=, s= or a= or a From domain holds, the field stays one field with exactly the methods and
// properties that were written, each value reading back as sent (control characters dropped,
// long values cut and marked), and no line over 998 octets.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "hallmark/core/header_text.hpp"
#include "hallmark/dkim/auth_results.hpp"
#include "hallmark/dmarc/evaluate.hpp"
#include "hallmark/mail/auth_results.hpp"
#include "hallmark/mail/header.hpp"
#include "hallmark/spf/auth_results.hpp"

namespace hallmark::mail {
namespace {

std::vector<std::string> hostile_values() {
  return {
      "foo=bar",
      "a;b",
      "x (y",
      "quote\"inside",
      "back\\slash",
      "cr\rlf\nX-Injected: yes",
      "semi; dkim=pass header.d=bank.example",
      "(comment) dmarc=pass",
      "a/b?c",
      "8bit-\xc3\xa9\xe2\x82\xac",
      " leading and trailing ",
      "tab\there",
      std::string("nul\0byte", 8),
      std::string(10'000, 'A'),
      std::string(10'000, '"'),
      std::string(10'000, '('),
      [] {
        std::string s;
        while (s.size() < 10'000) s += "; spf=pass smtp.mailfrom=x@bank.example\r\n";
        return s;
      }(),
      [] {
        std::string s;
        while (s.size() < 10'000) s += "\xe2\x82\xac";  // a cut must not split a character
        return s;
      }(),
  };
}

// What a value reads back as: cut as core::echoed() cuts it, without control characters.
std::string expected_readback(std::string_view sent) {
  std::string out;
  for (char c : core::echoed(sent)) {
    auto byte = static_cast<unsigned char>(c);
    if (byte >= 0x20 && byte != 0x7f) out += c;
  }
  return out;
}

struct Rendered {
  std::string field;
  std::string value;  // after "Authentication-Results:"
};

Rendered render(const std::string& v) {
  spf::Result mailfrom;
  mailfrom.outcome = spf::Outcome::fail;
  mailfrom.identity = spf::Identity::mailfrom;
  mailfrom.sender = v + "@example.com";
  spf::Result helo;
  helo.outcome = spf::Outcome::none;
  helo.identity = spf::Identity::helo;
  helo.domain = v;
  dkim::Result signature;
  signature.outcome = dkim::Outcome::permerror;
  signature.detail = "tag 'd' is not a domain: " + v;
  signature.domain = v;
  signature.selector = v;
  signature.algorithm = v;
  signature.auid = v + "@example.com";
  signature.header_b = v;
  dmarc::Result policy;
  policy.outcome = dmarc::Outcome::fail;
  policy.unusable_from = true;
  policy.reason = "From has display name " + v;
  policy.author_domain = v;
  policy.disposition = dmarc::Disposition::reject;
  std::vector<std::string> fragments = {
      spf::auth_results_fragment(mailfrom), spf::auth_results_fragment(helo),
      dkim::auth_results_fragment(signature), dmarc::auth_results_fragment(policy)};
  Rendered out;
  out.field = auth_results_field("mx.example.org", fragments);
  out.value = out.field.substr(out.field.find(':') + 1);
  return out;
}

TEST(AuthResultsRendering, HostileValuesCannotInjectFieldsMethodsOrProperties) {
  for (const std::string& v : hostile_values()) {
    SCOPED_TRACE(testing::PrintToString(v.substr(0, 60)));
    Rendered r = render(v);

    // One header field, whatever the value held.
    std::string message = r.field + "\r\n\r\nbody\r\n";
    auto parsed_message = parse_message(message);
    ASSERT_TRUE(parsed_message);
    ASSERT_EQ(parsed_message->headers.size(), 1u) << r.field;
    EXPECT_TRUE(parsed_message->headers[0].name_is("Authentication-Results"));
    EXPECT_EQ(parsed_message->headers.ended_by(), HeaderEnd::blank_line);

    // No line over 998 octets; every line break is a fold.
    std::size_t line_start = 0;
    for (std::size_t at = r.field.find("\r\n"); at != std::string::npos;
         at = r.field.find("\r\n", line_start)) {
      EXPECT_LE(at - line_start, 998u);
      ASSERT_LT(at + 2, r.field.size());
      EXPECT_EQ(r.field[at + 2], ' ');
      line_start = at + 2;
    }
    EXPECT_LE(r.field.size() - line_start, 998u);

    // Exactly the methods and properties written, values as sent.
    auto results = parse_auth_results(r.value);
    ASSERT_TRUE(results) << results.error().message << "\n" << r.field;
    EXPECT_EQ(results->authserv_id, "mx.example.org");
    ASSERT_EQ(results->methods.size(), 4u) << r.field;
    const AuthMethod& mailfrom = results->methods[0];
    EXPECT_EQ(mailfrom.method, "spf");
    EXPECT_EQ(mailfrom.result, "fail");
    ASSERT_EQ(mailfrom.properties.size(), 1u);
    EXPECT_EQ(mailfrom.property("smtp", "mailfrom"), expected_readback(v + "@example.com"));

    const AuthMethod& helo = results->methods[1];
    EXPECT_EQ(helo.method, "spf");
    EXPECT_EQ(helo.result, "none");
    ASSERT_EQ(helo.properties.size(), 1u);
    EXPECT_EQ(helo.property("smtp", "helo"), expected_readback(v));

    const AuthMethod& signature = results->methods[2];
    EXPECT_EQ(signature.method, "dkim");
    EXPECT_EQ(signature.result, "permerror");
    ASSERT_EQ(signature.properties.size(), 5u);
    for (std::string_view name : {"d", "s", "a", "b"})
      EXPECT_EQ(signature.property("header", name), expected_readback(v)) << name;
    EXPECT_EQ(signature.property("header", "i"), expected_readback(v + "@example.com"));

    const AuthMethod& policy = results->methods[3];
    EXPECT_EQ(policy.method, "dmarc");
    EXPECT_EQ(policy.result, "fail");
    ASSERT_EQ(policy.properties.size(), 2u);
    EXPECT_EQ(policy.property("header", "from"), expected_readback(v));
    EXPECT_EQ(policy.property("policy", "dmarc"), "reject");
  }
}

TEST(AuthResultsRendering, OrdinaryFieldFoldsOneMethodALine) {
  spf::Result pass;
  pass.outcome = spf::Outcome::pass;
  pass.identity = spf::Identity::mailfrom;
  pass.sender = "alice@example.com";
  const std::string fragments[] = {spf::auth_results_fragment(pass), "dkim=none"};
  EXPECT_EQ(auth_results_field("mx.example.org", fragments),
            "Authentication-Results: mx.example.org;\r\n"
            " spf=pass smtp.mailfrom=alice@example.com;\r\n"
            " dkim=none");
  EXPECT_EQ(auth_results_field("mx.example.org", fragments, ""),
            "Authentication-Results: mx.example.org; spf=pass smtp.mailfrom=alice@example.com; "
            "dkim=none");
  EXPECT_EQ(auth_results_field("mx.example.org", {}),
            "Authentication-Results: mx.example.org; none");
  // A hostile authserv-id is quoted like any other value.
  auto odd = parse_auth_results(
      auth_results_field("mx;spf=pass", {}).substr(sizeof("Authentication-Results:") - 1));
  ASSERT_TRUE(odd);
  EXPECT_EQ(odd->authserv_id, "mx;spf=pass");
  EXPECT_TRUE(odd->methods.empty());
}

TEST(AuthResultsRendering, LongFragmentsFoldWithinSeventyEightOctets) {
  dkim::Result signature;
  signature.outcome = dkim::Outcome::pass;
  signature.domain = "a-rather-long-signing-domain.mail.example.com";
  signature.auid = "@a-rather-long-signing-domain.mail.example.com";
  signature.selector = "selector-2026-12-rotation";
  signature.algorithm = "ed25519-sha256";
  signature.header_b = "AbCdEfGhIjKl";
  const std::string fragments[] = {dkim::auth_results_fragment(signature)};
  std::string field = auth_results_field("mx.example.org", fragments);
  std::size_t line_start = 0;
  for (std::size_t at = field.find("\r\n"); at != std::string::npos;
       at = field.find("\r\n", line_start)) {
    EXPECT_LE(at - line_start, 78u) << field;
    line_start = at + 2;
  }
  EXPECT_LE(field.size() - line_start, 78u) << field;
  auto parsed = parse_auth_results(field.substr(field.find(':') + 1));
  ASSERT_TRUE(parsed);
  EXPECT_EQ(parsed->methods.at(0).property("header", "s"), "selector-2026-12-rotation");
}

}  // namespace
}  // namespace hallmark::mail
