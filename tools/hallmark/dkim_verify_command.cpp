// SPDX-License-Identifier: Apache-2.0
// `hallmark dkim-verify`: the verdict on every DKIM-Signature of a message, streamed from a
// file or standard input through dkim::Verifier.
#include <cstdint>
#include <cstdio>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "args.hpp"
#include "auth_results_output.hpp"
#include "commands.hpp"
#include "hallmark/core/sync_wait.hpp"
#include "hallmark/dkim/auth_results.hpp"
#include "hallmark/dkim/verify.hpp"
#include "message_input.hpp"
#include "printable.hpp"
#include "json/result_json.hpp"
#include "resolver_setup.hpp"

namespace hallmark::cli {

const std::string_view dkim_verify_usage =
    "usage: hallmark dkim-verify [--zone FILE]... [--server ADDR:PORT] [--json] [MESSAGE|-]\n"
    "  MESSAGE             the message file; '-' or none reads standard input\n"
    "  --json              print one JSON object: {\"signatures\": [...]}, one entry per\n"
    "                      DKIM-Signature in header order with result, domain, selector,\n"
    "                      algorithm, reason, and detail, auid, testing, key_bits,\n"
    "                      body_length, header_b when known\n"
    "  --allow-sha1        accept rsa-sha1 signatures (RFC 8301 3.1 rejects them)\n"
    "  --min-rsa-bits N    reject RSA keys below N bits (default 1024, RFC 8301 3.2)\n"
    "  --now EPOCH         verify as of this time (seconds since 1970) for t= and x=\n"
    "  --unsigned-body P   a signature whose l= leaves body octets unsigned: neutral\n"
    "                      (default), fail, or accept (pass, with the octets reported)\n"
    "  --authserv-id ID    name this host in Authentication-Results (default: the host name)\n";

namespace {

void print_text(const dkim::Result& r) {
  std::string line =
      fmt::format("{} d={} s={} a={} reason={}", dkim::to_string(r.outcome), printable(r.domain),
                  printable(r.selector), printable(r.algorithm), dkim::to_string(r.reason));
  if (r.testing) line += " testing";
  if (!r.detail.empty()) line += ": " + printable(r.detail);
  fmt::print("{}\n", line);
}

}  // namespace

int run_dkim_verify(std::vector<std::string_view> argv) {
  std::set<std::string, std::less<>> valued = resolver_flags();
  valued.insert({"min-rsa-bits", "now", "unsigned-body", "authserv-id"});
  Args args(std::move(argv), valued, {"json", "allow-sha1"});

  dkim::VerifyOptions options;
  options.allow_sha1 = args.has("allow-sha1");
  if (std::optional<unsigned> bits = args.number("min-rsa-bits")) options.min_rsa_bits = *bits;
  if (std::optional<std::string> policy = args.value("unsigned-body")) {
    if (*policy == "accept") {
      options.unsigned_body = dkim::UnsignedBody::accept;
    } else if (*policy == "fail") {
      options.unsigned_body = dkim::UnsignedBody::fail;
    } else if (*policy != "neutral") {
      throw UsageError("--unsigned-body is neutral, fail or accept");
    }
  }
  if (std::optional<unsigned> now = args.number("now")) {
    std::int64_t pinned = *now;
    options.now = [pinned] { return pinned; };
  }
  MessageInput input(args.positional());
  std::unique_ptr<dns::Resolver> resolver = make_resolver(args);

  dkim::Verifier verifier(*resolver, std::move(options));
  bool first = true;
  for (std::string_view chunk = input.read(); !chunk.empty(); chunk = input.read()) {
    if (first) chunk = skip_mbox_separator(chunk);
    first = false;
    // Only a header section past mail::Limits fails here. The parser ignores everything after
    // it, so the rest is not read; finish() reports the message as a permerror, which is a
    // verdict on a message that was read, hence exit 0 like any other result.
    if (!verifier.feed(chunk)) break;
  }
  std::vector<dkim::Result> results = core::sync_wait(verifier.finish(), resolver->pump());

  if (args.has("json")) {
    nlohmann::json signatures = nlohmann::json::array();
    for (const dkim::Result& r : results) signatures.push_back(json::to_json(r));
    nlohmann::json out = {{"signatures", std::move(signatures)}};
    // A signature that does not parse can carry any bytes in d= or s=; invalid UTF-8 is
    // replaced rather than aborting the report.
    std::puts(out.dump(2, ' ', false, nlohmann::json::error_handler_t::replace).c_str());
    return 0;
  }
  if (results.empty()) fmt::print("none: the message has no DKIM-Signature field\n");
  for (const dkim::Result& r : results) print_text(r);
  print_auth_results(authserv_id(args), dkim::auth_results_fragments(results));
  return 0;
}

}  // namespace hallmark::cli
