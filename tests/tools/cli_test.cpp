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
      {"mail.example.test", "A", "noerror"},    {"nope.example.test", "A", "nxdomain"},
      {"mail.example.test", "MX", "nodata"},    {"slow.example.test", "TXT", "timeout"},
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

namespace hallmark::cli {
namespace {

constexpr std::string_view spf_zone = R"(
$ORIGIN example.test.
@        TXT "v=spf1 ip4:192.0.2.0/24 include:_spf.example.test -all exp=why.example.test"
_spf     TXT "v=spf1 ip6:2001:db8::/32 ~all"
why      TXT "%{i} is not allowed to send for %{d}"
helo     TXT "v=spf1 a -all"
helo     A   198.51.100.1
)";

TEST(CliSpf, JsonReportsResultCountsAndTrace) {
  std::string zone = write_temp_file("spf.zone", spf_zone);
  RunResult r = run_cli({"spf", "--ip", "2001:db8::5", "--helo", "helo.example.test", "--mail-from",
                         "user@example.test", "--zone", zone, "--json"});
  ASSERT_EQ(r.status, 0) << r.err;
  nlohmann::json out = nlohmann::json::parse(r.out);
  EXPECT_EQ(out["result"], "pass");
  EXPECT_EQ(out["dns_lookups"], 1);
  EXPECT_EQ(out["void_lookups"], 0);
  ASSERT_TRUE(out["trace"].is_array());
  EXPECT_EQ(out["trace"].back()["term"], "+include:_spf.example.test");
  EXPECT_FALSE(out.contains("explanation"));
}

TEST(CliSpf, FailCarriesTheExplanation) {
  std::string zone = write_temp_file("spf.zone", spf_zone);
  RunResult r = run_cli({"spf", "--ip", "203.0.113.5", "--helo", "helo.example.test", "--mail-from",
                         "user@example.test", "--zone", zone, "--json"});
  ASSERT_EQ(r.status, 0) << r.err;
  nlohmann::json out = nlohmann::json::parse(r.out);
  EXPECT_EQ(out["result"], "fail");
  EXPECT_EQ(out["explanation"], "203.0.113.5 is not allowed to send for example.test");
  RunResult text = run_cli({"spf", "--ip", "203.0.113.5", "--helo", "helo.example.test",
                            "--mail-from", "user@example.test", "--zone", zone});
  EXPECT_NE(text.out.find("spf: fail"), std::string::npos) << text.out;
  EXPECT_NE(text.out.find("Received-SPF: fail"), std::string::npos) << text.out;
}

TEST(CliSpf, EmptyMailFromChecksTheHelo) {
  std::string zone = write_temp_file("spf.zone", spf_zone);
  RunResult r = run_cli({"spf", "--ip", "198.51.100.1", "--helo", "helo.example.test",
                         "--mail-from", "", "--zone", zone, "--json"});
  ASSERT_EQ(r.status, 0) << r.err;
  nlohmann::json out = nlohmann::json::parse(r.out);
  EXPECT_EQ(out["result"], "pass");
  EXPECT_EQ(out["identity"], "helo");
  EXPECT_EQ(out["sender"], "postmaster@helo.example.test");
}

TEST(CliSpf, TimeoutIsTemperror) {
  std::string zone = write_temp_file("slow.zone", "slow.example.test. TIMEOUT\n");
  RunResult r = run_cli({"spf", "--ip", "192.0.2.1", "--helo", "h.example.test", "--mail-from",
                         "a@slow.example.test", "--zone", zone, "--json"});
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(nlohmann::json::parse(r.out)["result"], "temperror");
}

TEST(CliSpf, UsageErrors) {
  EXPECT_EQ(run_cli({"spf", "--helo", "h.example", "--mail-from", "a@b.example"}).status, 2);
  EXPECT_EQ(run_cli({"spf", "--ip", "1.2.3", "--mail-from", "a@b.example"}).status, 2);
  EXPECT_EQ(run_cli({"spf", "--ip", "192.0.2.1"}).status, 2);
  EXPECT_EQ(run_cli({"spf", "--ip", "192.0.2.1", "--mail-from", ""}).status, 2);
}

}  // namespace
}  // namespace hallmark::cli

namespace hallmark::cli {
namespace {

constexpr std::string_view dmarc_zone = R"(
_dmarc.example.test. TXT "v=DMARC1; p=reject; sp=quarantine; t=n"
mail.example.test.   A   192.0.2.1
)";

TEST(CliDmarc, JsonReportsPolicyAndDisposition) {
  std::string zone = write_temp_file("dmarc.zone", dmarc_zone);
  RunResult pass =
      run_cli({"dmarc", "--from", "example.test", "--spf-domain", "bounce.example.test",
               "--spf-result", "pass", "--zone", zone, "--json"});
  ASSERT_EQ(pass.status, 0) << pass.err;
  nlohmann::json out = nlohmann::json::parse(pass.out);
  EXPECT_EQ(out["result"], "pass");
  EXPECT_EQ(out["policy"], "reject");
  EXPECT_EQ(out["disposition"], "none");
  EXPECT_EQ(out["record_domain"], "example.test");
  EXPECT_EQ(out["organizational_domain"], "example.test");

  RunResult fail = run_cli({"dmarc", "--from", "mail.example.test", "--dkim-domain", "other.test",
                            "--zone", zone, "--json"});
  ASSERT_EQ(fail.status, 0) << fail.err;
  out = nlohmann::json::parse(fail.out);
  EXPECT_EQ(out["result"], "fail");
  EXPECT_EQ(out["policy"], "quarantine");
  EXPECT_EQ(out["disposition"], "quarantine");
}

// Every verb that prints Authentication-Results names the service it speaks for.
TEST(CliAuthResults, AuthservIdNamesThisHost) {
  std::string spf = write_temp_file("spf.zone", spf_zone);
  RunResult s = run_cli({"spf", "--ip", "203.0.113.5", "--helo", "helo.example.test", "--mail-from",
                         "user@example.test", "--zone", spf, "--authserv-id", "mx.example.org"});
  ASSERT_EQ(s.status, 0) << s.err;
  EXPECT_NE(s.out.find("Authentication-Results: mx.example.org;\n spf=fail "), std::string::npos)
      << s.out;
  std::string dmarc = write_temp_file("dmarc.zone", dmarc_zone);
  RunResult d = run_cli(
      {"dmarc", "--from", "example.test", "--zone", dmarc, "--authserv-id", "mx.example.org"});
  ASSERT_EQ(d.status, 0) << d.err;
  EXPECT_NE(d.out.find("Authentication-Results: mx.example.org;\n dmarc=fail (p=reject "
                       "dis=reject) header.from=example.test policy.dmarc=reject"),
            std::string::npos)
      << d.out;
  // Without the flag: the host name, never an empty authserv-id.
  RunResult unnamed = run_cli({"dmarc", "--from", "example.test", "--zone", dmarc});
  EXPECT_EQ(unnamed.out.find("Authentication-Results: ;"), std::string::npos) << unnamed.out;
  EXPECT_NE(unnamed.out.find("Authentication-Results: "), std::string::npos) << unnamed.out;
}

TEST(CliDmarc, NoRecordIsNoneAndTimeoutIsTemperror) {
  std::string zone = write_temp_file("dmarc2.zone", "_dmarc.slow.test. TIMEOUT\n");
  RunResult none = run_cli({"dmarc", "--from", "quiet.test", "--zone", zone, "--json"});
  EXPECT_EQ(nlohmann::json::parse(none.out)["result"], "none");
  RunResult slow = run_cli({"dmarc", "--from", "slow.test", "--zone", zone, "--json"});
  EXPECT_EQ(nlohmann::json::parse(slow.out)["result"], "temperror");
}

TEST(CliDmarc, UsageErrors) {
  EXPECT_EQ(run_cli({"dmarc"}).status, 2);
  EXPECT_EQ(run_cli({"dmarc", "--from", "a.test", "--spf-result", "maybe"}).status, 2);
  EXPECT_EQ(run_cli({"dmarc", "--from", "a.test", "--spf-result", "pass"}).status, 2);
}

}  // namespace
}  // namespace hallmark::cli
