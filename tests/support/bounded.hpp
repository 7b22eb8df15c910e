// SPDX-License-Identifier: Apache-2.0
// Hostile-input tests run their case inside bounded(): it must finish within a time bound and,
// outside sanitizers, grow the process' peak memory by less than a bound. Generous bounds:
// they catch quadratic or runaway behaviour, not slow machines.
#pragma once

#include <gtest/gtest.h>
#include <sys/resource.h>

#include <chrono>
#include <string_view>

namespace hallmark::test_support {

#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
inline constexpr bool sanitized = true;
#else
inline constexpr bool sanitized = false;
#endif

// Sanitizers make everything several times slower.
inline constexpr std::chrono::seconds time_bound(sanitized ? 60 : 10);
// Sanitizer shadow memory and quarantine make RSS meaningless there.
inline constexpr long memory_bound_mib = 256;

/// Peak resident memory growth across a scope. ru_maxrss is the process' high-water mark, so
/// the growth seen is an upper bound on what the scope itself added beyond earlier peaks.
class PeakMemory {
 public:
  PeakMemory() : start_(peak_kib()) {}
  long growth_mib() const { return (peak_kib() - start_) / 1024; }

 private:
  static long peak_kib() {
    rusage usage{};
    getrusage(RUSAGE_SELF, &usage);
    return usage.ru_maxrss;
  }
  long start_;
};

template <class Run>
auto bounded(std::string_view what, Run run) {
  PeakMemory memory;
  auto start = std::chrono::steady_clock::now();
  auto result = run();
  auto elapsed = std::chrono::steady_clock::now() - start;
  EXPECT_LT(elapsed, time_bound) << what;
  if (!sanitized) {
    EXPECT_LT(memory.growth_mib(), memory_bound_mib) << what;
  }
  return result;
}

}  // namespace hallmark::test_support
