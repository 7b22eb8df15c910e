// SPDX-License-Identifier: Apache-2.0
// DMARC record parsing: every tag and its invalid forms (RFC 9989 4.7, 4.8, 4.10.1), the
// RFC 7489 pct= tag, and hostile records.
#include <gtest/gtest.h>

#include "hallmark/dmarc/record.hpp"

namespace hallmark::dmarc {
namespace {

Record parsed(std::string_view text) {
  auto record = parse_record(text);
  EXPECT_TRUE(record) << text;
  return record.value_or(Record{});
}

TEST(DmarcRecordParse, NormalisesEveryTag) {
  struct {
    std::string_view text, dump;
  } cases[] = {
      {"v=DMARC1; p=reject", "v=DMARC1; p=reject"},
      {"v=DMARC1;p=quarantine;sp=none;np=reject", "v=DMARC1; p=quarantine; sp=none; np=reject"},
      {"V = DMARC1 ; P = Reject ; ", "v=DMARC1; p=reject"},
      {"v=DMARC1; p=none; psd=y; t=y; adkim=s; aspf=s",
       "v=DMARC1; p=none; psd=y; t=y; adkim=s; aspf=s"},
      {"v=DMARC1; p=none; psd=n", "v=DMARC1; p=none; psd=n"},
      {"v=DMARC1; p=none; psd=u", "v=DMARC1; p=none"},
      {"v=DMARC1; p=none; rua=mailto:a@example.com, mailto:b@example.net!10m; "
       "ruf=mailto:f@example.com",
       "v=DMARC1; p=none; rua=mailto:a@example.com,mailto:b@example.net; ruf=mailto:f@example.com"},
      {"v=DMARC1; p=none; fo=1:d:s", "v=DMARC1; p=none; fo=1:d:s"},
      {"v=DMARC1; p=none; pct=20", "v=DMARC1; p=none; pct=20"},
      {"v=DMARC1; p=none; unknown=tag; x-future=1", "v=DMARC1; p=none"},
      {"v=DMARC1", "v=DMARC1"},
  };
  for (auto [text, dump] : cases) EXPECT_EQ(to_string(parsed(text)), dump) << text;
}

TEST(DmarcRecordParse, InvalidValuesFallBackToDefaults) {
  Record r = parsed(
      "v=DMARC1; p=bogus; sp=maybe; np=; adkim=x; aspf=strict; t=yes; psd=q; "
      "fo=0:1; pct=101; ri=-5; rua=not a uri, mailto:ok@example.com!x");
  EXPECT_FALSE(r.policy);
  EXPECT_TRUE(r.policy_invalid);
  EXPECT_TRUE(r.subdomain_policy_invalid);
  EXPECT_TRUE(r.nonexistent_policy_invalid);
  EXPECT_EQ(r.dkim_alignment, Alignment::relaxed);
  EXPECT_EQ(r.spf_alignment, Alignment::relaxed);
  EXPECT_FALSE(r.testing);
  EXPECT_EQ(r.psd, PsdFlag::unknown);
  EXPECT_EQ(r.failure_options, "0");  // 0 and 1 are exclusive
  EXPECT_FALSE(r.percent);
  EXPECT_FALSE(r.report_interval);
  EXPECT_TRUE(r.aggregate_uris.empty());
}

TEST(DmarcRecordParse, FirstOfARepeatedTagWins) {
  EXPECT_EQ(parsed("v=DMARC1; p=reject; p=none").policy, Policy::reject);
}

TEST(DmarcRecordSelect, OnlyRecordsStartingWithVersionCount) {
  EXPECT_TRUE(is_dmarc_record("v=DMARC1; p=none"));
  EXPECT_TRUE(is_dmarc_record("v=DMARC1"));
  EXPECT_TRUE(is_dmarc_record("  v = DMARC1 ;"));
  EXPECT_FALSE(is_dmarc_record("v=dmarc1; p=none"));  // the value is case-sensitive
  EXPECT_FALSE(is_dmarc_record("p=none; v=DMARC1"));
  EXPECT_FALSE(is_dmarc_record("v=DMARC10; p=none"));
  EXPECT_FALSE(is_dmarc_record("v=spf1 -all"));
  EXPECT_FALSE(is_dmarc_record(""));
  auto rejected = parse_record("p=reject; v=DMARC1");
  ASSERT_FALSE(rejected);
  EXPECT_EQ(rejected.error().code, core::Errc::unsupported);
}

TEST(DmarcRecordApply, MissingOrBadPolicyNeedsAReportAddress) {
  // RFC 9989 4.10.1: no valid p= (or a bad sp=/np=) means p=none if rua= has a valid URI,
  // and no DMARC at all otherwise.
  EXPECT_TRUE(is_applicable(parsed("v=DMARC1; p=reject")));
  EXPECT_FALSE(is_applicable(parsed("v=DMARC1")));
  EXPECT_FALSE(is_applicable(parsed("v=DMARC1; p=bogus")));
  EXPECT_TRUE(is_applicable(parsed("v=DMARC1; rua=mailto:r@example.com")));
  EXPECT_TRUE(is_applicable(parsed("v=DMARC1; p=bogus; rua=mailto:r@example.com")));
  EXPECT_FALSE(is_applicable(parsed("v=DMARC1; p=reject; sp=bogus")));
  EXPECT_TRUE(is_applicable(parsed("v=DMARC1; p=reject; np=bogus; rua=mailto:r@example.com")));
}

TEST(DmarcRecordParse, HostileRecordsAreBounded) {
  std::string many = "v=DMARC1; p=reject";
  for (int i = 0; i < 5000; ++i) many += "; x" + std::to_string(i) + "=y";
  EXPECT_EQ(parsed(many).policy, Policy::reject);
  std::string uris = "v=DMARC1; p=none; rua=";
  for (int i = 0; i < 10000; ++i) uris += "mailto:r" + std::to_string(i) + "@example.com,";
  EXPECT_LE(parsed(uris).aggregate_uris.size(), 100u);
  std::string huge = "v=DMARC1; p=none; rua=" + std::string(65536, 'x');
  EXPECT_TRUE(parsed(huge).aggregate_uris.empty());
  std::string junk = "v=DMARC1;" + std::string(65536, ';');
  EXPECT_FALSE(parsed(junk).policy);
}

}  // namespace
}  // namespace hallmark::dmarc
