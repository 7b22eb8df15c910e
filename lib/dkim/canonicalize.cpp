// SPDX-License-Identifier: Apache-2.0
// Canonicalization (RFC 6376 3.4): header fields (3.4.1 simple, 3.4.2 relaxed) and the
// streaming body canonicalizer (3.4.3, 3.4.4), which passes unchanged stretches of the body on
// as views instead of byte by byte.
#include "hallmark/dkim/canonicalize.hpp"

#include <atomic>
#include <cstring>

#include "core/internal/ascii.hpp"
#include "dkim/internal/body_scan.hpp"
#include "dkim/internal/relaxed_compact.hpp"

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

// The first byte from `p` that may be a WSP, CR or LF other than a single SP between two bytes
// above SP; bytes it skips are copied as they are. Control bytes stop it too, though relaxed
// canonicalization keeps them: they are rare, and the caller looks closer.
const char* next_header_stop(const char* p, const char* end) noexcept {
#if defined(__SSE2__)
  const __m128i space = _mm_set1_epi8(' ');
  while (end - p >= 17) {  // 16 bytes and the one after them
    __m128i here = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
    __m128i next = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + 1));
    // Unsigned x <= SP is min(x, SP) == x: SSE2 has no unsigned byte compare.
    __m128i low = _mm_cmpeq_epi8(_mm_min_epu8(here, space), here);
    __m128i next_low = _mm_cmpeq_epi8(_mm_min_epu8(next, space), next);
    __m128i lone_space = _mm_andnot_si128(next_low, _mm_cmpeq_epi8(here, space));
    int mask = _mm_movemask_epi8(_mm_andnot_si128(lone_space, low));
    if (mask != 0) return p + __builtin_ctz(static_cast<unsigned>(mask));
    p += 16;
  }
#endif
  for (; p < end; ++p) {
    auto c = static_cast<unsigned char>(*p);
    if (c <= ' ' && (c != ' ' || end - p < 2 || static_cast<unsigned char>(p[1]) <= ' ')) return p;
  }
  return end;
}

void append_relaxed(std::string_view raw, std::string& out) {
  std::size_t colon = raw.find(':');
  std::string_view name = raw.substr(0, colon);
  while (!name.empty() && is_wsp(name.back())) name.remove_suffix(1);
  std::string_view value =
      colon == std::string_view::npos ? std::string_view() : raw.substr(colon + 1);
  // Written through a pointer into room for the longest result, then trimmed, in spans.
  const std::size_t start = out.size();
  out.resize(start + name.size() + value.size() + 3);
  char* w = out.data() + start;
  for (char c : name) *w++ = (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c;
  *w++ = ':';
  // Unfold (drop CR and LF), squeeze WSP runs to one SP, drop WSP at both ends of the value.
  const char* p = value.data();
  const char* const end = p + value.size();
  while (p < end && !is_plain(*p)) ++p;
  while (p < end) {
    const char* run = p;  // starts with a plain byte
    for (;;) {
      p = next_header_stop(p, end);
      if (p == end) break;
      if (is_plain(*p) || (*p == ' ' && end - p >= 2 && is_plain(p[1]))) {
        ++p;
        continue;
      }
      break;
    }
    std::memcpy(w, run, static_cast<std::size_t>(p - run));
    w += p - run;
    bool wsp = false;
    for (; p < end && !is_plain(*p); ++p) wsp = wsp || is_wsp(*p);
    if (wsp && p < end) *w++ = ' ';
  }
  *w++ = '\r';
  *w++ = '\n';
  out.resize(static_cast<std::size_t>(w - out.data()));
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

// The byte classes the vector scan looks at, one bit per byte of a 64-byte block. The scan
// serves simple canonicalization: relaxed has its block compaction (relaxed_compact.hpp), and
// in the byte-wise reference mode no scan at all.
struct ByteMasks {
  std::uint64_t cr = 0;
  std::uint64_t lf = 0;
};

// Bytes of a block that may change, given the block's classes, the next block's (for the up to
// three bytes after a byte that decide it) and whether the byte before the block is a CR. A
// byte is flagged when it is a bare LF, or the CR of a CRLF followed by a byte that is neither
// content nor the CR of another CRLF (an empty line that may be trailing). Line ends followed
// by content, after any empty lines, are not flagged: they pass unchanged.
inline std::uint64_t changed_bytes(const ByteMasks& here, const ByteMasks& next,
                                   bool cr_before) noexcept {
  auto ahead = [](std::uint64_t now, std::uint64_t later, unsigned by) {
    return (now >> by) | (later << (64 - by));
  };
  std::uint64_t bare_lf = here.lf & ~((here.cr << 1) | std::uint64_t{cr_before});
  std::uint64_t line_end = here.cr & ahead(here.lf, next.lf, 1);
  std::uint64_t empty_line_next = ahead(here.cr, next.cr, 2) & ahead(here.lf, next.lf, 3);
  std::uint64_t unsure_line = ahead(here.cr | here.lf, next.cr | next.lf, 2) & ~empty_line_next;
  return bare_lf | (line_end & unsure_line);
}

// Where a scan over one chunk stands: the 64-byte block it stopped in, kept so that resuming a
// few bytes on after an edit does not classify the block again (the flags are facts about the
// bytes, whatever the canonicalizer's state).
struct ScanState {
  const char* begin;
  const char* end;
  const char* base = nullptr;  // the block `flags` describes; null when there is none
  std::uint64_t flags = 0;
  ByteMasks here;
  ByteMasks next;
};

// From `p` (not the chunk's first byte), the first byte that may change, or the point short of
// the chunk's end where the scan leaves the rest to the caller. One of these per instruction
// set, so the classification inlines into the loop.
using Scan = const char* (*)(ScanState& state, const char* p) noexcept;

#if defined(__x86_64__) || defined(__i386__)
__attribute__((target("avx2"))) inline ByteMasks classify_avx2(const char* p) noexcept {
  using V = __m256i;
  V a = _mm256_loadu_si256(reinterpret_cast<const V*>(p));
  V b = _mm256_loadu_si256(reinterpret_cast<const V*>(p + 32));
  auto bits = [](V x, V y) __attribute__((target("avx2"))) {
    return std::uint64_t{static_cast<std::uint32_t>(_mm256_movemask_epi8(x))} |
           (std::uint64_t{static_cast<std::uint32_t>(_mm256_movemask_epi8(y))} << 32);
  };
  const V cr = _mm256_set1_epi8('\r');
  const V lf = _mm256_set1_epi8('\n');
  ByteMasks m;
  m.cr = bits(_mm256_cmpeq_epi8(a, cr), _mm256_cmpeq_epi8(b, cr));
  m.lf = bits(_mm256_cmpeq_epi8(a, lf), _mm256_cmpeq_epi8(b, lf));
  return m;
}

__attribute__((target("avx2"))) const char* scan_avx2(ScanState& s, const char* p) noexcept {
  if (s.base == nullptr || p < s.base || p >= s.base + 64) {
    if (s.end - p < 128 || p == s.begin) return p;
    s.base = p;
    s.here = classify_avx2(p);
    s.next = classify_avx2(p + 64);
    s.flags = changed_bytes(s.here, s.next, p[-1] == '\r');
  }
  std::uint64_t from_p = s.flags & (~std::uint64_t{0} << (p - s.base));
  if (from_p != 0) return s.base + __builtin_ctzll(from_p);
  // In locals while it runs: the loads are char data, which may alias the state.
  const char* base = s.base;
  ByteMasks here = s.here;
  ByteMasks next = s.next;
  while (s.end - base >= 192) {  // the next block and the one after it, for lookahead
    bool cr_before = (here.cr >> 63) != 0;
    base += 64;
    here = next;
    next = classify_avx2(base + 64);
    std::uint64_t flags = changed_bytes(here, next, cr_before);
    if (flags != 0) {
      s.base = base;
      s.flags = flags;
      s.here = here;
      s.next = next;
      return base + __builtin_ctzll(flags);
    }
  }
  s.base = nullptr;
  return base + 64;
}
#endif

#if defined(__SSE2__)
// The same with 16-byte vectors, for processors without AVX2.
inline ByteMasks classify_sse2(const char* p) noexcept {
  using V = __m128i;
  V v[4];
  for (int i = 0; i < 4; ++i) v[i] = _mm_loadu_si128(reinterpret_cast<const V*>(p + 16 * i));
  auto bits = [&v](auto test) {
    std::uint64_t out = 0;
    for (int i = 0; i < 4; ++i)
      out |= std::uint64_t{static_cast<std::uint16_t>(_mm_movemask_epi8(test(v[i])))} << (16 * i);
    return out;
  };
  const V cr = _mm_set1_epi8('\r');
  const V lf = _mm_set1_epi8('\n');
  ByteMasks m;
  m.cr = bits([&](V x) { return _mm_cmpeq_epi8(x, cr); });
  m.lf = bits([&](V x) { return _mm_cmpeq_epi8(x, lf); });
  return m;
}

const char* scan_sse2(ScanState& s, const char* p) noexcept {
  if (s.base == nullptr || p < s.base || p >= s.base + 64) {
    if (s.end - p < 128 || p == s.begin) return p;
    s.base = p;
    s.here = classify_sse2(p);
    s.next = classify_sse2(p + 64);
    s.flags = changed_bytes(s.here, s.next, p[-1] == '\r');
  }
  std::uint64_t from_p = s.flags & (~std::uint64_t{0} << (p - s.base));
  if (from_p != 0) return s.base + __builtin_ctzll(from_p);
  // In locals while it runs: the loads are char data, which may alias the state.
  const char* base = s.base;
  ByteMasks here = s.here;
  ByteMasks next = s.next;
  while (s.end - base >= 192) {
    bool cr_before = (here.cr >> 63) != 0;
    base += 64;
    here = next;
    next = classify_sse2(base + 64);
    std::uint64_t flags = changed_bytes(here, next, cr_before);
    if (flags != 0) {
      s.base = base;
      s.flags = flags;
      s.here = here;
      s.next = next;
      return base + __builtin_ctzll(flags);
    }
  }
  s.base = nullptr;
  return base + 64;
}
#endif

const char* scan_none(ScanState& /*state*/, const char* p) noexcept { return p; }

detail::BodyScan fastest_body_scan() noexcept {
#if defined(__x86_64__) || defined(__i386__)
  if (detail::body_scan_available(detail::BodyScan::avx512)) return detail::BodyScan::avx512;
  if (__builtin_cpu_supports("avx2")) return detail::BodyScan::avx2;
#endif
#if defined(__SSE2__)
  return detail::BodyScan::sse2;
#else
  return detail::BodyScan::portable;
#endif
}

std::atomic<detail::BodyScan>& chosen_body_scan() noexcept {
  static std::atomic<detail::BodyScan> scan{fastest_body_scan()};
  return scan;
}

// Relaxed comes here only in the byte-wise reference mode, which has no scan.
Scan pick_scan(bool relaxed) noexcept {
  if (relaxed) return &scan_none;
  switch (detail::body_scan()) {
    case detail::BodyScan::reference:
    case detail::BodyScan::portable: return &scan_none;
#if defined(__x86_64__) || defined(__i386__)
    case detail::BodyScan::avx512:  // available only with AVX2 too (body_scan_available())
    case detail::BodyScan::avx2: return &scan_avx2;
#endif
#if defined(__SSE2__)
    case detail::BodyScan::sse2: return &scan_sse2;
#endif
    default: return &scan_none;
  }
}

// Finds, 64 bytes at a time over one chunk, the bytes that may change (changed_bytes()).
class ChangeScanner {
 public:
  ChangeScanner(const char* begin, const char* end, bool relaxed) noexcept
      : state_{begin, end, nullptr, 0, {}, {}}, scan_(pick_scan(relaxed)) {}

  // From `p` (not the chunk's first byte), the first byte that may change, or the point short
  // of the chunk's end where the scan leaves the rest to the caller; the bytes before it are
  // their own canonical form. A stop after CRs and CRLFs moves back before them, so the
  // caller sees each line end and the empty lines before a stop whole.
  const char* skip_unchanged(const char* p) noexcept {
    const char* stop = scan_(state_, p);
    if (stop > p && stop[-1] == '\r') --stop;
    while (stop - p >= 2 && stop[-2] == '\r' && stop[-1] == '\n') stop -= 2;
    return stop;
  }

 private:
  ScanState state_;
  Scan scan_;
};

// The first byte at or after `p` that needs unchanged_run()'s closer look; the bytes before it
// are their own canonical form.
const char* next_candidate(ChangeScanner& scanner, const char* begin, const char* p,
                           const char* end, bool relaxed) noexcept {
  if (p == begin) {  // the vector scan reads the byte before
    if (p == end || is_candidate(p, end, relaxed)) return p;
    ++p;
  }
  for (p = scanner.skip_unchanged(p); p < end; ++p)
    if (is_candidate(p, end, relaxed)) return p;
  return end;
}

// A stretch of the chunk that is its own canonical form, and where canonicalization goes on.
struct Run {
  const char* end;
  const char* resume;  // `end`, or past a WSP run whose squeezed SP ends the stretch
};

// From `p`, a content byte with nothing pending before it, the longest stretch that is its own
// canonical form and ends with a content byte (so nothing is pending after it either), or with
// the first SP of a WSP run between words, the rest of which is then skipped. Line ends inside
// it are CRLFs followed, after any empty lines, by more content.
Run unchanged_run(ChangeScanner& scanner, const char* begin, const char* p, const char* end,
                  bool relaxed) noexcept {
  for (;;) {
    p = next_candidate(scanner, begin, p, end, relaxed);
    if (p == end) return {end, end};
    auto c = static_cast<unsigned char>(*p);
    if (c == '\r') {
      if (end - p < 2) return {p, p};
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
      return {p, p};  // the chunk ends first, or the next line needs the byte-wise rules
    }
    if (relaxed && c == ' ') {
      const char* word = p + 1;
      while (word < end && (*word == ' ' || *word == '\t')) ++word;
      if (word == p + 1 && word < end && is_content(static_cast<unsigned char>(*word), true)) {
        ++p;  // a single SP before a control byte, which is content
        continue;
      }
      // RFC 6376 3.4.4: a WSP run between words becomes one SP, here its own first byte.
      if (word < end && is_content(static_cast<unsigned char>(*word), true)) return {p + 1, word};
      return {p, p};
    }
    if (relaxed && c != ' ' && c != '\t' && c != '\n') {
      ++p;  // control bytes other than HTAB, CR, LF are content
      continue;
    }
    return {p, p};  // bare LF; relaxed: HTAB, WSP at a line end or at the chunk's end
  }
}

using Compact = detail::Compacted (*)(const char*, const char*, const char*, bool, char*) noexcept;

Compact pick_compact() noexcept {
  switch (detail::body_scan()) {
#if defined(__x86_64__) || defined(__i386__)
#if defined(HALLMARK_DKIM_AVX512)
    case detail::BodyScan::avx512: return &detail::relaxed_compact_avx512;
#endif
    case detail::BodyScan::avx2: return &detail::relaxed_compact_avx2;
    case detail::BodyScan::sse2: return &detail::relaxed_compact_sse2;
#endif
    default: return &detail::relaxed_compact_portable;
  }
}

// Canonical output gathered on its way to the sink, so the digests are updated with large
// blocks: an update costs about as much as hashing a hundred bytes.
template <class Sink>
class Staging {
 public:
  static constexpr std::size_t capacity = 16 * 1024;

  explicit Staging(Sink& sink) noexcept : sink_(sink) {}
  Staging(const Staging&) = delete;
  Staging& operator=(const Staging&) = delete;
  ~Staging() { flush(); }

  void put(const char* data, std::size_t size) {
    if (size > capacity - size_) {
      flush();
      if (size >= capacity) return sink_(data, size);
    }
    std::memcpy(bytes_ + size_, data, size);
    size_ += size;
  }
  void flush() {
    if (size_ != 0) sink_(bytes_, size_);
    size_ = 0;
  }
  /// Room for writing directly, at least `at_least` bytes, with detail::compact_slack more.
  std::size_t room(std::size_t at_least) {
    if (capacity - size_ < at_least) flush();
    return capacity - size_;
  }
  char* end() noexcept { return bytes_ + size_; }
  void wrote_to(char* end) noexcept { size_ = static_cast<std::size_t>(end - bytes_); }

 private:
  Sink& sink_;
  std::size_t size_ = 0;
  char bytes_[capacity + detail::compact_slack];
};

bool is_wsp_or_line_end(char c) noexcept { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

}  // namespace

namespace detail {

bool body_scan_available(BodyScan scan) noexcept {
  switch (scan) {
    case BodyScan::reference:
    case BodyScan::portable: return true;
#if defined(__SSE2__)
    case BodyScan::sse2: return true;
#endif
#if defined(__x86_64__) || defined(__i386__)
    case BodyScan::avx2: return __builtin_cpu_supports("avx2");
#endif
#if defined(HALLMARK_DKIM_AVX512)
    // Every feature the kernel is compiled for, and AVX2 for simple's scan (pick_scan()). The
    // answers cover the operating system too: libgcc (GCC 12's, as its disassembly shows) and
    // compiler-rt off Apple report no AVX-512 feature unless XCR0 says the OS saves the opmask
    // and all zmm state (bits 5 to 7).
    case BodyScan::avx512:
      return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
             __builtin_cpu_supports("avx512vbmi2") && __builtin_cpu_supports("popcnt") &&
             __builtin_cpu_supports("avx2");
#endif
    default: return false;
  }
}

void force_body_scan(BodyScan scan) noexcept {
  chosen_body_scan().store(scan, std::memory_order_relaxed);
}

BodyScan body_scan() noexcept { return chosen_body_scan().load(std::memory_order_relaxed); }

}  // namespace detail

// The relaxed body in two gears: the block compaction over the stretches where no state is
// pending, and the byte-wise rules for the rest (a bare LF, the chunk's end, which may be
// trailing white space or empty lines, and whatever follows either until the next content).
void BodyCanonicalizer::feed_relaxed(std::string_view chunk, SinkRef sink) {
  const char* p = chunk.data();
  const char* const end = p + chunk.size();
  // Past the chunk's last content byte, nothing is settled until the next chunk or the end.
  const char* settled = end;
  while (settled > p && is_wsp_or_line_end(settled[-1])) --settled;
  const Compact compact = pick_compact();
  Staging<SinkRef> out(sink);
  auto put = [&out](const char* data, std::size_t size) { out.put(data, size); };
  while (p < end) {
    if (p < settled && !pending_cr_ && !pending_space_ && pending_lines_ == 0) {
      std::size_t room = out.room(4096);
      const char* stop = static_cast<std::size_t>(settled - p) > room ? p + room : settled;
      bool cr_before = p > chunk.data() && p[-1] == '\r';
      detail::Compacted done = compact(p, stop, end, cr_before, out.end());
      if (done.out != out.end()) emitted_ = true;
      out.wrote_to(done.out);
      p = done.stop;
      if (p == stop) continue;  // else at a bare LF, for the byte-wise rules
    }
    if (pending_cr_) {
      pending_cr_ = false;
      if (*p == '\n') {
        ++p;
        pending_space_ = false;
        ++pending_lines_;
        continue;
      }
      flush_pending(SinkRef(put));  // a CR not before LF is content
      out.put("\r", 1);
      emitted_ = true;
      continue;
    }
    char c = *p++;
    if (c == '\r') {
      pending_cr_ = true;
    } else if (c == '\n') {
      pending_space_ = false;  // white space at the end of a line is dropped
      ++pending_lines_;
    } else if (c == ' ' || c == '\t') {
      pending_space_ = true;  // a run of SP/HTAB becomes one SP, if not trailing
    } else {
      flush_pending(SinkRef(put));
      out.put(&c, 1);
      emitted_ = true;
    }
  }
}

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
  if (relaxed_ && detail::body_scan() != detail::BodyScan::reference)
    return feed_relaxed(chunk, sink);
  const char* p = chunk.data();
  const char* const end = p + chunk.size();
  ChangeScanner scanner(p, end, relaxed_);
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
      Run run = unchanged_run(scanner, chunk.data(), p, end, relaxed_);
      sink(p, static_cast<std::size_t>(run.end - p));
      emitted_ = true;
      p = run.resume;
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
