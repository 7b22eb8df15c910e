// SPDX-License-Identifier: Apache-2.0
// `hallmark verify` as an operator runs it over the offline demo: the JSON fields the README
// documents for every demo message, several messages in argument order, standard input, the
// text output, and the exit status and message of each kind of error. Time is pinned with
// --now so no signature ages out.
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "cli_runner.hpp"
#include "support/demo_envelopes.hpp"

namespace hallmark::cli {
namespace {

using test_support::demo_path;
using test_support::DemoMessage;
using test_support::read_envelopes;
using test_support::read_file;

DemoMessage demo_message(std::string_view file) {
  std::optional<DemoMessage> found = test_support::demo_message(file);
  if (!found) ADD_FAILURE() << file << " is not in examples/demo/envelopes";
  return found.value_or(DemoMessage{});
}

// The flags examples/demo/run gives, time pinned, without the message arguments.
std::vector<std::string> verify_flags(const DemoMessage& m) {
  return {"verify",
          "--now",
          "1796000000",
          "--ip",
          m.ip,
          "--helo",
          m.helo,
          "--mail-from",
          m.mail_from == "<>" ? "" : m.mail_from,
          "--rcpt",
          m.rcpt,
          "--zone",
          demo_path("demo.zone"),
          "--authserv-id",
          "mx.example.org",
          "--allow-dmarc",
          demo_path("allow-dmarc"),
          "--allow-spf-dkim",
          demo_path("allow-spf-dkim"),
          "--trusted-arc",
          demo_path("trusted-arc")};
}

std::vector<std::string> with(std::vector<std::string> args, const std::vector<std::string>& more) {
  args.insert(args.end(), more.begin(), more.end());
  return args;
}

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

struct ExpectedDkim {
  std::string result, domain, selector;
};

struct ExpectedJson {
  std::string file;
  std::string spf, spf_mail_from;
  std::optional<std::string> spf_helo;
  std::vector<ExpectedDkim> dkim;
  std::string arc;
  std::string dmarc, dmarc_policy, dmarc_disposition;
  std::vector<std::pair<std::string, double>> tags;
  double score;
  std::string disposition;
  std::string override_reason;
};

// Every demo story as `verify --json` must report it.
const std::vector<ExpectedJson>& expected_demo() {
  static const std::vector<ExpectedJson> all = {
      {"signed.eml",
       "pass",
       "pass",
       "none",
       {{"pass", "example.com", "demo"}},
       "none",
       "pass",
       "reject",
       "none",
       {{"SPF_ALLOW", -0.2},
        {"DKIM_ALLOW", -0.2},
        {"ARC_NA", 0},
        {"DMARC_POLICY_ALLOW", -0.5},
        {"ALLOWLIST_DMARC", -7}},
       -7.9,
       "none",
       ""},
      {"forwarded.eml",
       "pass",
       "pass",
       "pass",
       {{"fail", "example.com", "demo"}},
       "pass",
       "fail",
       "reject",
       "reject",
       {{"SPF_ALLOW", -0.2},
        {"DKIM_REJECT", 1},
        {"ARC_ALLOW", -1},
        {"ARC_TRUSTED", -0.5},
        {"DMARC_POLICY_SOFTFAIL", 0.1}},
       -0.6,
       "none",
       "trusted_forwarder"},
      {"spoof.eml",
       "fail",
       "fail",
       "none",
       {},
       "none",
       "fail",
       "reject",
       "reject",
       {{"SPF_FAIL", 1},
        {"DKIM_NA", 0},
        {"ARC_NA", 0},
        {"DMARC_POLICY_REJECT", 2},
        {"BLOCKLIST_DMARC", 6}},
       9,
       "reject",
       ""},
      {"testing.eml",
       "softfail",
       "softfail",
       "none",
       {},
       "none",
       "fail",
       "reject",
       "quarantine",
       {{"SPF_SOFTFAIL", 0}, {"DKIM_NA", 0}, {"ARC_NA", 0}, {"DMARC_POLICY_QUARANTINE", 1.5}},
       1.5,
       "quarantine",
       ""},
      {"toomanylookups.eml",
       "permerror",
       "permerror",
       "none",
       {{"pass", "bigcorp.example", "mail"}},
       "none",
       "pass",
       "reject",
       "none",
       {{"SPF_PERMFAIL", 0}, {"DKIM_ALLOW", -0.2}, {"ARC_NA", 0}, {"DMARC_POLICY_ALLOW", -0.5}},
       -0.7,
       "none",
       ""},
      {"revoked.eml",
       "fail",
       "fail",
       "none",
       {{"permerror", "oldshop.example", "2019"}},
       "none",
       "fail",
       "quarantine",
       "quarantine",
       {{"SPF_FAIL", 1}, {"DKIM_PERMFAIL", 0}, {"ARC_NA", 0}, {"DMARC_POLICY_QUARANTINE", 1.5}},
       2.5,
       "quarantine",
       ""},
      {"allowlisted.eml",
       "fail",
       "fail",
       "none",
       {{"fail", "bank.example", "statements"}},
       "none",
       "fail",
       "reject",
       "reject",
       {{"SPF_FAIL", 1},
        {"DKIM_REJECT", 1},
        {"ARC_NA", 0},
        {"DMARC_POLICY_REJECT", 2},
        {"BLOCKLIST_DMARC", 6},
        {"BLOCKLIST_SPF_DKIM", 3}},
       13,
       "reject",
       ""},
  };
  return all;
}

void expect_json(const nlohmann::json& out, const ExpectedJson& e) {
  ASSERT_TRUE(out.is_object()) << out;
  EXPECT_EQ(out["spf"]["result"], e.spf);
  ASSERT_TRUE(out["spf"].contains("mail_from")) << out["spf"];
  EXPECT_EQ(out["spf"]["mail_from"]["result"], e.spf_mail_from);
  EXPECT_EQ(out["spf"]["mail_from"]["identity"], "mailfrom");
  EXPECT_EQ(out["spf"].contains("helo"), e.spf_helo.has_value());
  if (e.spf_helo && out["spf"].contains("helo")) {
    EXPECT_EQ(out["spf"]["helo"]["result"], *e.spf_helo);
    EXPECT_EQ(out["spf"]["helo"]["identity"], "helo");
  }

  ASSERT_TRUE(out["dkim"].is_array());
  ASSERT_EQ(out["dkim"].size(), e.dkim.size()) << out["dkim"];
  for (std::size_t i = 0; i < e.dkim.size(); ++i) {
    EXPECT_EQ(out["dkim"][i]["result"], e.dkim[i].result) << i;
    EXPECT_EQ(out["dkim"][i]["domain"], e.dkim[i].domain) << i;
    EXPECT_EQ(out["dkim"][i]["selector"], e.dkim[i].selector) << i;
  }

  EXPECT_EQ(out["arc"]["result"], e.arc);
  EXPECT_EQ(out["dmarc"]["result"], e.dmarc);
  EXPECT_EQ(out["dmarc"]["policy"], e.dmarc_policy);
  EXPECT_EQ(out["dmarc"]["disposition"], e.dmarc_disposition);

  ASSERT_TRUE(out["tags"].is_array());
  ASSERT_EQ(out["tags"].size(), e.tags.size()) << out["tags"];
  for (std::size_t i = 0; i < e.tags.size(); ++i) {
    EXPECT_EQ(out["tags"][i]["name"], e.tags[i].first) << i;
    ASSERT_TRUE(out["tags"][i]["score"].is_number()) << out["tags"][i];
    EXPECT_NEAR(out["tags"][i]["score"].get<double>(), e.tags[i].second, 1e-9) << i;
  }
  ASSERT_TRUE(out["score"].is_number());
  EXPECT_NEAR(out["score"].get<double>(), e.score, 1e-9);
  EXPECT_EQ(out["disposition"], e.disposition);
  EXPECT_EQ(out["override_reason"], e.override_reason);
  EXPECT_TRUE(out["policy_changes"].is_array());
  EXPECT_EQ(out["limits"], nlohmann::json::array());

  // The field on one line, as a program would log it.
  ASSERT_TRUE(out["authentication_results"].is_string());
  std::string field = out["authentication_results"];
  EXPECT_EQ(field.rfind("Authentication-Results: mx.example.org;", 0), 0u) << field;
  EXPECT_EQ(field.find_first_of("\r\n"), std::string::npos) << field;
  EXPECT_NE(field.find("dmarc=" + e.dmarc), std::string::npos) << field;

  EXPECT_FALSE(out.contains("iprev")) << "iprev without --iprev";
}

TEST(CliVerify, JsonOfEveryDemoMessage) {
  ASSERT_EQ(expected_demo().size(), read_envelopes().size()) << "a demo story has no case here";
  for (const ExpectedJson& e : expected_demo()) {
    SCOPED_TRACE(e.file);
    DemoMessage m = demo_message(e.file);
    RunResult r = run_cli(with(verify_flags(m), {"--json", demo_path(e.file)}));
    ASSERT_EQ(r.status, 0) << r.err;
    EXPECT_EQ(r.err, "");
    std::vector<std::string> lines = lines_of(r.out);
    ASSERT_EQ(lines.size(), 1u) << r.out;
    nlohmann::json out = nlohmann::json::parse(lines[0]);
    EXPECT_EQ(out["message"], demo_path(e.file));
    expect_json(out, e);
  }
}

TEST(CliVerify, JsonPolicyChangesNameRuleAndDomain) {
  DemoMessage m = demo_message("allowlisted.eml");
  RunResult r = run_cli(with(verify_flags(m), {"--json", demo_path(m.file)}));
  ASSERT_EQ(r.status, 0) << r.err;
  nlohmann::json out = nlohmann::json::parse(r.out);
  ASSERT_EQ(out["policy_changes"].size(), 3u) << out["policy_changes"];
  EXPECT_EQ(out["policy_changes"][0]["rule"], "allow_list_dmarc");
  EXPECT_EQ(out["policy_changes"][1]["rule"], "allow_list_spf_dkim");
  EXPECT_EQ(out["policy_changes"][2]["rule"], "allow_list_spf_dkim");
  for (const nlohmann::json& change : out["policy_changes"]) {
    EXPECT_EQ(change["domain"], "bank.example");
    EXPECT_FALSE(change["detail"].get<std::string>().empty());
  }
}

TEST(CliVerify, IprevOnlyWhenAskedFor) {
  DemoMessage m = demo_message("signed.eml");
  RunResult plain = run_cli(with(verify_flags(m), {"--json", demo_path(m.file)}));
  ASSERT_EQ(plain.status, 0) << plain.err;
  EXPECT_FALSE(nlohmann::json::parse(plain.out).contains("iprev"));

  // 192.0.2.10 has a PTR to mail.example.com, which resolves back to it.
  RunResult asked = run_cli(with(verify_flags(m), {"--iprev", "--json", demo_path(m.file)}));
  ASSERT_EQ(asked.status, 0) << asked.err;
  nlohmann::json out = nlohmann::json::parse(asked.out);
  ASSERT_TRUE(out.contains("iprev")) << out;
  EXPECT_EQ(out["iprev"]["result"], "pass");
  EXPECT_EQ(out["iprev"]["ip"], "192.0.2.10");
  EXPECT_EQ(out["iprev"]["confirmed_names"], nlohmann::json::array({"mail.example.com"}));
  bool tagged = false;
  for (const nlohmann::json& tag : out["tags"]) tagged = tagged || tag["name"] == "IPREV_ALLOW";
  EXPECT_TRUE(tagged) << out["tags"];
  std::string field = out["authentication_results"];
  EXPECT_NE(field.find("iprev=pass"), std::string::npos) << field;

  // A stranger's address has no PTR at all.
  DemoMessage spoof = demo_message("spoof.eml");
  RunResult failed =
      run_cli(with(verify_flags(spoof), {"--iprev", "--json", demo_path(spoof.file)}));
  ASSERT_EQ(failed.status, 0) << failed.err;
  EXPECT_EQ(nlohmann::json::parse(failed.out)["iprev"]["result"], "fail");
}

TEST(CliVerify, SeveralMessagesComeBackInArgumentOrder) {
  // One envelope for all of them: the list's, so forwarded.eml is the only one SPF passes for
  // by its own domain; what matters is one object per line, in order.
  DemoMessage m = demo_message("forwarded.eml");
  std::vector<std::string> files = {"testing.eml", "forwarded.eml", "spoof.eml", "signed.eml"};
  std::vector<std::string> args = with(verify_flags(m), {"--json"});
  for (const std::string& file : files) args.push_back(demo_path(file));
  RunResult r = run_cli(args);
  ASSERT_EQ(r.status, 0) << r.err;
  std::vector<std::string> lines = lines_of(r.out);
  ASSERT_EQ(lines.size(), files.size()) << r.out;
  for (std::size_t i = 0; i < files.size(); ++i) {
    nlohmann::json out = nlohmann::json::parse(lines[i]);
    EXPECT_EQ(out["message"], demo_path(files[i])) << i;
  }
  EXPECT_EQ(nlohmann::json::parse(lines[1])["override_reason"], "trusted_forwarder");
  EXPECT_EQ(nlohmann::json::parse(lines[2])["dmarc"]["author_domain"], "example.com");
  EXPECT_EQ(nlohmann::json::parse(lines[0])["dmarc"]["author_domain"], "newsletter.example");
}

TEST(CliVerify, DashReadsStandardInput) {
  DemoMessage m = demo_message("signed.eml");
  std::string text = read_file(demo_path(m.file));
  const ExpectedJson& expected = expected_demo().front();
  ASSERT_EQ(expected.file, "signed.eml");

  RunResult dash = run_cli(with(verify_flags(m), {"--json", "-"}), text);
  ASSERT_EQ(dash.status, 0) << dash.err;
  nlohmann::json out = nlohmann::json::parse(dash.out);
  EXPECT_EQ(out["message"], "standard input");
  expect_json(out, expected);

  // No MESSAGE argument reads standard input too.
  RunResult none = run_cli(with(verify_flags(m), {"--json"}), text);
  ASSERT_EQ(none.status, 0) << none.err;
  EXPECT_EQ(none.out, dash.out);

  // '-' among files keeps its place.
  RunResult mixed = run_cli(
      with(verify_flags(m), {"--json", demo_path("spoof.eml"), "-", demo_path("testing.eml")}),
      text);
  ASSERT_EQ(mixed.status, 0) << mixed.err;
  std::vector<std::string> lines = lines_of(mixed.out);
  ASSERT_EQ(lines.size(), 3u) << mixed.out;
  EXPECT_EQ(nlohmann::json::parse(lines[0])["message"], demo_path("spoof.eml"));
  EXPECT_EQ(nlohmann::json::parse(lines[1])["message"], "standard input");
  EXPECT_EQ(nlohmann::json::parse(lines[1])["dmarc"]["result"], "pass");
  EXPECT_EQ(nlohmann::json::parse(lines[2])["message"], demo_path("testing.eml"));
}

TEST(CliVerify, TextShowsFieldTagsAndDisposition) {
  DemoMessage m = demo_message("forwarded.eml");
  RunResult r = run_cli(with(verify_flags(m), {demo_path(m.file)}));
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_NE(r.out.find("\nAuthentication-Results: mx.example.org;\n spf=pass "), std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("\ntags: SPF_ALLOW (-0.2), DKIM_REJECT (+1), ARC_ALLOW (-1), "
                       "ARC_TRUSTED (-0.5), DMARC_POLICY_SOFTFAIL (+0.1)\n"),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("\nscore: -0.6\n"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("\ndisposition: none (overridden: trusted_forwarder)\n"), std::string::npos)
      << r.out;
  EXPECT_EQ(r.out.find('\r'), std::string::npos) << "the terminal gets LF line ends";

  DemoMessage spoof = demo_message("spoof.eml");
  RunResult rejected = run_cli(with(verify_flags(spoof), {demo_path(spoof.file)}));
  ASSERT_EQ(rejected.status, 0) << rejected.err;
  EXPECT_NE(rejected.out.find("\ndisposition: reject\n"), std::string::npos) << rejected.out;
  EXPECT_NE(rejected.out.find("BLOCKLIST_DMARC (+6)"), std::string::npos) << rejected.out;
  EXPECT_NE(rejected.out.find("dmarc=fail (p=reject dis=reject) header.from=example.com"),
            std::string::npos)
      << rejected.out;
}

TEST(CliVerify, TextOfSeveralMessagesNamesEach) {
  DemoMessage m = demo_message("signed.eml");
  RunResult r = run_cli(with(verify_flags(m), {demo_path("signed.eml"), demo_path("spoof.eml")}));
  ASSERT_EQ(r.status, 0) << r.err;
  std::size_t first = r.out.find("== " + demo_path("signed.eml") + "\n");
  std::size_t second = r.out.find("== " + demo_path("spoof.eml") + "\n");
  ASSERT_NE(first, std::string::npos) << r.out;
  ASSERT_NE(second, std::string::npos) << r.out;
  EXPECT_LT(first, second);
}

TEST(CliVerify, ScoresFileChangesTheScore) {
  std::string scores = write_temp_file("verify-scores", "# weights\nSPF_FAIL = 4.5\n");
  DemoMessage m = demo_message("spoof.eml");
  RunResult r = run_cli(with(verify_flags(m), {"--scores", scores, "--json", demo_path(m.file)}));
  ASSERT_EQ(r.status, 0) << r.err;
  nlohmann::json out = nlohmann::json::parse(r.out);
  EXPECT_EQ(out["tags"][0]["name"], "SPF_FAIL");
  EXPECT_NEAR(out["tags"][0]["score"].get<double>(), 4.5, 1e-9);
  EXPECT_NEAR(out["score"].get<double>(), 4.5 + 2 + 6, 1e-9);
}

TEST(CliVerify, UsageErrorsExitTwo) {
  DemoMessage m = demo_message("signed.eml");
  std::string zone = demo_path("demo.zone");
  std::string message = demo_path("signed.eml");
  struct {
    std::string why;
    std::vector<std::string> args;
    std::string_view says;
  } cases[] = {
      {"bad --ip", {"verify", "--ip", "192.0.2.300", "--zone", zone, message}, "--ip"},
      {"--ip not an address",
       {"verify", "--ip", "mail.example.com", "--zone", zone, message},
       "--ip"},
      {"--helo without --ip",
       {"verify", "--helo", "mail.example.com", "--zone", zone, message},
       "--ip"},
      {"--mail-from without --ip",
       {"verify", "--mail-from", "alice@example.com", "--zone", zone, message},
       "--ip"},
      {"two '-'", {"verify", "--ip", m.ip, "--mail-from", "<>", "--zone", zone, "-", "-"}, "'-'"},
      {"--ip without --mail-from", {"verify", "--ip", m.ip, "--zone", zone, message}, "'<>'"},
      {"unknown flag", {"verify", "--bogus", "--zone", zone, message}, "--bogus"},
      {"bad --now", {"verify", "--now", "yesterday", "--zone", zone, message}, "--now"},
  };
  for (const auto& c : cases) {
    RunResult r = run_cli(c.args, "From: a@example.com\r\n\r\nbody\r\n");
    EXPECT_EQ(r.status, 2) << c.why << ": " << r.err;
    EXPECT_NE(r.err.find(c.says), std::string::npos) << c.why << ": " << r.err;
    EXPECT_NE(r.err.find("usage: hallmark verify"), std::string::npos) << c.why << ": " << r.err;
    EXPECT_EQ(r.out, "") << c.why;
  }
}

TEST(CliVerify, UnreadableAllowListExitsOneNamingTheFile) {
  DemoMessage m = demo_message("signed.eml");
  std::string missing = "/nonexistent/hallmark/allow-dmarc";
  RunResult r = run_cli(with(verify_flags(m), {"--allow-dmarc", missing, demo_path(m.file)}));
  EXPECT_EQ(r.status, 1) << r.out;
  EXPECT_NE(r.err.find(missing), std::string::npos) << r.err;
  EXPECT_EQ(r.err.find('\n'), r.err.size() - 1) << "one line: " << r.err;
  EXPECT_EQ(r.out, "");

  // A directory cannot be read as a list either.
  RunResult dir = run_cli(with(
      verify_flags(m), {"--trusted-arc", std::string(HALLMARK_SOURCE_DIR), demo_path(m.file)}));
  EXPECT_EQ(dir.status, 1) << dir.out;
  EXPECT_NE(dir.err.find(HALLMARK_SOURCE_DIR), std::string::npos) << dir.err;
}

TEST(CliVerify, BadListEntryExitsOneNamingFileAndLine) {
  std::string list = write_temp_file("bad-allow-spf-dkim", "# ours\nexample.com\nnot a domain\n");
  DemoMessage m = demo_message("signed.eml");
  RunResult r = run_cli(with(verify_flags(m), {"--allow-spf-dkim", list, demo_path(m.file)}));
  EXPECT_EQ(r.status, 1) << r.out;
  EXPECT_NE(r.err.find(list), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("line 3"), std::string::npos) << r.err;
  EXPECT_EQ(r.err.find('\n'), r.err.size() - 1) << "one line: " << r.err;
}

TEST(CliVerify, BadScoresFileExitsOneNamingFileAndLine) {
  DemoMessage m = demo_message("signed.eml");
  struct {
    std::string why, text, line;
  } cases[] = {
      {"unknown tag", "SPF_FAIL = 1\n\nSPF_FIAL = 2\n", "line 3"},
      {"not a number", "# weights\nDKIM_ALLOW = cheap\n", "line 2"},
      {"no '='", "SPF_FAIL 1\n", "line 1"},
      {"given twice", "SPF_FAIL = 1\nARC_NA = 0\nSPF_FAIL = 2\n", "line 3"},
  };
  int serial = 0;
  for (const auto& c : cases) {
    std::string scores = write_temp_file("bad-scores-" + std::to_string(++serial), c.text);
    RunResult r = run_cli(with(verify_flags(m), {"--scores", scores, demo_path(m.file)}));
    EXPECT_EQ(r.status, 1) << c.why << ": " << r.out;
    EXPECT_NE(r.err.find(scores), std::string::npos) << c.why << ": " << r.err;
    EXPECT_NE(r.err.find(c.line), std::string::npos) << c.why << ": " << r.err;
    EXPECT_EQ(r.err.find('\n'), r.err.size() - 1) << c.why << ": one line: " << r.err;
    EXPECT_EQ(r.out, "") << c.why;
  }
  RunResult missing = run_cli(
      with(verify_flags(m), {"--scores", "/nonexistent/hallmark/scores", demo_path(m.file)}));
  EXPECT_EQ(missing.status, 1);
  EXPECT_NE(missing.err.find("/nonexistent/hallmark/scores"), std::string::npos) << missing.err;
}

TEST(CliVerify, UnknownVerbStillExitsTwo) {
  RunResult r = run_cli({"verfiy", demo_path("signed.eml")});
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.err.find("unknown command"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("verfiy"), std::string::npos) << r.err;
  // The overview that follows lists the verb meant.
  EXPECT_NE(r.err.find("verify"), std::string::npos) << r.err;
}

TEST(CliVerify, HelpDescribesTheVerb) {
  RunResult r = run_cli({"verify", "--help"});
  EXPECT_EQ(r.status, 0);
  EXPECT_NE(r.out.find("usage: hallmark verify"), std::string::npos) << r.out;
  for (std::string_view flag : {"--allow-dmarc", "--allow-spf-dkim", "--trusted-arc", "--scores",
                                "--iprev", "--json", "--now"})
    EXPECT_NE(r.out.find(flag), std::string::npos) << flag;
}

}  // namespace
}  // namespace hallmark::cli
