// SPDX-License-Identifier: Apache-2.0
// Builds zone fixtures and cases from the SPF suites' YAML, reproducing the quirks their
// runner applies (SPF records doubling as TXT, TXT: NONE, TIMEOUT, error. names).
#include "spf_suite.hpp"

#include <yaml-cpp/yaml.h>

#include <map>
#include <set>

#include "hallmark/core/domain.hpp"
#include "hallmark/core/sync_wait.hpp"

namespace hallmark::spf::testing {
namespace {

std::vector<std::string> strings_of(const YAML::Node& value) {
  if (value.IsSequence()) {
    std::vector<std::string> out;
    for (const YAML::Node& piece : value) out.push_back(piece.as<std::string>());
    return out;
  }
  return {value.as<std::string>()};
}

std::shared_ptr<dns::ZoneResolver> build_zone(const YAML::Node& zonedata) {
  auto zone = std::make_shared<dns::ZoneResolver>();
  if (!zonedata) return zone;
  for (const auto& entry : zonedata) {
    std::string name = core::to_lower_ascii(entry.first.as<std::string>());
    bool has_txt = false;
    std::vector<std::vector<std::string>> spf_records;
    for (const YAML::Node& record : entry.second) {
      if (record.IsScalar()) {  // bare TIMEOUT
        zone->add_failure(name, dns::Status::timeout);
        continue;
      }
      for (const auto& typed : record) {
        std::string type = typed.first.as<std::string>();
        const YAML::Node& value = typed.second;
        if (type == "TXT") has_txt = true;
        if (value.IsScalar() && value.as<std::string>() == "NONE") continue;  // quirk 2
        if (value.IsScalar() && value.as<std::string>() == "TIMEOUT") {
          zone->add_failure(name, dns::Status::timeout);
          continue;
        }
        if (type == "TXT") {
          zone->add_txt(name, strings_of(value));
        } else if (type == "SPF") {
          zone->add_txt(name, strings_of(value), 300, dns::Type::spf);
          spf_records.push_back(strings_of(value));
        } else if (type == "A" || type == "AAAA") {
          auto address = core::IpAddress::parse(value.as<std::string>());
          if (address) zone->add_address(name, *address);
        } else if (type == "MX") {
          zone->add_mx(name, value[0].as<std::uint16_t>(), value[1].as<std::string>());
        } else if (type == "PTR") {
          zone->add_ptr(name, value.as<std::string>());
        } else if (type == "CNAME") {
          zone->add_cname(name, value.as<std::string>());
        }
      }
    }
    // Quirk 1: with no TXT entry at all, each SPF-type record is also served as TXT.
    if (!has_txt)
      for (std::vector<std::string>& strings : spf_records) zone->add_txt(name, std::move(strings));
  }
  return zone;
}

SpfCase broken_suite(const std::string& path, const std::string& why) {
  SpfCase c;
  c.file = path;
  c.id = "cannot_load_suite";
  c.scenario = why;
  c.acceptable = {"suite file could not be loaded: " + why};
  c.zone = std::make_shared<dns::ZoneResolver>();
  return c;
}

}  // namespace

void SuiteResolver::lookup(std::string_view name, dns::Type type, Completion done) {
  if (core::to_lower_ascii(name).starts_with("error.")) {
    done(std::make_shared<const dns::Answer>(
        dns::Answer::with_status(std::string(name), type, dns::Status::timeout, "suite error.")));
    return;
  }
  zone_.lookup(name, type, std::move(done));
}

std::vector<SpfCase> load_spf_suite(const std::string& relative_path) {
  std::string path = std::string(HALLMARK_CONFORMANCE_DIR) + "/" + relative_path;
  std::vector<YAML::Node> scenarios;
  try {
    scenarios = YAML::LoadAllFromFile(path);
  } catch (const std::exception& error) {
    return {broken_suite(relative_path, error.what())};
  }
  std::vector<SpfCase> cases;
  std::size_t index = 0;
  for (const YAML::Node& scenario : scenarios) {
    ++index;
    if (!scenario["tests"]) continue;
    std::shared_ptr<dns::ZoneResolver> zone = build_zone(scenario["zonedata"]);
    std::string description =
        scenario["description"] ? scenario["description"].as<std::string>() : "";
    for (const auto& test : scenario["tests"]) {
      const YAML::Node& t = test.second;
      SpfCase c;
      c.file = relative_path;
      c.scenario = std::to_string(index) + " " + description;
      c.id = test.first.as<std::string>();
      if (t["spec"]) {
        for (const std::string& part : strings_of(t["spec"]))
          c.spec += (c.spec.empty() ? "" : ", ") + part;
      }
      c.helo = t["helo"] ? t["helo"].as<std::string>() : "";
      c.host = t["host"].as<std::string>();
      c.mailfrom = t["mailfrom"] ? t["mailfrom"].as<std::string>() : "";
      c.acceptable = strings_of(t["result"]);
      if (t["explanation"]) c.explanation = t["explanation"].as<std::string>();
      c.pyspf_extension = static_cast<bool>(t["strict"]);
      for (const std::string& result : c.acceptable) c.pyspf_extension |= result == "ambiguous";
      c.zone = zone;
      cases.push_back(std::move(c));
    }
  }
  if (cases.empty()) return {broken_suite(relative_path, "no tests found")};
  return cases;
}

Result run_case(const SpfCase& c) {
  SuiteResolver resolver(*c.zone);
  Options options;
  options.default_explanation = "DEFAULT";
  options.now = [] { return std::int64_t{1700000000}; };
  Envelope envelope;
  auto ip = core::IpAddress::parse(c.host);
  if (ip) envelope.ip = *ip;
  envelope.helo = c.helo;
  envelope.mail_from = c.mailfrom;
  return core::sync_wait(check_mail_from(resolver, envelope, options));
}

std::string case_name(const SpfCase& c) {
  std::string name = c.file.substr(0, c.file.find('.')) + "_" + c.id;
  for (char& ch : name)
    if (!std::isalnum(static_cast<unsigned char>(ch))) ch = '_';
  return name;
}

}  // namespace hallmark::spf::testing
