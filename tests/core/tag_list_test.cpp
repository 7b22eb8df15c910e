// SPDX-License-Identifier: Apache-2.0
// RFC 6376 3.2 tag=value lists: white space, empty values, errors, duplicates, huge lists.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <span>
#include <string>
#include <string_view>

#include <fmt/format.h>

#include "core/internal/inline_tag_list.hpp"
#include "hallmark/core/tag_list.hpp"

namespace hallmark::core {
namespace {

using namespace std::string_view_literals;

// "name=value|name=value", the compact dump the tables compare against.
std::string dump(const TagList& tags) {
  std::string out;
  for (const Tag& tag : tags) {
    if (!out.empty()) out += '|';
    out += fmt::format("{}={}", tag.name, tag.value);
  }
  return out;
}

template <class T>
concept Parsable = requires(T text) {
  parse_tag_list(static_cast<T&&>(text));
};

TEST(TagListParse, RefusesTemporaryStrings) {
  static_assert(Parsable<std::string_view>);
  static_assert(Parsable<const char*>);
  static_assert(Parsable<std::string&>);
  static_assert(Parsable<const std::string&>);
  static_assert(!Parsable<std::string>);  // the views would dangle
  static_assert(!Parsable<const std::string>);
}

TEST(TagListParse, SplitsTagsInOrder) {
  struct {
    std::string_view text, dump;
  } cases[] = {
      {"", ""},
      {" \r\n\t", ""},
      {"v=1", "v=1"},
      {"v=1;", "v=1"},
      {"v=1; ", "v=1"},
      {"v=1;\r\n ", "v=1"},
      {"v=DKIM1; k=rsa; p=MIGf", "v=DKIM1|k=rsa|p=MIGf"},
      {"  a = 1 ;\tb\t=\t2\t;  ", "a=1|b=2"},
      {"a=\r\n 1;\r\n b=2", "a=1|b=2"},
      {"a=;b=", "a=|b="},  // RFC 6376 3.2: empty is a value, not an omission
      {"a= ;b=\t", "a=|b="},
      {"h=from : to : subject", "h=from : to : subject"},  // inner WSP is kept
      {"b=dGVz\r\n dA==", "b=dGVz\r\n dA=="},              // inner FWS is kept too
      {"p=a=b==", "p=a=b=="},                              // '=' inside a value
      {"x_1=y;A9_=z", "x_1=y|A9_=z"},
      {"n=caf\xc3\xa9", "n=caf\xc3\xa9"},  // UTF-8, RFC 6376 3.2 informative note
      {"z=!\"#$%&'()*+,-./:<=>?@[\\]^_`{|}~", "z=!\"#$%&'()*+,-./:<=>?@[\\]^_`{|}~"},
  };
  for (auto [text, expected] : cases) {
    Expected<TagList> tags = parse_tag_list(text);
    ASSERT_TRUE(tags) << text << ": " << tags.error().message;
    EXPECT_EQ(dump(*tags), expected) << text;
  }
}

TEST(TagListParse, RecordsOffsets) {
  std::string_view text = " a = 1 ;bb=\t22 ; c=";
  Expected<TagList> tags = parse_tag_list(text);
  ASSERT_TRUE(tags);
  ASSERT_EQ(tags->size(), 3u);
  struct {
    std::size_t offset, value_offset;
  } expected[] = {{1, 5}, {8, 12}, {17, 19}};
  for (std::size_t i = 0; i < 3; ++i) {
    EXPECT_EQ((*tags)[i].offset, expected[i].offset) << i;
    EXPECT_EQ((*tags)[i].value_offset, expected[i].value_offset) << i;
    EXPECT_EQ(text.substr((*tags)[i].offset, (*tags)[i].name.size()), (*tags)[i].name);
  }
}

TEST(TagListParse, RejectsMalformedLists) {
  struct {
    std::string_view text;
    std::size_t offset;
    std::string_view message;
  } cases[] = {
      {"a", 1, "tag 'a' at offset 0 has no '='"},
      {"a=1; b", 6, "tag 'b' at offset 5 has no '='"},
      {"a=1; b ;c=2", 7, "tag 'b' at offset 5 has no '='"},
      {"a b=1", 2, "tag 'a' at offset 0 has no '='"},
      {"1a=x", 0, "tag name starts with '1' at offset 0, not a letter"},
      {"_a=x", 0, "tag name starts with '_' at offset 0, not a letter"},
      {"=x", 0, "tag name starts with '=' at offset 0, not a letter"},
      {"a-b=x", 1, "invalid character '-' at offset 1 in tag name 'a'"},
      {"a\0=x"sv, 1, "invalid character 0x00 at offset 1 in tag name 'a'"},
      {";", 0, "empty tag at offset 0"},
      {"a=1;;b=2", 4, "empty tag at offset 4"},
      {"a=1; ;", 5, "empty tag at offset 5"},
      {"a=1\0;"sv, 3, "invalid character 0x00 at offset 3 in the value of tag 'a'"},
      {"a=x\x7fy", 3, "invalid character 0x7f at offset 3 in the value of tag 'a'"},
      {"a=x\x01", 3, "invalid character 0x01 at offset 3 in the value of tag 'a'"},
      {"a=x\fy", 3, "invalid character 0x0c at offset 3 in the value of tag 'a'"},
  };
  for (auto [text, offset, message] : cases) {
    Expected<TagList> tags = parse_tag_list(text);
    ASSERT_FALSE(tags) << text;
    EXPECT_EQ(tags.error().code, Errc::syntax) << text;
    EXPECT_EQ(tags.error().offset, offset) << text;
    EXPECT_EQ(tags.error().message, message) << text;
  }
}

TEST(TagListParse, RejectsDuplicateTags) {
  struct {
    std::string_view text;
    std::size_t offset;
    std::string_view message;
  } cases[] = {
      {"a=1;a=2", 4, "duplicate tag 'a' at offset 4 (first at offset 0)"},
      {"a=1;a=1", 4, "duplicate tag 'a' at offset 4 (first at offset 0)"},
      {"z=1;b=2;c=3;b=4;z=5", 12, "duplicate tag 'b' at offset 12 (first at offset 4)"},
      {"v=1; h=a; bh=x; h=b", 16, "duplicate tag 'h' at offset 16 (first at offset 5)"},
  };
  for (auto [text, offset, message] : cases) {
    Expected<TagList> tags = parse_tag_list(text);
    ASSERT_FALSE(tags) << text;
    EXPECT_EQ(tags.error().code, Errc::duplicate_tag) << text;
    EXPECT_EQ(tags.error().offset, offset) << text;
    EXPECT_EQ(tags.error().message, message) << text;
  }
  // RFC 6376 3.2: names are case-sensitive, so these are two tags.
  EXPECT_TRUE(parse_tag_list("a=1;A=2"));
}

TEST(TagListFind, LooksUpByExactName) {
  Expected<TagList> tags = parse_tag_list("v=1; a=rsa-sha256; d=example.com; s=sel; bh=; b=x");
  ASSERT_TRUE(tags);
  struct {
    std::string_view name;
    const char* value;  // nullptr: absent
  } cases[] = {{"v", "1"},    {"a", "rsa-sha256"}, {"d", "example.com"}, {"s", "sel"},
               {"bh", ""},    {"b", "x"},          {"B", nullptr},       {"h", nullptr},
               {"", nullptr}, {"bhx", nullptr}};
  for (auto [name, value] : cases) {
    const Tag* tag = tags->find(name);
    EXPECT_EQ(tags->contains(name), value != nullptr) << name;
    if (value == nullptr) {
      EXPECT_EQ(tag, nullptr) << name;
      continue;
    }
    ASSERT_NE(tag, nullptr) << name;
    EXPECT_EQ(tag->name, name);
    EXPECT_EQ(tag->value, value);
  }
  Expected<TagList> empty = parse_tag_list("");
  ASSERT_TRUE(empty);
  EXPECT_TRUE(empty->empty());
  EXPECT_FALSE(empty->contains("v"));
}

std::string many_tags(std::size_t count, std::size_t repeat_at = ~std::size_t{0}) {
  std::string text;
  text.reserve(count * 12);
  for (std::size_t i = 0; i < count; ++i)
    fmt::format_to(std::back_inserter(text), "t{}={};", i == repeat_at ? 0 : i, i);
  return text;
}

TEST(TagListParse, HandlesOneHundredThousandTags) {
  std::string text = many_tags(100'000);
  auto start = std::chrono::steady_clock::now();
  Expected<TagList> tags = parse_tag_list(text);
  auto elapsed = std::chrono::steady_clock::now() - start;
  ASSERT_TRUE(tags) << tags.error().message;
  EXPECT_EQ(tags->size(), 100'000u);
  const Tag* last = tags->find("t99999");
  ASSERT_NE(last, nullptr);
  EXPECT_EQ(last->value, "99999");
  // Generous for sanitizer builds; a quadratic duplicate check takes minutes.
  EXPECT_LT(elapsed, std::chrono::seconds(5));

  std::string repeating = many_tags(100'000, 99'999);
  Expected<TagList> repeated = parse_tag_list(repeating);
  ASSERT_FALSE(repeated);
  EXPECT_EQ(repeated.error().code, Errc::duplicate_tag);
  EXPECT_EQ(repeated.error().message.find("duplicate tag 't0'"), 0u);
}

// The verifiers read signatures with detail::InlineTagList: the same tags and errors as
// parse_tag_list(), whether a list fits its inline room or not.
TEST(InlineTagListParse, AgreesWithParseTagList) {
  constexpr std::size_t room = detail::InlineTagList::capacity;
  const std::string texts[] = {
      "",
      "v=1; a=rsa-sha256; b=x;",
      many_tags(room),
      many_tags(room + 1),
      many_tags(3 * room),
      many_tags(room, room - 1),  // a repeat within the room
      many_tags(room + 1, room),  // the first repeat past it
      many_tags(3 * room, 2 * room),
      many_tags(room - 1) + "1a=x",  // a syntax error within the room
      many_tags(2 * room) + ";",     // and past it
      "a=1;;b=2",
      "z=1;b=2;c=3;b=4;z=5",
  };
  for (const std::string& text : texts) {
    Expected<TagList> list = parse_tag_list(text);
    detail::InlineTagList tags;
    Expected<void> parsed = tags.parse(text);
    ASSERT_EQ(parsed.has_value(), list.has_value()) << text;
    if (!list) {
      EXPECT_EQ(parsed.error().code, list.error().code) << text;
      EXPECT_EQ(parsed.error().offset, list.error().offset) << text;
      EXPECT_EQ(parsed.error().message, list.error().message) << text;
      continue;
    }
    std::span<const Tag> inline_tags = tags.tags();
    EXPECT_TRUE(std::equal(inline_tags.begin(), inline_tags.end(), list->begin(), list->end()))
        << text;
  }
}

TEST(TagListParse, HandlesMegabyteInputs) {
  std::string value(1024 * 1024, 'x');
  for (std::size_t i = 100; i < value.size(); i += 100) value[i] = ' ';
  std::string one_tag = "b=" + value + " ;";
  Expected<TagList> tags = parse_tag_list(one_tag);
  ASSERT_TRUE(tags);
  EXPECT_EQ(tags->find("b")->value.size(), value.size());

  std::string name(1024 * 1024, 'n');
  std::string text = name + "=1;" + name + "=2";
  Expected<TagList> twice = parse_tag_list(text);
  ASSERT_FALSE(twice);
  EXPECT_EQ(twice.error().code, Errc::duplicate_tag);
  EXPECT_LT(twice.error().message.size(), 200u);

  std::string separators(1024 * 1024, ';');
  EXPECT_FALSE(parse_tag_list(separators));
  std::string short_tags;
  for (int i = 0; i < 1024 * 1024 / 4; ++i) short_tags += "a=;";
  EXPECT_FALSE(parse_tag_list(short_tags));  // every 'a' repeats the first
}

}  // namespace
}  // namespace hallmark::core
