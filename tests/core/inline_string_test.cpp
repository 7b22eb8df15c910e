// SPDX-License-Identifier: Apache-2.0
// InlineString: the results' texts, inside the object up to N octets and on the heap beyond.
#include "hallmark/core/inline_string.hpp"

#include <gtest/gtest.h>

#include <sstream>
#include <string>
#include <utility>

namespace hallmark::core {
namespace {

using Short = InlineString<8>;
using Wide = InlineString<64>;

TEST(InlineString, HoldsTextOfEveryLengthAroundItsCapacity) {
  for (std::size_t length = 0; length <= 20; ++length) {
    const std::string text(length, static_cast<char>('a' + length));
    Short held(text);
    EXPECT_EQ(held.view(), text) << length;
    EXPECT_EQ(held.size(), length);
    EXPECT_EQ(held.empty(), length == 0);
    EXPECT_EQ(held.str(), text);
  }
}

TEST(InlineString, CopiesAndMovesKeepTheTextAndLeaveTheSourceUsable) {
  for (const std::string& text : {std::string(), std::string("abc"), std::string("abcdefgh"),
                                  std::string("abcdefghi"), std::string(300, 'x')}) {
    Short original(text);
    Short copy(original);
    EXPECT_EQ(copy, text);
    EXPECT_EQ(original, text);
    Short moved(std::move(original));
    EXPECT_EQ(moved, text);
    EXPECT_TRUE(original.empty());  // NOLINT(bugprone-use-after-move): the documented state
    original = "again";
    EXPECT_EQ(original, "again");
    Short assigned;
    assigned = moved;
    EXPECT_EQ(assigned, text);
    assigned = std::move(copy);
    EXPECT_EQ(assigned, text);
  }
}

TEST(InlineString, MovesTextShorterThanTheFixedCopyExactly) {
  // Moves copy a fixed-size head: only the octets in use may be seen afterwards.
  Wide wide("0123456789abcdefghijklmnopqrstuvwxyz");  // longer than the fixed copy
  Wide other(std::move(wide));
  EXPECT_EQ(other, "0123456789abcdefghijklmnopqrstuvwxyz");
  Wide short_text("ab");
  Wide target("a longer text that was there before");
  target = std::move(short_text);
  EXPECT_EQ(target, "ab");
  EXPECT_EQ(target.size(), 2u);
}

TEST(InlineString, AppendsAcrossTheInlineCapacity) {
  Short text;
  text.append("abc").append("").append("defgh");
  EXPECT_EQ(text, "abcdefgh");
  text.append("ij");  // now on the heap
  EXPECT_EQ(text, "abcdefghij");
  text.append("klm");
  EXPECT_EQ(text, "abcdefghijklm");
  text.clear();
  EXPECT_TRUE(text.empty());
  text.append("x");
  EXPECT_EQ(text, "x");
}

TEST(InlineString, AssignsFromItsOwnText) {
  Short inline_text("abcdef");
  inline_text = inline_text.substr(2);
  EXPECT_EQ(inline_text, "cdef");
  Short heap_text(std::string(40, 'y') + "z");
  heap_text = heap_text.substr(38);
  EXPECT_EQ(heap_text, "yyz");
  Short grown("abcd");
  grown.append(grown.view());  // from its own octets, still inline
  EXPECT_EQ(grown, "abcdabcd");
  grown.append(grown.view());  // from its own octets, onto the heap
  EXPECT_EQ(grown, "abcdabcdabcdabcd");
}

TEST(InlineString, ReadsLikeAString) {
  const Wide text("example.com matched ip4:192.0.2.0/24");
  std::string_view view = text;
  EXPECT_EQ(view, "example.com matched ip4:192.0.2.0/24");
  EXPECT_EQ(text.find("matched"), 12u);
  EXPECT_EQ(text.find('x'), 1u);
  EXPECT_EQ(text.rfind('.'), 31u);
  EXPECT_EQ(text.find("absent"), Wide::npos);
  EXPECT_TRUE(text.starts_with("example"));
  EXPECT_TRUE(text.ends_with("/24"));
  EXPECT_TRUE(text.contains("ip4:"));
  EXPECT_EQ(text.substr(20, 3), "ip4");
  EXPECT_EQ(text[0], 'e');
  EXPECT_EQ(std::string(text.begin(), text.end()), text.str());
  EXPECT_EQ(text, std::string("example.com matched ip4:192.0.2.0/24"));
  EXPECT_NE(text, "example.com");
  EXPECT_LT(Wide("a"), Wide("b"));
  EXPECT_EQ("why: " + Wide("because"), "why: because");
  EXPECT_EQ(std::string("why: ") + Wide("because") + "!", "why: because!");
  EXPECT_EQ(Wide("a") + Wide("b"), "ab");
  std::ostringstream out;
  out << text;
  EXPECT_EQ(out.str(), text.str());
}

}  // namespace
}  // namespace hallmark::core
