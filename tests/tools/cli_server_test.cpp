// SPDX-License-Identifier: Apache-2.0
// The CLI against a real DNS server (nsd on 127.0.0.1): `hallmark dns --server` prints the
// status names an operator sees, and `hallmark spf` and `hallmark verify` reach verdicts over
// the wire, c-ares and the cache underneath.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "cli_runner.hpp"
#include "support/nsd_server.hpp"

namespace hallmark::cli {
namespace {

constexpr std::string_view served_zone = R"($ORIGIN cli.test.
$TTL 300
@     IN SOA ns.cli.test. hostmaster.cli.test. 1 3600 600 86400 60
@     IN NS  ns
ns    IN A   127.0.0.1
@     IN MX  10 mail
@     IN TXT "v=spf1 a:mail.cli.test -all"
mail  IN A   192.0.2.25
_dmarc IN TXT "v=DMARC1; p=reject; psd=n"
)";
// psd=n: cli.test is an organizational domain (RFC 9989 4.10), so the tree walk stops there
// instead of asking this server for _dmarc.test, which it would refuse.

class CliAgainstNsd : public testing::Test {
 protected:
  static void SetUpTestSuite() {
    auto server = test_support::NsdServer::start(
        {{"cli.test", std::string(served_zone)}, {"broken.test", "this is not a zone\n"}});
    if (!server) {
      if (std::getenv("CI") == nullptr) GTEST_SKIP() << server.error().message;
      FAIL() << server.error().message;
    }
    server_ = std::move(*server).release();
  }
  static void TearDownTestSuite() {
    delete server_;
    server_ = nullptr;
  }
  void SetUp() override {
    if (server_ == nullptr) GTEST_SKIP() << "no nsd";
  }
  static nlohmann::json dns(std::string name, std::string type) {
    RunResult r = run_cli({"dns", std::move(name), std::move(type), "--server", server_->address(),
                           "--timeout", "2000", "--json"});
    EXPECT_EQ(r.status, 0) << r.err;
    return r.status == 0 ? nlohmann::json::parse(r.out) : nlohmann::json{};
  }
  static test_support::NsdServer* server_;
};

test_support::NsdServer* CliAgainstNsd::server_ = nullptr;

TEST_F(CliAgainstNsd, PrintsEachStatusName) {
  EXPECT_EQ(dns("cli.test", "MX")["status"], "noerror");
  EXPECT_EQ(dns("nothing.cli.test", "A")["status"], "nxdomain");
  EXPECT_EQ(dns("mail.cli.test", "TXT")["status"], "nodata");
  EXPECT_EQ(dns("www.broken.test", "A")["status"], "servfail");
  EXPECT_EQ(dns("elsewhere.example", "A")["status"], "refused");
  nlohmann::json mx = dns("cli.test", "MX");
  EXPECT_EQ(mx["records"], nlohmann::json::array({"10 mail.cli.test."}));
  EXPECT_EQ(dns("nothing.cli.test", "A")["ttl"], 60);  // SOA minimum (RFC 2308 5)
}

TEST_F(CliAgainstNsd, SpfOverTheWire) {
  RunResult r = run_cli({"spf", "--ip", "192.0.2.25", "--helo", "mail.cli.test", "--mail-from",
                         "user@cli.test", "--server", server_->address(), "--json"});
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(nlohmann::json::parse(r.out)["result"], "pass");
}

TEST_F(CliAgainstNsd, VerifyOverTheWire) {
  std::string message = write_temp_file(
      "wire.eml", "From: user@cli.test\r\nTo: a@example.net\r\nSubject: hi\r\n\r\nHello.\r\n");
  std::string stranger = write_temp_file(
      "stranger.eml", "From: user@elsewhere.example\r\nSubject: hi\r\n\r\nHello.\r\n");
  RunResult r =
      run_cli({"verify", "--ip", "192.0.2.25", "--helo", "mail.cli.test", "--mail-from",
               "user@cli.test", "--server", server_->address(), "--json", message, stranger});
  ASSERT_EQ(r.status, 0) << r.err;
  std::size_t newline = r.out.find('\n');
  ASSERT_NE(newline, std::string::npos);
  nlohmann::json first = nlohmann::json::parse(r.out.substr(0, newline));
  nlohmann::json second = nlohmann::json::parse(r.out.substr(newline + 1));
  EXPECT_EQ(first["spf"]["result"], "pass");
  EXPECT_EQ(first["dmarc"]["result"], "pass");  // aligned through SPF
  EXPECT_EQ(first["disposition"], "none");
  // The server refuses the stranger's zone: a temporary failure, never a pass.
  EXPECT_EQ(second["dmarc"]["result"], "temperror");
}

}  // namespace
}  // namespace hallmark::cli
