// SPDX-License-Identifier: Apache-2.0
// Canonicalization (RFC 6376 3.4): header fields (3.4.1 simple, 3.4.2 relaxed) and the
// streaming body canonicalizer (3.4.3, 3.4.4), which passes unchanged stretches of the body on
// as views instead of byte by byte.
#include "hallmark/dkim/canonicalize.hpp"
#include "core/internal/ascii.hpp"

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#endif

namespace hallmark::dkim {
namespace {

using core::detail::is_wsp;

// Bytes the relaxed header loop copies as they are.
bool is_plain(char c) noexcept { return c != ' ' && c != '\t' && c != '\r' && c != '\n'; }

void append_simple(std::string_view raw, std::string& out) {
  // Unchanged, except that bare LF line ends become CRLF and a missing final one is added.
  const std::size_t start = out.size();
  out.reserve(start + raw.size() + 2);
  std::size_t from = 0;
  for (std::size_t lf = raw.find('\n'); lf != std::string_view::npos; lf = raw.find('\n', lf + 1)) {
    if (lf > 0 && raw[lf - 1] == '\r') continue;
    out.append(raw.substr(from, lf - from));
    out += "\r\n";
    from = lf + 1;
  }
  out.append(raw.substr(from));
  std::string_view field(out.data() + start, out.size() - start);
  if (!field.ends_with("\r\n")) out += field.ends_with('\r') ? "\n" : "\r\n";
}

void append_relaxed(std::string_view raw, std::string& out) {
  std::size_t colon = raw.find(':');
  std::string_view name = raw.substr(0, colon);
  while (!name.empty() && is_wsp(name.back())) name.remove_suffix(1);
  for (char c : name) out += (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c;
  out += ':';
  if (colon == std::string_view::npos) {
    out += "\r\n";
    return;
  }
  // Unfold (drop CR and LF), squeeze WSP runs to one SP, drop WSP at both ends of the value.
  bool space = false;
  bool started = false;
  std::string_view value = raw.substr(colon + 1);
  std::size_t i = 0;
  while (i < value.size()) {
    char c = value[i];
    if (c == '\r' || c == '\n') {
      ++i;
      continue;
    }
    if (is_wsp(c)) {
      space = started;
      ++i;
      continue;
    }
    if (space) out += ' ';
    space = false;
    started = true;
    std::size_t plain_end = i + 1;  // copied as one span rather than a byte at a time
    while (plain_end < value.size() && is_plain(value[plain_end])) ++plain_end;
    out.append(value.substr(i, plain_end - i));
    i = plain_end;
  }
  out += "\r\n";
}

// ---- bodies ---------------------------------------------------------------------------------
//
// A body is mostly bytes whose canonical form is themselves: for simple everything but bare LF
// and trailing empty lines; for relaxed also words separated by single spaces. The canonicalizer
// finds the longest such stretch from a content byte and hands it to the sink in one call,
// falling back to the byte-wise rules only at the bytes that change (a squeezed or dropped
// WSP run, a bare LF, a line end the chunk cuts off, empty lines that may be trailing).

// A byte that is line content, i.e. emitted as itself once the state before it is settled.
bool is_content(unsigned char c, bool relaxed) noexcept {
  return c != '\r' && c != '\n' && (!relaxed || (c != ' ' && c != '\t'));
}

// Whether the byte at `p` needs unchanged_run()'s closer look, judged from it and the byte
// after: for simple a CR or LF; for relaxed any byte up to SP except a SP followed by a byte
// above SP (the single space between two words).
bool is_candidate(const char* p, const char* end, bool relaxed) noexcept {
  auto c = static_cast<unsigned char>(*p);
  if (!relaxed) return c == '\r' || c == '\n';
  if (c > ' ') return false;
  return c != ' ' || end - p < 2 || static_cast<unsigned char>(p[1]) <= ' ';
}

#if defined(__x86_64__) || defined(__i386__)
// Vector scans: the first byte from `p` that may change, judged from it, the byte before it
// and the two after it, so a line end (CRLF followed by content) passes without leaving the
// loop. A byte is flagged when it is a bare LF; a CRLF followed by a byte that is not content
// (an empty line, and for relaxed also leading WSP); and for relaxed an HTAB or a SP before a
// byte up to SP. Flags err on the side of a closer look (a control byte after CRLF is content,
// yet flagged). Reads p[-1], so `p` must not be the first byte of the chunk. When it stops for
// want of bytes rather than at a flag, it backs off a CR so the caller sees CRLF whole.
template <bool relaxed>
__attribute__((target("avx2"))) const char* skip_unchanged_avx2(const char* p, const char* end) noexcept {
  using V = __m256i;
  const V cr = _mm256_set1_epi8('\r');
  const V lf = _mm256_set1_epi8('\n');
  const V sp = _mm256_set1_epi8(' ');
  const V tab = _mm256_set1_epi8('\t');
  const char* const start = p;
  while (end - p >= 34) {  // 32 bytes and the two after them
    V here = _mm256_loadu_si256(reinterpret_cast<const V*>(p));
    V before = _mm256_loadu_si256(reinterpret_cast<const V*>(p - 1));
    V next = _mm256_loadu_si256(reinterpret_cast<const V*>(p + 1));
    V after_next = _mm256_loadu_si256(reinterpret_cast<const V*>(p + 2));
    V line_end = _mm256_and_si256(_mm256_cmpeq_epi8(here, cr), _mm256_cmpeq_epi8(next, lf));
    V flagged = _mm256_andnot_si256(_mm256_cmpeq_epi8(before, cr), _mm256_cmpeq_epi8(here, lf));
    if constexpr (relaxed) {
      // Unsigned x <= SP is min(x, SP) == x: there is no unsigned byte compare.
      V next_low = _mm256_cmpeq_epi8(_mm256_min_epu8(next, sp), next);
      V after_next_low = _mm256_cmpeq_epi8(_mm256_min_epu8(after_next, sp), after_next);
      flagged = _mm256_or_si256(flagged, _mm256_cmpeq_epi8(here, tab));
      flagged = _mm256_or_si256(flagged, _mm256_and_si256(_mm256_cmpeq_epi8(here, sp), next_low));
      flagged = _mm256_or_si256(flagged, _mm256_and_si256(line_end, after_next_low));
    } else {
      V after_next_eol = _mm256_or_si256(_mm256_cmpeq_epi8(after_next, cr), _mm256_cmpeq_epi8(after_next, lf));
      flagged = _mm256_or_si256(flagged, _mm256_and_si256(line_end, after_next_eol));
    }
    auto mask = static_cast<unsigned>(_mm256_movemask_epi8(flagged));
    if (mask != 0) return p + __builtin_ctz(mask);
    p += 32;
  }
  if (p > start && p[-1] == '\r') --p;
  return p;
}
#endif

#if defined(__SSE2__)
// The same rules 16 bytes at a time, for processors without AVX2.
template <bool relaxed>
const char* skip_unchanged_sse2(const char* p, const char* end) noexcept {
  using V = __m128i;
  const V cr = _mm_set1_epi8('\r');
  const V lf = _mm_set1_epi8('\n');
  const V sp = _mm_set1_epi8(' ');
  const V tab = _mm_set1_epi8('\t');
  const char* const start = p;
  while (end - p >= 18) {
    V here = _mm_loadu_si128(reinterpret_cast<const V*>(p));
    V before = _mm_loadu_si128(reinterpret_cast<const V*>(p - 1));
    V next = _mm_loadu_si128(reinterpret_cast<const V*>(p + 1));
    V after_next = _mm_loadu_si128(reinterpret_cast<const V*>(p + 2));
    V line_end = _mm_and_si128(_mm_cmpeq_epi8(here, cr), _mm_cmpeq_epi8(next, lf));
    V flagged = _mm_andnot_si128(_mm_cmpeq_epi8(before, cr), _mm_cmpeq_epi8(here, lf));
    if constexpr (relaxed) {
      V next_low = _mm_cmpeq_epi8(_mm_min_epu8(next, sp), next);
      V after_next_low = _mm_cmpeq_epi8(_mm_min_epu8(after_next, sp), after_next);
      flagged = _mm_or_si128(flagged, _mm_cmpeq_epi8(here, tab));
      flagged = _mm_or_si128(flagged, _mm_and_si128(_mm_cmpeq_epi8(here, sp), next_low));
      flagged = _mm_or_si128(flagged, _mm_and_si128(line_end, after_next_low));
    } else {
      V after_next_eol = _mm_or_si128(_mm_cmpeq_epi8(after_next, cr), _mm_cmpeq_epi8(after_next, lf));
      flagged = _mm_or_si128(flagged, _mm_and_si128(line_end, after_next_eol));
    }
    auto mask = static_cast<unsigned>(_mm_movemask_epi8(flagged));
    if (mask != 0) return p + __builtin_ctz(mask);
    p += 16;
  }
  if (p > start && p[-1] == '\r') --p;
  return p;
}
#endif

const char* skip_unchanged(const char* p, const char* end, bool relaxed) noexcept {
#if defined(__x86_64__) || defined(__i386__)
  static const bool avx2 = __builtin_cpu_supports("avx2");
  if (avx2) return relaxed ? skip_unchanged_avx2<true>(p, end) : skip_unchanged_avx2<false>(p, end);
#endif
#if defined(__SSE2__)
  return relaxed ? skip_unchanged_sse2<true>(p, end) : skip_unchanged_sse2<false>(p, end);
#else
  static_cast<void>(end);
  static_cast<void>(relaxed);
  return p;
#endif
}

// The first byte at or after `p` that needs unchanged_run()'s closer look; the bytes before it
// are their own canonical form. `begin` is the chunk's first byte.
const char* next_candidate(const char* begin, const char* p, const char* end, bool relaxed) noexcept {
  if (p == begin) {  // the vector scans read the byte before
    if (p == end || is_candidate(p, end, relaxed)) return p;
    ++p;
  }
  for (p = skip_unchanged(p, end, relaxed); p < end; ++p)
    if (is_candidate(p, end, relaxed)) return p;
  return end;
}

// From `p`, a content byte with nothing pending before it, the end of the longest stretch that
// is its own canonical form and ends with a content byte (so nothing is pending after it
// either). Line ends inside it are CRLFs followed, after any empty lines, by more content.
const char* unchanged_run(const char* begin, const char* p, const char* end, bool relaxed) noexcept {
  for (;;) {
    p = next_candidate(begin, p, end, relaxed);
    if (p == end) return end;
    auto c = static_cast<unsigned char>(*p);
    if (c == '\r') {
      if (end - p < 2) return p;
      if (p[1] != '\n') {  // a CR on its own is content
        ++p;
        continue;
      }
      const char* line = p + 2;
      while (end - line >= 2 && line[0] == '\r' && line[1] == '\n') line += 2;  // empty lines
      if (line < end && is_content(static_cast<unsigned char>(*line), relaxed)) {
        p = line;
        continue;
      }
      // Relaxed keeps a single leading SP before content.
      if (relaxed && end - line >= 2 && line[0] == ' ' &&
          is_content(static_cast<unsigned char>(line[1]), true)) {
        p = line + 1;
        continue;
      }
      return p;  // the chunk ends first, or the next line needs the byte-wise rules
    }
    if (relaxed && c == ' ' && end - p >= 2 && is_content(static_cast<unsigned char>(p[1]), true)) {
      ++p;  // a single SP before a control byte, which is content
      continue;
    }
    if (relaxed && c != ' ' && c != '\t' && c != '\n') {
      ++p;  // control bytes other than HTAB, CR, LF are content
      continue;
    }
    return p;  // bare LF; relaxed: HTAB, a run of WSP, WSP at a line end or chunk end
  }
}

}  // namespace

void BodyCanonicalizer::flush_pending(SinkRef sink) {
  // Empty lines are held back until content shows they were not at the end.
  static constexpr char crlfs[] =
      "\r\n\r\n\r\n\r\n\r\n\r\n\r\n\r\n\r\n\r\n\r\n\r\n\r\n\r\n\r\n\r\n"
      "\r\n\r\n\r\n\r\n\r\n\r\n\r\n\r\n\r\n\r\n\r\n\r\n\r\n\r\n\r\n\r\n";
  while (pending_lines_ > 0) {
    std::uint64_t n = pending_lines_ < 32 ? pending_lines_ : 32;
    sink(crlfs, static_cast<std::size_t>(n * 2));
    pending_lines_ -= n;
  }
  if (pending_space_) {
    sink(" ", 1);
    pending_space_ = false;
  }
}

void BodyCanonicalizer::feed_bytes(std::string_view chunk, SinkRef sink) {
  const char* p = chunk.data();
  const char* const end = p + chunk.size();
  while (p < end) {
    if (pending_cr_) {
      pending_cr_ = false;
      if (*p == '\n') {
        ++p;
        pending_space_ = false;  // relaxed: white space at the end of a line is dropped
        ++pending_lines_;
        continue;
      }
      flush_pending(sink);  // a CR not before LF is content
      sink("\r", 1);
      emitted_ = true;
      continue;
    }
    char c = *p;
    if (c == '\r') {
      pending_cr_ = true;
      ++p;
    } else if (c == '\n') {
      ++p;
      pending_space_ = false;
      ++pending_lines_;
    } else if (relaxed_ && (c == ' ' || c == '\t')) {
      pending_space_ = true;  // relaxed: a run of SP/HTAB becomes one SP, if not trailing
      ++p;
    } else {
      flush_pending(sink);
      const char* run_end = unchanged_run(chunk.data(), p, end, relaxed_);
      sink(p, static_cast<std::size_t>(run_end - p));
      emitted_ = true;
      p = run_end;
    }
  }
}

void BodyCanonicalizer::finish_bytes(SinkRef sink) {
  if (pending_cr_) {
    pending_cr_ = false;
    flush_pending(sink);
    sink("\r", 1);
    emitted_ = true;
  }
  if (!relaxed_ || emitted_) sink("\r\n", 2);
  pending_lines_ = 0;
  pending_space_ = false;
}

void canonicalize_header(std::string_view raw_field, Canonicalization canonicalization,
                         std::string& out) {
  if (canonicalization == Canonicalization::simple) {
    append_simple(raw_field, out);
  } else {
    append_relaxed(raw_field, out);
  }
}

}  // namespace hallmark::dkim
