// SPDX-License-Identifier: Apache-2.0
// The trend page of `hallmark report html`: one self-contained HTML document (inline CSS and
// SVG, no script, nothing fetched from the network) drawn from the report store.
#pragma once

#include <cstdint>
#include <string>

#include "hallmark/report/store.hpp"

namespace hallmark::cli {

struct TrendPageOptions {
  std::int64_t now = 0;  // seconds since the epoch; the period ends here
  unsigned days = 30;
  std::string domain;  // empty: every domain in the store
  std::size_t top_sources = 10;
};

/// Per domain: the daily pass rates of SPF, DKIM and DMARC alignment as a chart and a table
/// (green at 95% and above, amber from 80%, red below), the dispositions applied, and the
/// sources failing DMARC most, with country and ASN when the rows were enriched. Throws
/// Failure naming the store's error.
std::string render_trend_page(report::Store& store, const TrendPageOptions& options);

}  // namespace hallmark::cli
