// SPDX-License-Identifier: Apache-2.0
// `hallmark arc-verify`: the validation of a message's Authenticated Received Chain (RFC 8617
// 5.2), streamed from a file or standard input through arc::Verifier, with every set's seal,
// message signature and recorded results.
#include <cstdio>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "args.hpp"
#include "auth_results_output.hpp"
#include "commands.hpp"
#include "hallmark/arc/verify.hpp"
#include "hallmark/core/sync_wait.hpp"
#include "message_input.hpp"
#include "printable.hpp"
#include "json/result_json.hpp"
#include "resolver_setup.hpp"

namespace hallmark::cli {

const std::string_view arc_verify_usage =
    "usage: hallmark arc-verify [--zone FILE]... [--server ADDR:PORT] [--json] [MESSAGE|-]\n"
    "  MESSAGE             the message file; '-' or none reads standard input\n"
    "  --json              print one JSON object: result, reason, detail, failed_instance,\n"
    "                      oldest_pass, sealers, and sets (one entry per ARC set, oldest\n"
    "                      first, with its seal, message signature and results)\n"
    "  --oldest-pass       also verify the older message signatures (RFC 8617 5.2 step 5)\n"
    "                      and report header.oldest-pass; --json always does\n"
    "  --allow-sha1        accept rsa-sha1 signatures (RFC 8301 3.1 rejects them)\n"
    "  --min-rsa-bits N    reject RSA keys below N bits (default 1024, RFC 8301 3.2)\n"
    "  --authserv-id ID    name this host in Authentication-Results (default: the host name)\n";

namespace {

void print_text(const arc::Result& r) {
  std::string verdict = std::string(arc::to_string(r.reason));
  if (!r.detail.empty()) verdict += ": " + printable(r.detail);
  fmt::print("arc: {} ({})\n", arc::to_string(r.outcome), verdict);
  if (r.oldest_pass) fmt::print("oldest-pass: {}\n", *r.oldest_pass);
  for (const arc::SetResult& set : r.sets) {
    std::string line = fmt::format("i={} cv={} seal=d={} s={} {} ams=d={} s={} {}", set.instance,
                                   arc::to_string(set.chain_status), printable(set.seal_domain),
                                   printable(set.seal_selector), dkim::to_string(set.seal_result),
                                   printable(set.ams_domain), printable(set.ams_selector),
                                   dkim::to_string(set.ams_result));
    if (!set.detail.empty()) line += ": " + printable(set.detail);
    fmt::print("{}\n", line);
  }
}

arc::VerifyOptions verify_options(const Args& args) {
  arc::VerifyOptions options;
  // The JSON report always has an oldest_pass to show; the text and the field only say
  // header.oldest-pass when asked, as its extra verifications are a choice (step 5 is
  // optional).
  options.oldest_pass = args.has("oldest-pass") || args.has("json");
  options.allow_sha1 = args.has("allow-sha1");
  if (std::optional<unsigned> bits = args.number("min-rsa-bits")) options.min_rsa_bits = *bits;
  return options;
}

}  // namespace

int run_arc_verify(std::vector<std::string_view> argv) {
  std::set<std::string, std::less<>> valued = resolver_flags();
  valued.insert({"min-rsa-bits", "authserv-id"});
  Args args(std::move(argv), valued, {"json", "oldest-pass", "allow-sha1"});
  arc::VerifyOptions options = verify_options(args);
  MessageInput input(args.positional());
  std::unique_ptr<dns::Resolver> resolver = make_resolver(args);

  arc::Verifier verifier(*resolver, std::move(options));
  bool first = true;
  for (std::string_view chunk = input.read(); !chunk.empty(); chunk = input.read()) {
    if (first) chunk = skip_mbox_separator(chunk);
    first = false;
    // Only a header section past mail::Limits fails here; finish() reports it as a failed
    // chain (a verdict on a message that was read, so exit 0 like any other result).
    if (!verifier.feed(chunk)) break;
  }
  arc::Result result = core::sync_wait(verifier.finish(), resolver->pump());

  if (args.has("json")) {
    // Seals that do not parse can carry any bytes in d= or s=; invalid UTF-8 is replaced
    // rather than aborting the report.
    std::puts(json::to_json(result)
                  .dump(2, ' ', false, nlohmann::json::error_handler_t::replace)
                  .c_str());
    return 0;
  }
  print_text(result);
  const std::string fragments[] = {arc::auth_results_fragment(result)};
  print_auth_results(authserv_id(args), fragments);
  return 0;
}

}  // namespace hallmark::cli
