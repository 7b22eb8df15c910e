// SPDX-License-Identifier: Apache-2.0
// Fuzz target: the streaming aggregate-report parser. The input is fed whole and again in
// chunks whose sizes the first byte picks; both ways must agree on success and on the counts.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "hallmark/report/aggregate.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size);

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  std::size_t chunk = data[0] % 61 + 1;
  std::string_view xml(reinterpret_cast<const char*>(data + 1), size - 1);
  hallmark::report::AggregateLimits limits;
  limits.max_records = 1000;
  auto whole = hallmark::report::parse_aggregate_xml(xml, limits);

  std::uint64_t streamed = 0;
  hallmark::report::AggregateParser parser([&](const hallmark::report::Record&) { ++streamed; },
                                           limits);
  bool fed = true;
  for (std::size_t at = 0; at < xml.size() && fed; at += chunk)
    fed = parser.feed(xml.substr(at, chunk)).has_value();
  auto report = fed ? parser.finish() : hallmark::report::AggregateParser(nullptr).finish();
  bool chunked_ok = fed && report.has_value();
  if (chunked_ok != whole.has_value()) std::abort();
  if (whole && (report->record_count != whole->record_count || streamed != whole->records.size() ||
                report->message_count != whole->message_count))
    std::abort();
  return 0;
}
