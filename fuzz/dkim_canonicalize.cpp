// SPDX-License-Identifier: Apache-2.0
// Fuzz target: DKIM canonicalization (RFC 6376 3.4). Header fields in both modes must give
// CRLF-terminated, idempotent output; bodies must canonicalize the same however they are cut,
// and the same on every vector path as on the byte-wise reference.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "dkim/internal/body_scan.hpp"
#include "hallmark/dkim/canonicalize.hpp"

namespace {

using hallmark::dkim::BodyCanonicalizer;
using hallmark::dkim::Canonicalization;
namespace detail = hallmark::dkim::detail;

std::string header(std::string_view raw, Canonicalization mode) {
  std::string out;
  hallmark::dkim::canonicalize_header(raw, mode, out);
  return out;
}

// Feeds `body` in pieces: cut at `split`, or one byte at a time when `step` is set.
std::string body(std::string_view text, Canonicalization mode, std::size_t split, bool bytewise) {
  std::string out;
  auto sink = [&out](const char* data, std::size_t size) {
    if (size == 0) std::abort();  // sinks are promised runs of bytes
    out.append(data, size);
  };
  BodyCanonicalizer canonicalizer(mode);
  if (bytewise) {
    for (char c : text) canonicalizer.feed(std::string_view(&c, 1), sink);
  } else {
    canonicalizer.feed(text.substr(0, split), sink);
    canonicalizer.feed({}, sink);
    canonicalizer.feed(text.substr(split), sink);
  }
  canonicalizer.finish(sink);
  return out;
}

bool ends_with_crlf(std::string_view text) { return text.ends_with("\r\n"); }

}  // namespace

// Declared for -Wmissing-declarations; libFuzzer or the replay main calls it.
extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size);

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  // The first byte says where to cut the body, as a fraction of its length.
  std::string_view text(reinterpret_cast<const char*>(data) + 1, size - 1);
  std::size_t split = text.size() * data[0] / 255;

  for (Canonicalization mode : {Canonicalization::simple, Canonicalization::relaxed}) {
    std::string field = header(text, mode);
    if (!ends_with_crlf(field)) std::abort();
    if (header(field, mode) != field) std::abort();
    if (mode == Canonicalization::relaxed) {
      // RFC 6376 3.4.2: the value is unfolded, WSP runs are one SP, none at either end.
      std::string_view value = std::string_view(field).substr(field.find(':') + 1);
      value.remove_suffix(2);
      if (value.find_first_of("\r\n\t") != std::string_view::npos) std::abort();
      if (value.find("  ") != std::string_view::npos) std::abort();
      if (value.starts_with(' ') || value.ends_with(' ')) std::abort();
    }

    // The byte-wise rules first, then each vector path this processor has, cut where the
    // input says: they must agree to the byte.
    detail::force_body_scan(detail::BodyScan::reference);
    const std::string reference = body(text, mode, split, false);
    for (detail::BodyScan scan : {detail::BodyScan::portable, detail::BodyScan::sse2,
                                  detail::BodyScan::avx2, detail::BodyScan::avx512}) {
      if (!detail::body_scan_available(scan)) continue;
      detail::force_body_scan(scan);
      if (body(text, mode, split, false) != reference) std::abort();
    }

    std::string whole = body(text, mode, text.size(), false);
    if (whole != reference) std::abort();
    if (body(text, mode, split, false) != whole) std::abort();
    if (body(text, mode, 0, true) != whole) std::abort();
    // RFC 6376 3.4.3 and 3.4.4: one final CRLF (relaxed: none for an empty body), no empty
    // lines at the end, and for relaxed no WSP before a line end.
    if (mode == Canonicalization::simple ? !ends_with_crlf(whole)
                                         : !whole.empty() && !ends_with_crlf(whole))
      std::abort();
    if (whole.size() > 2 && whole.ends_with("\r\n\r\n")) std::abort();
    if (mode == Canonicalization::relaxed &&
        (whole.find('\t') != std::string::npos || whole.find(" \r\n") != std::string::npos ||
         whole.find("  ") != std::string::npos))
      std::abort();
  }
  return 0;
}
