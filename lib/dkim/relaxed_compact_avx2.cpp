// SPDX-License-Identifier: Apache-2.0
// The relaxed body compaction with AVX2. This file alone is compiled with -mavx2 and runs only
// on processors that have it (lib/dkim/canonicalize.cpp asks); it includes nothing that could
// leave an AVX2 copy of a shared inline function for the linker to pick.
#include <immintrin.h>

#include "dkim/internal/relaxed_compact.hpp"

namespace hallmark::dkim::detail {
namespace {

struct ClassifyAvx2 {
  BlockClasses operator()(const char* p) const noexcept {
    const __m256i a = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p));
    const __m256i b = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p + 32));
    auto bits = [&a, &b](char c) {
      const __m256i wanted = _mm256_set1_epi8(c);
      return std::uint64_t{
                 static_cast<std::uint32_t>(_mm256_movemask_epi8(_mm256_cmpeq_epi8(a, wanted)))} |
             (std::uint64_t{
                  static_cast<std::uint32_t>(_mm256_movemask_epi8(_mm256_cmpeq_epi8(b, wanted)))}
              << 32);
    };
    BlockClasses m;
    m.sp = bits(' ');
    m.tab = bits('\t');
    m.cr = bits('\r');
    m.lf = bits('\n');
    return m;
  }
};

}  // namespace

Compacted relaxed_compact_avx2(const char* p, const char* e, const char* chunk_end, bool cr_before,
                               char* out) noexcept {
  return relaxed_compact_with(p, e, chunk_end, cr_before, out, ClassifyAvx2{});
}

}  // namespace hallmark::dkim::detail
