// SPDX-License-Identifier: Apache-2.0
// The trend page, written as text: a few hundred lines of HTML per domain do not need a
// template engine, and everything that comes from reports is escaped on the way out.
#include "trend_page.hpp"

#include <ctime>
#include <map>

#include <fmt/format.h>

#include "args.hpp"

namespace hallmark::cli {
namespace {

constexpr std::int64_t seconds_per_day = 86400;

std::string escaped(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default: out += static_cast<unsigned char>(c) < 0x20 ? '?' : c;
    }
  }
  return out;
}

std::string date_of(std::int64_t seconds) {
  std::time_t time = static_cast<std::time_t>(seconds);
  std::tm utc{};
  gmtime_r(&time, &utc);
  return fmt::format("{:04}-{:02}-{:02}", utc.tm_year + 1900, utc.tm_mon + 1, utc.tm_mday);
}

double percent(std::uint64_t part, std::uint64_t whole) {
  return whole == 0 ? 0.0 : 100.0 * static_cast<double>(part) / static_cast<double>(whole);
}

// Compliance colours: green at 95% and above, amber from 80%, red below.
std::string_view rate_class(double rate) {
  return rate >= 95.0 ? "good" : rate >= 80.0 ? "fair" : "poor";
}

std::string rate_cell(std::uint64_t part, std::uint64_t whole) {
  double rate = percent(part, whole);
  return fmt::format("<td class=\"{}\">{:.1f}%</td>", rate_class(rate), rate);
}

constexpr std::string_view style = R"(
body { font: 14px/1.4 system-ui, sans-serif; margin: 2em; color: #1d2330; background: #fff; }
h1 { font-size: 1.5em; } h2 { font-size: 1.25em; margin-top: 2em; border-bottom: 1px solid #ccd; }
table { border-collapse: collapse; margin: 0.5em 0 1.5em; }
th, td { padding: 0.25em 0.75em; text-align: right; border-bottom: 1px solid #e4e6ec; }
th:first-child, td:first-child { text-align: left; }
.good { background: #d8f3dc; } .fair { background: #fff3bf; } .poor { background: #ffd6d6; }
.summary { font-size: 1.1em; } .badge { padding: 0.1em 0.5em; border-radius: 0.3em; }
svg text { font: 11px system-ui, sans-serif; fill: #556; }
.empty { color: #778; }
)";

struct Series {
  std::string_view name;
  std::string_view colour;
  std::uint64_t report::DailyFigures::*field;
};

// DMARC last, so that its line is drawn over the others where they meet.
constexpr Series series[] = {
    {"SPF aligned", "#c05621", &report::DailyFigures::spf_aligned},
    {"DKIM aligned", "#2f855a", &report::DailyFigures::dkim_aligned},
    {"DMARC", "#2b6cb0", &report::DailyFigures::dmarc_pass},
};

// Daily pass rates as lines over the period, 0 to 100%, with the 95% target dashed.
std::string chart(const std::vector<const report::DailyFigures*>& days, std::int64_t first_day,
                  unsigned day_count) {
  constexpr int width = 720, height = 240, left = 44, right = 130, top = 12, bottom = 28;
  const int plot_width = width - left - right, plot_height = height - top - bottom;
  auto x_of = [&](std::int64_t day) {
    double span = day_count > 1 ? static_cast<double>(day_count - 1) : 1.0;
    return left + static_cast<double>((day - first_day) / seconds_per_day) / span * plot_width;
  };
  auto y_of = [&](double rate) { return top + (100.0 - rate) / 100.0 * plot_height; };
  std::string svg = fmt::format(
      "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{}\" height=\"{}\" role=\"img\" "
      "aria-label=\"daily pass rates\">\n",
      width, height);
  for (int rate = 0; rate <= 100; rate += 25)
    svg += fmt::format(
        "<line x1=\"{}\" x2=\"{}\" y1=\"{:.1f}\" y2=\"{:.1f}\" stroke=\"#e4e6ec\"/>"
        "<text x=\"{}\" y=\"{:.1f}\" text-anchor=\"end\">{}%</text>\n",
        left, left + plot_width, y_of(rate), y_of(rate), left - 6, y_of(rate) + 4, rate);
  svg += fmt::format(
      "<line x1=\"{}\" x2=\"{}\" y1=\"{:.1f}\" y2=\"{:.1f}\" stroke=\"#2f855a\" "
      "stroke-dasharray=\"4 3\"/>\n",
      left, left + plot_width, y_of(95), y_of(95));
  svg += fmt::format("<text x=\"{}\" y=\"{}\">{}</text>", left, height - 8, date_of(first_day));
  svg += fmt::format(
      "<text x=\"{}\" y=\"{}\" text-anchor=\"end\">{}</text>\n", left + plot_width, height - 8,
      date_of(first_day + static_cast<std::int64_t>(day_count - 1) * seconds_per_day));
  for (std::size_t s = 0; s < std::size(series); ++s) {
    std::string points;
    for (const report::DailyFigures* figures : days)
      points += fmt::format("{:.1f},{:.1f} ", x_of(figures->day),
                            y_of(percent(figures->*series[s].field, figures->messages)));
    svg += fmt::format("<polyline fill=\"none\" stroke=\"{}\" stroke-width=\"2\" points=\"{}\"/>\n",
                       series[s].colour, points);
    for (const report::DailyFigures* figures : days)
      svg += fmt::format(
          "<circle cx=\"{:.1f}\" cy=\"{:.1f}\" r=\"2.5\" fill=\"{}\"/>", x_of(figures->day),
          y_of(percent(figures->*series[s].field, figures->messages)), series[s].colour);
    int legend_y = top + 14 + static_cast<int>(s) * 18;
    svg += fmt::format(
        "\n<rect x=\"{}\" y=\"{}\" width=\"12\" height=\"4\" fill=\"{}\"/>"
        "<text x=\"{}\" y=\"{}\">{}</text>\n",
        left + plot_width + 12, legend_y - 4, series[s].colour, left + plot_width + 30, legend_y,
        series[s].name);
  }
  return svg + "</svg>\n";
}

void fail_on(const core::Error& error) {
  throw Failure(fmt::format("reading the store: {}", error.message));
}

}  // namespace

std::string render_trend_page(report::Store& store, const TrendPageOptions& options) {
  std::int64_t today = options.now / seconds_per_day * seconds_per_day;
  std::int64_t since = today - static_cast<std::int64_t>(options.days - 1) * seconds_per_day;
  auto figures = store.daily_figures(since, options.domain);
  if (!figures) fail_on(figures.error());
  auto sources = store.failing_sources(since, options.domain, options.top_sources);
  if (!sources) fail_on(sources.error());
  auto dispositions = store.dispositions(since, options.domain);
  if (!dispositions) fail_on(dispositions.error());

  std::map<std::string, std::vector<const report::DailyFigures*>> by_domain;
  for (const report::DailyFigures& day : *figures) by_domain[day.domain].push_back(&day);

  std::string title =
      options.domain.empty() ? "DMARC reports" : fmt::format("DMARC reports: {}", options.domain);
  std::string html = fmt::format(
      "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
      "<title>{}</title>\n<style>{}</style>\n</head>\n<body>\n<h1>{}</h1>\n"
      "<p>{} days, {} to {} (UTC), from the aggregate reports in the store.</p>\n",
      escaped(title), style, escaped(title), options.days, date_of(since), date_of(today));
  if (by_domain.empty()) html += "<p class=\"empty\">No aggregate report covers this period.</p>\n";

  for (const auto& [domain, days] : by_domain) {
    std::uint64_t messages = 0, dmarc = 0, spf = 0, dkim = 0;
    for (const report::DailyFigures* day : days) {
      messages += day->messages;
      dmarc += day->dmarc_pass;
      spf += day->spf_aligned;
      dkim += day->dkim_aligned;
    }
    double rate = percent(dmarc, messages);
    html += fmt::format(
        "<section>\n<h2>{}</h2>\n<p class=\"summary\">{} messages; DMARC pass "
        "<span class=\"badge {}\">{:.1f}%</span>, SPF aligned {:.1f}%, DKIM aligned {:.1f}%</p>\n",
        escaped(domain), messages, rate_class(rate), rate, percent(spf, messages),
        percent(dkim, messages));
    html += chart(days, since, options.days);

    html +=
        "<table>\n<tr><th>day</th><th>messages</th><th>DMARC</th><th>DKIM aligned</th>"
        "<th>SPF aligned</th><th>quarantined</th><th>rejected</th></tr>\n";
    for (const report::DailyFigures* day : days)
      html +=
          fmt::format("<tr><td>{}</td><td>{}</td>{}{}{}<td>{}</td><td>{}</td></tr>\n",
                      date_of(day->day), day->messages, rate_cell(day->dmarc_pass, day->messages),
                      rate_cell(day->dkim_aligned, day->messages),
                      rate_cell(day->spf_aligned, day->messages), day->quarantined, day->rejected);
    html += "</table>\n";

    html +=
        "<h3>Dispositions applied</h3>\n<table>\n<tr><th>disposition</th><th>messages</th>"
        "<th>share</th></tr>\n";
    for (const auto& count : *dispositions)
      if (count.domain == domain)
        html += fmt::format("<tr><td>{}</td><td>{}</td><td>{:.1f}%</td></tr>\n",
                            escaped(count.disposition.empty() ? "(none given)" : count.disposition),
                            count.messages, percent(count.messages, messages));
    html += "</table>\n";

    html += "<h3>Sources failing DMARC</h3>\n";
    std::string rows;
    for (const report::FailingSource& source : *sources) {
      if (source.domain != domain) continue;
      std::string network = source.info.asn ? fmt::format("AS{} {}", *source.info.asn,
                                                          escaped(source.info.as_organization))
                                            : std::string();
      rows += fmt::format("<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>\n",
                          escaped(source.source_ip), source.dmarc_fail, source.messages,
                          escaped(source.info.country), network);
    }
    if (rows.empty())
      html += "<p class=\"empty\">No source failed DMARC.</p>\n";
    else
      html +=
          "<table>\n<tr><th>source IP</th><th>failing</th><th>messages</th><th>country</th>"
          "<th>network</th></tr>\n" +
          rows + "</table>\n";
    html += "</section>\n";
  }
  return html + "</body>\n</html>\n";
}

}  // namespace hallmark::cli
