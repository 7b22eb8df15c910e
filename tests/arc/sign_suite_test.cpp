// SPDX-License-Identifier: Apache-2.0
// The ValiMail ARC sealing suite (arc-draft-sign-tests.yml), every case its own test: the set
// hallmark seals must carry the suite's tags, b= included, and must then validate.
#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <memory>
#include <ostream>
#include <string>
#include <vector>

#include "arc_fixtures.hpp"
#include "hallmark/mail/auth_results.hpp"

namespace hallmark::arc::testing {
namespace {

struct SignScenario {
  std::string domain;
  std::string selector;
  std::string private_key;  // PEM
  std::vector<std::pair<std::string, std::string>> txt_records;
};

struct SignCase {
  std::string id;
  std::string description;
  std::string message;  // CRLF
  std::int64_t t = 0;
  std::vector<std::string> sig_headers;
  std::string srv_id;
  std::string as, ams, aar;  // expected values; all empty when nothing is sealed
  std::shared_ptr<const SignScenario> scenario;
};

void PrintTo(const SignCase& c, std::ostream* out) { *out << c.id; }

std::string scalar(const YAML::Node& node) {
  if (!node || node.IsNull()) return {};
  return node.as<std::string>();
}

std::vector<std::string> split(std::string_view text, char separator) {
  std::vector<std::string> out;
  std::size_t start = 0;
  for (;;) {
    std::size_t end = text.find(separator, start);
    out.push_back(
        trim(text.substr(start, end == std::string_view::npos ? text.npos : end - start)));
    if (end == std::string_view::npos) break;
    start = end + 1;
  }
  return out;
}

SignCase broken_suite(const std::string& why) {
  SignCase c;
  c.id = "cannot_load_suite";
  c.description = why;
  c.srv_id = "suite file could not be loaded: " + why;
  c.scenario = std::make_shared<SignScenario>();
  return c;
}

std::vector<SignCase> load_sign_suite() {
  std::string path = std::string(HALLMARK_CONFORMANCE_DIR) + "/arc/arc-draft-sign-tests.yml";
  std::vector<YAML::Node> documents;
  try {
    documents = YAML::LoadAllFromFile(path);
  } catch (const std::exception& error) {
    return {broken_suite(error.what())};
  }
  std::vector<SignCase> cases;
  for (const YAML::Node& doc : documents) {
    if (!doc["tests"]) continue;
    auto scenario = std::make_shared<SignScenario>();
    scenario->domain = trim(scalar(doc["domain"]));
    scenario->selector = trim(scalar(doc["sel"]));
    scenario->private_key = scalar(doc["privatekey"]);
    if (const YAML::Node& txt = doc["txt-records"]) {
      for (const auto& entry : txt)
        scenario->txt_records.emplace_back(entry.first.as<std::string>(), scalar(entry.second));
    }
    for (const auto& test : doc["tests"]) {
      const YAML::Node& t = test.second;
      SignCase c;
      c.id = test.first.as<std::string>();
      c.description = trim(scalar(t["description"]));
      c.message = crlf(scalar(t["message"]));
      c.t = t["t"].as<std::int64_t>();
      c.sig_headers = split(trim(scalar(t["sig-headers"])), ':');
      c.srv_id = trim(scalar(t["srv-id"]));
      c.as = trim(scalar(t["AS"]));
      c.ams = trim(scalar(t["AMS"]));
      c.aar = trim(scalar(t["AAR"]));
      c.scenario = scenario;
      cases.push_back(std::move(c));
    }
  }
  if (cases.empty()) return {broken_suite("no tests found")};
  return cases;
}

const std::vector<SignCase>& suite() {
  static const std::vector<SignCase> cases = load_sign_suite();
  return cases;
}

/// What the suite's sealer puts in the AAR after "i=N; srv-id;": the results of every
/// Authentication-Results field whose authserv-id is srv-id, in message order (upstream README).
/// Each field contributes what follows its authserv-id and ';', unfolded and with white space
/// runs reduced, the way the relaxed canonicalization that the AS hashes sees it.
std::string own_results(const std::string& message, std::string_view srv_id) {
  std::vector<std::string> parts;
  for (const Field& field : Message::parse(message).fields) {
    if (!is_named(field, "Authentication-Results")) continue;
    auto parsed = mail::parse_auth_results(field.value);
    if (!parsed || lower(parsed->authserv_id) != lower(srv_id)) continue;
    std::string value = field.value;
    std::size_t id = value.find(std::string(srv_id));
    std::size_t semi = id == std::string::npos ? std::string::npos : value.find(';', id);
    if (semi == std::string::npos) continue;  // "srv-id" alone: no results
    std::string rest;
    bool space = false;
    for (char c : value.substr(semi + 1)) {
      if (c == '\r' || c == '\n') continue;
      if (c == ' ' || c == '\t') {
        space = true;
        continue;
      }
      if (space && !rest.empty()) rest += ' ';
      space = false;
      rest += c;
    }
    if (!rest.empty()) parts.push_back(rest);
  }
  std::string joined;
  for (const std::string& part : parts) joined += (joined.empty() ? "" : "; ") + part;
  return joined;
}

/// The suite's comparison: the set of ';'-separated tags after removing all white space
/// (upstream runner), so tag order and folding do not matter. b= included, and RSA PKCS#1
/// v1.5 signatures are deterministic: equal b= means the same hash input.
std::vector<std::string> tag_set(std::string_view value) {
  std::vector<std::string> tags;
  for (const std::string& tag : split(without_whitespace(value), ';'))
    if (!tag.empty()) tags.push_back(tag);
  std::sort(tags.begin(), tags.end());
  return tags;
}

std::string show(const std::vector<std::string>& tags) {
  std::string out;
  for (const std::string& tag : tags) out += (out.empty() ? "" : " ; ") + tag;
  return out;
}

class ArcSignSuite : public ::testing::TestWithParam<SignCase> {};

TEST_P(ArcSignSuite, SealsTheSuitesSet) {
  const SignCase& c = GetParam();
  const SignScenario& scenario = *c.scenario;
  ASSERT_FALSE(scenario.domain.empty()) << c.srv_id;
  auto key = dkim::PrivateKey::from_pem(scenario.private_key);
  ASSERT_TRUE(key) << key.error().message;
  dns::ZoneResolver zone;
  for (const auto& [name, value] : scenario.txt_records) publish(zone, name, value);

  SealOptions options;
  options.domain = scenario.domain;
  options.selector = scenario.selector;
  options.authserv_id = c.srv_id;
  options.auth_results = own_results(c.message, c.srv_id);
  options.headers = c.sig_headers;
  std::int64_t t = c.t;
  options.now = [t] { return t; };
  dkim::KeyCache cache;
  options.verify.key_cache = &cache;
  core::Expected<Sealed> sealed =
      core::sync_wait(seal_message(zone, c.message, *key, options), zone.pump());
  ASSERT_TRUE(sealed) << c.id << ": " << sealed.error().message;

  bool expect_set = !c.as.empty() || !c.ams.empty() || !c.aar.empty();
  if (!expect_set) {
    EXPECT_EQ(sealed->fields, "") << c.id << ": the incoming chain already failed";
    EXPECT_EQ(sealed->instance, 0u);
    EXPECT_FALSE(sealed->skipped.empty()) << c.id << ": must say why nothing was sealed";
    // Nothing added: the message keeps its failed chain.
    Result result = validate(zone, c.message);
    EXPECT_EQ(result.outcome, ChainStatus::fail) << c.id << ": " << describe(result);
    return;
  }

  std::vector<Field> fields = split_fields(sealed->fields);
  ASSERT_EQ(fields.size(), 3u) << c.id << ": " << sealed->fields;
  EXPECT_TRUE(is_named(fields[0], "ARC-Seal")) << fields[0].name;
  EXPECT_TRUE(is_named(fields[1], "ARC-Message-Signature")) << fields[1].name;
  EXPECT_TRUE(is_named(fields[2], "ARC-Authentication-Results")) << fields[2].name;
  EXPECT_TRUE(sealed->fields.ends_with("\r\n"));

  // When a field differs, say whether the suite's own expected set validates on this message
  // (a b= that does not verify under the scenario's key cannot be reproduced by any sealer).
  // The suite prints b= and bh= folded for display; they were hashed unfolded, and relaxed
  // canonicalization keeps a space where a fold was, so they are put back on one line.
  auto suite_set_verdict = [&c, &zone] {
    auto fold = [](std::string_view value) {
      TagList tags = TagList::parse(value);
      for (const char* tag : {"b", "bh"})
        if (auto text = tags.get(tag)) tags.set(tag, without_whitespace(*text));
      std::string out;
      for (char ch : tags.text()) out += ch == '\n' ? std::string("\r\n ") : std::string(1, ch);
      return out;
    };
    std::string message = "ARC-Seal: " + fold(c.as) + "\r\nARC-Message-Signature: " + fold(c.ams) +
                          "\r\nARC-Authentication-Results: " + fold(c.aar) + "\r\n" + c.message;
    return describe(validate(zone, message));
  };

  struct {
    const char* what;
    const std::string& expected;
    const Field& got;
  } compared[] = {{"ARC-Seal", c.as, fields[0]},
                  {"ARC-Message-Signature", c.ams, fields[1]},
                  {"ARC-Authentication-Results", c.aar, fields[2]}};
  for (const auto& [what, expected, got] : compared) {
    std::vector<std::string> ours = tag_set(got.value);
    std::vector<std::string> theirs = tag_set(expected);
    auto without_b = [](std::vector<std::string> tags) {
      std::erase_if(tags, [](const std::string& tag) { return tag.starts_with("b="); });
      return tags;
    };
    EXPECT_EQ(show(without_b(ours)), show(without_b(theirs))) << c.id << " " << what;
    if (ours != theirs) {
      ADD_FAILURE() << c.id << " " << what << " differs from the suite's"
                    << "\n  hallmark: " << show(ours) << "\n  suite:    " << show(theirs)
                    << "\n  the suite's expected set on this message validates as: "
                    << suite_set_verdict() << "\nhallmark sealed:\n"
                    << sealed->fields;
    }
  }

  // The sealed message validates: pass, or fail where the suite sealed cv=fail.
  std::string expected_cv = TagList::parse(c.as).get("cv").value_or("?");
  EXPECT_EQ(std::string(to_string(sealed->chain_status)), expected_cv) << c.id;
  std::string message = sealed->fields + c.message;
  Result result = validate(zone, message);
  EXPECT_EQ(std::string(to_string(result.outcome)), expected_cv == "fail" ? "fail" : "pass")
      << c.id << ": " << describe(result);
}

TEST(ArcSignSuiteFile, HasEveryCase) { EXPECT_EQ(suite().size(), 17u); }

std::string name_of(const ::testing::TestParamInfo<SignCase>& test) {
  std::string name = test.param.id;
  for (char& ch : name)
    if (!std::isalnum(static_cast<unsigned char>(ch))) ch = '_';
  return name;
}

INSTANTIATE_TEST_SUITE_P(Arc, ArcSignSuite, ::testing::ValuesIn(suite()), name_of);

}  // namespace
}  // namespace hallmark::arc::testing
