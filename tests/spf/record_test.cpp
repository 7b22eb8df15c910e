// SPDX-License-Identifier: Apache-2.0
// SPF record syntax (RFC 7208 4.6.1, 5, 6, 12): normal forms, errors naming the term, and
// hostile records.
#include <gtest/gtest.h>

#include <chrono>

#include "hallmark/spf/record.hpp"
#include "hallmark/spf/record_cache.hpp"

namespace hallmark::spf {
namespace {

TEST(SpfRecordParse, NormalisesDirectives) {
  struct {
    std::string_view text, dump;
  } cases[] = {
      {"v=spf1 -all", "-all"},
      {"v=spf1", ""},
      {"V=SPF1 A MX ~ALL", "+a +mx ~all"},
      {"v=spf1 a/24//64 ~all", "+a/24//64 ~all"},
      {"v=spf1 a:mail.example.com/24 mx:example.com//64",
       "+a:mail.example.com/24 +mx:example.com//64"},
      {"v=spf1 ip4:192.0.2.0/24 ip6:2001:DB8::/32 ?all",
       "+ip4:192.0.2.0/24 +ip6:2001:db8::/32 ?all"},
      {"v=spf1 ip4:192.0.2.1 ip6:::1", "+ip4:192.0.2.1 +ip6:::1"},
      {"v=spf1 include:_spf.example.com exists:%{ir}.%{l1r+-}._spf.%{d} -all",
       "+include:_spf.example.com +exists:%{ir}.%{l1r+-}._spf.%{d} -all"},
      {"v=spf1 ptr ptr:example.com", "+ptr +ptr:example.com"},
      {"v=spf1   mx   redirect=_spf.example.com  ", "+mx redirect=_spf.example.com"},
      {"v=spf1 exp=explain.%{d} -all", "-all exp=explain.%{d}"},
      {"v=spf1 moo.cow-far_out=man:dog/cat ip4:1.2.3.4 -all",
       "+ip4:1.2.3.4 -all moo.cow-far_out=man:dog/cat"},
      {"v=spf1 a:example.com.", "+a:example.com."},
      {"v=spf1 a:foo-bar.com-x", "+a:foo-bar.com-x"},
      {"v=spf1 a:%{d}.a-b", "+a:%{d}.a-b"},
      {"v=spf1 a:1.2.3.4.example", "+a:1.2.3.4.example"},
      {"v=spf1 a:x.1-2", "+a:x.1-2"},
  };
  for (auto [text, dump] : cases) {
    auto record = parse_record(text);
    ASSERT_TRUE(record) << text << ": " << record.error().message;
    EXPECT_EQ(to_string(*record), dump) << text;
  }
}

TEST(SpfRecordParse, RoundTripsThroughNormalForm) {
  for (std::string_view text : {"v=spf1 a/24//64 mx:x.example//0 ip4:10.0.0.0/8 -all",
                                "v=spf1 include:a.example redirect=b.example exp=c.example"}) {
    auto record = parse_record(text);
    ASSERT_TRUE(record);
    auto again = parse_record("v=spf1 " + to_string(*record));
    ASSERT_TRUE(again);
    EXPECT_EQ(*again, *record);
  }
}

TEST(SpfRecordParse, RejectsSyntaxErrorsNamingTheTerm) {
  struct {
    std::string_view text, term;
  } cases[] = {
      {"v=spf1 ip4:1.2.3.4 -all moo", "'moo'"},
      {"v=spf1 moo.cow/far_out=man:dog/cat -all", "'moo.cow/far_out=man:dog/cat'"},
      {"v=spf1 redirect:example.com", "'redirect:example.com'"},
      {"v=spf1 a:foo-bar -all", "'a:foo-bar'"},
      {"v=spf1 a:museum", "'a:museum'"},
      {"v=spf1 a:museum.", "'a:museum.'"},
      {"v=spf1 a:example.123", "'a:example.123'"},
      {"v=spf1 a:example.-com", "'a:example.-com'"},
      {"v=spf1 a:", "'a:'"},
      {"v=spf1 a/33", "'a/33'"},
      {"v=spf1 a//129", "'a//129'"},
      {"v=spf1 a/024", "'a/024'"},
      {"v=spf1 a//", "'a//'"},
      {"v=spf1 ip4:1.2.3.4/33", "'ip4:1.2.3.4/33'"},
      {"v=spf1 ip4:1.2.3", "'ip4:1.2.3'"},
      {"v=spf1 ip4:2001:db8::1", "'ip4:2001:db8::1'"},
      {"v=spf1 ip6:1.2.3.4", "'ip6:1.2.3.4'"},
      {"v=spf1 ip6", "'ip6'"},
      {"v=spf1 include", "'include'"},
      {"v=spf1 exists", "'exists'"},
      {"v=spf1 all:foo", "'all:foo'"},
      {"v=spf1 ptr/24", "'ptr/24'"},
      {"v=spf1 -", "'-'"},
      {"v=spf1 exists:%{x}.example.com", "'exists:%{x}.example.com'"},
      {"v=spf1 exists:%(ir).sbl.example.org", "'exists:%(ir).sbl.example.org'"},
      {"v=spf1 exists:%{i0}.example.com", "'exists:%{i0}.example.com'"},
      {"v=spf1 exists:%{i}.example.com%", "'exists:%{i}.example.com%'"},
      {"v=spf1 exists:%{i.example.com", "'exists:%{i.example.com'"},
      {"v=spf1 exists:%{c}.example.com", "'exists:%{c}.example.com'"},
      {"v=spf1 exists:%{ir:}.example.com", "'exists:%{ir:}.example.com'"},
      {"v=spf1 exp=", "'exp='"},
      {"v=spf1 redirect=", "'redirect='"},
      {"v=spf1 foo=%", "'foo=%'"},
  };
  for (auto [text, term] : cases) {
    auto record = parse_record(text);
    ASSERT_FALSE(record) << text;
    EXPECT_NE(record.error().message.find(term), std::string::npos)
        << text << " -> " << record.error().message;
  }
}

TEST(SpfRecordParse, RejectsSecondRedirectOrExp) {
  auto redirect = parse_record("v=spf1 redirect=a.example redirect=b.example");
  ASSERT_FALSE(redirect);
  EXPECT_EQ(redirect.error().code, core::Errc::duplicate_tag);
  EXPECT_FALSE(parse_record("v=spf1 exp=a.example EXP=b.example"));
  EXPECT_TRUE(parse_record("v=spf1 foo=a foo=b"));  // unknown modifiers may repeat
}

TEST(SpfRecordParse, RejectsNonAsciiAndControlBytes) {
  for (std::string_view text : std::initializer_list<std::string_view>{
           "v=spf1 a:caf\xc3\xa9.example -all", "v=spf1 \xef\xbb\xbf-all", "v=spf1 -all\t",
           std::string_view("v=spf1 -all\0", 12)}) {
    auto record = parse_record(text);
    EXPECT_FALSE(record) << text;
  }
}

TEST(SpfRecordSelect, RequiresVersionFollowedBySpaceOrEnd) {
  EXPECT_TRUE(is_spf_record("v=spf1"));
  EXPECT_TRUE(is_spf_record("v=spf1 -all"));
  EXPECT_TRUE(is_spf_record("V=SpF1 -all"));
  EXPECT_FALSE(is_spf_record("v=spf10 -all"));
  EXPECT_FALSE(is_spf_record("v=spf1-all"));
  EXPECT_FALSE(is_spf_record(" v=spf1 -all"));
  EXPECT_FALSE(is_spf_record("spf2.0/pra -all"));
  EXPECT_FALSE(is_spf_record(""));
}

TEST(SpfRecordParse, HostileRecordsParseInLinearTime) {
  std::string many = "v=spf1";
  for (int i = 0; i < 5000; ++i) many += " ip4:192.0.2." + std::to_string(i % 256);
  auto record = parse_record(many);
  ASSERT_TRUE(record);
  EXPECT_EQ(record->mechanisms.size(), 5000u);

  std::string huge = "v=spf1 " + std::string(65536, 'a');
  EXPECT_FALSE(parse_record(huge));
  std::string long_macro = "v=spf1 exists:" + std::string(60000, 'x') + "%{d}";
  EXPECT_TRUE(parse_record(long_macro));
  std::string braces = "v=spf1 exists:" + std::string(30000, '%') + "{d}";
  EXPECT_FALSE(parse_record(braces));
  std::string spaces = "v=spf1" + std::string(65536, ' ') + "-all";
  EXPECT_TRUE(parse_record(spaces));
}

TEST(SpfRecordCache, ParsesEachTextOnce) {
  RecordCache cache(2);
  auto first = cache.parse("v=spf1 -all");
  auto second = cache.parse("v=spf1 -all");
  EXPECT_EQ(first.get(), second.get());
  EXPECT_EQ(cache.stats().hits, 1u);
  cache.parse("v=spf1 a -all");
  cache.parse("v=spf1 mx -all");  // evicts the least recently used
  EXPECT_EQ(cache.stats().entries, 2u);
  auto error = cache.parse("v=spf1 bogus");
  ASSERT_TRUE(error);
  EXPECT_FALSE(*error);
  std::string big = "v=spf1 " + std::string(RecordCache::max_cached_text, 'a');
  EXPECT_NE(cache.parse(big).get(), cache.parse(big).get());  // too long to keep
}

}  // namespace
}  // namespace hallmark::spf
