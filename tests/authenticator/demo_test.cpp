// SPDX-License-Identifier: Apache-2.0
// The offline demo through the library: each story of examples/demo/envelopes verified against
// demo.zone with the demo's allow lists and trusted sealers, at a pinned time. Each message
// gives its exact per-protocol results, tags, score, disposition and local-policy changes, and
// the same verdict whether it arrives whole, in 7-byte chunks, or field by field as a milter
// hands it over.
#include <gtest/gtest.h>

#include <cstdint>
#include <fstream>
#include <memory>
#include <optional>
#include <ostream>
#include <sstream>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "hallmark/authenticator/authenticator.hpp"
#include "hallmark/dkim/key_cache.hpp"
#include "support/demo_envelopes.hpp"

#include "print_results.hpp"

namespace hallmark::authenticator {
namespace {

// 2026-11-30, after every demo signature's t=; no demo signature has an x=.
constexpr std::int64_t pinned_now = 1796000000;

using test_support::demo_message;
using test_support::demo_path;
using test_support::DemoMessage;
using test_support::read_envelopes;
using test_support::read_file;

Envelope envelope_of(const DemoMessage& m) {
  Envelope envelope;
  core::Expected<core::IpAddress> ip = core::IpAddress::parse(m.ip);
  EXPECT_TRUE(ip) << m.ip;
  if (ip) envelope.ip = *ip;
  envelope.helo = m.helo;
  envelope.mail_from = m.mail_from == "<>" ? "" : m.mail_from;
  envelope.recipients = {m.rcpt};
  return envelope;
}

AllowListPtr load_list(std::string_view name) {
  core::Expected<AllowList> list = AllowList::load(demo_path(name));
  EXPECT_TRUE(list) << name << ": " << list.error().message;
  if (!list) return nullptr;
  return std::make_shared<const AllowList>(std::move(*list));
}

// The demo's receiver, mx.example.org, as examples/demo/run configures `hallmark verify`.
Authenticator& demo_authenticator() {
  // Its own key cache, so no other test's keys under the same names can answer for the zone.
  static dkim::KeyCache keys;
  static const std::unique_ptr<Authenticator> authenticator = [] {
    Options options;
    options.authserv_id = "mx.example.org";
    options.dkim.now = [] { return pinned_now; };
    options.spf.now = [] { return pinned_now; };
    options.dkim.key_cache = &keys;
    options.arc.key_cache = &keys;
    options.allow_dmarc = load_list("allow-dmarc");
    options.allow_spf_dkim = load_list("allow-spf-dkim");
    options.trusted_arc_sealers = load_list("trusted-arc");
    ResolverConfig resolver;
    resolver.zone_files = {demo_path("demo.zone")};
    core::Expected<std::unique_ptr<Authenticator>> created =
        Authenticator::create(std::move(options), std::move(resolver));
    EXPECT_TRUE(created) << created.error().message;
    return created ? std::move(*created) : nullptr;
  }();
  return *authenticator;
}

std::string score_text(double score) {
  std::ostringstream out;
  out << score;
  return out.str();
}

// "SPF_ALLOW -0.2, DKIM_ALLOW -0.2, ...": the tags in table order with their scores.
std::string tags_text(const std::vector<ScoredTag>& tags) {
  std::string out;
  for (const ScoredTag& t : tags)
    out += (out.empty() ? "" : ", ") + std::string(to_string(t.tag)) + " " + score_text(t.score);
  return out;
}

// Everything a verdict says, one item a line, to compare verdicts reached different ways.
std::string dump(const Verdict& v) {
  std::ostringstream out;
  for (const auto& [name, spf] :
       {std::pair{"spf_mail_from", &v.spf_mail_from}, std::pair{"spf_helo", &v.spf_helo}}) {
    out << name << ": ";
    if (*spf)
      out << spf::to_string((*spf)->outcome) << " " << (*spf)->domain << " (" << (*spf)->reason
          << ")";
    else
      out << "-";
    out << "\n";
  }
  for (const dkim::Result& r : v.dkim)
    out << "dkim: " << dkim::to_string(r.outcome) << "/" << dkim::to_string(r.reason)
        << " d=" << r.domain << " s=" << r.selector << " (" << r.detail << ")\n";
  out << "arc: " << arc::to_string(v.arc.outcome) << "/" << arc::to_string(v.arc.reason);
  for (const std::string& sealer : v.arc.sealers()) out << " " << sealer;
  out << "\ndmarc: " << dmarc::to_string(v.dmarc.outcome) << " " << v.dmarc.author_domain
      << " p=" << dmarc::to_string(v.dmarc.policy)
      << " dis=" << dmarc::to_string(v.dmarc.disposition) << (v.dmarc.testing ? " t=y" : "")
      << "\n";
  if (v.iprev) out << "iprev: " << to_string(v.iprev->outcome) << "\n";
  out << "tags: " << tags_text(v.tags) << "\nscore: " << score_text(v.score)
      << "\ndisposition: " << dmarc::to_string(v.disposition) << " " << v.override_reason << "\n";
  for (const PolicyChange& c : v.policy_changes)
    out << "policy: " << to_string(c.rule) << " " << c.domain << " (" << c.detail << ")\n";
  for (const LimitReached& l : v.limits)
    out << "limit: " << to_string(l.limit) << " (" << l.detail << ")\n";
  out << v.authentication_results << "\n";
  return out.str();
}

// The message as a milter receives it: header fields as name and value (the space after the
// colon dropped, each fold a "\n" followed by the continuation line's own white space), then
// the body.
struct MilterMessage {
  std::vector<std::pair<std::string, std::string>> fields;
  std::string body;
};

MilterMessage milter_split(std::string_view message) {
  MilterMessage out;
  std::size_t pos = 0;
  while (pos < message.size()) {
    std::size_t lf = message.find('\n', pos);
    std::size_t next = lf == std::string_view::npos ? message.size() : lf + 1;
    std::string_view line = message.substr(pos, next - pos);
    while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) line.remove_suffix(1);
    pos = next;
    if (line.empty()) break;  // the blank line before the body
    if ((line.front() == ' ' || line.front() == '\t') && !out.fields.empty()) {
      out.fields.back().second += "\n" + std::string(line);
      continue;
    }
    std::size_t colon = line.find(':');
    EXPECT_NE(colon, std::string_view::npos) << "not a header field: " << line;
    if (colon == std::string_view::npos) continue;
    std::string_view value = line.substr(colon + 1);
    if (!value.empty() && value.front() == ' ') value.remove_prefix(1);
    out.fields.emplace_back(std::string(line.substr(0, colon)), std::string(value));
  }
  out.body = std::string(message.substr(pos));
  return out;
}

Verdict verify_whole(const DemoMessage& m, const std::string& text) {
  return demo_authenticator().verify_blocking(text, envelope_of(m));
}

Verdict verify_in_chunks(const DemoMessage& m, const std::string& text, std::size_t size) {
  std::unique_ptr<Session> session = demo_authenticator().start(envelope_of(m));
  for (std::size_t at = 0; at < text.size(); at += size) {
    core::Expected<void> fed = session->feed(std::string_view(text).substr(at, size));
    EXPECT_TRUE(fed) << "at " << at << ": " << fed.error().message;
  }
  return session->finish_blocking();
}

// The SMTP transaction step by step, as a milter sees it.
Verdict verify_as_milter(const DemoMessage& m, const std::string& text) {
  Envelope envelope = envelope_of(m);
  std::unique_ptr<Session> session = demo_authenticator().start();
  session->set_client(*envelope.ip);
  session->set_helo(envelope.helo);
  session->set_mail_from(envelope.mail_from);
  session->add_recipient(envelope.recipients.front());
  MilterMessage split = milter_split(text);
  for (const auto& [name, value] : split.fields) {
    core::Expected<void> added = session->add_header(name, value);
    EXPECT_TRUE(added) << name << ": " << added.error().message;
  }
  core::Expected<void> ended = session->end_of_headers();
  EXPECT_TRUE(ended) << ended.error().message;
  core::Expected<void> fed = session->feed(split.body);
  EXPECT_TRUE(fed) << fed.error().message;
  return session->finish_blocking();
}

struct ExpectedDkim {
  dkim::Outcome outcome;
  dkim::Reason reason;
  std::string domain, selector;
};

struct ExpectedPolicyChange {
  PolicyRule rule;
  std::string domain;
};

struct ExpectedVerdict {
  spf::Outcome spf_mail_from;
  std::optional<spf::Outcome> spf_helo;
  std::vector<ExpectedDkim> dkim;
  arc::ChainStatus arc;
  std::vector<std::string> arc_sealers;
  dmarc::Outcome dmarc;
  std::string author_domain;
  dmarc::Policy dmarc_policy;
  dmarc::Disposition dmarc_disposition;  // DMARC's own, before local policy
  bool dmarc_testing;
  std::string tags;  // as tags_text() writes them
  double score;
  dmarc::Disposition disposition;  // after local policy
  std::string override_reason;
  std::vector<ExpectedPolicyChange> policy_changes;
};

void expect_verdict(const Verdict& v, const ExpectedVerdict& e) {
  ASSERT_TRUE(v.spf_mail_from);
  EXPECT_EQ(v.spf_mail_from->outcome, e.spf_mail_from) << v.spf_mail_from->reason;
  EXPECT_EQ(v.spf_helo.has_value(), e.spf_helo.has_value());
  if (v.spf_helo && e.spf_helo) {
    EXPECT_EQ(v.spf_helo->outcome, *e.spf_helo) << v.spf_helo->reason;
  }

  ASSERT_EQ(v.dkim.size(), e.dkim.size());
  for (std::size_t i = 0; i < e.dkim.size(); ++i) {
    EXPECT_EQ(v.dkim[i].outcome, e.dkim[i].outcome) << i << ": " << v.dkim[i].detail;
    EXPECT_EQ(v.dkim[i].reason, e.dkim[i].reason) << i << ": " << v.dkim[i].detail;
    EXPECT_EQ(v.dkim[i].domain, e.dkim[i].domain) << i;
    EXPECT_EQ(v.dkim[i].selector, e.dkim[i].selector) << i;
  }

  EXPECT_EQ(v.arc.outcome, e.arc) << v.arc.detail;
  EXPECT_EQ(v.arc.sealers(), e.arc_sealers);

  EXPECT_EQ(v.dmarc.outcome, e.dmarc) << v.dmarc.reason;
  EXPECT_EQ(v.dmarc.author_domain, e.author_domain);
  EXPECT_EQ(v.dmarc.policy, e.dmarc_policy);
  EXPECT_EQ(v.dmarc.disposition, e.dmarc_disposition);
  EXPECT_EQ(v.dmarc.testing, e.dmarc_testing);

  EXPECT_FALSE(v.iprev) << "iprev was not asked for";
  EXPECT_EQ(tags_text(v.tags), e.tags);
  EXPECT_NEAR(v.score, e.score, 1e-9);
  EXPECT_EQ(v.disposition, e.disposition);
  EXPECT_EQ(v.override_reason, e.override_reason);
  ASSERT_EQ(v.policy_changes.size(), e.policy_changes.size()) << dump(v);
  for (std::size_t i = 0; i < e.policy_changes.size(); ++i) {
    EXPECT_EQ(v.policy_changes[i].rule, e.policy_changes[i].rule) << i;
    EXPECT_EQ(v.policy_changes[i].domain, e.policy_changes[i].domain) << i;
    EXPECT_FALSE(v.policy_changes[i].detail.empty()) << i;
  }
  EXPECT_TRUE(v.limits.empty()) << dump(v);
  EXPECT_EQ(v.authentication_results.rfind("Authentication-Results: mx.example.org;", 0), 0u)
      << v.authentication_results;
}

// The story's message verified whole, in 7-byte chunks and as a milter: the expected verdict
// each time, and the same verdict to the byte.
void expect_story(std::string_view file, const ExpectedVerdict& expected) {
  std::optional<DemoMessage> m = demo_message(file);
  ASSERT_TRUE(m) << file << " is not in examples/demo/envelopes";
  EXPECT_FALSE(m->story.empty()) << file << " has no story";
  std::string text = read_file(demo_path(m->file));
  ASSERT_FALSE(text.empty()) << file;

  Verdict whole = verify_whole(*m, text);
  {
    SCOPED_TRACE("whole message");
    expect_verdict(whole, expected);
  }
  Verdict chunked = verify_in_chunks(*m, text, 7);
  {
    SCOPED_TRACE("7-byte chunks");
    expect_verdict(chunked, expected);
    EXPECT_EQ(dump(chunked), dump(whole));
  }
  Verdict milter = verify_as_milter(*m, text);
  {
    SCOPED_TRACE("field by field");
    expect_verdict(milter, expected);
    EXPECT_EQ(dump(milter), dump(whole));
  }
}

using dkim::Reason;
using Rule = PolicyRule;

// Streaming: every demo message cut in two at every offset, and fed a byte at a time, gives
// the verdict of the whole message.
TEST(AuthenticatorDemoStreaming, EverySplitGivesTheSameVerdict) {
  for (const DemoMessage& m : read_envelopes()) {
    SCOPED_TRACE(m.file);
    std::string text = read_file(demo_path(m.file));
    std::string whole = dump(verify_whole(m, text));
    EXPECT_EQ(dump(verify_in_chunks(m, text, 1)), whole) << "byte by byte";
    for (std::size_t cut = 1; cut < text.size(); ++cut) {
      std::unique_ptr<Session> session = demo_authenticator().start(envelope_of(m));
      ASSERT_TRUE(session->feed(std::string_view(text).substr(0, cut)));
      ASSERT_TRUE(session->feed(std::string_view(text).substr(cut)));
      std::string split = dump(session->finish_blocking());
      ASSERT_EQ(split, whole) << "cut at " << cut;
    }
  }
}

TEST(AuthenticatorDemo, EnvelopesTellSevenStories) {
  std::vector<std::string> files;
  for (const DemoMessage& m : read_envelopes()) {
    files.push_back(m.file);
    EXPECT_FALSE(m.story.empty()) << m.file;
  }
  // One test below per story; a story added to the demo needs its own.
  EXPECT_EQ(files,
            (std::vector<std::string>{"signed.eml", "forwarded.eml", "spoof.eml", "testing.eml",
                                      "toomanylookups.eml", "revoked.eml", "allowlisted.eml"}));
}

// Alice at example.com writes from her domain's relay: SPF, DKIM and DMARC all pass.
TEST(AuthenticatorDemo, SignedByTheDomainsRelayPassesEverything) {
  expect_story("signed.eml",
               {.spf_mail_from = spf::Outcome::pass,
                .spf_helo = spf::Outcome::none,
                .dkim = {{dkim::Outcome::pass, Reason::ok, "example.com", "demo"}},
                .arc = arc::ChainStatus::none,
                .arc_sealers = {},
                .dmarc = dmarc::Outcome::pass,
                .author_domain = "example.com",
                .dmarc_policy = dmarc::Policy::reject,
                .dmarc_disposition = dmarc::Disposition::none,
                .dmarc_testing = false,
                .tags = "SPF_ALLOW -0.2, DKIM_ALLOW -0.2, ARC_NA 0, DMARC_POLICY_ALLOW -0.5, "
                        "ALLOWLIST_DMARC -7",
                .score = -7.9,
                .disposition = dmarc::Disposition::none,
                .override_reason = "",
                .policy_changes = {{Rule::allow_list_dmarc, "example.com"}}});
}

// A mailing list changes Alice's post: DKIM and DMARC fail, but its trusted ARC seal saves it.
// example.com is on the DMARC allow list, but the override takes its failure away, so no
// BLOCKLIST_DMARC.
TEST(AuthenticatorDemo, ForwardedThroughTheListIsSavedByItsTrustedArcSeal) {
  expect_story("forwarded.eml",
               {.spf_mail_from = spf::Outcome::pass,
                .spf_helo = spf::Outcome::pass,
                .dkim = {{dkim::Outcome::fail, Reason::body_hash_mismatch, "example.com", "demo"}},
                .arc = arc::ChainStatus::pass,
                .arc_sealers = {"lists.example.net"},
                .dmarc = dmarc::Outcome::fail,
                .author_domain = "example.com",
                .dmarc_policy = dmarc::Policy::reject,
                .dmarc_disposition = dmarc::Disposition::reject,
                .dmarc_testing = false,
                .tags = "SPF_ALLOW -0.2, DKIM_REJECT 1, ARC_ALLOW -1, ARC_TRUSTED -0.5, "
                        "DMARC_POLICY_SOFTFAIL 0.1",
                .score = -0.6,
                .disposition = dmarc::Disposition::none,
                .override_reason = "trusted_forwarder",
                .policy_changes = {{Rule::trusted_arc_sealer, "lists.example.net"}}});
}

// A forger poses as example.com's CEO from a stranger's host: SPF fails, no DKIM, DMARC
// p=reject; example.com being on the DMARC allow list counts against the forgery.
TEST(AuthenticatorDemo, SpoofOfTheCeoIsRejected) {
  expect_story("spoof.eml", {.spf_mail_from = spf::Outcome::fail,
                             .spf_helo = spf::Outcome::none,
                             .dkim = {},
                             .arc = arc::ChainStatus::none,
                             .arc_sealers = {},
                             .dmarc = dmarc::Outcome::fail,
                             .author_domain = "example.com",
                             .dmarc_policy = dmarc::Policy::reject,
                             .dmarc_disposition = dmarc::Disposition::reject,
                             .dmarc_testing = false,
                             .tags = "SPF_FAIL 1, DKIM_NA 0, ARC_NA 0, DMARC_POLICY_REJECT 2, "
                                     "BLOCKLIST_DMARC 6",
                             .score = 9,
                             .disposition = dmarc::Disposition::reject,
                             .override_reason = "",
                             .policy_changes = {{Rule::allow_list_dmarc, "example.com"}}});
}

// newsletter.example mails unsigned via an unlisted bulk service: t=y lowers reject to
// quarantine.
TEST(AuthenticatorDemo, TestingModeLowersRejectToQuarantine) {
  expect_story("testing.eml",
               {.spf_mail_from = spf::Outcome::softfail,
                .spf_helo = spf::Outcome::none,
                .dkim = {},
                .arc = arc::ChainStatus::none,
                .arc_sealers = {},
                .dmarc = dmarc::Outcome::fail,
                .author_domain = "newsletter.example",
                .dmarc_policy = dmarc::Policy::reject,
                .dmarc_disposition = dmarc::Disposition::quarantine,
                .dmarc_testing = true,
                .tags = "SPF_SOFTFAIL 0, DKIM_NA 0, ARC_NA 0, DMARC_POLICY_QUARANTINE 1.5",
                .score = 1.5,
                .disposition = dmarc::Disposition::quarantine,
                .override_reason = "",
                .policy_changes = {}});
}

// bigcorp.example's SPF needs more than 10 DNS lookups (permerror); its DKIM signature passes
// DMARC.
TEST(AuthenticatorDemo, TooManySpfLookupsStillPassesDmarcByDkim) {
  expect_story("toomanylookups.eml",
               {.spf_mail_from = spf::Outcome::permerror,
                .spf_helo = spf::Outcome::none,
                .dkim = {{dkim::Outcome::pass, Reason::ok, "bigcorp.example", "mail"}},
                .arc = arc::ChainStatus::none,
                .arc_sealers = {},
                .dmarc = dmarc::Outcome::pass,
                .author_domain = "bigcorp.example",
                .dmarc_policy = dmarc::Policy::reject,
                .dmarc_disposition = dmarc::Disposition::none,
                .dmarc_testing = false,
                .tags = "SPF_PERMFAIL 0, DKIM_ALLOW -0.2, ARC_NA 0, DMARC_POLICY_ALLOW -0.5",
                .score = -0.7,
                .disposition = dmarc::Disposition::none,
                .override_reason = "",
                .policy_changes = {}});
}

// oldshop.example's forgotten server signs with a revoked key and is out of SPF: p=quarantine.
TEST(AuthenticatorDemo, RevokedKeyOutsideSpfIsQuarantined) {
  expect_story(
      "revoked.eml",
      {.spf_mail_from = spf::Outcome::fail,
       .spf_helo = spf::Outcome::none,
       .dkim = {{dkim::Outcome::permerror, Reason::key_revoked, "oldshop.example", "2019"}},
       .arc = arc::ChainStatus::none,
       .arc_sealers = {},
       .dmarc = dmarc::Outcome::fail,
       .author_domain = "oldshop.example",
       .dmarc_policy = dmarc::Policy::quarantine,
       .dmarc_disposition = dmarc::Disposition::quarantine,
       .dmarc_testing = false,
       .tags = "SPF_FAIL 1, DKIM_PERMFAIL 0, ARC_NA 0, DMARC_POLICY_QUARANTINE 1.5",
       .score = 2.5,
       .disposition = dmarc::Disposition::quarantine,
       .override_reason = "",
       .policy_changes = {}});
}

// A tampered bank.example message from a stranger: all fails, and being allow-listed makes it
// worse: BLOCKLIST_DMARC for the DMARC failure, BLOCKLIST_SPF_DKIM (once) for SPF and DKIM.
TEST(AuthenticatorDemo, AllowListedDomainFailingEverythingScoresWorse) {
  expect_story(
      "allowlisted.eml",
      {.spf_mail_from = spf::Outcome::fail,
       .spf_helo = spf::Outcome::none,
       .dkim = {{dkim::Outcome::fail, Reason::body_hash_mismatch, "bank.example", "statements"}},
       .arc = arc::ChainStatus::none,
       .arc_sealers = {},
       .dmarc = dmarc::Outcome::fail,
       .author_domain = "bank.example",
       .dmarc_policy = dmarc::Policy::reject,
       .dmarc_disposition = dmarc::Disposition::reject,
       .dmarc_testing = false,
       .tags = "SPF_FAIL 1, DKIM_REJECT 1, ARC_NA 0, DMARC_POLICY_REJECT 2, BLOCKLIST_DMARC 6, "
               "BLOCKLIST_SPF_DKIM 3",
       .score = 13,
       .disposition = dmarc::Disposition::reject,
       .override_reason = "",
       .policy_changes = {{Rule::allow_list_dmarc, "bank.example"},
                          {Rule::allow_list_spf_dkim, "bank.example"},
                          {Rule::allow_list_spf_dkim, "bank.example"}}});
}

}  // namespace
}  // namespace hallmark::authenticator
