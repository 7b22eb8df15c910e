// SPDX-License-Identifier: Apache-2.0
// The DKIM verbs of the hallmark CLI as a user runs them: keygen, then dkim-sign with the new
// key, then dkim-verify against a zone fixture holding the printed record.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include <nlohmann/json.hpp>

#include "cli_runner.hpp"

namespace hallmark::cli {
namespace {

constexpr std::string_view message_text =
    "From: Alice <alice@example.test>\r\n"
    "To: bob@example.net\r\n"
    "Subject: lunch\r\n"
    "Date: Tue, 24 Nov 2026 10:00:00 +0000\r\n"
    "Message-ID: <1@example.test>\r\n"
    "\r\n"
    "Shall we meet at noon?\r\n"
    "\r\n";

std::string to_lf(std::string_view text) {
  std::string out;
  for (char c : text)
    if (c != '\r') out += c;
  return out;
}

std::string unfold(std::string_view field) {
  std::string out(field);
  for (std::size_t at; (at = out.find("\r\n\t")) != std::string::npos;) out.erase(at, 3);
  return out;
}

// A key made by `hallmark keygen`, its private key file and a zone fixture with its record.
struct Keys {
  std::string key_file, zone_file, zone_line;
};

// Each call makes files of its own: keygen --out never overwrites.
Keys make_keys(const std::string& type, const std::string& selector) {
  static int serial = 0;
  std::string tag = type + "-" + selector + "-" + std::to_string(++serial);
  std::string key_file = write_temp_file("unused-" + tag, "");
  std::filesystem::remove(key_file);
  std::vector<std::string> args = {"keygen",     "--type", type,    "--domain", "example.test",
                                   "--selector", selector, "--out", key_file};
  if (type == "rsa") args.insert(args.end(), {"--bits", "1024"});  // fast, still accepted
  RunResult r = run_cli(args);
  EXPECT_EQ(r.status, 0) << r.err;
  return {key_file, write_temp_file("zone-" + tag, r.out), r.out};
}

RunResult sign(const Keys& keys, std::string_view message, std::vector<std::string> extra = {}) {
  std::vector<std::string> args = {"dkim-sign",    "--key",      keys.key_file, "--domain",
                                   "example.test", "--selector", "sel"};
  args.insert(args.end(), extra.begin(), extra.end());
  args.push_back(write_temp_file("to-sign", message));
  return run_cli(args);
}

nlohmann::json verify_json(const Keys& keys, std::string_view message,
                           std::vector<std::string> extra = {}) {
  std::vector<std::string> args = {"dkim-verify", "--zone", keys.zone_file, "--json"};
  args.insert(args.end(), extra.begin(), extra.end());
  args.push_back(write_temp_file("to-verify", message));
  RunResult r = run_cli(args);
  EXPECT_EQ(r.status, 0) << r.err;
  return nlohmann::json::parse(r.out);
}

TEST(CliDkim, KeygenSignVerifyPassesForRsaAndEd25519) {
  struct {
    std::string type, algorithm;
    unsigned bits;
  } cases[] = {{"rsa", "rsa-sha256", 1024}, {"ed25519", "ed25519-sha256", 256}};
  for (const auto& c : cases) {
    Keys keys = make_keys(c.type, "sel");
    RunResult signed_message = sign(keys, message_text);
    ASSERT_EQ(signed_message.status, 0) << c.type << ": " << signed_message.err;
    ASSERT_TRUE(signed_message.out.starts_with("DKIM-Signature:")) << signed_message.out;
    EXPECT_TRUE(signed_message.out.ends_with(message_text)) << "the message follows unchanged";

    nlohmann::json out = verify_json(keys, signed_message.out);
    ASSERT_EQ(out["signatures"].size(), 1u) << out;
    const nlohmann::json& s = out["signatures"][0];
    EXPECT_EQ(s["result"], "pass") << c.type << ": " << s;
    EXPECT_EQ(s["reason"], "ok");
    EXPECT_EQ(s["domain"], "example.test");
    EXPECT_EQ(s["selector"], "sel");
    EXPECT_EQ(s["algorithm"], c.algorithm);
    EXPECT_EQ(s["auid"], "@example.test");
    EXPECT_EQ(s["key_bits"], c.bits);
    EXPECT_EQ(s["testing"], false);
    EXPECT_FALSE(s.contains("detail")) << s;
    EXPECT_FALSE(s.contains("body_length")) << s;

    RunResult text = run_cli({"dkim-verify", "--zone", keys.zone_file, "--authserv-id",
                              "mx.example.org", write_temp_file("signed", signed_message.out)});
    EXPECT_EQ(text.status, 0) << text.err;
    EXPECT_TRUE(text.out.starts_with("pass d=example.test s=sel a=" + c.algorithm +
                                     " reason=ok\nAuthentication-Results: mx.example.org;\n"
                                     " dkim=pass header.d=example.test"))
        << text.out;
  }
}

// The character-strings of a zone line `NAME. IN TXT ( "..." "..." )`; empty when the line
// has another shape. (No std::regex: GCC 12 warns inside it at -O2.)
std::vector<std::string> txt_strings(std::string_view line, std::string_view name) {
  std::string head = std::string(name) + ". IN TXT (";
  if (!line.starts_with(head) || !line.ends_with(" )\n")) return {};
  line = line.substr(head.size(), line.size() - head.size() - 3);
  std::vector<std::string> strings;
  while (!line.empty()) {
    if (!line.starts_with(" \"")) return {};
    std::size_t close = line.find('"', 2);
    if (close == std::string_view::npos) return {};
    strings.emplace_back(line.substr(2, close - 2));
    line.remove_prefix(close + 1);
  }
  return strings;
}

TEST(CliDkim, KeygenPrintsAZoneLineOfShortStrings) {
  for (std::string type : {"rsa", "ed25519"}) {
    Keys keys = make_keys(type, "mail2026");
    std::vector<std::string> strings =
        txt_strings(keys.zone_line, "mail2026._domainkey.example.test");
    ASSERT_GE(strings.size(), 2u) << keys.zone_line;
    EXPECT_EQ(strings[0], "v=DKIM1; k=" + type + "; ");
    EXPECT_TRUE(strings[1].starts_with("p=")) << keys.zone_line;
    for (const std::string& text : strings) EXPECT_LE(text.size(), 255u) << keys.zone_line;
    std::ifstream key(keys.key_file);
    std::string first;
    std::getline(key, first);
    EXPECT_EQ(first, "-----BEGIN PRIVATE KEY-----");
    EXPECT_EQ(std::filesystem::status(keys.key_file).permissions() & std::filesystem::perms::all,
              std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
  }
  // A 2048-bit key's p= needs two strings: 255 octets, then the rest.
  RunResult r = run_cli({"keygen", "--type", "rsa", "--domain", "Example.TEST.", "--selector",
                         "big", "--bits", "2048"});
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_TRUE(r.out.starts_with("-----BEGIN PRIVATE KEY-----\n")) << "PEM first, on stdout";
  std::size_t record = r.out.find("big._domainkey");
  ASSERT_NE(record, std::string::npos) << r.out;
  std::vector<std::string> strings =
      txt_strings(std::string_view(r.out).substr(record), "big._domainkey.example.test");
  ASSERT_EQ(strings.size(), 3u) << r.out;
  EXPECT_EQ(strings[1].size(), 255u);
  EXPECT_TRUE(strings[1].starts_with("p=MII")) << strings[1];
}

TEST(CliDkim, KeygenWithoutOutWritesAKeyDkimSignCanRead) {
  RunResult r =
      run_cli({"keygen", "--type", "ed25519", "--domain", "example.test", "--selector", "sel"});
  ASSERT_EQ(r.status, 0) << r.err;
  std::size_t record = r.out.find("sel._domainkey");
  ASSERT_NE(record, std::string::npos) << r.out;
  // The whole output, record line included, as `hallmark keygen ... > key.pem` would save it.
  Keys keys{write_temp_file("stdout.pem", r.out),
            write_temp_file("stdout.zone", r.out.substr(record)), ""};
  RunResult signed_message = sign(keys, message_text);
  ASSERT_EQ(signed_message.status, 0) << signed_message.err;
  EXPECT_EQ(verify_json(keys, signed_message.out)["signatures"][0]["result"], "pass");
}

TEST(CliDkim, KeygenNeverOverwritesAKey) {
  std::string existing = write_temp_file("existing.pem", "keep me\n");
  RunResult r = run_cli({"keygen", "--type", "ed25519", "--domain", "example.test", "--selector",
                         "sel", "--out", existing});
  EXPECT_EQ(r.status, 1);
  EXPECT_NE(r.err.find(existing), std::string::npos) << r.err;
  std::ifstream in(existing);
  std::string kept;
  std::getline(in, kept);
  EXPECT_EQ(kept, "keep me");
}

TEST(CliDkim, AlteredBodyOrHeaderFails) {
  Keys keys = make_keys("ed25519", "sel");
  RunResult signed_message = sign(keys, message_text);
  ASSERT_EQ(signed_message.status, 0) << signed_message.err;

  std::string body_changed = signed_message.out;
  body_changed.replace(body_changed.find("noon"), 4, "one!");
  nlohmann::json s = verify_json(keys, body_changed)["signatures"][0];
  EXPECT_EQ(s["result"], "fail");
  EXPECT_EQ(s["reason"], "body_hash_mismatch");
  EXPECT_TRUE(s.contains("detail")) << s;

  std::string header_changed = signed_message.out;
  header_changed.replace(header_changed.find("Subject: lunch"), 14, "Subject: lunc!");
  s = verify_json(keys, header_changed)["signatures"][0];
  EXPECT_EQ(s["result"], "fail");
  EXPECT_EQ(s["reason"], "signature_mismatch");

  RunResult text =
      run_cli({"dkim-verify", "--zone", keys.zone_file, write_temp_file("changed", body_changed)});
  EXPECT_EQ(text.status, 0) << "a failed signature is a completed verification";
  EXPECT_TRUE(
      text.out.starts_with("fail d=example.test s=sel a=ed25519-sha256 "
                           "reason=body_hash_mismatch: "))
      << text.out;
}

TEST(CliDkim, MboxSeparatorLineIsNotPartOfTheMessage) {
  Keys keys = make_keys("ed25519", "sel");
  RunResult signed_message = sign(keys, message_text);
  ASSERT_EQ(signed_message.status, 0) << signed_message.err;
  std::string saved = "From alice@example.test Tue Nov 24 12:00:00 2026\n" + signed_message.out;
  nlohmann::json s = verify_json(keys, saved)["signatures"][0];
  EXPECT_EQ(s["result"], "pass") << s;
}

TEST(CliDkim, UnsignedMessageGivesAnEmptyList) {
  Keys keys = make_keys("ed25519", "sel");
  nlohmann::json out = verify_json(keys, message_text);
  EXPECT_EQ(out, nlohmann::json::parse(R"({"signatures": []})"));
  RunResult text = run_cli({"dkim-verify", "--zone", keys.zone_file, "--authserv-id", "mx",
                            write_temp_file("unsigned", message_text)});
  EXPECT_EQ(text.status, 0);
  EXPECT_EQ(text.out,
            "none: the message has no DKIM-Signature field\n"
            "Authentication-Results: mx;\n dkim=none\n");
  EXPECT_EQ(
      run_cli({"dkim-verify", "--zone", keys.zone_file, "--json", write_temp_file("empty", "")})
          .out,
      "{\n  \"signatures\": []\n}\n");
}

TEST(CliDkim, ReadsStandardInput) {
  Keys keys = make_keys("ed25519", "sel");
  // dkim-sign from a pipe: the message is spooled, not read twice.
  RunResult signed_message = run_cli(
      {"dkim-sign", "--key", keys.key_file, "--domain", "example.test", "--selector", "sel"},
      message_text);
  ASSERT_EQ(signed_message.status, 0) << signed_message.err;
  EXPECT_TRUE(signed_message.out.ends_with(message_text));
  RunResult dash = run_cli({"dkim-sign", "--key", keys.key_file, "--domain", "example.test",
                            "--selector", "sel", "--now", "1700000000", "-"},
                           message_text);
  RunResult file = sign(keys, message_text, {"--now", "1700000000"});
  EXPECT_EQ(dash.out, file.out) << "Ed25519 signatures are deterministic";

  for (std::vector<std::string> args :
       {std::vector<std::string>{"dkim-verify", "--zone", keys.zone_file, "--json"},
        std::vector<std::string>{"dkim-verify", "--zone", keys.zone_file, "--json", "-"}}) {
    RunResult r = run_cli(args, signed_message.out);
    ASSERT_EQ(r.status, 0) << r.err;
    EXPECT_EQ(nlohmann::json::parse(r.out)["signatures"][0]["result"], "pass") << r.out;
  }
}

TEST(CliDkim, LargeMessageStreamsThroughInChunks) {
  Keys keys = make_keys("ed25519", "sel");
  std::string message(message_text);
  std::string line = std::string(77, 'x') + "\r\n";
  for (int i = 0; i < 4000; ++i) message += line;  // over 300 KB: several 64 KB chunks
  RunResult signed_message = run_cli(
      {"dkim-sign", "--key", keys.key_file, "--domain", "example.test", "--selector", "sel"},
      message);
  ASSERT_EQ(signed_message.status, 0) << signed_message.err;
  EXPECT_TRUE(signed_message.out.ends_with(message));
  RunResult r = run_cli({"dkim-verify", "--zone", keys.zone_file, "--json"}, signed_message.out);
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(nlohmann::json::parse(r.out)["signatures"][0]["result"], "pass") << r.out;
}

TEST(CliDkim, BareLfMessageGetsABareLfField) {
  Keys keys = make_keys("rsa", "sel");
  std::string lf_message = to_lf(message_text);
  for (std::string c : {"relaxed/relaxed", "simple/simple", "simple", "relaxed/simple"}) {
    RunResult r = sign(keys, lf_message, {"--canonicalization", c});
    ASSERT_EQ(r.status, 0) << r.err;
    EXPECT_EQ(r.out.find('\r'), std::string::npos) << c << ": " << r.out;
    EXPECT_TRUE(r.out.ends_with(lf_message));
    EXPECT_NE(r.out.find("c=" + std::string(c.find('/') == std::string::npos ? c + "/simple" : c)),
              std::string::npos)
        << r.out;
    EXPECT_EQ(verify_json(keys, r.out)["signatures"][0]["result"], "pass") << c << "\n" << r.out;
  }
  RunResult crlf = sign(keys, message_text);
  std::string field = crlf.out.substr(0, crlf.out.size() - message_text.size());
  EXPECT_EQ(std::count(field.begin(), field.end(), '\r'),
            std::count(field.begin(), field.end(), '\n'))
      << "a CRLF message keeps a CRLF field: " << field;
}

TEST(CliDkim, SignOptionsReachTheSignature) {
  Keys keys = make_keys("ed25519", "sel");
  RunResult r = sign(keys, message_text,
                     {"--headers", "From:Subject:To", "--oversign", "--body-length", "--expire",
                      "3600", "--now", "1700000000", "--auid", "alice@example.test"});
  ASSERT_EQ(r.status, 0) << r.err;
  std::string field = unfold(r.out.substr(0, r.out.size() - message_text.size()));
  EXPECT_NE(field.find("h=From:From:Subject:Subject:To:To;"), std::string::npos) << field;
  EXPECT_NE(field.find("l=24;"), std::string::npos) << field;
  EXPECT_NE(field.find("t=1700000000;"), std::string::npos) << field;
  EXPECT_NE(field.find("x=1700003600;"), std::string::npos) << field;
  EXPECT_NE(field.find("i=alice@example.test;"), std::string::npos) << field;

  nlohmann::json s = verify_json(keys, r.out, {"--now", "1700000100"})["signatures"][0];
  EXPECT_EQ(s["result"], "pass") << s;
  EXPECT_EQ(s["body_length"], 24);
  EXPECT_EQ(s["auid"], "alice@example.test");
  s = verify_json(keys, r.out, {"--now", "1800000000"})["signatures"][0];
  EXPECT_EQ(s["result"], "permerror");
  EXPECT_EQ(s["reason"], "expired");
  EXPECT_FALSE(s.contains("key_bits")) << "decided before the key was needed";

  // Oversigning: a second Subject added later breaks the signature.
  std::string added = "Subject: urgent\r\n" + r.out;
  EXPECT_EQ(verify_json(keys, added, {"--now", "1700000100"})["signatures"][0]["result"], "fail");
}

TEST(CliDkim, VerifierOptions) {
  Keys keys = make_keys("rsa", "sel");
  RunResult r = sign(keys, message_text);
  ASSERT_EQ(r.status, 0) << r.err;
  nlohmann::json s = verify_json(keys, r.out, {"--min-rsa-bits", "2048"})["signatures"][0];
  EXPECT_EQ(s["result"], "permerror");
  EXPECT_EQ(s["reason"], "key_too_small");
  EXPECT_EQ(s["key_bits"], 1024);
}

TEST(CliDkim, Rfc8463ExampleVerifies) {
  std::ifstream in(std::string(HALLMARK_CONFORMANCE_DIR) + "/dkim/rfc8463/rfc8463-example.msg",
                   std::ios::binary);
  std::stringstream message;
  message << in.rdbuf();
  ASSERT_FALSE(message.str().empty());
  std::string zone = write_temp_file("rfc8463.zone", R"(
$ORIGIN _domainkey.football.example.com.
brisbane TXT "v=DKIM1; k=ed25519; p=11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo="
test     TXT ( "v=DKIM1; k=rsa; p=MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQDkHlOQoBTzWRiGs5V6NpP3idY6Wk08a5qhdR6wy5bdOKb2jLQiY/J16JYi0Qvx/byYzCNb3W91y3FutACDfzwQ/BC/e/8uBsCR+yz1Lxj+PL6lHvqMKrM3rG4hstT5QjvHO9PzoxZyVYLzBfO2EeC3Ip3G+2kryOTIKT+l/K4w3QIDAQAB" )
)");
  RunResult r = run_cli({"dkim-verify", "--zone", zone, "--json"}, message.str());
  ASSERT_EQ(r.status, 0) << r.err;
  nlohmann::json out = nlohmann::json::parse(r.out);
  ASSERT_EQ(out["signatures"].size(), 2u) << out;
  EXPECT_EQ(out["signatures"][0]["algorithm"], "ed25519-sha256");
  EXPECT_EQ(out["signatures"][1]["algorithm"], "rsa-sha256");
  for (const nlohmann::json& s : out["signatures"]) EXPECT_EQ(s["result"], "pass") << s;
  // Without the zone's keys the lookups fail; still a completed verification.
  std::string empty_zone = write_temp_file("empty.zone", "");
  RunResult missing = run_cli({"dkim-verify", "--zone", empty_zone, "--json"}, message.str());
  EXPECT_EQ(missing.status, 0) << missing.err;
  EXPECT_EQ(nlohmann::json::parse(missing.out)["signatures"][0]["reason"], "key_not_found");
}

TEST(CliDkim, OversizedHeaderSectionIsAPermerror) {
  Keys keys = make_keys("ed25519", "sel");
  std::string message = "From: a@example.test\r\n";
  std::string field = "X-Filler: " + std::string(990, 'x') + "\r\n";
  while (message.size() <= 2 * 1024 * 1024) message += field;  // past mail::Limits' 2 MiB
  message += "\r\nbody\r\n";
  RunResult r = run_cli({"dkim-verify", "--zone", keys.zone_file, "--json"}, message);
  ASSERT_EQ(r.status, 0) << "a verdict, not an unreadable input: " << r.err;
  nlohmann::json out = nlohmann::json::parse(r.out);
  ASSERT_EQ(out["signatures"].size(), 1u) << out;
  EXPECT_EQ(out["signatures"][0]["result"], "permerror");
  EXPECT_EQ(out["signatures"][0]["reason"], "syntax");
}

TEST(CliDkim, UsageErrorsExitTwo) {
  Keys keys = make_keys("ed25519", "sel");
  std::string message = write_temp_file("usage.eml", message_text);
  std::vector<std::string> key = {"--key", keys.key_file};
  std::vector<std::vector<std::string>> cases = {
      {"dkim-verify", message, message},
      {"dkim-verify", "--bogus", message},
      {"dkim-verify", "--min-rsa-bits", "many", message},
      {"dkim-verify", "--now", "-5", message},
      {"dkim-verify", "--zone", keys.zone_file, "--server", "127.0.0.1:53", message},
      {"dkim-sign", "--domain", "example.test", "--selector", "sel", message},
      {"dkim-sign", "--key", keys.key_file, "--selector", "sel", message},
      {"dkim-sign", "--key", keys.key_file, "--domain", "example.test", message},
      {"dkim-sign", "--key", keys.key_file, "--domain", "bad domain", "--selector", "s", message},
      {"dkim-sign", "--key", keys.key_file, "--domain", "example.test", "--selector", "s",
       "--algorithm", "rsa-sha1", message},
      {"dkim-sign", "--key", keys.key_file, "--domain", "example.test", "--selector", "s",
       "--algorithm", "rsa-sha512", message},
      {"dkim-sign", "--key", keys.key_file, "--domain", "example.test", "--selector", "s",
       "--canonicalization", "relaxed/loose", message},
      {"dkim-sign", "--key", keys.key_file, "--domain", "example.test", "--selector", "s",
       "--headers", "From::To", message},
      {"dkim-sign", "--key", keys.key_file, "--domain", "example.test", "--selector", "s",
       "--expire", "soon", message},
      {"dkim-sign", "--key", keys.key_file, "--domain", "example.test", "--selector", "s", message,
       message},
      {"keygen", "--domain", "example.test", "--selector", "s"},
      {"keygen", "--type", "dsa", "--domain", "example.test", "--selector", "s"},
      {"keygen", "--type", "ed25519", "--bits", "2048", "--domain", "example.test", "--selector",
       "s"},
      {"keygen", "--type", "rsa", "--bits", "512", "--domain", "example.test", "--selector", "s"},
      {"keygen", "--type", "rsa", "--selector", "s"},
      {"keygen", "--type", "rsa", "--domain", "example.test"},
      {"keygen", "--type", "rsa", "--domain", "example.test", "--selector", "s", "extra"},
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

TEST(CliDkim, UnreadableInputExitsOne) {
  Keys keys = make_keys("ed25519", "sel");
  std::string message = write_temp_file("readable.eml", message_text);
  std::string directory = std::filesystem::path(message).parent_path().string();
  struct {
    std::vector<std::string> args;
    std::string named;
  } cases[] = {
      {{"dkim-verify", "--zone", keys.zone_file, "/nonexistent/message.eml"},
       "/nonexistent/message.eml"},
      {{"dkim-verify", "--zone", keys.zone_file, directory}, directory},
      {{"dkim-verify", "--zone", "/nonexistent/zone", message}, "/nonexistent/zone"},
      {{"dkim-sign", "--key", keys.key_file, "--domain", "example.test", "--selector", "s",
        "/nonexistent/message.eml"},
       "/nonexistent/message.eml"},
      {{"dkim-sign", "--key", "/nonexistent/key.pem", "--domain", "example.test", "--selector", "s",
        message},
       "/nonexistent/key.pem"},
      {{"dkim-sign", "--key", message, "--domain", "example.test", "--selector", "s", message},
       message},
      {{"dkim-sign", "--key", keys.key_file, "--domain", "example.test", "--selector", "s",
        "--algorithm", "rsa-sha256", message},
       "rsa-sha256"},
      {{"dkim-sign", "--key", keys.key_file, "--domain", "example.test", "--selector", "s",
        write_temp_file("nofrom.eml", "To: bob@example.net\r\n\r\nhi\r\n")},
       "From"},
  };
  for (const auto& c : cases) {
    RunResult r = run_cli(c.args);
    EXPECT_EQ(r.status, 1) << c.args[0] << " " << c.named << "\n" << r.err;
    EXPECT_NE(r.err.find(c.named), std::string::npos) << r.err;
    EXPECT_EQ(r.err.find('\n'), r.err.size() - 1) << "one line: " << r.err;
    EXPECT_TRUE(r.out.empty()) << r.out;
  }
}

TEST(CliDkim, HelpDescribesEachVerb) {
  for (std::string verb : {"dkim-verify", "dkim-sign", "keygen"}) {
    RunResult r = run_cli({verb, "--help"});
    EXPECT_EQ(r.status, 0);
    EXPECT_TRUE(r.out.starts_with("usage: hallmark " + verb)) << r.out;
    EXPECT_EQ(r.out.find("--zone") != std::string::npos, verb == "dkim-verify") << r.out;
  }
  RunResult overview = run_cli({"--help"});
  for (std::string verb : {"dkim-verify", "dkim-sign", "keygen"})
    EXPECT_NE(overview.out.find("  " + verb + " "), std::string::npos) << overview.out;
}

}  // namespace
}  // namespace hallmark::cli
