// SPDX-License-Identifier: Apache-2.0
// The machine-readable part of a failure report (RFC 5965 3.1, RFC 6591 3.1, the DMARC
// failure-reporting draft) and the RFC 5322 dates it and the original message carry.
#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <fmt/format.h>

#include "hallmark/mail/header.hpp"
#include "hallmark/report/failure.hpp"

namespace hallmark::report {
namespace {

// A feedback-report part is a few hundred bytes; DKIM-Canonicalized-Header/Body can carry a
// whole base64 message, so allow that and stop there.
constexpr std::size_t max_content_bytes = 1024 * 1024;

// RFC 5965 3.1 lets these appear at most once; a second copy makes the report ambiguous, so it
// is an error rather than a guess. Other single-valued fields keep their first copy: RFC 6591
// says each appears once, but nothing is gained by rejecting a report over a repeated
// DKIM-Selector.
struct SingleField {
  std::string_view name;
  std::string FeedbackFields::*member;
  bool at_most_once;
};

constexpr std::array single_fields{
    SingleField{"Feedback-Type", &FeedbackFields::feedback_type, true},
    SingleField{"User-Agent", &FeedbackFields::user_agent, true},
    SingleField{"Version", &FeedbackFields::version, true},
    SingleField{"Original-Envelope-Id", &FeedbackFields::original_envelope_id, true},
    SingleField{"Original-Mail-From", &FeedbackFields::original_mail_from, true},
    SingleField{"Arrival-Date", &FeedbackFields::arrival_date, true},
    SingleField{"Reporting-MTA", &FeedbackFields::reporting_mta, true},
    SingleField{"Source-IP", &FeedbackFields::source_ip, true},
    SingleField{"Incidents", &FeedbackFields::incidents, true},
    SingleField{"Delivery-Result", &FeedbackFields::delivery_result, false},
    SingleField{"Auth-Failure", &FeedbackFields::auth_failure, false},
    SingleField{"Identity-Alignment", &FeedbackFields::identity_alignment, false},
    SingleField{"DKIM-Domain", &FeedbackFields::dkim_domain, false},
    SingleField{"DKIM-Identity", &FeedbackFields::dkim_identity, false},
    SingleField{"DKIM-Selector", &FeedbackFields::dkim_selector, false},
    SingleField{"DKIM-Canonicalized-Header", &FeedbackFields::dkim_canonicalized_header, false},
    SingleField{"DKIM-Canonicalized-Body", &FeedbackFields::dkim_canonicalized_body, false},
    SingleField{"SPF-DNS", &FeedbackFields::spf_dns, false},
};

struct ListField {
  std::string_view name;
  std::vector<std::string> FeedbackFields::*member;
};

constexpr std::array list_fields{
    ListField{"Original-Rcpt-To", &FeedbackFields::original_rcpt_to},
    ListField{"Authentication-Results", &FeedbackFields::authentication_results},
    ListField{"Reported-Domain", &FeedbackFields::reported_domain},
    ListField{"Reported-URI", &FeedbackFields::reported_uri},
};

// Early ARF drafts called Arrival-Date "Received-Date" and some generators still write it
// (RFC 6591's own example does). It is the same field under an older name: used only when
// Arrival-Date is absent, so a generator writing both for old readers is not rejected.
constexpr std::string_view legacy_arrival_date = "Received-Date";

// Fields of one parse: which single fields were seen, and the legacy arrival date.
struct Collector {
  FeedbackFields fields;
  std::array<bool, single_fields.size()> seen{};
  bool seen_received_date = false;
  std::string received_date;
};

// unfolded_value() trims spaces and tabs; a content cut after a CR (the part ended between CR
// and LF) would otherwise leave the CR in the last value.
std::string value_of(const mail::HeaderField& field) {
  std::string value = field.unfolded_value();
  std::size_t last = value.find_last_not_of(" \t\r");
  value.erase(last == std::string::npos ? 0 : last + 1);
  return value;
}

std::unexpected<core::Error> duplicate(std::string_view name, std::size_t offset) {
  return core::fail(core::Errc::duplicate_tag,
                    fmt::format("feedback report field '{}' appears more than once", name), offset);
}

core::Expected<void> collect(Collector& out, const mail::HeaderField& field, std::size_t offset) {
  for (std::size_t i = 0; i < single_fields.size(); ++i) {
    const SingleField& single = single_fields[i];
    if (!field.name_is(single.name)) continue;
    if (out.seen[i]) {
      if (single.at_most_once) return duplicate(single.name, offset);
      return {};
    }
    out.seen[i] = true;
    out.fields.*single.member = value_of(field);
    return {};
  }
  for (const ListField& list : list_fields) {
    if (!field.name_is(list.name)) continue;
    (out.fields.*list.member).push_back(value_of(field));
    return {};
  }
  if (field.name_is(legacy_arrival_date)) {
    if (out.seen_received_date) return duplicate(legacy_arrival_date, offset);
    out.seen_received_date = true;
    out.received_date = value_of(field);
  }
  // Anything else is an extension field (RFC 5965 3.3, the MARF registry): ignored.
  return {};
}

// A line of nothing but whitespace separates blocks; parse_message would see a leading space
// as a continuation with nothing to continue, so such lines are skipped here.
std::size_t blank_line_end(std::string_view text, std::size_t pos) noexcept {
  std::size_t i = pos;
  while (i < text.size() && (text[i] == ' ' || text[i] == '\t' || text[i] == '\r')) ++i;
  if (i == text.size()) return i;
  if (text[i] == '\n') return i + 1;
  return pos;
}

// --- RFC 5322 3.3 and 4.3 dates ---------------------------------------------------------

bool is_space(char c) noexcept { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }
bool is_digit(char c) noexcept { return c >= '0' && c <= '9'; }
bool is_alpha(char c) noexcept { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
char lower(char c) noexcept { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c; }

bool equal_ignoring_case(std::string_view a, std::string_view b) noexcept {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (lower(a[i]) != lower(b[i])) return false;
  return true;
}

// CFWS may stand between almost any two tokens of the obsolete syntax (RFC 5322 4.3), so
// comments become a space up front and the grammar below only has to skip whitespace. An
// unbalanced comment makes the whole date invalid.
std::optional<std::string> blank_comments(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  std::size_t depth = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (depth == 0) {
      if (c == ')') return std::nullopt;
      if (c == '(') {
        depth = 1;
        out += ' ';
      } else {
        out += c;
      }
      continue;
    }
    if (c == '\\') {
      ++i;  // quoted-pair: the next byte cannot open or close a comment
    } else if (c == '(') {
      ++depth;
    } else if (c == ')') {
      --depth;
    }
  }
  if (depth != 0) return std::nullopt;
  return out;
}

class DateScanner {
 public:
  explicit DateScanner(std::string_view text) : text_(text) {}

  // Returns whether any whitespace was skipped: the grammar needs FWS between some tokens.
  bool skip_space() noexcept {
    std::size_t start = pos_;
    while (pos_ < text_.size() && is_space(text_[pos_])) ++pos_;
    return pos_ != start;
  }
  bool at_end() const noexcept { return pos_ == text_.size(); }
  char peek() const noexcept { return at_end() ? '\0' : text_[pos_]; }
  bool accept(char c) noexcept {
    if (peek() != c) return false;
    ++pos_;
    return true;
  }
  std::string_view word() noexcept {
    std::size_t start = pos_;
    while (pos_ < text_.size() && is_alpha(text_[pos_])) ++pos_;
    return text_.substr(start, pos_ - start);
  }
  struct Number {
    int value = 0;
    std::size_t digits = 0;
  };
  // Digits, or nothing when their count is outside [min, max].
  std::optional<Number> number(std::size_t min, std::size_t max) noexcept {
    Number n;
    while (pos_ < text_.size() && is_digit(text_[pos_]) && n.digits <= max) {
      n.value = n.value * 10 + (text_[pos_] - '0');
      ++n.digits;
      ++pos_;
    }
    if (n.digits < min || n.digits > max) return std::nullopt;
    return n;
  }

 private:
  std::string_view text_;
  std::size_t pos_ = 0;
};

constexpr std::array<std::string_view, 7> day_names{"mon", "tue", "wed", "thu",
                                                    "fri", "sat", "sun"};
constexpr std::array<std::string_view, 12> month_names{"jan", "feb", "mar", "apr", "may", "jun",
                                                       "jul", "aug", "sep", "oct", "nov", "dec"};

std::optional<int> month_number(std::string_view name) noexcept {
  for (std::size_t i = 0; i < month_names.size(); ++i)
    if (equal_ignoring_case(name, month_names[i])) return static_cast<int>(i) + 1;
  return std::nullopt;
}

bool is_leap(std::int64_t year) noexcept {
  return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
}

int days_in_month(std::int64_t year, int month) noexcept {
  constexpr std::array<int, 12> days{31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (month == 2 && is_leap(year)) return 29;
  return days[static_cast<std::size_t>(month - 1)];
}

// Days since 1970-01-01 in the proleptic Gregorian calendar, counted in 400-year eras that
// start on 1 March so the leap day falls at the end of each year; no time zone database is
// consulted, so the result never depends on the process's TZ.
std::int64_t days_from_civil(std::int64_t year, int month, int day) noexcept {
  std::int64_t y = month <= 2 ? year - 1 : year;
  std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  std::int64_t year_of_era = y - era * 400;
  std::int64_t shifted_month = month > 2 ? month - 3 : month + 9;
  std::int64_t day_of_year = (153 * shifted_month + 2) / 5 + day - 1;
  std::int64_t day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
  return era * 146097 + day_of_era - 719468;
}

// The zone as seconds east of UTC (RFC 5322 3.3 and 4.3).
std::optional<std::int64_t> zone_offset(DateScanner& in) {
  char sign = in.peek();
  if (sign == '+' || sign == '-') {
    in.accept(sign);
    std::optional<DateScanner::Number> hhmm = in.number(4, 4);
    // RFC 5322 3.3: hours may run to 99, minutes to 59.
    if (!hhmm || hhmm->value % 100 > 59) return std::nullopt;
    std::int64_t seconds = (hhmm->value / 100) * 3600 + (hhmm->value % 100) * 60;
    return sign == '-' ? -seconds : seconds;
  }
  std::string_view name = in.word();
  struct Named {
    std::string_view name;
    int hours;
  };
  constexpr std::array<Named, 10> named{
      Named{"ut", 0},   Named{"gmt", 0},  Named{"est", -5}, Named{"edt", -4}, Named{"cst", -6},
      Named{"cdt", -5}, Named{"mst", -7}, Named{"mdt", -6}, Named{"pst", -8}, Named{"pdt", -7}};
  for (const Named& zone : named)
    if (equal_ignoring_case(name, zone.name)) return std::int64_t{zone.hours} * 3600;
  // RFC 5322 4.3: RFC 822 gave the military letters the wrong signs, so nobody knows what a
  // sender meant by one; they count as -0000, i.e. UTC.
  if (name.size() == 1 && lower(name[0]) != 'j') return 0;
  return std::nullopt;
}

}  // namespace

core::Expected<FeedbackFields> parse_feedback_fields(std::string_view content) {
  if (content.size() > max_content_bytes)
    return core::fail(core::Errc::too_long,
                      fmt::format("feedback report is longer than {} bytes", max_content_bytes),
                      max_content_bytes);
  Collector out;
  // RFC 5965 defines one block of fields, ended by the part's end or a blank line. Generators
  // built on RFC 3464 code sometimes split it into groups with blank lines between; rather
  // than drop what follows, each group is read and all count as one block.
  std::size_t base = 0;
  while (base < content.size()) {
    std::size_t after_blank = blank_line_end(content, base);
    if (after_blank != base) {
      base = after_blank;
      continue;
    }
    std::string_view rest = content.substr(base);
    core::Expected<mail::Message> block = mail::parse_message(rest);
    if (!block) {
      core::Error error = std::move(block.error());
      // Only Limits::max_fields can fail here (the size check above keeps the byte limit out
      // of reach); failure.hpp reports every header limit as too_long.
      error.code = core::Errc::too_long;
      error.offset += base;
      return std::unexpected(std::move(error));
    }
    for (const mail::HeaderField& field : block->headers) {
      core::Expected<void> kept = collect(out, field, base + field.offset);
      if (!kept) return std::unexpected(std::move(kept.error()));
    }
    std::size_t consumed = block->headers.raw().size();
    if (block->headers.ended_by() == mail::HeaderEnd::malformed_line || consumed == 0)
      return core::fail(core::Errc::syntax, "feedback report line is not a header field",
                        base + consumed);
    base += consumed;
  }
  if (out.fields.arrival_date.empty() && out.seen_received_date)
    out.fields.arrival_date = std::move(out.received_date);
  if (out.fields.feedback_type.empty())
    return core::fail(core::Errc::missing_tag, "feedback report has no Feedback-Type field", 0);
  if (!out.fields.arrival_date.empty())
    out.fields.arrival_time = parse_rfc5322_date(out.fields.arrival_date);
  return std::move(out.fields);
}

std::optional<std::int64_t> parse_rfc5322_date(std::string_view text) {
  std::optional<std::string> plain = blank_comments(text);
  if (!plain) return std::nullopt;
  DateScanner in(*plain);
  in.skip_space();
  // The day of week is optional and, when present, not checked against the date: a wrong
  // name is a generator's slip, and the date itself is unambiguous.
  if (is_alpha(in.peek())) {
    std::string_view day_name = in.word();
    bool known = false;
    for (std::string_view name : day_names) known = known || equal_ignoring_case(day_name, name);
    if (!known) return std::nullopt;
    in.skip_space();
    if (!in.accept(',')) return std::nullopt;
    in.skip_space();
  }
  std::optional<DateScanner::Number> day = in.number(1, 2);
  if (!day || !in.skip_space()) return std::nullopt;
  std::optional<int> month = month_number(in.word());
  if (!month || !in.skip_space()) return std::nullopt;
  std::optional<DateScanner::Number> year_digits = in.number(2, 4);
  if (!year_digits || !in.skip_space()) return std::nullopt;
  // RFC 5322 4.3: two-digit years below 50 are 20xx, the rest 19xx; three digits add 1900.
  // The digit count decides, not the value, so "0049" stays year 49 and fails below.
  std::int64_t year = year_digits->value;
  if (year_digits->digits == 2) year += year < 50 ? 2000 : 1900;
  if (year_digits->digits == 3) year += 1900;
  // RFC 5322 3.3: the year is 1900 or later.
  if (year < 1900) return std::nullopt;
  if (day->value < 1 || day->value > days_in_month(year, *month)) return std::nullopt;

  std::optional<DateScanner::Number> hour = in.number(2, 2);
  in.skip_space();
  if (!hour || !in.accept(':')) return std::nullopt;
  in.skip_space();
  std::optional<DateScanner::Number> minute = in.number(2, 2);
  if (!minute) return std::nullopt;
  bool spaced = in.skip_space();
  std::optional<DateScanner::Number> second = DateScanner::Number{};
  if (in.accept(':')) {
    in.skip_space();
    second = in.number(2, 2);
    if (!second) return std::nullopt;
    spaced = in.skip_space();
  }
  // RFC 5322 3.3: 60 is a leap second, counted as the first second of the next minute.
  if (hour->value > 23 || minute->value > 59 || second->value > 60) return std::nullopt;
  if (!spaced) return std::nullopt;  // FWS stands before the zone

  std::optional<std::int64_t> offset = zone_offset(in);
  if (!offset) return std::nullopt;
  in.skip_space();
  if (!in.at_end()) return std::nullopt;

  return days_from_civil(year, month.value(), day->value) * 86400 + hour->value * 3600 +
         minute->value * 60 + second->value - *offset;
}

}  // namespace hallmark::report
