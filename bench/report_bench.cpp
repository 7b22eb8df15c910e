// SPDX-License-Identifier: Apache-2.0
// Aggregate-report parsing in records per second on a 100,000-record report, from XML and
// from gzip, beside the floor: expat parsing the same bytes with no work done in its
// callbacks. Run: build-release/bench/bench_report; report the ratios to the floor.
#include <benchmark/benchmark.h>
#include <expat.h>
#include <zlib.h>

#include "hallmark/report/aggregate.hpp"
#include "report/internal/decompress.hpp"
#include "report_fixture.hpp"

namespace hallmark::bench {
namespace {

constexpr std::size_t records = 100'000;

const std::string& report_xml() {
  static const std::string xml = aggregate_report(records);
  return xml;
}

void count_rate(benchmark::State& state) {
  state.counters["records_per_second"] = benchmark::Counter(
      static_cast<double>(state.iterations() * records), benchmark::Counter::kIsRate);
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * report_xml().size()));
}

void XMLCALL no_start(void*, const XML_Char*, const XML_Char**) {}
void XMLCALL no_end(void*, const XML_Char*) {}
void XMLCALL no_text(void*, const XML_Char*, int) {}

// The floor: expat with namespace processing and handlers that do nothing, as ours has.
void BM_ExpatFloor(benchmark::State& state) {
  const std::string& xml = report_xml();
  for (auto _ : state) {
    XML_Parser parser = XML_ParserCreateNS(nullptr, '\x1F');
    XML_SetElementHandler(parser, no_start, no_end);
    XML_SetCharacterDataHandler(parser, no_text);
    // In one buffer, and in the 256 KB slices the parser feeds it.
    const auto slice = static_cast<std::size_t>(state.range(0));
    for (std::size_t at = 0; at < xml.size(); at += slice) {
      std::size_t length = std::min(slice, xml.size() - at);
      if (XML_Parse(parser, xml.data() + at, static_cast<int>(length), at + length == xml.size()) !=
          XML_STATUS_OK)
        state.SkipWithError("expat failed");
    }
    XML_ParserFree(parser);
  }
  count_rate(state);
}
BENCHMARK(BM_ExpatFloor)->Arg(1 << 30)->Arg(256 << 10)->Unit(benchmark::kMillisecond);

void BM_AggregateStreamed(benchmark::State& state) {
  const std::string& xml = report_xml();
  for (auto _ : state) {
    std::uint64_t seen = 0;
    report::AggregateParser parser([&](const report::Record& record) { seen += record.row.count; });
    if (!parser.feed(xml) || !parser.finish()) state.SkipWithError("parse failed");
    benchmark::DoNotOptimize(seen);
  }
  count_rate(state);
}
BENCHMARK(BM_AggregateStreamed)->Unit(benchmark::kMillisecond);

void BM_AggregateCollected(benchmark::State& state) {
  const std::string& xml = report_xml();
  for (auto _ : state) {
    auto report = report::parse_aggregate_xml(xml);
    if (!report || report->records.size() != records) state.SkipWithError("parse failed");
    benchmark::DoNotOptimize(report);
  }
  count_rate(state);
}
BENCHMARK(BM_AggregateCollected)->Unit(benchmark::kMillisecond);

// From the .xml.gz attachment: inflated chunk by chunk straight into the streaming parser.
void BM_AggregateFromGzip(benchmark::State& state) {
  std::string compressed;
  {
    // zlib through the project's own tests' path would pull test code in; deflate here.
    z_stream stream{};
    deflateInit2(&stream, 6, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY);
    const std::string& xml = report_xml();
    compressed.resize(deflateBound(&stream, xml.size()));
    stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(xml.data()));
    stream.avail_in = static_cast<uInt>(xml.size());
    stream.next_out = reinterpret_cast<Bytef*>(compressed.data());
    stream.avail_out = static_cast<uInt>(compressed.size());
    deflate(&stream, Z_FINISH);
    compressed.resize(stream.total_out);
    deflateEnd(&stream);
  }
  for (auto _ : state) {
    std::uint64_t seen = 0;
    report::AggregateParser parser([&](const report::Record&) { ++seen; });
    auto inflated = report::detail::gunzip(
        compressed, 1ull << 31, [&](std::string_view chunk) { return parser.feed(chunk); });
    if (!inflated || !parser.finish() || seen != records) state.SkipWithError("parse failed");
  }
  count_rate(state);
  state.counters["compressed_bytes"] = static_cast<double>(compressed.size());
}
BENCHMARK(BM_AggregateFromGzip)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace hallmark::bench
