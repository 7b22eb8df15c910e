// SPDX-License-Identifier: Apache-2.0
// Loader for the OpenSPF/pyspf YAML suites in ../shared/conformance/spf: each test becomes a
// case with its own zone, built the way the suites' own runner builds it (README quirks).
#pragma once

#include <memory>
#include <ostream>
#include <string>
#include <vector>

#include "hallmark/dns/resolver.hpp"
#include "hallmark/dns/zone_resolver.hpp"
#include "hallmark/spf/evaluate.hpp"

namespace hallmark::spf::testing {

struct SpfCase {
  std::string file;      // "rfc7208-tests.yml"
  std::string scenario;  // scenario description
  std::string id;        // test id, unique per file
  std::string spec;
  std::string helo, host, mailfrom;
  std::vector<std::string> acceptable;  // result names, first preferred
  std::optional<std::string> explanation;
  bool pyspf_extension = false;  // "strict" levels or the "ambiguous" result: not RFC 7208
  std::shared_ptr<dns::ZoneResolver> zone;  // shared by the scenario's tests
};

/// Loads every test of a suite file (path relative to the conformance directory). A file
/// that cannot be read or parsed yields one case whose id says so, so the run fails loudly.
std::vector<SpfCase> load_spf_suite(const std::string& relative_path);

/// The suite runner's resolver rules on top of the zone: names starting with "error." time
/// out (README quirk 4).
class SuiteResolver final : public dns::Resolver {
 public:
  explicit SuiteResolver(dns::ZoneResolver& zone) : zone_(zone) {}
  void lookup(std::string_view name, dns::Type type, Completion done) override;

 private:
  dns::ZoneResolver& zone_;
};

/// Runs one case as the suite's runner does: HELO identity when mailfrom is empty.
Result run_case(const SpfCase& c);

/// gtest parameter name: file, scenario index and id, reduced to [A-Za-z0-9_].
std::string case_name(const SpfCase& c);

inline void PrintTo(const SpfCase& c, std::ostream* out) { *out << c.file << ":" << c.id; }

}  // namespace hallmark::spf::testing
