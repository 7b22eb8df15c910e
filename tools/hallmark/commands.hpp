// SPDX-License-Identifier: Apache-2.0
// The verbs of the hallmark CLI: each takes its arguments (after the verb) and returns the
// exit status; usage problems are thrown as UsageError, other failures as Failure.
#pragma once

#include <string_view>
#include <vector>

namespace hallmark::cli {

struct Command {
  std::string_view name;
  std::string_view summary;
  std::string_view usage;
  int (*run)(std::vector<std::string_view> args);
  /// Whether the verb looks things up in DNS, so its --help lists the resolver flags.
  bool uses_dns = true;
};

/// Every verb, in the order `hallmark --help` lists them.
const std::vector<Command>& commands();

int run_dns(std::vector<std::string_view> args);
extern const std::string_view dns_usage;
int run_spf(std::vector<std::string_view> args);
int run_dmarc(std::vector<std::string_view> args);
extern const std::string_view dmarc_usage;
extern const std::string_view spf_usage;
int run_dkim_verify(std::vector<std::string_view> args);
extern const std::string_view dkim_verify_usage;
int run_dkim_sign(std::vector<std::string_view> args);
extern const std::string_view dkim_sign_usage;
int run_arc_verify(std::vector<std::string_view> args);
extern const std::string_view arc_verify_usage;
int run_arc_seal(std::vector<std::string_view> args);
extern const std::string_view arc_seal_usage;
int run_verify(std::vector<std::string_view> args);
extern const std::string_view verify_usage;
int run_keygen(std::vector<std::string_view> args);
int run_audit(std::vector<std::string_view> args);
extern const std::string_view audit_usage;
extern const std::string_view keygen_usage;
int run_report(std::vector<std::string_view> args);
extern const std::string_view report_usage;

}  // namespace hallmark::cli
