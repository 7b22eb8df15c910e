// SPDX-License-Identifier: Apache-2.0
// The streaming aggregate-report parser: expat's callbacks follow the element path, collect
// the text of the leaves the model knows, and hand each <record> over when it closes. One
// Record is reused for the whole document, so memory does not grow with the record count.
#include <expat.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <climits>
#include <cstring>
#include <exception>
#include <fmt/format.h>
#include <utility>

#include "core/internal/ascii.hpp"
#include "hallmark/report/aggregate.hpp"

namespace hallmark::report {
namespace {

using core::detail::to_lower;
using core::detail::trim_fws;

// The elements of RFC 7489 appendix C and of the RFC 9989 schema; anything else (extensions,
// vendor additions) is `other`, and nothing beneath it is read.
enum class Element : std::uint8_t {
  other,
  feedback,
  version,
  report_metadata,
  org_name,
  email,
  extra_contact_info,
  report_id,
  date_range,
  begin,
  end,
  error,
  generator,
  policy_published,
  domain,
  adkim,
  aspf,
  p,
  sp,
  np,
  pct,
  fo,
  testing,
  discovery_method,
  record,
  row,
  source_ip,
  count,
  policy_evaluated,
  disposition,
  dkim,
  spf,
  reason,
  type,
  comment,
  identifiers,
  header_from,
  envelope_from,
  envelope_to,
  auth_results,
  selector,
  result,
  human_result,
  scope,
};

struct NamedElement {
  std::string_view name;
  Element element;
};

// Sorted by name for binary search.
constexpr std::array named_elements = std::to_array<NamedElement>({
    {"adkim", Element::adkim},
    {"aspf", Element::aspf},
    {"auth_results", Element::auth_results},
    {"begin", Element::begin},
    {"comment", Element::comment},
    {"count", Element::count},
    {"date_range", Element::date_range},
    {"discovery_method", Element::discovery_method},
    {"disposition", Element::disposition},
    {"dkim", Element::dkim},
    {"domain", Element::domain},
    {"email", Element::email},
    {"end", Element::end},
    {"envelope_from", Element::envelope_from},
    {"envelope_to", Element::envelope_to},
    {"error", Element::error},
    {"extra_contact_info", Element::extra_contact_info},
    {"feedback", Element::feedback},
    {"fo", Element::fo},
    {"generator", Element::generator},
    {"header_from", Element::header_from},
    {"human_result", Element::human_result},
    {"identifiers", Element::identifiers},
    {"np", Element::np},
    {"org_name", Element::org_name},
    {"p", Element::p},
    {"pct", Element::pct},
    {"policy_evaluated", Element::policy_evaluated},
    {"policy_published", Element::policy_published},
    {"reason", Element::reason},
    {"record", Element::record},
    {"report_id", Element::report_id},
    {"report_metadata", Element::report_metadata},
    {"result", Element::result},
    {"row", Element::row},
    {"scope", Element::scope},
    {"selector", Element::selector},
    {"source_ip", Element::source_ip},
    {"sp", Element::sp},
    {"spf", Element::spf},
    {"testing", Element::testing},
    {"type", Element::type},
    {"version", Element::version},
});

static_assert(std::ranges::is_sorted(named_elements, {}, &NamedElement::name));

Element element_named(std::string_view name) noexcept {
  auto found = std::ranges::lower_bound(named_elements, name, {}, &NamedElement::name);
  return found != named_elements.end() && found->name == name ? found->element : Element::other;
}

// The parser is created with namespace processing, so a name arrives as "URI\x1Flocal" when
// the element has a namespace: the local name is what the schema defines.
constexpr char namespace_separator = '\x1F';

std::string_view local_name(std::string_view name) noexcept {
  auto separator = name.rfind(namespace_separator);
  return separator == std::string_view::npos ? name : name.substr(separator + 1);
}

std::string_view namespace_of(std::string_view name) noexcept {
  auto separator = name.rfind(namespace_separator);
  return separator == std::string_view::npos ? std::string_view{} : name.substr(0, separator);
}

// Where a leaf's text goes. Result words are kept lowercase: reporters write "Pass" and "None",
// RFC 7489 and RFC 9989 define lowercase tokens.
enum class Target : std::uint8_t {
  none,
  version,
  org_name,
  email,
  extra_contact_info,
  report_id,
  begin,
  end,
  error,
  generator,
  policy_domain,
  adkim,
  aspf,
  p,
  sp,
  np,
  pct,
  fo,
  testing,
  discovery_method,
  source_ip,
  count,
  disposition,
  evaluated_dkim,
  evaluated_spf,
  reason_type,
  reason_comment,
  header_from,
  envelope_from,
  envelope_to,
  dkim_domain,
  dkim_selector,
  dkim_result,
  dkim_human_result,
  spf_domain,
  spf_scope,
  spf_result,
  spf_human_result,
};

bool lowercased(Target target) noexcept {
  switch (target) {
    case Target::adkim:
    case Target::aspf:
    case Target::p:
    case Target::sp:
    case Target::np:
    case Target::fo:
    case Target::testing:
    case Target::discovery_method:
    case Target::disposition:
    case Target::evaluated_dkim:
    case Target::evaluated_spf:
    case Target::reason_type:
    case Target::dkim_result:
    case Target::spf_scope:
    case Target::spf_result: return true;
    default: return false;
  }
}

std::string_view element_path(Target target) noexcept {
  switch (target) {
    case Target::begin: return "report_metadata/date_range/begin";
    case Target::end: return "report_metadata/date_range/end";
    case Target::pct: return "policy_published/pct";
    case Target::count: return "record/row/count";
    default: return "element";
  }
}

struct Frame {
  Element element = Element::other;
  Target target = Target::none;
};

// The largest date a report may carry: 9999-12-31T23:59:59Z. Beyond it no calendar code
// downstream (the store, the trend page) can represent the day.
constexpr std::int64_t last_representable_second = 253'402'300'799;

}  // namespace

struct AggregateParser::State {
  XML_Parser parser = nullptr;
  RecordHandler on_record;
  AggregateLimits limits;
  AggregateReport report;
  Record record;
  std::vector<Frame> path;
  std::string text;
  bool root_seen = false;
  bool finished = false;
  std::optional<core::Error> error;
  std::exception_ptr handler_exception;

  State(RecordHandler handler, AggregateLimits parser_limits)
      : on_record(std::move(handler)), limits(parser_limits) {
    parser = XML_ParserCreateNS(nullptr, namespace_separator);
    if (parser == nullptr) throw std::bad_alloc();
    XML_SetUserData(parser, this);
    XML_SetElementHandler(parser, &State::start_element, &State::end_element);
    XML_SetCharacterDataHandler(parser, &State::character_data);
    XML_SetStartDoctypeDeclHandler(parser, &State::doctype);
    path.reserve(16);
  }
  ~State() { XML_ParserFree(parser); }
  State(const State&) = delete;
  State& operator=(const State&) = delete;

  // Stops expat with our own error; it is reported instead of expat's "aborted".
  void stop(core::Errc code, std::string message) {
    if (!error)
      error = core::Error{
          code,
          fmt::format("{} (line {}, column {})", message, XML_GetCurrentLineNumber(parser),
                      XML_GetCurrentColumnNumber(parser) + 1),
          static_cast<std::size_t>(std::max<XML_Index>(0, XML_GetCurrentByteIndex(parser)))};
    XML_StopParser(parser, XML_FALSE);
  }

  Element parent(std::size_t levels_up) const noexcept {
    return path.size() > levels_up ? path[path.size() - 1 - levels_up].element : Element::other;
  }

  // The target of the element just pushed, from its position: a leaf counts only at the
  // place the schema puts it, so <domain> in <policy_published> and in <auth_results><dkim>
  // land in different fields, and nothing under an unknown element is read.
  Target target_of(Element element) const noexcept {
    const std::size_t depth = path.size();  // the element itself is not pushed yet
    auto under = [&](std::initializer_list<Element> ancestors) {
      if (depth != ancestors.size()) return false;
      std::size_t i = 0;
      for (Element ancestor : ancestors)
        if (path[i++].element != ancestor) return false;
      return true;
    };
    using enum Element;
    switch (element) {
      case version: return under({feedback}) ? Target::version : Target::none;
      case org_name: return under({feedback, report_metadata}) ? Target::org_name : Target::none;
      case email: return under({feedback, report_metadata}) ? Target::email : Target::none;
      case extra_contact_info:
        return under({feedback, report_metadata}) ? Target::extra_contact_info : Target::none;
      case report_id: return under({feedback, report_metadata}) ? Target::report_id : Target::none;
      case error: return under({feedback, report_metadata}) ? Target::error : Target::none;
      case generator: return under({feedback, report_metadata}) ? Target::generator : Target::none;
      case begin:
        return under({feedback, report_metadata, date_range}) ? Target::begin : Target::none;
      case end: return under({feedback, report_metadata, date_range}) ? Target::end : Target::none;
      case adkim: return under({feedback, policy_published}) ? Target::adkim : Target::none;
      case aspf: return under({feedback, policy_published}) ? Target::aspf : Target::none;
      case p: return under({feedback, policy_published}) ? Target::p : Target::none;
      case sp: return under({feedback, policy_published}) ? Target::sp : Target::none;
      case np: return under({feedback, policy_published}) ? Target::np : Target::none;
      case pct: return under({feedback, policy_published}) ? Target::pct : Target::none;
      case fo: return under({feedback, policy_published}) ? Target::fo : Target::none;
      case testing: return under({feedback, policy_published}) ? Target::testing : Target::none;
      case discovery_method:
        return under({feedback, policy_published}) ? Target::discovery_method : Target::none;
      case source_ip: return under({feedback, record, row}) ? Target::source_ip : Target::none;
      case count: return under({feedback, record, row}) ? Target::count : Target::none;
      case disposition:
        return under({feedback, record, row, policy_evaluated}) ? Target::disposition
                                                                : Target::none;
      case type:
        return under({feedback, record, row, policy_evaluated, reason}) ? Target::reason_type
                                                                        : Target::none;
      case comment:
        return under({feedback, record, row, policy_evaluated, reason}) ? Target::reason_comment
                                                                        : Target::none;
      case header_from:
        return under({feedback, record, identifiers}) ? Target::header_from : Target::none;
      case envelope_from:
        return under({feedback, record, identifiers}) ? Target::envelope_from : Target::none;
      case envelope_to:
        return under({feedback, record, identifiers}) ? Target::envelope_to : Target::none;
      case dkim:
        return under({feedback, record, row, policy_evaluated}) ? Target::evaluated_dkim
                                                                : Target::none;
      case spf:
        return under({feedback, record, row, policy_evaluated}) ? Target::evaluated_spf
                                                                : Target::none;
      case domain:
        if (under({feedback, policy_published})) return Target::policy_domain;
        if (under({feedback, record, auth_results, dkim})) return Target::dkim_domain;
        if (under({feedback, record, auth_results, spf})) return Target::spf_domain;
        return Target::none;
      case selector:
        return under({feedback, record, auth_results, dkim}) ? Target::dkim_selector : Target::none;
      case result:
        if (under({feedback, record, auth_results, dkim})) return Target::dkim_result;
        if (under({feedback, record, auth_results, spf})) return Target::spf_result;
        return Target::none;
      case human_result:
        if (under({feedback, record, auth_results, dkim})) return Target::dkim_human_result;
        if (under({feedback, record, auth_results, spf})) return Target::spf_human_result;
        return Target::none;
      case scope:
        return under({feedback, record, auth_results, spf}) ? Target::spf_scope : Target::none;
      default: return Target::none;
    }
  }

  // Containers that start a new entry in the model.
  void open_entry(Element element) {
    if (element == Element::record && path.size() == 1) {
      if (report.record_count >= limits.max_records)
        return stop(core::Errc::too_many,
                    fmt::format("the report has more than {} records", limits.max_records));
      record.row.source_ip.clear();
      record.row.count = 0;
      record.row.policy_evaluated.disposition.clear();
      record.row.policy_evaluated.dkim.clear();
      record.row.policy_evaluated.spf.clear();
      record.row.policy_evaluated.reasons.clear();
      record.identifiers.header_from.clear();
      record.identifiers.envelope_from.clear();
      record.identifiers.envelope_to.clear();
      record.dkim.clear();
      record.spf.clear();
      return;
    }
    if (element == Element::reason && path.size() == 4 && parent(0) == Element::policy_evaluated &&
        parent(1) == Element::row && parent(2) == Element::record)
      return add_entry(record.row.policy_evaluated.reasons, "reason");
    if (path.size() == 3 && parent(0) == Element::auth_results && parent(1) == Element::record) {
      if (element == Element::dkim) return add_entry(record.dkim, "auth_results/dkim");
      if (element == Element::spf) return add_entry(record.spf, "auth_results/spf");
    }
  }

  template <class Entries>
  void add_entry(Entries& entries, std::string_view what) {
    if (entries.size() >= limits.max_entries)
      return stop(core::Errc::too_many,
                  fmt::format("a record has more than {} {} entries", limits.max_entries, what));
    entries.emplace_back();
  }

  void close_record() {
    if (report.message_count > UINT64_MAX - record.row.count)
      return stop(core::Errc::bad_value, "the records' counts add up past 2^64");
    report.message_count += record.row.count;
    ++report.record_count;
    if (on_record) {
      try {
        on_record(record);
      } catch (...) {
        // Unwinding through expat's C frames is not safe: stop it and rethrow from feed().
        handler_exception = std::current_exception();
        XML_StopParser(parser, XML_FALSE);
      }
    } else {
      report.records.push_back(std::move(record));  // open_entry clears it for the next
    }
  }

  template <class Number>
  bool read_number(std::string_view value, Target target, Number minimum, Number maximum,
                   Number& out) {
    Number number{};
    auto [end, code] = std::from_chars(value.data(), value.data() + value.size(), number);
    if (value.empty() || code != std::errc{} || end != value.data() + value.size() ||
        number < minimum || number > maximum) {
      stop(core::Errc::bad_value,
           fmt::format("<{}> is not a number from {} to {}: '{}'", element_path(target), minimum,
                       maximum, value.substr(0, 40)));
      return false;
    }
    out = number;
    return true;
  }

  void assign(Target target, std::string_view value) {
    auto set = [&](std::string& field) { field.assign(value); };
    ReportMetadata& metadata = report.report_metadata;
    PolicyPublished& policy = report.policy_published;
    PolicyEvaluated& evaluated = record.row.policy_evaluated;
    switch (target) {
      case Target::none: return;
      case Target::version: return set(report.version);
      case Target::org_name: return set(metadata.org_name);
      case Target::email: return set(metadata.email);
      case Target::extra_contact_info: return set(metadata.extra_contact_info);
      case Target::report_id: return set(metadata.report_id);
      case Target::begin:
        read_number<std::int64_t>(value, target, 0, last_representable_second,
                                  metadata.date_range.begin);
        return;
      case Target::end:
        read_number<std::int64_t>(value, target, 0, last_representable_second,
                                  metadata.date_range.end);
        return;
      case Target::error:
        if (metadata.errors.size() >= limits.max_entries)
          return stop(
              core::Errc::too_many,
              fmt::format("the report has more than {} <error> entries", limits.max_entries));
        metadata.errors.emplace_back(value);
        return;
      case Target::generator: return set(metadata.generator);
      case Target::policy_domain: return set(policy.domain);
      case Target::adkim: return set(policy.adkim);
      case Target::aspf: return set(policy.aspf);
      case Target::p: return set(policy.p);
      case Target::sp: return set(policy.sp);
      case Target::np: return set(policy.np);
      case Target::pct: {
        unsigned pct = 0;
        if (read_number<unsigned>(value, target, 0, 100, pct)) policy.pct = pct;
        return;
      }
      case Target::fo: return set(policy.fo);
      case Target::testing: return set(policy.testing);
      case Target::discovery_method: return set(policy.discovery_method);
      case Target::source_ip: return set(record.row.source_ip);
      case Target::count:
        read_number<std::uint64_t>(value, target, 0, UINT64_MAX, record.row.count);
        return;
      case Target::disposition: return set(evaluated.disposition);
      case Target::evaluated_dkim: return set(evaluated.dkim);
      case Target::evaluated_spf: return set(evaluated.spf);
      case Target::reason_type: return set(evaluated.reasons.back().type);
      case Target::reason_comment: return set(evaluated.reasons.back().comment);
      case Target::header_from: return set(record.identifiers.header_from);
      case Target::envelope_from: return set(record.identifiers.envelope_from);
      case Target::envelope_to: return set(record.identifiers.envelope_to);
      case Target::dkim_domain: return set(record.dkim.back().domain);
      case Target::dkim_selector: return set(record.dkim.back().selector);
      case Target::dkim_result: return set(record.dkim.back().result);
      case Target::dkim_human_result: return set(record.dkim.back().human_result);
      case Target::spf_domain: return set(record.spf.back().domain);
      case Target::spf_scope: return set(record.spf.back().scope);
      case Target::spf_result: return set(record.spf.back().result);
      case Target::spf_human_result: return set(record.spf.back().human_result);
    }
  }

  static void XMLCALL start_element(void* user, const XML_Char* name, const XML_Char** /*attrs*/) {
    auto& self = *static_cast<State*>(user);
    std::string_view full_name = name;
    Element element = element_named(local_name(full_name));
    if (!self.root_seen) {
      self.root_seen = true;
      if (element != Element::feedback)
        return self.stop(core::Errc::syntax,
                         fmt::format("the root element is <{}>, not <feedback>: not a DMARC "
                                     "aggregate report",
                                     local_name(full_name).substr(0, 64)));
      self.report.xml_namespace = namespace_of(full_name);
    }
    if (self.path.size() >= self.limits.max_depth) {
      self.stop(core::Errc::too_long,
                fmt::format("elements nest deeper than {}", self.limits.max_depth));
    } else {
      self.open_entry(element);
    }
    // Pushed even after an error: expat may still deliver this element's end.
    Target target = self.error ? Target::none : self.target_of(element);
    self.path.push_back({element, target});
    if (target != Target::none) self.text.clear();
  }

  static void XMLCALL end_element(void* user, const XML_Char* /*name*/) {
    auto& self = *static_cast<State*>(user);
    if (self.path.empty()) return;
    Frame frame = self.path.back();
    self.path.pop_back();
    if (self.error) return;
    if (frame.target != Target::none) {
      std::string_view value = trim_fws(self.text);
      if (lowercased(frame.target)) {
        // Lowercase in place: the buffer is ours and is cleared at the next leaf.
        auto begin = self.text.begin() + (value.data() - self.text.data());
        std::transform(begin, begin + static_cast<std::ptrdiff_t>(value.size()), begin, to_lower);
      }
      self.assign(frame.target, value);
    }
    if (frame.element == Element::record && self.path.size() == 1) self.close_record();
  }

  static void XMLCALL character_data(void* user, const XML_Char* data, int length) {
    auto& self = *static_cast<State*>(user);
    if (self.path.empty() || self.path.back().target == Target::none) return;
    if (self.text.size() + static_cast<std::size_t>(length) > self.limits.max_text_bytes)
      return self.stop(
          core::Errc::too_long,
          fmt::format("an element's text is longer than {} bytes", self.limits.max_text_bytes));
    self.text.append(data, static_cast<std::size_t>(length));
  }

  static void XMLCALL doctype(void* user, const XML_Char* /*name*/, const XML_Char* /*sysid*/,
                              const XML_Char* /*pubid*/, int /*has_internal_subset*/) {
    // Reports have no DTD. Refusing any DOCTYPE means no entity is ever declared, expanded
    // (billion laughs) or fetched (external entities).
    static_cast<State*>(user)->stop(core::Errc::unsupported,
                                    "a DOCTYPE declaration is refused: reports have none");
  }

  core::Expected<void> parse(const char* data, std::size_t size, bool final) {
    if (error) return std::unexpected(*error);
    if (finished) return core::fail(core::Errc::syntax, "the report was already finished");
    // Large inputs go to expat in slices: its length is an int, and it runs about 1.6 times
    // faster on slices that stay in cache than on one buffer of tens of megabytes.
    constexpr std::size_t slice = 256 * 1024;
    do {
      std::size_t length = std::min(size, slice);
      bool last = final && length == size;
      XML_Status status = XML_Parse(parser, data, static_cast<int>(length), last);
      if (handler_exception) std::rethrow_exception(std::exchange(handler_exception, nullptr));
      if (status != XML_STATUS_OK) {
        if (!error) {
          error = core::Error{
              core::Errc::syntax,
              fmt::format("not well-formed XML: {} (line {}, column {})",
                          XML_ErrorString(XML_GetErrorCode(parser)),
                          XML_GetCurrentLineNumber(parser), XML_GetCurrentColumnNumber(parser) + 1),
              static_cast<std::size_t>(std::max<XML_Index>(0, XML_GetCurrentByteIndex(parser)))};
        }
        return std::unexpected(*error);
      }
      data += length;
      size -= length;
    } while (size > 0);
    return {};
  }
};

AggregateParser::AggregateParser(RecordHandler on_record, AggregateLimits limits)
    : state_(std::make_unique<State>(std::move(on_record), limits)) {}
AggregateParser::~AggregateParser() = default;
AggregateParser::AggregateParser(AggregateParser&&) noexcept = default;
AggregateParser& AggregateParser::operator=(AggregateParser&&) noexcept = default;

core::Expected<void> AggregateParser::feed(std::string_view chunk) {
  return state_->parse(chunk.data(), chunk.size(), false);
}

core::Expected<AggregateReport> AggregateParser::finish() {
  auto parsed = state_->parse(nullptr, 0, true);
  if (!parsed) return std::unexpected(parsed.error());
  state_->finished = true;
  return std::move(state_->report);
}

core::Expected<AggregateReport> parse_aggregate_xml(std::string_view xml,
                                                    const AggregateLimits& limits) {
  AggregateParser parser({}, limits);
  auto fed = parser.feed(xml);
  if (!fed) return std::unexpected(fed.error());
  return parser.finish();
}

}  // namespace hallmark::report
