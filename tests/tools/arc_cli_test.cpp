// SPDX-License-Identifier: Apache-2.0
// The ARC verbs of the hallmark CLI as an operator runs them: keygen for each forwarder,
// arc-seal at every hop, arc-verify at the end, against zone fixtures holding the records.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "cli_runner.hpp"

namespace hallmark::cli {
namespace {

constexpr std::string_view message_text =
    "From: Alice <alice@example.test>\r\n"
    "To: list@lists.example.org\r\n"
    "Subject: lunch\r\n"
    "Date: Tue, 24 Nov 2026 10:00:00 +0000\r\n"
    "Message-ID: <1@example.test>\r\n"
    "\r\n"
    "Shall we meet at noon?\r\n";

constexpr std::string_view some_results = "spf=pass smtp.mailfrom=alice@example.test";

// A sealer: its domain and selector, its key made by `hallmark keygen`, and the zone line to
// publish.
struct Sealer {
  std::string domain, selector, key_file, zone_line;
};

Sealer make_sealer(const std::string& domain, const std::string& selector = "arc") {
  static int serial = 0;
  std::string key_file = write_temp_file("unused-" + std::to_string(++serial), "");
  std::filesystem::remove(key_file);  // keygen --out never overwrites
  RunResult r = run_cli({"keygen", "--type", "rsa", "--bits", "1024", "--domain", domain,
                         "--selector", selector, "--out", key_file});
  EXPECT_EQ(r.status, 0) << r.err;
  return {domain, selector, key_file, r.out};
}

std::string zone_of(const std::vector<const Sealer*>& sealers, std::string_view extra = {}) {
  std::string text(extra);
  for (const Sealer* sealer : sealers) text += sealer->zone_line;
  return write_temp_file("sealers.zone", text);
}

RunResult seal(const Sealer& sealer, const std::string& zone, std::string_view message,
               std::vector<std::string> extra = {}) {
  std::vector<std::string> args = {"arc-seal",
                                   "--key",
                                   sealer.key_file,
                                   "--domain",
                                   sealer.domain,
                                   "--selector",
                                   sealer.selector,
                                   "--authserv-id",
                                   "mx." + sealer.domain,
                                   "--zone",
                                   zone};
  if (std::find(extra.begin(), extra.end(), "--ip") == extra.end())
    args.insert(args.end(), {"--auth-results", std::string(some_results)});
  args.insert(args.end(), extra.begin(), extra.end());
  args.push_back(write_temp_file("to-seal", message));
  return run_cli(args);
}

nlohmann::json verify_json(const std::string& zone, std::string_view message) {
  RunResult r =
      run_cli({"arc-verify", "--zone", zone, "--json", write_temp_file("to-verify", message)});
  EXPECT_EQ(r.status, 0) << r.err;
  return nlohmann::json::parse(r.out);
}

// The method result of an AAR in the JSON report, or null.
nlohmann::json aar_method(const nlohmann::json& set, std::string_view method) {
  if (!set.contains("aar") || !set["aar"].is_object()) return nullptr;
  for (const nlohmann::json& m : set["aar"]["methods"])
    if (m["method"] == method) return m;
  return nullptr;
}

TEST(CliArc, SealedMessageVerifies) {
  Sealer list = make_sealer("lists.example.org");
  std::string zone = zone_of({&list});
  RunResult sealed = seal(list, zone, message_text, {"--timestamp", "1795639015"});
  ASSERT_EQ(sealed.status, 0) << sealed.err;
  EXPECT_TRUE(sealed.err.empty()) << sealed.err;
  ASSERT_TRUE(sealed.out.starts_with("ARC-Seal: ")) << sealed.out;
  EXPECT_TRUE(sealed.out.ends_with(message_text)) << "the message follows unchanged";
  EXPECT_NE(sealed.out.find("t=1795639015"), std::string::npos) << sealed.out;

  nlohmann::json out = verify_json(zone, sealed.out);
  EXPECT_EQ(out["result"], "pass") << out;
  EXPECT_EQ(out["reason"], "ok");
  EXPECT_EQ(out["failed_instance"], 0);
  EXPECT_EQ(out["oldest_pass"], 0) << "the JSON report always has it";
  EXPECT_EQ(out["sealers"], nlohmann::json::array({"lists.example.org"}));
  ASSERT_EQ(out["sets"].size(), 1u) << out;
  const nlohmann::json& set = out["sets"][0];
  EXPECT_EQ(set["instance"], 1);
  EXPECT_EQ(set["cv"], "none");
  EXPECT_EQ(set["seal_domain"], "lists.example.org");
  EXPECT_EQ(set["seal_selector"], "arc");
  EXPECT_EQ(set["seal_result"], "pass");
  EXPECT_EQ(set["ams_domain"], "lists.example.org");
  EXPECT_EQ(set["ams_result"], "pass");
  EXPECT_EQ(set["aar"]["authserv_id"], "mx.lists.example.org") << set;
  nlohmann::json spf = aar_method(set, "spf");
  ASSERT_FALSE(spf.is_null()) << set;
  EXPECT_EQ(spf["result"], "pass");
  EXPECT_EQ(spf["properties"]["smtp.mailfrom"], "alice@example.test");
  EXPECT_EQ(aar_method(set, "arc")["result"], "none") << "the sealer adds its arc= result";
  EXPECT_NE(set["aar_text"].get<std::string>().find("mx.lists.example.org"), std::string::npos);
}

TEST(CliArc, TextOutputGivesTheVerdictTheSetsAndTheField) {
  Sealer list = make_sealer("lists.example.org");
  std::string zone = zone_of({&list});
  RunResult sealed = seal(list, zone, message_text);
  ASSERT_EQ(sealed.status, 0) << sealed.err;
  RunResult text = run_cli({"arc-verify", "--zone", zone, "--authserv-id", "mx.example.net",
                            write_temp_file("sealed", sealed.out)});
  EXPECT_EQ(text.status, 0) << text.err;
  EXPECT_TRUE(
      text.out.starts_with("arc: pass (ok)\n"
                           "i=1 cv=none seal=d=lists.example.org s=arc pass "
                           "ams=d=lists.example.org s=arc pass\n"
                           "Authentication-Results: mx.example.net;\n arc=pass"))
      << text.out;
  EXPECT_EQ(text.out.find("oldest-pass"), std::string::npos) << "only when asked";

  RunResult oldest = run_cli({"arc-verify", "--zone", zone, "--oldest-pass", "--authserv-id",
                              "mx.example.net", write_temp_file("sealed", sealed.out)});
  EXPECT_EQ(oldest.status, 0) << oldest.err;
  EXPECT_NE(oldest.out.find("oldest-pass: 0\n"), std::string::npos) << oldest.out;
  EXPECT_NE(oldest.out.find("header.oldest-pass=0"), std::string::npos) << oldest.out;
}

TEST(CliArc, TwoHopsMakeAChainOfTwoSets) {
  Sealer list = make_sealer("lists.example.org");
  Sealer relay = make_sealer("relay.example.net");
  std::string zone = zone_of({&list, &relay});
  RunResult first = seal(list, zone, message_text);
  ASSERT_EQ(first.status, 0) << first.err;
  RunResult second = seal(relay, zone, first.out);
  ASSERT_EQ(second.status, 0) << second.err;
  EXPECT_TRUE(second.out.ends_with(first.out));

  nlohmann::json out = verify_json(zone, second.out);
  EXPECT_EQ(out["result"], "pass") << out;
  EXPECT_EQ(out["sealers"], nlohmann::json::array({"lists.example.org", "relay.example.net"}));
  ASSERT_EQ(out["sets"].size(), 2u) << out;
  EXPECT_EQ(out["sets"][0]["cv"], "none");
  EXPECT_EQ(out["sets"][1]["cv"], "pass");
  EXPECT_EQ(out["sets"][1]["seal_domain"], "relay.example.net");
  for (const nlohmann::json& set : out["sets"]) EXPECT_EQ(set["seal_result"], "pass") << set;
  EXPECT_EQ(aar_method(out["sets"][1], "arc")["result"], "pass")
      << "the second hop recorded the first one's chain";
}

TEST(CliArc, AlteredBodyFailsAtTheNewestSet) {
  Sealer list = make_sealer("lists.example.org");
  Sealer relay = make_sealer("relay.example.net");
  std::string zone = zone_of({&list, &relay});
  RunResult first = seal(list, zone, message_text);
  ASSERT_EQ(first.status, 0) << first.err;
  RunResult second = seal(relay, zone, first.out);
  ASSERT_EQ(second.status, 0) << second.err;

  for (std::string message : {first.out, second.out}) {
    message.replace(message.find("noon"), 4, "one!");
    nlohmann::json out = verify_json(zone, message);
    EXPECT_EQ(out["result"], "fail") << out;
    EXPECT_EQ(out["reason"], "ams_invalid");
    EXPECT_EQ(out["failed_instance"], out["sets"].size()) << out;
    EXPECT_FALSE(out["detail"].get<std::string>().empty()) << out;
    EXPECT_TRUE(out["sealers"].empty()) << "a failed chain vouches for nobody";
    EXPECT_TRUE(out["oldest_pass"].is_null()) << out;
  }
}

TEST(CliArc, ChainThatFailedIsSealedOnceWithCvFailThenLeftAlone) {
  Sealer list = make_sealer("lists.example.org");
  Sealer relay = make_sealer("relay.example.net");
  std::string zone = zone_of({&list, &relay});
  RunResult first = seal(list, zone, message_text);
  ASSERT_EQ(first.status, 0) << first.err;
  std::string broken = first.out;
  broken.replace(broken.find("noon"), 4, "one!");

  // RFC 8617 5.1.2: the hop that finds the chain broken seals it with cv=fail.
  RunResult marked = seal(relay, zone, broken);
  ASSERT_EQ(marked.status, 0) << marked.err;
  ASSERT_TRUE(marked.out.ends_with(broken));
  EXPECT_NE(marked.out.substr(0, marked.out.size() - broken.size()).find("cv=fail"),
            std::string::npos)
      << marked.out;
  nlohmann::json out = verify_json(zone, marked.out);
  EXPECT_EQ(out["result"], "fail") << out;
  EXPECT_EQ(out["reason"], "newest_cv_fail");

  // RFC 8617 5.1 step 2: after that nobody seals it again.
  RunResult again = seal(list, zone, marked.out);
  EXPECT_EQ(again.status, 0) << again.err;
  EXPECT_EQ(again.out, marked.out) << "written unchanged";
  EXPECT_TRUE(again.err.starts_with("hallmark arc-seal: not sealed: ")) << again.err;
}

TEST(CliArc, UnsealedMessageIsNone) {
  Sealer list = make_sealer("lists.example.org");
  std::string zone = zone_of({&list});
  nlohmann::json out = verify_json(zone, message_text);
  EXPECT_EQ(out["result"], "none") << out;
  EXPECT_EQ(out["failed_instance"], 0);
  EXPECT_TRUE(out["sets"].empty());
  EXPECT_TRUE(out["sealers"].empty());

  RunResult text = run_cli({"arc-verify", "--zone", zone, "--authserv-id", "mx",
                            write_temp_file("plain", message_text)});
  EXPECT_EQ(text.status, 0) << text.err;
  EXPECT_TRUE(text.out.starts_with("arc: none (ok)\nAuthentication-Results: mx;\n arc=none"))
      << text.out;
}

TEST(CliArc, ComputesResultsFromTheEnvelope) {
  // The author's domain publishes SPF and a DKIM key; the list seals what it found.
  std::string author_key = write_temp_file("author-unused", "");
  std::filesystem::remove(author_key);
  RunResult author = run_cli({"keygen", "--type", "ed25519", "--domain", "example.test",
                              "--selector", "sel", "--out", author_key});
  ASSERT_EQ(author.status, 0) << author.err;
  Sealer list = make_sealer("lists.example.org");
  std::string zone =
      zone_of({&list}, author.out + "example.test. IN TXT \"v=spf1 ip4:192.0.2.1 -all\"\n" +
                           "_dmarc.example.test. IN TXT \"v=DMARC1; p=reject\"\n");

  RunResult signed_message =
      run_cli({"dkim-sign", "--key", author_key, "--domain", "example.test", "--selector", "sel",
               write_temp_file("to-sign", message_text)});
  ASSERT_EQ(signed_message.status, 0) << signed_message.err;
  RunResult sealed = seal(
      list, zone, signed_message.out,
      {"--ip", "192.0.2.1", "--helo", "mail.example.test", "--mail-from", "alice@example.test"});
  ASSERT_EQ(sealed.status, 0) << sealed.err;

  nlohmann::json out = verify_json(zone, sealed.out);
  EXPECT_EQ(out["result"], "pass") << out;
  ASSERT_EQ(out["sets"].size(), 1u) << out;
  const nlohmann::json& set = out["sets"][0];
  EXPECT_EQ(aar_method(set, "spf")["result"], "pass") << set;
  EXPECT_EQ(aar_method(set, "spf")["properties"]["smtp.mailfrom"], "alice@example.test");
  EXPECT_EQ(aar_method(set, "dkim")["result"], "pass") << set;
  EXPECT_EQ(aar_method(set, "dkim")["properties"]["header.d"], "example.test");
  EXPECT_EQ(aar_method(set, "dmarc")["result"], "pass") << set;
  EXPECT_EQ(aar_method(set, "arc")["result"], "none") << set;

  // A stranger's address fails SPF, and it says so in the seal.
  RunResult stranger =
      seal(list, zone, signed_message.out,
           {"--ip", "203.0.113.9", "--helo", "bogus.example", "--mail-from", "alice@example.test"});
  ASSERT_EQ(stranger.status, 0) << stranger.err;
  nlohmann::json failed = verify_json(zone, stranger.out);
  EXPECT_EQ(aar_method(failed["sets"][0], "spf")["result"], "fail") << failed;
  EXPECT_EQ(aar_method(failed["sets"][0], "dmarc")["result"], "pass") << "DKIM still aligns";
}

TEST(CliArc, BareLfMessageGetsBareLfFields) {
  Sealer list = make_sealer("lists.example.org");
  std::string zone = zone_of({&list});
  std::string lf_message;
  for (char c : message_text)
    if (c != '\r') lf_message += c;
  RunResult sealed = seal(list, zone, lf_message);
  ASSERT_EQ(sealed.status, 0) << sealed.err;
  EXPECT_EQ(sealed.out.find('\r'), std::string::npos) << sealed.out;
  EXPECT_TRUE(sealed.out.ends_with(lf_message));
  EXPECT_EQ(verify_json(zone, sealed.out)["result"], "pass");
}

TEST(CliArc, MboxSeparatorStaysFirst) {
  Sealer list = make_sealer("lists.example.org");
  std::string zone = zone_of({&list});
  std::string separator = "From alice@example.test Tue Nov 24 12:00:00 2026\r\n";
  RunResult sealed = seal(list, zone, separator + std::string(message_text));
  ASSERT_EQ(sealed.status, 0) << sealed.err;
  EXPECT_TRUE(sealed.out.starts_with(separator + "ARC-Seal: ")) << sealed.out;
  EXPECT_EQ(verify_json(zone, sealed.out)["result"], "pass");
}

TEST(CliArc, ReadsStandardInput) {
  Sealer list = make_sealer("lists.example.org");
  std::string zone = zone_of({&list});
  RunResult sealed =
      run_cli({"arc-seal", "--key", list.key_file, "--domain", list.domain, "--selector", "arc",
               "--authserv-id", "mx", "--auth-results", "none", "--zone", zone, "-"},
              message_text);
  ASSERT_EQ(sealed.status, 0) << sealed.err;
  RunResult r = run_cli({"arc-verify", "--zone", zone, "--json"}, sealed.out);
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(nlohmann::json::parse(r.out)["result"], "pass") << r.out;
}

TEST(CliArc, Ed25519SealsOnlyWhenAskedFor) {
  std::string key_file = write_temp_file("ed-unused", "");
  std::filesystem::remove(key_file);
  RunResult keygen = run_cli({"keygen", "--type", "ed25519", "--domain", "lists.example.org",
                              "--selector", "arc", "--out", key_file});
  ASSERT_EQ(keygen.status, 0) << keygen.err;
  Sealer ed{"lists.example.org", "arc", key_file, keygen.out};
  Sealer rsa = make_sealer("lists.example.org", "rsa");
  std::string zone = zone_of({&ed, &rsa});

  // RFC 8617 names only rsa-sha256, so a verifier may not know Ed25519 seals yet.
  RunResult unasked = seal(ed, zone, message_text);
  EXPECT_EQ(unasked.status, 1);
  EXPECT_NE(unasked.err.find(key_file + ": an Ed25519 key seals only with --algorithm"),
            std::string::npos)
      << unasked.err;
  RunResult mismatch = seal(rsa, zone, message_text, {"--algorithm", "ed25519-sha256"});
  EXPECT_EQ(mismatch.status, 1);
  EXPECT_NE(mismatch.err.find(rsa.key_file + ": this key cannot make ed25519-sha256"),
            std::string::npos)
      << mismatch.err;

  RunResult sealed = seal(ed, zone, message_text, {"--algorithm", "ed25519-sha256"});
  ASSERT_EQ(sealed.status, 0) << sealed.err;
  nlohmann::json out = verify_json(zone, sealed.out);
  EXPECT_EQ(out["result"], "pass") << out;
  EXPECT_EQ(out["sets"][0]["seal_algorithm"], "ed25519-sha256");
}

TEST(CliArc, HelpListsTheArcVerbs) {
  RunResult r = run_cli({"--help"});
  EXPECT_EQ(r.status, 0);
  EXPECT_NE(r.out.find("arc-verify"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("arc-seal"), std::string::npos) << r.out;
  for (std::string verb : {"arc-verify", "arc-seal"}) {
    RunResult help = run_cli({verb, "--help"});
    EXPECT_EQ(help.status, 0);
    EXPECT_TRUE(help.out.starts_with("usage: hallmark " + verb)) << help.out;
    EXPECT_NE(help.out.find("--zone FILE"), std::string::npos) << "the resolver flags";
  }
}

TEST(CliArc, UsageErrorsExitTwo) {
  Sealer list = make_sealer("lists.example.org");
  std::string zone = zone_of({&list});
  std::string message = write_temp_file("usage.eml", message_text);
  std::vector<std::string> base = {"arc-seal",   "--key", list.key_file, "--domain", list.domain,
                                   "--selector", "arc",   "--zone",      zone};
  auto with = [&](std::vector<std::string> extra) {
    std::vector<std::string> args = base;
    args.insert(args.end(), extra.begin(), extra.end());
    return args;
  };
  std::vector<std::vector<std::string>> cases = {
      {"arc-verify", message, message},
      {"arc-verify", "--bogus", message},
      {"arc-verify", "--min-rsa-bits", "many", message},
      {"arc-verify", "--zone", zone, "--server", "127.0.0.1:53", message},
      {"arc-seal", "--domain", list.domain, "--selector", "arc", "--authserv-id", "mx",
       "--auth-results", "none", message},
      with({"--auth-results", "none", message}),  // no --authserv-id
      with({"--authserv-id", "mx", message}),     // no results, no envelope
      with({"--authserv-id", "mx", "--ip", "192.0.2.1", message}),
      with({"--authserv-id", "mx", "--ip", "192.0.2.1", "--helo", "h.example", message}),
      with({"--authserv-id", "mx", "--ip", "not-an-ip", "--helo", "h.example", "--mail-from",
            "a@example.test", message}),
      with({"--authserv-id", "mx", "--auth-results", "none", "--ip", "192.0.2.1", "--helo",
            "h.example", "--mail-from", "a@example.test", message}),
      with({"--authserv-id", "mx", "--auth-results", "none", "--algorithm", "rsa-sha1", message}),
      with({"--authserv-id", "mx", "--auth-results", "none", "--headers", "From::To", message}),
      with({"--authserv-id", "mx", "--auth-results", "none", "--timestamp", "soon", message}),
      with({"--authserv-id", "mx", "--auth-results", "none", message, message}),
      {"arc-seal", "--key", list.key_file, "--domain", "bad domain", "--selector", "arc",
       "--authserv-id", "mx", "--auth-results", "none", message},
  };
  for (const std::vector<std::string>& args : cases) {
    RunResult r = run_cli(args);
    std::string joined;
    for (const std::string& arg : args) joined += arg + " ";
    EXPECT_EQ(r.status, 2) << joined << "\n" << r.err;
    EXPECT_NE(r.err.find("usage: hallmark " + args[0]), std::string::npos) << joined << r.err;
    EXPECT_TRUE(r.out.empty()) << joined << r.out;
  }
}

TEST(CliArc, OtherFailuresExitOne) {
  Sealer list = make_sealer("lists.example.org");
  std::string zone = zone_of({&list});
  std::string message = write_temp_file("fail.eml", message_text);
  std::string not_a_key = write_temp_file("not-a-key.pem", "hello\n");
  std::vector<std::vector<std::string>> cases = {
      {"arc-verify", "--zone", zone, "/nonexistent/message"},
      {"arc-seal", "--key", "/nonexistent/key.pem", "--domain", list.domain, "--selector", "arc",
       "--authserv-id", "mx", "--auth-results", "none", "--zone", zone, message},
      {"arc-seal", "--key", not_a_key, "--domain", list.domain, "--selector", "arc",
       "--authserv-id", "mx", "--auth-results", "none", "--zone", zone, message},
      // A message without From cannot be sealed (its AMS must sign From).
      {"arc-seal", "--key", list.key_file, "--domain", list.domain, "--selector", "arc",
       "--authserv-id", "mx", "--auth-results", "none", "--zone", zone,
       write_temp_file("no-from.eml", "Subject: hi\r\n\r\nbody\r\n")},
  };
  for (const std::vector<std::string>& args : cases) {
    RunResult r = run_cli(args);
    EXPECT_EQ(r.status, 1) << args.back() << "\n" << r.err;
    EXPECT_TRUE(r.err.starts_with("hallmark " + args[0] + ": ")) << r.err;
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << "one line: " << r.err;
  }
}

}  // namespace
}  // namespace hallmark::cli
