// SPDX-License-Identifier: Apache-2.0
// Fuzz target: SMTP TLS report (RFC 8460) JSON parsing under tight limits; a parsed report must
// respect the limits it was parsed with and carry date-times from the years 1970..9999.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "hallmark/report/tls.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size);

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  hallmark::report::TlsLimits limits;
  limits.max_policies = 8;
  limits.max_failure_details = 16;
  limits.max_depth = 16;
  auto report = hallmark::report::parse_tls_report(text, limits);
  if (!report) {
    if (report.error().offset > size) std::abort();
    return 0;
  }
  // 1970-01-01T00:00:00+23:59 .. 9999-12-31T23:59:60-23:59
  constexpr std::int64_t earliest = -(23 * 3600 + 59 * 60);
  constexpr std::int64_t latest = 253402300800 + 23 * 3600 + 59 * 60;
  for (std::int64_t t : {report->start_datetime, report->end_datetime})
    if (t < earliest || t > latest) std::abort();
  if (report->policies.size() > limits.max_policies) std::abort();
  std::size_t details = 0;
  for (const auto& policy : report->policies) details += policy.failure_details.size();
  if (details > limits.max_failure_details) std::abort();
  return 0;
}
