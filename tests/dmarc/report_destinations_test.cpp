// SPDX-License-Identifier: Apache-2.0
// External report destinations ("Verifying External Destinations" of the RFC 9989 aggregate
// reporting document): the name queried, the override of step 9, the wildcard, names too long
// for the DNS, and that a verdict does not make these queries unless asked.
#include <gtest/gtest.h>

#include <algorithm>

#include "hallmark/core/sync_wait.hpp"
#include "hallmark/dmarc/evaluate.hpp"
#include "hallmark/dns/zone_resolver.hpp"
#include "support/holding_resolver.hpp"

namespace hallmark::dmarc {
namespace {

using test_support::HoldingResolver;
using Uris = std::vector<std::string>;

dns::ZoneResolver zone(std::string_view text) {
  auto parsed = dns::ZoneResolver::from_text(text, "reports.zone");
  EXPECT_TRUE(parsed) << parsed.error().message;
  return parsed ? std::move(*parsed) : dns::ZoneResolver();
}

Options with_reports() {
  Options options;
  options.verify_report_destinations = true;
  return options;
}

Result run(dns::Resolver& resolver, std::string author, Options options = with_reports()) {
  return core::sync_wait(evaluate(resolver, std::move(author), {}, std::move(options)),
                         resolver.pump());
}

TEST(DmarcReportDestinations, QueryNamesThePolicyDomainNotTheAuthor) {
  // Mail from sub.example.test falls under example.test's record: the receiver asks the
  // destination about example.test, where the policy came from.
  dns::ZoneResolver z = zone(R"(
_dmarc.example.test.  TXT "v=DMARC1; p=reject; rua=mailto:agg@reports.example.net"
sub.example.test.     A   192.0.2.1
example.test._report._dmarc.reports.example.net. TXT "v=DMARC1"
)");
  HoldingResolver holding(z);
  Result r = run(holding, "sub.example.test");
  EXPECT_EQ(r.record_domain, "example.test");
  EXPECT_EQ(r.aggregate_uris, Uris{"mailto:agg@reports.example.net"});
  EXPECT_NE(std::ranges::find(holding.started(), "example.test._report._dmarc.reports.example.net"),
            holding.started().end());
  EXPECT_EQ(
      std::ranges::find(holding.started(), "sub.example.test._report._dmarc.reports.example.net"),
      holding.started().end());

  // A confirmation for the author domain alone does not authorise the policy domain's reports.
  dns::ZoneResolver wrong = zone(R"(
_dmarc.example.test.  TXT "v=DMARC1; p=reject; rua=mailto:agg@reports.example.net"
sub.example.test.     A   192.0.2.1
sub.example.test._report._dmarc.reports.example.net. TXT "v=DMARC1"
)");
  EXPECT_TRUE(run(wrong, "sub.example.test").aggregate_uris.empty());
}

TEST(DmarcReportDestinations, ConfirmingRecordMayOverrideOnTheSameHost) {
  dns::ZoneResolver z = zone(R"(
_dmarc.same.test.   TXT "v=DMARC1; p=none; rua=mailto:a@reports.example.net,mailto:b@reports.example.net,mailto:local@same.test; ruf=mailto:f@reports.example.net"
_dmarc.other.test.  TXT "v=DMARC1; p=none; rua=mailto:a@reports.example.net,mailto:local@other.test"
_dmarc.plain.test.  TXT "v=DMARC1; p=none; rua=mailto:a@reports.example.net"
same.test._report._dmarc.reports.example.net.  TXT "v=DMARC1; rua=mailto:inbox@reports.example.net"
other.test._report._dmarc.reports.example.net. TXT "v=DMARC1; rua=mailto:inbox@elsewhere.example.org"
plain.test._report._dmarc.reports.example.net. TXT "v=DMARC1; p=none"
)");
  // Same host: its URI replaces both of ours; ruf= has no override in the confirming record.
  Result same = run(z, "same.test");
  EXPECT_EQ(same.aggregate_uris,
            (Uris{"mailto:inbox@reports.example.net", "mailto:local@same.test"}));
  EXPECT_EQ(same.failure_uris, Uris{"mailto:f@reports.example.net"});
  // Another host: neither the original nor the override (no loops, no indirect abuse).
  Result other = run(z, "other.test");
  EXPECT_EQ(other.aggregate_uris, Uris{"mailto:local@other.test"});
  // No rua= in the confirming record: ours stands.
  EXPECT_EQ(run(z, "plain.test").aggregate_uris, Uris{"mailto:a@reports.example.net"});
}

TEST(DmarcReportDestinations, WildcardConfirmsForEveryDomain) {
  dns::ZoneResolver z = zone(R"(
_dmarc.one.test.  TXT "v=DMARC1; p=none; rua=mailto:r@any.example.net"
_dmarc.two.test.  TXT "v=DMARC1; p=none; rua=mailto:r@any.example.net,mailto:r@none.example.net"
*._report._dmarc.any.example.net. TXT "v=DMARC1"
_report._dmarc.none.example.net.  TXT "v=DMARC1"
)");
  EXPECT_EQ(run(z, "one.test").aggregate_uris, Uris{"mailto:r@any.example.net"});
  EXPECT_EQ(run(z, "two.test").aggregate_uris, Uris{"mailto:r@any.example.net"});
}

TEST(DmarcReportDestinations, NotDmarcRecordsDoNotConfirm) {
  dns::ZoneResolver z = zone(R"(
_dmarc.example.test.  TXT "v=DMARC1; p=none; rua=mailto:r@reports.example.net"
example.test._report._dmarc.reports.example.net. TXT "v=spf1 -all"
example.test._report._dmarc.reports.example.net. TXT "p=none; v=DMARC1"
)");
  EXPECT_TRUE(run(z, "example.test").aggregate_uris.empty());
}

TEST(DmarcReportDestinations, NameTooLongForTheDnsIsNotAsked) {
  std::string label(63, 'a');
  std::string author = label + "." + label + ".example.test";  // 140 octets
  std::string destination = label + "." + label + ".example.net";
  dns::ZoneResolver z =
      zone("_dmarc." + author + ". TXT \"v=DMARC1; p=none; rua=mailto:r@" + destination +
           "\"\n*._report._dmarc." + destination + ". TXT \"v=DMARC1\"\n");
  HoldingResolver holding(z);
  Result r = run(holding, author);
  EXPECT_EQ(r.record_domain, author);
  EXPECT_TRUE(r.aggregate_uris.empty());
  for (const std::string& name : holding.started())
    EXPECT_EQ(name.find("_report"), std::string::npos) << name;
}

TEST(DmarcReportDestinations, VerdictsDoNotCheckUnlessAsked) {
  dns::ZoneResolver z = zone(R"(
_dmarc.example.test.  TXT "v=DMARC1; p=reject; rua=mailto:a@r1.example.net,mailto:b@r2.example.net"
*._report._dmarc.r1.example.net. TXT "v=DMARC1"
)");
  HoldingResolver holding(z);
  Result verdict = run(holding, "example.test", Options{});
  EXPECT_EQ(verdict.outcome, Outcome::fail);
  EXPECT_TRUE(verdict.aggregate_uris.empty());
  for (const std::string& name : holding.started())
    EXPECT_EQ(name.find("_report"), std::string::npos) << name;

  // The report generator asks afterwards, with the same result.
  ReportDestinations asked =
      core::sync_wait(authorise_report_destinations(holding, verdict), holding.pump());
  EXPECT_EQ(asked.aggregate, Uris{"mailto:a@r1.example.net"});
  EXPECT_TRUE(asked.failure.empty());

  Result none = run(z, "unpublished.test");
  EXPECT_TRUE(core::sync_wait(authorise_report_destinations(z, none)).aggregate.empty());
}

}  // namespace
}  // namespace hallmark::dmarc
