// SPDX-License-Identifier: Apache-2.0
// Score tables: the defaults, "TAG = score" overrides, and every error with the line it names.
#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include "authenticator/temp_file.hpp"
#include "support/bounded.hpp"
#include "hallmark/authenticator/tags.hpp"

namespace hallmark::authenticator {
namespace {

using core::Errc;

ScoreTable parsed(std::string_view text) {
  auto table = ScoreTable::parse(text);
  EXPECT_TRUE(table) << text << ": " << (table ? "" : table.error().message);
  return table.value_or(ScoreTable{});
}

using test::TempFile;

TEST(AuthenticatorScoreTable, DefaultsAreTheDocumentedWeights) {
  struct {
    Tag tag;
    double score;
  } cases[] = {
      {Tag::spf_allow, -0.2},
      {Tag::spf_fail, 1.0},
      {Tag::spf_softfail, 0.0},
      {Tag::spf_neutral, 0.0},
      {Tag::spf_na, 0.0},
      {Tag::spf_dnsfail, 0.0},
      {Tag::spf_permfail, 0.0},
      {Tag::dkim_allow, -0.2},
      {Tag::dkim_reject, 1.0},
      {Tag::dkim_tempfail, 0.0},
      {Tag::dkim_permfail, 0.0},
      {Tag::dkim_na, 0.0},
      {Tag::arc_allow, -1.0},
      {Tag::arc_reject, 1.0},
      {Tag::arc_na, 0.0},
      {Tag::arc_dnsfail, 0.0},
      {Tag::arc_trusted, -0.5},
      {Tag::dmarc_policy_allow, -0.5},
      {Tag::dmarc_policy_reject, 2.0},
      {Tag::dmarc_policy_quarantine, 1.5},
      {Tag::dmarc_policy_softfail, 0.1},
      {Tag::dmarc_na, 0.0},
      {Tag::dmarc_dnsfail, 0.0},
      {Tag::dmarc_bad_policy, 0.5},
      {Tag::iprev_allow, -0.1},
      {Tag::iprev_fail, 1.0},
      {Tag::iprev_dnsfail, 0.0},
      {Tag::iprev_permfail, 0.5},
      {Tag::allowlist_dmarc, -7.0},
      {Tag::blocklist_dmarc, 6.0},
      {Tag::allowlist_spf_dkim, -3.0},
      {Tag::blocklist_spf_dkim, 3.0},
  };
  static_assert(std::size(cases) == tag_count, "one row per tag");
  ScoreTable table;
  for (auto [tag, score] : cases) EXPECT_EQ(table.score(tag), score) << to_string(tag);
}

TEST(AuthenticatorScoreTable, EmptyTextGivesTheDefaults) {
  ScoreTable defaults;
  for (std::string_view text : {"", "\n", "# nothing\n\n   \t\n", "\r\n"}) {
    ScoreTable table = parsed(text);
    for (std::size_t i = 0; i < tag_count; ++i)
      EXPECT_EQ(table.score(static_cast<Tag>(i)), defaults.score(static_cast<Tag>(i))) << text;
  }
}

TEST(AuthenticatorScoreTable, OverridesOnlyTheTagsGiven) {
  ScoreTable table = parsed("SPF_FAIL = 3.5\nDMARC_POLICY_REJECT = 10\n");
  EXPECT_EQ(table.score(Tag::spf_fail), 3.5);
  EXPECT_EQ(table.score(Tag::dmarc_policy_reject), 10.0);
  EXPECT_EQ(table.score(Tag::spf_allow), -0.2);
  EXPECT_EQ(table.score(Tag::allowlist_dmarc), -7.0);
}

TEST(AuthenticatorScoreTable, ReadsNumbersAsOperatorsWriteThem) {
  struct {
    std::string_view value;
    double score;
  } cases[] = {
      {"1", 1.0},  {"-0.5", -0.5}, {"+2", 2.0},      {"+0.25", 0.25},
      {"0", 0.0},  {"-0", -0.0},   {"1e1", 10.0},    {"2.5E-1", 0.25},
      {".5", 0.5}, {"5.", 5.0},    {"-1E+1", -10.0}, {"100000", 1e5},
  };
  for (auto [value, score] : cases) {
    ScoreTable table = parsed("SPF_ALLOW = " + std::string(value));
    EXPECT_EQ(table.score(Tag::spf_allow), score) << value;
  }
}

TEST(AuthenticatorScoreTable, AllowsCommentsBlanksAndCrlf) {
  ScoreTable table = parsed(
      "# local weights\r\n"
      "\r\n"
      "  SPF_FAIL=2   # stricter than the default\r\n"
      "\tdkim_reject\t=\t-1\t\r\n"
      "ARC_ALLOW = -2#no blank before the comment\n"
      "   # indented comment\n"
      "IPREV_FAIL = 4");  // no final newline
  EXPECT_EQ(table.score(Tag::spf_fail), 2.0);
  EXPECT_EQ(table.score(Tag::dkim_reject), -1.0);
  EXPECT_EQ(table.score(Tag::arc_allow), -2.0);
  EXPECT_EQ(table.score(Tag::iprev_fail), 4.0);
}

TEST(AuthenticatorScoreTable, SetOverridesOneTag) {
  ScoreTable table;
  table.set(Tag::arc_na, 0.75);
  EXPECT_EQ(table.score(Tag::arc_na), 0.75);
  EXPECT_EQ(table.score(Tag::arc_allow), -1.0);
}

struct ErrorCase {
  std::string_view text;
  Errc code;
  std::string_view message;
  std::size_t offset;
};

void expect_errors(std::initializer_list<ErrorCase> cases) {
  for (const ErrorCase& c : cases) {
    auto table = ScoreTable::parse(c.text);
    ASSERT_FALSE(table) << c.text;
    EXPECT_EQ(table.error().code, c.code) << c.text << ": " << table.error().message;
    EXPECT_EQ(table.error().message, c.message) << c.text;
    EXPECT_EQ(table.error().offset, c.offset) << c.text;
  }
}

TEST(AuthenticatorScoreTable, RejectsLinesThatAreNotTagEqualsScore) {
  expect_errors({
      {"SPF_ALLOW", Errc::syntax, "line 1: expected TAG = score, not 'SPF_ALLOW'", 0},
      {"# a\nSPF_ALLOW 1\n", Errc::syntax, "line 2: expected TAG = score, not 'SPF_ALLOW 1'", 4},
      {"\n\n= 1", Errc::syntax, "line 3: expected TAG = score, not '= 1'", 2},
      {"SPF_ALLOW =  # no score", Errc::syntax, "line 1: expected TAG = score, not 'SPF_ALLOW ='",
       0},
      {"SPF ALLOW = 1", Errc::syntax, "line 1: expected TAG = score, not 'SPF ALLOW = 1'", 0},
      {"SPF_ALLOW = 1 2", Errc::syntax, "line 1: expected TAG = score, not 'SPF_ALLOW = 1 2'", 0},
      {"SPF_ALLOW = 1 = 2", Errc::syntax, "line 1: expected TAG = score, not 'SPF_ALLOW = 1 = 2'",
       0},
      {"SPF_ALLOW == 1", Errc::syntax, "line 1: expected TAG = score, not 'SPF_ALLOW == 1'", 0},
  });
}

TEST(AuthenticatorScoreTable, RejectsUnknownTags) {
  expect_errors({
      {"SPF_FAIL = 1\n\nSPF_ALOW = 1\n", Errc::bad_value, "line 3: unknown tag 'SPF_ALOW'", 14},
      {"R_SPF_ALLOW = -0.2", Errc::bad_value, "line 1: unknown tag 'R_SPF_ALLOW'", 0},
  });
}

TEST(AuthenticatorScoreTable, RejectsScoresThatAreNotFiniteNumbers) {
  expect_errors({
      {"SPF_FAIL = one", Errc::bad_value, "line 1: score 'one' of SPF_FAIL is not a finite number",
       0},
      {"SPF_FAIL = 1.0x", Errc::bad_value,
       "line 1: score '1.0x' of SPF_FAIL is not a finite number", 0},
      {"SPF_FAIL = 1,5", Errc::bad_value, "line 1: score '1,5' of SPF_FAIL is not a finite number",
       0},
      {"SPF_FAIL = inf", Errc::bad_value, "line 1: score 'inf' of SPF_FAIL is not a finite number",
       0},
      {"SPF_FAIL = -infinity", Errc::bad_value,
       "line 1: score '-infinity' of SPF_FAIL is not a finite number", 0},
      {"SPF_FAIL = nan", Errc::bad_value, "line 1: score 'nan' of SPF_FAIL is not a finite number",
       0},
      {"SPF_FAIL = 1e999", Errc::bad_value,
       "line 1: score '1e999' of SPF_FAIL is not a finite number", 0},
      {"SPF_FAIL = ++1", Errc::bad_value, "line 1: score '++1' of SPF_FAIL is not a finite number",
       0},
      {"SPF_FAIL = +-1", Errc::bad_value, "line 1: score '+-1' of SPF_FAIL is not a finite number",
       0},
      {"SPF_FAIL = --1", Errc::bad_value, "line 1: score '--1' of SPF_FAIL is not a finite number",
       0},
      {"SPF_FAIL = +", Errc::bad_value, "line 1: score '+' of SPF_FAIL is not a finite number", 0},
      {"SPF_FAIL = .", Errc::bad_value, "line 1: score '.' of SPF_FAIL is not a finite number", 0},
      {"SPF_FAIL = 1e", Errc::bad_value, "line 1: score '1e' of SPF_FAIL is not a finite number",
       0},
      {"SPF_FAIL = e1", Errc::bad_value, "line 1: score 'e1' of SPF_FAIL is not a finite number",
       0},
      {"SPF_FAIL = 1e+", Errc::bad_value, "line 1: score '1e+' of SPF_FAIL is not a finite number",
       0},
      {"SPF_FAIL = 0x10", Errc::bad_value,
       "line 1: score '0x10' of SPF_FAIL is not a finite number", 0},
  });
}

TEST(AuthenticatorScoreTable, RejectsATagGivenTwice) {
  expect_errors({
      {"SPF_FAIL = 1\nDKIM_NA = 0\nspf_fail = 2\n", Errc::duplicate_tag,
       "line 3: tag SPF_FAIL already given on line 1", 25},
      // The same score twice is still two lines for one tag.
      {"ARC_NA = 0\nARC_NA = 0", Errc::duplicate_tag, "line 2: tag ARC_NA already given on line 1",
       11},
  });
}

TEST(AuthenticatorScoreTable, ReportsTheFirstErrorOnly) {
  expect_errors({
      {"SPF_FAIL = 1\nBOGUS = 1\nSPF_FAIL = x\n", Errc::bad_value, "line 2: unknown tag 'BOGUS'",
       13},
  });
}

TEST(AuthenticatorScoreTable, EscapesNonUtf8AndControlBytesInMessages) {
  using namespace std::string_view_literals;
  expect_errors({
      {"SPF_\xff\xfe = 1", Errc::bad_value, "line 1: unknown tag 'SPF_\\xff\\xfe'", 0},
      {"SPF_FAIL = 1\xc3", Errc::bad_value,
       "line 1: score '1\\xc3' of SPF_FAIL is not a finite number", 0},
      {"SPF\x01"
       "FAIL = 1",
       Errc::bad_value, "line 1: unknown tag 'SPF\\x01FAIL'", 0},
      {"SPF_FAIL = 1\0"sv, Errc::bad_value,
       "line 1: score '1\\x00' of SPF_FAIL is not a finite number", 0},
  });
}

TEST(AuthenticatorScoreTable, QuotesAtMostAShortPrefixOfALongWord) {
  auto table = ScoreTable::parse(std::string(5000, 'A') + " = 1");
  ASSERT_FALSE(table);
  EXPECT_EQ(table.error().message, "line 1: unknown tag '" + std::string(40, 'A') + "...'");
}

TEST(AuthenticatorScoreTable, RefusesInputOverOneMebibyte) {
  std::string text(std::size_t{1} << 20, '\n');
  EXPECT_TRUE(ScoreTable::parse(text));  // exactly the cap is fine
  text += '\n';
  auto table = ScoreTable::parse(text);
  ASSERT_FALSE(table);
  EXPECT_EQ(table.error().code, Errc::too_long);
  EXPECT_NE(table.error().message.find("1048577"), std::string::npos) << table.error().message;
}

TEST(AuthenticatorScoreTable, LargeInputParsesInBoundedTime) {
  // Near the cap, whether as many short comment lines or one line padded with blanks, a parse
  // stays linear.
  std::string comments;
  while (comments.size() + 64 < (std::size_t{1} << 20))
    comments += "# " + std::string(60, 'x') + "\n";
  auto table = test_support::bounded("comments", [&] { return ScoreTable::parse(comments); });
  EXPECT_TRUE(table);
  std::string blanks(500000, ' ');
  auto spaced = test_support::bounded(
      "blanks", [&] { return ScoreTable::parse(blanks + "SPF_FAIL = 2" + blanks); });
  ASSERT_TRUE(spaced);
  EXPECT_EQ(spaced->score(Tag::spf_fail), 2.0);
}

TEST(AuthenticatorScoreTable, LoadReadsAFile) {
  TempFile file("scores.conf", "# site weights\nDMARC_POLICY_REJECT = 5\n");
  auto table = ScoreTable::load(file.path());
  ASSERT_TRUE(table) << table.error().message;
  EXPECT_EQ(table->score(Tag::dmarc_policy_reject), 5.0);
  EXPECT_EQ(table->score(Tag::spf_fail), 1.0);
}

TEST(AuthenticatorScoreTable, LoadNamesTheFileInParseErrors) {
  TempFile file("bad_scores.conf", "SPF_FAIL = 1\nSPF_ALOW = 1\n");
  auto table = ScoreTable::load(file.path());
  ASSERT_FALSE(table);
  EXPECT_EQ(table.error().code, Errc::bad_value);
  EXPECT_EQ(table.error().message, file.path() + ": line 2: unknown tag 'SPF_ALOW'");
  EXPECT_EQ(table.error().offset, 13u);
}

TEST(AuthenticatorScoreTable, LoadOfAMissingFileIsAnIoError) {
  auto table = ScoreTable::load("/nonexistent/hallmark/scores.conf");
  ASSERT_FALSE(table);
  EXPECT_EQ(table.error().code, Errc::io);
  EXPECT_NE(table.error().message.find("/nonexistent/hallmark/scores.conf"), std::string::npos);
}

TEST(AuthenticatorScoreTable, LoadOfADirectoryIsAnIoError) {
  auto table = ScoreTable::load(std::filesystem::temp_directory_path().string());
  ASSERT_FALSE(table);
  EXPECT_EQ(table.error().code, Errc::io);
}

TEST(AuthenticatorScoreTable, LoadRefusesAFileOverOneMebibyte) {
  TempFile file("huge_scores.conf", std::string((std::size_t{1} << 20) + 1, '#'));
  auto table = ScoreTable::load(file.path());
  ASSERT_FALSE(table);
  EXPECT_EQ(table.error().code, Errc::too_long);
  EXPECT_NE(table.error().message.find(file.path()), std::string::npos);
}

}  // namespace
}  // namespace hallmark::authenticator
