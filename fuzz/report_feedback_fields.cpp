// SPDX-License-Identifier: Apache-2.0
// Fuzz target: the message/feedback-report part and RFC 5322 dates. Parsed fields must survive
// being written out again, and a parsed date must read back the same when written in UTC.
#include <array>
#include <cstdint>
#include <cstdlib>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <fmt/format.h>

#include "hallmark/report/failure.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size);

namespace {

using hallmark::report::FeedbackFields;

// Writes every field the parser keeps, without a space after the colon and with bare LF, so
// the output is never longer than the input that produced it.
std::string render(const FeedbackFields& f, std::size_t& count) {
  std::string out;
  count = 0;
  auto single = [&](std::string_view name, const std::string& value) {
    if (value.empty()) return;
    out += fmt::format("{}:{}\n", name, value);
    ++count;
  };
  auto list = [&](std::string_view name, const std::vector<std::string>& values) {
    for (const std::string& value : values) {
      out += fmt::format("{}:{}\n", name, value);
      ++count;
    }
  };
  single("Feedback-Type", f.feedback_type);
  single("User-Agent", f.user_agent);
  single("Version", f.version);
  single("Original-Envelope-Id", f.original_envelope_id);
  single("Original-Mail-From", f.original_mail_from);
  list("Original-Rcpt-To", f.original_rcpt_to);
  single("Arrival-Date", f.arrival_date);
  single("Reporting-MTA", f.reporting_mta);
  single("Source-IP", f.source_ip);
  single("Incidents", f.incidents);
  list("Authentication-Results", f.authentication_results);
  list("Reported-Domain", f.reported_domain);
  list("Reported-URI", f.reported_uri);
  single("Delivery-Result", f.delivery_result);
  single("Auth-Failure", f.auth_failure);
  single("Identity-Alignment", f.identity_alignment);
  single("DKIM-Domain", f.dkim_domain);
  single("DKIM-Identity", f.dkim_identity);
  single("DKIM-Selector", f.dkim_selector);
  single("DKIM-Canonicalized-Header", f.dkim_canonicalized_header);
  single("DKIM-Canonicalized-Body", f.dkim_canonicalized_body);
  single("SPF-DNS", f.spf_dns);
  return out;
}

bool same(const FeedbackFields& a, const FeedbackFields& b) {
  return a.feedback_type == b.feedback_type && a.user_agent == b.user_agent &&
         a.version == b.version && a.original_envelope_id == b.original_envelope_id &&
         a.original_mail_from == b.original_mail_from && a.original_rcpt_to == b.original_rcpt_to &&
         a.arrival_date == b.arrival_date && a.arrival_time == b.arrival_time &&
         a.reporting_mta == b.reporting_mta && a.source_ip == b.source_ip &&
         a.incidents == b.incidents && a.authentication_results == b.authentication_results &&
         a.reported_domain == b.reported_domain && a.reported_uri == b.reported_uri &&
         a.delivery_result == b.delivery_result && a.auth_failure == b.auth_failure &&
         a.identity_alignment == b.identity_alignment && a.dkim_domain == b.dkim_domain &&
         a.dkim_identity == b.dkim_identity && a.dkim_selector == b.dkim_selector &&
         a.dkim_canonicalized_header == b.dkim_canonicalized_header &&
         a.dkim_canonicalized_body == b.dkim_canonicalized_body && a.spf_dns == b.spf_dns;
}

// Days since 1970-01-01 back to a proleptic Gregorian date, independently of the library.
void civil_from_days(std::int64_t days, std::int64_t& year, int& month, int& day) {
  days += 719468;
  std::int64_t era = (days >= 0 ? days : days - 146096) / 146097;
  std::int64_t day_of_era = days - era * 146097;
  std::int64_t year_of_era =
      (day_of_era - day_of_era / 1460 + day_of_era / 36524 - day_of_era / 146096) / 365;
  std::int64_t day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
  std::int64_t shifted_month = (5 * day_of_year + 2) / 153;
  day = static_cast<int>(day_of_year - (153 * shifted_month + 2) / 5 + 1);
  month = static_cast<int>(shifted_month < 10 ? shifted_month + 3 : shifted_month - 9);
  year = year_of_era + era * 400 + (month <= 2 ? 1 : 0);
}

void check_date(std::string_view text) {
  std::optional<std::int64_t> time = hallmark::report::parse_rfc5322_date(text);
  if (!time) return;
  std::int64_t days = *time >= 0 ? *time / 86400 : (*time - 86399) / 86400;
  std::int64_t seconds = *time - days * 86400;
  std::int64_t year = 0;
  int month = 0, day = 0;
  civil_from_days(days, year, month, day);
  // A zone of up to +-99:59 can carry a date just outside the years the parser accepts.
  if (year < 1900 || year > 9999) return;
  constexpr std::array<std::string_view, 12> months{"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                    "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  std::string utc = fmt::format("{} {} {} {:02}:{:02}:{:02} +0000", day,
                                months[static_cast<std::size_t>(month - 1)], year, seconds / 3600,
                                seconds / 60 % 60, seconds % 60);
  if (hallmark::report::parse_rfc5322_date(utc) != time) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  check_date(text);
  auto fields = hallmark::report::parse_feedback_fields(text);
  if (!fields) return 0;
  if (fields->feedback_type.empty()) std::abort();
  if (fields->arrival_time != (fields->arrival_date.empty()
                                   ? std::nullopt
                                   : hallmark::report::parse_rfc5322_date(fields->arrival_date)))
    std::abort();
  check_date(fields->arrival_date);
  std::size_t count = 0;
  std::string again_text = render(*fields, count);
  auto again = hallmark::report::parse_feedback_fields(again_text);
  // Blank-line groups may hold more fields than one block is allowed; written as one block
  // they can exceed the field limit, which is the only failure allowed here.
  if (!again) {
    if (again.error().code == hallmark::core::Errc::too_long && count > 10'000) return 0;
    std::abort();
  }
  if (!same(*fields, *again)) std::abort();
  return 0;
}
