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

// For each pattern of kept bytes among 8, the shuffle gathering them to the front.
struct ShuffleTable {
  alignas(64) unsigned char shuffle[256][8] = {};
  unsigned char kept[256] = {};
  constexpr ShuffleTable() {
    for (unsigned mask = 0; mask < 256; ++mask) {
      unsigned n = 0;
      for (unsigned i = 0; i < 8; ++i)
        if ((mask >> i) & 1) shuffle[mask][n++] = static_cast<unsigned char>(i);
      kept[mask] = static_cast<unsigned char>(n);
    }
  }
};
constexpr ShuffleTable table;

// Without a branch per stretch (real mail has several per block, in no pattern a predictor
// learns): 8 bytes at a time through a byte shuffle.
struct CopyShuffled {
  // Blocks with and without changes alternate in no pattern either: no test, as it would
  // mispredict more often than shuffling a whole block costs.
  static constexpr bool test_unchanged = false;
  static constexpr bool replaces_tabs = false;
  char* operator()(const char* base, std::uint64_t keep, char* out) const noexcept {
    for (unsigned i = 0; i < 8; ++i) {
      unsigned mask = static_cast<unsigned>(keep >> (8 * i)) & 0xff;
      __m128i bytes = _mm_loadl_epi64(reinterpret_cast<const __m128i*>(base + 8 * i));
      __m128i order = _mm_loadl_epi64(reinterpret_cast<const __m128i*>(table.shuffle[mask]));
      _mm_storel_epi64(reinterpret_cast<__m128i*>(out), _mm_shuffle_epi8(bytes, order));
      out += table.kept[mask];
    }
    return out;
  }
};

}  // namespace

Compacted relaxed_compact_avx2(const char* p, const char* e, const char* chunk_end, bool cr_before,
                               char* out) noexcept {
  return relaxed_compact_with(p, e, chunk_end, cr_before, out, ClassifyAvx2{}, CopyShuffled{});
}

}  // namespace hallmark::dkim::detail
