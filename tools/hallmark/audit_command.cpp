// SPDX-License-Identifier: Apache-2.0
// `hallmark audit DOMAIN...`: the domain owner's check before mail bounces. Every domain is
// audited concurrently through one resolver; the report is grouped by protocol, the SPF tree
// drawn, each finding marked ok/info/warning/error (in colour on a terminal), or one JSON
// object per domain with --json. Exit status 0 once the audit completed, whatever it found.
#include <unistd.h>

#include <cstdio>
#include <cstdlib>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "args.hpp"
#include "commands.hpp"
#include "hallmark/audit/audit.hpp"
#include "hallmark/core/sync_wait.hpp"
#include "hallmark/core/when_all.hpp"
#include "json/audit_json.hpp"
#include "printable.hpp"
#include "resolver_setup.hpp"

namespace hallmark::cli {

const std::string_view audit_usage =
    "usage: hallmark audit DOMAIN... [--ip IP]... [--selector S]... [--zone FILE]...\n"
    "                      [--server ADDR:PORT]... [--json]\n"
    "       hallmark audit --suggest DOMAIN... [--rua MAILBOX]\n"
    "  DOMAIN              domains to audit, concurrently\n"
    "  --ip IP             a mail server address of the domain: is SPF authorising it?\n"
    "  --selector S        a DKIM selector to check (repeatable); none: common ones probed\n"
    "  --json              one JSON object per domain, one per line\n"
    "  --suggest           print the SPF, DMARC and TLS-RPT records a domain without any\n"
    "                      should start with (no lookups)\n"
    "  --rua MAILBOX       where --suggest sends reports (default dmarc-reports@DOMAIN)\n";

namespace {

// ANSI colours for the marks, only on a terminal and unless NO_COLOR is set.
struct Style {
  bool colour = false;
  std::string mark(audit::Severity severity) const {
    static constexpr std::string_view labels[] = {"ok", "info", "warning", "error"};
    static constexpr std::string_view colours[] = {"32", "36", "33", "31"};
    auto index = static_cast<std::size_t>(severity);
    std::string label = fmt::format("[{}]", labels[index]);
    label.resize(9, ' ');
    if (!colour) return label;
    return fmt::format("\033[{}m{}\033[0m", colours[index], label);
  }
};

void print_findings(const Style& style, const std::vector<audit::Finding>& findings) {
  for (const audit::Finding& finding : findings) {
    fmt::print("    {} {} {}\n", style.mark(finding.severity), finding.code,
               printable(finding.message));
    if (!finding.fix.empty() && finding.severity >= audit::Severity::info)
      fmt::print("              fix: {}\n", printable(finding.fix));
  }
}

void print_node(const audit::SpfNode& node, const std::string& prefix, bool last, bool top) {
  std::string label = top ? printable(node.domain) : printable(node.via);
  std::string counts = fmt::format(
      "({} lookup{}, {} so far{})", node.dns_lookups, node.dns_lookups == 1 ? "" : "s",
      node.running_total,
      node.void_lookups > 0 ? fmt::format(", {} void", node.void_lookups) : std::string());
  std::string branch = top ? "" : (last ? "`- " : "|- ");
  fmt::print("    {}{}{} {}\n", prefix, branch, label, counts);
  std::string inner = top ? prefix : prefix + (last ? "   " : "|  ");
  if (!node.record.empty()) fmt::print("    {}   {}\n", inner, printable(node.record));
  if (!node.error.empty()) fmt::print("    {}   ! {}\n", inner, printable(node.error));
  for (std::size_t i = 0; i < node.children.size(); ++i)
    print_node(node.children[i], inner, i + 1 == node.children.size(), false);
}

void print_report(const Style& style, const audit::Report& report) {
  fmt::print("{}  (worst: {})\n", report.domain, audit::to_string(report.worst()));
  fmt::print("  SPF\n");
  if (report.spf.found) {
    print_node(report.spf.tree, "", true, true);
    fmt::print("    total: {} of 10 DNS-querying terms, {} of 2 void lookups\n",
               report.spf.total_lookups, report.spf.void_lookups);
  }
  print_findings(style, report.spf.findings);

  fmt::print("  DKIM{}\n", report.dkim.probed_common_selectors ? " (common selectors probed)" : "");
  print_findings(style, report.dkim.findings);
  for (const audit::DkimKey& key : report.dkim.keys) {
    std::string what = key.found ? fmt::format("{} {} bits", key.key_type, key.bits) : "none";
    fmt::print("    selector {}: {}\n", printable(key.selector), what);
    print_findings(style, key.findings);
  }

  fmt::print("  DMARC\n");
  if (report.dmarc.found)
    fmt::print("    {} at _dmarc.{}\n", printable(report.dmarc.record),
               printable(report.dmarc.record_domain));
  for (const audit::ReportDestination& destination : report.dmarc.destinations)
    fmt::print("    {} {}{}\n", destination.kind, printable(destination.uri),
               destination.external
                   ? (destination.authorised ? fmt::format(" (external, authorised by {})",
                                                           printable(destination.authorised_by))
                                             : std::string(" (external, NOT authorised)"))
                   : std::string());
  print_findings(style, report.dmarc.findings);

  fmt::print("  MX, TLS-RPT, MTA-STS, BIMI\n");
  for (const std::string& mx : report.mail.mx) fmt::print("    MX {}\n", printable(mx));
  print_findings(style, report.mail.findings);
}

}  // namespace

int run_audit(std::vector<std::string_view> argv) {
  std::set<std::string, std::less<>> valued = resolver_flags();
  valued.insert({"ip", "selector", "rua"});
  Args args(std::move(argv), valued, {"json", "suggest"});
  if (args.positional().empty()) throw UsageError("audit takes one or more domains");

  if (args.has("suggest")) {
    std::string rua = args.value("rua").value_or("");
    for (const std::string& domain : args.positional())
      for (const std::string& record : audit::suggested_records(domain, rua))
        fmt::print("{}\n", record);
    return 0;
  }

  audit::Options options;
  for (const std::string& text : args.values("ip")) {
    core::Expected<core::IpAddress> ip = core::IpAddress::parse(text);
    if (!ip) throw UsageError(fmt::format("--ip {}: {}", text, ip.error().message));
    options.ips.push_back(*ip);
  }
  options.selectors = args.values("selector");

  std::unique_ptr<dns::Resolver> resolver = make_resolver(args);
  std::vector<core::Task<core::Expected<audit::Report>>> audits;
  for (const std::string& domain : args.positional())
    audits.push_back(audit::audit_domain(*resolver, domain, options));
  std::vector<core::Expected<audit::Report>> reports =
      core::sync_wait(core::when_all(std::move(audits)), resolver->pump());

  Style style;
  style.colour = isatty(STDOUT_FILENO) == 1 && std::getenv("NO_COLOR") == nullptr;
  int status = 0;
  for (std::size_t i = 0; i < reports.size(); ++i) {
    if (!reports[i]) {
      fmt::print(stderr, "hallmark audit: {}\n", reports[i].error().message);
      status = 1;
      continue;
    }
    if (args.has("json")) {
      std::puts(json::to_json(*reports[i]).dump().c_str());
    } else {
      if (i > 0) fmt::print("\n");
      print_report(style, *reports[i]);
    }
  }
  return status;
}

}  // namespace hallmark::cli
