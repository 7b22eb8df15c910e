// SPDX-License-Identifier: Apache-2.0
// The explanation of a fail (RFC 7208 6.2): exp= fetched and expanded, or the default; and
// the hand-over of counts and trace to the caller's Result.
#include <fmt/format.h>

#include "hallmark/spf/record.hpp"
#include "spf/internal/evaluator.hpp"

namespace hallmark::spf::detail {
namespace {

// Options::default_explanation is almost always left empty, so the builtin's parse is kept.
const core::Expected<MacroString>& parsed_builtin_default() {
  static const core::Expected<MacroString> parsed =
      parse_macro_string(builtin_default_explanation, MacroContext::explanation);
  return parsed;
}

}  // namespace

core::Task<std::string> Evaluator::explain(Decision decision) {
  std::string domain(decision.domain.empty() ? sender_domain_ : std::string_view(decision.domain));
  const core::Expected<MacroString>& builtin = parsed_builtin_default();
  core::Expected<MacroString> custom;
  const core::Expected<MacroString>* parsed = &builtin;
  const std::string_view wanted = options_.default_explanation.empty()
                                      ? builtin_default_explanation
                                      : std::string_view(options_.default_explanation);
  if (!builtin || wanted != builtin->text) {
    custom = parse_macro_string(wanted, MacroContext::explanation);
    parsed = &custom;
  }
  std::string fallback;
  if (*parsed) {
    fallback = expand(**parsed, values(**parsed, domain)).value_or(std::string());
  } else {
    fallback = wanted;
  }
  if (!options_.fetch_explanation || !decision.record || !*decision.record ||
      !(*decision.record)->explanation)
    co_return fallback;

  // RFC 7208 6.2: any DNS error, no record, several records or a syntax error in the
  // explanation string means "as if no exp= were given". Its lookup is not a counted term.
  std::optional<TargetName> target = co_await target_name(*(*decision.record)->explanation, domain);
  if (!target) co_return fallback;
  dns::AnswerPtr shared_answer = co_await query(target->view(), dns::Type::txt);
  const dns::Answer& answer = *shared_answer;
  if (!answer.ok() || answer.txt.size() != 1) co_return fallback;
  auto text = parse_macro_string(answer.txt.front().text(), MacroContext::explanation);
  if (!text) co_return fallback;
  std::string validated = "unknown";
  if (uses_macro(*text, 'p')) validated = co_await validated_name(domain);
  std::optional<std::string> expanded = expand(*text, values(*text, domain, validated));
  if (!expanded) co_return fallback;
  co_return std::move(*expanded);
}

void Evaluator::finish(Result& result) {
  result.dns_lookups = dns_terms_;
  result.void_lookups = void_lookups_;
  result.trace = std::move(trace_);
  if (options_.trace && dropped_trace_ > 0)
    result.trace.push_back(TraceEntry{
        {}, "...", 0, 0, false, fmt::format("{} more terms not traced", dropped_trace_)});
}

}  // namespace hallmark::spf::detail
