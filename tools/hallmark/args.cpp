// SPDX-License-Identifier: Apache-2.0
// Command-line parsing for the hallmark verbs.
#include "args.hpp"

#include <charconv>

#include <fmt/format.h>

namespace hallmark::cli {

Args::Args(std::vector<std::string_view> argv, std::set<std::string, std::less<>> valued,
           std::set<std::string, std::less<>> switches) {
  bool flags_done = false;
  for (std::size_t i = 0; i < argv.size(); ++i) {
    std::string_view arg = argv[i];
    if (flags_done || arg.size() < 2 || arg.substr(0, 2) != "--") {
      positional_.emplace_back(arg);
      continue;
    }
    if (arg == "--") {
      flags_done = true;
      continue;
    }
    std::string_view name = arg.substr(2);
    std::optional<std::string_view> inline_value;
    if (std::size_t eq = name.find('='); eq != std::string_view::npos) {
      inline_value = name.substr(eq + 1);
      name = name.substr(0, eq);
    }
    if (valued.contains(name)) {
      if (!inline_value) {
        if (i + 1 >= argv.size()) throw UsageError(fmt::format("--{} needs a value", name));
        inline_value = argv[++i];
      }
      values_[std::string(name)].emplace_back(*inline_value);
    } else if (switches.contains(name) && !inline_value) {
      switches_seen_.emplace(name);
    } else {
      throw UsageError(fmt::format("unknown option --{}", name));
    }
  }
}

bool Args::has(std::string_view flag) const {
  return switches_seen_.contains(flag) || values_.contains(flag);
}

std::optional<std::string> Args::value(std::string_view flag) const {
  auto it = values_.find(flag);
  if (it == values_.end() || it->second.empty()) return std::nullopt;
  return it->second.back();
}

std::vector<std::string> Args::values(std::string_view flag) const {
  auto it = values_.find(flag);
  return it == values_.end() ? std::vector<std::string>{} : it->second;
}

std::optional<unsigned> Args::number(std::string_view flag) const {
  std::optional<std::string> text = value(flag);
  if (!text) return std::nullopt;
  unsigned number = 0;
  auto [end, ec] = std::from_chars(text->data(), text->data() + text->size(), number);
  if (text->empty() || ec != std::errc{} || end != text->data() + text->size())
    throw UsageError(fmt::format("--{} takes a number, not '{}'", flag, *text));
  return number;
}

}  // namespace hallmark::cli
