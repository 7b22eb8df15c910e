// SPDX-License-Identifier: Apache-2.0
// DMARC over a message: the policy lookup that starts before SPF and DKIM have finished, the
// From fields that give no single author domain (UnusableFrom), the SPF domain of the
// envelope, and hostile records served by DNS.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fmt/format.h>

#include "hallmark/core/started.hpp"
#include "hallmark/core/sync_wait.hpp"
#include "hallmark/dmarc/evaluate.hpp"
#include "hallmark/dns/zone_resolver.hpp"
#include "support/holding_resolver.hpp"

namespace hallmark::dmarc {
namespace {

using test_support::HoldingResolver;

constexpr std::string_view fixture = R"(
_dmarc.victim.example.    TXT "v=DMARC1; p=reject"
_dmarc.quiet.example.     TXT "v=DMARC1; p=quarantine"
_dmarc.partner.example.   TXT "v=DMARC1; p=none"
_dmarc.example.com.       TXT "v=DMARC1; p=reject; sp=quarantine"
mail.example.com.         A   192.0.2.2
)";

dns::ZoneResolver zone(std::string_view text = fixture) {
  auto parsed = dns::ZoneResolver::from_text(text, "message.zone");
  EXPECT_TRUE(parsed) << parsed.error().message;
  return parsed ? std::move(*parsed) : dns::ZoneResolver();
}

mail::Message message(std::string_view text) {
  auto parsed = mail::parse_message(text);
  EXPECT_TRUE(parsed) << parsed.error().message;
  return parsed ? std::move(*parsed) : mail::Message();
}

Identifiers dkim(std::vector<std::string> domains) { return Identifiers{{}, false, domains}; }

Result run(dns::Resolver& resolver, std::string_view text, Identifiers ids, Options options = {}) {
  mail::Message m = message(text);
  return core::sync_wait(evaluate(resolver, m.headers, std::move(ids), std::move(options)));
}

template <class T>
core::Task<T> finish(core::Started<T>& started) {
  co_return co_await started;
}

TEST(DmarcPolicyLookup, StartsBeforeTheIdentifiersExist) {
  dns::ZoneResolver z = zone();
  HoldingResolver holding(z);
  std::optional<mail::Message> m = message("From: Bob <bob@mail.example.com>\r\n\r\n");
  core::Started<PolicyLookup> lookup(lookup_policy(holding, m->headers));
  m.reset();  // the header section is read when the lookup starts
  // The record lookup is out before anything has been answered and before SPF or DKIM have
  // a result to give.
  EXPECT_THAT(holding.started(), ::testing::ElementsAre("_dmarc.mail.example.com"));
  EXPECT_FALSE(lookup.done());
  PolicyLookup looked_up = core::sync_wait(finish(lookup), holding.pump());
  ASSERT_EQ(looked_up.authors.size(), 1u);
  EXPECT_EQ(looked_up.authors[0]->discovery.policy->domain, "example.com");
  EXPECT_TRUE(looked_up.authors[0]->author_domain_exists);

  Result r = core::sync_wait(evaluate(holding, std::move(looked_up), dkim({"example.com"})),
                             holding.pump());
  EXPECT_EQ(r.outcome, Outcome::pass);
  EXPECT_EQ(r.policy_tag, "sp");
}

TEST(DmarcAlignment, WalksOnlyWhatRelaxedAlignmentNeeds) {
  dns::ZoneResolver z = zone();
  HoldingResolver holding(z);
  auto queries_for = [&](std::string author, Identifiers ids) {
    std::size_t before = holding.started().size();
    Result r =
        core::sync_wait(evaluate(holding, std::move(author), std::move(ids)), holding.pump());
    EXPECT_NE(r.outcome, Outcome::none) << r.reason;
    return holding.started().size() - before;
  };
  // The author's walk (mail.example.com, example.com, com) also answers for d=example.com,
  // and with no np= the author domain's existence does not matter.
  EXPECT_EQ(queries_for("mail.example.com", dkim({"example.com"})), 3u);
  // A d= outside the author's organizational domain cannot align: no walk.
  EXPECT_EQ(queries_for("example.com", dkim({"mailer.example.net", "example.org"})), 2u);
  // Beside the author: only the names the author's walk did not see.
  EXPECT_EQ(queries_for("example.com", Identifiers{"bounce.example.com", true, {}}), 3u);
}

TEST(DmarcUnusableFrom, RejectIsTheDefaultAndNeverPasses) {
  dns::ZoneResolver z = zone();
  const std::string_view messages[] = {
      "To: nobody@victim.example\r\n\r\n",
      "From: a@victim.example\r\nFrom: b@victim.example\r\n\r\n",
      "From: a@victim.example, b@attacker.example\r\n\r\n",
      "From: a@[192.0.2.1]\r\n\r\n",
      "From: undisclosed-recipients:;\r\n\r\n",
      "From: <<a@victim.example>>\r\n\r\n",
  };
  for (std::string_view text : messages) {
    Result r = run(z, text, dkim({"victim.example", "attacker.example"}));
    EXPECT_EQ(r.outcome, Outcome::fail) << text;
    EXPECT_EQ(r.disposition, Disposition::reject) << text;
    EXPECT_TRUE(r.unusable_from) << text;
    EXPECT_FALSE(r.record) << text;
  }
  Result several = run(z, messages[1], {});
  EXPECT_EQ(auth_results_fragment(several),
            "dmarc=fail (the message has 2 From fields; rejected) policy.dmarc=reject");
}

TEST(DmarcUnusableFrom, IgnoreEndsValidationWithNone) {
  dns::ZoneResolver z = zone();
  Options ignore;
  ignore.unusable_from = UnusableFrom::ignore;
  Result r = run(z, "From: a@victim.example, b@attacker.example\r\n\r\n", {}, ignore);
  EXPECT_EQ(r.outcome, Outcome::none);
  EXPECT_EQ(r.disposition, Disposition::none);
  EXPECT_EQ(r.reason, "From holds addresses in more than one domain");
  // A usable From is evaluated as usual whatever the option.
  EXPECT_EQ(run(z, "From: a@victim.example\r\n\r\n", {}, ignore).disposition, Disposition::reject);
}

TEST(DmarcUnusableFrom, EachDomainAppliesTheStrictestFailingPolicy) {
  dns::ZoneResolver z = zone();
  HoldingResolver holding(z);
  Options each;
  each.unusable_from = UnusableFrom::each_domain;
  // The attacker signs for its own domain; the victim's reject decides.
  std::string_view two = "From: a@attacker.example, b@victim.example\r\n\r\n";
  mail::Message m = message(two);
  Result r = core::sync_wait(evaluate(holding, m.headers, dkim({"attacker.example"}), each),
                             holding.pump());
  EXPECT_EQ(r.outcome, Outcome::fail);
  EXPECT_EQ(r.author_domain, "victim.example");
  EXPECT_EQ(r.other_author_domains, std::vector<std::string>{"attacker.example"});
  EXPECT_EQ(r.disposition, Disposition::reject);
  EXPECT_TRUE(r.unusable_from);
  EXPECT_GE(holding.max_in_flight(), 2u);  // both domains' records were looked up together

  // quarantine at one, reject at the other: reject wins.
  EXPECT_EQ(run(z, "From: a@quiet.example\r\nFrom: b@victim.example\r\n\r\n", {}, each).disposition,
            Disposition::reject);
  // A pass needs every domain to pass; a domain without DMARC makes it none, not pass.
  EXPECT_EQ(run(z, two, dkim({"attacker.example", "victim.example"}), each).outcome, Outcome::none);
  EXPECT_EQ(run(z, "From: a@partner.example, b@victim.example\r\n\r\n",
                dkim({"partner.example", "victim.example"}), each)
                .outcome,
            Outcome::pass);
  // Past the limit, nothing is looked up and the message is rejected.
  each.max_author_domains = 2;
  Result many = run(z, "From: a@a.example, b@b.example, c@victim.example\r\n\r\n", {}, each);
  EXPECT_EQ(many.outcome, Outcome::fail);
  EXPECT_EQ(many.disposition, Disposition::reject);
  EXPECT_THAT(many.reason, ::testing::HasSubstr("3 domains"));
}

TEST(DmarcReportDestinations, UnderTheAuthorsDomainButAnotherOrganization) {
  // reports.example.com publishes psd=n: its own organizational domain, so example.com's
  // reports may go there only if it says so; other names under example.com are its own.
  dns::ZoneResolver z = zone(R"(
_dmarc.example.com.          TXT "v=DMARC1; p=none; rua=mailto:a@reports.example.com,mailto:b@mail.example.com,mailto:c@other.example.com"
_dmarc.reports.example.com.  TXT "v=DMARC1; p=none; psd=n"
_dmarc.other.example.com.    TXT "v=DMARC1; p=none; psd=n"
example.com._report._dmarc.other.example.com. TXT "v=DMARC1"
)");
  Options reports;
  reports.verify_report_destinations = true;
  Result r = core::sync_wait(evaluate(z, "example.com", {}, reports));
  EXPECT_EQ(r.aggregate_uris,
            (std::vector<std::string>{"mailto:b@mail.example.com", "mailto:c@other.example.com"}));
}

TEST(DmarcSpfDomain, MailFromOrHeloForTheNullReversePath) {
  EXPECT_EQ(spf_domain("bounce@Mail.Example.COM", "helo.example.net"), "mail.example.com");
  EXPECT_EQ(spf_domain("<bounce@example.com>", "helo.example.net"), "example.com");
  EXPECT_EQ(spf_domain("", "Helo.Example.NET."), "helo.example.net");
  EXPECT_EQ(spf_domain("<>", "helo.example.net"), "helo.example.net");
  EXPECT_EQ(spf_domain("odd\"@\"local@example.org", "h.example"), "example.org");
}

TEST(DmarcHostileRecords, LongRecordsAndManyDestinationsStayBounded) {
  // A 64 KB record of 255-octet strings, and a record with a hundred external destinations.
  std::string long_record = "_dmarc.long.example. TXT \"v=DMARC1; p=reject; \"";
  for (int i = 0; i < 256; ++i) long_record += " \"" + std::string(254, 'x') + ";\"";
  std::string many_uris = "_dmarc.many.example. TXT \"v=DMARC1; p=none; rua=\"";
  for (int i = 0; i < 100; ++i) many_uris += fmt::format(" \"mailto:r@d{}.example,\"", i);
  dns::ZoneResolver z = zone(long_record + "\n" + many_uris + "\n");
  Result long_result = core::sync_wait(evaluate(z, "long.example", {}));
  EXPECT_EQ(long_result.outcome, Outcome::fail) << long_result.reason;
  EXPECT_EQ(long_result.disposition, Disposition::reject);

  HoldingResolver holding(z);
  Options reports;
  reports.verify_report_destinations = true;
  Result many = core::sync_wait(evaluate(holding, "many.example", {}, reports), holding.pump());
  EXPECT_EQ(many.outcome, Outcome::fail);
  EXPECT_TRUE(many.aggregate_uris.empty());  // none of them authorised
  // The author's walk (_dmarc.many.example, _dmarc.example), then ten destinations checked at
  // most. Outside the author's organizational domain they need no walk: one authorisation
  // lookup each.
  EXPECT_EQ(holding.started().size(), 2u + 10u);
}

}  // namespace
}  // namespace hallmark::dmarc
