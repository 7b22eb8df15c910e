// SPDX-License-Identifier: Apache-2.0
// The milter's answers to a verdict: DMARC reject and quarantine, temporary failures, and
// what stays a plain accept.
#include <gtest/gtest.h>

#include "policy.hpp"

namespace hallmark::milter {
namespace {

using authenticator::Tag;

authenticator::Verdict verdict(dmarc::Outcome outcome, dmarc::Disposition disposition,
                               std::vector<Tag> tags = {}) {
  authenticator::Verdict v;
  v.dmarc.outcome = outcome;
  v.dmarc.author_domain = "example.com";
  v.dmarc.disposition = disposition;
  v.disposition = disposition;
  for (Tag tag : tags) v.tags.push_back({tag, 1.0});
  return v;
}

TEST(MilterPolicy, RejectOnlyWhenAsked) {
  Config config;
  authenticator::Verdict v = verdict(dmarc::Outcome::fail, dmarc::Disposition::reject);
  EXPECT_EQ(decide(v, config).action, Action::accept);
  config.reject_dmarc = true;
  Decision d = decide(v, config);
  EXPECT_EQ(d.action, Action::reject);
  EXPECT_EQ(d.reply_code, "550");
  EXPECT_EQ(d.enhanced_code, "5.7.1");
  EXPECT_EQ(d.reply_text, "Message rejected: it fails the DMARC policy of example.com");
}

TEST(MilterPolicy, AnUnenforcedRejectIsQuarantinedAsConfigured) {
  Config config;
  config.quarantine = QuarantineAction::header;
  Decision d = decide(verdict(dmarc::Outcome::fail, dmarc::Disposition::reject), config);
  EXPECT_EQ(d.action, Action::accept);
  EXPECT_TRUE(d.quarantine_header);
  EXPECT_EQ(d.quarantine_reason, "DMARC policy of example.com: reject");
}

TEST(MilterPolicy, QuarantineByMilterHeaderOrNothing) {
  authenticator::Verdict v = verdict(dmarc::Outcome::fail, dmarc::Disposition::quarantine);
  Config config;
  Decision none = decide(v, config);
  EXPECT_EQ(none.action, Action::accept);
  EXPECT_FALSE(none.quarantine_header);
  EXPECT_TRUE(none.quarantine_reason.empty());

  config.quarantine = QuarantineAction::milter;
  Decision held = decide(v, config);
  EXPECT_EQ(held.action, Action::quarantine);
  EXPECT_EQ(held.quarantine_reason, "DMARC policy of example.com: quarantine");
  EXPECT_FALSE(held.quarantine_header);

  config.quarantine = QuarantineAction::header;
  Decision marked = decide(v, config);
  EXPECT_EQ(marked.action, Action::accept);
  EXPECT_TRUE(marked.quarantine_header);
}

TEST(MilterPolicy, TemporaryFailureTempfailsOnlyWhenAskedAndDmarcDidNotPass) {
  Config config;
  authenticator::Verdict failing = verdict(dmarc::Outcome::temperror, dmarc::Disposition::none,
                                           {Tag::spf_dnsfail, Tag::dmarc_dnsfail});
  EXPECT_EQ(decide(failing, config).action, Action::accept);
  config.temporary_failure = TemporaryFailureAction::tempfail;
  Decision d = decide(failing, config);
  EXPECT_EQ(d.action, Action::tempfail);
  EXPECT_EQ(d.reply_code, "451");
  EXPECT_EQ(d.enhanced_code, "4.7.0");
  EXPECT_EQ(d.reply_text, "Temporary DNS failure checking SPF, DMARC; try again later");

  // DMARC passed through DKIM: SPF's missing answer changes nothing.
  authenticator::Verdict passing =
      verdict(dmarc::Outcome::pass, dmarc::Disposition::none, {Tag::spf_dnsfail});
  EXPECT_EQ(decide(passing, config).action, Action::accept);
}

TEST(MilterPolicy, AnEnforcedRejectWinsOverATemporaryFailure) {
  Config config;
  config.reject_dmarc = true;
  config.temporary_failure = TemporaryFailureAction::tempfail;
  Decision d = decide(
      verdict(dmarc::Outcome::fail, dmarc::Disposition::reject, {Tag::dkim_tempfail}), config);
  EXPECT_EQ(d.action, Action::reject);
}

TEST(MilterPolicy, PassAndNoneAreAccepted) {
  Config config;
  config.reject_dmarc = true;
  config.quarantine = QuarantineAction::milter;
  EXPECT_EQ(decide(verdict(dmarc::Outcome::pass, dmarc::Disposition::none), config).action,
            Action::accept);
  EXPECT_EQ(decide(verdict(dmarc::Outcome::none, dmarc::Disposition::none), config).action,
            Action::accept);
}

}  // namespace
}  // namespace hallmark::milter
