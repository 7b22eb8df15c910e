// SPDX-License-Identifier: Apache-2.0
// `hallmark report parse [FILE|-]...`: the reports in files or e-mails, one JSON object per
// report per line; `--format bulk` for OpenSearch/Elasticsearch's _bulk API; `--summary` for a
// domain owner's triage table. Exit status 0 when every input was read (an e-mail holding no
// report included, so the verb can sit in a .forward file), 1 when any part failed to parse.
#include <algorithm>
#include <cstdio>
#include <map>
#include <utility>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "args.hpp"
#include "bulk_post.hpp"
#include "geoip.hpp"
#include "hallmark/report/parse.hpp"
#include "hallmark/report/store.hpp"
#include "json/report_json.hpp"
#include "message_input.hpp"
#include "printable.hpp"
#include "report_commands.hpp"

namespace hallmark::cli {

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

// --geoip on a bulk document: what the databases know of its source IP, as fields of its own.
void add_source_info(nlohmann::ordered_json& document, const report::SourceEnricher& enrich) {
  auto ip = document.find("source_ip");
  if (!enrich || ip == document.end() || !ip->is_string()) return;
  std::optional<report::SourceInfo> info = enrich(ip->get<std::string>());
  if (!info) return;
  if (!info->country.empty()) document["source_country"] = info->country;
  if (info->asn) document["source_asn"] = *info->asn;
  if (!info->as_organization.empty()) document["source_as_organization"] = info->as_organization;
}

}  // namespace

int run_report_parse(const std::vector<std::string_view>& argv) {
  Args args(argv, {"format", "index", "store", "post", "geoip"}, {"summary", "insecure"});
  std::string format = args.value("format").value_or("json");
  if (format != "json" && format != "bulk")
    throw UsageError(fmt::format("--format is json or bulk, not '{}'", format));
  std::optional<std::string> index = args.value("index");
  if (format == "bulk" && !index) throw UsageError("--format bulk needs --index NAME");
  bool summary = args.has("summary");
  std::optional<std::string> post = args.value("post");
  if (post && (format != "bulk" || summary))
    throw UsageError("--post sends the documents of --format bulk (and not with --summary)");
  if (post) bulk_endpoint(*post);  // a bad URL is a usage error before any work
  if (args.has("insecure") && !post) throw UsageError("--insecure goes with --post");
  report::SourceEnricher enrich = open_geoip_databases(args.values("geoip"));
  std::string pending;  // --post: NDJSON not sent yet
  BulkPostResult posted;
  std::unique_ptr<report::Store> store;
  if (auto location = args.value("store")) {
    auto opened = report::Store::open(*location);
    if (!opened) throw Failure(fmt::format("{}: {}", *location, opened.error().message));
    store = std::move(*opened);
  }
  std::uint64_t added = 0, already_stored = 0;

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
      if (store) {
        auto saved = store->save(report, enrich);
        if (!saved)
          throw Failure(
              fmt::format("{}: storing a report: {}", printable(name), saved.error().message));
        ++(*saved == report::Store::Saved::added ? added : already_stored);
      }
      if (summary) {
        if (const auto* aggregate = std::get_if<report::AggregateReport>(&report))
          for (const report::Record& record : aggregate->records) {
            by_source[record.row.source_ip].add(record);
            by_header_from[record.identifiers.header_from].add(record);
          }
      } else if (format == "bulk") {
        for (json::BulkDocument& document : json::bulk_documents(report)) {
          add_source_info(document.document, enrich);
          std::string lines = fmt::format(
              "{}\n{}\n", dumped({{"index", {{"_index", *index}, {"_id", document.id}}}}),
              dumped(document.document));
          if (post)
            pending += lines;
          else
            fmt::print("{}", lines);
        }
        if (post && pending.size() >= max_bulk_request_bytes)
          posted += post_bulk(*post, std::exchange(pending, {}), args.has("insecure"));
      } else {
        fmt::print("{}\n", json::to_json_text(report));
      }
    }
    std::fflush(stdout);
  }
  if (store)
    fmt::print(stderr, "hallmark report parse: stored {} new report(s), {} already stored\n", added,
               already_stored);
  if (post) {
    posted += post_bulk(*post, pending, args.has("insecure"));
    fmt::print("posted {} documents: {} created, {} updated, {} failed\n", posted.documents,
               posted.created, posted.updated, posted.failed);
    for (const BulkDocumentError& error : posted.errors)
      fmt::print(stderr, "hallmark report parse: document {}: HTTP {}: {}: {}\n",
                 printable(error.id), error.status, printable(error.type), printable(error.reason));
    if (posted.failed > 0) failed = true;
  }
  if (summary) {
    print_tallies("source ip", by_source);
    fmt::print("\n");
    print_tallies("header from", by_header_from);
  }
  return failed ? 1 : 0;
}

}  // namespace hallmark::cli
