// SPDX-License-Identifier: Apache-2.0
// Allow lists: exact and "*." entries, the forms a name may take (case, trailing dot, U-label),
// bad entries with the line they are on, and input bounds.
#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include "authenticator/temp_file.hpp"
#include "support/bounded.hpp"
#include "hallmark/authenticator/allow_list.hpp"

namespace hallmark::authenticator {
namespace {

using core::Errc;
using test::TempFile;

AllowList parsed(std::string_view text) {
  auto list = AllowList::parse(text);
  EXPECT_TRUE(list) << text << ": " << (list ? "" : list.error().message);
  return list.value_or(AllowList{});
}

TEST(AuthenticatorAllowList, EmptyListContainsNothing) {
  for (std::string_view text : {"", "\n\n", "# only a comment\n", "  \t\r\n"}) {
    AllowList list = parsed(text);
    EXPECT_TRUE(list.empty()) << text;
    EXPECT_EQ(list.size(), 0u) << text;
    EXPECT_FALSE(list.contains("example.com")) << text;
  }
  EXPECT_FALSE(AllowList{}.contains("example.com"));
}

TEST(AuthenticatorAllowList, ExactEntryMatchesOnlyItself) {
  AllowList list = parsed("example.com\n");
  EXPECT_FALSE(list.empty());
  EXPECT_EQ(list.size(), 1u);
  EXPECT_TRUE(list.contains("example.com"));
  EXPECT_FALSE(list.contains("mail.example.com"));
  EXPECT_FALSE(list.contains("com"));
  EXPECT_FALSE(list.contains("example.co"));
  EXPECT_FALSE(list.contains("xexample.com"));
  EXPECT_FALSE(list.contains("example.com.evil.test"));
}

TEST(AuthenticatorAllowList, WildcardMatchesProperSubdomainsNotTheApex) {
  AllowList list = parsed("*.example.com");
  EXPECT_EQ(list.size(), 1u);
  EXPECT_TRUE(list.contains("mail.example.com"));
  EXPECT_TRUE(list.contains("a.b.c.example.com"));
  EXPECT_FALSE(list.contains("example.com"));
  EXPECT_FALSE(list.contains("notexample.com"));
  EXPECT_FALSE(list.contains("com"));
  EXPECT_FALSE(list.contains("example.com.evil.test"));
}

TEST(AuthenticatorAllowList, ApexAndWildcardTogetherCoverTheTree) {
  AllowList list = parsed("example.com\n*.example.com\n");
  EXPECT_EQ(list.size(), 2u);
  EXPECT_TRUE(list.contains("example.com"));
  EXPECT_TRUE(list.contains("www.example.com"));
  EXPECT_FALSE(list.contains("example.net"));
}

TEST(AuthenticatorAllowList, WildcardsAtSeveralLevels) {
  AllowList list = parsed("*.a.example\n*.example.org\nb.example\n");
  EXPECT_TRUE(list.contains("x.a.example"));
  EXPECT_FALSE(list.contains("a.example"));
  EXPECT_FALSE(list.contains("x.b.example"));
  EXPECT_TRUE(list.contains("b.example"));
  EXPECT_TRUE(list.contains("deep.down.example.org"));
}

TEST(AuthenticatorAllowList, CaseAndTrailingDotDoNotMatter) {
  AllowList list = parsed("Example.COM.\n*.Sub.Example.NET\n");
  for (std::string_view query : {"example.com", "EXAMPLE.COM", "example.com.", "eXample.Com.",
                                 "x.sub.example.net", "X.SUB.EXAMPLE.NET.", "y.Sub.Example.Net"})
    EXPECT_TRUE(list.contains(query)) << query;
  EXPECT_FALSE(list.contains("example.com.."));
  EXPECT_FALSE(list.contains("sub.example.net."));
}

TEST(AuthenticatorAllowList, ULabelEntryMatchesTheALabelQuery) {
  AllowList list = parsed("bücher.example\n*.Ñandú.example\n");
  EXPECT_TRUE(list.contains("xn--bcher-kva.example"));
  EXPECT_TRUE(list.contains("XN--BCHER-KVA.EXAMPLE."));
  EXPECT_TRUE(list.contains("bücher.example"));
  EXPECT_TRUE(list.contains("BÜCHER.example"));
  EXPECT_TRUE(list.contains("mail.xn--and-6ma2c.example"));
  EXPECT_TRUE(list.contains("mail.ñandú.example"));
  EXPECT_FALSE(list.contains("xn--and-6ma2c.example"));
}

TEST(AuthenticatorAllowList, ALabelEntryMatchesTheULabelQuery) {
  AllowList list = parsed("xn--bcher-kva.example");
  EXPECT_TRUE(list.contains("bücher.example"));
  EXPECT_TRUE(list.contains("xn--bcher-kva.example"));
}

TEST(AuthenticatorAllowList, DuplicatesAreOneEntry) {
  AllowList list = parsed(
      "example.com\nEXAMPLE.com.\nxn--bcher-kva.example\nbücher.example\n*.a.test\n*.A.TEST\n");
  EXPECT_EQ(list.size(), 3u);
  EXPECT_TRUE(list.contains("example.com"));
  EXPECT_TRUE(list.contains("bücher.example"));
  EXPECT_TRUE(list.contains("b.a.test"));
}

TEST(AuthenticatorAllowList, AllowsCommentsBlanksAndCrlf) {
  AllowList list = parsed(
      "# trusted forwarders\r\n"
      "\r\n"
      "   lists.example.org   # mailing list\r\n"
      "\t*.relay.example\t\r\n"
      "forward.example#no blank before the comment\n"
      "last.example");  // no final newline
  EXPECT_EQ(list.size(), 4u);
  EXPECT_TRUE(list.contains("lists.example.org"));
  EXPECT_TRUE(list.contains("mx1.relay.example"));
  EXPECT_TRUE(list.contains("forward.example"));
  EXPECT_TRUE(list.contains("last.example"));
}

TEST(AuthenticatorAllowList, QueriesThatAreNotHostNamesAreNotContained) {
  AllowList list = parsed("example.com\n*.example.com\n");
  std::string_view queries[] = {"",
                                ".",
                                "*.example.com",
                                "a..example.com",
                                ".example.com",
                                "_dmarc.example.com",
                                "a b.example.com",
                                "-a.example.com",
                                "\xff.example.com",
                                "192.0.2.1"};
  for (std::string_view query : queries) EXPECT_FALSE(list.contains(query)) << query;
  EXPECT_FALSE(list.contains(std::string(300, 'a') + ".example.com"));
  EXPECT_FALSE(list.contains(std::string_view("example.com\0", 12)));
}

TEST(AuthenticatorAllowList, LongestNameWalksEveryParent) {
  // 126 one-letter labels and "x": 253 octets, the most a name may have.
  std::string name;
  for (int i = 0; i < 126; ++i) name += "a.";
  name += "x";
  ASSERT_EQ(name.size(), 253u);
  EXPECT_TRUE(parsed("*.x").contains(name));
  EXPECT_TRUE(parsed("*.a.x").contains(name));
  EXPECT_FALSE(parsed("*.y").contains(name));
  EXPECT_FALSE(parsed("*.x").contains("a." + name));  // 255 octets: not a name
}

struct ErrorCase {
  std::string_view text;
  Errc code;
  std::string_view message;  // the start of the message: the rest is core's explanation
  std::size_t offset;
};

void expect_errors(std::initializer_list<ErrorCase> cases) {
  for (const ErrorCase& c : cases) {
    auto list = AllowList::parse(c.text);
    ASSERT_FALSE(list) << c.text;
    EXPECT_EQ(list.error().code, c.code) << c.text << ": " << list.error().message;
    EXPECT_TRUE(list.error().message.starts_with(c.message))
        << c.text << ": " << list.error().message;
    EXPECT_EQ(list.error().offset, c.offset) << c.text;
  }
}

TEST(AuthenticatorAllowList, RejectsMoreThanOneWordOnALine) {
  expect_errors({
      {"example.com example.net", Errc::syntax,
       "line 1: one domain per line, not 'example.com example.net'", 0},
      {"ok.example\nexample.com\tx", Errc::syntax,
       "line 2: one domain per line, not 'example.com\\x09x'", 11},
  });
}

TEST(AuthenticatorAllowList, RejectsWildcardsOtherThanALeadingLabel) {
  expect_errors({
      {"*", Errc::bad_value, "line 1: '*' has a '*' other than a leading '*.'", 0},
      {"ok.example\n*.*.example", Errc::bad_value,
       "line 2: '*.*.example' has a '*' other than a leading '*.'", 11},
      {"a.*.example", Errc::bad_value, "line 1: 'a.*.example' has a '*' other than a leading '*.'",
       0},
      {"*example.com", Errc::bad_value,
       "line 1: '*example.com' has a '*' other than a leading '*.'", 0},
      {"a*.example", Errc::bad_value, "line 1: 'a*.example' has a '*' other than a leading '*.'",
       0},
      {"example.*", Errc::bad_value, "line 1: 'example.*' has a '*' other than a leading '*.'", 0},
      {"*.", Errc::bad_value, "line 1: '*.' is not a domain name: ", 0},
  });
}

TEST(AuthenticatorAllowList, RejectsEntriesThatAreNotDomainNames) {
  expect_errors({
      {"\n\na..example", Errc::bad_value, "line 3: 'a..example' is not a domain name: ", 2},
      {".example", Errc::bad_value, "line 1: '.example' is not a domain name: ", 0},
      {"example..", Errc::bad_value, "line 1: 'example..' is not a domain name: ", 0},
      {".", Errc::bad_value, "line 1: '.' is not a domain name: ", 0},
      {"_dmarc.example.com", Errc::bad_value,
       "line 1: '_dmarc.example.com' is not a domain name: ", 0},
      {"-a.example", Errc::bad_value, "line 1: '-a.example' is not a domain name: ", 0},
      {"user@example.com", Errc::bad_value, "line 1: 'user@example.com' is not a domain name: ", 0},
      {"192.0.2.1", Errc::bad_value,
       "line 1: '192.0.2.1' is not a domain name: top-level label '1' is all digits", 0},
      {"*.10.0.0.1", Errc::bad_value, "line 1: '*.10.0.0.1' is not a domain name: ", 0},
      {"127.1", Errc::bad_value, "line 1: '127.1' is not a domain name: ", 0},
      {"[192.0.2.1]", Errc::bad_value, "line 1: '[192.0.2.1]' is not a domain name: ", 0},
      {"2001:db8::1", Errc::bad_value, "line 1: '2001:db8::1' is not a domain name: ", 0},
  });
  std::string long_label = std::string(64, 'a') + ".example";
  auto list = AllowList::parse(long_label);
  ASSERT_FALSE(list);
  EXPECT_EQ(list.error().code, Errc::bad_value);
}

TEST(AuthenticatorAllowList, RejectsNonUtf8AndControlBytes) {
  using namespace std::string_view_literals;
  expect_errors({
      {"\xff.example", Errc::bad_value, "line 1: '\\xff.example' is not a domain name: ", 0},
      {"b\xc3.example", Errc::bad_value, "line 1: 'b\\xc3.example' is not a domain name: ", 0},
      {"a\x01.example", Errc::bad_value, "line 1: 'a\\x01.example' is not a domain name: ", 0},
      {"a\0.example"sv, Errc::bad_value, "line 1: 'a\\x00.example' is not a domain name: ", 0},
      {"ok.example\n\xc3\x28.example", Errc::bad_value,
       "line 2: '\\xc3(.example' is not a domain name: ", 11},
  });
}

TEST(AuthenticatorAllowList, DigitsAreFineBelowTheTopLevel) {
  AllowList list = parsed("123.example\n*.4.example\n1e100.net\n");
  EXPECT_TRUE(list.contains("123.example"));
  EXPECT_TRUE(list.contains("x.4.example"));
  EXPECT_TRUE(list.contains("1e100.net"));
}

TEST(AuthenticatorAllowList, RefusesInputOverOneMebibyte) {
  std::string text(std::size_t{1} << 20, '\n');
  EXPECT_TRUE(AllowList::parse(text));  // exactly the cap is fine
  text += '\n';
  auto list = AllowList::parse(text);
  ASSERT_FALSE(list);
  EXPECT_EQ(list.error().code, Errc::too_long);
}

TEST(AuthenticatorAllowList, LargeListParsesAndAnswersInBoundedTime) {
  // Near the cap: tens of thousands of entries, half of them U-labels that go through IDNA.
  std::string text;
  std::size_t count = 0;
  while (text.size() + 64 < (std::size_t{1} << 20)) {
    text += (count % 2 ? "*.bücher-" : "host-") + std::to_string(count) + ".example\n";
    ++count;
  }
  auto list = test_support::bounded("parse", [&] { return AllowList::parse(text); });
  ASSERT_TRUE(list) << list.error().message;
  EXPECT_EQ(list->size(), count);
  bool all = test_support::bounded("contains", [&] {
    bool found = true;
    for (std::size_t i = 0; i < count; i += 2)
      found = found && list->contains("HOST-" + std::to_string(i) + ".example.");
    return found;
  });
  EXPECT_TRUE(all);
  EXPECT_TRUE(list->contains("a.b.bücher-1.example"));
  EXPECT_FALSE(list->contains("bücher-1.example"));
}

TEST(AuthenticatorAllowList, LoadReadsAFile) {
  TempFile file("allow.list", "# forwarders\n*.lists.example\nexample.org\n");
  auto list = AllowList::load(file.path());
  ASSERT_TRUE(list) << list.error().message;
  EXPECT_EQ(list->size(), 2u);
  EXPECT_TRUE(list->contains("a.lists.example"));
  EXPECT_TRUE(list->contains("example.org"));
}

TEST(AuthenticatorAllowList, LoadNamesTheFileInParseErrors) {
  TempFile file("bad_allow.list", "example.org\n*\n");
  auto list = AllowList::load(file.path());
  ASSERT_FALSE(list);
  EXPECT_EQ(list.error().code, Errc::bad_value);
  EXPECT_EQ(list.error().message,
            file.path() + ": line 2: '*' has a '*' other than a leading '*.'");
  EXPECT_EQ(list.error().offset, 12u);
}

TEST(AuthenticatorAllowList, LoadOfAMissingFileIsAnIoError) {
  auto list = AllowList::load("/nonexistent/hallmark/allow.list");
  ASSERT_FALSE(list);
  EXPECT_EQ(list.error().code, Errc::io);
  EXPECT_NE(list.error().message.find("/nonexistent/hallmark/allow.list"), std::string::npos);
}

TEST(AuthenticatorAllowList, LoadRefusesAFileOverOneMebibyte) {
  TempFile file("huge_allow.list", std::string((std::size_t{1} << 20) + 1, '#'));
  auto list = AllowList::load(file.path());
  ASSERT_FALSE(list);
  EXPECT_EQ(list.error().code, Errc::too_long);
  EXPECT_NE(list.error().message.find(file.path()), std::string::npos);
}

}  // namespace
}  // namespace hallmark::authenticator
