// SPDX-License-Identifier: Apache-2.0
// hallmark-milter's configuration file: defaults, every kind of value, and the errors an
// operator sees (file and line named).
#include <gtest/gtest.h>

#include "config.hpp"

namespace hallmark::milter {
namespace {

TEST(MilterConfig, EmptyFileGivesTheDocumentedDefaults) {
  core::Expected<Config> config = parse_config("# nothing set\n", "milter.conf");
  ASSERT_TRUE(config) << config.error().message;
  EXPECT_EQ(config->socket, "unix:/run/hallmark-milter/milter.sock");
  EXPECT_FALSE(config->reject_dmarc);
  EXPECT_EQ(config->quarantine, QuarantineAction::none);
  EXPECT_EQ(config->temporary_failure, TemporaryFailureAction::accept);
  EXPECT_TRUE(config->skip_authenticated);
  ASSERT_EQ(config->skip_networks.size(), 2u);
  EXPECT_TRUE(config->skip_networks[0].contains(*core::IpAddress::parse("127.0.0.2")));
  EXPECT_TRUE(config->skip_networks[1].contains(*core::IpAddress::parse("::1")));
  EXPECT_EQ(config->log, LogTarget::syslog);
  EXPECT_FALSE(config->sealing());
}

TEST(MilterConfig, ReadsEveryKind) {
  core::Expected<Config> config = parse_config(
      "socket = inet:8893@127.0.0.1\n"
      "authserv_id = mx.example.org   # our name\n"
      "zone = a.zone b.zone\n"
      "zone = c.zone\n"
      "deadline_ms = 8000\n"
      "iprev = yes\n"
      "check_helo = off\n"
      "score_header = X-Hallmark-Score\n"
      "reject_dmarc = true\n"
      "quarantine = header\n"
      "temporary_failure = tempfail\n"
      "skip_networks = 10.0.0.0/8, 2001:db8::/32\n"
      "skip_authenticated = no\n"
      "arc_seal_key = /etc/hallmark/arc.key\n"
      "arc_seal_domain = example.org\n"
      "arc_seal_selector = arc\n"
      "log = stderr\n"
      "syslog_facility = local3\n",
      "milter.conf");
  ASSERT_TRUE(config) << config.error().message;
  EXPECT_EQ(config->socket, "inet:8893@127.0.0.1");
  EXPECT_EQ(config->authserv_id, "mx.example.org");
  EXPECT_EQ(config->zone_files, (std::vector<std::string>{"a.zone", "b.zone", "c.zone"}));
  EXPECT_EQ(config->deadline, std::chrono::milliseconds(8000));
  EXPECT_TRUE(config->iprev);
  EXPECT_FALSE(config->check_helo);
  EXPECT_EQ(config->score_header, "X-Hallmark-Score");
  EXPECT_TRUE(config->reject_dmarc);
  EXPECT_EQ(config->quarantine, QuarantineAction::header);
  EXPECT_EQ(config->temporary_failure, TemporaryFailureAction::tempfail);
  ASSERT_EQ(config->skip_networks.size(), 2u);
  EXPECT_FALSE(config->skip_networks[0].contains(*core::IpAddress::parse("127.0.0.1")));
  EXPECT_FALSE(config->skip_authenticated);
  EXPECT_TRUE(config->sealing());
  EXPECT_EQ(config->log, LogTarget::stderr_stream);
  EXPECT_EQ(config->syslog_facility, "local3");
}

TEST(MilterConfig, SkipNetworksNoneChecksEveryClient) {
  core::Expected<Config> config = parse_config("skip_networks = none\n", "c");
  ASSERT_TRUE(config);
  EXPECT_TRUE(config->skip_networks.empty());
}

struct BadConfig {
  const char* text;
  const char* message;
};

class MilterConfigError : public testing::TestWithParam<BadConfig> {};

TEST_P(MilterConfigError, NamesFileLineAndProblem) {
  core::Expected<Config> config = parse_config(GetParam().text, "milter.conf");
  ASSERT_FALSE(config);
  EXPECT_NE(config.error().message.find(GetParam().message), std::string::npos)
      << config.error().message;
}

INSTANTIATE_TEST_SUITE_P(
    Cases, MilterConfigError,
    testing::Values(BadConfig{"\nreject = yes\n", "milter.conf:2: unknown key 'reject'"},
                    BadConfig{"iprev\n", "milter.conf:1: want 'key = value'"},
                    BadConfig{"iprev = maybe\n", "milter.conf:1: iprev: want yes or no"},
                    BadConfig{"iprev = yes\niprev = no\n", "milter.conf:2: 'iprev' is given twice"},
                    BadConfig{"socket = tcp:25\n", "want unix:/PATH, inet:PORT@HOST"},
                    BadConfig{"socket = inet:99999@localhost\n", "port 1-65535"},
                    BadConfig{"socket = unix:relative.sock\n", "absolute path"},
                    BadConfig{"deadline_ms = 0\n", "want milliseconds"},
                    BadConfig{"deadline_ms = 5s\n", "want milliseconds"},
                    BadConfig{"quarantine = junk\n", "want none, milter or header"},
                    BadConfig{"temporary_failure = defer\n", "want accept or tempfail"},
                    BadConfig{"score_header = X Score\n", "not a header field name"},
                    BadConfig{"skip_networks = 10.0.0.0/33\n", "skip_networks: '10.0.0.0/33'"},
                    BadConfig{"syslog_facility = kern\n", "want mail, daemon"},
                    BadConfig{"arc_seal_key = /k\n", "arc_seal_key needs arc_seal_domain"},
                    BadConfig{"zone = a.zone\ndns_server = 127.0.0.1\n", "cannot be combined"},
                    BadConfig{"authserv_id = \x01\x02 = \xff\n", "milter.conf:1:"}));

TEST(MilterConfig, AnUnreadableFileIsAnIoError) {
  core::Expected<Config> config = load_config("/nonexistent/milter.conf");
  ASSERT_FALSE(config);
  EXPECT_EQ(config.error().code, core::Errc::io);
  EXPECT_NE(config.error().message.find("/nonexistent/milter.conf"), std::string::npos);
}

TEST(MilterConfig, TheShippedExampleLoads) {
  core::Expected<Config> config =
      load_config(HALLMARK_SOURCE_DIR "/tools/hallmark-milter/hallmark-milter.conf");
  ASSERT_TRUE(config) << config.error().message;
  EXPECT_EQ(config->socket, "unix:/run/hallmark-milter/milter.sock");
}

}  // namespace
}  // namespace hallmark::milter
