// SPDX-License-Identifier: Apache-2.0
// Whole-message header parsing: fields, raw bytes, folding, odd line endings, where the body
// starts, lookup, and the limits under hostile input.
#include <gtest/gtest.h>

#include <string>
#include <string_view>

#include "hallmark/mail/header.hpp"
#include "mail/test_dump.hpp"

namespace hallmark::mail {
namespace {

Message parse(std::string_view text) {
  core::Expected<Message> message = parse_message(text);
  EXPECT_TRUE(message) << test::escape(text) << ": " << message.error().message;
  return message.value_or(Message{});
}

TEST(HeaderParse, SplitsFieldsAndBody) {
  struct {
    std::string_view text, dump;
  } cases[] = {
      {"Subject: hi\r\nTo: a@b\r\n\r\nbody\r\n",
       "[Subject: hi][To: a@b] blank_line body=body\\r\\n"},
      {"Subject: hi\n\nbody\n", "[Subject: hi] blank_line body=body\\n"},
      {"A: 1\r\nB: 2\n\r\nbody", "[A: 1][B: 2] blank_line body=body"},  // mixed endings
      {"A: 1\nB: 2\r\n\nbody", "[A: 1][B: 2] blank_line body=body"},
      {"Subject:hi\r\n\r\n", "[Subject:hi] blank_line body="},  // no space
      {"Subject:\r\n\r\n", "[Subject:] blank_line body="},      // empty value
      {"\r\nbody", " blank_line body=body"},                    // no fields
      {"\nbody", " blank_line body=body"},
      {"", " end_of_input body="},
      {"A: 1\r\n", "[A: 1] end_of_input body="},  // no blank line
      {"A: 1", "[A: 1] end_of_input body="},      // nor terminator
      {"A: 1\r\n\r\n\r\n", "[A: 1] blank_line body=\\r\\n"},
      {"A: x\ry\r\n\r\n", "[A: x\\ry] blank_line body="},  // lone CR is data
      {"A: x\r\r\n\r\n", "[A: x\\r] blank_line body="},
      {"X-8bit: caf\xc3\xa9 \xff\r\n\r\n", "[X-8bit: caf\xc3\xa9 \xff] blank_line body="},
  };
  for (auto [text, dump] : cases) EXPECT_EQ(test::dump(parse(text)), dump) << test::escape(text);
}

TEST(HeaderParse, KeepsRawBytesOfFoldedField) {
  std::string_view text = "Subject: one\r\n two\r\n\tthree\r\nTo:  x\n  y\n\nbody";
  Message message = parse(text);
  ASSERT_EQ(message.headers.size(), 2u);
  const HeaderField& subject = message.headers[0];
  EXPECT_EQ(subject.name, "Subject");
  EXPECT_EQ(subject.raw, "Subject: one\r\n two\r\n\tthree\r\n");
  EXPECT_EQ(subject.value, " one\r\n two\r\n\tthree");
  EXPECT_EQ(subject.unfolded_value(), "one two\tthree");
  EXPECT_EQ(subject.offset, 0u);
  const HeaderField& to = message.headers[1];
  EXPECT_EQ(to.raw, "To:  x\n  y\n");
  EXPECT_EQ(to.value, "  x\n  y");
  EXPECT_EQ(to.unfolded_value(), "x  y");
  EXPECT_EQ(to.offset, subject.raw.size());
  // The views are into the input, not copies.
  EXPECT_EQ(subject.raw.data(), text.data());
  EXPECT_EQ(message.body.data(), text.data() + text.size() - 4);
  EXPECT_EQ(message.headers.raw(), text.substr(0, text.size() - 4));
}

TEST(HeaderField, UnfoldsValueOnDemand) {
  struct {
    std::string_view value, unfolded;
  } cases[] = {
      {" one\r\n two", "one two"},
      {"\t x \t", "x"},
      {"", ""},
      {" \r\n ", ""},
      {" a\rb", "a\rb"},
      {" a\r\n\tb\n c", "a\tb c"},
      {"no-space", "no-space"},
      {" caf\xc3\xa9\r\n  \xff ", "caf\xc3\xa9  \xff"},
  };
  for (auto [value, unfolded] : cases) {
    HeaderField field;
    field.value = value;
    EXPECT_EQ(field.unfolded_value(), unfolded) << test::escape(value);
  }
}

TEST(HeaderParse, WhitespaceOnlyContinuationBelongsToField) {
  Message message = parse("A: 1\r\n \r\n\t\r\nB: 2\r\n\r\n");
  EXPECT_EQ(test::dump(message), "[A: 1\\r\\n \\r\\n\\t][B: 2] blank_line body=");
  EXPECT_EQ(message.headers[0].unfolded_value(), "1");
}

TEST(HeaderParse, RecordsSpaceBeforeColon) {
  Message message = parse("Subject : hi\r\nTo\t\t:x\r\nFrom: y\r\n\r\n");
  ASSERT_EQ(message.headers.size(), 3u);
  EXPECT_EQ(message.headers[0].name, "Subject");
  EXPECT_TRUE(message.headers[0].space_before_colon);
  EXPECT_EQ(message.headers[0].value, " hi");
  EXPECT_EQ(message.headers[1].name, "To");
  EXPECT_TRUE(message.headers[1].space_before_colon);
  EXPECT_EQ(message.headers[1].raw, "To\t\t:x\r\n");
  EXPECT_FALSE(message.headers[2].space_before_colon);
}

TEST(HeaderParse, LineThatIsNotAFieldStartsTheBody) {
  struct {
    std::string_view text, dump;
  } cases[] = {
      {"A: 1\r\nno colon here\r\nB: 2\r\n\r\nrest",
       "[A: 1] malformed_line body=no colon here\\r\\nB: 2\\r\\n\\r\\nrest"},
      {"A: 1\r\nBad Name: 2\r\n\r\n", "[A: 1] malformed_line body=Bad Name: 2\\r\\n\\r\\n"},
      {"A: 1\r\n: empty name\r\n", "[A: 1] malformed_line body=: empty name\\r\\n"},
      {" leading continuation\r\nA: 1\r\n\r\n",
       " malformed_line body= leading continuation\\r\\nA: 1\\r\\n\\r\\n"},
      {"A: 1\r\nNa\xc3\xafve: 2\r\n", "[A: 1] malformed_line body=Na\xc3\xafve: 2\\r\\n"},
      {"A: 1\r\n\rB: 2\r\n", "[A: 1] malformed_line body=\\rB: 2\\r\\n"},
      {"A: 1\r\n\r", "[A: 1] malformed_line body=\\r"},
      {"A: 1\r\nNoColon", "[A: 1] malformed_line body=NoColon"},
      {"A: 1\r\nName   ", "[A: 1] malformed_line body=Name   "},
      {"From user@example.com Sat Jan  3 01:05:34 1996\nA: 1\n\n",
       " malformed_line body=From user@example.com Sat Jan  3 01:05:34 1996\\nA: 1\\n\\n"},
  };
  for (auto [text, dump] : cases) EXPECT_EQ(test::dump(parse(text)), dump) << test::escape(text);
}

TEST(HeaderParse, NulBytesStayInValuesAndEndTheSectionInNames) {
  using namespace std::string_view_literals;
  Message in_value = parse("A: x\0y\r\nB: 2\r\n\r\n"sv);
  EXPECT_EQ(test::dump(in_value), "[A: x\\0y][B: 2] blank_line body=");
  Message in_name = parse("A: 1\r\nB\0: 2\r\n\r\n"sv);
  EXPECT_EQ(test::dump(in_name), "[A: 1] malformed_line body=B\\0: 2\\r\\n\\r\\n");
  Message only_nul = parse("\0\0\0"sv);
  EXPECT_EQ(test::dump(only_nul), " malformed_line body=\\0\\0\\0");
}

TEST(HeaderSection, LooksUpNamesIgnoringCase) {
  Message message =
      parse("Received: 1\r\nDKIM-Signature: a\r\nreceived: 2\r\nFrom: x\r\nRECEIVED: 3\r\n\r\n");
  const HeaderSection& headers = message.headers;
  EXPECT_EQ(headers.count("received"), 3u);
  EXPECT_EQ(headers.count("Dkim-Signature"), 1u);
  EXPECT_EQ(headers.count("Subject"), 0u);
  EXPECT_EQ(headers.count("Receive"), 0u);
  std::string order;
  for (const HeaderField* field : headers.all("Received")) order += field->value;
  EXPECT_EQ(order, " 1 2 3");
  order.clear();
  for (const HeaderField* field : headers.all_bottom_up("Received")) order += field->value;
  EXPECT_EQ(order, " 3 2 1");
  ASSERT_NE(headers.find("from"), nullptr);
  EXPECT_EQ(headers.find("received")->value, " 1");
  EXPECT_EQ(headers.find_last("received")->value, " 3");
  EXPECT_EQ(headers.find("Subject"), nullptr);
  EXPECT_EQ(headers.find_last("Subject"), nullptr);
  EXPECT_TRUE(headers.all("Subject").empty());
  EXPECT_TRUE(headers[1].name_is("dkim-signature"));
  EXPECT_FALSE(headers[1].name_is("dkim-signatur"));
}

TEST(HeaderParse, OneMegabyteFieldParsesWithDefaultLimits) {
  std::string text = "DKIM-Signature: v=1; b=";
  for (int line = 0; line < 16'384; ++line) text += std::string(64, 'A') + "\r\n\t";
  text += "end\r\nSubject: after\r\n\r\nbody";
  ASSERT_GT(text.size(), 1'048'576u);
  Message message = parse(text);
  ASSERT_EQ(message.headers.size(), 2u);
  EXPECT_EQ(message.headers[0].raw.size(), text.size() - 4 - 2 - 16);
  EXPECT_EQ(message.headers[1].value, " after");
  EXPECT_EQ(message.body, "body");
}

TEST(HeaderParse, TenThousandFieldsParseWithDefaultLimits) {
  std::string text;
  for (int i = 0; i < 10'000; ++i) text += "X-Field-" + std::to_string(i) + ": value\r\n";
  std::string with_body = text + "\r\nbody";
  Message message = parse(with_body);
  ASSERT_EQ(message.headers.size(), 10'000u);
  EXPECT_EQ(message.headers[9'999].name, "X-Field-9999");

  std::string one_more_text = text + "X: y\r\n\r\n";
  core::Expected<Message> one_more = parse_message(one_more_text);
  ASSERT_FALSE(one_more);
  EXPECT_EQ(one_more.error().code, core::Errc::too_many);
  EXPECT_EQ(one_more.error().offset, text.size());
}

TEST(HeaderParse, RejectsHeaderSectionOverTheLimit) {
  Limits limits{.max_header_bytes = 100, .max_fields = 10};
  struct {
    std::string text;
    bool ok;
  } cases[] = {
      {"A: " + std::string(93, 'x') + "\r\n\r\n", true},   // exactly 100 bytes
      {"A: " + std::string(94, 'x') + "\r\n\r\n", false},  // 101
      {"A: " + std::string(93, 'x') + "\r\n\r\n" + std::string(10'000, 'b'), true},
      {"A: " + std::string(200, 'x'), false},  // no end in sight
      // Still possibly a field name when the window ends: counted as header, both ways.
      {std::string(500, 'x'), false},
      {"A: 1\r\n" + std::string(500, ' '), false},  // one long continuation
      {"A: " + std::string(95, 'x'), true},         // 98 bytes, end of input
  };
  for (const auto& c : cases) {
    core::Expected<Message> message = parse_message(c.text, limits);
    EXPECT_EQ(message.has_value(), c.ok) << c.text.size();
    if (!message) {
      EXPECT_EQ(message.error().code, core::Errc::too_long);
      EXPECT_EQ(message.error().offset, 100u);
    }
  }
}

TEST(HeaderParse, EndlessHeaderFailsAtTheLimit) {
  // 64 MB with no blank line: the error comes from the first 2 MiB, the rest is never read.
  std::string text = "A: 1\r\n" + std::string(64 * 1024 * 1024, ' ');
  core::Expected<Message> message = parse_message(text);
  ASSERT_FALSE(message);
  EXPECT_EQ(message.error().code, core::Errc::too_long);
  EXPECT_EQ(message.error().offset, Limits{}.max_header_bytes);
  text.replace(2 * 1024 * 1024, 4, "\r\n\r\n");
  EXPECT_FALSE(parse_message(text));
  text.replace(4, 4, "\r\n\r\n");
  ASSERT_TRUE(parse_message(text));
  EXPECT_EQ(parse_message(text)->body.size(), text.size() - 8);
}

}  // namespace
}  // namespace hallmark::mail
