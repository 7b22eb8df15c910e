// SPDX-License-Identifier: Apache-2.0
// Tag names: every tag has one, each name parses back to its tag, and nothing else parses.
#include <gtest/gtest.h>

#include <set>
#include <string>

#include "hallmark/authenticator/tags.hpp"

namespace hallmark::authenticator {
namespace {

Tag tag_at(std::size_t index) { return static_cast<Tag>(index); }

TEST(AuthenticatorTags, EveryTagRoundTripsThroughItsName) {
  for (std::size_t i = 0; i < tag_count; ++i) {
    std::string_view name = to_string(tag_at(i));
    ASSERT_FALSE(name.empty()) << i;
    EXPECT_NE(name, "UNKNOWN") << i;
    EXPECT_EQ(parse_tag(name), tag_at(i)) << name;
  }
}

TEST(AuthenticatorTags, NamesAreUniqueUpperCaseWords) {
  std::set<std::string_view> names;
  for (std::size_t i = 0; i < tag_count; ++i) {
    std::string_view name = to_string(tag_at(i));
    EXPECT_TRUE(names.insert(name).second) << name << " names two tags";
    for (char c : name) EXPECT_TRUE((c >= 'A' && c <= 'Z') || c == '_') << name;
  }
  EXPECT_EQ(names.size(), tag_count);
}

TEST(AuthenticatorTags, NamesAreTheDocumentedOnes) {
  struct {
    Tag tag;
    std::string_view name;
  } cases[] = {
      {Tag::spf_allow, "SPF_ALLOW"},
      {Tag::spf_permfail, "SPF_PERMFAIL"},
      {Tag::dkim_tempfail, "DKIM_TEMPFAIL"},
      {Tag::arc_trusted, "ARC_TRUSTED"},
      {Tag::dmarc_policy_quarantine, "DMARC_POLICY_QUARANTINE"},
      {Tag::dmarc_bad_policy, "DMARC_BAD_POLICY"},
      {Tag::iprev_permfail, "IPREV_PERMFAIL"},
      {Tag::allowlist_dmarc, "ALLOWLIST_DMARC"},
      {Tag::blocklist_spf_dkim, "BLOCKLIST_SPF_DKIM"},
  };
  for (auto [tag, name] : cases) EXPECT_EQ(to_string(tag), name);
}

TEST(AuthenticatorTags, ParseIsAsciiCaseInsensitive) {
  EXPECT_EQ(parse_tag("spf_allow"), Tag::spf_allow);
  EXPECT_EQ(parse_tag("Dmarc_Policy_Reject"), Tag::dmarc_policy_reject);
}

TEST(AuthenticatorTags, ParseRejectsEverythingElse) {
  std::string_view bad[] = {"",         "SPF",        "SPF_ALLOW ",  " SPF_ALLOW",
                            "SPF_ALOW", "SPF_ALLOWX", "R_SPF_ALLOW", "SPF-ALLOW"};
  for (std::string_view name : bad) EXPECT_FALSE(parse_tag(name)) << name;
  EXPECT_FALSE(parse_tag(std::string_view("SPF_ALLOW\0", 10)));
  // Only ASCII letters fold: a dotless i or a Latin-1 byte never matches.
  EXPECT_FALSE(parse_tag("DKIM_ALLOW\xc4\xb1"));
  EXPECT_FALSE(parse_tag("\xff"));
}

TEST(AuthenticatorTags, OutOfRangeValueHasAPlaceholderName) {
  EXPECT_EQ(to_string(tag_at(tag_count)), "UNKNOWN");
  EXPECT_EQ(to_string(tag_at(255)), "UNKNOWN");
}

}  // namespace
}  // namespace hallmark::authenticator
