// SPDX-License-Identifier: Apache-2.0
// The DKIM vectors of ../shared/conformance/dkim (RFC 8463 example, dkimpy, Mail::DKIM corpus),
// every message its own test, each signature's outcome checked against the manifest's
// RFC 6376 + RFC 8301 + RFC 8463 expectation.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "dkim_corpus.hpp"
#include "hallmark/core/sync_wait.hpp"
#include "hallmark/dkim/verify.hpp"

namespace hallmark::dkim::testing {
namespace {

// The corpus' newest signature is t=1528637909 (2018, the RFC 8463 example) and its only x=
// (1193229946, 2007, mail-dkim ignore_7) sits on an rsa-sha1 signature that RFC 8301 rejects
// whatever the time. 2023-11-14 is after every t=, so no signature is "from the future", and
// the manifest's expectations, which ignore time, hold. The system clock would work today too,
// but pinning keeps the run reproducible.
constexpr std::int64_t corpus_now = 1700000000;

std::vector<Result> verify_case(const DkimCase& c) {
  VerifyOptions options;
  options.now = [] { return corpus_now; };
  // A cache per run: the zones of different cases publish different keys under the same name.
  KeyCache cache;
  options.key_cache = &cache;
  return core::sync_wait(verify_message(*c.zone, c.message, options), c.zone->pump());
}

class DkimCorpus : public ::testing::TestWithParam<DkimCase> {};

TEST_P(DkimCorpus, GivesRfcResultPerSignature) {
  const DkimCase& c = GetParam();
  ASSERT_TRUE(c.load_error.empty()) << c.file << ": " << c.load_error;
  std::vector<Result> results = verify_case(c);
  // A message with only DomainKey-Signature (RFC 4870) fields has nothing for DKIM: "none" is
  // an empty result list.
  ASSERT_EQ(results.size(), c.acceptable.size()) << c.file;
  for (std::size_t i = 0; i < results.size(); ++i) {
    const Result& r = results[i];
    EXPECT_THAT(c.acceptable[i], ::testing::Contains(std::string(to_string(r.outcome))))
        << c.file << " signature " << i << " (d=" << r.domain << " s=" << r.selector
        << " a=" << r.algorithm << "): got " << to_string(r.reason) << ": " << r.detail
        << "\n  manifest says: " << c.reasons[i];
    // Header order: the i-th result belongs to the i-th signature the manifest lists.
    if (!c.domains[i].empty() && !r.domain.empty()) {
      EXPECT_EQ(r.domain, c.domains[i]) << c.file;
    }
  }
}

std::string name_of(const ::testing::TestParamInfo<DkimCase>& test) {
  return case_name(test.param);
}

INSTANTIATE_TEST_SUITE_P(Dkim, DkimCorpus, ::testing::ValuesIn(load_dkim_corpus()), name_of);

// README: "82 messages, 90 signatures", where the 90 counts the "none" of each of the 17
// DomainKeys-only messages: 73 DKIM-Signature fields in all. A loader that silently skipped
// entries would still pass every case it kept.
TEST(DkimCorpusManifest, ListsEveryMessageAndSignature) {
  std::vector<DkimCase> cases = load_dkim_corpus();
  std::size_t signatures = 0, unsigned_messages = 0;
  for (const DkimCase& c : cases) {
    signatures += c.acceptable.size();
    unsigned_messages += c.acceptable.empty() ? 1 : 0;
  }
  EXPECT_EQ(cases.size(), 82u);
  EXPECT_EQ(signatures, 73u);
  EXPECT_EQ(unsigned_messages, 17u);
}

// The real pass vectors of the corpus, checked one level deeper than the outcome: the RFC 8463
// example's two signatures both pass, the Ed25519 one first, with the key sizes reported.
TEST(DkimCorpusManifest, Rfc8463ExampleBothSignaturesPassInHeaderOrder) {
  for (const DkimCase& c : load_dkim_corpus()) {
    if (c.file != "rfc8463/rfc8463-example.msg") continue;
    std::vector<Result> results = verify_case(c);
    ASSERT_EQ(results.size(), 2u);
    EXPECT_EQ(results[0].outcome, Outcome::pass) << results[0].detail;
    EXPECT_EQ(results[0].algorithm, "ed25519-sha256");
    EXPECT_EQ(results[0].key_bits, 256u);
    EXPECT_EQ(results[1].outcome, Outcome::pass) << results[1].detail;
    EXPECT_EQ(results[1].algorithm, "rsa-sha256");
    EXPECT_EQ(results[1].key_bits, 1024u);
    EXPECT_LT(results[0].field_index, results[1].field_index);
    return;
  }
  FAIL() << "rfc8463/rfc8463-example.msg is not in the manifest";
}

}  // namespace
}  // namespace hallmark::dkim::testing
