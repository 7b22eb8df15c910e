// SPDX-License-Identifier: Apache-2.0
// Base64 decoding into the caller's memory, for values decoded once per message (a signature's
// b= and bh=) that would otherwise each cost a heap allocation. Library-private.
#pragma once

#include <cstddef>
#include <string_view>

#include "hallmark/core/error.hpp"

namespace hallmark::core::detail {

/// The most bytes base64 text of `text_size` characters can decode to.
constexpr std::size_t base64_decoded_bound(std::size_t text_size) noexcept {
  // Every four digits give three bytes; the slack covers a final partial quantum.
  return text_size / 4 * 3 + 3;
}

/// core::base64_decode() into `out`, which has room for base64_decoded_bound(text.size())
/// bytes: the number of bytes decoded. Errors: those of core::base64_decode().
Expected<std::size_t> base64_decode_into(std::string_view text, char* out);

}  // namespace hallmark::core::detail
