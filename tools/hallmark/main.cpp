// SPDX-License-Identifier: Apache-2.0
// hallmark: the command-line tool. One verb per job; exit status 0 when the evaluation
// completed (whatever its result), 2 for usage errors, 1 for anything else.
#include <cstdio>
#include <exception>
#include <string_view>
#include <vector>

#include <fmt/format.h>

#include "args.hpp"
#include "commands.hpp"
#include "hallmark/version.h"
#include "resolver_setup.hpp"

namespace hallmark::cli {

const std::vector<Command>& commands() {
  static const std::vector<Command> all = {
      {"verify", "the whole verdict for a message: SPF, DKIM, ARC, DMARC, tags, score",
       verify_usage, run_verify},
      {"dns", "look up a name as hallmark's resolver sees it", dns_usage, run_dns},
      {"spf", "check an SMTP envelope against SPF (RFC 7208)", spf_usage, run_spf},
      {"dmarc", "evaluate DMARC for an author domain (RFC 9989)", dmarc_usage, run_dmarc},
      {"dkim-verify", "verify a message's DKIM signatures (RFC 6376, 8301, 8463)",
       dkim_verify_usage, run_dkim_verify},
      {"dkim-sign", "sign a message with DKIM", dkim_sign_usage, run_dkim_sign, false},
      {"arc-verify", "validate a message's ARC chain (RFC 8617)", arc_verify_usage, run_arc_verify},
      {"arc-seal", "add this host's ARC set to a message", arc_seal_usage, run_arc_seal},
      {"keygen", "make a DKIM signing key and its DNS record", keygen_usage, run_keygen, false},
      {"audit", "audit a domain's SPF, DKIM, DMARC, MX, TLS-RPT, MTA-STS and BIMI records",
       audit_usage, run_audit},
      {"report", "read DMARC aggregate, DMARC failure and SMTP TLS reports (parse)", report_usage,
       run_report, false},
  };
  return all;
}

namespace {

void print_overview(std::FILE* out) {
  fmt::print(out, "usage: hallmark VERB [OPTIONS] [ARGS]\n\nverbs:\n");
  for (const Command& command : commands())
    fmt::print(out, "  {:<14}{}\n", command.name, command.summary);
  fmt::print(out, "\n`hallmark VERB --help` describes one verb. hallmark {}\n",
             HALLMARK_VERSION_STRING);
}

bool wants_help(const std::vector<std::string_view>& args) {
  for (std::string_view arg : args)
    if (arg == "--help" || arg == "-h") return true;
  return false;
}

}  // namespace
}  // namespace hallmark::cli

int main(int argc, char** argv) {
  using namespace hallmark::cli;
  std::vector<std::string_view> args(argv + 1, argv + argc);
  if (args.empty() || args[0] == "--help" || args[0] == "-h" || args[0] == "help") {
    print_overview(args.empty() ? stderr : stdout);
    return args.empty() ? 2 : 0;
  }
  if (args[0] == "--version") {
    std::puts(HALLMARK_VERSION_STRING);
    return 0;
  }
  for (const Command& command : commands()) {
    if (command.name != args[0]) continue;
    std::vector<std::string_view> rest(args.begin() + 1, args.end());
    if (wants_help(rest)) {
      fmt::print("{}{}", command.usage, command.uses_dns ? resolver_usage() : "");
      return 0;
    }
    try {
      return command.run(std::move(rest));
    } catch (const UsageError& error) {
      fmt::print(stderr, "hallmark {}: {}\n{}", command.name, error.what(), command.usage);
      return 2;
    } catch (const std::exception& error) {
      fmt::print(stderr, "hallmark {}: {}\n", command.name, error.what());
      return 1;
    }
  }
  fmt::print(stderr, "hallmark: unknown command '{}'\n", args[0]);
  print_overview(stderr);
  return 2;
}
