// SPDX-License-Identifier: Apache-2.0
#include "header_fields.hpp"

#include <algorithm>

#include <fmt/format.h>

#include "hallmark/authenticator/authenticator.hpp"
#include "hallmark/core/header_text.hpp"
#include "hallmark/mail/header.hpp"

namespace hallmark::milter {

std::string wire_field(std::string_view name, std::string_view value, bool leading_space) {
  std::string field;
  field.reserve(name.size() + value.size() + 8);
  field.append(name).append(":");
  if (!leading_space) field += ' ';
  // Milters carry folds as bare LF; the message on the wire had CRLF.
  for (std::size_t i = 0; i < value.size(); ++i) {
    if (value[i] == '\n' && (i == 0 || value[i - 1] != '\r')) field += '\r';
    field += value[i];
  }
  field += "\r\n";
  return field;
}

std::string milter_value(std::string_view field, bool leading_space) {
  std::size_t colon = field.find(':');
  std::string_view value = colon == std::string_view::npos ? field : field.substr(colon + 1);
  while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
  std::string out = leading_space ? " " : "";
  out.reserve(value.size() + 1);
  for (char c : value)
    if (c != '\r') out += c;
  return out;
}

std::string score_field(std::string_view name, const authenticator::Verdict& verdict) {
  std::string field = fmt::format("{}: {:.2f};", name, verdict.score);
  for (const authenticator::ScoredTag& tag : verdict.tags)
    field += fmt::format(" {}={:.2f}", authenticator::to_string(tag.tag), tag.score);
  return core::fold_header_field(field);
}

std::vector<int> own_auth_results_indexes(const std::vector<std::string>& values,
                                          std::string_view authserv_id) {
  std::vector<mail::HeaderField> fields;
  fields.reserve(values.size());
  for (const std::string& value : values) {
    mail::HeaderField field;
    field.name = "Authentication-Results";
    field.value = value;
    fields.push_back(field);
  }
  mail::HeaderSection section(std::move(fields), {}, mail::HeaderEnd::blank_line);
  std::vector<int> indexes;
  for (std::size_t own : authenticator::own_auth_results_fields(section, authserv_id))
    indexes.push_back(static_cast<int>(own) + 1);
  std::reverse(indexes.begin(), indexes.end());
  return indexes;
}

}  // namespace hallmark::milter
