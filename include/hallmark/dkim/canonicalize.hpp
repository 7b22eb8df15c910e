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

  /// Passes the canonical bytes of `chunk` to `sink(const char*, std::size_t)` in runs. Where
  /// the canonical form equals the input (most of a typical body) a run is a view into
  /// `chunk`, as long as the text allows.
  template <class Sink>
  void feed(std::string_view chunk, Sink&& sink) {
    feed_bytes(chunk, SinkRef(sink));
  }

  /// Ends the body: simple ends it with exactly one CRLF (an empty body becomes CRLF);
  /// relaxed with one CRLF unless the canonical body is empty.
  template <class Sink>
  void finish(Sink&& sink) {
    finish_bytes(SinkRef(sink));
  }

 private:
  // The scanning lives in lib/dkim/canonicalize.cpp, where it can use SIMD; the sink is called
  // once per run, not per byte, so reaching it through a pointer costs nothing measurable.
  class SinkRef {
   public:
    template <class Sink>
    explicit SinkRef(Sink& sink) noexcept
        : object_(const_cast<void*>(static_cast<const void*>(&sink))),
          call_([](void* object, const char* data, std::size_t size) {
            (*static_cast<Sink*>(object))(data, size);
          }) {}
    void operator()(const char* data, std::size_t size) const { call_(object_, data, size); }

   private:
    void* object_;
    void (*call_)(void*, const char*, std::size_t);
  };

  HALLMARK_API void feed_bytes(std::string_view chunk, SinkRef sink);
  HALLMARK_API void finish_bytes(SinkRef sink);
  void feed_relaxed(std::string_view chunk, SinkRef sink);
  void flush_pending(SinkRef sink);

  bool relaxed_;
  bool pending_cr_ = false;
  bool pending_space_ = false;
  bool emitted_ = false;
  std::uint64_t pending_lines_ = 0;
};

}  // namespace hallmark::dkim
