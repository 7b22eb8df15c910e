// SPDX-License-Identifier: Apache-2.0
// Peak memory of the streaming aggregate-report parser on reports of 1,000, 100,000 and
// 1,000,000 records, each generated as it is fed (bench/report_fixture.hpp) in 64 KB chunks
// and never held whole, so the high-water mark's growth is the parser's own. Prints the
// figures; exits non-zero when the growth at a million records passes 4 MB or a count is wrong.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <optional>
#include <string>
#include <string_view>

#include "hallmark/report/aggregate.hpp"
#include "report_fixture.hpp"

namespace {

using namespace hallmark;

constexpr std::size_t chunk_size = 64 << 10;
constexpr std::int64_t limit_kib = 4 << 10;

std::optional<std::int64_t> status_kib(std::string_view field) {
  std::ifstream in("/proc/self/status");
  std::string line;
  while (std::getline(in, line))
    if (line.starts_with(field) && line.size() > field.size() && line[field.size()] == ':')
      return std::strtoll(line.c_str() + field.size() + 1, nullptr, 10);
  return std::nullopt;
}

// Linux 4.0+: sets the high-water mark back to the current RSS (see dkim_memory.cpp).
void reset_high_water_mark() {
  std::ofstream out("/proc/self/clear_refs");
  out << "5";
}

// Parses a generated report of `records` records; returns the growth of the high-water mark
// in KiB, or exits when the parser's counts are wrong.
std::int64_t measure(std::size_t records) {
  std::int64_t before = status_kib("VmRSS").value_or(0);
  reset_high_water_mark();
  std::uint64_t seen = 0;
  report::AggregateParser parser([&](const report::Record&) { ++seen; });
  std::string pending = bench::aggregate_report_head();
  for (std::size_t i = 0; i <= records; ++i) {
    pending += i < records ? bench::aggregate_record(i) : bench::aggregate_report_tail();
    if (pending.size() >= chunk_size || i == records) {
      if (!parser.feed(pending)) {
        std::fprintf(stderr, "report_memory: the parser refused the report\n");
        std::exit(EXIT_FAILURE);
      }
      pending.clear();
    }
  }
  auto report = parser.finish();
  if (!report || seen != records || report->record_count != records) {
    std::fprintf(stderr, "report_memory: %zu records fed, %llu seen\n", records,
                 static_cast<unsigned long long>(seen));
    std::exit(EXIT_FAILURE);
  }
  return status_kib("VmHWM").value_or(0) - before;
}

}  // namespace

int main() {
  measure(1000);  // warm-up: the allocator's and expat's first arenas
  std::int64_t growth_at_million = 0;
  for (std::size_t records : {1'000u, 100'000u, 1'000'000u}) {
    std::int64_t growth = measure(records);
    std::printf("%9zu records: peak RSS growth %lld KiB\n", records,
                static_cast<long long>(growth));
    growth_at_million = growth;
  }
  return growth_at_million < limit_kib ? EXIT_SUCCESS : EXIT_FAILURE;
}
