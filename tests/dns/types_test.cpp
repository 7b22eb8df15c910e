// SPDX-License-Identifier: Apache-2.0
// DNS type names, statuses and the text form of answers printed by `hallmark dns`.
#include <gtest/gtest.h>

#include "hallmark/dns/types.hpp"

namespace hallmark::dns {
namespace {

TEST(DnsType, ParsesNamesAndNumbers) {
  EXPECT_EQ(parse_type("txt"), Type::txt);
  EXPECT_EQ(parse_type("AAAA"), Type::aaaa);
  EXPECT_EQ(parse_type("15"), Type::mx);
  EXPECT_EQ(parse_type("TYPE99"), Type::spf);
  EXPECT_EQ(parse_type("HINFO"), std::nullopt);
  EXPECT_EQ(parse_type(""), std::nullopt);
  EXPECT_EQ(parse_type("TYPE"), std::nullopt);
}

TEST(DnsAnswer, ClassifiesStatuses) {
  EXPECT_TRUE(Answer::with_status("a.test", Type::a, Status::nxdomain).is_void());
  EXPECT_TRUE(Answer::with_status("a.test", Type::a, Status::nodata).is_void());
  EXPECT_TRUE(Answer::with_status("a.test", Type::a, Status::timeout).is_error());
  EXPECT_TRUE(Answer::with_status("a.test", Type::a, Status::servfail).is_error());
  EXPECT_FALSE(Answer::with_status("a.test", Type::a, Status::noerror).is_error());
}

TEST(DnsAnswer, FormatsRecordsForOperators) {
  Answer answer = Answer::with_status("example.test", Type::txt, Status::noerror, {}, 300);
  answer.txt.push_back(Txt{{"v=spf1 ", "-all \"x\""}});
  EXPECT_EQ(format_answer(answer),
            "status: noerror\nexample.test. 300 IN TXT \"v=spf1 \" \"-all \\\"x\\\"\"\n");
  EXPECT_EQ(answer.txt[0].text(), "v=spf1 -all \"x\"");
}

}  // namespace
}  // namespace hallmark::dns
