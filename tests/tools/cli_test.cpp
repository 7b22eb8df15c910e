// SPDX-License-Identifier: Apache-2.0
// The hallmark CLI run as a user runs it: a real process, arguments, exit status, output.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

#include <nlohmann/json.hpp>

#include "cli_runner.hpp"

namespace hallmark::cli {
namespace {

constexpr std::string_view zone_text = R"(
$ORIGIN example.test.
$TTL 600
@            IN MX   10 mail
@            IN TXT  "v=spf1 " "ip4:192.0.2.0/24 -all"
mail         IN A    192.0.2.25
mail         IN AAAA 2001:db8::25
alias        IN CNAME mail
slow         IN TIMEOUT
broken       IN SERVFAIL
xn--bcher-kva IN A   192.0.2.80
)";

class CliDns : public testing::Test {
 protected:
  void SetUp() override { zone_ = write_temp_file("cli.zone", zone_text); }
  std::string zone_;
};

TEST_F(CliDns, PrintsStatusAndRecords) {
  RunResult r = run_cli({"dns", "example.test", "MX", "--zone", zone_});
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(r.out, "status: noerror\nexample.test. 600 IN MX 10 mail.example.test.\n");
}

TEST_F(CliDns, NamesEveryStatus) {
  struct {
    std::string name, type, status;
  } cases[] = {
      {"mail.example.test", "A", "noerror"},   {"nope.example.test", "A", "nxdomain"},
      {"mail.example.test", "MX", "nodata"},   {"slow.example.test", "TXT", "timeout"},
      {"broken.example.test", "A", "servfail"}, {"alias.example.test", "AAAA", "noerror"},
  };
  for (const auto& c : cases) {
    RunResult r = run_cli({"dns", c.name, c.type, "--zone", zone_, "--json"});
    ASSERT_EQ(r.status, 0) << c.name << ": " << r.err;
    nlohmann::json out = nlohmann::json::parse(r.out);
    EXPECT_EQ(out["status"], c.status) << c.name << " " << c.type;
  }
}

TEST_F(CliDns, JsonHasDocumentedFields) {
  RunResult r = run_cli({"dns", "example.test", "txt", "--zone", zone_, "--json"});
  ASSERT_EQ(r.status, 0) << r.err;
  nlohmann::json out = nlohmann::json::parse(r.out);
  EXPECT_EQ(out["name"], "example.test");
  EXPECT_EQ(out["type"], "TXT");
  EXPECT_EQ(out["ttl"], 600);
  EXPECT_EQ(out["authenticated"], false);
  EXPECT_EQ(out["texts"], nlohmann::json::array({"v=spf1 ip4:192.0.2.0/24 -all"}));
  EXPECT_EQ(out["records"], nlohmann::json::array({R"("v=spf1 " "ip4:192.0.2.0/24 -all")"}));
}

TEST_F(CliDns, FollowsCnameChains) {
  RunResult r = run_cli({"dns", "alias.example.test", "A", "--zone", zone_, "--json"});
  nlohmann::json out = nlohmann::json::parse(r.out);
  EXPECT_EQ(out["cname"], nlohmann::json::array({"mail.example.test"}));
  EXPECT_EQ(out["records"], nlohmann::json::array({"192.0.2.25"}));
}

TEST_F(CliDns, LooksUpInternationalisedNamesAsALabels) {
  RunResult r = run_cli({"dns", "bücher.example.test", "A", "--zone", zone_, "--json"});
  ASSERT_EQ(r.status, 0) << r.err;
  nlohmann::json out = nlohmann::json::parse(r.out);
  EXPECT_EQ(out["name"], "xn--bcher-kva.example.test");
  EXPECT_EQ(out["records"], nlohmann::json::array({"192.0.2.80"}));
}

TEST_F(CliDns, UsageErrorsExitTwo) {
  EXPECT_EQ(run_cli({"dns", "example.test"}).status, 2);
  EXPECT_EQ(run_cli({"dns", "example.test", "HINFO", "--zone", zone_}).status, 2);
  EXPECT_EQ(run_cli({"dns", "example.test", "A", "--bogus"}).status, 2);
  EXPECT_EQ(run_cli({"no-such-verb"}).status, 2);
  EXPECT_EQ(run_cli({}).status, 2);
}

TEST_F(CliDns, BadZoneFileNamesFileAndLine) {
  std::string bad = write_temp_file("bad.zone", "ok.test. A 192.0.2.1\nbad.test. A 1.2.3\n");
  RunResult r = run_cli({"dns", "ok.test", "A", "--zone", bad});
  EXPECT_EQ(r.status, 1);
  EXPECT_NE(r.err.find("bad.zone:2"), std::string::npos) << r.err;
  EXPECT_EQ(r.err.find('\n'), r.err.size() - 1) << "one line: " << r.err;
}

TEST_F(CliDns, MissingZoneFileIsAnError) {
  RunResult r = run_cli({"dns", "ok.test", "A", "--zone", "/nonexistent/zone"});
  EXPECT_EQ(r.status, 1);
  EXPECT_NE(r.err.find("/nonexistent/zone"), std::string::npos) << r.err;
}

TEST_F(CliDns, InvalidNameIsAnError) {
  RunResult r = run_cli({"dns", std::string(300, 'a') + ".test", "A", "--zone", zone_});
  EXPECT_EQ(r.status, 1) << r.out;
}

TEST(Cli, HelpListsVerbs) {
  RunResult r = run_cli({"--help"});
  EXPECT_EQ(r.status, 0);
  EXPECT_NE(r.out.find("dns"), std::string::npos);
  RunResult verb = run_cli({"dns", "--help"});
  EXPECT_EQ(verb.status, 0);
  EXPECT_NE(verb.out.find("usage: hallmark dns"), std::string::npos);
}

}  // namespace
}  // namespace hallmark::cli
