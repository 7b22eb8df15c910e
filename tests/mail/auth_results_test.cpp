// SPDX-License-Identifier: Apache-2.0
// Authentication-Results parsing: the RFC 7601 appendix B examples, CFWS in every place the
// grammar allows, versions, quoting, the documented leniencies, errors and hostile sizes.
#include <gtest/gtest.h>

#include <string>
#include <string_view>

#include <fmt/format.h>

#include "hallmark/core/header_text.hpp"
#include "hallmark/mail/auth_results.hpp"
#include "hallmark/mail/header.hpp"
#include "test_dump.hpp"

namespace hallmark::mail {
namespace {

using core::Errc;

std::string dump(const AuthResults& results) {
  std::string out = results.authserv_id;
  if (results.version) out += fmt::format("/{}", *results.version);
  if (results.methods.empty()) out += "; none";
  for (const AuthMethod& method : results.methods) {
    out += "; " + method.method;
    if (method.version) out += fmt::format("/{}", *method.version);
    out += "=" + method.result;
    if (!method.reason.empty()) out += fmt::format(" reason=\"{}\"", method.reason);
    for (const AuthProperty& property : method.properties) {
      out += " ";
      if (!property.ptype.empty()) out += property.ptype + ".";
      out += property.property + "=" + property.value;
    }
  }
  return test::escape(out);
}

// "authserv-id[/version]; method[/version]=result reason="..." ptype.property=value ...",
// or "error <code>@<offset>" for a failure.
std::string dump(std::string_view value, const AuthResultsLimits& limits = {}) {
  core::Expected<AuthResults> results = parse_auth_results(value, limits);
  if (!results) {
    EXPECT_FALSE(results.error().message.empty()) << value;
    return fmt::format("error {}@{}", core::to_string(results.error().code),
                       results.error().offset);
  }
  return dump(*results);
}

void expect_error(std::string_view value, Errc code, const AuthResultsLimits& limits = {}) {
  core::Expected<AuthResults> results = parse_auth_results(value, limits);
  ASSERT_FALSE(results) << test::escape(value.substr(0, 200)) << " parsed as " << dump(*results);
  EXPECT_EQ(results.error().code, code) << results.error().message;
  EXPECT_FALSE(results.error().message.empty());
  EXPECT_LE(results.error().offset, value.size());
}

AuthResults parsed(std::string_view value) {
  core::Expected<AuthResults> results = parse_auth_results(value);
  EXPECT_TRUE(results) << test::escape(value) << ": " << results.error().message;
  return results ? *results : AuthResults{};
}

// The field values below are those of RFC 7601 appendix B (the same in RFC 8601), folded as
// printed there. B.1 has no Authentication-Results field.

TEST(AuthResultsParse, Rfc7601AppendixB2NoAuthenticationDone) {
  AuthResults r = parsed(" example.org 1; none");
  EXPECT_EQ(r.authserv_id, "example.org");
  EXPECT_EQ(r.version, 1u);
  EXPECT_TRUE(r.methods.empty());
}

TEST(AuthResultsParse, Rfc7601AppendixB3AuthenticationDone) {
  AuthResults r = parsed(" example.com;\r\n          spf=pass smtp.mailfrom=example.net");
  EXPECT_EQ(r.authserv_id, "example.com");
  EXPECT_FALSE(r.version);
  ASSERT_EQ(r.methods.size(), 1u);
  EXPECT_EQ(r.methods[0].method, "spf");
  EXPECT_FALSE(r.methods[0].version);
  EXPECT_EQ(r.methods[0].result, "pass");
  EXPECT_EQ(r.methods[0].reason, "");
  ASSERT_EQ(r.methods[0].properties.size(), 1u);
  EXPECT_EQ(r.methods[0].properties[0], (AuthProperty{"smtp", "mailfrom", "example.net"}));
}

TEST(AuthResultsParse, Rfc7601AppendixB4SeveralAuthenticationsSingleMta) {
  AuthResults first = parsed(
      " example.com;\r\n"
      "          auth=pass (cram-md5) smtp.auth=sender@example.net;\r\n"
      "          spf=pass smtp.mailfrom=example.net");
  EXPECT_EQ(first.authserv_id, "example.com");
  EXPECT_FALSE(first.version);
  ASSERT_EQ(first.methods.size(), 2u);
  EXPECT_EQ(first.methods[0].method, "auth");
  EXPECT_EQ(first.methods[0].result, "pass");
  EXPECT_EQ(first.methods[0].reason, "");
  ASSERT_EQ(first.methods[0].properties.size(), 1u);
  EXPECT_EQ(first.methods[0].properties[0], (AuthProperty{"smtp", "auth", "sender@example.net"}));
  EXPECT_EQ(first.methods[1].method, "spf");
  EXPECT_EQ(first.methods[1].result, "pass");
  ASSERT_EQ(first.methods[1].properties.size(), 1u);
  EXPECT_EQ(first.methods[1].properties[0], (AuthProperty{"smtp", "mailfrom", "example.net"}));

  AuthResults second = parsed(" example.com;\r\n          sender-id=pass header.from=example.net");
  EXPECT_EQ(second.authserv_id, "example.com");
  ASSERT_EQ(second.methods.size(), 1u);
  EXPECT_EQ(second.methods[0].method, "sender-id");
  EXPECT_EQ(second.methods[0].result, "pass");
  ASSERT_EQ(second.methods[0].properties.size(), 1u);
  EXPECT_EQ(second.methods[0].properties[0], (AuthProperty{"header", "from", "example.net"}));
}

TEST(AuthResultsParse, Rfc7601AppendixB5SeveralAuthenticationsDifferentMtas) {
  AuthResults upper = parsed(
      " example.com;\r\n"
      "          sender-id=fail header.from=example.com;\r\n"
      "          dkim=pass (good signature) header.d=example.com");
  EXPECT_EQ(upper.authserv_id, "example.com");
  ASSERT_EQ(upper.methods.size(), 2u);
  EXPECT_EQ(upper.methods[0].method, "sender-id");
  EXPECT_EQ(upper.methods[0].result, "fail");
  ASSERT_EQ(upper.methods[0].properties.size(), 1u);
  EXPECT_EQ(upper.methods[0].properties[0], (AuthProperty{"header", "from", "example.com"}));
  EXPECT_EQ(upper.methods[1].method, "dkim");
  EXPECT_EQ(upper.methods[1].result, "pass");
  EXPECT_EQ(upper.methods[1].reason, "");  // a comment is not a reason
  ASSERT_EQ(upper.methods[1].properties.size(), 1u);
  EXPECT_EQ(upper.methods[1].properties[0], (AuthProperty{"header", "d", "example.com"}));

  AuthResults lower = parsed(
      " example.com;\r\n"
      "          auth=pass (cram-md5) smtp.auth=sender@example.com;\r\n"
      "          spf=fail smtp.mailfrom=example.com");
  EXPECT_EQ(lower.authserv_id, "example.com");
  ASSERT_EQ(lower.methods.size(), 2u);
  EXPECT_EQ(lower.methods[0].method, "auth");
  EXPECT_EQ(lower.methods[0].result, "pass");
  ASSERT_EQ(lower.methods[0].properties.size(), 1u);
  EXPECT_EQ(lower.methods[0].properties[0], (AuthProperty{"smtp", "auth", "sender@example.com"}));
  EXPECT_EQ(lower.methods[1].method, "spf");
  EXPECT_EQ(lower.methods[1].result, "fail");
  ASSERT_EQ(lower.methods[1].properties.size(), 1u);
  EXPECT_EQ(lower.methods[1].properties[0], (AuthProperty{"smtp", "mailfrom", "example.com"}));
}

TEST(AuthResultsParse, Rfc7601AppendixB6MultiTieredAuthentication) {
  AuthResults upper = parsed(
      " example.com;\r\n"
      "      dkim=pass reason=\"good signature\"\r\n"
      "        header.i=@mail-router.example.net;\r\n"
      "      dkim=fail reason=\"bad signature\"\r\n"
      "        header.i=@newyork.example.com");
  EXPECT_EQ(upper.authserv_id, "example.com");
  ASSERT_EQ(upper.methods.size(), 2u);
  EXPECT_EQ(upper.methods[0].method, "dkim");
  EXPECT_EQ(upper.methods[0].result, "pass");
  EXPECT_EQ(upper.methods[0].reason, "good signature");
  ASSERT_EQ(upper.methods[0].properties.size(), 1u);
  EXPECT_EQ(upper.methods[0].properties[0],
            (AuthProperty{"header", "i", "@mail-router.example.net"}));
  EXPECT_EQ(upper.methods[1].method, "dkim");
  EXPECT_EQ(upper.methods[1].result, "fail");
  EXPECT_EQ(upper.methods[1].reason, "bad signature");
  ASSERT_EQ(upper.methods[1].properties.size(), 1u);
  EXPECT_EQ(upper.methods[1].properties[0], (AuthProperty{"header", "i", "@newyork.example.com"}));

  AuthResults lower =
      parsed(" example.net;\r\n      dkim=pass (good signature) header.i=@newyork.example.com");
  EXPECT_EQ(lower.authserv_id, "example.net");
  ASSERT_EQ(lower.methods.size(), 1u);
  EXPECT_EQ(lower.methods[0].method, "dkim");
  EXPECT_EQ(lower.methods[0].result, "pass");
  EXPECT_EQ(lower.methods[0].reason, "");
  ASSERT_EQ(lower.methods[0].properties.size(), 1u);
  EXPECT_EQ(lower.methods[0].properties[0], (AuthProperty{"header", "i", "@newyork.example.com"}));
}

TEST(AuthResultsParse, Rfc7601AppendixB7CommentHeavy) {
  AuthResults r = parsed(
      " foo.example.net (foobar) 1 (baz);\r\n"
      "    dkim (Because I like it) / 1 (One yay) = (wait for it) fail\r\n"
      "      policy (A dot can go here) . (like that) expired\r\n"
      "      (this surprised me) = (as I wasn't expecting it) 1362471462");
  EXPECT_EQ(r.authserv_id, "foo.example.net");
  EXPECT_EQ(r.version, 1u);
  ASSERT_EQ(r.methods.size(), 1u);
  EXPECT_EQ(r.methods[0].method, "dkim");
  EXPECT_EQ(r.methods[0].version, 1u);
  EXPECT_EQ(r.methods[0].result, "fail");
  EXPECT_EQ(r.methods[0].reason, "");
  ASSERT_EQ(r.methods[0].properties.size(), 1u);
  EXPECT_EQ(r.methods[0].properties[0], (AuthProperty{"policy", "expired", "1362471462"}));
}

TEST(AuthResultsParse, AcceptsCommentsInEveryPosition) {
  struct {
    std::string_view value, dump;
  } cases[] = {
      {"(a)example.com(b);(c)spf(d)=(e)pass(f)smtp(g).(h)mailfrom(i)=(j)a@b.example(k)",
       "example.com; spf=pass smtp.mailfrom=a@b.example"},
      {"example.com (a) 1 (b) ; (c) none (d)", "example.com/1; none"},
      {"example.com; dkim (x) / (y) 1 (z) = pass", "example.com; dkim/1=pass"},
      {"example.com; dkim=pass (r) reason (s) = (t) \"because\" (u) header.d=x.example",
       "example.com; dkim=pass reason=\"because\" header.d=x.example"},
      {"example.com; spf=pass ((nested (twice)) comment) smtp.helo=h.example",
       "example.com; spf=pass smtp.helo=h.example"},
      {"example.com; spf=pass (\\) escaped paren; not a separator) smtp.helo=h.example",
       "example.com; spf=pass smtp.helo=h.example"},
      {"example.com; spf=pass (caf\xc3\xa9 \xe2\x9c\x93) smtp.helo=h.example",
       "example.com; spf=pass smtp.helo=h.example"},
      {"example.com; spf=pass (spf=fail; dkim=pass) smtp.helo=h.example",
       "example.com; spf=pass smtp.helo=h.example"},
      {"example.com; spf=pass smtp.helo=h.example (trailing)",
       "example.com; spf=pass smtp.helo=h.example"},
  };
  for (auto [value, expected] : cases) EXPECT_EQ(dump(value), expected) << value;
}

TEST(AuthResultsParse, UnfoldsFoldedValues) {
  struct {
    std::string_view value, dump;
  } cases[] = {
      {"example.com;\r\n spf=pass\r\n\tsmtp.mailfrom=a@b.example",
       "example.com; spf=pass smtp.mailfrom=a@b.example"},
      {"example.com;\n spf=pass\n smtp.mailfrom=a@b.example",  // bare LF
       "example.com; spf=pass smtp.mailfrom=a@b.example"},
      {"example.com; dkim=fail reason=\"a long\r\n reason\" header.d=d.example",
       "example.com; dkim=fail reason=\"a long reason\" header.d=d.example"},
      {"example.com; spf=pass (a comment\r\n folded) smtp.helo=h.example",
       "example.com; spf=pass smtp.helo=h.example"},
      {"example.com; spf=pass smtp.helo=h.example\r\n",  // the field's own terminator
       "example.com; spf=pass smtp.helo=h.example"},
      {"\r\n example.com;\r\n spf\r\n =\r\n pass", "example.com; spf=pass"},
  };
  for (auto [value, expected] : cases) EXPECT_EQ(dump(value), expected) << test::escape(value);
}

TEST(AuthResultsParse, ReadsFieldValuesAsTheHeaderParserGivesThem) {
  std::string message =
      "Authentication-Results: mx.example.org;\r\n"
      "\tdkim=pass header.d=example.com header.s=sel header.b=\"AbC/dE+f\";\r\n"
      "\tspf=pass smtp.mailfrom=user@example.com\r\n"
      "Subject: hi\r\n\r\nbody\r\n";
  core::Expected<Message> parsed_message = parse_message(message);
  ASSERT_TRUE(parsed_message);
  const HeaderField* field = parsed_message->headers.find("Authentication-Results");
  ASSERT_NE(field, nullptr);
  EXPECT_EQ(dump(field->value),
            "mx.example.org; dkim=pass header.d=example.com header.s=sel header.b=AbC/dE+f; "
            "spf=pass smtp.mailfrom=user@example.com");
  EXPECT_EQ(dump(field->unfolded_value()), dump(field->value));
}

TEST(AuthResultsParse, ReadsNoneAndVersions) {
  struct {
    std::string_view value, dump;
  } cases[] = {
      {"example.org; none", "example.org; none"},
      {"example.org 1; none", "example.org/1; none"},
      {"example.org; NONE (nothing done)", "example.org; none"},
      {"example.org;none;", "example.org; none"},
      {"example.org 1; spf/1=pass", "example.org/1; spf/1=pass"},
      {"example.org 2; dkim/3=pass", "example.org/2; dkim/3=pass"},
      {"example.org 007; dkim/0=pass", "example.org/7; dkim/0=pass"},
      {"example.org1; none", "example.org1; none"},          // no CFWS: part of the authserv-id
      {"12345 1; none", "12345/1; none"},                    // digits first are the authserv-id
      {"example.org; none=pass", "example.org; none=pass"},  // "none" as a method name
      {"\"quoted id\" 1; none", "quoted id/1; none"},
  };
  for (auto [value, expected] : cases) EXPECT_EQ(dump(value), expected) << value;
}

TEST(AuthResultsParse, DecodesQuotedStrings) {
  struct {
    std::string_view value, dump;
  } cases[] = {
      {R"(example.com; dkim=fail reason="bad \"sig\" \\ here" header.d=x.example)",
       R"(example.com; dkim=fail reason="bad "sig" \ here" header.d=x.example)"},
      {R"(example.com; dmarc=fail reason="p=reject; sp=none")",
       R"(example.com; dmarc=fail reason="p=reject; sp=none")"},
      {R"x(example.com; x=pass policy.note="a;b \"c\" (d)")x",
       R"x(example.com; x=pass policy.note=a;b "c" (d))x"},
      {R"(example.com; spf=pass smtp.helo="[192.0.2.1]")",
       R"(example.com; spf=pass smtp.helo=[192.0.2.1])"},
      {R"(example.com; spf=pass smtp.mailfrom="")", R"(example.com; spf=pass smtp.mailfrom=)"},
      {R"(example.com; dkim=pass reason=good header.d=x.example)",
       R"(example.com; dkim=pass reason="good" header.d=x.example)"},
      {"example.com; dkim=pass reason=\"caf\xc3\xa9\ttab\"",
       "example.com; dkim=pass reason=\"caf\xc3\xa9\\ttab\""},
  };
  for (auto [value, expected] : cases) EXPECT_EQ(dump(value), expected) << value;
}

TEST(AuthResultsParse, ReadsAddressPvalues) {
  struct {
    std::string_view value, dump;
  } cases[] = {
      {"example.com; spf=pass smtp.mailfrom=user@example.com",
       "example.com; spf=pass smtp.mailfrom=user@example.com"},
      {"example.com; dkim=pass header.i=@example.com",
       "example.com; dkim=pass header.i=@example.com"},
      {"example.com; spf=pass smtp.mailfrom=first.last+tag@sub.example.co.uk",
       "example.com; spf=pass smtp.mailfrom=first.last+tag@sub.example.co.uk"},
      {R"(example.com; spf=pass smtp.mailfrom="a b"@example.com)",
       R"(example.com; spf=pass smtp.mailfrom="a b"@example.com)"},
      {R"(example.com; spf=pass smtp.mailfrom="a\"b"@example.com)",
       R"(example.com; spf=pass smtp.mailfrom="a\"b"@example.com)"},
      {"example.com; spf=pass smtp.mailfrom=SRS0=h1=tt=example.org=u@fwd.example",
       "example.com; spf=pass smtp.mailfrom=SRS0=h1=tt=example.org=u@fwd.example"},
      {"example.com; spf=pass smtp.mailfrom=jos\xc3\xa9@b\xc3\xbc\x63her.example",
       "example.com; spf=pass smtp.mailfrom=jos\xc3\xa9@b\xc3\xbc\x63her.example"},
      {"example.com; spf=pass smtp.mailfrom=User@Example.COM",  // case kept
       "example.com; spf=pass smtp.mailfrom=User@Example.COM"},
  };
  for (auto [value, expected] : cases) EXPECT_EQ(dump(value), expected) << value;
}

TEST(AuthResultsParse, LowerCasesKeywordsAndFindsThemCaseInsensitively) {
  AuthResults r = parsed("Example.COM; DKIM=PASS Header.D=Example.COM; SPF/1=SoftFail");
  EXPECT_EQ(dump(r), "Example.COM; dkim=pass header.d=Example.COM; spf/1=softfail");
  ASSERT_NE(r.find("dkim"), nullptr);
  EXPECT_EQ(r.find("Dkim"), &r.methods[0]);
  EXPECT_EQ(r.find("SPF"), &r.methods[1]);
  EXPECT_EQ(r.find("dmarc"), nullptr);
  EXPECT_EQ(r.methods[0].property("HEADER", "d"), "Example.COM");
  EXPECT_EQ(r.methods[0].property("header", "s"), "");
  EXPECT_EQ(r.methods[0].property("smtp", "d"), "");
}

TEST(AuthResultsParse, FindGivesTheFirstOfSeveral) {
  AuthResults r = parsed(
      "example.com; dkim=fail header.d=a.example header.d=b.example; dkim=pass header.d=c.example");
  ASSERT_NE(r.find("dkim"), nullptr);
  EXPECT_EQ(r.find("dkim")->result, "fail");
  EXPECT_EQ(r.find("dkim")->property("header", "d"), "a.example");
}

TEST(AuthResultsParse, AcceptsUnknownMethodsResultsAndPtypes) {
  EXPECT_EQ(dump("example.com; x-foo=whatever bar.baz=1 policy.dkim-rules=unsigned-subject; "
                 "bimi=pass header.d=example.com header.selector=default"),
            "example.com; x-foo=whatever bar.baz=1 policy.dkim-rules=unsigned-subject; "
            "bimi=pass header.d=example.com header.selector=default");
}

TEST(AuthResultsParse, AcceptsDocumentedLeniencies) {
  struct {
    std::string_view value, dump;
  } cases[] = {
      // Empty results: a trailing ';', or ";;" from a careless join.
      {"example.com; spf=pass;", "example.com; spf=pass"},
      {"example.com; spf=pass; (c) ;  ", "example.com; spf=pass"},
      {"example.com;; spf=pass;;dkim=none", "example.com; spf=pass; dkim=none"},
      // Microsoft 365: properties without a ptype.
      {"mx.microsoft.com 1; dmarc=pass action=none header.from=contoso.com; compauth=pass "
       "reason=100",
       "mx.microsoft.com/1; dmarc=pass action=none header.from=contoso.com; "
       "compauth=pass reason=\"100\""},
      // A reasonspec after the properties.
      {"example.com; dkim=fail header.d=x.example reason=\"bad\"",
       "example.com; dkim=fail reason=\"bad\" header.d=x.example"},
      // Dot-atom text in bare values.
      {"example.com; dkim=pass header.b=ab/c+d=", "example.com; dkim=pass header.b=ab/c+d="},
      {"example.com; x=pass policy.q=a?b", "example.com; x=pass policy.q=a?b"},
      // 8-bit bytes (RFC 8616) in bare values.
      {"b\xc3\xbc\x63her.example; dkim=pass header.d=b\xc3\xbc\x63her.example",
       "b\xc3\xbc\x63her.example; dkim=pass header.d=b\xc3\xbc\x63her.example"},
  };
  for (auto [value, expected] : cases) EXPECT_EQ(dump(value), expected) << value;
}

TEST(AuthResultsParse, ReadsArcAuthenticationResultsValues) {
  // ARC-Authentication-Results (RFC 8617 4.1.1) values with their "i=N;" removed.
  AuthResults r = parsed(
      " lists.example.org;\r\n"
      "       dkim=pass header.i=@example.com header.s=sel header.b=\"Ab12+/Cd\";\r\n"
      "       spf=pass smtp.mailfrom=example.com;\r\n"
      "       dmarc=pass (p=reject sp=reject dis=none) header.from=example.com;\r\n"
      "       arc=none");
  EXPECT_EQ(dump(r),
            "lists.example.org; dkim=pass header.i=@example.com header.s=sel header.b=Ab12+/Cd; "
            "spf=pass smtp.mailfrom=example.com; dmarc=pass header.from=example.com; arc=none");
  EXPECT_EQ(dump("mx.google.com; arc=pass (i=1 spf=pass spfdomain=example.com dkim=pass "
                 "dkdomain=example.com dmarc=pass fromdomain=example.com); "
                 "spf=pass (google.com: domain of a@example.com designates 192.0.2.1 as "
                 "permitted sender) smtp.mailfrom=a@example.com"),
            "mx.google.com; arc=pass; spf=pass smtp.mailfrom=a@example.com");
}

TEST(AuthResultsParse, RejectsMalformedValues) {
  struct {
    std::string_view value;
    std::string_view dump;
  } cases[] = {
      {"", "error syntax@0"},                                         // no authserv-id
      {"  (only a comment) ", "error syntax@19"},                     // no authserv-id
      {"; spf=pass", "error syntax@0"},                               // no authserv-id
      {"\"\"; none", "error syntax@0"},                               // empty authserv-id
      {"example.com", "error syntax@11"},                             // no result, no none
      {"example.com;", "error syntax@12"},                            // no result, no none
      {"example.com spf=pass", "error syntax@12"},                    // missing ';'
      {"spf=pass smtp.mailfrom=a@b.example", "error syntax@3"},       // no authserv-id
      {"example.com 1 2; none", "error syntax@14"},                   // two versions
      {"example.com; spf pass", "error syntax@17"},                   // missing '='
      {"example.com; spf", "error syntax@16"},                        // missing '='
      {"example.com; spf=", "error syntax@17"},                       // missing result
      {"example.com; spf= ; dkim=pass", "error syntax@18"},           // missing result
      {"example.com; spf=\"pass\"", "error syntax@17"},               // quoted result
      {"example.com; =pass", "error syntax@13"},                      // missing method
      {"example.com; dkim/=pass", "error syntax@18"},                 // missing method-version
      {"example.com; dkim/1.0=pass", "error syntax@19"},              // not a version
      {"example.com; spf=pass smtp.mailfrom", "error syntax@35"},     // missing '='
      {"example.com; spf=pass smtp.=x", "error syntax@27"},           // missing property
      {"example.com; spf=pass smtp.mailfrom=", "error syntax@36"},    // missing value
      {"example.com; spf=pass smtp.mailfrom=;", "error syntax@36"},   // missing value
      {"example.com; spf=pass smtp.mailfrom=u@", "error syntax@38"},  // missing domain
      {"example.com; spf=pass smtp.mailfrom=u@@x", "error syntax@38"},
      {"example.com; spf=passheader.d=x", "error syntax@27"},         // no CFWS before property
      {"example.com; spf=pass smtp.helo=\"a\"b", "error syntax@35"},  // no CFWS after value
      {"example.com; spf=pass <x>", "error syntax@22"},
      {"example.com; spf=pass; none", "error syntax@23"},  // none beside results
      {"example.com; none; spf=pass", "error syntax@19"},  // none beside results
      {"example.com; none spf=pass", "error syntax@18"},
      {"example.com; dk\xc3\xadm=pass", "error syntax@15"},  // 8-bit in a keyword
      {"example.com; dkim=pass reason=a reason=b", "error duplicate_tag@32"},
      {"example.com; dkim/1234567890=pass", "error bad_value@18"},
      {"example.com 1234567890; none", "error bad_value@12"},
      // Unterminated.
      {"example.com; spf=pass (comment", "error syntax@22"},
      {"example.com; spf=pass ((nested) comment", "error syntax@22"},
      {"example.com; spf=pass (ends in backslash\\", "error syntax@22"},
      {"example.com; dkim=fail reason=\"unterminated", "error syntax@30"},
      {"example.com; dkim=fail reason=\"ends in backslash\\", "error syntax@30"},
      {"\"example.com; none", "error syntax@0"},
  };
  for (auto [value, expected] : cases) EXPECT_EQ(dump(value), expected) << test::escape(value);
}

TEST(AuthResultsParse, RejectsStrayLineBreaksAndControlBytes) {
  using namespace std::string_view_literals;
  struct {
    std::string_view value;
    std::string_view dump;
  } cases[] = {
      {"example.com; spf=pass\r\nX-Injected: yes", "error syntax@22"},
      {"example.com; spf=pass\nsmtp.helo=x", "error syntax@21"},
      {"example.com;\rspf=pass", "error syntax@12"},                 // bare CR
      {"example.com; spf=pass\r", "error syntax@21"},                // bare CR at the end
      {"example.com; spf=pass\r\n\r\n", "error syntax@22"},          // an empty line
      {"example.com; spf=pass (a\r\nb)", "error syntax@25"},         // even in a comment
      {"example.com; x=y reason=\"a\r\nb\"", "error syntax@27"},     // even in quotes
      {"example.com; x=y reason=\"a\\\r\n b\"", "error syntax@27"},  // an escaped fold
      {"example.com; x=y reason=\"a\x01\"", "error syntax@26"},      // control byte
      {"example.com; x=y reason=\"a\\\x7f\"", "error syntax@27"},    // escaped control byte
      {"example.com; x=y policy.p=a\x01", "error syntax@27"},
      {"example.com\0; none"sv, "error syntax@11"},
      {"example.com; spf=pass (\0)"sv, "error syntax@23"},
      {"example.com; x=y reason=\"\0\""sv, "error syntax@25"},
      {"example.com; x=y reason=\"\\\0\""sv, "error syntax@26"},
  };
  for (auto [value, expected] : cases) EXPECT_EQ(dump(value), expected) << test::escape(value);
}

TEST(AuthResultsParse, EnforcesLimits) {
  AuthResultsLimits limits;
  limits.max_methods = 2;
  limits.max_properties = 1;
  limits.max_comment_depth = 2;
  limits.max_bytes = 60;
  EXPECT_EQ(dump("a; b=c; d=e", limits), "a; b=c; d=e");
  EXPECT_EQ(dump("a; b=c; d=e; f=g", limits), "error too_many@13");
  EXPECT_EQ(dump("a; b=c x.y=z", limits), "a; b=c x.y=z");
  EXPECT_EQ(dump("a; b=c reason=r x.y=z", limits), "a; b=c reason=\"r\" x.y=z");  // not counted
  EXPECT_EQ(dump("a; b=c x.y=z x.y=z", limits), "error too_many@13");
  EXPECT_EQ(dump("a (1 (2)); none", limits), "a; none");
  EXPECT_EQ(dump("a (1 (2 (3))); none", limits), "error too_many@8");
  EXPECT_EQ(dump(std::string(60, 'a') + "; none", limits), "error too_long@60");
}

TEST(AuthResultsParse, SurvivesHostileSizes) {
  std::string deep = "example.com; spf=pass " + std::string(10'000, '(') +
                     std::string(10'000, ')') + " smtp.helo=x";
  expect_error(deep, Errc::too_many);

  std::string megabyte = "example.com; dkim=pass reason=\"" + std::string(1 << 20, 'x') + "\"";
  expect_error(megabyte, Errc::too_long);
  AuthResultsLimits roomy;
  roomy.max_bytes = 4 << 20;
  core::Expected<AuthResults> big = parse_auth_results(megabyte, roomy);
  ASSERT_TRUE(big) << big.error().message;
  EXPECT_EQ(big->methods.at(0).reason.size(), std::size_t{1} << 20);
  std::string long_comment = "example.com; spf=pass (" + std::string(1 << 20, '(') + " x";
  expect_error(long_comment, Errc::too_many, roomy);
  std::string open_comment = "example.com; spf=pass (" + std::string(1 << 20, 'x');
  expect_error(open_comment, Errc::syntax, roomy);
  std::string open_quote = "example.com; dkim=pass reason=\"" + std::string(1 << 20, 'x');
  expect_error(open_quote, Errc::syntax, roomy);

  std::string many = "example.com";
  for (int i = 0; i < 10'000; ++i) many += ";a=b";
  expect_error(many, Errc::too_many);
  AuthResultsLimits no_method_limit;
  no_method_limit.max_methods = 20'000;
  core::Expected<AuthResults> all = parse_auth_results(many, no_method_limit);
  ASSERT_TRUE(all) << all.error().message;
  EXPECT_EQ(all->methods.size(), 10'000u);

  std::string properties = "example.com; spf=pass";
  for (int i = 0; i < 10'000; ++i) properties += " smtp.helo=x";
  expect_error(properties, Errc::too_many, roomy);
}

// Every prefix of a valid value, and the value with a NUL, CR, LF, quote, parenthesis or
// backslash put at every offset: each parses or fails with a message, never anything worse.
TEST(AuthResultsParse, NeverCrashesOnDamagedValues) {
  std::string value =
      "foo.example.net (foobar) 1 (baz);\r\n dkim (c) / 1 = fail policy . expired = 1362471462 "
      "reason=\"a \\\"b\\\" c\";\r\n spf=pass smtp.mailfrom=\"a b\"@example.com; x=y z=@d.example";
  ASSERT_TRUE(parse_auth_results(value));
  for (std::size_t size = 0; size <= value.size(); ++size) {
    core::Expected<AuthResults> r = parse_auth_results(std::string_view(value).substr(0, size));
    if (!r) {
      EXPECT_FALSE(r.error().message.empty()) << size;
    }
  }
  for (char inserted : {'\0', '\r', '\n', '"', '(', ')', '\\', ';', '='}) {
    for (std::size_t at = 0; at <= value.size(); ++at) {
      std::string damaged = value;
      damaged.insert(at, 1, inserted);
      core::Expected<AuthResults> r = parse_auth_results(damaged);
      if (inserted == '\0' || inserted == '\r') {
        EXPECT_FALSE(r) << at;
      }
      if (!r) {
        EXPECT_FALSE(r.error().message.empty());
        EXPECT_LE(r.error().offset, damaged.size());
      }
    }
  }
}

// What hallmark writes with core's escaping helpers must read back as the values it wrote.
TEST(AuthResultsParse, ReadsWhatTheLibraryWrites) {
  using namespace std::string_view_literals;
  struct {
    std::string_view written, read;
    bool address;
  } values[] = {
      {"example.com", "example.com", false},
      {"user@example.com", "user@example.com", true},
      {"@example.com", "@example.com", true},
      {"a b@example.com", "a b@example.com", true},
      {"\"quoted\"@example.com", "\"quoted\"@example.com", true},
      {"ab/c+d=", "ab/c+d=", false},
      {"foo=bar", "foo=bar", false},
      {"semi;colon (paren)", "semi;colon (paren)", false},
      {"quote\" back\\slash", "quote\" back\\slash", false},
      {"[192.0.2.1]", "[192.0.2.1]", false},
      {"caf\xc3\xa9.example", "caf\xc3\xa9.example", false},
      {"", "", false},
      {"line\r\nbreak\0nul"sv, "linebreaknul", false},
      {"tab\there", "tabhere", false},
  };
  for (auto [written, read, address] : values) {
    std::string pvalue = address ? core::header_address(written) : core::header_value(written);
    std::string field = core::header_value("mx.example.org") + "; dkim=fail (" +
                        core::header_comment("bad (sig) \\ (\r\n") +
                        ") reason=" + core::header_value(written) + " header.x=" + pvalue;
    core::Expected<AuthResults> r = parse_auth_results(field);
    ASSERT_TRUE(r) << test::escape(field) << ": " << r.error().message;
    EXPECT_EQ(r->authserv_id, "mx.example.org");
    ASSERT_EQ(r->methods.size(), 1u) << field;
    EXPECT_EQ(r->methods[0].reason, read) << field;
    EXPECT_EQ(r->methods[0].property("header", "x"), read) << field;
  }
}

}  // namespace
}  // namespace hallmark::mail
