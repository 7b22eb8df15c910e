// SPDX-License-Identifier: Apache-2.0
// Address-list parsing: RFC 5322 3.4 forms, the obsolete forms of 4.4, comments that must not
// be taken for addresses, errors with offsets, and hostile sizes.
#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <string_view>

#include <fmt/format.h>

#include "hallmark/mail/address.hpp"

namespace hallmark::mail {
namespace {

// "display|local|domain" per mailbox, with "group:" in front for group members, ", "-joined.
std::string dump(std::string_view value) {
  core::Expected<std::vector<Mailbox>> list = parse_address_list(value);
  if (!list) return fmt::format("error@{}: {}", list.error().offset, list.error().message);
  std::string out;
  for (const Mailbox& mailbox : *list) {
    if (!out.empty()) out += ", ";
    if (!mailbox.group.empty()) out += mailbox.group + ":";
    out += fmt::format("{}|{}|{}", mailbox.display_name, mailbox.local_part, mailbox.domain);
    EXPECT_EQ(mailbox.address, mailbox.local_part + "@" + mailbox.domain);
  }
  return out;
}

TEST(AddressParse, ReadsRfc5322Forms) {
  struct {
    std::string_view value, dump;
  } cases[] = {
      {"user@example.com", "|user|example.com"},
      {"  user@example.com  ", "|user|example.com"},
      {"<user@example.com>", "|user|example.com"},
      {"John Doe <john.doe@example.com>", "John Doe|john.doe|example.com"},
      {"\"Doe, John\" <j@example.com>", "Doe, John|j|example.com"},
      {"\"Joe \\\"Q\\\" \\\\ Public\" <q@example.com>", "Joe \"Q\" \\ Public|q|example.com"},
      {"\"\" <a@b.example>", "|a|b.example"},
      {"a@b.example, c@d.example", "|a|b.example, |c|d.example"},
      {"Ann <a@b.example>,Bob<b@c.example> , c@d.example",
       "Ann|a|b.example, Bob|b|c.example, |c|d.example"},
      {"\"john doe\"@example.com", "|\"john doe\"|example.com"},
      {"\"a\\\"b\"@example.com", "|\"a\\\"b\"|example.com"},
      {"user@[192.0.2.1]", "|user|[192.0.2.1]"},
      {"<user@[IPv6:2001:db8::1]>", "|user|[IPv6:2001:db8::1]"},
      {"User@Example.COM", "|User|Example.COM"},              // case kept
      {"Jos\xc3\xa9 <jos\xc3\xa9@b\xc3\xbc\x63her.example>",  // RFC 6532
       "Jos\xc3\xa9|jos\xc3\xa9|b\xc3\xbc\x63her.example"},
      {"=?UTF-8?Q?Andr=C3=A9?= <a@b.example>", "=?UTF-8?Q?Andr=C3=A9?=|a|b.example"},
      {"first.last+tag@sub.example.co.uk", "|first.last+tag|sub.example.co.uk"},
      {"John\r\n Doe\r\n <j@example.com>", "John Doe|j|example.com"},  // folded
      {"\"folded\r\n name\" <j@example.com>", "folded name|j|example.com"},
  };
  for (auto [value, expected] : cases) EXPECT_EQ(dump(value), expected) << value;
}

TEST(AddressParse, CommentIsNeverAnAddress) {
  struct {
    std::string_view value, dump;
  } cases[] = {
      {"(evil@attacker.example) user@victim.example", "|user|victim.example"},
      {"user@victim.example (evil@attacker.example)", "|user|victim.example"},
      {"user(evil@attacker.example)@victim.example", "|user|victim.example"},
      {"user@(evil@attacker.example)victim.example", "|user|victim.example"},
      {"Name (a@b.example) <user@victim.example>", "Name|user|victim.example"},
      {"(<evil@attacker.example>) <user@victim.example>", "|user|victim.example"},
      {"\"evil@attacker.example\" <user@victim.example>",
       "evil@attacker.example|user|victim.example"},
      {"((nested (comments)) here) u@v.example", "|u|v.example"},
      {"(\\) still comment evil@attacker.example) u@v.example", "|u|v.example"},
      {"John (the man) Doe <j@example.com>", "John Doe|j|example.com"},
      {"John(x)Doe <j@example.com>", "John Doe|j|example.com"},
  };
  for (auto [value, expected] : cases) EXPECT_EQ(dump(value), expected) << value;
}

TEST(AddressParse, ReadsGroups) {
  struct {
    std::string_view value, dump;
  } cases[] = {
      {"undisclosed: a@b.example, c@d.example;",
       "undisclosed:|a|b.example, undisclosed:|c|d.example"},
      {"Team: Ann <a@b.example>;, x@y.example", "Team:Ann|a|b.example, |x|y.example"},
      {"undisclosed-recipients:;", ""},
      {"undisclosed-recipients: ;, a@b.example", "|a|b.example"},
      {"undisclosed-recipients:", ""},  // ';' missing at end
      {"\"My Group\" (c) : a@b.example ;", "My Group:|a|b.example"},
      {"G: , , a@b.example, ,;", "G:|a|b.example"},  // obs-group-list
  };
  for (auto [value, expected] : cases) EXPECT_EQ(dump(value), expected) << value;
}

TEST(AddressParse, ReadsObsoleteForms) {
  struct {
    std::string_view value, dump;
  } cases[] = {
      {"<@a.example,@b.example:user@c.example>", "|user|c.example"},  // obs-route
      {"Name <@a.example:user@c.example>", "Name|user|c.example"},
      {"< @a.example , , @b.example : user@c.example >", "|user|c.example"},
      {"john . doe @ example . com", "|john.doe|example.com"},        // obs-local-part
      {"john (c) . doe@example (c) . com", "|john.doe|example.com"},  // obs-domain
      {"\"john\".doe@example.com", "|\"john\".doe|example.com"},
      {"John Q. Public <jqp@example.com>", "John Q. Public|jqp|example.com"},  // obs-phrase
      {", a@b.example,, ,c@d.example,", "|a|b.example, |c|d.example"},         // obs-addr-list
      {"john..doe@example.com", "|john..doe|example.com"},                     // tolerated
      {"user@[ 192.0.2.1 ]", "|user|[192.0.2.1]"},
      {"user@[a\\]b]", "|user|[a\\]b]"},  // obs-dtext
  };
  for (auto [value, expected] : cases) EXPECT_EQ(dump(value), expected) << value;
}

TEST(AddressParse, ReportsWhatIsWrongAndWhere) {
  struct {
    std::string_view value;
    core::Errc code;
    std::size_t offset;
  } cases[] = {
      {"", core::Errc::syntax, 0},
      {"   (comment only)  ", core::Errc::syntax, 0},
      {",,", core::Errc::syntax, 0},
      {"\"unterminated <a@b.example>", core::Errc::syntax, 0},
      {"Name <\"unterminated@b.example>", core::Errc::syntax, 6},
      {"(unterminated a@b.example", core::Errc::syntax, 0},
      {"a@b.example ((x)", core::Errc::syntax, 12},
      {"Name <a@b.example", core::Errc::syntax, 5},
      {"Name <a@b.example, c@d.example", core::Errc::syntax, 17},
      {"user@", core::Errc::syntax, 5},
      {"user@ ", core::Errc::syntax, 6},
      {"user", core::Errc::syntax, 0},
      {"a@b.example, user, c@d.example", core::Errc::syntax, 13},
      {"<user>", core::Errc::syntax, 1},
      {"<>", core::Errc::syntax, 0},
      {"@b.example", core::Errc::syntax, 0},
      {"a@b.example c", core::Errc::syntax, 12},
      {"a@b.example <c@d.example>", core::Errc::syntax, 12},
      {"evil@attacker.example <user@victim.example>", core::Errc::syntax, 22},
      {"user@victim.example@attacker.example", core::Errc::syntax, 19},
      {"a@b.example;", core::Errc::syntax, 11},
      {"a@b.", core::Errc::syntax, 4},
      {"a@b..c", core::Errc::syntax, 4},
      {"a@.b", core::Errc::syntax, 2},
      {"a@[192.0.2.1", core::Errc::syntax, 2},
      {"a@[1[2]", core::Errc::syntax, 4},
      {"john doe@example.com", core::Errc::syntax, 0},
      {". <a@b.example>", core::Errc::syntax, 0},
      {"G: H: a@b.example;;", core::Errc::syntax, 4},
      {"G: a@b.example c@d.example;", core::Errc::syntax, 15},
      {"G: a@b.example; c@d.example", core::Errc::syntax, 16},  // ',' needed after ';'

      {"a@b.example >", core::Errc::syntax, 12},
      {") a@b.example", core::Errc::syntax, 0},
      {"Name <a@b.example x>", core::Errc::syntax, 18},
      {"<@a.example user@c.example>", core::Errc::syntax, 12},
      {std::string_view("a\0b@c.example", 13), core::Errc::syntax, 1},
      {std::string_view("\"a\0b\"@c.example", 15), core::Errc::syntax, 2},
      {std::string_view("(a\0) b@c.example", 16), core::Errc::syntax, 2},
      {"\"trailing backslash\\", core::Errc::syntax, 0},
  };
  for (auto [value, code, offset] : cases) {
    core::Expected<std::vector<Mailbox>> list = parse_address_list(value);
    ASSERT_FALSE(list) << value << " gave " << dump(value);
    EXPECT_EQ(list.error().code, code) << value << ": " << list.error().message;
    EXPECT_EQ(list.error().offset, offset) << value << ": " << list.error().message;
    EXPECT_FALSE(list.error().message.empty());
  }
}

TEST(AddressParse, RecordsOffsets) {
  core::Expected<std::vector<Mailbox>> list =
      parse_address_list("a@b.example, Bob <c@d.example>, G: e@f.example;");
  ASSERT_TRUE(list);
  ASSERT_EQ(list->size(), 3u);
  EXPECT_EQ((*list)[0].offset, 0u);
  EXPECT_EQ((*list)[1].offset, 13u);
  EXPECT_EQ((*list)[2].offset, 35u);
  EXPECT_FALSE((*list)[0].has_domain_literal());
  EXPECT_TRUE(parse_address_list("a@[192.0.2.1]")->front().has_domain_literal());
}

TEST(AddressParse, LimitsCommentNesting) {
  std::string ok =
      std::string(kMaxCommentDepth, '(') + std::string(kMaxCommentDepth, ')') + " a@b.example";
  EXPECT_EQ(dump(ok), "|a|b.example");
  std::string deep = std::string(kMaxCommentDepth + 1, '(') +
                     std::string(kMaxCommentDepth + 1, ')') + " a@b.example";
  core::Expected<std::vector<Mailbox>> too_deep = parse_address_list(deep);
  ASSERT_FALSE(too_deep);
  EXPECT_EQ(too_deep.error().code, core::Errc::too_many);
  EXPECT_EQ(too_deep.error().offset, kMaxCommentDepth);
  // A million opening parentheses: no recursion, no stack to exhaust.
  EXPECT_FALSE(parse_address_list(std::string(1'000'000, '(')));
  // Deep but balanced escapes and text stay linear.
  EXPECT_FALSE(parse_address_list("(" + std::string(1'000'000, 'x')));
}

TEST(AddressParse, UnterminatedQuotesOverLongInputFail) {
  EXPECT_FALSE(parse_address_list("\"" + std::string(1'000'000, 'a')));
  EXPECT_FALSE(parse_address_list("<" + std::string(1'000'000, 'a')));
  EXPECT_FALSE(parse_address_list("a@[" + std::string(1'000'000, '1')));
  EXPECT_FALSE(parse_address_list(std::string(1'000'000, '\\')));
}

TEST(AddressParse, HundredThousandAddressesInLinearTime) {
  auto build = [](int count) {
    std::string value;
    for (int i = 0; i < count; ++i)
      value += fmt::format("\"User {0}\" (c) <user{0}@host{0}.example>,\r\n ", i);
    return value;
  };
  std::string value = build(100'000);
  auto start = std::chrono::steady_clock::now();
  core::Expected<std::vector<Mailbox>> list = parse_address_list(value);
  auto elapsed = std::chrono::steady_clock::now() - start;
  ASSERT_TRUE(list) << list.error().message;
  ASSERT_EQ(list->size(), 100'000u);
  EXPECT_EQ(list->back().address, "user99999@host99999.example");
  EXPECT_EQ(list->back().display_name, "User 99999");
  // Linear: ~4 MB parse in well under a second even under sanitizers; quadratic would take
  // minutes.
  EXPECT_LT(elapsed, std::chrono::seconds(10));

  std::string group = "G:" + build(100'000) + ";";
  core::Expected<std::vector<Mailbox>> members = parse_address_list(group);
  ASSERT_TRUE(members);
  EXPECT_EQ(members->size(), 100'000u);
}

}  // namespace
}  // namespace hallmark::mail
