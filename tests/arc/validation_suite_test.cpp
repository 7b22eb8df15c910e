// SPDX-License-Identifier: Apache-2.0
// The ValiMail ARC chain-validation suite (arc-draft-validation-tests.yml), every case its own
// test: the chain's verdict must be the suite's cv.
#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include <map>
#include <memory>
#include <ostream>
#include <set>
#include <string>
#include <vector>

#include "arc_fixtures.hpp"

namespace hallmark::arc::testing {
namespace {

struct ValidationCase {
  std::string id;    // unique within the file; a repeated key gets a suffix
  std::string name;  // gtest name
  std::string scenario;
  std::string spec;
  std::string description;
  std::string message;   // CRLF
  std::string expected;  // "pass", "fail" or "none"
  std::shared_ptr<std::vector<std::pair<std::string, std::string>>> txt_records;
};

void PrintTo(const ValidationCase& c, std::ostream* out) { *out << c.id; }

std::string scalar(const YAML::Node& node) {
  if (!node || node.IsNull()) return {};
  return node.as<std::string>();
}

std::string gtest_name(std::string_view id) {
  std::string name(id);
  for (char& ch : name)
    if (!std::isalnum(static_cast<unsigned char>(ch))) ch = '_';
  return name;
}

ValidationCase broken_suite(const std::string& why) {
  ValidationCase c;
  c.id = c.name = "cannot_load_suite";
  c.description = why;
  c.expected = "suite file could not be loaded: " + why;
  c.txt_records = std::make_shared<std::vector<std::pair<std::string, std::string>>>();
  return c;
}

std::vector<ValidationCase> load_validation_suite() {
  std::string path = std::string(HALLMARK_CONFORMANCE_DIR) + "/arc/arc-draft-validation-tests.yml";
  std::vector<YAML::Node> scenarios;
  try {
    scenarios = YAML::LoadAllFromFile(path);
  } catch (const std::exception& error) {
    return {broken_suite(error.what())};
  }
  std::vector<ValidationCase> cases;
  std::map<std::string, int> seen;
  for (const YAML::Node& scenario : scenarios) {
    if (!scenario["tests"]) continue;
    auto records = std::make_shared<std::vector<std::pair<std::string, std::string>>>();
    if (const YAML::Node& txt = scenario["txt-records"]) {
      for (const auto& entry : txt)
        records->emplace_back(entry.first.as<std::string>(), scalar(entry.second));
    }
    std::string description = trim(scalar(scenario["description"]));
    for (const auto& test : scenario["tests"]) {
      const YAML::Node& t = test.second;
      ValidationCase c;
      c.id = test.first.as<std::string>();
      // The file repeats four keys inside one mapping (as_fields_b_*); both versions are real
      // cases, so both run, the second under a suffixed name.
      int count = ++seen[c.id];
      if (count > 1) c.id += "_" + std::to_string(count);
      c.name = gtest_name(c.id);
      c.scenario = description;
      c.spec = trim(scalar(t["spec"]));
      c.description = trim(scalar(t["description"]));
      c.message = crlf(scalar(t["message"]));
      // README: empty cv means fail (a seal in the chain says cv=fail, RFC 8617 5.2 step 2).
      c.expected = lower(trim(scalar(t["cv"])));
      if (c.expected.empty()) c.expected = "fail";
      c.txt_records = records;
      cases.push_back(std::move(c));
    }
  }
  if (cases.empty()) return {broken_suite("no tests found")};
  return cases;
}

const std::vector<ValidationCase>& suite() {
  static const std::vector<ValidationCase> cases = load_validation_suite();
  return cases;
}

class ArcValidationSuite : public ::testing::TestWithParam<ValidationCase> {};

TEST_P(ArcValidationSuite, GivesExpectedChainStatus) {
  const ValidationCase& c = GetParam();
  dns::ZoneResolver zone;  // names not in txt-records are NXDOMAIN
  for (const auto& [name, value] : *c.txt_records) publish(zone, name, value);
  Result result = validate(zone, c.message);
  EXPECT_EQ(std::string(to_string(result.outcome)), c.expected)
      << c.id << " (" << c.scenario << " / " << c.description << ", spec " << c.spec
      << "): " << describe(result);
  if (result.outcome == ChainStatus::fail) {
    EXPECT_FALSE(result.detail.empty()) << c.id << ": a failed chain must say why";
  }
}

TEST(ArcValidationSuiteFile, HasEveryCase) {
  // 171 distinct ids (README) plus the four keys the file repeats.
  EXPECT_EQ(suite().size(), 175u);
}

std::string name_of(const ::testing::TestParamInfo<ValidationCase>& test) {
  return test.param.name;
}

INSTANTIATE_TEST_SUITE_P(Arc, ArcValidationSuite, ::testing::ValuesIn(suite()), name_of);

}  // namespace
}  // namespace hallmark::arc::testing
