// SPDX-License-Identifier: Apache-2.0
// Counts the process's C++ heap allocations, so a benchmark can report how many one operation
// makes ("allocations per evaluation"). allocation_counter.cpp replaces the global operator new
// and delete of the benchmarks linked with it (bench/CMakeLists.txt). Allocations made with
// malloc directly (OpenSSL's, c-ares') are not counted.
#pragma once

#include <cstdint>

namespace hallmark_bench {

/// C++ heap allocations so far on the calling thread; take the difference around the code
/// measured.
std::uint64_t allocations_so_far() noexcept;

}  // namespace hallmark_bench
