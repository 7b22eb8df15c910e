// SPDX-License-Identifier: Apache-2.0
// Header fields between libmilter and the library: the wire form of a header callback, our
// added values, the score field, and which incoming results are forgeries of ours.
#include <gtest/gtest.h>

#include "header_fields.hpp"
#include "log_line.hpp"

namespace hallmark::milter {
namespace {

TEST(MilterHeaderFields, WireFieldWithLeadingSpaceKeepsTheBytes) {
  EXPECT_EQ(wire_field("Subject", " hello", true), "Subject: hello\r\n");
  EXPECT_EQ(wire_field("Subject", "hello", true), "Subject:hello\r\n");
  EXPECT_EQ(wire_field("Subject", "\thello", true), "Subject:\thello\r\n");
}

TEST(MilterHeaderFields, WireFieldWithoutLeadingSpacePutsTheDroppedSpaceBack) {
  EXPECT_EQ(wire_field("Subject", "hello", false), "Subject: hello\r\n");
}

TEST(MilterHeaderFields, FoldsBecomeCrlf) {
  EXPECT_EQ(wire_field("To", " a@example.com,\n\tb@example.com", true),
            "To: a@example.com,\r\n\tb@example.com\r\n");
  EXPECT_EQ(wire_field("To", " a,\r\n b", true), "To: a,\r\n b\r\n");
}

TEST(MilterHeaderFields, MilterValueFromOurField) {
  std::string field = "Authentication-Results: mx.example.org;\r\n spf=pass";
  EXPECT_EQ(milter_value(field, false), "mx.example.org;\n spf=pass");
  EXPECT_EQ(milter_value(field, true), " mx.example.org;\n spf=pass");
}

TEST(MilterHeaderFields, ScoreFieldListsTagsAndFolds) {
  authenticator::Verdict v;
  v.score = -0.7;
  v.tags = {{authenticator::Tag::dkim_allow, -0.2}, {authenticator::Tag::dmarc_policy_allow, -0.5}};
  std::string field = score_field("X-Hallmark-Score", v);
  EXPECT_EQ(field, "X-Hallmark-Score: -0.70; DKIM_ALLOW=-0.20 DMARC_POLICY_ALLOW=-0.50");
  for (int i = 0; i < 20; ++i) v.tags.push_back({authenticator::Tag::spf_allow, 1});
  field = score_field("X-Hallmark-Score", v);
  EXPECT_NE(field.find("\r\n "), std::string::npos) << "a long field is folded";
  for (std::size_t start = 0, end; start < field.size(); start = end + 2) {
    end = field.find("\r\n", start);
    if (end == std::string::npos) end = field.size();
    EXPECT_LE(end - start, 78u);
  }
}

TEST(MilterHeaderFields, OwnResultsAreFoundCaseInsensitivelyHighestFirst) {
  std::vector<std::string> values = {
      " mx.example.org; dmarc=pass",
      " other.example; spf=pass",
      " MX.EXAMPLE.ORG; dkim=pass",
      " (comment) mx.example.org; none",
      " mx.example.org.evil; none",
      " mx.example.org",  // broken syntax still claims our name
  };
  EXPECT_EQ(own_auth_results_indexes(values, "mx.example.org"), (std::vector<int>{6, 4, 3, 1}));
  EXPECT_TRUE(own_auth_results_indexes({}, "mx.example.org").empty());
}

TEST(MilterLogLine, OneLineOfWordsWithStrangersTextNeutralised) {
  authenticator::Verdict v;
  v.dmarc.outcome = dmarc::Outcome::fail;
  v.dmarc.author_domain = "example.com";
  v.disposition = dmarc::Disposition::reject;
  v.score = 7;
  Decision d;
  d.action = Action::reject;
  std::string line = log_line({"4XyZ1", "192.0.2.1", "evil \n x=y@example.com"}, v, d);
  EXPECT_EQ(line,
            "4XyZ1: client=192.0.2.1 from=evil???x=y@example.com spf=none dkim=none arc=none "
            "dmarc=fail(example.com reject) score=7.00 action=reject");
  EXPECT_EQ(line.find('\n'), std::string::npos);
  EXPECT_EQ(log_line({"", "192.0.2.1", ""}, v, d).substr(0, 8), "NOQUEUE:");
}

}  // namespace
}  // namespace hallmark::milter
