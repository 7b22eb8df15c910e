// SPDX-License-Identifier: Apache-2.0
// A console reporter that also keeps one figure of each benchmark run, so a program can print
// ratios between contenders measured in the same run. With --benchmark_repetitions the
// median of the repetitions is what counts.
#pragma once

#include <benchmark/benchmark.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
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
      for (const auto& [name, counter] : run.counters)
        counters_[run.run_name.str() + "\n" + name] = static_cast<double>(counter);
    }
  }

  /// The user counter `counter` of the benchmark called `name`, from its last run.
  std::optional<double> counter(const std::string& name, const std::string& counter) const {
    auto found = counters_.find(name + "\n" + counter);
    if (found == counters_.end()) return std::nullopt;
    return found->second;
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
  std::map<std::string, double> counters_;  // "name\ncounter"
};

/// A rate for a table column: "123456", or "-" when the benchmark did not run.
inline std::string show_rate(std::optional<double> rate) {
  char text[32] = "-";
  if (rate) std::snprintf(text, sizeof text, "%.0f", *rate);
  return text;
}

/// ours / theirs for a table column: "2.41x", or "-" when either is missing.
inline std::string show_ratio(std::optional<double> ours, std::optional<double> theirs) {
  char text[32] = "-";
  if (ours && theirs && *theirs != 0) std::snprintf(text, sizeof text, "%.2fx", *ours / *theirs);
  return text;
}

/// The main of a side-by-side benchmark: both implementations must agree on every case before
/// anything is timed; then every benchmark runs and the ratio table is printed.
inline int compare_main(int argc, char** argv, const char* peer, bool (*agree)(),
                        void (*register_benchmarks)(),
                        void (*print_ratios)(const MedianReporter&)) {
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return EXIT_FAILURE;
  if (!agree()) {
    std::fprintf(stderr, "hallmark and %s disagree: not timing them\n", peer);
    return EXIT_FAILURE;
  }
  register_benchmarks();
  MedianReporter reporter(items_per_second);
  benchmark::RunSpecifiedBenchmarks(&reporter);
  print_ratios(reporter);
  benchmark::Shutdown();
  return EXIT_SUCCESS;
}

}  // namespace hallmark_bench
