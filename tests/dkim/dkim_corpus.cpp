// SPDX-License-Identifier: Apache-2.0
// Builds DKIM conformance cases from manifest.yaml the way its README says the upstream runners
// build them: LF files converted to CRLF, a zone per message from its dns map or FAKE_DNS.dat.
#include "dkim_corpus.hpp"

#include <yaml-cpp/yaml.h>

#include <cctype>
#include <fstream>
#include <sstream>

namespace hallmark::dkim::testing {
namespace {

const std::string corpus_dir = std::string(HALLMARK_CONFORMANCE_DIR) + "/dkim/";

bool read_file(const std::string& path, std::string& out) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  std::stringstream text;
  text << in.rdbuf();
  out = text.str();
  return true;
}

// TXT strings are at most 255 octets on the wire; a verifier sees longer keys as several
// strings to join (RFC 6376 3.6.2.2), so the fixture publishes them that way too.
std::vector<std::string> txt_strings(std::string_view value) {
  std::vector<std::string> strings;
  do {
    strings.emplace_back(value.substr(0, 255));
    value.remove_prefix(std::min<std::size_t>(value.size(), 255));
  } while (!value.empty());
  return strings;
}

std::string scalar(const YAML::Node& node) {
  return node && node.IsScalar() ? node.as<std::string>() : std::string();
}

DkimCase broken(std::string file, std::string why) {
  DkimCase c;
  c.file = std::move(file);
  c.load_error = std::move(why);
  c.zone = std::make_shared<dns::ZoneResolver>();
  return c;
}

DkimCase build_case(const YAML::Node& entry, const std::string& fake_dns) {
  DkimCase c;
  c.file = scalar(entry["file"]);
  c.zone = std::make_shared<dns::ZoneResolver>();
  std::string raw;
  if (!read_file(corpus_dir + c.file, raw))
    return broken(c.file, "cannot read " + corpus_dir + c.file);
  // README: "most files use LF; convert every bare LF to CRLF before verifying". Files marked
  // CRLF are already wire form and must not be touched (a lone LF in them is data).
  c.message = scalar(entry["line_endings"]).starts_with("LF") ? to_crlf(raw) : raw;

  const YAML::Node& dns = entry["dns"];
  if (dns && dns.IsMap()) {
    for (const auto& record : dns)
      c.zone->add_txt(record.first.as<std::string>(), txt_strings(record.second.as<std::string>()));
  } else if (scalar(dns) == "mail-dkim/FAKE_DNS.dat") {
    if (std::string error = load_fake_dns(fake_dns, *c.zone); !error.empty())
      return broken(c.file, "FAKE_DNS.dat: " + error);
  } else if (dns) {
    return broken(c.file, "unknown dns entry '" + scalar(dns) + "'");
  }

  std::vector<std::string> expected;
  for (const YAML::Node& result : entry["rfc_expected"])
    expected.push_back(result.as<std::string>());
  if (expected == std::vector<std::string>{"none"}) return c;  // no DKIM-Signature at all
  const YAML::Node& signatures = entry["signatures"];
  if (!signatures || signatures.size() != expected.size())
    return broken(c.file, "rfc_expected and signatures disagree on the signature count");
  for (std::size_t i = 0; i < expected.size(); ++i) {
    const YAML::Node& signature = signatures[i];
    std::vector<std::string> acceptable = {expected[i]};
    if (scalar(signature["rfc_expected"]) != expected[i])
      return broken(c.file, "per-signature rfc_expected differs from the message's list");
    for (const YAML::Node& also : signature["rfc_also_acceptable"])
      acceptable.push_back(also.as<std::string>());
    c.acceptable.push_back(std::move(acceptable));
    c.domains.push_back(scalar(signature["d"]));
    c.reasons.push_back(scalar(signature["rfc_reason"]));
  }
  return c;
}

}  // namespace

std::string to_crlf(std::string_view text) {
  std::string out;
  out.reserve(text.size() + text.size() / 32);
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\n' && (i == 0 || text[i - 1] != '\r')) out += '\r';
    out += text[i];
  }
  return out;
}

std::string load_fake_dns(const std::string& text, dns::ZoneResolver& zone) {
  std::istringstream lines(text);
  std::string line;
  std::size_t number = 0;
  while (std::getline(lines, line)) {
    ++number;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    std::size_t start = line.find_first_not_of(" \t");
    if (start == std::string::npos || line[start] == '#' || line[start] == ';') continue;
    std::size_t name_end = line.find_first_of(" \t", start);
    if (name_end == std::string::npos) return "line " + std::to_string(number) + " has no value";
    std::string name = line.substr(start, name_end - start);
    // "split at the first run of whitespace; the rest of the line is the value, verbatim"
    std::string value = line.substr(line.find_first_not_of(" \t", name_end));
    if (value == "NXDOMAIN") continue;  // a name the zone does not have answers NXDOMAIN
    if (value == "~~Query timed out~~") {
      zone.add_failure(name, dns::Status::timeout);
    } else if (value == "~~SERVFAIL~~") {
      zone.add_failure(name, dns::Status::servfail);
    } else if (value == "\"\"") {
      zone.add_txt(name, {""});
    } else {
      zone.add_txt(name, txt_strings(value));
    }
  }
  return {};
}

std::vector<DkimCase> load_dkim_corpus() {
  YAML::Node manifest;
  try {
    manifest = YAML::LoadFile(corpus_dir + "manifest.yaml");
  } catch (const std::exception& error) {
    return {broken("manifest.yaml", error.what())};
  }
  std::string fake_dns;
  if (!read_file(corpus_dir + "mail-dkim/FAKE_DNS.dat", fake_dns))
    return {broken("mail-dkim/FAKE_DNS.dat", "cannot read it")};
  std::vector<DkimCase> cases;
  try {
    for (const YAML::Node& entry : manifest["cases"]) cases.push_back(build_case(entry, fake_dns));
  } catch (const std::exception& error) {
    cases.push_back(broken("manifest.yaml", error.what()));
  }
  if (cases.empty()) return {broken("manifest.yaml", "no cases found")};
  return cases;
}

std::string case_name(const DkimCase& c) {
  std::string name = c.file;
  for (char& ch : name)
    if (!std::isalnum(static_cast<unsigned char>(ch))) ch = '_';
  return name;
}

}  // namespace hallmark::dkim::testing
