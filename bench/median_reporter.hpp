// SPDX-License-Identifier: Apache-2.0
// A console reporter that also keeps one figure of each benchmark run, so a program can print
// ratios between contenders measured in the same run. With --benchmark_repetitions the
// median of the repetitions is what counts.
#pragma once

#include <benchmark/benchmark.h>

#include <algorithm>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace hallmark_bench {

using BenchmarkRun = benchmark::BenchmarkReporter::Run;

/// Evaluations or messages per second of CPU time (SetItemsProcessed).
inline std::optional<double> items_per_second(const BenchmarkRun& run) {
  auto rate = run.counters.find("items_per_second");
  if (rate == run.counters.end()) return std::nullopt;
  return static_cast<double>(rate->second);
}

/// CPU microseconds per iteration: CPU time, as the machine is shared and every contender is
/// single-threaded.
inline std::optional<double> cpu_microseconds(const BenchmarkRun& run) {
  return run.GetAdjustedCPUTime() / benchmark::GetTimeUnitMultiplier(run.time_unit) * 1e6;
}

class MedianReporter : public benchmark::ConsoleReporter {
 public:
  using Metric = std::function<std::optional<double>(const BenchmarkRun&)>;
  explicit MedianReporter(Metric metric)
      : benchmark::ConsoleReporter(OO_Tabular), metric_(std::move(metric)) {}

  void ReportRuns(const std::vector<Run>& runs) override {
    benchmark::ConsoleReporter::ReportRuns(runs);
    for (const Run& run : runs) {
      if (run.error_occurred || run.run_type != Run::RT_Iteration) continue;
      if (std::optional<double> value = metric_(run)) values_[run.run_name.str()].push_back(*value);
    }
  }

  /// The median figure of the benchmark called `name`; nullopt when it did not run.
  std::optional<double> median(const std::string& name) const {
    auto found = values_.find(name);
    if (found == values_.end() || found->second.empty()) return std::nullopt;
    std::vector<double> values = found->second;
    std::sort(values.begin(), values.end());
    std::size_t n = values.size();
    return n % 2 == 1 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2;
  }

 private:
  Metric metric_;
  std::map<std::string, std::vector<double>> values_;
};

}  // namespace hallmark_bench
