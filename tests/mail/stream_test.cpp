// SPDX-License-Identifier: Apache-2.0
// MessageParser: the same fields, header end and body as parse_message() however the input is
// cut, bodies passed through without copies, and the limits enforced the same way.
#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <string_view>
#include <vector>

#include "hallmark/mail/stream.hpp"
#include "mail/test_dump.hpp"

namespace hallmark::mail {
namespace {

// Records every event; checks the order and that on_field saw what the section holds.
class Recorder : public MessageHandler {
 public:
  void on_field(const HeaderField& field) override {
    EXPECT_FALSE(ended_headers_);
    fields_.push_back(std::string(field.raw) + "|" + std::string(field.value));
  }
  void on_end_of_headers(const HeaderSection& headers) override {
    EXPECT_FALSE(ended_headers_);
    ended_headers_ = true;
    headers_dump_ = test::dump(headers, {});
    std::vector<std::string> from_section;
    for (const HeaderField& field : headers)
      from_section.push_back(std::string(field.raw) + "|" + std::string(field.value));
    EXPECT_EQ(from_section, fields_);
  }
  void on_body(std::string_view chunk) override {
    EXPECT_TRUE(ended_headers_);
    EXPECT_FALSE(chunk.empty());
    body_ += chunk;
    chunks_.push_back(chunk);
  }
  void on_end() override {
    EXPECT_TRUE(ended_headers_);
    ++ends_;
  }

  std::string dump() const { return headers_dump_ + test::escape(body_); }

  std::vector<std::string> fields_;
  std::vector<std::string_view> chunks_;  // dangling after the call; only data() is compared
  std::string headers_dump_;
  std::string body_;
  bool ended_headers_ = false;
  int ends_ = 0;
};

std::string whole_dump(std::string_view text, const Limits& limits = {}) {
  core::Expected<Message> message = parse_message(text, limits);
  if (!message) return "error " + message.error().message;
  return test::dump(message->headers, {}) + test::escape(message->body);
}

std::string stream_dump(const std::vector<std::string_view>& chunks, const Limits& limits = {}) {
  Recorder recorder;
  MessageParser parser(recorder, limits);
  for (std::string_view chunk : chunks) {
    core::Expected<void> fed = parser.feed(chunk);
    if (!fed) return "error " + fed.error().message;
  }
  core::Expected<void> finished = parser.finish();
  if (!finished) return "error " + finished.error().message;
  EXPECT_EQ(recorder.ends_, 1);
  EXPECT_TRUE(parser.headers_complete());
  return recorder.dump();
}

constexpr std::string_view kMessages[] = {
    "From: a@b.example\r\nSubject: one\r\n two\r\n\r\nbody\r\nline\r\n",
    "A: 1\nB : 2\n\tfolded\n\nbody\n",
    "A: 1\r\nB: 2\n\r\nbody",
    "A: 1\r\nno colon\r\nB: 2\r\n\r\nrest",
    " leading\r\nA: 1\r\n\r\n",
    "A: 1\r\n\rX",
    "A: 1\r\n",
    "A: 1",
    "A: 1\r\nB",
    "",
    "\r\n",
    "\r\nbody only",
    "A:\r\n\r\n\r\n",
    std::string_view("A: x\0y\r\nB\0: z\r\n\r\n", 17),
    "X-8bit: \xff\xfe\r\n\r\n\xc3\xa9",
};

TEST(MessageStream, EverySplitGivesTheWholeMessageResult) {
  for (std::string_view text : kMessages) {
    std::string expected = whole_dump(text);
    for (std::size_t cut = 0; cut <= text.size(); ++cut)
      EXPECT_EQ(stream_dump({text.substr(0, cut), text.substr(cut)}), expected)
          << test::escape(text) << " cut at " << cut;
  }
}

TEST(MessageStream, EveryPairOfSplitsGivesTheWholeMessageResult) {
  for (std::string_view text : kMessages) {
    std::string expected = whole_dump(text);
    for (std::size_t a = 0; a <= text.size(); ++a)
      for (std::size_t b = a; b <= text.size(); ++b)
        ASSERT_EQ(stream_dump({text.substr(0, a), text.substr(a, b - a), text.substr(b)}), expected)
            << test::escape(text) << " cut at " << a << ", " << b;
  }
}

TEST(MessageStream, ByteAtATimeGivesTheWholeMessageResult) {
  for (std::string_view text : kMessages) {
    std::vector<std::string_view> bytes;
    for (std::size_t i = 0; i < text.size(); ++i) bytes.push_back(text.substr(i, 1));
    EXPECT_EQ(stream_dump(bytes), whole_dump(text)) << test::escape(text);
  }
}

TEST(MessageStream, PassesBodyThroughWithoutCopying) {
  std::string first = "Subject: hi\r\n\r\nbody starts here";
  std::string second(1 << 20, 'x');
  std::string third = "tail";
  Recorder recorder;
  MessageParser parser(recorder);
  ASSERT_TRUE(parser.feed(first));
  ASSERT_TRUE(parser.feed(second));
  ASSERT_TRUE(parser.feed(third));
  ASSERT_TRUE(parser.finish());
  ASSERT_EQ(recorder.chunks_.size(), 3u);
  EXPECT_EQ(recorder.chunks_[0].data(), first.data() + 15);
  EXPECT_EQ(recorder.chunks_[1].data(), second.data());
  EXPECT_EQ(recorder.chunks_[2].data(), third.data());
  EXPECT_EQ(recorder.body_.size(), 16 + second.size() + 4);
  // The header buffer holds the header section and nothing of the later chunks.
  EXPECT_EQ(parser.headers().raw(), "Subject: hi\r\n\r\n");
}

TEST(MessageStream, BodyMemoryDoesNotGrowWithBodySize) {
  // 256 MB of body in 4 KB chunks: every chunk is handed on as a view of itself.
  std::string chunk(4096, 'b');
  Recorder recorder;
  MessageParser parser(recorder);
  ASSERT_TRUE(parser.feed("A: 1\r\n\r\n"));
  for (int i = 0; i < 65'536; ++i) {
    ASSERT_TRUE(parser.feed(chunk));
    ASSERT_EQ(recorder.chunks_.back().data(), chunk.data());
    recorder.chunks_.clear();
    recorder.body_.clear();
  }
  ASSERT_TRUE(parser.finish());
  EXPECT_EQ(parser.headers().size(), 1u);
}

TEST(MessageStream, HeadersStayValidUntilReset) {
  Recorder recorder;
  MessageParser parser(recorder);
  std::string text = "A: 1\r\nB: 2\r\n\r\nbody";
  for (char c : text) ASSERT_TRUE(parser.feed(std::string_view(&c, 1)));
  ASSERT_TRUE(parser.finish());
  ASSERT_EQ(parser.headers().size(), 2u);
  EXPECT_EQ(parser.headers()[1].raw, "B: 2\r\n");
  EXPECT_EQ(parser.headers().find("a")->value, " 1");
  EXPECT_EQ(parser.headers().ended_by(), HeaderEnd::blank_line);

  parser.reset();
  recorder = Recorder{};
  EXPECT_FALSE(parser.headers_complete());
  EXPECT_TRUE(parser.headers().empty());
  ASSERT_TRUE(parser.feed("C: 3\n\n"));
  EXPECT_TRUE(parser.headers_complete());
  EXPECT_EQ(parser.headers()[0].name, "C");
}

TEST(MessageStream, MisuseIsAnError) {
  Recorder recorder;
  MessageParser parser(recorder);
  ASSERT_TRUE(parser.finish());
  EXPECT_EQ(parser.feed("x").error().code, core::Errc::bad_value);
  EXPECT_EQ(parser.finish().error().code, core::Errc::bad_value);
  EXPECT_EQ(recorder.ends_, 1);
}

TEST(MessageStream, OneMegabyteFieldIn4KbChunks) {
  std::string text = "X-Big: ";
  for (int i = 0; i < 16'384; ++i) text += std::string(64, 'z') + "\r\n ";
  text += "end\r\nSubject: s\r\n\r\nbody";
  std::vector<std::string_view> chunks;
  for (std::size_t i = 0; i < text.size(); i += 4096)
    chunks.push_back(std::string_view(text).substr(i, 4096));
  std::string expected = whole_dump(text);
  ASSERT_EQ(expected.substr(0, 6), "[X-Big");
  EXPECT_EQ(stream_dump(chunks), expected);
}

TEST(MessageStream, LimitsFailAsTheWholeMessageParserDoes) {
  Limits limits{.max_header_bytes = 64, .max_fields = 3};
  std::string texts[] = {
      "A: 1\r\nB: 2\r\nC: 3\r\n\r\nbody",         // fits
      "A: 1\r\nB: 2\r\nC: 3\r\nD: 4\r\n\r\n",     // too many fields
      "A: 1\r\nB: 2\r\nC: 3\r\nD: 4",             // too many, at end of input
      "A: " + std::string(80, 'x') + "\r\n\r\n",  // too long
      "A: " + std::string(57, 'x') + "\r\n\r\n",  // exactly 64
      "A: " + std::string(58, 'x') + "\r\n\r\n",  // 65
      "A: " + std::string(59, 'x') + "\r\n",      // 64, end of input
      std::string(65, 'N'),                       // a name-like line over the limit
      "A: 1\r\nB: 2\r\nC: 3\r\n" + std::string(60, 'x'),
  };
  for (const std::string& text : texts) {
    std::string expected = whole_dump(text, limits);
    for (std::size_t cut = 0; cut <= text.size(); ++cut) {
      std::string_view view = text;
      ASSERT_EQ(stream_dump({view.substr(0, cut), view.substr(cut)}, limits), expected)
          << test::escape(text) << " cut at " << cut;
    }
  }
  EXPECT_EQ(whole_dump(texts[0], limits).substr(0, 5), "[A: 1");
  EXPECT_EQ(whole_dump(texts[1], limits), "error header section has more than 3 fields");
  EXPECT_EQ(whole_dump(texts[3], limits), "error header section is longer than 64 bytes");
  EXPECT_EQ(whole_dump(texts[4], limits).substr(0, 3), "[A:");
  EXPECT_EQ(whole_dump(texts[5], limits).substr(0, 5), "error");
}

TEST(MessageStream, ErrorIsStickyUntilReset) {
  Recorder recorder;
  MessageParser parser(recorder, Limits{.max_header_bytes = 10, .max_fields = 10});
  core::Expected<void> fed = parser.feed("Subject: far too long\r\n");
  ASSERT_FALSE(fed);
  EXPECT_EQ(fed.error().code, core::Errc::too_long);
  EXPECT_EQ(fed.error().offset, 10u);
  EXPECT_EQ(parser.feed("x").error(), fed.error());
  EXPECT_EQ(parser.finish().error(), fed.error());
  EXPECT_EQ(recorder.ends_, 0);
  parser.reset();
  ASSERT_TRUE(parser.feed("A: 1\r\n\r\n"));
  ASSERT_TRUE(parser.finish());
  EXPECT_EQ(recorder.ends_, 1);
}

TEST(MessageStream, WholeMessageInOneLargeChunk) {
  // Larger than the parser's internal slice, so the header end falls in a later slice; the
  // body must still come from the caller's chunk, and a malformed line that straddles slices
  // must come through whole.
  std::string fields;
  for (int i = 0; i < 3000; ++i) fields += "X-Field-" + std::to_string(i) + ": some value\r\n";
  std::string body(300'000, 'b');
  std::string texts[] = {
      fields + "\r\n" + body,
      fields + "not a field " + std::string(100'000, 'x') + "\r\n" + body,
      fields + "Long: " + std::string(200'000, 'y') + "\r\n\r\n" + body,
  };
  for (const std::string& text : texts) {
    EXPECT_EQ(stream_dump({text}), whole_dump(text));
    Recorder recorder;
    MessageParser parser(recorder);
    ASSERT_TRUE(parser.feed(text));
    ASSERT_TRUE(parser.finish());
    const char* body_start = text.data() + parser.headers().raw().size();
    ASSERT_FALSE(recorder.chunks_.empty());
    // The last chunk is always a view of the caller's bytes, never a copy.
    EXPECT_EQ(recorder.chunks_.back().data() + recorder.chunks_.back().size(),
              text.data() + text.size());
    if (parser.headers().ended_by() == HeaderEnd::blank_line) {
      EXPECT_EQ(recorder.chunks_.front().data(), body_start);
    }
  }
}

TEST(MessageStream, TenThousandFields) {
  std::string text;
  for (int i = 0; i < 10'000; ++i) text += "Received: from host" + std::to_string(i) + "\r\n";
  text += "\r\nbody";
  std::vector<std::string_view> chunks;
  for (std::size_t i = 0; i < text.size(); i += 4096)
    chunks.push_back(std::string_view(text).substr(i, 4096));
  Recorder recorder;
  MessageParser parser(recorder);
  for (std::string_view chunk : chunks) ASSERT_TRUE(parser.feed(chunk));
  ASSERT_TRUE(parser.finish());
  EXPECT_EQ(recorder.fields_.size(), 10'000u);
  EXPECT_EQ(parser.headers().count("received"), 10'000u);
  EXPECT_EQ(recorder.body_, "body");
}

}  // namespace
}  // namespace hallmark::mail
