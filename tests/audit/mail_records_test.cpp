// SPDX-License-Identifier: Apache-2.0
// The records beside a domain's MX: TLS-RPT (RFC 8460 3), MTA-STS (RFC 8461 3.1) and BIMI,
// valid and invalid, and what their errors say.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

#include "audit/mail_records.hpp"

namespace hallmark::audit::detail {
namespace {

using ::testing::HasSubstr;

template <class T>
core::Error error_of(const core::Expected<T>& parsed, std::string_view text) {
  EXPECT_FALSE(parsed) << text;
  return parsed ? core::Error{} : parsed.error();
}

TEST(MailRecordsTlsRpt, ReadsEveryReportUri) {
  auto record = parse_tls_rpt_record(
      "v=TLSRPTv1; rua=mailto:tls@example.com , https://reports.example.net/tlsrpt?x=%2C;");
  ASSERT_TRUE(record) << record.error().message;
  EXPECT_EQ(record->rua, (std::vector<std::string>{"mailto:tls@example.com",
                                                   "https://reports.example.net/tlsrpt?x=%2C"}));
  // Extensions are ignored; the scheme is case-insensitive (RFC 3986 3.1).
  auto extended = parse_tls_rpt_record("v=TLSRPTv1;rua=HTTPS://r.example.net/;ext=1");
  ASSERT_TRUE(extended) << extended.error().message;
  EXPECT_EQ(extended->rua, std::vector<std::string>{"HTTPS://r.example.net/"});
}

TEST(MailRecordsTlsRpt, RefusesRecordsSendersDiscard) {
  struct {
    std::string_view text;
    core::Errc code;
    std::string_view says;
  } cases[] = {
      {"v=TLSRPTv1;", core::Errc::missing_tag, "tag 'rua' is missing"},
      {"v=TLSRPTv1; rua=", core::Errc::bad_value, "tag 'rua' is empty"},
      {"v=TLSRPTv1; rua=mailto:a@example.com,", core::Errc::bad_value, "empty URI"},
      {"v=TLSRPTv1; rua=http://r.example.net/", core::Errc::bad_value,
       "tag 'rua': 'http://r.example.net/' is http:, not https:"},
      {"v=TLSRPTv1; rua=ftp://r.example.net/", core::Errc::bad_value,
       "is not a mailto: or https: URI"},
      {"v=TLSRPTv1; rua=tls@example.com", core::Errc::bad_value, "is not a URI"},
      {"v=TLSRPTv1; rua=mailto:example.com", core::Errc::bad_value, "no mailbox"},
      {"v=TLSRPTv1; rua=mailto:a@example.com!10m", core::Errc::bad_value, "percent-encoded"},
      {"v=TLSRPTv1; rua=https:///path", core::Errc::bad_value, "has no host"},
      {"v=TLSRPTv1; rua=https:r.example.net", core::Errc::bad_value, "no '//'"},
      {"v=TLSRPTv1; rua=https://r.example.net/a b", core::Errc::bad_value, "0x20"},
      {"v=TLSRPTv1; rua=https://r.example.net/<x>", core::Errc::bad_value, "'<'"},
      {"v=TLSRPTv1; rua=https://r.example.net/%zz", core::Errc::bad_value, "two hex digits"},
      {"rua=mailto:a@example.com; v=TLSRPTv1", core::Errc::bad_value, "not the first tag"},
      {"v=TLSRPTv2; rua=mailto:a@example.com", core::Errc::unsupported,
       "tag 'v' is 'TLSRPTv2', not TLSRPTv1"},
      {"v=tlsrptv1; rua=mailto:a@example.com", core::Errc::unsupported, "not TLSRPTv1"},
      {"v = TLSRPTv1; rua=mailto:a@example.com", core::Errc::syntax, "exactly 'v=TLSRPTv1'"},
      {" v=TLSRPTv1; rua=mailto:a@example.com", core::Errc::syntax, "exactly"},
      {"rua=mailto:a@example.com", core::Errc::missing_tag, "tag 'v' is missing"},
      {"", core::Errc::missing_tag, "tag 'v' is missing"},
      {"v=TLSRPTv1; rua=mailto:a@example.com; rua=mailto:b@example.com", core::Errc::duplicate_tag,
       "duplicate tag 'rua'"},
      {"v=TLSRPTv1; rua=mailto:a@example.com;; x=1", core::Errc::syntax, "empty tag"},
  };
  for (auto [text, code, says] : cases) {
    core::Error error = error_of(parse_tls_rpt_record(text), text);
    EXPECT_EQ(error.code, code) << text << ": " << error.message;
    EXPECT_THAT(error.message, HasSubstr(says)) << text;
  }
}

TEST(MailRecordsMtaSts, ReadsTheId) {
  struct {
    std::string_view text, id;
  } cases[] = {
      {"v=STSv1; id=20240601T120000", "20240601T120000"},
      {"v=STSv1;id=1;", "1"},
      {"v=STSv1; id=12345678901234567890123456789012; ext=x", "12345678901234567890123456789012"},
  };
  for (auto [text, id] : cases) {
    auto record = parse_mta_sts_record(text);
    ASSERT_TRUE(record) << text << ": " << record.error().message;
    EXPECT_EQ(record->id, id);
  }
}

TEST(MailRecordsMtaSts, RefusesRecordsSendersDiscard) {
  struct {
    std::string_view text;
    core::Errc code;
    std::string_view says;
  } cases[] = {
      {"v=STSv1; id=2024-06-01", core::Errc::bad_value, "tag 'id' has '-' at offset 16"},
      {"v=STSv1; id=123456789012345678901234567890123", core::Errc::bad_value,
       "tag 'id' has 33 characters, more than 32"},
      {"v=STSv1; id=", core::Errc::bad_value, "tag 'id' is empty"},
      {"v=STSv1; id=abc def", core::Errc::bad_value, "0x20"},
      {"v=STSv1;", core::Errc::missing_tag, "tag 'id' is missing"},
      {"id=1; v=STSv1", core::Errc::bad_value, "not the first tag"},
      {"v=STSv2; id=1", core::Errc::unsupported, "not STSv1"},
      {"v= STSv1; id=1", core::Errc::syntax, "exactly 'v=STSv1'"},
      {"v=STSv1; id=1; id=2", core::Errc::duplicate_tag, "duplicate tag 'id'"},
      {"v=STSv1 id=1", core::Errc::unsupported, "'STSv1 id=1'"},
  };
  for (auto [text, code, says] : cases) {
    core::Error error = error_of(parse_mta_sts_record(text), text);
    EXPECT_EQ(error.code, code) << text << ": " << error.message;
    EXPECT_THAT(error.message, HasSubstr(says)) << text;
  }
}

TEST(MailRecordsBimi, ReadsLogoAndEvidence) {
  auto full =
      parse_bimi_record("v=BIMI1; l=https://example.com/logo.svg; a=https://example.com/vmc.pem");
  ASSERT_TRUE(full) << full.error().message;
  EXPECT_EQ(full->location, "https://example.com/logo.svg");
  EXPECT_EQ(full->authority, "https://example.com/vmc.pem");
  // White space around '=' is allowed by BIMI's grammar; a= is optional.
  auto spaced = parse_bimi_record("v = BIMI1 ; l = https://example.com/logo.svg");
  ASSERT_TRUE(spaced) << spaced.error().message;
  EXPECT_EQ(spaced->location, "https://example.com/logo.svg");
  EXPECT_EQ(spaced->authority, "");
  // Declination to publish.
  for (std::string_view text : {"v=BIMI1; l=; a=;", "v=BIMI1; l="}) {
    auto declined = parse_bimi_record(text);
    ASSERT_TRUE(declined) << text << ": " << declined.error().message;
    EXPECT_EQ(declined->location, "");
    EXPECT_EQ(declined->authority, "");
  }
}

TEST(MailRecordsBimi, RefusesRecordsClientsIgnore) {
  struct {
    std::string_view text;
    core::Errc code;
    std::string_view says;
  } cases[] = {
      {"v=BIMI1; l=http://example.com/logo.svg", core::Errc::bad_value,
       "tag 'l': 'http://example.com/logo.svg' is http:, not https:"},
      {"v=BIMI1; l=https://example.com/logo.svg; a=http://example.com/vmc.pem",
       core::Errc::bad_value, "tag 'a': "},
      {"v=BIMI1; l=mailto:logo@example.com", core::Errc::bad_value, "is not an https: URI"},
      {"v=BIMI1; l=https://a.example/1.svg,https://a.example/2.svg", core::Errc::bad_value,
       "tag 'l' holds more than one URI"},
      {"v=BIMI1; a=https://example.com/vmc.pem", core::Errc::missing_tag, "tag 'l' is missing"},
      {"l=https://example.com/logo.svg; v=BIMI1", core::Errc::bad_value, "not the first tag"},
      {"v=BIMI2; l=", core::Errc::unsupported, "not BIMI1"},
      {"v=bimi1; l=", core::Errc::unsupported, "not BIMI1"},
      {"v=BIMI1; l=; l=", core::Errc::duplicate_tag, "duplicate tag 'l'"},
  };
  for (auto [text, code, says] : cases) {
    core::Error error = error_of(parse_bimi_record(text), text);
    EXPECT_EQ(error.code, code) << text << ": " << error.message;
    EXPECT_THAT(error.message, HasSubstr(says)) << text;
  }
}

TEST(MailRecordsSelect, RecordsNamingTheVersionAreTakenAsMeantToBeOne) {
  EXPECT_TRUE(mentions_tls_rpt("v=TLSRPTv1; rua=mailto:a@example.com"));
  EXPECT_TRUE(mentions_tls_rpt("rua=mailto:a@example.com; v = tlsrptv1"));
  EXPECT_FALSE(mentions_tls_rpt("v=spf1 -all"));
  EXPECT_TRUE(mentions_mta_sts("v=STSv1; id=1"));
  EXPECT_TRUE(mentions_mta_sts("V=stsv1"));
  EXPECT_FALSE(mentions_mta_sts("site-verification=abc"));
  EXPECT_TRUE(mentions_bimi("v=BIMI1; l="));
  EXPECT_FALSE(mentions_bimi("v=DMARC1; p=none"));
}

TEST(MailRecordsHostile, ErrorsStayShortAndPrintable) {
  std::string long_uri = "https://example.com/" + std::string(10000, 'a');
  std::string control = "v=STSv1; id=ab\x01";
  std::string utf8 = "v=BIMI1; l=https://example.com/\xc3\xa9.svg";
  for (const core::Error& error :
       {error_of(parse_tls_rpt_record("v=TLSRPTv1; rua=" + long_uri + " x"), "long"),
        error_of(parse_tls_rpt_record("v=TLSRPTv9" + std::string(10000, 'v')), "long version"),
        error_of(parse_mta_sts_record(control), "control"),
        error_of(parse_bimi_record(utf8), "utf8"),
        error_of(parse_bimi_record("v=BIMI1; l=http://" + std::string(5000, '\x80')), "8-bit")}) {
    EXPECT_FALSE(error.message.empty());
    EXPECT_LE(error.message.size(), 300u) << error.message;
    for (char c : error.message)
      EXPECT_TRUE(c >= 0x20 && c < 0x7f)
          << "octet " << static_cast<int>(c) << " in " << error.message;
  }
}

TEST(MailRecordsHostile, PrintableBoundsAndMasks) {
  EXPECT_EQ(printable("a\tb\r\nc\x01\x7f\xc3\xa9"), "a b  c????");
  EXPECT_EQ(printable(std::string(100, 'x'), 10), std::string(10, 'x') + "...");
}

}  // namespace
}  // namespace hallmark::audit::detail
