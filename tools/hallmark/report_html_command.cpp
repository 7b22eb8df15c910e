// SPDX-License-Identifier: Apache-2.0
// `hallmark report html --store DB [--days 30] [--domain D] [--now T] > report.html`: the trend
// page of the reports in a store.
#include <charconv>
#include <cstdio>
#include <ctime>

#include <fmt/format.h>

#include "args.hpp"
#include "report_commands.hpp"
#include "trend_page.hpp"

namespace hallmark::cli {

int run_report_html(const std::vector<std::string_view>& argv) {
  Args args(argv, {"store", "days", "domain", "now"}, {});
  if (!args.positional().empty()) throw UsageError("report html takes no file arguments");
  std::optional<std::string> location = args.value("store");
  if (!location) throw UsageError("report html needs --store DB");
  TrendPageOptions options;
  options.days = args.number("days").value_or(30);
  if (options.days == 0 || options.days > 3660)
    throw UsageError("--days is a number of days from 1 to 3660");
  options.domain = args.value("domain").value_or("");
  options.now = std::time(nullptr);
  if (auto now = args.value("now")) {
    auto [end, code] = std::from_chars(now->data(), now->data() + now->size(), options.now);
    if (code != std::errc{} || end != now->data() + now->size() || options.now < 0)
      throw UsageError(fmt::format("--now is seconds since the epoch, not '{}'", *now));
  }
  auto store = report::Store::open(*location);
  if (!store) throw Failure(fmt::format("{}: {}", *location, store.error().message));
  std::string page = render_trend_page(**store, options);
  std::fwrite(page.data(), 1, page.size(), stdout);
  return 0;
}

}  // namespace hallmark::cli
