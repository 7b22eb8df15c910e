// SPDX-License-Identifier: Apache-2.0
// The relaxed body compaction with AVX-512 (F, BW, VBMI2). This file alone is compiled for
// those, and runs only where the processor and the operating system support them
// (lib/dkim/canonicalize.cpp asks); like the AVX2 file it includes nothing that could leave an
// AVX-512 copy of a shared inline function for the linker to pick.
#include <immintrin.h>

#include "dkim/internal/relaxed_compact.hpp"

namespace hallmark::dkim::detail {
namespace {

// A byte compare into a mask register gives one bit per byte directly, without the AVX2
// file's movemask and the joining of two halves. SP and HTAB share `sp`, as CopyCompressed
// finds the HTABs itself (relaxed_compact.hpp, BlockClasses): one mask fewer to carry through
// the block's arithmetic, about a tenth of the kernel's time here.
struct ClassifyAvx512 {
  BlockClasses operator()(const char* p) const noexcept {
    const __m512i v = _mm512_loadu_si512(p);
    BlockClasses m;
    m.sp = _mm512_cmpeq_epi8_mask(v, _mm512_set1_epi8(' ')) |
           _mm512_cmpeq_epi8_mask(v, _mm512_set1_epi8('\t'));
    m.cr = _mm512_cmpeq_epi8_mask(v, _mm512_set1_epi8('\r'));
    m.lf = _mm512_cmpeq_epi8_mask(v, _mm512_set1_epi8('\n'));
    return m;
  }
};

// VBMI2's byte compress gathers a whole block's kept bytes in one instruction, where AVX2
// needs eight 8-byte shuffles and table look-ups. The register form and then a plain store:
// the form that compresses straight to memory runs many times slower on Zen 4. Every
// HTAB of the block becomes SP on the way; the ones dropped are not stored anyway.
struct CopyCompressed {
  // Always the same few instructions, whatever the block holds: nothing to gain from a test.
  static constexpr bool test_unchanged = false;
  static constexpr bool replaces_tabs = true;
  char* operator()(const char* base, std::uint64_t keep, char* out) const noexcept {
    __m512i bytes = _mm512_loadu_si512(base);
    const __mmask64 tabs = _mm512_cmpeq_epi8_mask(bytes, _mm512_set1_epi8('\t'));
    bytes = _mm512_mask_mov_epi8(bytes, tabs, _mm512_set1_epi8(' '));
    _mm512_storeu_si512(out, _mm512_maskz_compress_epi8(keep, bytes));
    return out + __builtin_popcountll(keep);  // one instruction, with -mpopcnt
  }
};

}  // namespace

Compacted relaxed_compact_avx512(const char* p, const char* e, const char* chunk_end,
                                 bool cr_before, char* out) noexcept {
  return relaxed_compact_with(p, e, chunk_end, cr_before, out, ClassifyAvx512{}, CopyCompressed{});
}

}  // namespace hallmark::dkim::detail
