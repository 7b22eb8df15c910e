// SPDX-License-Identifier: Apache-2.0
// `hallmark report parse [FILE|-]...`: the reports in files or e-mails, one JSON object per
// report per line; `--format bulk` for OpenSearch/Elasticsearch's _bulk API; `--summary` for a
// domain owner's triage table. Exit status 0 when every input was read (an e-mail holding no
// report included, so the verb can sit in a .forward file), 1 when any part failed to parse.
#include <algorithm>
#include <cstdio>
#include <map>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "args.hpp"
#include "commands.hpp"
#include "hallmark/report/parse.hpp"
#include "json/report_json.hpp"
#include "message_input.hpp"
#include "printable.hpp"

namespace hallmark::cli {

const std::string_view report_usage =
    "usage: hallmark report parse [FILE|-]... [--format json|bulk] [--index NAME] [--summary]\n"
    "  FILE                a report: XML, .xml.gz, .zip, TLS-RPT JSON, or a whole report\n"
    "                      e-mail (aggregate, failure/ARF or TLS); '-' or none: standard input\n"
    "  --format json       one JSON object per report, one per line (the default)\n"
    "  --format bulk       OpenSearch/Elasticsearch _bulk NDJSON: one document per aggregate\n"
    "                      record row, TLS policy result or failure report, with ids that\n"
    "                      make ingesting a report again overwrite its documents\n"
    "  --index NAME        the index the bulk documents go to (required with --format bulk)\n"
    "  --summary           instead of the reports: per source IP and per header From domain,\n"
    "                      messages and SPF, DKIM and DMARC pass/fail counts, worst first\n";

namespace {

// A whole input is read before parsing (archives need random access); this bounds it.
constexpr std::size_t max_input_bytes = 256 * 1024 * 1024;

std::string read_whole(const std::string& path, std::string& name) {
  MessageInput input({path});
  name = input.name();
  std::string data;
  bool first = true;
  for (std::string_view chunk = input.read(); !chunk.empty(); chunk = input.read()) {
    if (first) chunk = skip_mbox_separator(chunk);
    first = false;
    if (data.size() + chunk.size() > max_input_bytes)
      throw Failure(fmt::format("{}: larger than {} bytes", name, max_input_bytes));
    data.append(chunk);
  }
  return data;
}

std::string dumped(const nlohmann::ordered_json& value) {
  // Failure reports carry the original message's header bytes, which need not be UTF-8.
  return value.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
}

struct Tally {
  std::uint64_t messages = 0;
  std::uint64_t spf_pass = 0, spf_fail = 0;
  std::uint64_t dkim_pass = 0, dkim_fail = 0;
  std::uint64_t dmarc_pass = 0, dmarc_fail = 0;

  void add(const report::Record& record) {
    const auto& evaluated = record.row.policy_evaluated;
    std::uint64_t count = record.row.count;
    messages += count;
    (evaluated.spf == "pass" ? spf_pass : spf_fail) += count;
    (evaluated.dkim == "pass" ? dkim_pass : dkim_fail) += count;
    (evaluated.spf == "pass" || evaluated.dkim == "pass" ? dmarc_pass : dmarc_fail) += count;
  }
};

void print_tallies(std::string_view title, const std::map<std::string, Tally>& tallies) {
  std::vector<std::pair<std::string, Tally>> rows(tallies.begin(), tallies.end());
  // Worst first: the most messages failing DMARC, then the most messages.
  std::ranges::stable_sort(rows, [](const auto& a, const auto& b) {
    if (a.second.dmarc_fail != b.second.dmarc_fail)
      return a.second.dmarc_fail > b.second.dmarc_fail;
    return a.second.messages > b.second.messages;
  });
  fmt::print("{:<40} {:>9} {:>9} {:>9} {:>9} {:>9} {:>9} {:>9}\n", title, "messages", "spf-pass",
             "spf-fail", "dkim-pass", "dkim-fail", "dmarc-ok", "dmarc-bad");
  for (const auto& [key, tally] : rows)
    fmt::print("{:<40} {:>9} {:>9} {:>9} {:>9} {:>9} {:>9} {:>9}\n",
               printable(key.empty() ? "(none)" : key), tally.messages, tally.spf_pass,
               tally.spf_fail, tally.dkim_pass, tally.dkim_fail, tally.dmarc_pass,
               tally.dmarc_fail);
}

int run_parse(const std::vector<std::string_view>& argv) {
  Args args(argv, {"format", "index"}, {"summary"});
  std::string format = args.value("format").value_or("json");
  if (format != "json" && format != "bulk")
    throw UsageError(fmt::format("--format is json or bulk, not '{}'", format));
  std::optional<std::string> index = args.value("index");
  if (format == "bulk" && !index) throw UsageError("--format bulk needs --index NAME");
  bool summary = args.has("summary");

  std::vector<std::string> inputs = args.positional();
  if (inputs.empty()) inputs.emplace_back("-");
  bool failed = false;
  std::map<std::string, Tally> by_source, by_header_from;
  for (const std::string& path : inputs) {
    std::string name;
    std::string data = read_whole(path, name);
    report::ParseOutcome outcome = report::parse_reports(data);
    for (const report::PartError& error : outcome.errors) {
      failed = true;
      fmt::print(stderr, "hallmark report parse: {}: {}: {} (offset {})\n", printable(name),
                 printable(error.part), printable(error.error.message), error.error.offset);
    }
    if (outcome.not_a_report)
      fmt::print(stderr, "hallmark report parse: {}: no report in this message\n", printable(name));
    for (const report::Report& report : outcome.reports) {
      if (summary) {
        if (const auto* aggregate = std::get_if<report::AggregateReport>(&report))
          for (const report::Record& record : aggregate->records) {
            by_source[record.row.source_ip].add(record);
            by_header_from[record.identifiers.header_from].add(record);
          }
      } else if (format == "bulk") {
        for (const json::BulkDocument& document : json::bulk_documents(report))
          fmt::print("{}\n{}\n", dumped({{"index", {{"_index", *index}, {"_id", document.id}}}}),
                     dumped(document.document));
      } else {
        fmt::print("{}\n", dumped(json::to_json(report)));
      }
    }
    std::fflush(stdout);
  }
  if (summary) {
    print_tallies("source ip", by_source);
    fmt::print("\n");
    print_tallies("header from", by_header_from);
  }
  return failed ? 1 : 0;
}

}  // namespace

int run_report(std::vector<std::string_view> args) {
  if (args.empty()) throw UsageError("which report command? (parse)");
  std::string_view command = args.front();
  args.erase(args.begin());
  if (command == "parse") return run_parse(args);
  throw UsageError(fmt::format("unknown command 'report {}'", command));
}

}  // namespace hallmark::cli
