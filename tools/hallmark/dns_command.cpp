// SPDX-License-Identifier: Apache-2.0
// `hallmark dns NAME TYPE`: one lookup through the same resolver stack the protocols use, for
// operators checking what hallmark sees (status name, TTL, records).
#include <cstdio>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "args.hpp"
#include "commands.hpp"
#include "hallmark/core/domain.hpp"
#include "hallmark/dns/resolver.hpp"
#include "resolver_setup.hpp"

namespace hallmark::cli {

const std::string_view dns_usage =
    "usage: hallmark dns NAME TYPE [--zone FILE]... [--server ADDR:PORT]... [--json]\n"
    "  NAME                a domain name; internationalised names are looked up as A-labels\n"
    "  TYPE                A, AAAA, MX, TXT, SPF, PTR, CNAME or NS\n"
    "  --json              print one JSON object\n";

namespace {

nlohmann::json to_json(const dns::Answer& answer) {
  nlohmann::json out = {
      {"name", answer.name},
      {"type", dns::to_string(answer.type)},
      {"status", dns::to_string(answer.status)},
      {"ttl", answer.ttl},
      {"authenticated", answer.authenticated},
      {"cname", answer.cname},
      {"records", dns::record_data(answer)},
  };
  if (!answer.detail.empty()) out["detail"] = answer.detail;
  if (answer.type == dns::Type::txt || answer.type == dns::Type::spf) {
    nlohmann::json texts = nlohmann::json::array();
    for (const dns::Txt& txt : answer.txt) texts.push_back(txt.text());
    out["texts"] = std::move(texts);
  }
  return out;
}

}  // namespace

int run_dns(std::vector<std::string_view> argv) {
  std::set<std::string, std::less<>> valued = resolver_flags();
  Args args(std::move(argv), valued, {"json"});
  if (args.positional().size() != 2) throw UsageError("dns takes a NAME and a TYPE");
  const std::string& name = args.positional()[0];
  std::optional<dns::Type> type = dns::parse_type(args.positional()[1]);
  if (!type) throw UsageError(fmt::format("unknown record type '{}'", args.positional()[1]));
  core::Expected<std::string> query_name = core::to_a_label(name, core::DomainSyntax::dns);
  if (!query_name) throw Failure(query_name.error().message);

  std::unique_ptr<dns::Resolver> resolver = make_resolver(args);
  dns::Answer answer = dns::lookup_sync(*resolver, *query_name, *type);
  if (args.has("json")) {
    std::puts(to_json(answer).dump(2).c_str());
  } else {
    std::fputs(dns::format_answer(answer).c_str(), stdout);
  }
  return 0;
}

}  // namespace hallmark::cli
