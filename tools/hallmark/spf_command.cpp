// SPDX-License-Identifier: Apache-2.0
// `hallmark spf`: the SPF verdict for an SMTP envelope (client IP, HELO, MAIL FROM), with the
// explanation, the lookup counts and a trace of every term evaluated.
#include <cstdio>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "args.hpp"
#include "auth_results_output.hpp"
#include "commands.hpp"
#include "hallmark/core/sync_wait.hpp"
#include "hallmark/spf/auth_results.hpp"
#include "hallmark/spf/evaluate.hpp"
#include "resolver_setup.hpp"
#include "json/result_json.hpp"

namespace hallmark::cli {

const std::string_view spf_usage =
    "usage: hallmark spf --ip IP --helo NAME --mail-from ADDR [--zone FILE]... [--json]\n"
    "  --ip IP             the SMTP client's address (IPv4 or IPv6)\n"
    "  --helo NAME         the HELO/EHLO name\n"
    "  --mail-from ADDR    the MAIL FROM address; '' is the null reverse path, which checks\n"
    "                      postmaster@HELO\n"
    "  --identity helo     check the HELO identity instead of MAIL FROM\n"
    "  --receiver NAME     this host's name, for Received-SPF and %{r}\n"
    "  --json              print one JSON object: result, explanation, dns_lookups,\n"
    "                      void_lookups, trace, ...\n"
    "  --authserv-id ID    name this host in Authentication-Results (default: the host name)\n";

int run_spf(std::vector<std::string_view> argv) {
  std::set<std::string, std::less<>> valued = resolver_flags();
  valued.insert({"ip", "helo", "mail-from", "receiver", "identity", "authserv-id"});
  Args args(std::move(argv), valued, {"json"});
  if (!args.positional().empty()) throw UsageError("spf takes no positional arguments");
  std::optional<std::string> ip_text = args.value("ip");
  if (!ip_text) throw UsageError("--ip is required");
  auto ip = core::IpAddress::parse(*ip_text);
  if (!ip) throw UsageError(ip.error().message);
  std::optional<std::string> mail_from = args.value("mail-from");
  std::optional<std::string> helo = args.value("helo");
  std::string identity = args.value("identity").value_or("mailfrom");
  if (identity != "mailfrom" && identity != "helo")
    throw UsageError("--identity is mailfrom or helo");
  if (!mail_from && identity == "mailfrom")
    throw UsageError("--mail-from is required ('' for the null reverse path)");
  if (!helo && (identity == "helo" || mail_from->empty()))
    throw UsageError("--helo is required to check the HELO identity");

  spf::Envelope envelope{*ip, helo.value_or(""), mail_from.value_or("")};
  spf::Options options;
  std::string receiver = args.value("receiver").value_or("unknown");
  options.receiver = receiver;
  options.trace = true;
  std::unique_ptr<dns::Resolver> resolver = make_resolver(args);
  core::Task<spf::Result> task = identity == "helo"
                                     ? spf::check_helo(*resolver, envelope, options)
                                     : spf::check_mail_from(*resolver, envelope, options);
  spf::Result result = core::sync_wait(std::move(task), resolver->pump());

  if (args.has("json")) {
    std::puts(json::to_json(result, envelope, receiver).dump(2).c_str());
    return 0;
  }
  fmt::print("spf: {} ({})\n", spf::to_string(result.outcome), result.reason);
  if (!result.explanation.empty()) fmt::print("explanation: {}\n", result.explanation);
  fmt::print("dns lookups: {}, void lookups: {}\n", result.dns_lookups, result.void_lookups);
  for (const spf::TraceEntry& entry : result.trace) {
    fmt::print("  {:>{}}{} {}{}{}\n", "", entry.depth * 2, entry.domain, entry.term,
               entry.matched ? " [match]" : "", entry.note.empty() ? "" : " (" + entry.note + ")");
  }
  fmt::print("{}\n", spf::received_spf(result, envelope, receiver, "\n"));
  const std::string fragments[] = {spf::auth_results_fragment(result)};
  print_auth_results(authserv_id(args), fragments);
  return 0;
}

}  // namespace hallmark::cli
