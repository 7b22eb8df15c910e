// SPDX-License-Identifier: Apache-2.0
// The DNS side of the benchmark fixtures: a zone parsed from master-file text, and one
// CachingResolver over it for the whole program, as an MTA keeps one.
#pragma once

#include <cstdio>
#include <cstdlib>
#include <set>
#include <string>
#include <string_view>
#include <utility>

#include "hallmark/dns/caching_resolver.hpp"
#include "hallmark/dns/zone_resolver.hpp"

namespace hallmark_bench {

// A broken fixture would make every figure meaningless, so it stops the program.
inline hallmark::dns::ZoneResolver parse_fixture_zone(std::string_view text,
                                                      std::string_view source) {
  auto zone = hallmark::dns::ZoneResolver::from_text(text, source);
  if (!zone) {
    std::fprintf(stderr, "%.*s: %s\n", static_cast<int>(source.size()), source.data(),
                 zone.error().message.c_str());
    std::abort();
  }
  return std::move(*zone);
}

/// The owner names of a fixture, for peers that must be told every name: the first word of
/// each record line, without its final dot. The fixtures write every owner name in full, one
/// record a line, for this.
inline std::set<std::string> fixture_owner_names(std::string_view text) {
  std::set<std::string> names;
  while (!text.empty()) {
    std::size_t end = text.find('\n');
    std::string_view line = text.substr(0, end);
    text = end == std::string_view::npos ? std::string_view() : text.substr(end + 1);
    if (line.empty() || line.front() == '$' || line.front() == ';' || line.front() == ' ') continue;
    std::string_view name = line.substr(0, line.find_first_of(" \t"));
    if (name.ends_with('.')) name.remove_suffix(1);
    names.emplace(name);
  }
  return names;
}

/// A fixture zone and a cache in front of it: after the first evaluation of a case every
/// lookup through `cache` is a hit. Neither moves, since the cache holds on to the zone.
struct FixtureDns {
  FixtureDns(std::string_view text, std::string_view source)
      : zone(parse_fixture_zone(text, source)), cache(zone) {}
  FixtureDns(const FixtureDns&) = delete;
  FixtureDns& operator=(const FixtureDns&) = delete;

  hallmark::dns::ZoneResolver zone;
  hallmark::dns::CachingResolver cache;
};

}  // namespace hallmark_bench
