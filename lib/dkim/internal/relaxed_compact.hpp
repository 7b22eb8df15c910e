// SPDX-License-Identifier: Apache-2.0
// Relaxed body canonicalization (RFC 6376 3.4.4) of the settled part of a chunk, 64 bytes at a
// time, written out compacted: a WSP run keeps one byte (made SP) unless a line end follows it,
// everything else stays. Each byte's fate depends only on it and the two bytes after it, so the
// caller may stop and resume anywhere; what needs more context (a bare LF, which grows into
// CRLF, and whatever may turn out to be trailing at the chunk's end) is left to the caller's
// byte-wise rules. Layer-private.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>

namespace hallmark::dkim::detail {

/// Where relaxed_compact_*() stopped and where its output ends.
struct Compacted {
  const char* stop = nullptr;
  char* out = nullptr;
};

/// Writes the canonical form of [p, e) to `out` and returns {e, end of output}, or stops early
/// at the first bare LF. Bytes up to chunk_end (>= e) are read for lookahead; the last byte of
/// the chunk's settled part must be line content, so that no byte before e depends on bytes
/// past chunk_end. Needs room for (e - p) + compact_slack bytes at `out`. `cr_before`: whether
/// the byte before p is a CR.
inline constexpr std::size_t compact_slack = 128;

Compacted relaxed_compact_portable(const char* p, const char* e, const char* chunk_end,
                                   bool cr_before, char* out) noexcept;
#if defined(__x86_64__) || defined(__i386__)
Compacted relaxed_compact_sse2(const char* p, const char* e, const char* chunk_end, bool cr_before,
                               char* out) noexcept;
// Compiled with -mavx2: call only when the processor has AVX2.
Compacted relaxed_compact_avx2(const char* p, const char* e, const char* chunk_end, bool cr_before,
                               char* out) noexcept;
#if defined(HALLMARK_DKIM_AVX512)
// Compiled with -mavx512f -mavx512bw -mavx512vbmi2 -mpopcnt: call only when the processor (and
// the operating system, for the zmm registers) has all of them. Built only where the compiler
// can; lib/dkim/CMakeLists.txt defines HALLMARK_DKIM_AVX512 then.
Compacted relaxed_compact_avx512(const char* p, const char* e, const char* chunk_end,
                                 bool cr_before, char* out) noexcept;
#endif
#endif

// ---- the kernel, shared by the instruction sets ---------------------------------------------
//
// Instantiated once per source file with that file's classifier, a type local to it, so each
// instantiation is the file's own and compiled for its instruction set. Only builtins inside:
// an inline library function would be emitted by the AVX2 file too, and the linker may keep
// that copy for everyone.
//
// A copy policy (CopyStretches below) says two things besides how it copies: test_unchanged,
// whether a block with nothing to drop or rewrite is worth a test and a plain copy; and
// replaces_tabs, whether it writes kept HTABs as SP itself. A copy that moves the bytes through
// a vector register can swap them on the way for one instruction, which is cheaper than
// compact_block()'s fix-up loop, a store per kept HTAB.

/// One bit per byte of a 64-byte block.
struct BlockClasses {
  // compact_block() looks at SP and HTAB apart only to fix up HTABs after the copy; for a copy
  // that replaces them itself, a classifier may put every WSP in `sp` and leave `tab` empty.
  std::uint64_t sp = 0;
  std::uint64_t tab = 0;
  std::uint64_t cr = 0;
  std::uint64_t lf = 0;
};

/// Copies the bytes of the 64 at `base` whose bits are set in `keep` to `out`, in order; may
/// write up to 64 bytes past the last; returns the end of what it kept. Stretch by stretch,
/// each copied 64 bytes at a time over the tail of the one before: for processors without a
/// byte shuffle.
struct CopyStretches {
  static constexpr bool test_unchanged = true;  // a block with nothing to drop is one copy
  static constexpr bool replaces_tabs = false;  // compact_block() makes kept HTABs SP after it
  char* operator()(const char* base, std::uint64_t keep, char* out) const noexcept {
    for (std::uint64_t k = keep; k != 0;) {
      unsigned start = static_cast<unsigned>(__builtin_ctzll(k));
      std::uint64_t rest = ~(k >> start);
      unsigned length = rest == 0 ? 64 - start : static_cast<unsigned>(__builtin_ctzll(rest));
      __builtin_memcpy(out, base + start, 64);
      out += length;
      k = start + length >= 64 ? 0 : k & (~std::uint64_t{0} << (start + length));
    }
    return out;
  }
};

/// Compacts one block; `limit` masks the bytes that are the caller's. Returns the bits of the
/// bare LFs under `limit` (the block stops before the first).
template <class Copy>
__attribute__((always_inline)) inline std::uint64_t compact_block(
    const char* base, const BlockClasses& here, const BlockClasses& next, bool cr_before,
    std::uint64_t limit, char*& out, Copy copy) noexcept {
  auto ahead = [](std::uint64_t now, std::uint64_t later, unsigned by) {
    return (now >> by) | (later << (64 - by));
  };
  std::uint64_t bare_lf = here.lf & ~((here.cr << 1) | std::uint64_t{cr_before}) & limit;
  if (bare_lf != 0) limit &= (std::uint64_t{1} << __builtin_ctzll(bare_lf)) - 1;
  std::uint64_t ws = here.sp | here.tab;
  std::uint64_t lf1 = ahead(here.lf, next.lf, 1);
  std::uint64_t line_end_next = lf1 | (ahead(here.cr, next.cr, 1) & ahead(here.lf, next.lf, 2));
  // Of a WSP run, its last byte stands for it (any byte would do: it becomes SP), unless a line
  // end follows: then the run is trailing and goes whole.
  std::uint64_t drop = ws & (ahead(ws, next.sp | next.tab, 1) | line_end_next);
  std::uint64_t keep = ~drop & limit;
  std::uint64_t tabs = here.tab & keep;
  if (Copy::test_unchanged && keep == ~std::uint64_t{0} && tabs == 0) {
    __builtin_memcpy(out, base, 64);
    out += 64;
    return bare_lf;
  }
  char* end = copy(base, keep, out);
  if constexpr (!Copy::replaces_tabs) {
    for (; tabs != 0; tabs &= tabs - 1) {
      std::uint64_t before = (tabs & -tabs) - 1;
      out[__builtin_popcountll(keep & before)] = ' ';
    }
  }
  out = end;
  return bare_lf;
}

template <class Classify, class Copy = CopyStretches>
Compacted relaxed_compact_with(const char* p, const char* e, const char* chunk_end, bool cr_before,
                               char* out, Classify classify, Copy copy = {}) noexcept {
  const char* base = p;
  if (e - base >= 64 && chunk_end - base >= 128) {
    BlockClasses next = classify(base);
    // Each block needs the next one classified: its last bytes' fate depends on it.
    while (e - base >= 64 && chunk_end - base >= 128) {
      BlockClasses here = next;
      next = classify(base + 64);
      std::uint64_t bare_lf =
          compact_block(base, here, next, cr_before, ~std::uint64_t{0}, out, copy);
      if (bare_lf != 0) return {base + __builtin_ctzll(bare_lf), out};
      cr_before = (here.cr >> 63) != 0;
      base += 64;
    }
  }
  if (base == e) return {e, out};
  // The last bytes, fewer than 128, in a padded copy so the blocks can be read whole. Bytes
  // past chunk_end read as content; none of the caller's bytes depends on them.
  char pad[192];
  std::size_t real = static_cast<std::size_t>(chunk_end - base);
  if (real > sizeof pad) real = sizeof pad;
  __builtin_memcpy(pad, base, real);
  for (std::size_t i = real; i < sizeof pad; ++i) pad[i] = 'x';
  std::size_t left = static_cast<std::size_t>(e - base);
  BlockClasses next = classify(pad);
  for (std::size_t at = 0; at < left; at += 64) {
    BlockClasses here = next;
    next = classify(pad + at + 64);
    std::uint64_t limit =
        left - at >= 64 ? ~std::uint64_t{0} : (std::uint64_t{1} << (left - at)) - 1;
    std::uint64_t bare_lf = compact_block(pad + at, here, next, cr_before, limit, out, copy);
    if (bare_lf != 0) return {base + at + __builtin_ctzll(bare_lf), out};
    cr_before = (here.cr >> 63) != 0;
  }
  return {e, out};
}

}  // namespace hallmark::dkim::detail
