// SPDX-License-Identifier: Apache-2.0
// SMTP TLS reports (RFC 8460 4.3, 4.4): JSON text -> report::TlsReport. The JSON is streamed
// through nlohmann/json's SAX interface straight into the report, so the depth and count limits
// hold before anything is built, and every error can say where it is.
#include "hallmark/report/tls.hpp"

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <iterator>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "core/internal/utf8.hpp"

namespace hallmark::report {
namespace {

using Json = nlohmann::json;

// ---- input ---------------------------------------------------------------------------------

// nlohmann's SAX events carry no position, so the parser reads through this iterator, which
// publishes how many bytes it has handed out; an event then knows where the parser is.
class CountingIterator {
 public:
  using iterator_category = std::input_iterator_tag;
  using value_type = char;
  using difference_type = std::ptrdiff_t;
  using pointer = const char*;
  using reference = const char&;

  CountingIterator(const char* at, std::size_t* consumed) : at_(at), consumed_(consumed) {}

  reference operator*() const { return *at_; }
  CountingIterator& operator++() {
    ++at_;
    ++*consumed_;
    return *this;
  }
  CountingIterator operator++(int) {
    CountingIterator old = *this;
    ++*this;
    return old;
  }
  friend bool operator==(const CountingIterator& a, const CountingIterator& b) {
    return a.at_ == b.at_;
  }

 private:
  const char* at_;
  std::size_t* consumed_;
};

// ---- RFC 3339 date-times -------------------------------------------------------------------

bool is_leap(int year) { return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0; }

int days_in_month(int year, int month) {
  constexpr std::array<int, 12> days = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return month == 2 && is_leap(year) ? 29 : days[static_cast<std::size_t>(month - 1)];
}

// Days from 1970-01-01 to a valid civil date, proleptic Gregorian, with no time zone involved.
std::int64_t days_since_epoch(int year, int month, int day) {
  constexpr std::array<int, 12> before_month = {0,   31,  59,  90,  120, 151,
                                                181, 212, 243, 273, 304, 334};
  auto leap_years_before = [](int y) { return (y - 1) / 4 - (y - 1) / 100 + (y - 1) / 400; };
  std::int64_t days = std::int64_t{365} * (year - 1970) + leap_years_before(year) -
                      leap_years_before(1970) + before_month[static_cast<std::size_t>(month - 1)] +
                      day - 1;
  if (month > 2 && is_leap(year)) ++days;
  return days;
}

// Reads exactly `count` digits at `pos`, advancing it.
std::optional<int> digits(std::string_view text, std::size_t& pos, std::size_t count) {
  if (text.size() - pos < count) return std::nullopt;
  int value = 0;
  for (std::size_t end = pos + count; pos < end; ++pos) {
    char c = text[pos];
    if (c < '0' || c > '9') return std::nullopt;
    value = value * 10 + (c - '0');
  }
  return value;
}

bool take(std::string_view text, std::size_t& pos, char c) {
  if (pos >= text.size() || text[pos] != c) return false;
  ++pos;
  return true;
}

bool take_either(std::string_view text, std::size_t& pos, char upper, char lower) {
  return take(text, pos, upper) || take(text, pos, lower);
}

// RFC 3339 5.6 date-time -> seconds since the epoch, UTC. The years a report can speak of are
// 1970..9999. RFC 3339 5.6 allows second 60 (a leap second); like POSIX time we count it as the
// first second of the next minute. The fraction of a second is dropped.
std::optional<std::int64_t> parse_datetime(std::string_view text) {
  std::size_t pos = 0;
  auto year = digits(text, pos, 4);
  if (!year || !take(text, pos, '-')) return std::nullopt;
  auto month = digits(text, pos, 2);
  if (!month || !take(text, pos, '-')) return std::nullopt;
  auto day = digits(text, pos, 2);
  if (!day || !take_either(text, pos, 'T', 't')) return std::nullopt;
  auto hour = digits(text, pos, 2);
  if (!hour || !take(text, pos, ':')) return std::nullopt;
  auto minute = digits(text, pos, 2);
  if (!minute || !take(text, pos, ':')) return std::nullopt;
  auto second = digits(text, pos, 2);
  if (!second) return std::nullopt;
  if (take(text, pos, '.')) {
    std::size_t first = pos;
    while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') ++pos;
    if (pos == first) return std::nullopt;
  }
  int offset = 0;  // seconds east of UTC
  if (!take_either(text, pos, 'Z', 'z')) {
    int sign = 0;
    if (take(text, pos, '+'))
      sign = 1;
    else if (take(text, pos, '-'))
      sign = -1;
    else
      return std::nullopt;
    auto offset_hour = digits(text, pos, 2);
    if (!offset_hour || !take(text, pos, ':')) return std::nullopt;
    auto offset_minute = digits(text, pos, 2);
    if (!offset_minute || *offset_hour > 23 || *offset_minute > 59) return std::nullopt;
    offset = sign * (*offset_hour * 3600 + *offset_minute * 60);
  }
  if (pos != text.size()) return std::nullopt;
  if (*year < 1970 || *month < 1 || *month > 12 || *day < 1 ||
      *day > days_in_month(*year, *month) || *hour > 23 || *minute > 59 || *second > 60)
    return std::nullopt;
  return days_since_epoch(*year, *month, *day) * 86400 + *hour * 3600 + *minute * 60 + *second -
         offset;
}

// ---- the report's shape (RFC 8460 4.4) -----------------------------------------------------

// What a JSON object or array is, by where it sits in the report. policy_result is an element
// of "policies": {"policy", "summary", "failure-details"}.
enum class Ctx : std::uint8_t {
  report,
  date_range,
  policies,
  policy_result,
  policy,
  policy_string,
  mx_host,
  summary,
  failure_details,
  failure_detail
};

bool is_array(Ctx ctx) {
  return ctx == Ctx::policies || ctx == Ctx::policy_string || ctx == Ctx::mx_host ||
         ctx == Ctx::failure_details;
}

// What a value must be. `lines` is a string or an array of strings (reporters send mx-host both
// ways); `line` is an element of such an array.
enum class Type : std::uint8_t { text, date, lines, line, count, object, array };

std::string_view describe(Type type) {
  switch (type) {
    case Type::text: return "a string";
    case Type::date: return "an RFC 3339 date-time";
    case Type::lines: return "a string or an array of strings";
    case Type::line: return "a string";
    case Type::count: return "a non-negative integer";
    case Type::object: return "an object";
    case Type::array: return "an array";
  }
  return "valid";
}

// Every member the parser knows, in the order of `members` below, then `unknown`: a member
// ignored with all it holds (RFC 8460 4.3: extensions).
enum class Member : std::uint8_t {
  organization_name,
  date_range,
  contact_info,
  report_id,
  policies,
  start_datetime,
  end_datetime,
  policy,
  summary,
  failure_details,
  policy_type,
  policy_string,
  policy_domain,
  mx_host,
  total_successful_session_count,
  total_failure_session_count,
  result_type,
  sending_mta_ip,
  receiving_mx_hostname,
  receiving_mx_helo,
  receiving_ip,
  failed_session_count,
  additional_information,
  failure_reason_code,
  unknown
};

struct MemberSpec {
  Member member;
  Ctx parent;
  std::string_view name;
  Type type;
  bool required;
  Ctx child = Ctx::report;  // for objects and arrays: what the value is
};

constexpr std::array members = {
    MemberSpec{Member::organization_name, Ctx::report, "organization-name", Type::text, true},
    MemberSpec{Member::date_range, Ctx::report, "date-range", Type::object, true, Ctx::date_range},
    MemberSpec{Member::contact_info, Ctx::report, "contact-info", Type::text, false},
    MemberSpec{Member::report_id, Ctx::report, "report-id", Type::text, true},
    MemberSpec{Member::policies, Ctx::report, "policies", Type::array, true, Ctx::policies},
    MemberSpec{Member::start_datetime, Ctx::date_range, "start-datetime", Type::date, true},
    MemberSpec{Member::end_datetime, Ctx::date_range, "end-datetime", Type::date, true},
    MemberSpec{Member::policy, Ctx::policy_result, "policy", Type::object, true, Ctx::policy},
    MemberSpec{Member::summary, Ctx::policy_result, "summary", Type::object, true, Ctx::summary},
    MemberSpec{Member::failure_details, Ctx::policy_result, "failure-details", Type::array, false,
               Ctx::failure_details},
    MemberSpec{Member::policy_type, Ctx::policy, "policy-type", Type::text, true},
    MemberSpec{Member::policy_string, Ctx::policy, "policy-string", Type::lines, false,
               Ctx::policy_string},
    MemberSpec{Member::policy_domain, Ctx::policy, "policy-domain", Type::text, true},
    MemberSpec{Member::mx_host, Ctx::policy, "mx-host", Type::lines, false, Ctx::mx_host},
    MemberSpec{Member::total_successful_session_count, Ctx::summary,
               "total-successful-session-count", Type::count, true},
    MemberSpec{Member::total_failure_session_count, Ctx::summary, "total-failure-session-count",
               Type::count, true},
    MemberSpec{Member::result_type, Ctx::failure_detail, "result-type", Type::text, true},
    MemberSpec{Member::sending_mta_ip, Ctx::failure_detail, "sending-mta-ip", Type::text, false},
    MemberSpec{Member::receiving_mx_hostname, Ctx::failure_detail, "receiving-mx-hostname",
               Type::text, false},
    MemberSpec{Member::receiving_mx_helo, Ctx::failure_detail, "receiving-mx-helo", Type::text,
               false},
    MemberSpec{Member::receiving_ip, Ctx::failure_detail, "receiving-ip", Type::text, false},
    MemberSpec{Member::failed_session_count, Ctx::failure_detail, "failed-session-count",
               Type::count, true},
    MemberSpec{Member::additional_information, Ctx::failure_detail, "additional-information",
               Type::text, false},
    MemberSpec{Member::failure_reason_code, Ctx::failure_detail, "failure-reason-code", Type::text,
               false},
};

constexpr bool members_in_order() {
  for (std::size_t i = 0; i < members.size(); ++i)
    if (static_cast<std::size_t>(members[i].member) != i) return false;
  return members.size() == static_cast<std::size_t>(Member::unknown) && members.size() <= 32;
}
static_assert(members_in_order(), "members[] must follow enum Member, and fit a 32-bit mask");

const MemberSpec& spec(Member member) { return members[static_cast<std::size_t>(member)]; }

std::uint32_t bit(Member member) { return std::uint32_t{1} << static_cast<unsigned>(member); }

// nlohmann's message names the error; the line, column and the token it read are dropped, so
// the message stays short and never echoes the input.
std::string syntax_reason(const Json::exception& ex) {
  std::string_view what = ex.what();
  if (auto start = what.find("syntax error"); start != std::string_view::npos)
    what.remove_prefix(start);
  if (auto token = what.find("; last read:"); token != std::string_view::npos)
    what = what.substr(0, token);
  std::string reason;
  for (char c : what.substr(0, 200)) reason += c >= ' ' && c <= '~' ? c : '?';
  return reason;
}

// ---- the SAX handler -----------------------------------------------------------------------

class ReportBuilder {
 public:
  ReportBuilder(const TlsLimits& limits, const std::size_t& consumed)
      : limits_(limits), consumed_(consumed) {}

  TlsReport take_report() { return std::move(report_); }
  core::Error take_error() { return std::move(error_); }

  // The nlohmann::json SAX interface.
  bool null() { return other_value(); }
  bool boolean(bool) { return other_value(); }
  bool binary(Json::binary_t&) { return other_value(); }
  bool number_integer(std::int64_t value) {
    if (value < 0) return bad_count(false);
    return count(static_cast<std::uint64_t>(value));
  }
  bool number_unsigned(std::uint64_t value) { return count(value); }
  bool number_float(double, const std::string& raw) {
    // nlohmann turns integers past 2^64 - 1 into doubles; those deserve their own message.
    bool integer = !raw.empty() && raw.find_first_not_of("0123456789") == std::string::npos;
    return bad_count(integer);
  }
  bool string(std::string& value);
  bool start_object(std::size_t);
  bool key(std::string& name);
  bool end_object();
  bool start_array(std::size_t);
  bool end_array();
  bool parse_error(std::size_t position, const std::string&, const Json::exception& ex);

 private:
  struct Frame {
    Ctx ctx;
    std::uint32_t seen = 0;           // objects: members met so far
    Member member = Member::unknown;  // objects: the member whose value comes next
    std::size_t elements = 0;         // arrays: elements begun so far
  };

  // Where the parser is: the last byte it read, which ends the value or object just seen.
  std::size_t here() const { return consumed_ == 0 ? 0 : consumed_ - 1; }

  bool fail(core::Errc code, std::string message) {
    error_ = core::Error{code, std::move(message), here()};
    return false;
  }

  // The JSON path of the innermost open object or array, or, with `pending`, of the value that
  // is arriving in it.
  std::string path(bool pending) const {
    std::string out;
    std::size_t end = pending ? frames_.size() : frames_.size() - 1;
    for (std::size_t i = 0; i < end; ++i) {
      const Frame& parent = frames_[i];
      if (is_array(parent.ctx)) {
        out += fmt::format("[{}]", parent.elements - 1);
      } else {
        if (!out.empty()) out += '.';
        out += spec(parent.member).name;
      }
    }
    return out;
  }

  // The type the arriving value must have, or nullopt to ignore it; counts it if it is an
  // array element.
  std::optional<Type> expect_value() {
    Frame& top = frames_.back();
    switch (top.ctx) {
      case Ctx::policies:
      case Ctx::failure_details: ++top.elements; return Type::object;
      case Ctx::policy_string:
      case Ctx::mx_host: ++top.elements; return Type::line;
      default: break;
    }
    if (top.member == Member::unknown) return std::nullopt;
    return spec(top.member).type;
  }

  bool wrong_type(Type expected) {
    return fail(core::Errc::bad_value, fmt::format("{} is not {}", path(true), describe(expected)));
  }

  bool not_an_object() { return fail(core::Errc::bad_value, "the report is not a JSON object"); }

  // True inside the value of an ignored member, where events only count depth.
  bool ignoring() const { return skip_ > 0; }

  bool other_value() {
    if (ignoring()) return true;
    if (frames_.empty()) return not_an_object();
    std::optional<Type> want = expect_value();
    return !want || wrong_type(*want);
  }

  bool count(std::uint64_t value);
  bool bad_count(bool too_large);
  bool open(bool object);
  bool close();

  TlsPolicyResult& policy() { return report_.policies.back(); }
  TlsFailureDetail& detail() { return policy().failure_details.back(); }

  std::string& text_slot(Member member) {
    switch (member) {
      case Member::organization_name: return report_.organization_name;
      case Member::contact_info: return report_.contact_info;
      case Member::report_id: return report_.report_id;
      case Member::policy_type: return policy().policy_type;
      case Member::policy_domain: return policy().policy_domain;
      case Member::result_type: return detail().result_type;
      case Member::sending_mta_ip: return detail().sending_mta_ip;
      case Member::receiving_mx_hostname: return detail().receiving_mx_hostname;
      case Member::receiving_mx_helo: return detail().receiving_mx_helo;
      case Member::receiving_ip: return detail().receiving_ip;
      case Member::additional_information: return detail().additional_information;
      default: return detail().failure_reason_code;
    }
  }

  std::vector<std::string>& lines_slot() {
    const Frame& top = frames_.back();
    bool policy_string = top.ctx == Ctx::policy_string ||
                         (top.ctx == Ctx::policy && top.member == Member::policy_string);
    return policy_string ? policy().policy_string : policy().mx_host;
  }

  std::uint64_t& count_slot(Member member) {
    switch (member) {
      case Member::total_successful_session_count: return policy().total_successful_session_count;
      case Member::total_failure_session_count: return policy().total_failure_session_count;
      default: return detail().failed_session_count;
    }
  }

  const TlsLimits& limits_;
  const std::size_t& consumed_;
  TlsReport report_;
  core::Error error_{core::Errc::syntax, "the JSON parser stopped", 0};
  std::vector<Frame> frames_;  // the open objects and arrays the report's shape knows
  std::size_t skip_ = 0;       // open objects and arrays inside an ignored member
  std::size_t depth_ = 0;      // all open objects and arrays
  std::size_t failure_details_ = 0;
};

bool ReportBuilder::string(std::string& value) {
  if (ignoring()) return true;
  if (frames_.empty()) return not_an_object();
  std::optional<Type> want = expect_value();
  if (!want) return true;
  switch (*want) {
    case Type::text: text_slot(frames_.back().member) = std::move(value); return true;
    case Type::lines:
    case Type::line: lines_slot().push_back(std::move(value)); return true;
    case Type::date: {
      std::optional<std::int64_t> time = parse_datetime(value);
      if (!time) return wrong_type(Type::date);
      bool start = frames_.back().member == Member::start_datetime;
      (start ? report_.start_datetime : report_.end_datetime) = *time;
      return true;
    }
    default: return wrong_type(*want);
  }
}

bool ReportBuilder::count(std::uint64_t value) {
  if (ignoring()) return true;
  if (frames_.empty()) return not_an_object();
  std::optional<Type> want = expect_value();
  if (!want) return true;
  if (*want != Type::count) return wrong_type(*want);
  count_slot(frames_.back().member) = value;
  return true;
}

bool ReportBuilder::bad_count(bool too_large) {
  if (ignoring()) return true;
  if (frames_.empty()) return not_an_object();
  std::optional<Type> want = expect_value();
  if (!want) return true;
  if (*want == Type::count && too_large)
    return fail(core::Errc::bad_value, fmt::format("{} is larger than {}", path(true),
                                                   std::numeric_limits<std::uint64_t>::max()));
  return wrong_type(*want);
}

bool ReportBuilder::start_object(std::size_t) { return open(true); }
bool ReportBuilder::start_array(std::size_t) { return open(false); }
bool ReportBuilder::end_object() { return close(); }
bool ReportBuilder::end_array() { return close(); }

bool ReportBuilder::open(bool object) {
  // nlohmann's parser keeps its own stack on the heap, so depth costs no recursion; the limit is
  // here so that hostile nesting stops at once instead of being read to its end.
  if (depth_ == limits_.max_depth)
    return fail(core::Errc::too_many,
                fmt::format("JSON nesting is deeper than {} levels", limits_.max_depth));
  ++depth_;
  if (ignoring()) {
    ++skip_;
    return true;
  }
  if (frames_.empty()) {
    if (!object) return not_an_object();
    frames_.push_back(Frame{Ctx::report});
    return true;
  }
  std::optional<Type> want = expect_value();
  if (!want) {
    skip_ = 1;
    return true;
  }
  if (*want != (object ? Type::object : Type::array) && !(*want == Type::lines && !object))
    return wrong_type(*want);
  Ctx child = Ctx::report;
  switch (frames_.back().ctx) {
    case Ctx::policies:
      if (report_.policies.size() == limits_.max_policies)
        return fail(core::Errc::too_many,
                    fmt::format("{}: more than {} policies", path(true), limits_.max_policies));
      report_.policies.emplace_back();
      child = Ctx::policy_result;
      break;
    case Ctx::failure_details:
      if (failure_details_ == limits_.max_failure_details)
        return fail(core::Errc::too_many,
                    fmt::format("{}: more than {} failure-details in the report", path(true),
                                limits_.max_failure_details));
      ++failure_details_;
      policy().failure_details.emplace_back();
      child = Ctx::failure_detail;
      break;
    default: child = spec(frames_.back().member).child; break;
  }
  frames_.push_back(Frame{child});
  return true;
}

bool ReportBuilder::key(std::string& name) {
  if (ignoring()) return true;
  Frame& top = frames_.back();
  top.member = Member::unknown;
  for (const MemberSpec& candidate : members) {
    if (candidate.parent != top.ctx || candidate.name != name) continue;
    // RFC 8259 4 leaves duplicate names to the reader; a report that says two things about
    // one member says nothing reliable, so it is refused.
    if ((top.seen & bit(candidate.member)) != 0) {
      top.member = candidate.member;
      return fail(core::Errc::duplicate_tag, fmt::format("{} appears twice", path(true)));
    }
    top.seen |= bit(candidate.member);
    top.member = candidate.member;
    break;
  }
  return true;
}

bool ReportBuilder::close() {
  --depth_;
  if (ignoring()) {
    --skip_;
    return true;
  }
  const Frame& top = frames_.back();
  if (!is_array(top.ctx)) {
    for (const MemberSpec& candidate : members) {
      if (candidate.parent != top.ctx || !candidate.required) continue;
      if ((top.seen & bit(candidate.member)) != 0) continue;
      std::string where = path(false);
      return fail(core::Errc::missing_tag, fmt::format("{}{}{} is missing", where,
                                                       where.empty() ? "" : ".", candidate.name));
    }
  }
  frames_.pop_back();
  return true;
}

bool ReportBuilder::parse_error(std::size_t position, const std::string&,
                                const Json::exception& ex) {
  // nlohmann counts the byte it failed on, the end of input included.
  std::size_t offset = position == 0 ? 0 : std::min(position - 1, consumed_);
  error_ =
      core::Error{core::Errc::syntax,
                  fmt::format("not valid JSON at byte {}: {}", offset, syntax_reason(ex)), offset};
  return false;
}

}  // namespace

core::Expected<TlsReport> parse_tls_report(std::string_view json, const TlsLimits& limits) {
  if (json.size() > limits.max_bytes)
    return core::fail(
        core::Errc::too_long,
        fmt::format("the report is {} bytes, over the limit of {}", json.size(), limits.max_bytes),
        limits.max_bytes);
  // nlohmann checks strings itself, but outside them it calls a stray byte an "invalid
  // literal"; checking first gives one error, bad_encoding, at the byte itself.
  if (std::size_t bad = core::detail::find_invalid_utf8(json); bad != std::string_view::npos)
    return core::fail(core::Errc::bad_encoding, fmt::format("invalid UTF-8 at byte {}", bad), bad);

  std::size_t consumed = 0;
  ReportBuilder builder(limits, consumed);
  CountingIterator first(json.data(), &consumed);
  CountingIterator last(json.data() + json.size(), &consumed);
  if (!Json::sax_parse(first, last, &builder)) return std::unexpected(builder.take_error());
  return builder.take_report();
}

}  // namespace hallmark::report
