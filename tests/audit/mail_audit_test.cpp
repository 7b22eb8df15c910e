// SPDX-License-Identifier: Apache-2.0
// The receiving side of the domain audit: MX hosts, TLS-RPT, MTA-STS and BIMI, every finding
// from a fixture made for it (tests/audit/zones/mail.zone), the lookups all in flight together,
// and hostile records.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>

#include "audit_fixtures.hpp"
#include "hallmark/audit/audit.hpp"
#include "hallmark/core/sync_wait.hpp"
#include "hallmark/dns/zone_resolver.hpp"
#include "support/holding_resolver.hpp"

namespace hallmark::audit {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::UnorderedElementsAre;

dns::ZoneResolver& zone() { return testing_support::fixture_zone("mail.zone"); }

MailAudit audit(dns::Resolver& resolver, const std::string& domain) {
  return core::sync_wait(audit_mail(resolver, domain), resolver.pump());
}

MailAudit audit(const std::string& name) { return audit(zone(), name + ".mail.audit.test"); }

std::vector<std::string> codes(const MailAudit& audit) {
  std::vector<std::string> out;
  for (const Finding& finding : audit.findings) out.push_back(finding.code);
  return out;
}

const Finding& find(const MailAudit& audit, std::string_view code) {
  static const Finding none;
  for (const Finding& finding : audit.findings)
    if (finding.code == code) return finding;
  ADD_FAILURE() << "no finding " << code;
  return none;
}

TEST(MailAudit, AGoodDomainPassesEveryCheck) {
  MailAudit good = audit("good");
  EXPECT_THAT(codes(good),
              ElementsAre("MAIL_MX_OK", "MAIL_TLSRPT_OK", "MAIL_MTASTS_OK", "MAIL_BIMI_OK"));
  for (const Finding& finding : good.findings) {
    EXPECT_EQ(finding.severity, Severity::ok) << finding.code;
    EXPECT_EQ(finding.fix, "") << finding.code;
  }
  EXPECT_THAT(good.mx, ElementsAre("10 mx1.good.mail.audit.test", "20 mx2.good.mail.audit.test"));
  // The two character-strings of the TLS-RPT record are one record (RFC 8460 3).
  EXPECT_EQ(good.tls_rpt,
            "v=TLSRPTv1; rua=mailto:tls-reports@good.mail.audit.test,"
            "https://reports.example.net/tlsrpt");
  EXPECT_EQ(good.mta_sts, "v=STSv1; id=20240601T120000");
  EXPECT_EQ(good.bimi,
            "v=BIMI1; l=https://good.mail.audit.test/logo.svg; "
            "a=https://good.mail.audit.test/vmc.pem");
  EXPECT_THAT(find(good, "MAIL_TLSRPT_OK").message,
              HasSubstr("mailto:tls-reports@good.mail.audit.test, "
                        "https://reports.example.net/tlsrpt"));
  EXPECT_THAT(find(good, "MAIL_MTASTS_OK").message, HasSubstr("id 20240601T120000"));
  EXPECT_THAT(find(good, "MAIL_BIMI_OK").message,
              HasSubstr("names the logo https://good.mail.audit.test/logo.svg"));
}

TEST(MailAudit, TheDomainIsTakenInAnyCaseWithOrWithoutTheRoot) {
  MailAudit upper = audit(zone(), "GOOD.Mail.Audit.Test.");
  EXPECT_THAT(codes(upper),
              ElementsAre("MAIL_MX_OK", "MAIL_TLSRPT_OK", "MAIL_MTASTS_OK", "MAIL_BIMI_OK"));
}

TEST(MailAudit, EveryMxHostMustResolve) {
  MailAudit unresolved = audit("unresolved");
  EXPECT_THAT(codes(unresolved), ElementsAre("MAIL_MX_NOT_RESOLVING", "MAIL_MX_NOT_RESOLVING",
                                             "MAIL_NO_TLSRPT", "MAIL_NO_MTASTS"));
  EXPECT_EQ(unresolved.findings[0].severity, Severity::error);
  EXPECT_THAT(unresolved.findings[0].message,
              HasSubstr("MX host gone.unresolved.mail.audit.test (preference 20) has no A or "
                        "AAAA record (the name does not exist)"));
  EXPECT_THAT(unresolved.findings[1].message,
              HasSubstr("MX host empty.unresolved.mail.audit.test (preference 30)"));
  EXPECT_THAT(unresolved.findings[1].fix, HasSubstr("empty.unresolved.mail.audit.test"));
}

TEST(MailAudit, NoMxIsAWarningAndTheMissingRecordsAreSuggested) {
  MailAudit nomx = audit("nomx");
  EXPECT_THAT(codes(nomx), ElementsAre("MAIL_NO_MX", "MAIL_NO_TLSRPT", "MAIL_NO_MTASTS"));
  EXPECT_EQ(nomx.findings[0].severity, Severity::warning);
  EXPECT_EQ(nomx.findings[1].severity, Severity::info);
  EXPECT_EQ(nomx.findings[2].severity, Severity::info);
  EXPECT_TRUE(nomx.mx.empty());
  EXPECT_THAT(nomx.findings[1].fix,
              HasSubstr("_smtp._tls.nomx.mail.audit.test. IN TXT \"v=TLSRPTv1; "
                        "rua=mailto:tls-reports@nomx.mail.audit.test\""));
  EXPECT_THAT(nomx.findings[2].fix,
              HasSubstr("https://mta-sts.nomx.mail.audit.test/.well-known/mta-sts.txt"));
  EXPECT_THAT(nomx.findings[2].fix,
              HasSubstr("_mta-sts.nomx.mail.audit.test. IN TXT \"v=STSv1; id=1\""));
  // No BIMI record is no finding: BIMI is optional.
  EXPECT_EQ(nomx.bimi, "");
}

TEST(MailAudit, ANonexistentDomainIsNoMx) {
  MailAudit gone = audit("nowhere");
  EXPECT_THAT(codes(gone), ElementsAre("MAIL_NO_MX"));
  EXPECT_THAT(gone.findings[0].message, HasSubstr("does not exist"));
}

TEST(MailAudit, ANullMxSaysTheDomainReceivesNoMail) {
  MailAudit null = audit("null");
  // Nothing is asked of a domain that receives no mail: no TLS-RPT, no MTA-STS.
  EXPECT_THAT(codes(null), ElementsAre("MAIL_NULL_MX"));
  EXPECT_EQ(null.findings[0].severity, Severity::info);
  EXPECT_THAT(null.mx, ElementsAre("0 ."));

  dns::ZoneResolver odd;
  odd.add_mx("odd.test", 10, ".");
  MailAudit preferred = audit(odd, "odd.test");
  EXPECT_THAT(codes(preferred), ElementsAre("MAIL_NULL_MX"));
  EXPECT_THAT(preferred.findings[0].message,
              HasSubstr("preference 10, where RFC 7505 3 asks for 0"));

  MailAudit mixed = audit("nullmixed");
  EXPECT_THAT(codes(mixed), ElementsAre("MAIL_NULL_MX_MIXED", "MAIL_NO_TLSRPT", "MAIL_NO_MTASTS"));
  EXPECT_EQ(mixed.findings[0].severity, Severity::error);
  EXPECT_THAT(mixed.mx, ElementsAre("0 .", "10 mx.nullmixed.mail.audit.test"));
}

TEST(MailAudit, AnMxNamingAnAddressOrAnAliasIsAWarning) {
  MailAudit literal = audit("literal");
  EXPECT_THAT(codes(literal),
              ElementsAre("MAIL_MX_IP_LITERAL", "MAIL_NO_TLSRPT", "MAIL_NO_MTASTS"));
  EXPECT_EQ(literal.findings[0].severity, Severity::warning);
  EXPECT_THAT(literal.findings[0].message, HasSubstr("MX 10 192.0.2.29 names an IP address"));

  MailAudit alias = audit("alias");
  EXPECT_THAT(codes(alias), ElementsAre("MAIL_MX_CNAME", "MAIL_NO_TLSRPT", "MAIL_NO_MTASTS"));
  EXPECT_EQ(alias.findings[0].severity, Severity::warning);
  EXPECT_THAT(alias.findings[0].message,
              HasSubstr("MX host mx.alias.mail.audit.test is an alias (CNAME) of "
                        "host.alias.mail.audit.test"));
  EXPECT_THAT(alias.findings[0].fix, HasSubstr("Point the MX at host.alias.mail.audit.test"));
}

TEST(MailAudit, AnInvalidMtaStsRecordIsAnError) {
  for (const char* name : {"dash", "long"}) {
    MailAudit bad = audit(name);
    EXPECT_THAT(codes(bad), ElementsAre("MAIL_MX_OK", "MAIL_NO_TLSRPT", "MAIL_MTASTS_INVALID"))
        << name;
    const Finding& invalid = find(bad, "MAIL_MTASTS_INVALID");
    EXPECT_EQ(invalid.severity, Severity::error);
    EXPECT_THAT(invalid.message, HasSubstr("tag 'id'"));
    EXPECT_THAT(invalid.fix, HasSubstr("1 to 32 letters and digits"));
  }
  EXPECT_THAT(find(audit("dash"), "MAIL_MTASTS_INVALID").message,
              HasSubstr("the MTA-STS record at _mta-sts.dash.mail.audit.test is invalid: tag "
                        "'id' has '-'"));
  EXPECT_EQ(audit("dash").mta_sts, "v=STSv1; id=2024-06-01");

  MailAudit two = audit("twosts");
  EXPECT_THAT(codes(two), ElementsAre("MAIL_MX_OK", "MAIL_NO_TLSRPT", "MAIL_MTASTS_MULTIPLE"));
  EXPECT_EQ(find(two, "MAIL_MTASTS_MULTIPLE").severity, Severity::error);
  EXPECT_THAT(find(two, "MAIL_MTASTS_MULTIPLE").message,
              HasSubstr("2 MTA-STS records at _mta-sts.twosts.mail.audit.test"));
}

TEST(MailAudit, AnInvalidTlsRptRecordIsAnError) {
  MailAudit norua = audit("norua");
  EXPECT_THAT(codes(norua), ElementsAre("MAIL_MX_OK", "MAIL_TLSRPT_INVALID", "MAIL_NO_MTASTS"));
  EXPECT_EQ(find(norua, "MAIL_TLSRPT_INVALID").severity, Severity::error);
  EXPECT_THAT(find(norua, "MAIL_TLSRPT_INVALID").message, HasSubstr("tag 'rua' is missing"));
  EXPECT_EQ(norua.tls_rpt, "v=TLSRPTv1;");

  MailAudit http = audit("httprua");
  EXPECT_THAT(codes(http), ElementsAre("MAIL_MX_OK", "MAIL_TLSRPT_INVALID", "MAIL_NO_MTASTS"));
  EXPECT_THAT(find(http, "MAIL_TLSRPT_INVALID").message,
              HasSubstr("'http://reports.example.net/tlsrpt' is http:, not https:"));
}

TEST(MailAudit, AnInvalidBimiRecordIsAWarning) {
  MailAudit bad = audit("badbimi");
  EXPECT_THAT(codes(bad),
              ElementsAre("MAIL_MX_OK", "MAIL_NO_TLSRPT", "MAIL_NO_MTASTS", "MAIL_BIMI_INVALID"));
  EXPECT_EQ(find(bad, "MAIL_BIMI_INVALID").severity, Severity::warning);
  EXPECT_THAT(find(bad, "MAIL_BIMI_INVALID").message, HasSubstr("tag 'l'"));

  MailAudit declined = audit("declined");
  EXPECT_THAT(codes(declined),
              ElementsAre("MAIL_MX_OK", "MAIL_NO_TLSRPT", "MAIL_NO_MTASTS", "MAIL_BIMI_OK"));
  EXPECT_THAT(find(declined, "MAIL_BIMI_OK").message, HasSubstr("declines to publish a logo"));
}

TEST(MailAudit, FailedLookupsAreWarningsNamingTheName) {
  MailAudit flaky = audit("flaky");
  EXPECT_THAT(codes(flaky),
              ElementsAre("MAIL_LOOKUP_FAILED", "MAIL_LOOKUP_FAILED", "MAIL_LOOKUP_FAILED"));
  for (const Finding& finding : flaky.findings) EXPECT_EQ(finding.severity, Severity::warning);
  EXPECT_THAT(flaky.findings[0].message,
              HasSubstr("down.flaky.mail.audit.test A failed (timeout)"));
  EXPECT_THAT(flaky.findings[1].message,
              HasSubstr("_smtp._tls.flaky.mail.audit.test TXT failed (servfail)"));
  EXPECT_THAT(flaky.findings[2].message,
              HasSubstr("_mta-sts.flaky.mail.audit.test TXT failed (timeout)"));
  EXPECT_THAT(flaky.mx,
              ElementsAre("10 mx.flaky.mail.audit.test", "20 down.flaky.mail.audit.test"));

  MailAudit down = audit("down");
  EXPECT_THAT(codes(down), ElementsAre("MAIL_LOOKUP_FAILED", "MAIL_NO_TLSRPT", "MAIL_NO_MTASTS"));
  EXPECT_THAT(down.findings[0].message, HasSubstr("down.mail.audit.test MX failed (timeout)"));
}

TEST(MailAudit, EveryLookupIsInFlightBeforeAnyIsAwaited) {
  test_support::HoldingResolver holding(zone());
  MailAudit good = audit(holding, "good.mail.audit.test");
  EXPECT_THAT(codes(good),
              ElementsAre("MAIL_MX_OK", "MAIL_TLSRPT_OK", "MAIL_MTASTS_OK", "MAIL_BIMI_OK"));
  ASSERT_EQ(holding.started().size(), 8u);
  std::vector<std::string> first(holding.started().begin(), holding.started().begin() + 4);
  EXPECT_THAT(first, UnorderedElementsAre("good.mail.audit.test", "_smtp._tls.good.mail.audit.test",
                                          "_mta-sts.good.mail.audit.test",
                                          "default._bimi.good.mail.audit.test"));
  // The hosts' A and AAAA lookups start with the MX answer, the TXT lookups still held.
  EXPECT_EQ(holding.max_in_flight(), 7u);
}

TEST(MailAudit, ManyMxHostsAreCheckedUpToALimit) {
  dns::ZoneResolver many;
  for (int i = 0; i < 20; ++i) {
    std::string host = "mx" + std::to_string(i) + ".many.test";
    many.add_mx("many.test", static_cast<std::uint16_t>(i), host);
    many.add_address(host, *core::IpAddress::parse("192.0.2.1"));
  }
  MailAudit audited = audit(many, "many.test");
  EXPECT_THAT(codes(audited),
              ElementsAre("MAIL_MX_UNCHECKED", "MAIL_MX_OK", "MAIL_NO_TLSRPT", "MAIL_NO_MTASTS"));
  EXPECT_THAT(find(audited, "MAIL_MX_UNCHECKED").message, HasSubstr("4 MX records more"));
  EXPECT_EQ(audited.mx.size(), 20u);
}

TEST(MailAudit, HostileRecordsAreShownBoundedAndPrintable) {
  dns::ZoneResolver hostile;
  hostile.add_mx("hostile.test", 10, "mx.hostile.test");
  hostile.add_address("mx.hostile.test", *core::IpAddress::parse("192.0.2.1"));
  hostile.add_txt("_smtp._tls.hostile.test",
                  {"v=TLSRPTv1; rua=https://x.test/\x1b[31m", std::string(3000, 'a')});
  hostile.add_txt("_mta-sts.hostile.test", {"v=STSv1; id=" + std::string(5000, '\x80')});
  hostile.add_txt("default._bimi.hostile.test",
                  {"v=BIMI1; l=https://x.test/" + std::string(5000, 'b') + "\r\n x"});
  MailAudit audited = audit(hostile, "hostile.test");
  EXPECT_THAT(codes(audited), ElementsAre("MAIL_MX_OK", "MAIL_TLSRPT_INVALID",
                                          "MAIL_MTASTS_INVALID", "MAIL_BIMI_INVALID"));
  auto printable = [](const std::string& text) {
    return std::all_of(text.begin(), text.end(), [](char c) { return c >= 0x20 && c < 0x7f; });
  };
  for (const Finding& finding : audited.findings) {
    EXPECT_LE(finding.message.size(), 800u) << finding.message;
    EXPECT_TRUE(printable(finding.message)) << finding.message;
    EXPECT_TRUE(printable(finding.fix)) << finding.fix;
  }
  for (const std::string* record : {&audited.tls_rpt, &audited.mta_sts, &audited.bimi}) {
    EXPECT_LE(record->size(), 1024u + 3);
    EXPECT_TRUE(printable(*record)) << *record;
  }
}

}  // namespace
}  // namespace hallmark::audit
