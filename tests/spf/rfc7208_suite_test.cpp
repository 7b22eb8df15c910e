// SPDX-License-Identifier: Apache-2.0
// The OpenSPF RFC 7208 suite, every case its own test, plus the RFC 4408 cases that RFC 7208
// did not change and pyspf's own regression cases.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "spf_suite.hpp"

namespace hallmark::spf::testing {
namespace {

void check(const SpfCase& c) {
  Result r = run_case(c);
  std::string got(to_string(r.outcome));
  EXPECT_THAT(c.acceptable, ::testing::Contains(got))
      << c.file << " " << c.id << " (" << c.spec << "): " << r.reason;
  if (c.explanation && r.outcome == Outcome::fail) {
    EXPECT_EQ(r.explanation, *c.explanation) << c.id;
  }
}

std::string name_of(const ::testing::TestParamInfo<SpfCase>& test) { return case_name(test.param); }

class Rfc7208 : public ::testing::TestWithParam<SpfCase> {};
TEST_P(Rfc7208, GivesExpectedResult) { check(GetParam()); }
INSTANTIATE_TEST_SUITE_P(Spf, Rfc7208, ::testing::ValuesIn(load_spf_suite("spf/rfc7208-tests.yml")),
                         name_of);

// RFC 4408 suite: every case passes under RFC 7208 rules (where RFC 7208 changed an
// expectation, the old suite already lists the new result as acceptable).
class Rfc4408 : public ::testing::TestWithParam<SpfCase> {};
TEST_P(Rfc4408, GivesExpectedResult) { check(GetParam()); }
INSTANTIATE_TEST_SUITE_P(Spf, Rfc4408, ::testing::ValuesIn(load_spf_suite("spf/rfc4408-tests.yml")),
                         name_of);

// pyspf's own cases, less the two that test pyspf extensions rather than RFC 7208 (its
// "strict" levels and "ambiguous" result; suite README note 9).
std::vector<SpfCase> rfc_pyspf_cases() {
  std::vector<SpfCase> cases;
  for (SpfCase& c : load_spf_suite("spf/pyspf-test.yml"))
    if (!c.pyspf_extension) cases.push_back(std::move(c));
  return cases;
}

class PySpf : public ::testing::TestWithParam<SpfCase> {};
TEST_P(PySpf, GivesExpectedResult) { check(GetParam()); }
INSTANTIATE_TEST_SUITE_P(Spf, PySpf, ::testing::ValuesIn(rfc_pyspf_cases()), name_of);

}  // namespace
}  // namespace hallmark::spf::testing
