// SPDX-License-Identifier: Apache-2.0
// `hallmark report html`: the trend page from a store filled by `report parse --store`, its
// figures and escaping, and the page rendered by headless Chromium (Debian's chromium), whose
// screenshot is kept in the build tree as an artefact.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fmt/format.h>

#include "cli_runner.hpp"
#include "support/child_process.hpp"

namespace hallmark::cli {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

constexpr std::int64_t day_one = 1796083200;  // 2026-12-01T00:00:00Z

// One day's report for `domain`: `pass` messages aligned, `fail` from a spoofer, rejected.
std::string daily_report(std::string_view domain, std::string_view org, int day, int pass,
                         int fail) {
  std::int64_t begin = day_one + day * 86400;
  return fmt::format(
      "<feedback><report_metadata><org_name>{}</org_name><email>r@receiver.example</email>"
      "<report_id>{}-{}</report_id><date_range><begin>{}</begin><end>{}</end></date_range>"
      "</report_metadata><policy_published><domain>{}</domain><p>reject</p></policy_published>"
      "<record><row><source_ip>192.0.2.1</source_ip><count>{}</count><policy_evaluated>"
      "<disposition>none</disposition><dkim>pass</dkim><spf>pass</spf></policy_evaluated></row>"
      "<identifiers><header_from>{}</header_from></identifiers><auth_results/></record>"
      "<record><row><source_ip>203.0.113.66</source_ip><count>{}</count><policy_evaluated>"
      "<disposition>reject</disposition><dkim>fail</dkim><spf>fail</spf></policy_evaluated>"
      "</row><identifiers><header_from>{}</header_from></identifiers><auth_results/></record>"
      "</feedback>",
      org, domain, day, begin, begin + 86399, domain, pass, domain, fail, domain);
}

class CliReportHtml : public ::testing::Test {
 protected:
  void SetUp() override {
    std::vector<std::string> args = {"report", "parse", "--store", store_};
    for (int day = 0; day < 7; ++day) {
      args.push_back(dir_.write(fmt::format("a{}.xml", day),
                                daily_report("example.com", "Receiver", day, 96 + day % 3, 4)));
      args.push_back(dir_.write(fmt::format("b{}.xml", day),
                                daily_report("amber.example", "Receiver", day, 85, 15)));
    }
    args.push_back(dir_.write(
        "evil.xml",
        daily_report("evil&lt;b&gt;.example", "&lt;script&gt;x()&lt;/script&gt;", 2, 1, 9)));
    RunResult parsed = run_cli(args);
    ASSERT_EQ(parsed.status, 0) << parsed.err;
  }

  RunResult page(std::vector<std::string> extra = {}) {
    std::vector<std::string> args = {"report", "html",  "--store",
                                     store_,   "--now", std::to_string(day_one + 7 * 86400)};
    args.insert(args.end(), extra.begin(), extra.end());
    return run_cli(args);
  }

  test_support::TempDir dir_;
  std::string store_ = (dir_.path() / "reports.db").string();
};

TEST_F(CliReportHtml, PageShowsEachDomainsRatesAndSources) {
  RunResult r = page();
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("<h2>example.com</h2>"));
  EXPECT_THAT(r.out, HasSubstr("<h2>amber.example</h2>"));
  // example.com: 96..98 of 100..102 pass every day: green; amber.example 85%: amber.
  EXPECT_THAT(r.out, HasSubstr("<td>2026-12-01</td><td>100</td><td class=\"good\">96.0%</td>"));
  EXPECT_THAT(r.out, HasSubstr("<td class=\"fair\">85.0%</td>"));
  EXPECT_THAT(r.out, HasSubstr("<td>203.0.113.66</td><td>28</td>"));
  EXPECT_THAT(r.out, HasSubstr("<td>reject</td><td>28</td>"));
  EXPECT_THAT(r.out, HasSubstr("<svg"));
  // Self-contained and script-free, with the reporters' text escaped.
  EXPECT_THAT(r.out, Not(HasSubstr("<script")));
  EXPECT_THAT(r.out, Not(HasSubstr("src=")));
  EXPECT_THAT(r.out, HasSubstr("<h2>evil&lt;b&gt;.example</h2>"));
  EXPECT_THAT(r.out, Not(HasSubstr("<b>")));
}

TEST_F(CliReportHtml, DomainAndPeriodNarrowThePage) {
  RunResult r = page({"--domain", "amber.example", "--days", "3"});
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_THAT(r.out, Not(HasSubstr("<h2>example.com</h2>")));
  EXPECT_THAT(r.out, HasSubstr("<td>2026-12-07</td>"));
  EXPECT_THAT(r.out, Not(HasSubstr("<td>2026-12-04</td>")));
  EXPECT_EQ(page({"--days", "0"}).status, 2);
  EXPECT_EQ(run_cli({"report", "html"}).status, 2);
}

TEST_F(CliReportHtml, ChromiumRendersThePage) {
  const std::string chromium = "/usr/bin/chromium";
  if (!std::filesystem::exists(chromium)) {
    if (std::getenv("CI") != nullptr) FAIL() << "chromium is not installed";
    GTEST_SKIP() << "chromium is not installed (scripts/setup installs it)";
  }
  RunResult r = page();
  ASSERT_EQ(r.status, 0) << r.err;
  std::string html = dir_.write("report.html", r.out);
  std::string blank = dir_.write("blank.html", "<!DOCTYPE html><html><body></body></html>");
  auto screenshot = [&](const std::string& file, const std::string& png) {
    return test_support::run_process(
        {chromium, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
         "--no-first-run", "--user-data-dir=" + (dir_.path() / "profile").string(),
         "--window-size=1000,1600", "--screenshot=" + png, "file://" + file},
        {}, std::chrono::seconds(90));
  };
  std::filesystem::path artefacts = std::filesystem::path(HALLMARK_BINARY_DIR) / "artefacts";
  std::filesystem::create_directories(artefacts);
  std::string ours = (artefacts / "report-trend-page.png").string();
  std::string empty = (dir_.path() / "blank.png").string();
  std::filesystem::remove(ours);
  test_support::ProcessRun run = screenshot(html, ours);
  ASSERT_EQ(run.status, 0) << run.err;
  ASSERT_EQ(screenshot(blank, empty).status, 0);
  ASSERT_TRUE(std::filesystem::exists(ours)) << run.err;
  // Not blank: a page of charts and tables compresses far worse than an empty one.
  auto size = std::filesystem::file_size(ours);
  EXPECT_GT(size, 5 * std::filesystem::file_size(empty)) << "the screenshot looks blank";
  EXPECT_THAT(run.err, Not(HasSubstr("Uncaught")));
}

}  // namespace
}  // namespace hallmark::cli
