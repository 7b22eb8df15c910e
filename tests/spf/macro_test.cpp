// SPDX-License-Identifier: Apache-2.0
// Macro expansion: the examples of RFC 7208 7.4, URL escaping, the 253-octet truncation,
// and the bound on hostile expansions.
#include <gtest/gtest.h>

#include "hallmark/spf/record.hpp"
#include "spf/internal/macro.hpp"

namespace hallmark::spf::detail {
namespace {

MacroValues rfc_values(std::string_view ip_text) {
  MacroValues v;
  v.sender = "strong-bad@email.example.com";
  v.local_part = "strong-bad";
  v.sender_domain = "email.example.com";
  v.domain = "email.example.com";
  v.ip = core::IpAddress::parse(ip_text).value();
  v.helo = "mx.example.org";
  v.receiver = "receiver.example.net";
  v.now = 1400000000;
  return v;
}

std::string expanded(std::string_view text, const MacroValues& values,
                     MacroContext context = MacroContext::modifier) {
  auto parsed = parse_macro_string(text, context);
  EXPECT_TRUE(parsed) << text << ": " << (parsed ? "" : parsed.error().message);
  if (!parsed) return {};
  return expand(*parsed, values).value_or("<too long>");
}

TEST(SpfMacroExpand, Rfc7208Section74Examples) {
  MacroValues v = rfc_values("192.0.2.3");
  struct {
    std::string_view text, result;
  } cases[] = {
      {"%{s}", "strong-bad@email.example.com"},
      {"%{o}", "email.example.com"},
      {"%{d}", "email.example.com"},
      {"%{d4}", "email.example.com"},
      {"%{d3}", "email.example.com"},
      {"%{d2}", "example.com"},
      {"%{d1}", "com"},
      {"%{dr}", "com.example.email"},
      {"%{d2r}", "example.email"},
      {"%{l}", "strong-bad"},
      {"%{l-}", "strong.bad"},
      {"%{lr}", "strong-bad"},
      {"%{lr-}", "bad.strong"},
      {"%{l1r-}", "strong"},
      {"%{ir}.%{v}._spf.%{d2}", "3.2.0.192.in-addr._spf.example.com"},
      {"%{lr-}.lp._spf.%{d2}", "bad.strong.lp._spf.example.com"},
      {"%{lr-}.lp.%{ir}.%{v}._spf.%{d2}", "bad.strong.lp.3.2.0.192.in-addr._spf.example.com"},
      {"%{ir}.%{v}.%{l1r-}.lp._spf.%{d2}", "3.2.0.192.in-addr.strong.lp._spf.example.com"},
      {"%{d2}.trusted-domains.example.net", "example.com.trusted-domains.example.net"},
  };
  for (auto [text, result] : cases) EXPECT_EQ(expanded(text, v), result) << text;
  // RFC 7208 7.4 writes the nibbles in lower case, the OpenSPF suite in upper case; DNS
  // does not care, and hallmark follows the suite.
  EXPECT_EQ(expanded("%{ir}.%{v}._spf.%{d2}", rfc_values("2001:db8::cb01")),
            "1.0.B.C.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.B.D.0.1.0.0.2.ip6._spf.example.com");
}

TEST(SpfMacroExpand, LettersEscapesAndExplanationOnlyMacros) {
  MacroValues v = rfc_values("2001:db8::cb01");
  EXPECT_EQ(expanded("%%%_%-", v), "% %20");
  EXPECT_EQ(expanded("%{h}", v), "mx.example.org");
  EXPECT_EQ(expanded("%{c} %{r} %{t}", v, MacroContext::explanation),
            "2001:db8::cb01 receiver.example.net 1400000000");
  EXPECT_EQ(expanded("%{i}", rfc_values("192.0.2.3")), "192.0.2.3");
  EXPECT_EQ(expanded("%{p}", v), "unknown");
  EXPECT_FALSE(parse_macro_string("%{c}", MacroContext::modifier));
  EXPECT_FALSE(parse_macro_string("a b", MacroContext::modifier));
  EXPECT_TRUE(parse_macro_string("a b", MacroContext::explanation));
}

TEST(SpfMacroExpand, UpperCaseMacrosAreUrlEscaped) {
  MacroValues v = rfc_values("192.0.2.3");
  v.local_part = "we ird/\"user\"~";
  EXPECT_EQ(expanded("%{L}", v), "we%20ird%2F%22user%22~");
  EXPECT_EQ(expanded("%{S}", rfc_values("192.0.2.3")), "strong-bad%40email.example.com");
}

TEST(SpfMacroExpand, MultipleDelimitersAndHugeDigits) {
  MacroValues v = rfc_values("192.0.2.3");
  v.local_part = "a.b-c+d,e/f_g=h";
  EXPECT_EQ(expanded("%{l.-+,/_=}", v), "a.b.c.d.e.f.g.h");
  EXPECT_EQ(expanded("%{lr.-+,/_=}", v), "h.g.f.e.d.c.b.a");
  EXPECT_EQ(expanded("%{d99999999999999}", v), "email.example.com");
  EXPECT_EQ(expanded("%{d0001}", v), "com");
}

TEST(SpfMacroExpand, TruncatesExpandedNamesFromTheLeft) {
  std::string name;
  for (int i = 0; i < 60; ++i) name += "abcd.";
  name += "example.com";
  std::string_view truncated = truncate_to_domain_limit(name);
  EXPECT_LE(truncated.size(), 253u);
  EXPECT_TRUE(truncated.ends_with(".example.com"));
  EXPECT_TRUE(truncated.starts_with("abcd."));
  EXPECT_EQ(truncate_to_domain_limit("short.example"), "short.example");
  EXPECT_EQ(truncate_to_domain_limit(std::string(300, 'a')), "");
}

TEST(SpfMacroExpand, SplitsValuesWithMorePartsThanFitOnTheStack) {
  MacroValues v = rfc_values("192.0.2.3");
  std::string local = "0";
  for (int i = 1; i < 100; ++i) local += "-" + std::to_string(i);
  v.local_part = local;
  EXPECT_EQ(expanded("%{l1r-}", v), "0");
  EXPECT_EQ(expanded("%{l2-}", v), "98.99");
  EXPECT_EQ(expanded("%{lr-}", v).substr(0, 9), "99.98.97.");
  EXPECT_EQ(expanded("%{L3r-}", v), "2.1.0");
}

TEST(SpfMacroExpand, AppendsToTheBufferItIsGiven) {
  MacroValues v = rfc_values("192.0.2.3");
  auto parsed = parse_macro_string("%{ir}.%{v}._spf.%{d2}", MacroContext::domain_spec);
  ASSERT_TRUE(parsed);
  std::string buffer = "kept:";
  ASSERT_TRUE(expand_into(*parsed, v, buffer));
  EXPECT_EQ(buffer, "kept:3.2.0.192.in-addr._spf.example.com");
}

TEST(SpfMacroExpand, HostileExpansionIsBounded) {
  MacroValues v = rfc_values("192.0.2.3");
  std::string local(250, 'x');
  v.sender = local;
  std::string text;
  for (int i = 0; i < 5000; ++i) text += "%{s}";
  auto parsed = parse_macro_string(text, MacroContext::modifier);
  ASSERT_TRUE(parsed);
  EXPECT_FALSE(expand(*parsed, v));
}

}  // namespace
}  // namespace hallmark::spf::detail
