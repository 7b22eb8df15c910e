// SPDX-License-Identifier: Apache-2.0
// `hallmark dmarc`: the DMARC verdict for an author domain given the SPF and DKIM results,
// with the record used, the organizational domain and the disposition.
#include <cstdio>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "args.hpp"
#include "auth_results_output.hpp"
#include "commands.hpp"
#include "hallmark/core/sync_wait.hpp"
#include "hallmark/dmarc/evaluate.hpp"
#include "hallmark/spf/types.hpp"
#include "resolver_setup.hpp"
#include "json/result_json.hpp"

namespace hallmark::cli {

const std::string_view dmarc_usage =
    "usage: hallmark dmarc --from DOMAIN [--spf-domain D --spf-result R] [--dkim-domain D]...\n"
    "                      [--zone FILE]... [--json]\n"
    "  --from DOMAIN       the RFC5322.From domain (U-labels are converted to A-labels)\n"
    "  --spf-domain D      the domain SPF checked (MAIL FROM, or HELO for a null path)\n"
    "  --spf-result R      its RFC 7208 result: pass, fail, softfail, neutral, none, ...\n"
    "  --dkim-domain D     the d= of a signature that passed (repeatable)\n"
    "  --psl               find organizational domains with the public suffix list (RFC 7489)\n"
    "                      instead of the DNS tree walk (RFC 9989)\n"
    "  --pct-sampling      apply pct= as RFC 7489 sampling (default: RFC 9989, where t=y\n"
    "                      lowers the policy and pct= only counts as pct=0 without t=)\n"
    "  --json              print one JSON object: result, policy, disposition, record_domain,\n"
    "                      organizational_domain, ...\n"
    "  --authserv-id ID    name this host in Authentication-Results (default: the host name)\n";

int run_dmarc(std::vector<std::string_view> argv) {
  std::set<std::string, std::less<>> valued = resolver_flags();
  valued.insert({"from", "spf-domain", "spf-result", "dkim-domain", "authserv-id"});
  Args args(std::move(argv), valued, {"json", "psl", "pct-sampling"});
  if (!args.positional().empty()) throw UsageError("dmarc takes no positional arguments");
  std::optional<std::string> from = args.value("from");
  if (!from) throw UsageError("--from is required");
  dmarc::Identifiers identifiers;
  identifiers.spf_domain = args.value("spf-domain").value_or("");
  if (std::optional<std::string> result = args.value("spf-result")) {
    std::optional<spf::Outcome> outcome = spf::parse_outcome(*result);
    if (!outcome)
      throw UsageError(fmt::format("--spf-result '{}' is not an RFC 7208 result", *result));
    identifiers.spf_pass = *outcome == spf::Outcome::pass;
  }
  if (identifiers.spf_pass && identifiers.spf_domain.empty())
    throw UsageError("--spf-result pass needs --spf-domain");
  identifiers.dkim_domains = args.values("dkim-domain");
  dmarc::Options options;
  if (args.has("psl")) options.discovery = dmarc::DiscoveryMode::psl;
  if (args.has("pct-sampling")) options.pct_rules = dmarc::PctRules::rfc7489;
  // The verb shows where reports may go; a verdict alone would not look.
  options.verify_report_destinations = true;

  std::unique_ptr<dns::Resolver> resolver = make_resolver(args);
  dmarc::Result result =
      core::sync_wait(dmarc::evaluate(*resolver, *from, std::move(identifiers), std::move(options)),
                      resolver->pump());
  if (args.has("json")) {
    std::puts(json::to_json(result)
                  .dump(2, ' ', false, nlohmann::json::error_handler_t::replace)
                  .c_str());
    return 0;
  }
  fmt::print("dmarc: {} ({})\n", dmarc::to_string(result.outcome), result.reason);
  if (result.record) {
    fmt::print("record: _dmarc.{}: {}\n", result.record_domain, dmarc::to_string(*result.record));
    fmt::print("organizational domain: {}\n", result.organizational_domain);
    fmt::print("policy: {}={}, disposition: {}{}{}\n", result.policy_tag,
               dmarc::to_string(result.policy), dmarc::to_string(result.disposition),
               result.testing ? " (t=y)" : "", result.sampled_out ? " (outside pct=)" : "");
  }
  const std::string fragments[] = {dmarc::auth_results_fragment(result)};
  print_auth_results(authserv_id(args), fragments);
  return 0;
}

}  // namespace hallmark::cli
