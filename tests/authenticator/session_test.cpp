// SPDX-License-Identifier: Apache-2.0
// Sessions over simulated DNS time: a verdict takes its longest chain of dependent lookups, not
// their sum; SPF runs while the message is still coming; abandoning a session is safe at every
// state with lookups pending; the deadline and the query cap turn what is left into
// temperrors and say so.
#include <gtest/gtest.h>

#include "hallmark/dkim/key_cache.hpp"
#include "session_fixture.hpp"
#include "support/simulated_resolver.hpp"

namespace hallmark::authenticator {
namespace {

using namespace std::chrono_literals;
using test_support::SimulatedResolver;
using testing::expect_all_pass;
using testing::session_envelope;
using testing::session_message;
using testing::session_options;
using testing::session_zone;

constexpr auto delay = 100ms;

// A zone, a simulated resolver over it, a key cache of its own (the process-wide one would
// answer keys without a lookup), and an authenticator on simulated time.
struct Rig {
  explicit Rig(Options options = session_options())
      : zone(session_zone()), message(session_message(zone)), simulated(zone, delay) {
    options.dkim.key_cache = &keys;
    options.arc.key_cache = &keys;
    options.clock = [this] { return simulated.now(); };
    authenticator = std::make_unique<Authenticator>(simulated, std::move(options));
  }
  dns::ZoneResolver zone;
  std::string message;
  SimulatedResolver simulated;
  dkim::KeyCache keys;
  std::unique_ptr<Authenticator> authenticator;
};

std::string_view header_part(std::string_view message) {
  return message.substr(0, message.find("\r\n\r\n") + 4);
}
std::string_view body_part(std::string_view message) {
  return message.substr(message.find("\r\n\r\n") + 4);
}

TEST(SessionLatency, VerdictTakesTheLongestChainOfLookupsNotTheirSum) {
  Rig rig;
  std::unique_ptr<Session> session = rig.authenticator->start(session_envelope());
  ASSERT_TRUE(session->feed(rig.message));
  Verdict verdict = session->finish_blocking();
  expect_all_pass(verdict);
  // SPF: the policy, then three includes, one after the other. Everything else (the HELO
  // policy and its address, both DKIM keys, both ARC keys, the DMARC record) runs beside it.
  EXPECT_EQ(rig.simulated.elapsed(), 4 * delay);
  EXPECT_GE(rig.simulated.lookups(), 8u);
}

TEST(SessionLatency, SpfFinishesBeforeTheBodyArrives) {
  Rig rig;
  std::unique_ptr<Session> session = rig.authenticator->start();
  session->set_client(*core::IpAddress::parse("192.0.2.10"));
  session->set_helo("mail.example.com");
  session->set_mail_from("alice@example.com");
  session->add_recipient("bob@example.net");
  EXPECT_GT(session->pending_lookups(), 0u);
  // The client is slow to send DATA: SPF completes meanwhile.
  rig.simulated.drain();
  EXPECT_EQ(rig.simulated.elapsed(), 4 * delay);
  EXPECT_EQ(session->pending_lookups(), 0u);
  std::size_t spf_lookups = rig.simulated.lookups();

  ASSERT_TRUE(session->feed(header_part(rig.message)));
  // End of headers: every key and the DMARC record are asked for at once.
  EXPECT_EQ(session->pending_lookups(), rig.simulated.lookups() - spf_lookups);
  EXPECT_GE(session->pending_lookups(), 3u);
  ASSERT_TRUE(session->feed(body_part(rig.message)));
  Verdict verdict = session->finish_blocking();
  expect_all_pass(verdict);
  // After the headers the longest chain is DMARC's tree walk (RFC 9989 4.10): _dmarc.example.com,
  // then _dmarc.com for the organizational domain. Keys for both signatures and both ARC sets
  // come in the first of those two rounds.
  EXPECT_EQ(rig.simulated.elapsed(), 6 * delay);
}

TEST(SessionLatency, HeaderFieldsOneByOneStartLookupsAtTheirEnd) {
  Rig rig;
  std::unique_ptr<Session> session = rig.authenticator->start(session_envelope());
  std::string_view headers = header_part(rig.message);
  // Cut into fields the way a milter sees them.
  std::size_t at = 0;
  while (at < headers.size() - 2) {
    std::size_t end = at;
    do end = headers.find("\r\n", end) + 2;
    while (headers[end] == ' ' || headers[end] == '\t');
    std::string_view field = headers.substr(at, end - at - 2);
    std::size_t colon = field.find(':');
    ASSERT_TRUE(session->add_header(field.substr(0, colon), field.substr(colon + 1)));
    at = end;
  }
  std::size_t before = rig.simulated.lookups();
  ASSERT_TRUE(session->end_of_headers());
  EXPECT_GT(rig.simulated.lookups(), before);
  EXPECT_FALSE(session->add_header("X-Late", "too late"));
  ASSERT_TRUE(session->feed(body_part(rig.message)));
  expect_all_pass(session->finish_blocking());
}

TEST(SessionHeaders, ValuesMayFoldButNotBreak) {
  Rig rig;
  std::unique_ptr<Session> session = rig.authenticator->start(session_envelope());
  EXPECT_TRUE(session->add_header("Subject", "folded\n\tacross\r\n two lines"));
  EXPECT_FALSE(session->add_header("Subject", "broken\nFrom: ceo@example.com"));
  EXPECT_FALSE(session->add_header("Subject", "ends in a break\r\n"));
  EXPECT_FALSE(session->add_header("Bad Name", "x"));
  EXPECT_FALSE(session->add_header("", "x"));
  ASSERT_TRUE(session->end_of_headers());
  Verdict verdict = session->finish_blocking();
  // The rejected values never became fields: no From, so DMARC finds no author.
  EXPECT_TRUE(verdict.dmarc.unusable_from);
}

// Abandoning: each state with answers still queued in the resolver, which are then delivered
// to nothing. AddressSanitizer (the asan configuration of .ci/run) sees any use after free or
// leak.
enum class Abandon { destroy, cancel_then_destroy };

void abandon(std::unique_ptr<Session>& session, Abandon how) {
  if (how == Abandon::cancel_then_destroy) session->cancel();
  session.reset();
}

class SessionAbandon : public ::testing::TestWithParam<Abandon> {};

TEST_P(SessionAbandon, WithOnlyTheEnvelope) {
  Rig rig;
  std::unique_ptr<Session> session = rig.authenticator->start(session_envelope());
  EXPECT_GT(session->pending_lookups(), 0u);
  abandon(session, GetParam());
  EXPECT_GT(rig.simulated.queued(), 0u);
  rig.simulated.drain();
}

TEST_P(SessionAbandon, WithTheHeadersIn) {
  Rig rig;
  std::unique_ptr<Session> session = rig.authenticator->start(session_envelope());
  ASSERT_TRUE(session->feed(header_part(rig.message)));
  // Answer part of what is pending: some coroutines have moved on, others still wait.
  rig.simulated.pump_once();
  rig.simulated.pump_once();
  abandon(session, GetParam());
  rig.simulated.drain();
}

TEST_P(SessionAbandon, WithHalfTheBodyIn) {
  Rig rig;
  std::unique_ptr<Session> session = rig.authenticator->start(session_envelope());
  std::string_view body = body_part(rig.message);
  ASSERT_TRUE(session->feed(header_part(rig.message)));
  ASSERT_TRUE(session->feed(body.substr(0, body.size() / 2)));
  abandon(session, GetParam());
  rig.simulated.drain();
}

TEST_P(SessionAbandon, WhileTheVerdictAwaitsLookups) {
  Rig rig;
  std::unique_ptr<Session> session = rig.authenticator->start(session_envelope());
  ASSERT_TRUE(session->feed(rig.message));
  core::Task<Verdict> verdict = session->finish();
  verdict.start_detached(std::noop_coroutine());
  EXPECT_FALSE(verdict.done());
  rig.simulated.pump_once();
  // The task goes first, then its session.
  verdict = core::Task<Verdict>();
  abandon(session, GetParam());
  rig.simulated.drain();
}

TEST_P(SessionAbandon, BetweenSessionsOthersAreUntouched) {
  Rig rig;
  std::unique_ptr<Session> kept = rig.authenticator->start(session_envelope());
  std::unique_ptr<Session> dropped = rig.authenticator->start(session_envelope());
  ASSERT_TRUE(kept->feed(rig.message));
  ASSERT_TRUE(dropped->feed(rig.message));
  abandon(dropped, GetParam());
  expect_all_pass(kept->finish_blocking());
}

INSTANTIATE_TEST_SUITE_P(Ways, SessionAbandon,
                         ::testing::Values(Abandon::destroy, Abandon::cancel_then_destroy),
                         [](const auto& param) {
                           return param.param == Abandon::destroy ? "Destroy" : "CancelThenDestroy";
                         });

TEST(SessionAbandon, CancelledSessionCannotFinish) {
  Rig rig;
  std::unique_ptr<Session> session = rig.authenticator->start(session_envelope());
  session->cancel();
  EXPECT_EQ(session->pending_lookups(), 0u);
  EXPECT_FALSE(session->feed("From: a@example.com\r\n"));
  EXPECT_THROW(static_cast<void>(session->finish()), std::logic_error);
}

TEST(SessionDeadline, PendingLookupsBecomeTemperrorsNeverPasses) {
  Options options = session_options();
  options.deadline = 2s;
  Rig rig(options);
  // The third include and one DKIM key answer long after the deadline.
  rig.simulated.set_delay("c.example.com", 30s);
  rig.simulated.set_delay("two._domainkey.example.com", 30s);
  std::unique_ptr<Session> session = rig.authenticator->start(session_envelope());
  ASSERT_TRUE(session->feed(rig.message));
  Verdict verdict = session->finish_blocking();
  EXPECT_EQ(rig.simulated.elapsed(), 2s);
  ASSERT_TRUE(verdict.spf_mail_from);
  EXPECT_EQ(verdict.spf_mail_from->outcome, spf::Outcome::temperror);
  ASSERT_EQ(verdict.dkim.size(), 2u);
  // Header order: the second signature added (selector two) is the first field.
  EXPECT_EQ(verdict.dkim[0].selector, "two");
  EXPECT_EQ(verdict.dkim[0].outcome, dkim::Outcome::temperror);
  EXPECT_EQ(verdict.dkim[1].outcome, dkim::Outcome::pass);
  // DKIM one still aligns: DMARC passes on what did arrive.
  EXPECT_EQ(verdict.dmarc.outcome, dmarc::Outcome::pass);
  EXPECT_TRUE(verdict.has_tag(Tag::spf_dnsfail));
  EXPECT_TRUE(verdict.has_tag(Tag::dkim_tempfail));
  EXPECT_TRUE(verdict.temporary_failure());
  ASSERT_EQ(verdict.limits.size(), 1u);
  EXPECT_EQ(verdict.limits[0].limit, Limit::deadline);
  rig.simulated.drain();
}

TEST(SessionDeadline, ASlowTransactionStillGivesItsLastLookupsTheWholeDeadline) {
  Options options = session_options();
  options.deadline = 2s;
  Rig rig(options);
  rig.simulated.set_delay("_dmarc.example.com", 1500ms);
  std::unique_ptr<Session> session = rig.authenticator->start(session_envelope());
  // The client takes 10 s from MAIL FROM to the end of its message, far past the deadline
  // counted from the start; the DKIM and DMARC lookups only start with its header section.
  rig.simulated.advance_to(rig.simulated.now() + 10s);
  ASSERT_TRUE(session->feed(rig.message));
  Verdict verdict = session->finish_blocking();
  EXPECT_EQ(verdict.dmarc.outcome, dmarc::Outcome::pass);
  EXPECT_FALSE(verdict.temporary_failure());
  EXPECT_TRUE(verdict.limits.empty());
  rig.simulated.drain();
}

TEST(SessionDeadline, DmarcRecordLateIsTemperror) {
  Options options = session_options();
  options.deadline = 1s;
  Rig rig(options);
  rig.simulated.set_delay("_dmarc.example.com", 10s);
  Verdict verdict = rig.authenticator->verify_blocking(rig.message, session_envelope());
  EXPECT_EQ(verdict.dmarc.outcome, dmarc::Outcome::temperror);
  EXPECT_TRUE(verdict.has_tag(Tag::dmarc_dnsfail));
  EXPECT_EQ(verdict.disposition, dmarc::Disposition::none);
}

TEST(SessionDeadline, ExpireByTheHostsTimer) {
  Rig rig;
  rig.simulated.set_delay("_dmarc.example.com", 10s);
  std::unique_ptr<Session> session = rig.authenticator->start(session_envelope());
  ASSERT_TRUE(session->feed(rig.message));
  core::Task<Verdict> task = session->finish();
  task.start_detached(std::noop_coroutine());
  while (!task.done() && rig.simulated.now() < session->deadline())
    rig.simulated.pump_once_until(session->deadline());
  EXPECT_FALSE(task.done());
  session->expire();
  ASSERT_TRUE(task.done());
  Verdict verdict = task.take_result();
  EXPECT_EQ(verdict.dmarc.outcome, dmarc::Outcome::temperror);
  rig.simulated.drain();
}

TEST(SessionLimits, QueryCapFailsTheRestAndSaysSo) {
  Options options = session_options();
  options.max_dns_queries = 3;
  options.check_helo = false;
  Rig rig(options);
  Verdict verdict = rig.authenticator->verify_blocking(rig.message, session_envelope());
  // The SPF chain needs four lookups by itself.
  ASSERT_TRUE(verdict.spf_mail_from);
  EXPECT_EQ(verdict.spf_mail_from->outcome, spf::Outcome::temperror);
  ASSERT_FALSE(verdict.limits.empty());
  EXPECT_EQ(verdict.limits[0].limit, Limit::dns_queries);
  EXPECT_LE(rig.simulated.lookups(), 3u);
}

TEST(SessionLimits, ArcChainLongerThanTheCapIsNotValidated) {
  Options options = session_options();
  options.max_arc_sets = 1;
  Rig rig(options);
  Verdict verdict = rig.authenticator->verify_blocking(rig.message, session_envelope());
  EXPECT_EQ(verdict.arc.outcome, arc::ChainStatus::fail);
  EXPECT_EQ(verdict.arc.reason, arc::Reason::too_many_sets);
  EXPECT_TRUE(verdict.has_tag(Tag::arc_reject));
  ASSERT_FALSE(verdict.limits.empty());
  EXPECT_EQ(verdict.limits[0].limit, Limit::arc_sets);
}

TEST(SessionLimits, SignaturesPastTheCapAreNotVerified) {
  Options options = session_options();
  options.max_dkim_signatures = 1;
  Rig rig(options);
  Verdict verdict = rig.authenticator->verify_blocking(rig.message, session_envelope());
  ASSERT_EQ(verdict.dkim.size(), 2u);
  EXPECT_EQ(verdict.dkim[0].outcome, dkim::Outcome::pass);
  EXPECT_EQ(verdict.dkim[1].reason, dkim::Reason::too_many_signatures);
  ASSERT_FALSE(verdict.limits.empty());
  EXPECT_EQ(verdict.limits[0].limit, Limit::dkim_signatures);
}

TEST(SessionLimits, HeaderSectionPastTheLimitIsNeitherUnsignedNorUnauthenticated) {
  Options options = session_options();
  options.header_limits.max_header_bytes = 1024;
  Rig rig(options);
  std::string flood;
  for (int i = 0; i < 100; ++i) flood += "X-Flood: " + std::string(40, 'x') + "\r\n";
  std::unique_ptr<Session> session = rig.authenticator->start(session_envelope());
  EXPECT_FALSE(session->feed(flood + rig.message));
  Verdict verdict = session->finish_blocking();
  ASSERT_EQ(verdict.dkim.size(), 1u);
  EXPECT_EQ(verdict.dkim[0].outcome, dkim::Outcome::permerror);
  EXPECT_EQ(verdict.arc.outcome, arc::ChainStatus::fail);
  EXPECT_NE(verdict.dmarc.outcome, dmarc::Outcome::pass);
  EXPECT_EQ(verdict.disposition, dmarc::Disposition::reject);
  ASSERT_FALSE(verdict.limits.empty());
  EXPECT_EQ(verdict.limits.back().limit, Limit::header_section);
}

TEST(SessionEnvelope, NullReversePathChecksPostmasterAtHelo) {
  Rig rig;
  Envelope envelope = session_envelope();
  envelope.mail_from.clear();
  Verdict verdict = rig.authenticator->verify_blocking(rig.message, envelope);
  ASSERT_TRUE(verdict.spf_mail_from);
  EXPECT_EQ(verdict.spf_mail_from->identity, spf::Identity::helo);
  EXPECT_EQ(verdict.spf_mail_from->sender, "postmaster@mail.example.com");
  EXPECT_EQ(verdict.spf_mail_from->outcome, spf::Outcome::pass);
  // The same identity is not checked twice.
  EXPECT_FALSE(verdict.spf_helo);
}

// As an SMTP server sees it: the client and HELO first (the HELO check starts), then MAIL
// FROM:<>. The HELO check already running is the MAIL FROM check; it is not run twice.
TEST(SessionEnvelope, NullReversePathAfterHeloIsCheckedOnce) {
  Rig rig;
  const Envelope envelope = session_envelope();
  std::unique_ptr<Session> session = rig.authenticator->start();
  session->set_client(*envelope.ip);
  session->set_helo(envelope.helo);
  session->set_mail_from("");
  ASSERT_TRUE(session->feed(rig.message));
  Verdict verdict = session->finish_blocking();
  ASSERT_TRUE(verdict.spf_mail_from);
  EXPECT_EQ(verdict.spf_mail_from->identity, spf::Identity::helo);
  EXPECT_EQ(verdict.spf_mail_from->sender, "postmaster@mail.example.com");
  EXPECT_FALSE(verdict.spf_helo);
  Envelope whole = envelope;
  whole.mail_from.clear();
  EXPECT_EQ(verdict.authentication_results,
            rig.authenticator->verify_blocking(rig.message, whole).authentication_results);
}

TEST(SessionEnvelope, WithoutAClientThereIsNoSpf) {
  Rig rig;
  Verdict verdict = rig.authenticator->verify_blocking(rig.message);
  EXPECT_FALSE(verdict.spf_mail_from);
  EXPECT_FALSE(verdict.spf_helo);
  EXPECT_EQ(verdict.dmarc.outcome, dmarc::Outcome::pass);  // DKIM aligns
}

}  // namespace
}  // namespace hallmark::authenticator
