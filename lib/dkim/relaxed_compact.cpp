// SPDX-License-Identifier: Apache-2.0
// The relaxed body compaction for every processor, and with SSE2 (x86-64's baseline).
#include "dkim/internal/relaxed_compact.hpp"

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace hallmark::dkim::detail {
namespace {

struct ClassifyPortable {
  BlockClasses operator()(const char* p) const noexcept {
    BlockClasses m;
    for (unsigned i = 0; i < 64; ++i) {
      std::uint64_t bit = std::uint64_t{1} << i;
      switch (p[i]) {
        case ' ': m.sp |= bit; break;
        case '\t': m.tab |= bit; break;
        case '\r': m.cr |= bit; break;
        case '\n': m.lf |= bit; break;
        default: break;
      }
    }
    return m;
  }
};

#if defined(__SSE2__)
struct ClassifySse2 {
  BlockClasses operator()(const char* p) const noexcept {
    __m128i v[4];
    for (int i = 0; i < 4; ++i)
      v[i] = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + 16 * i));
    auto bits = [&v](char c) {
      const __m128i wanted = _mm_set1_epi8(c);
      std::uint64_t out = 0;
      for (int i = 0; i < 4; ++i)
        out |= std::uint64_t{static_cast<std::uint16_t>(
                   _mm_movemask_epi8(_mm_cmpeq_epi8(v[i], wanted)))}
               << (16 * i);
      return out;
    };
    BlockClasses m;
    m.sp = bits(' ');
    m.tab = bits('\t');
    m.cr = bits('\r');
    m.lf = bits('\n');
    return m;
  }
};
#endif

}  // namespace

Compacted relaxed_compact_portable(const char* p, const char* e, const char* chunk_end,
                                   bool cr_before, char* out) noexcept {
  return relaxed_compact_with(p, e, chunk_end, cr_before, out, ClassifyPortable{});
}

#if defined(__x86_64__) || defined(__i386__)
Compacted relaxed_compact_sse2(const char* p, const char* e, const char* chunk_end, bool cr_before,
                               char* out) noexcept {
#if defined(__SSE2__)
  return relaxed_compact_with(p, e, chunk_end, cr_before, out, ClassifySse2{});
#else
  return relaxed_compact_with(p, e, chunk_end, cr_before, out, ClassifyPortable{});
#endif
}
#endif

}  // namespace hallmark::dkim::detail
