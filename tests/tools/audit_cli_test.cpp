// SPDX-License-Identifier: Apache-2.0
// `hallmark audit` as an operator runs it: offline from the demo's zone fixture (text report
// with the SPF tree and marks, the same content as JSON), --suggest, usage errors, and over
// the wire against a real DNS server (nsd on 127.0.0.1, through c-ares).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "cli_runner.hpp"
#include "support/nsd_server.hpp"

namespace hallmark::cli {
namespace {

const std::string demo_zone = HALLMARK_SOURCE_DIR "/examples/demo/demo.zone";

std::vector<std::string> codes(const nlohmann::json& findings) {
  std::vector<std::string> out;
  for (const nlohmann::json& finding : findings) out.push_back(finding["code"]);
  return out;
}

TEST(CliAudit, TextReportGroupsByProtocolAndDrawsTheSpfTree) {
  RunResult r = run_cli(
      {"audit", "example.com", "--selector", "demo", "--ip", "192.0.2.10", "--zone", demo_zone});
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_THAT(r.out, testing::HasSubstr("example.com  (worst: info)"));
  EXPECT_THAT(r.out, testing::HasSubstr("`- +include:_spf.example.net (0 lookups, 1 so far)"));
  EXPECT_THAT(r.out, testing::HasSubstr("total: 1 of 10 DNS-querying terms"));
  EXPECT_THAT(r.out, testing::HasSubstr("[ok]      SPF_IP_AUTHORISED 192.0.2.10"));
  EXPECT_THAT(r.out, testing::HasSubstr("selector demo: rsa 2048 bits"));
  EXPECT_THAT(r.out, testing::HasSubstr("DMARC_REPORT_AUTHORISED"));
  EXPECT_THAT(r.out, testing::HasSubstr("MX 10 mail.example.com"));
  // Not a terminal: no colour codes.
  EXPECT_EQ(r.out.find('\033'), std::string::npos);
}

TEST(CliAudit, JsonCarriesTheSameContent) {
  RunResult r = run_cli(
      {"audit", "example.com", "example.org", "--selector", "demo", "--zone", demo_zone, "--json"});
  ASSERT_EQ(r.status, 0) << r.err;
  std::istringstream lines(r.out);
  std::string line;
  std::vector<nlohmann::json> reports;
  while (std::getline(lines, line)) reports.push_back(nlohmann::json::parse(line));
  ASSERT_EQ(reports.size(), 2u) << "one JSON object per domain, in argument order";
  const nlohmann::json& com = reports[0];
  EXPECT_EQ(com["domain"], "example.com");
  EXPECT_EQ(com["worst"], "info");
  EXPECT_EQ(com["spf"]["total_lookups"], 1);
  EXPECT_EQ(com["spf"]["tree"]["children"][0]["domain"], "_spf.example.net");
  EXPECT_EQ(com["dkim"]["keys"][0]["bits"], 2048);
  EXPECT_EQ(com["dmarc"]["destinations"][0]["authorised"], true);
  EXPECT_EQ(com["dmarc"]["destinations"][0]["checked"], true);
  EXPECT_EQ(com["dmarc"]["policy"], "reject");
  EXPECT_EQ(com["dmarc"]["policy_tag"], "p");
  EXPECT_EQ(com["dkim"]["probed_selectors"], nlohmann::json::array({"demo"}));
  EXPECT_EQ(com["mail"]["mx"][0], "10 mail.example.com");
  EXPECT_THAT(codes(com["spf"]["findings"]), testing::Contains("SPF_LOOKUPS_OK"));
  // The parked domain: "v=spf1 -all" and p=reject, as RFC 7208 10.1.2 advises; no DKIM key.
  const nlohmann::json& org = reports[1];
  EXPECT_EQ(org["domain"], "example.org");
  EXPECT_THAT(codes(org["dkim"]["keys"][0]["findings"]), testing::Contains("DKIM_KEY_MISSING"));
}

TEST(CliAudit, EveryFindingOfTheFixturesThroughTheCli) {
  RunResult r = run_cli({"audit", "twelve.audit.test", "--zone",
                         HALLMARK_SOURCE_DIR "/tests/audit/zones/spf.zone", "--json"});
  ASSERT_EQ(r.status, 0) << r.err << " (findings are not failures)";
  nlohmann::json report = nlohmann::json::parse(r.out);
  EXPECT_EQ(report["worst"], "error");
  EXPECT_THAT(codes(report["spf"]["findings"]), testing::Contains("SPF_TOO_MANY_LOOKUPS"));
  EXPECT_EQ(report["spf"]["total_lookups"], 12);
}

TEST(CliAudit, SuggestPrintsStarterRecords) {
  RunResult r = run_cli({"audit", "--suggest", "example.org", "--rua", "reports@example.net"});
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(r.out,
            "example.org. IN TXT \"v=spf1 mx -all\"\n"
            "_dmarc.example.org. IN TXT \"v=DMARC1; p=none; rua=mailto:reports@example.net\"\n"
            "_smtp._tls.example.org. IN TXT \"v=TLSRPTv1; rua=mailto:reports@example.net\"\n");
}

TEST(CliAudit, UsageAndBadDomains) {
  EXPECT_EQ(run_cli({"audit"}).status, 2);
  EXPECT_EQ(run_cli({"audit", "example.com", "--ip", "not-an-ip", "--zone", demo_zone}).status, 2);
  RunResult bad = run_cli({"audit", "exa mple..com", "--zone", demo_zone});
  EXPECT_EQ(bad.status, 1);
  EXPECT_THAT(bad.err, testing::HasSubstr("is not a domain name"));
}

constexpr std::string_view served_zone = R"($ORIGIN audit.test.
$TTL 300
@        IN SOA ns.audit.test. hostmaster.audit.test. 1 3600 600 86400 60
@        IN NS  ns
ns       IN A   127.0.0.1
@        IN MX  10 mail
mail     IN A   192.0.2.25
@        IN TXT "v=spf1 a:mail.audit.test include:_spf.audit.test -all"
_spf     IN TXT "v=spf1 ip4:198.51.100.0/24 ptr -all"
_dmarc   IN TXT "v=DMARC1; p=none; psd=n; rua=mailto:reports@audit.test"
_smtp._tls IN TXT "v=TLSRPTv1; rua=mailto:tls@audit.test"
_mta-sts IN TXT "v=STSv1; id=20261203"
)";

TEST(CliAudit, OverTheWireAgainstARealServer) {
  auto server = test_support::NsdServer::start({{"audit.test", std::string(served_zone)}});
  if (!server) {
    if (std::getenv("CI") == nullptr) GTEST_SKIP() << server.error().message;
    FAIL() << server.error().message;
  }
  RunResult r = run_cli({"audit", "audit.test", "--ip", "192.0.2.25", "--selector", "mail",
                         "--server", (*server)->address(), "--json"});
  ASSERT_EQ(r.status, 0) << r.err;
  nlohmann::json report = nlohmann::json::parse(r.out);
  EXPECT_EQ(report["spf"]["total_lookups"], 3);  // a:, include:, and ptr below it
  EXPECT_THAT(codes(report["spf"]["findings"]), testing::Contains("SPF_PTR"));
  EXPECT_EQ(report["spf"]["ips"][0]["result"], "pass");
  EXPECT_THAT(codes(report["dmarc"]["findings"]), testing::Contains("DMARC_POLICY_NONE"));
  EXPECT_THAT(codes(report["dkim"]["keys"][0]["findings"]), testing::Contains("DKIM_KEY_MISSING"));
  EXPECT_THAT(codes(report["mail"]["findings"]), testing::Contains("MAIL_TLSRPT_OK"));
  EXPECT_THAT(codes(report["mail"]["findings"]), testing::Contains("MAIL_MTASTS_OK"));
  EXPECT_EQ(report["mail"]["mx"][0], "10 mail.audit.test");
}

}  // namespace
}  // namespace hallmark::cli
