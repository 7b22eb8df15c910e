// SPDX-License-Identifier: Apache-2.0
// Which code the body canonicalizer runs, chosen once per process from the processor's
// features; tests force each in turn so the vector code is checked against the byte-wise rules.
// Layer-private.
#pragma once

namespace hallmark::dkim::detail {

enum class BodyScan {
  reference,  // byte by byte: the rules as RFC 6376 3.4.3 and 3.4.4 state them
  portable,   // 64-byte blocks classified by plain code (what non-x86 processors run)
  sse2,
  avx2,
  // AVX-512 F, BW and VBMI2 for the relaxed compaction; simple keeps the AVX2 change scan, the
  // only one it has for these processors.
  avx512,
};

/// Whether this processor can run `scan`.
bool body_scan_available(BodyScan scan) noexcept;

/// The scan canonicalizers use from now on; `scan` must be available. For tests: not meant to
/// change while a canonicalizer runs.
void force_body_scan(BodyScan scan) noexcept;

/// The scan in use: the fastest available unless forced.
BodyScan body_scan() noexcept;

}  // namespace hallmark::dkim::detail
