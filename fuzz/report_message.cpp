// SPDX-License-Identifier: Apache-2.0
// Fuzz target: finding reports in arbitrary input (MIME e-mails, gzip, zip, XML, JSON), then
// rendering what was found as the CLI's JSON and bulk documents.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "hallmark/report/parse.hpp"
#include "json/report_json.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size);

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  hallmark::report::ParseLimits limits;
  limits.max_decompressed_bytes = 4 * 1024 * 1024;
  hallmark::report::ParseOutcome outcome = hallmark::report::parse_reports(input, limits);
  for (const hallmark::report::Report& report : outcome.reports) {
    auto rendered = hallmark::json::to_json(report);
    (void)rendered.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
    if (hallmark::json::bulk_documents(report).empty() &&
        hallmark::report::kind_of(report) == hallmark::report::ReportKind::dmarc_failure)
      std::abort();  // a failure report is always one document
  }
  for (const hallmark::report::PartError& error : outcome.errors)
    if (error.error.message.empty() || error.part.empty()) std::abort();
  return 0;
}
