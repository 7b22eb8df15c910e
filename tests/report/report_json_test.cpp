// SPDX-License-Identifier: Apache-2.0
// The JSON of `hallmark report parse`: the text written directly for aggregate reports is
// exactly what the DOM form dumps, hostile bytes included.
#include <gtest/gtest.h>

#include "json/report_json.hpp"

namespace hallmark::json {
namespace {

TEST(ReportJson, AggregateTextIsTheDomDumped) {
  report::AggregateReport aggregate;
  aggregate.version = "1.0";
  aggregate.report_metadata.org_name = "Quote \" backslash \\ tab \t bell \x07 end";
  aggregate.report_metadata.report_id = "bad utf-8 \xC3\x28 and \xF0\x9F\x98\x80";
  aggregate.report_metadata.errors = {"one", "two\nlines"};
  aggregate.policy_published.pct = 50;
  report::Record record;
  record.row = {"192.0.2.1", 7, {"none", "pass", "fail", {{"other", "\x7f del"}}}};
  record.dkim = {{"example.com", "s", "pass", ""}};
  aggregate.records = {record, record};
  aggregate.record_count = 2;
  aggregate.message_count = 14;
  report::Report report = aggregate;
  std::string text = to_json_text(report);
  nlohmann::ordered_json dom = to_json(report);
  EXPECT_EQ(text, dom.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace));
  EXPECT_EQ(dom["report_metadata"]["report_id"], "bad utf-8 \xEF\xBF\xBD( and \xF0\x9F\x98\x80");
  EXPECT_EQ(dom["record"][1]["row"]["policy_evaluated"]["reason"][0]["comment"], "\x7f del");
  EXPECT_TRUE(dom["report_metadata"]["email"].is_null());
  EXPECT_EQ(dom.begin().key(), "kind");
}

TEST(ReportJson, OtherKindsGoThroughTheDom) {
  report::TlsReport tls;
  tls.organization_name = "Sender \xFF";
  tls.policies.push_back({"sts", {}, "example.com", {}, 1, 0, {}});
  report::Report report = tls;
  EXPECT_EQ(to_json_text(report),
            to_json(report).dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace));
}

}  // namespace
}  // namespace hallmark::json
