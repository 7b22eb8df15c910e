// SPDX-License-Identifier: Apache-2.0
// The explanation of a fail (RFC 7208 6.2): exp= fetched and expanded, or the default.
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

std::optional<std::string> Evaluator::explain(const Decision& decision) {
  std::string_view domain = decision.domain.empty() ? sender_domain_ : decision.domain;
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
    return fallback;

  // RFC 7208 6.2: any DNS error, no record, several records or a syntax error in the
  // explanation string means "as if no exp= were given". Its lookup is not a counted term.
  const MacroString& exp = *(*decision.record)->explanation;
  Validated validated = validated_for(exp, domain);
  if (!validated) return std::nullopt;
  std::optional<TargetName> target = expand_target(exp, domain, *validated);
  if (!target) return fallback;
  const dns::Answer* txt = need(target->view(), dns::Type::txt);
  if (txt == nullptr) return std::nullopt;
  if (!txt->ok() || txt->txt.size() != 1) return fallback;
  auto text = parse_macro_string(txt->txt.front().text(), MacroContext::explanation);
  if (!text) return fallback;
  Validated text_validated = validated_for(*text, domain);
  if (!text_validated) return std::nullopt;
  std::optional<std::string> expanded = expand(*text, values(*text, domain, *text_validated));
  if (!expanded) return fallback;
  return std::move(*expanded);
}

}  // namespace hallmark::spf::detail
