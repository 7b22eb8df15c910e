// SPDX-License-Identifier: Apache-2.0
// DKIM canonicalization (RFC 6376 3.4), byte-exact, shared with ARC. Header fields are
// canonicalized one at a time; bodies as a stream split at any byte.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "hallmark/dkim/types.hpp"
#include "hallmark/export.hpp"

namespace hallmark::dkim {

/// Appends the canonical form of one header field, given as its raw bytes (name, colon,
/// value with any folding, line terminator optional), to `out`; the result ends in CRLF.
/// Bare LF line ends count as CRLF: what the signer saw on the wire.
HALLMARK_API void canonicalize_header(std::string_view raw_field, Canonicalization canonicalization,
                                      std::string& out);

/// The body canonicalizations of RFC 6376 3.4.3 (simple) and 3.4.4 (relaxed) as a stream.
/// Memory does not grow with the body: runs of empty lines are only counted. Bare LF counts
/// as CRLF; a CR not followed by LF is an ordinary byte.
class BodyCanonicalizer {
 public:
  explicit BodyCanonicalizer(Canonicalization canonicalization) noexcept
      : relaxed_(canonicalization == Canonicalization::relaxed) {}

  /// Passes the canonical bytes of `chunk` to `sink(const char*, std::size_t)` in runs.
  template <class Sink>
  void feed(std::string_view chunk, Sink&& sink) {
    const char* p = chunk.data();
    const char* end = p + chunk.size();
    while (p < end) {
      if (pending_cr_) {
        pending_cr_ = false;
        if (*p == '\n') {
          ++p;
          end_line();
          continue;
        }
        content("\r", 1, sink);
      }
      const char* run = p;
      if (relaxed_) {
        while (p < end && *p != ' ' && *p != '\t' && *p != '\r' && *p != '\n') ++p;
      } else {
        while (p < end && *p != '\r' && *p != '\n') ++p;
      }
      if (p > run) content(run, static_cast<std::size_t>(p - run), sink);
      if (p == end) break;
      char c = *p++;
      if (c == '\r') {
        pending_cr_ = true;
      } else if (c == '\n') {
        end_line();
      } else {
        pending_space_ = true;  // relaxed: a run of SP/HTAB becomes one SP, if not trailing
      }
    }
  }

  /// Ends the body: simple ends it with exactly one CRLF (an empty body becomes CRLF);
  /// relaxed with one CRLF unless the canonical body is empty.
  template <class Sink>
  void finish(Sink&& sink) {
    if (pending_cr_) {
      pending_cr_ = false;
      content("\r", 1, sink);
    }
    if (!relaxed_ || emitted_) sink("\r\n", 2);
    pending_lines_ = 0;
    pending_space_ = false;
  }

 private:
  template <class Sink>
  void content(const char* data, std::size_t size, Sink& sink) {
    // Empty lines are held back until more content shows they were not at the end.
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
    sink(data, size);
    emitted_ = true;
  }
  void end_line() noexcept {
    pending_space_ = false;  // relaxed: white space at the end of a line is dropped
    ++pending_lines_;
  }

  bool relaxed_;
  bool pending_cr_ = false;
  bool pending_space_ = false;
  bool emitted_ = false;
  std::uint64_t pending_lines_ = 0;
};

}  // namespace hallmark::dkim
