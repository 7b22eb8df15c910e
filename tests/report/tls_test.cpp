// SPDX-License-Identifier: Apache-2.0
// SMTP TLS report parsing (RFC 8460 4.3, 4.4): the RFC's example, the forms real reporters
// send, every required member and type, RFC 3339 date-times, and hostile JSON (deep nesting,
// oversize, bad UTF-8, truncation).
#include <gtest/gtest.h>

#include <string>
#include <string_view>

#include "hallmark/report/tls.hpp"

namespace hallmark::report {
namespace {

// RFC 8460 4.4, the example report.
constexpr std::string_view kRfc8460Example = R"({
  "organization-name": "Company-X",
  "date-range": {
    "start-datetime": "2016-04-01T00:00:00Z",
    "end-datetime": "2016-04-01T23:59:59Z"
  },
  "contact-info": "sts-reporting@company-x.example",
  "report-id": "5065427c-23d3-47ca-b6e0-946ea0e8c4be",
  "policies": [{
    "policy": {
      "policy-type": "sts",
      "policy-string": ["version: STSv1","mode: testing",
            "mx: *.mail.company-y.example","max_age: 86400"],
      "policy-domain": "company-y.example",
      "mx-host": ["*.mail.company-y.example"]
    },
    "summary": {
      "total-successful-session-count": 5326,
      "total-failure-session-count": 303
    },
    "failure-details": [{
      "result-type": "starttls-not-supported",
      "sending-mta-ip": "2001:db8:abcd:0012::1",
      "receiving-mx-hostname": "mx1.mail.company-y.example",
      "receiving-ip": "203.0.113.56",
      "failed-session-count": 200,
      "additional-information": "https://reports.company-x.example/report_info?id=5065427c-23d3#StarttlsNotSupported"
    },
    {
      "result-type": "certificate-host-mismatch",
      "sending-mta-ip": "2001:db8:abcd:0013::1",
      "receiving-mx-hostname": "mx2.mail.company-y.example",
      "receiving-ip": "203.0.113.57",
      "failed-session-count": 3
    },
    {
      "result-type": "validation-failure",
      "sending-mta-ip": "2001:db8:abcd:0013::1",
      "receiving-mx-hostname": "mx2.mail.company-y.example",
      "receiving-ip": "203.0.113.58",
      "failed-session-count": 100,
      "failure-reason-code": "X509_V_ERR_PROXY_PATH_LENGTH_EXCEEDED"
    }]
  }]
}
)";

// A small valid report, built from pieces that tests swap out one at a time.
constexpr std::string_view kDateRange =
    R"({"start-datetime":"2016-04-01T00:00:00Z","end-datetime":"2016-04-01T23:59:59Z"})";
constexpr std::string_view kPolicy = R"({"policy-type":"sts","policy-domain":"example.com"})";
constexpr std::string_view kSummary =
    R"({"total-successful-session-count":1,"total-failure-session-count":2})";
constexpr std::string_view kDetail =
    R"({"result-type":"certificate-expired","failed-session-count":2})";

std::string policy_result(std::string_view details = kDetail) {
  return std::string(R"({"policy":)") + std::string(kPolicy) + R"(,"summary":)" +
         std::string(kSummary) + R"(,"failure-details":[)" + std::string(details) + "]}";
}

std::string report_with_policies(std::string_view policies) {
  return std::string(R"({"organization-name":"X","date-range":)") + std::string(kDateRange) +
         R"(,"report-id":"r","policies":[)" + std::string(policies) + "]}";
}

std::string minimal() { return report_with_policies(policy_result()); }

// The minimal report with its one occurrence of `from` replaced by `to`.
std::string with(std::string_view from, std::string_view to) {
  std::string text = minimal();
  std::size_t at = text.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  EXPECT_EQ(text.find(from, at + 1), std::string::npos) << from << " is not unique";
  if (at != std::string::npos) text.replace(at, from.size(), to);
  return text;
}

TlsReport parsed(std::string_view json, const TlsLimits& limits = {}) {
  auto report = parse_tls_report(json, limits);
  EXPECT_TRUE(report) << json << "\n" << (report ? "" : report.error().message);
  return report.value_or(TlsReport{});
}

testing::AssertionResult fails_with(std::string_view json, core::Errc code,
                                    std::string_view message, const TlsLimits& limits = {}) {
  auto report = parse_tls_report(json, limits);
  if (report) return testing::AssertionFailure() << "parsed";
  const core::Error& error = report.error();
  if (error.code != code)
    return testing::AssertionFailure() << "code " << core::to_string(error.code) << ", not "
                                       << core::to_string(code) << ": " << error.message;
  if (error.message.find(message) == std::string::npos)
    return testing::AssertionFailure()
           << "message '" << error.message << "' lacks '" << message << "'";
  if (error.offset > json.size())
    return testing::AssertionFailure() << "offset " << error.offset << " past the end";
  return testing::AssertionSuccess();
}

TEST(TlsReportParse, ReadsRfc8460Example) {
  TlsReport r = parsed(kRfc8460Example);
  EXPECT_EQ(r.organization_name, "Company-X");
  EXPECT_EQ(r.start_datetime, 1459468800);
  EXPECT_EQ(r.end_datetime, 1459555199);
  EXPECT_EQ(r.contact_info, "sts-reporting@company-x.example");
  EXPECT_EQ(r.report_id, "5065427c-23d3-47ca-b6e0-946ea0e8c4be");
  ASSERT_EQ(r.policies.size(), 1u);
  const TlsPolicyResult& p = r.policies[0];
  EXPECT_EQ(p.policy_type, "sts");
  EXPECT_EQ(p.policy_string,
            (std::vector<std::string>{"version: STSv1", "mode: testing",
                                      "mx: *.mail.company-y.example", "max_age: 86400"}));
  EXPECT_EQ(p.policy_domain, "company-y.example");
  EXPECT_EQ(p.mx_host, std::vector<std::string>{"*.mail.company-y.example"});
  EXPECT_EQ(p.total_successful_session_count, 5326u);
  EXPECT_EQ(p.total_failure_session_count, 303u);
  ASSERT_EQ(p.failure_details.size(), 3u);

  const TlsFailureDetail& d0 = p.failure_details[0];
  EXPECT_EQ(d0.result_type, "starttls-not-supported");
  EXPECT_EQ(d0.sending_mta_ip, "2001:db8:abcd:0012::1");
  EXPECT_EQ(d0.receiving_mx_hostname, "mx1.mail.company-y.example");
  EXPECT_EQ(d0.receiving_mx_helo, "");
  EXPECT_EQ(d0.receiving_ip, "203.0.113.56");
  EXPECT_EQ(d0.failed_session_count, 200u);
  EXPECT_EQ(d0.additional_information,
            "https://reports.company-x.example/report_info?id=5065427c-23d3#StarttlsNotSupported");
  EXPECT_EQ(d0.failure_reason_code, "");

  const TlsFailureDetail& d1 = p.failure_details[1];
  EXPECT_EQ(d1.result_type, "certificate-host-mismatch");
  EXPECT_EQ(d1.sending_mta_ip, "2001:db8:abcd:0013::1");
  EXPECT_EQ(d1.receiving_mx_hostname, "mx2.mail.company-y.example");
  EXPECT_EQ(d1.receiving_mx_helo, "");
  EXPECT_EQ(d1.receiving_ip, "203.0.113.57");
  EXPECT_EQ(d1.failed_session_count, 3u);
  EXPECT_EQ(d1.additional_information, "");
  EXPECT_EQ(d1.failure_reason_code, "");

  const TlsFailureDetail& d2 = p.failure_details[2];
  EXPECT_EQ(d2.result_type, "validation-failure");
  EXPECT_EQ(d2.sending_mta_ip, "2001:db8:abcd:0013::1");
  EXPECT_EQ(d2.receiving_mx_hostname, "mx2.mail.company-y.example");
  EXPECT_EQ(d2.receiving_mx_helo, "");
  EXPECT_EQ(d2.receiving_ip, "203.0.113.58");
  EXPECT_EQ(d2.failed_session_count, 100u);
  EXPECT_EQ(d2.additional_information, "");
  EXPECT_EQ(d2.failure_reason_code, "X509_V_ERR_PROXY_PATH_LENGTH_EXCEEDED");
}

TEST(TlsReportParse, ReadsNoPolicyFoundAndTlsaPolicies) {
  TlsReport r = parsed(R"({
    "organization-name": "Mail Provider Inc.",
    "date-range": {"start-datetime": "2024-05-01T00:00:00Z",
                   "end-datetime": "2024-05-01T23:59:59Z"},
    "contact-info": "smtp-tls-reporting@provider.example",
    "report-id": "2024-05-01T00:00:00Z_example.net",
    "policies": [
      {"policy": {"policy-type": "no-policy-found", "policy-domain": "example.net"},
       "summary": {"total-successful-session-count": 12, "total-failure-session-count": 0}},
      {"policy": {"policy-type": "tlsa", "policy-string": ["3 1 1 0123456789ABCDEF"],
                  "policy-domain": "example.org", "mx-host": ["mx.example.org"]},
       "summary": {"total-successful-session-count": 0, "total-failure-session-count": 4},
       "failure-details": [{"result-type": "dane-required", "sending-mta-ip": "198.51.100.7",
                            "receiving-mx-hostname": "mx.example.org",
                            "receiving-mx-helo": "mx-out.example.org",
                            "receiving-ip": "192.0.2.25", "failed-session-count": 4}]}
    ]})");
  EXPECT_EQ(r.organization_name, "Mail Provider Inc.");
  EXPECT_EQ(r.start_datetime, 1714521600);
  EXPECT_EQ(r.end_datetime, 1714607999);
  EXPECT_EQ(r.report_id, "2024-05-01T00:00:00Z_example.net");
  ASSERT_EQ(r.policies.size(), 2u);
  const TlsPolicyResult& none = r.policies[0];
  EXPECT_EQ(none.policy_type, "no-policy-found");
  EXPECT_EQ(none.policy_domain, "example.net");
  EXPECT_TRUE(none.policy_string.empty());
  EXPECT_TRUE(none.mx_host.empty());
  EXPECT_EQ(none.total_successful_session_count, 12u);
  EXPECT_EQ(none.total_failure_session_count, 0u);
  EXPECT_TRUE(none.failure_details.empty());
  const TlsPolicyResult& tlsa = r.policies[1];
  EXPECT_EQ(tlsa.policy_type, "tlsa");
  EXPECT_EQ(tlsa.policy_string, std::vector<std::string>{"3 1 1 0123456789ABCDEF"});
  EXPECT_EQ(tlsa.mx_host, std::vector<std::string>{"mx.example.org"});
  EXPECT_EQ(tlsa.total_failure_session_count, 4u);
  ASSERT_EQ(tlsa.failure_details.size(), 1u);
  EXPECT_EQ(tlsa.failure_details[0].result_type, "dane-required");
  EXPECT_EQ(tlsa.failure_details[0].receiving_mx_helo, "mx-out.example.org");
  EXPECT_EQ(tlsa.failure_details[0].receiving_ip, "192.0.2.25");
  EXPECT_EQ(tlsa.failure_details[0].failed_session_count, 4u);
}

TEST(TlsReportParse, AcceptsStringForMxHostAndPolicyString) {
  // Some reporters send a single string where RFC 8460 has a list.
  TlsReport r = parsed(with(kPolicy, R"({"policy-type":"sts","policy-string":"version: STSv1",
      "policy-domain":"example.com","mx-host":"mx.example.com"})"));
  ASSERT_EQ(r.policies.size(), 1u);
  EXPECT_EQ(r.policies[0].policy_string, std::vector<std::string>{"version: STSv1"});
  EXPECT_EQ(r.policies[0].mx_host, std::vector<std::string>{"mx.example.com"});

  r = parsed(with(kPolicy, R"({"policy-type":"sts","policy-domain":"example.com",
      "mx-host":[],"policy-string":[]})"));
  EXPECT_TRUE(r.policies.at(0).mx_host.empty());
  EXPECT_TRUE(r.policies.at(0).policy_string.empty());
}

TEST(TlsReportParse, ReadsMinimalReport) {
  TlsReport r = parsed(minimal());
  EXPECT_EQ(r.organization_name, "X");
  EXPECT_EQ(r.contact_info, "");
  ASSERT_EQ(r.policies.size(), 1u);
  EXPECT_EQ(r.policies[0].total_successful_session_count, 1u);
  EXPECT_EQ(r.policies[0].total_failure_session_count, 2u);
  ASSERT_EQ(r.policies[0].failure_details.size(), 1u);
  EXPECT_EQ(r.policies[0].failure_details[0].result_type, "certificate-expired");
  EXPECT_EQ(r.policies[0].failure_details[0].failed_session_count, 2u);
  EXPECT_TRUE(parsed(report_with_policies("")).policies.empty());
}

TEST(TlsReportParse, IgnoresUnknownMembers) {
  TlsReport r = parsed(R"({"x-ext":{"a":[1,{"b":null},-2.5e3],"c":true},
    "organization-name":"X","unknown":[[[]]],
    "date-range":{"start-datetime":"2016-04-01T00:00:00Z","tz":"UTC",
                  "end-datetime":"2016-04-01T23:59:59Z"},
    "report-id":"r","x-ext2":"v","x-ext2":"duplicate unknown members do not matter",
    "policies":[{"report-id":"not this one","policy":{"policy-type":"sts","x":{},
      "policy-domain":"example.com","mx-host":["a"]},
      "summary":{"total-successful-session-count":1,"total-failure-session-count":0,"n":-1},
      "failure-details":[{"result-type":"r","failed-session-count":0,"extra":[1.5]}],
      "extra":{"policy":1}}]})");
  EXPECT_EQ(r.report_id, "r");
  ASSERT_EQ(r.policies.size(), 1u);
  EXPECT_EQ(r.policies[0].mx_host, std::vector<std::string>{"a"});
  EXPECT_EQ(r.policies[0].failure_details.size(), 1u);
}

TEST(TlsReportParse, AcceptsCountsUpToUint64Max) {
  TlsReport r = parsed(with(R"("total-successful-session-count":1)",
                            R"("total-successful-session-count":18446744073709551615)"));
  EXPECT_EQ(r.policies.at(0).total_successful_session_count, 18446744073709551615u);
  r = parsed(with(R"("failed-session-count":2)", R"("failed-session-count":0)"));
  EXPECT_EQ(r.policies.at(0).failure_details.at(0).failed_session_count, 0u);
}

TEST(TlsReportParse, ConvertsRfc3339DateTimesToUtc) {
  struct {
    std::string_view text;
    std::int64_t seconds;
  } cases[] = {
      {"2016-04-01T00:00:00Z", 1459468800},
      {"2016-04-01t00:00:00z", 1459468800},
      {"2016-04-01T00:00:00.999999Z", 1459468800},
      {"2016-04-01T00:00:00.5+00:00", 1459468800},
      {"2016-04-01T02:00:00+02:00", 1459468800},
      {"2016-03-31T19:30:00-04:30", 1459468800},
      {"2016-04-01T00:00:00-00:00", 1459468800},
      {"1970-01-01T00:00:00Z", 0},
      {"1970-01-01T00:30:00+01:00", -1800},
      {"2000-02-29T12:00:00Z", 951825600},
      {"2100-03-01T00:00:00Z", 4107542400},
      {"2016-12-31T23:59:60Z", 1483228800},  // a leap second counts as the next second
      {"9999-12-31T23:59:59Z", 253402300799},
  };
  for (auto [text, seconds] : cases) {
    TlsReport r =
        parsed(with("2016-04-01T00:00:00Z", text));  // start-datetime in the minimal report
    EXPECT_EQ(r.start_datetime, seconds) << text;
  }
}

TEST(TlsReportParse, RejectsMalformedDateTimes) {
  std::string_view cases[] = {
      "",
      "2016-04-01",
      "2016-04-01T00:00:00",
      "2016-04-01 00:00:00Z",
      "2016-04-01T00:00Z",
      "16-04-01T00:00:00Z",
      "2016-4-01T00:00:00Z",
      "2016-04-1T00:00:00Z",
      "2016-04-01T0:00:00Z",
      "2016-00-01T00:00:00Z",
      "2016-13-01T00:00:00Z",
      "2016-04-00T00:00:00Z",
      "2016-04-31T00:00:00Z",
      "2016-01-32T00:00:00Z",
      "2015-02-29T00:00:00Z",
      "2100-02-29T00:00:00Z",
      "2016-04-01T24:00:00Z",
      "2016-04-01T00:60:00Z",
      "2016-04-01T00:00:61Z",
      "2016-04-01T00:00:00.Z",
      "2016-04-01T00:00:00,5Z",
      "2016-04-01T00:00:00+0100",
      "2016-04-01T00:00:00+01",
      "2016-04-01T00:00:00+24:00",
      "2016-04-01T00:00:00+01:60",
      "2016-04-01T00:00:00ZZ",
      "2016-04-01T00:00:00Z ",
      " 2016-04-01T00:00:00Z",
      "2016-04-01T00:00:00UTC",
      "1969-12-31T23:59:59Z",
      "+2016-04-01T00:00:00Z",
      "10000-01-01T00:00:00Z",
      "2016-04-01T00:00:00\\u0000Z",
  };
  for (std::string_view text : cases) {
    EXPECT_TRUE(fails_with(with("2016-04-01T00:00:00Z", text), core::Errc::bad_value,
                           "date-range.start-datetime is not an RFC 3339 date-time"))
        << text;
  }
  EXPECT_TRUE(fails_with(with(R"("end-datetime":"2016-04-01T23:59:59Z")", R"("end-datetime":0)"),
                         core::Errc::bad_value,
                         "date-range.end-datetime is not an RFC 3339 date-time"));
}

TEST(TlsReportParse, RejectsMissingRequiredMembers) {
  struct {
    std::string_view from, to, path;
  } cases[] = {
      {R"("organization-name":"X",)", "", "organization-name"},
      {R"("report-id":"r",)", "", "report-id"},
      {R"("start-datetime":"2016-04-01T00:00:00Z",)", "", "date-range.start-datetime"},
      {R"(,"end-datetime":"2016-04-01T23:59:59Z")", "", "date-range.end-datetime"},
      {R"("policy-type":"sts",)", "", "policies[0].policy.policy-type"},
      {R"(,"policy-domain":"example.com")", "", "policies[0].policy.policy-domain"},
      {R"("total-successful-session-count":1,)", "",
       "policies[0].summary.total-successful-session-count"},
      {R"(,"total-failure-session-count":2)", "",
       "policies[0].summary.total-failure-session-count"},
      {R"("result-type":"certificate-expired",)", "", "policies[0].failure-details[0].result-type"},
      {R"(,"failed-session-count":2)", "", "policies[0].failure-details[0].failed-session-count"},
  };
  for (auto [from, to, path] : cases) {
    EXPECT_TRUE(
        fails_with(with(from, to), core::Errc::missing_tag, std::string(path) + " is missing"))
        << path;
  }
  std::string whole = minimal();
  struct {
    std::string_view cut, path;
  } objects[] = {
      {R"("date-range":)", "date-range"},
      {R"("policy":)", "policies[0].policy"},
      {R"("summary":)", "policies[0].summary"},
  };
  for (auto [cut, path] : objects) {
    // Drop the member and its object value, up to the comma that follows it.
    std::string text = whole;
    std::size_t at = text.find(cut);
    ASSERT_NE(at, std::string::npos);
    text.erase(at, text.find('}', at) + 2 - at);
    EXPECT_TRUE(fails_with(text, core::Errc::missing_tag, std::string(path) + " is missing"))
        << text;
  }
  EXPECT_TRUE(fails_with(R"({"organization-name":"X","date-range":{
      "start-datetime":"2016-04-01T00:00:00Z","end-datetime":"2016-04-01T23:59:59Z"},
      "report-id":"r"})",
                         core::Errc::missing_tag, "policies is missing"));
  EXPECT_TRUE(fails_with("{}", core::Errc::missing_tag, "organization-name is missing"));
}

TEST(TlsReportParse, RejectsWrongTypes) {
  struct {
    std::string_view from, to, message;
  } cases[] = {
      {R"("organization-name":"X")", R"("organization-name":1)",
       "organization-name is not a string"},
      {R"("report-id":"r")", R"("report-id":null)", "report-id is not a string"},
      {R"("report-id":"r")", R"("report-id":"r","contact-info":["a"])",
       "contact-info is not a string"},
      {kDateRange, R"("2016-04-01")", "date-range is not an object"},
      {kDateRange, "[]", "date-range is not an object"},
  };
  for (auto [from, to, message] : cases)
    EXPECT_TRUE(fails_with(with(from, to), core::Errc::bad_value, message)) << message;
}

TEST(TlsReportParse, RejectsWrongTypesInPolicies) {
  std::string details = R"("failure-details":[)" + std::string(kDetail) + "]";
  std::string result = policy_result();
  struct {
    std::string from, to, message;
  } cases[] = {
      {"[" + result + "]", "{}", "policies is not an array"},
      {"[" + result + "]", R"("sts")", "policies is not an array"},
      {"[" + result, R"(["sts",)" + result, "policies[0] is not an object"},
      {"[" + result, "[" + result + ",[]", "policies[1] is not an object"},
      {std::string(kPolicy), "[]", "policies[0].policy is not an object"},
      {R"("policy-type":"sts")", R"("policy-type":["sts"])",
       "policies[0].policy.policy-type is not a string"},
      {R"("policy-domain":"example.com")", R"("policy-domain":true)",
       "policies[0].policy.policy-domain is not a string"},
      {R"("policy-domain":"example.com")", R"("policy-domain":"example.com","mx-host":["a",1])",
       "policies[0].policy.mx-host[1] is not a string"},
      {R"("policy-domain":"example.com")", R"("policy-domain":"example.com","mx-host":[["a"]])",
       "policies[0].policy.mx-host[0] is not a string"},
      {R"("policy-domain":"example.com")", R"("policy-domain":"example.com","mx-host":{})",
       "policies[0].policy.mx-host is not a string or an array of strings"},
      {R"("policy-domain":"example.com")", R"("policy-domain":"example.com","policy-string":7)",
       "policies[0].policy.policy-string is not a string or an array of strings"},
      {R"("policy-domain":"example.com")",
       R"("policy-domain":"example.com","policy-string":["a",{}])",
       "policies[0].policy.policy-string[1] is not a string"},
      {std::string(kSummary), "[1,2]", "policies[0].summary is not an object"},
      {details, R"("failure-details":{})", "policies[0].failure-details is not an array"},
      {details, R"("failure-details":null)", "policies[0].failure-details is not an array"},
      {details, R"("failure-details":[null])", "policies[0].failure-details[0] is not an object"},
      {R"("result-type":"certificate-expired")", R"("result-type":{})",
       "policies[0].failure-details[0].result-type is not a string"},
      {R"("result-type":"certificate-expired")",
       R"("result-type":"certificate-expired","receiving-ip":3232235777)",
       "policies[0].failure-details[0].receiving-ip is not a string"},
      {R"("failed-session-count":2)", R"("failed-session-count":"2")",
       "policies[0].failure-details[0].failed-session-count is not a non-negative integer"},
      {R"("total-successful-session-count":1)", R"("total-successful-session-count":true)",
       "policies[0].summary.total-successful-session-count is not a non-negative integer"},
      {R"("total-failure-session-count":2)", R"("total-failure-session-count":[2])",
       "policies[0].summary.total-failure-session-count is not a non-negative integer"},
  };
  for (const auto& c : cases)
    EXPECT_TRUE(fails_with(with(c.from, c.to), core::Errc::bad_value, c.message)) << c.message;
}

TEST(TlsReportParse, RejectsCountsThatAreNotNonNegativeIntegers) {
  std::string_view values[] = {
      "-1",  "-9223372036854775808", "-9223372036854775809", "1.5", "2.0", "1e3", "0.0", "-0.5",
      "1E+2"};
  for (std::string_view value : values) {
    std::string field = R"("total-failure-session-count":)" + std::string(value);
    EXPECT_TRUE(fails_with(with(R"("total-failure-session-count":2)", field), core::Errc::bad_value,
                           "policies[0].summary.total-failure-session-count is not a "
                           "non-negative integer"))
        << value;
  }
  EXPECT_TRUE(fails_with(
      with(R"("failed-session-count":2)", R"("failed-session-count":18446744073709551616)"),
      core::Errc::bad_value,
      "policies[0].failure-details[0].failed-session-count is larger than "
      "18446744073709551615"));
}

TEST(TlsReportParse, RejectsDuplicateMembers) {
  EXPECT_TRUE(fails_with(with(R"("report-id":"r")", R"("report-id":"r","report-id":"s")"),
                         core::Errc::duplicate_tag, "report-id appears twice"));
  EXPECT_TRUE(fails_with(with(R"("policy-type":"sts")", R"("policy-type":"sts","policy-type":1)"),
                         core::Errc::duplicate_tag,
                         "policies[0].policy.policy-type appears twice"));
  EXPECT_TRUE(fails_with(
      with(R"("failed-session-count":2)", R"("failed-session-count":2,"failed-session-count":2)"),
      core::Errc::duplicate_tag,
      "policies[0].failure-details[0].failed-session-count appears twice"));
}

TEST(TlsReportParse, RejectsRootThatIsNotAnObject) {
  for (std::string_view text : {"[]", R"("report")", "1", "-1", "1.5", "null", "true"})
    EXPECT_TRUE(fails_with(text, core::Errc::bad_value, "the report is not a JSON object")) << text;
}

TEST(TlsReportParse, RejectsNestingDeeperThanMaxDepth) {
  constexpr std::size_t kDeep = 100'000;
  std::string brackets(kDeep, '[');
  EXPECT_TRUE(fails_with(brackets, core::Errc::bad_value, "the report is not a JSON object"));
  EXPECT_TRUE(fails_with(R"({"x-ext":)" + brackets, core::Errc::too_many,
                         "JSON nesting is deeper than 32 levels"));
  EXPECT_TRUE(fails_with(R"({"policies":[{"policy":{"x":)" + brackets, core::Errc::too_many,
                         "JSON nesting is deeper than 32 levels"));
  std::string objects;
  for (std::size_t i = 0; i < kDeep; ++i) objects += R"({"a":)";
  EXPECT_TRUE(fails_with(objects, core::Errc::too_many, "JSON nesting is deeper than 32 levels"));

  // The report object is level 1, so an extension member may hold 31 more.
  auto nested = [](std::size_t levels) {
    return with(R"("report-id":"r")",
                R"("report-id":"r","x":)" + std::string(levels, '[') + std::string(levels, ']'));
  };
  parsed(nested(31));
  EXPECT_TRUE(fails_with(nested(32), core::Errc::too_many, "deeper than 32"));

  // The schema itself needs five levels.
  TlsLimits limits;
  limits.max_depth = 5;
  parsed(kRfc8460Example, limits);
  limits.max_depth = 4;
  EXPECT_TRUE(fails_with(kRfc8460Example, core::Errc::too_many, "deeper than 4 levels", limits));
}

TEST(TlsReportParse, RejectsInputOverMaxBytes) {
  TlsLimits limits;
  limits.max_bytes = kRfc8460Example.size();
  parsed(kRfc8460Example, limits);
  limits.max_bytes = kRfc8460Example.size() - 1;
  EXPECT_TRUE(fails_with(kRfc8460Example, core::Errc::too_long, "bytes, over the limit", limits));
}

TEST(TlsReportParse, RejectsInvalidUtf8) {
  struct {
    std::string_view bad;  // replaces the X of "organization-name":"X"
    std::size_t at;        // where the bad sequence starts, within `bad`
  } cases[] = {
      {"\xff", 0},              // never in UTF-8
      {"a\x80", 1},             // lone continuation byte
      {"\xc0\xaf", 0},          // overlong '/'
      {"\xe0\x80\xaf", 0},      // overlong, three bytes
      {"\xed\xa0\x80", 0},      // UTF-16 surrogate
      {"\xf4\x90\x80\x80", 0},  // past U+10FFFF
      {"\xf5\x80\x80\x80", 0},  // lead byte past U+10FFFF
      {"ok\xe2\x82", 2},        // truncated by the closing quote
      {"\xc3\xa9\xc3", 2},      // good, then a truncated one
  };
  std::size_t value_at = minimal().find(R"("X")") + 1;
  for (auto [bad, at] : cases) {
    std::string text =
        with(R"("organization-name":"X")", R"("organization-name":")" + std::string(bad) + "\"");
    auto report = parse_tls_report(text);
    ASSERT_FALSE(report);
    EXPECT_EQ(report.error().code, core::Errc::bad_encoding) << report.error().message;
    EXPECT_EQ(report.error().offset, value_at + at);
    EXPECT_EQ(report.error().message, "invalid UTF-8 at byte " + std::to_string(value_at + at));
  }
  // Outside a string, and at the very end.
  EXPECT_TRUE(fails_with(minimal() + "\xa0", core::Errc::bad_encoding, "invalid UTF-8 at byte"));
  EXPECT_TRUE(fails_with("\xef\xbb", core::Errc::bad_encoding, "invalid UTF-8 at byte 0"));
  // Good UTF-8, a byte-order mark included, passes through untouched.
  TlsReport r = parsed("\xef\xbb\xbf" + with(R"("organization-name":"X")",
                                             "\"organization-name\":\"Soci\xc3\xa9t\xc3\xa9 "
                                             "\xf0\x9f\x93\xa7 \\u00e9\""));
  EXPECT_EQ(r.organization_name, "Soci\xc3\xa9t\xc3\xa9 \xf0\x9f\x93\xa7 \xc3\xa9");
  // An escaped lone surrogate is well-formed UTF-8 but not a character: the JSON parser refuses.
  EXPECT_TRUE(fails_with(with(R"("organization-name":"X")", R"("organization-name":"\ud800")"),
                         core::Errc::syntax, "not valid JSON at byte"));
}

TEST(TlsReportParse, RejectsTruncatedJsonAtEveryOffset) {
  std::size_t end = kRfc8460Example.rfind('}');
  for (std::size_t size = 0; size <= end; ++size) {
    std::string_view prefix = kRfc8460Example.substr(0, size);
    auto report = parse_tls_report(prefix);
    ASSERT_FALSE(report) << size;
    EXPECT_EQ(report.error().code, core::Errc::syntax) << size << ": " << report.error().message;
    EXPECT_NE(report.error().message.find("not valid JSON at byte"), std::string::npos)
        << report.error().message;
    EXPECT_LE(report.error().offset, size);
  }
  EXPECT_TRUE(fails_with("", core::Errc::syntax, "not valid JSON at byte 0"));
  EXPECT_TRUE(fails_with(R"({"organization-name":)", core::Errc::syntax,
                         "not valid JSON at byte 21: syntax error while parsing value - "
                         "unexpected end of input"));
}

TEST(TlsReportParse, RejectsMalformedJson) {
  struct {
    std::string text;
    std::size_t offset;
  } cases[] = {
      {minimal() + "x", minimal().size()},
      {minimal() + "{}", minimal().size()},
      {R"({"organization-name":"X",})", 25},
      {R"({"organization-name" "X"})", 23},  // nlohmann points at the end of the token
      {R"({"organization-name":'X'})", 21},
      {"{\"organization-name\":\"a\nb\"}", 23},
      {minimal() + " // comment", minimal().size() + 1},
  };
  for (const auto& c : cases) {
    auto report = parse_tls_report(c.text);
    ASSERT_FALSE(report) << c.text;
    EXPECT_EQ(report.error().code, core::Errc::syntax) << report.error().message;
    EXPECT_EQ(report.error().offset, c.offset) << c.text << ": " << report.error().message;
    EXPECT_NE(report.error().message.find("not valid JSON at byte " + std::to_string(c.offset)),
              std::string::npos)
        << report.error().message;
  }
  parsed(minimal() + " \r\n\t");
}

TEST(TlsReportParse, SyntaxErrorsDoNotEchoTheInput) {
  std::string text = R"({"organization-name":")" + std::string(10'000, 'a') + "\x01\"}";
  auto report = parse_tls_report(text);
  ASSERT_FALSE(report);
  EXPECT_EQ(report.error().code, core::Errc::syntax);
  EXPECT_LT(report.error().message.size(), 300u) << report.error().message;
  EXPECT_EQ(report.error().message.find("aaaa"), std::string::npos) << report.error().message;
}

TEST(TlsReportParse, ErrorOffsetsPointAtTheProblem) {
  std::string text = with(R"("report-id":"r")", R"("report-id":true)");
  auto report = parse_tls_report(text);
  ASSERT_FALSE(report);
  std::size_t value = text.find("true");
  EXPECT_EQ(report.error().offset, value + 3);  // the last byte of the value

  text = with(R"("policy-type":"sts",)", "");
  report = parse_tls_report(text);
  ASSERT_FALSE(report);
  EXPECT_EQ(report.error().offset, text.find(R"("example.com"})") + 13);  // the policy's '}'
}

TEST(TlsReportParse, RejectsTooManyPolicies) {
  std::string three = policy_result() + "," + policy_result() + "," + policy_result();
  TlsLimits limits;
  limits.max_policies = 3;
  EXPECT_EQ(parsed(report_with_policies(three), limits).policies.size(), 3u);
  limits.max_policies = 2;
  EXPECT_TRUE(fails_with(report_with_policies(three), core::Errc::too_many,
                         "policies[2]: more than 2 policies", limits));
}

TEST(TlsReportParse, RejectsTooManyFailureDetailsAcrossPolicies) {
  std::string two_details = std::string(kDetail) + "," + std::string(kDetail);
  std::string policies = policy_result(two_details) + "," + policy_result(two_details);
  TlsLimits limits;
  limits.max_failure_details = 4;
  TlsReport r = parsed(report_with_policies(policies), limits);
  ASSERT_EQ(r.policies.size(), 2u);
  EXPECT_EQ(r.policies[1].failure_details.size(), 2u);
  limits.max_failure_details = 3;
  EXPECT_TRUE(fails_with(report_with_policies(policies), core::Errc::too_many,
                         "policies[1].failure-details[1]: more than 3 failure-details", limits));
}

}  // namespace
}  // namespace hallmark::report
