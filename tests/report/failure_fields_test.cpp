// SPDX-License-Identifier: Apache-2.0
// The message/feedback-report part of failure reports (RFC 5965, RFC 6591, the DMARC
// failure-reporting draft) and RFC 5322 dates. Expected epoch values were computed with
// `date -u -d '<ISO date> <offset>' +%s`.
#include <gtest/gtest.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "hallmark/report/failure.hpp"

namespace hallmark::report {
namespace {

using Strings = std::vector<std::string>;

std::string crlf(std::string_view lf_text) {
  std::string out;
  for (char c : lf_text) {
    if (c == '\n') out += '\r';
    out += c;
  }
  return out;
}

FeedbackFields parsed(std::string_view content) {
  auto fields = parse_feedback_fields(content);
  EXPECT_TRUE(fields) << content << "\n-> " << fields.error().message;
  return fields.value_or(FeedbackFields{});
}

core::Error failed(std::string_view content) {
  auto fields = parse_feedback_fields(content);
  EXPECT_FALSE(fields) << content;
  return fields ? core::Error{} : fields.error();
}

// RFC 6591 section 5: a DKIM body-hash failure, with the legacy Received-Date name and the
// example's own weekday slip (8 March 2005 was a Tuesday).
constexpr std::string_view rfc6591_example =
    "Feedback-Type: auth-failure\n"
    "User-Agent: SomeDKIMFilter/1.0\n"
    "Version: 1\n"
    "Original-Mail-From: <randomuser@example.net>\n"
    "Original-Rcpt-To: <user@example.com>\n"
    "Received-Date: Thu, 8 Mar 2005 14:00:00 EDT\n"
    "Source-IP: 192.0.2.1\n"
    "Authentication-Results: mail.example.com;\n"
    "              dkim=fail header.d=example.net\n"
    "Reported-Domain: example.net\n"
    "DKIM-Domain: example.net\n"
    "DKIM-Identity: @example.net\n"
    "DKIM-Selector: news\n"
    "Auth-Failure: bodyhash\n";

// The machine-readable part of the draft-ietf-dmarc-failure-reporting-24 example.
constexpr std::string_view dmarc_draft_example =
    "Feedback-Type: auth-failure\n"
    "Version: 1\n"
    "User-Agent: DMARC-Filter/1.2.3\n"
    "Auth-Failure: dmarc\n"
    "Authentication-Results: gen.example;\n"
    "  dmarc=fail header.from=consumer.example\n"
    "Identity-Alignment: dkim\n"
    "DKIM-Domain: consumer.example\n"
    "DKIM-Identity: @consumer.example\n"
    "DKIM-Selector: epsilon\n"
    "Original-Envelope-Id: 65E1A3F0A0\n"
    "Original-Mail-From: author=gen.example@forwarder.example\n"
    "Source-IP: 192.0.2.2\n"
    "Source-Port: 12345\n"
    "Reported-Domain: consumer.example\n"
    "\n";

TEST(FeedbackFields, ParsesRfc6591AuthFailureExample) {
  FeedbackFields f = parsed(rfc6591_example);
  EXPECT_EQ(f.feedback_type, "auth-failure");
  EXPECT_EQ(f.user_agent, "SomeDKIMFilter/1.0");
  EXPECT_EQ(f.version, "1");
  EXPECT_EQ(f.original_mail_from, "<randomuser@example.net>");
  EXPECT_EQ(f.original_rcpt_to, Strings{"<user@example.com>"});
  EXPECT_EQ(f.arrival_date, "Thu, 8 Mar 2005 14:00:00 EDT");
  EXPECT_EQ(f.arrival_time, 1110304800);  // 2005-03-08 14:00:00 -0400
  EXPECT_EQ(f.source_ip, "192.0.2.1");
  EXPECT_EQ(f.authentication_results,
            Strings{"mail.example.com;              dkim=fail header.d=example.net"});
  EXPECT_EQ(f.reported_domain, Strings{"example.net"});
  EXPECT_EQ(f.dkim_domain, "example.net");
  EXPECT_EQ(f.dkim_identity, "@example.net");
  EXPECT_EQ(f.dkim_selector, "news");
  EXPECT_EQ(f.auth_failure, "bodyhash");
  EXPECT_TRUE(f.reporting_mta.empty());
  EXPECT_TRUE(f.identity_alignment.empty());
  EXPECT_TRUE(f.reported_uri.empty());
}

TEST(FeedbackFields, ParsesRfc5965AbuseReport) {
  FeedbackFields f = parsed(
      "Feedback-Type: abuse\n"
      "User-Agent: SomeGenerator/1.0\n"
      "Version: 1\n"
      "Original-Mail-From: <somespammer@example.net>\n"
      "Original-Rcpt-To: <user@example.com>\n"
      "Arrival-Date: Thu, 8 Mar 2005 14:00:00 EDT\n"
      "Reporting-MTA: dns; mail.example.com\n"
      "Source-IP: 192.0.2.1\n"
      "Authentication-Results: mail.example.com;\n"
      "               spf=fail smtp.mail=somespammer@example.com\n"
      "Reported-Domain: example.net\n"
      "Reported-Uri: http://example.net/earn_money.html\n"
      "Reported-Uri: mailto:user@example.com\n"
      "Removal-Recipient: user@example.com\n"
      "Incidents: 3\n"
      "Original-Envelope-Id: 123456789\n");
  EXPECT_EQ(f.feedback_type, "abuse");
  EXPECT_EQ(f.arrival_date, "Thu, 8 Mar 2005 14:00:00 EDT");
  EXPECT_EQ(f.arrival_time, 1110304800);
  EXPECT_EQ(f.reporting_mta, "dns; mail.example.com");
  EXPECT_EQ(f.reported_uri,
            (Strings{"http://example.net/earn_money.html", "mailto:user@example.com"}));
  EXPECT_EQ(f.incidents, "3");
  EXPECT_EQ(f.original_envelope_id, "123456789");
  EXPECT_TRUE(f.auth_failure.empty());
}

TEST(FeedbackFields, ParsesDmarcDraftExample) {
  FeedbackFields f = parsed(dmarc_draft_example);
  EXPECT_EQ(f.feedback_type, "auth-failure");
  EXPECT_EQ(f.version, "1");
  EXPECT_EQ(f.user_agent, "DMARC-Filter/1.2.3");
  EXPECT_EQ(f.auth_failure, "dmarc");
  EXPECT_EQ(f.authentication_results,
            Strings{"gen.example;  dmarc=fail header.from=consumer.example"});
  EXPECT_EQ(f.identity_alignment, "dkim");
  EXPECT_EQ(f.dkim_domain, "consumer.example");
  EXPECT_EQ(f.dkim_identity, "@consumer.example");
  EXPECT_EQ(f.dkim_selector, "epsilon");
  EXPECT_EQ(f.original_envelope_id, "65E1A3F0A0");
  EXPECT_EQ(f.original_mail_from, "author=gen.example@forwarder.example");
  EXPECT_EQ(f.source_ip, "192.0.2.2");
  EXPECT_EQ(f.reported_domain, Strings{"consumer.example"});
  EXPECT_TRUE(f.arrival_date.empty());
  EXPECT_EQ(f.arrival_time, std::nullopt);
}

TEST(FeedbackFields, ReadsEveryRfc6591Field) {
  FeedbackFields f = parsed(
      "Feedback-Type: auth-failure\n"
      "Delivery-Result: reject\n"
      "Auth-Failure: spf\n"
      "SPF-DNS: txt : example.net : \"v=spf1 -all\"\n"
      "DKIM-Canonicalized-Header: ZnJvbTpBIDxhQGV4YW1wbGUubmV0Pg0K\n"
      "DKIM-Canonicalized-Body: SGVsbG8NCg==\n");
  EXPECT_EQ(f.delivery_result, "reject");
  EXPECT_EQ(f.auth_failure, "spf");
  EXPECT_EQ(f.spf_dns, "txt : example.net : \"v=spf1 -all\"");
  EXPECT_EQ(f.dkim_canonicalized_header, "ZnJvbTpBIDxhQGV4YW1wbGUubmV0Pg0K");
  EXPECT_EQ(f.dkim_canonicalized_body, "SGVsbG8NCg==");
}

TEST(FeedbackFields, UnfoldsAndTrimsValues) {
  FeedbackFields f = parsed(
      "Feedback-Type:   auth-failure   \n"
      "DKIM-Canonicalized-Body: SGVs\n"
      "\tbG8N\n"
      "  Cg==\n"
      "Original-Rcpt-To:\n"
      "  <user@example.com>\t\n");
  EXPECT_EQ(f.feedback_type, "auth-failure");
  EXPECT_EQ(f.dkim_canonicalized_body, "SGVs\tbG8N  Cg==");
  EXPECT_EQ(f.original_rcpt_to, Strings{"<user@example.com>"});
}

TEST(FeedbackFields, CrlfAndLfGiveTheSameFields) {
  for (std::string_view text : {rfc6591_example, dmarc_draft_example}) {
    std::string with_crlf = crlf(text);
    FeedbackFields lf = parsed(text);
    FeedbackFields crlf_fields = parsed(with_crlf);
    EXPECT_EQ(lf.authentication_results, crlf_fields.authentication_results);
    EXPECT_EQ(lf.dkim_selector, crlf_fields.dkim_selector);
    EXPECT_EQ(lf.reported_domain, crlf_fields.reported_domain);
    EXPECT_EQ(lf.arrival_time, crlf_fields.arrival_time);
    EXPECT_EQ(crlf_fields.feedback_type, "auth-failure");
  }
  EXPECT_EQ(parsed("Feedback-Type: abuse\r\nVersion: 1\nUser-Agent: x\r\n").user_agent, "x");
}

TEST(FeedbackFields, CollectsRepeatedFieldsInOrder) {
  FeedbackFields f = parsed(
      "Feedback-Type: auth-failure\n"
      "Original-Rcpt-To: <a@example.com>\n"
      "Reported-Domain: example.net\n"
      "Original-Rcpt-To: <b@example.com>\n"
      "Reported-Domain: example.org\n"
      "Authentication-Results: a.example; spf=fail\n"
      "Authentication-Results: b.example; dkim=fail\n"
      "Original-Rcpt-To: <c@example.com>\n");
  EXPECT_EQ(f.original_rcpt_to, (Strings{"<a@example.com>", "<b@example.com>", "<c@example.com>"}));
  EXPECT_EQ(f.reported_domain, (Strings{"example.net", "example.org"}));
  EXPECT_EQ(f.authentication_results, (Strings{"a.example; spf=fail", "b.example; dkim=fail"}));
}

TEST(FeedbackFields, MatchesNamesIgnoringCase) {
  FeedbackFields f = parsed(
      "feedback-type: auth-failure\n"
      "SOURCE-IP: 192.0.2.9\n"
      "dkim-selector: s1\n"
      "reported-uri: http://example.net/\n"
      "received-date: 1 Jan 2020 00:00:00 +0000\n");
  EXPECT_EQ(f.feedback_type, "auth-failure");
  EXPECT_EQ(f.source_ip, "192.0.2.9");
  EXPECT_EQ(f.dkim_selector, "s1");
  EXPECT_EQ(f.reported_uri, Strings{"http://example.net/"});
  EXPECT_EQ(f.arrival_time, 1577836800);
}

TEST(FeedbackFields, IgnoresExtensionFields) {
  FeedbackFields f = parsed(
      "X-Custom: 1\n"
      "Feedback-Type: auth-failure\n"
      "Source-Port: 25\n"
      "Removal-Recipient: user@example.com\n"
      "X-Custom: 2\n");
  EXPECT_EQ(f.feedback_type, "auth-failure");
}

TEST(FeedbackFields, ArrivalDateWinsOverLegacyReceivedDate) {
  FeedbackFields f = parsed(
      "Feedback-Type: auth-failure\n"
      "Received-Date: Tue, 8 Mar 2005 14:00:00 -0400\n"
      "Arrival-Date: Wed, 9 Mar 2005 14:00:00 -0400\n");
  EXPECT_EQ(f.arrival_date, "Wed, 9 Mar 2005 14:00:00 -0400");
  EXPECT_EQ(f.arrival_time, 1110304800 + 86400);
}

TEST(FeedbackFields, UnreadableArrivalDateLeavesTimeEmpty) {
  FeedbackFields f = parsed("Feedback-Type: auth-failure\nArrival-Date: yesterday\n");
  EXPECT_EQ(f.arrival_date, "yesterday");
  EXPECT_EQ(f.arrival_time, std::nullopt);
}

TEST(FeedbackFields, RejectsSecondCopyOfSingleFields) {
  for (std::string_view name :
       {"Feedback-Type", "User-Agent", "Version", "Original-Envelope-Id", "Original-Mail-From",
        "Arrival-Date", "Received-Date", "Reporting-MTA", "Source-IP", "Incidents"}) {
    std::string content = "Feedback-Type: auth-failure\n" + std::string(name) +
                          ": a\nX-Other: x\n" + std::string(name) + ": b\n";
    core::Error e = failed(content);
    EXPECT_EQ(e.code, core::Errc::duplicate_tag) << name;
    EXPECT_NE(e.message.find(name), std::string::npos) << e.message;
  }
  core::Error e = failed("Feedback-Type: abuse\nSource-IP: 192.0.2.1\nsource-ip: 192.0.2.2\n");
  EXPECT_EQ(e.code, core::Errc::duplicate_tag);
  EXPECT_EQ(e.offset, 42u);  // the second copy
}

TEST(FeedbackFields, KeepsFirstCopyOfOtherSingleFields) {
  FeedbackFields f = parsed(
      "Feedback-Type: auth-failure\n"
      "DKIM-Selector: first\n"
      "Auth-Failure: dmarc\n"
      "DKIM-Selector: second\n"
      "Auth-Failure: spf\n");
  EXPECT_EQ(f.dkim_selector, "first");
  EXPECT_EQ(f.auth_failure, "dmarc");
}

TEST(FeedbackFields, RequiresFeedbackType) {
  for (std::string_view text : {"", "\n", "\r\n\r\n", "Version: 1\nUser-Agent: x\n",
                                "Feedback-Type:\nVersion: 1\n", "Feedback-Type:   \n"}) {
    EXPECT_EQ(failed(text).code, core::Errc::missing_tag) << text;
  }
}

TEST(FeedbackFields, RejectsLinesThatAreNotFields) {
  struct {
    std::string_view text;
    std::size_t offset;
  } cases[] = {
      {"Feedback-Type: abuse\nthis is not a field\n", 21},
      {"Feedback-Type: abuse\r\nno colon here\r\nVersion: 1\r\n", 22},
      {"Feedback-Type: abuse\n: empty name\n", 21},
      {"Feedback-Type: abuse\nBad Name: x\n", 21},
      {" leading continuation\nFeedback-Type: abuse\n", 0},
      {"Feedback-Type: abuse\n\n continuation after a blank line\n", 22},
      {"Feedback-Type: abuse\n\ntrailing garbage", 22},
      {"Feedback-Type: abuse\n\rVersion: 1\n", 21},
      {"Feedback-Type: abuse\nN\xe4me: x\n", 21},
      {"garbage", 0},
  };
  for (auto [text, offset] : cases) {
    core::Error e = failed(text);
    EXPECT_EQ(e.code, core::Errc::syntax) << text;
    EXPECT_EQ(e.offset, offset) << text;
  }
}

TEST(FeedbackFields, ToleratesBlankLinesAroundTheBlock) {
  for (std::string_view text :
       {"Feedback-Type: abuse\n\n", "Feedback-Type: abuse\r\n\r\n\r\n", "\r\nFeedback-Type: abuse",
        "Feedback-Type: abuse\n  \n\t\r\n", "\n\nFeedback-Type: abuse\n\n"}) {
    EXPECT_EQ(parsed(text).feedback_type, "abuse") << text;
  }
}

TEST(FeedbackFields, ReadsGroupsSeparatedByBlankLines) {
  FeedbackFields f = parsed(
      "Feedback-Type: auth-failure\n"
      "Original-Rcpt-To: <a@example.com>\n"
      "\n"
      "Original-Rcpt-To: <b@example.com>\n"
      "Source-IP: 192.0.2.1\n");
  EXPECT_EQ(f.original_rcpt_to, (Strings{"<a@example.com>", "<b@example.com>"}));
  EXPECT_EQ(f.source_ip, "192.0.2.1");

  core::Error e = failed("Feedback-Type: abuse\n\nFeedback-Type: auth-failure\n");
  EXPECT_EQ(e.code, core::Errc::duplicate_tag);
  EXPECT_EQ(e.offset, 22u);
}

TEST(FeedbackFields, AcceptsLargeValuesUpToTheLimit) {
  std::string body(1024 * 1024 - 100, 'A');
  std::string content = "Feedback-Type: auth-failure\nDKIM-Canonicalized-Body: " + body + "\n";
  EXPECT_EQ(parsed(content).dkim_canonicalized_body.size(), body.size());
}

TEST(FeedbackFields, RejectsHugeInput) {
  std::string content = "Feedback-Type: auth-failure\nDKIM-Canonicalized-Body: ";
  content.append(1024 * 1024, 'A');
  EXPECT_EQ(failed(content).code, core::Errc::too_long);

  std::string many = "Feedback-Type: auth-failure\n";
  for (int i = 0; i < 20'000; ++i) many += "X:\n";
  EXPECT_EQ(failed(many).code, core::Errc::too_long);
}

TEST(FeedbackFields, SurvivesEveryTruncation) {
  std::string text = crlf(rfc6591_example);
  for (std::size_t n = 0; n <= text.size(); ++n) {
    std::string_view prefix = std::string_view(text).substr(0, n);
    auto f = parse_feedback_fields(prefix);
    if (f) {
      EXPECT_TRUE(std::string_view("auth-failure").starts_with(f->feedback_type)) << n;
      if (n >= 27) {
        EXPECT_EQ(f->feedback_type, "auth-failure") << n;
      }
    } else {  // nothing yet, or a field name cut before its colon
      EXPECT_TRUE(f.error().code == core::Errc::missing_tag || f.error().code == core::Errc::syntax)
          << n;
    }
    // Cut at a line end, or between CR and LF, every prefix is a valid block.
    if (n >= 27 && (prefix.ends_with('\n') || prefix.ends_with('\r'))) {
      EXPECT_TRUE(f) << n;
    }
  }
}

TEST(Rfc5322Date, ParsesValidForms) {
  struct {
    std::string_view text;
    std::int64_t epoch;
  } cases[] = {
      {"Tue, 8 Mar 2005 14:00:00 -0400", 1110304800},
      {"8 Mar 2005 14:00:00 -0400", 1110304800},
      {"Tue, 08 Mar 2005 14:00:00 -0400", 1110304800},
      {"Tue, 19 Jul 2022 00:57:48 -0500", 1658210268},
      {"Fri, 21 Nov 1997 09:55:06 -0600", 880127706},
      {"Tue, 1 Jul 2003 10:52:37 +0200", 1057049557},
      {"Thu, 1 Jan 1970 00:00:00 +0000", 0},
      {"Thu, 1 Jan 1970 00:00:00 -0000", 0},
      {"Thu, 13 Feb 1969 23:32:54 -0330", -27723426},
      {"Mon, 1 Jan 1900 00:00:00 +0000", -2208988800},
      {"Fri, 31 Dec 9999 23:59:59 +0000", 253402300799},
      {"Thu, 5 Oct 2023 14:30:00 +0545", 1696495500},
      {"Fri, 31 Dec 1999 23:59:00 +9959", 946684740 - 359940},
      {"Fri, 31 Dec 1999 23:59:00 -9959", 946684740 + 359940},
      {"Sat, 31 Dec 2016 23:59:59 +0000", 1483228799},
      {"Sat, 31 Dec 2016 23:59:60 +0000", 1483228800},  // leap second
      {"Wed, 20 Nov 2002 08:30 +0000", 1037781000},     // no seconds
      {"Sun, 28 Feb 2100 12:00:00 -0800", 4107528000},
      {"tue, 08 MAR 2005 14:00:00 -0400", 1110304800},  // names ignore case
      {"  Tue ,  8   Mar   2005   14:00:00   -0400  ", 1110304800},
      {"Tue,8 Mar 2005 14:00:00 -0400", 1110304800},
      {"Tue, 8 Mar 2005 14 : 00 : 00 -0400", 1110304800},      // obsolete: FWS around colons
      {"Tue, 8\r\n Mar 2005\r\n 14:00:00 -0400", 1110304800},  // folded
      {"Thu, 8 Mar 2005 14:00:00 -0400", 1110304800},          // a wrong weekday is not checked
  };
  for (auto [text, epoch] : cases) EXPECT_EQ(parse_rfc5322_date(text), epoch) << text;
}

TEST(Rfc5322Date, LeapDays) {
  EXPECT_EQ(parse_rfc5322_date("Thu, 29 Feb 2024 23:59:59 +0000"), 1709251199);
  EXPECT_EQ(parse_rfc5322_date("Tue, 29 Feb 2000 06:07:00 +0000"), 951804420);
  EXPECT_EQ(parse_rfc5322_date("Wed, 29 Feb 2023 00:00:00 +0000"), std::nullopt);
  EXPECT_EQ(parse_rfc5322_date("Mon, 29 Feb 2100 00:00:00 +0000"), std::nullopt);
  EXPECT_EQ(parse_rfc5322_date("Fri, 30 Feb 2024 00:00:00 +0000"), std::nullopt);
  EXPECT_EQ(parse_rfc5322_date("31 Apr 2024 00:00:00 +0000"), std::nullopt);
  EXPECT_NE(parse_rfc5322_date("30 Apr 2024 00:00:00 +0000"), std::nullopt);
}

TEST(Rfc5322Date, ReadsObsoleteZoneNames) {
  struct {
    std::string_view zone;
    std::int64_t epoch;  // 2024-02-29 12:00:00 in that zone
  } cases[] = {
      {"+0000", 1709208000}, {"UT", 1709208000},  {"GMT", 1709208000}, {"gmt", 1709208000},
      {"EST", 1709226000},   {"EDT", 1709222400}, {"CST", 1709229600}, {"CDT", 1709226000},
      {"MST", 1709233200},   {"MDT", 1709229600}, {"PST", 1709236800}, {"PDT", 1709233200},
      {"Z", 1709208000},     {"A", 1709208000},   {"m", 1709208000},   {"Y", 1709208000},
  };
  for (auto [zone, epoch] : cases) {
    std::string text = "Thu, 29 Feb 2024 12:00:00 " + std::string(zone);
    EXPECT_EQ(parse_rfc5322_date(text), epoch) << text;
  }
  for (std::string_view zone : {"J", "UTC", "CET", "BST", "XX", "+05", "+123", "+12345", "0000",
                                "+0060", "-01:00", "+ 0100", ""}) {
    std::string text = "Thu, 29 Feb 2024 12:00:00 " + std::string(zone);
    EXPECT_EQ(parse_rfc5322_date(text), std::nullopt) << text;
  }
}

TEST(Rfc5322Date, SkipsComments) {
  struct {
    std::string_view text;
    std::int64_t epoch;
  } cases[] = {
      {"Sun, 14 Aug 2022 07:58:29 -0700 (PDT)", 1660489109},
      {"Thu, 29 Feb 2024 12:00:00 +0000 (UTC)", 1709208000},
      {"Thu, 29 Feb 2024 12:00:00 +0000 (Coordinated (Universal) Time)", 1709208000},
      {"Thu, 29 Feb 2024 12:00:00 +0000 (a \\) quoted paren)", 1709208000},
      {"(day) Thu, 29 Feb 2024 12:00:00 +0000", 1709208000},
      {"Thu,(c)29(c)Feb(c)2024(c)12:00:00(c)+0000(c)", 1709208000},
      {"Thu, 29 Feb 2024 12:00:00 GMT (GMT) ", 1709208000},
  };
  for (auto [text, epoch] : cases) EXPECT_EQ(parse_rfc5322_date(text), epoch) << text;
  for (std::string_view text :
       {"Thu, 29 Feb 2024 12:00:00 +0000 (unclosed", "Thu, 29 Feb 2024 12:00:00 +0000 )",
        "Thu, 29 Feb 2024 12:00:00 +0000 ((one level closed)",
        "Thu, 29 Feb 2024 12:00:00 +0000 (ends in quote\\)"}) {
    EXPECT_EQ(parse_rfc5322_date(text), std::nullopt) << text;
  }
}

TEST(Rfc5322Date, ReadsObsoleteYears) {
  struct {
    std::string_view text;
    std::int64_t epoch;
  } cases[] = {
      {"Tue, 8 Mar 05 14:00:00 -0400", 1110304800},   // 2005
      {"Fri, 31 Dec 49 00:00:00 +0000", 2524521600},  // 2049
      {"Sun, 1 Jan 50 00:00:00 +0000", -631152000},   // 1950
      {"Fri, 21 Nov 97 09:55:06 -0600", 880127706},   // 1997
      {"Tue, 8 Mar 105 14:00:00 -0400", 1110304800},  // three digits: 1900 + 105
      {"Thu, 13 Feb 069 23:32:54 -0330", -27723426},  // 1900 + 69
      {"Tue, 29 Feb 00 06:07:00 +0000", 951804420},   // 2000 is a leap year
  };
  for (auto [text, epoch] : cases) EXPECT_EQ(parse_rfc5322_date(text), epoch) << text;
}

TEST(Rfc5322Date, RejectsInvalidDates) {
  for (std::string_view text : {
           "",
           "   ",
           "(only a comment)",
           "yesterday",
           "2024-02-29T12:00:00Z",
           "Thu, 29 Feb 2024",
           "Thu, 29 Feb 2024 12:00:00",        // no zone
           "Thu 29 Feb 2024 12:00:00 +0000",   // weekday without comma
           "Thx, 29 Feb 2024 12:00:00 +0000",  // not a weekday
           "Thursday, 29 Feb 2024 12:00:00 +0000",
           ", 29 Feb 2024 12:00:00 +0000",
           "Thu, 0 Feb 2024 12:00:00 +0000",
           "Thu, 32 Jan 2024 12:00:00 +0000",
           "Thu, 001 Feb 2024 12:00:00 +0000",
           "Thu, 29 Fbr 2024 12:00:00 +0000",
           "Thu, 29 February 2024 12:00:00 +0000",
           "Thu, 29 2 2024 12:00:00 +0000",
           "Thu, 29Feb 2024 12:00:00 +0000",
           "Thu, 29 Feb2024 12:00:00 +0000",
           "Thu, 29 Feb 2024 12:00:00+0000",
           "Thu, 29 Feb 20245 12:00:00 +0000",
           "Thu, 29 Feb 1 12:00:00 +0000",
           "Thu, 1 Jan 1899 12:00:00 +0000",  // RFC 5322 3.3: 1900 or later
           "Thu, 1 Jan 0049 12:00:00 +0000",  // four digits mean year 49
           "Thu, 29 Feb 2024 24:00:00 +0000",
           "Thu, 29 Feb 2024 12:60:00 +0000",
           "Thu, 29 Feb 2024 12:00:61 +0000",
           "Thu, 29 Feb 2024 1:00:00 +0000",
           "Thu, 29 Feb 2024 12:0:00 +0000",
           "Thu, 29 Feb 2024 12:00:0 +0000",
           "Thu, 29 Feb 2024 12 +0000",
           "Thu, 29 Feb 2024 12:00: +0000",
           "Thu, 29 Feb 2024 12:00:00:00 +0000",
           "Thu, 29 Feb 2024 12:00:00 +0000 extra",
           "Thu, 29 Feb 2024 12:00:00 +0000 +0000",
           "Thu, -1 Feb 2024 12:00:00 +0000",
           "Thu, 29 Feb 2024 12:00:00 \xc2\xa0+0000",
       }) {
    EXPECT_EQ(parse_rfc5322_date(text), std::nullopt) << text;
  }
  EXPECT_EQ(parse_rfc5322_date(std::string("Thu, 29 Feb 2024 12:00:00 +0000\0", 32)), std::nullopt);
}

}  // namespace
}  // namespace hallmark::report
