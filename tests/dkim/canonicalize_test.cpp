// SPDX-License-Identifier: Apache-2.0
// DKIM canonicalization byte for byte: the RFC 6376 3.4.5 examples, header edge cases, and the
// streaming body canonicalizer fed in every split against the same bytes in one piece.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <ostream>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "dkim/internal/body_scan.hpp"
#include "hallmark/dkim/canonicalize.hpp"

namespace hallmark::dkim {
namespace {

constexpr Canonicalization simple = Canonicalization::simple;
constexpr Canonicalization relaxed = Canonicalization::relaxed;

std::string header(std::string_view raw, Canonicalization c) {
  std::string out;
  canonicalize_header(raw, c, out);
  return out;
}

// Feeds `pieces` in order, then finishes.
std::string body(std::initializer_list<std::string_view> pieces, Canonicalization c) {
  BodyCanonicalizer canonicalizer(c);
  std::string out;
  auto sink = [&out](const char* data, std::size_t size) { out.append(data, size); };
  for (std::string_view piece : pieces) canonicalizer.feed(piece, sink);
  canonicalizer.finish(sink);
  return out;
}

std::string body(std::string_view text, Canonicalization c) { return body({text}, c); }

// Shows CR, LF and HTAB, so a failing comparison says which byte differs.
std::string visible(std::string_view text) {
  std::string out;
  for (char ch : text) {
    if (ch == '\r') {
      out += "<CR>";
    } else if (ch == '\n') {
      out += "<LF>";
    } else if (ch == '\t') {
      out += "<HTAB>";
    } else {
      out += ch;
    }
  }
  return out;
}

// RFC 6376 3.4.5 example 1 (relaxed/relaxed), example 2 (simple/simple), example 3 (relaxed
// headers, simple body), written with the RFC's <SP>, <HTAB> and <CRLF> spelled out.
TEST(DkimCanonicalize, Rfc6376ExampleHeadersAreByteExact) {
  std::string_view a = "A: X\r\n";
  std::string_view b = "B : Y\t\r\n\tZ  \r\n";
  EXPECT_EQ(visible(header(a, relaxed) + header(b, relaxed)), visible("a:X\r\nb:Y Z\r\n"));
  EXPECT_EQ(visible(header(a, simple) + header(b, simple)),
            visible("A: X\r\nB : Y\t\r\n\tZ  \r\n"));
}

TEST(DkimCanonicalize, Rfc6376ExampleBodiesAreByteExact) {
  std::string_view text = " C \r\nD \t E\r\n\r\n\r\n";
  EXPECT_EQ(visible(body(text, relaxed)), visible(" C\r\nD E\r\n"));
  EXPECT_EQ(visible(body(text, simple)), visible(" C \r\nD \t E\r\n"));
}

TEST(DkimCanonicalize, HeaderCases) {
  struct {
    std::string_view raw;
    Canonicalization c;
    std::string_view canonical;
  } cases[] = {
      // Relaxed: name lower-cased, unfolded, WSP runs squeezed, WSP at both ends of the value
      // and before the colon dropped (RFC 6376 3.4.2).
      {"Subject:  A   folded\r\n\tsubject line \r\n", relaxed, "subject:A folded subject line\r\n"},
      {"X-Empty:   \r\n", relaxed, "x-empty:\r\n"},
      {"X-Empty:\r\n", relaxed, "x-empty:\r\n"},
      {"TO \t: b@example.net\r\n", relaxed, "to:b@example.net\r\n"},
      {"X: a\r\n \r\n b\r\n", relaxed, "x:a b\r\n"},
      // 8-bit bytes are data: neither form touches them.
      {"Subject: caf\xc3\xa9  \xe2\x82\xac\r\n", relaxed, "subject:caf\xc3\xa9 \xe2\x82\xac\r\n"},
      {"Subject: caf\xc3\xa9  \r\n", simple, "Subject: caf\xc3\xa9  \r\n"},
      // Simple: unchanged, except that bare LF ends count as CRLF and a missing end is added.
      {"X:  a \r\n\tb\r\n", simple, "X:  a \r\n\tb\r\n"},
      {"X: a\n b\n", simple, "X: a\r\n b\r\n"},
      {"X: a\n b\n", relaxed, "x:a b\r\n"},
      {"X: a", simple, "X: a\r\n"},
      {"X: a", relaxed, "x:a\r\n"},
  };
  for (const auto& test : cases)
    EXPECT_EQ(visible(header(test.raw, test.c)), visible(test.canonical))
        << visible(test.raw) << " " << to_string(test.c);
}

struct BodyCase {
  std::string_view text;
  std::string_view simple_form, relaxed_form;
};

const BodyCase body_cases[] = {
    // RFC 6376 3.4.3: an empty body is one CRLF for simple; 3.4.4: empty for relaxed.
    {"", "\r\n", ""},
    {"\r\n", "\r\n", ""},
    {"\r\n\r\n\r\n", "\r\n", ""},
    // Trailing empty lines go; empty lines inside stay.
    {"a\r\n\r\n\r\n", "a\r\n", "a\r\n"},
    {"a\r\n\r\nb\r\n\r\n", "a\r\n\r\nb\r\n", "a\r\n\r\nb\r\n"},
    // No CRLF at the end: one is added.
    {"a", "a\r\n", "a\r\n"},
    {"a  ", "a  \r\n", "a\r\n"},
    // Bare LF is read as CRLF (what the signer put on the wire).
    {"a\nb\n\n", "a\r\nb\r\n", "a\r\nb\r\n"},
    {"a\r\nb\n", "a\r\nb\r\n", "a\r\nb\r\n"},
    // WSP-only lines: data for simple; empty lines for relaxed, dropped at the end.
    {"a\r\n \t \r\nb\r\n", "a\r\n \t \r\nb\r\n", "a\r\n\r\nb\r\n"},
    {"a\r\n \t\r\n  \r\n", "a\r\n \t\r\n  \r\n", "a\r\n"},
    {" \r\n", " \r\n", ""},
    // Leading WSP is squeezed to one SP, not dropped; inner runs likewise.
    {"\t\ta \t b\r\n", "\t\ta \t b\r\n", " a b\r\n"},
    // A CR not before LF is an ordinary byte, in either form.
    {"a\rb\r\n", "a\rb\r\n", "a\rb\r\n"},
    {"a\r", "a\r\r\n", "a\r\r\n"},
    // 8-bit bodies are hashed as they are.
    {"caf\xc3\xa9 \xff\r\n", "caf\xc3\xa9 \xff\r\n", "caf\xc3\xa9 \xff\r\n"},
};

// Packs every state the canonicalizer keeps across chunks (see the test using it).
constexpr std::string_view streaming_text =
    "Hello  \t there\r\n\r\n \t \r\n\r\nmiddle\rline\nbare LF\n\t lead\r\n"
    "caf\xc3\xa9\r\n\r\n\r\n \r\nend  \r\n\r\n  \r\n\r\n";

TEST(DkimCanonicalize, BodyCases) {
  for (const auto& test : body_cases) {
    EXPECT_EQ(visible(body(test.text, simple)), visible(test.simple_form)) << visible(test.text);
    EXPECT_EQ(visible(body(test.text, relaxed)), visible(test.relaxed_form)) << visible(test.text);
  }
}

// The streaming contract: whatever the chunking, the same canonical bytes. The text packs
// every state the canonicalizer keeps across chunks: a CR waiting for its LF, a WSP run
// waiting for the next non-WSP byte, held-back empty lines that turn out not to be trailing,
// and trailing ones that must vanish.
TEST(DkimCanonicalize, StreamingBodyGivesSameBytesAtEverySplit) {
  const std::string text(streaming_text);
  for (Canonicalization c : {simple, relaxed}) {
    const std::string whole = body(text, c);
    for (std::size_t cut = 0; cut <= text.size(); ++cut) {
      std::string_view view = text;
      ASSERT_EQ(visible(body({view.substr(0, cut), view.substr(cut)}, c)), visible(whole))
          << to_string(c) << " split at " << cut;
    }
    // Three pieces, every pair of cut points.
    for (std::size_t first = 0; first <= text.size(); ++first)
      for (std::size_t second = first; second <= text.size(); ++second) {
        std::string_view view = text;
        ASSERT_EQ(
            body({view.substr(0, first), view.substr(first, second - first), view.substr(second)},
                 c),
            whole)
            << to_string(c) << " split at " << first << " and " << second;
      }
    // One byte at a time.
    BodyCanonicalizer bytewise(c);
    std::string out;
    auto sink = [&out](const char* data, std::size_t size) { out.append(data, size); };
    for (char ch : text) bytewise.feed(std::string_view(&ch, 1), sink);
    bytewise.finish(sink);
    EXPECT_EQ(visible(out), visible(whole)) << to_string(c);
  }
}

// Runs of empty lines are counted, not stored: a million of them in the middle of a body come
// out intact and a million at the end vanish.
TEST(DkimCanonicalize, LongRunsOfEmptyLinesAreCountedNotBuffered) {
  std::string blank_lines;
  for (int i = 0; i < 1'000'000; ++i) blank_lines += "\r\n";
  for (Canonicalization c : {simple, relaxed}) {
    EXPECT_EQ(body("a\r\n" + blank_lines, c), "a\r\n") << to_string(c);
    EXPECT_EQ(body("a\r\n" + blank_lines + "b\r\n", c), "a\r\n" + blank_lines + "b\r\n")
        << to_string(c);
  }
}

// ---- vector scans against the byte-wise rules ------------------------------------------------

using detail::BodyScan;

// Runs the canonicalizers with one scan, whatever the processor would pick, until destroyed.
class ForcedScan {
 public:
  explicit ForcedScan(BodyScan scan) : previous_(detail::body_scan()) {
    detail::force_body_scan(scan);
  }
  ForcedScan(const ForcedScan&) = delete;
  ForcedScan& operator=(const ForcedScan&) = delete;
  ~ForcedScan() { detail::force_body_scan(previous_); }

 private:
  BodyScan previous_;
};

const char* scan_name(BodyScan scan) {
  switch (scan) {
    case BodyScan::reference: return "reference";
    case BodyScan::portable: return "portable";
    case BodyScan::sse2: return "sse2";
    case BodyScan::avx2: return "avx2";
    case BodyScan::avx512: return "avx512";
  }
  return "?";
}

}  // namespace
}  // namespace hallmark::dkim

namespace hallmark::dkim::detail {
// For gtest, which finds it next to the enum: a failing test then names its scan.
static void PrintTo(BodyScan scan, std::ostream* out) { *out << scan_name(scan); }
}  // namespace hallmark::dkim::detail

namespace hallmark::dkim {
namespace {

// Feeds `text` cut at `cuts` (ascending offsets), then finishes.
std::string body_cut(std::string_view text, const std::vector<std::size_t>& cuts,
                     Canonicalization c) {
  BodyCanonicalizer canonicalizer(c);
  std::string out;
  auto sink = [&out](const char* data, std::size_t size) { out.append(data, size); };
  std::size_t from = 0;
  for (std::size_t cut : cuts) {
    canonicalizer.feed(text.substr(from, cut - from), sink);
    from = cut;
  }
  canonicalizer.feed(text.substr(from), sink);
  canonicalizer.finish(sink);
  return out;
}

// Bytes biased to the ones canonicalization looks at: runs of SP and HTAB, CR, LF, CRLF and
// empty lines, between stretches of other bytes (8-bit ones too) of any length, so that runs
// fall across 64-byte blocks and long stretches reach the block loops.
std::string random_body(std::mt19937_64& random, std::size_t size) {
  std::string text;
  while (text.size() < size) {
    switch (random() % 8) {
      case 0: text.append(1 + random() % 5, ' '); break;
      case 1: text += random() % 2 == 0 ? "\t" : " \t "; break;
      case 2: text += "\r\n"; break;
      case 3: text += random() % 3 == 0 ? "\r" : "\n"; break;
      case 4: text += random() % 2 == 0 ? "\r\n\r\n" : " \r\n\t\r\n"; break;
      default: {
        std::size_t word = 1 + random() % (random() % 4 == 0 ? 150 : 12);
        for (std::size_t i = 0; i < word; ++i) {
          auto byte = static_cast<char>(random() % 16 == 0 ? random() % 256 : 'a' + random() % 26);
          text += byte;
        }
      }
    }
  }
  text.resize(size);
  return text;
}

// Cut points: random ones, and ones inside a CRLF and inside a WSP run where there are any.
std::vector<std::size_t> random_cuts(std::mt19937_64& random, std::string_view text) {
  std::vector<std::size_t> cuts;
  if (text.empty()) return cuts;
  for (int i = 0, n = static_cast<int>(random() % 5); i < n; ++i)
    cuts.push_back(random() % (text.size() + 1));
  for (std::size_t at = 1; at < text.size(); ++at) {
    bool in_crlf = text[at - 1] == '\r' && text[at] == '\n';
    bool in_run =
        (text[at - 1] == ' ' || text[at - 1] == '\t') && (text[at] == ' ' || text[at] == '\t');
    if ((in_crlf || in_run) && random() % 8 == 0) cuts.push_back(at);
  }
  std::sort(cuts.begin(), cuts.end());
  return cuts;
}

TEST(DkimCanonicalize, ForcingTheScanChangesWhatRuns) {
  EXPECT_TRUE(detail::body_scan_available(BodyScan::reference));
  EXPECT_TRUE(detail::body_scan_available(BodyScan::portable));
  {
    ForcedScan forced(BodyScan::portable);
    EXPECT_EQ(detail::body_scan(), BodyScan::portable);
  }
  EXPECT_NE(detail::body_scan(), BodyScan::reference);
}

TEST(DkimCanonicalize, PrefersAvx512WhereThereIsAvx512) {
  if (!detail::body_scan_available(BodyScan::avx512))
    GTEST_SKIP() << "no AVX-512 F/BW/VBMI2 on this processor or in this build";
  EXPECT_EQ(detail::body_scan(), BodyScan::avx512);
}

// Test names end in the scan's name. A function: gtest's macro names its own parameter `info`,
// which a lambda's would shadow.
std::string scan_test_name(const testing::TestParamInfo<BodyScan>& param) {
  return scan_name(param.param);
}

// One suite per vector scan, each checked against the byte-wise reference; a scan this
// processor (or this build) lacks is skipped, so the log says it did not run.
class VectorScan : public testing::TestWithParam<BodyScan> {
 protected:
  void SetUp() override {
    if (!detail::body_scan_available(GetParam()))
      GTEST_SKIP() << scan_name(GetParam()) << " is not available on this processor or build";
  }
};

std::string reference_body(std::string_view text, Canonicalization c) {
  ForcedScan forced(BodyScan::reference);
  return body(text, c);
}

TEST_P(VectorScan, GivesTheByteWiseBytesOnEveryVector) {
  const BodyScan scan = GetParam();
  std::vector<std::string> texts;
  for (const auto& test : body_cases) texts.emplace_back(test.text);
  texts.emplace_back(streaming_text);
  // The same vectors where the block loops reach them: after a long line, and repeated.
  for (std::size_t i = 0, n = texts.size(); i < n; ++i) {
    texts.push_back(std::string(200, 'x') + texts[i]);
    std::string repeated;
    while (repeated.size() < 1000) repeated += texts[i] + "y";
    texts.push_back(repeated);
  }
  for (Canonicalization c : {simple, relaxed})
    for (const std::string& text : texts) {
      const std::string expected = reference_body(text, c);
      ForcedScan forced(scan);
      EXPECT_EQ(visible(body(text, c)), visible(expected))
          << scan_name(scan) << " " << to_string(c) << " on " << visible(text);
      for (std::size_t cut = 0; cut <= text.size(); ++cut)
        ASSERT_EQ(body_cut(text, {cut}, c), expected)
            << scan_name(scan) << " " << to_string(c) << " split at " << cut << " of "
            << visible(text);
    }
}

// HTAB at every offset of the first blocks, alone and in runs, between words and before a line
// end: the AVX-512 copy turns HTABs into SP itself, the others leave it to compact_block().
TEST_P(VectorScan, GivesTheByteWiseBytesAroundEveryHtab) {
  const BodyScan scan = GetParam();
  for (std::string_view run : {"\t", "\t\t", " \t", "\t ", "\t\r\n", " \t\r\n"})
    for (std::size_t at = 0; at < 200; ++at) {
      std::string text = std::string(at, 'a') + std::string(run) + "b";
      text += std::string(300, 'c') + "\r\n";
      for (Canonicalization c : {simple, relaxed}) {
        const std::string expected = reference_body(text, c);
        ForcedScan forced(scan);
        ASSERT_EQ(visible(body(text, c)), visible(expected))
            << scan_name(scan) << " " << to_string(c) << " on " << visible(text);
      }
    }
}

TEST_P(VectorScan, GivesTheByteWiseBytesOnRandomBodies) {
  const BodyScan scan = GetParam();
  std::mt19937_64 random(20261203);
  for (int round = 0; round < 600; ++round) {
    std::size_t size = round % 10 == 0 ? 3000 + random() % 20000 : random() % 700;
    const std::string text = random_body(random, size);
    const std::vector<std::size_t> cuts = random_cuts(random, text);
    for (Canonicalization c : {simple, relaxed}) {
      std::string expected;
      {
        ForcedScan forced(BodyScan::reference);
        expected = body(text, c);
        ASSERT_EQ(body_cut(text, cuts, c), expected) << "reference, round " << round;
      }
      ForcedScan forced(scan);
      ASSERT_EQ(visible(body(text, c)), visible(expected))
          << scan_name(scan) << " " << to_string(c) << " round " << round;
      ASSERT_EQ(visible(body_cut(text, cuts, c)), visible(expected))
          << scan_name(scan) << " " << to_string(c) << " round " << round << ", chunked";
    }
  }
}

INSTANTIATE_TEST_SUITE_P(DkimCanonicalize, VectorScan,
                         testing::Values(BodyScan::portable, BodyScan::sse2, BodyScan::avx2,
                                         BodyScan::avx512),
                         scan_test_name);

}  // namespace
}  // namespace hallmark::dkim
