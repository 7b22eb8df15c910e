// SPDX-License-Identifier: Apache-2.0
// Builds the resolver a verb uses from --zone / --server / --timeout.
#include "resolver_setup.hpp"

#include <chrono>

#include <fmt/format.h>

#include "hallmark/dns/cares_resolver.hpp"
#include "hallmark/dns/zone_resolver.hpp"

namespace hallmark::cli {

std::set<std::string, std::less<>> resolver_flags() { return {"zone", "server", "timeout"}; }

std::string_view resolver_usage() {
  return "  --zone FILE         answer DNS from a zone fixture (repeatable; offline)\n"
         "  --server ADDR:PORT  query this DNS server (repeatable) instead of the system's\n"
         "  --timeout MS        time to wait for one try at one server (default 2000)\n";
}

std::unique_ptr<dns::Resolver> make_resolver(const Args& args) {
  std::vector<std::string> zones = args.values("zone");
  if (!zones.empty()) {
    if (args.has("server")) throw UsageError("--zone and --server cannot be combined");
    auto zone = std::make_unique<dns::ZoneResolver>();
    for (const std::string& file : zones) {
      core::Expected<void> loaded = zone->load_file(file);
      if (!loaded) throw Failure(loaded.error().message);
    }
    return zone;
  }
  dns::CaresOptions options;
  options.servers = args.values("server");
  if (std::optional<unsigned> timeout = args.number("timeout"))
    options.timeout = std::chrono::milliseconds(*timeout);
  core::Expected<std::unique_ptr<dns::CaresResolver>> resolver =
      dns::CaresResolver::create(std::move(options));
  if (!resolver) throw Failure(resolver.error().message);
  return std::move(*resolver);
}

}  // namespace hallmark::cli
