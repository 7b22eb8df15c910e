// SPDX-License-Identifier: Apache-2.0
// Fuzzes base64: decoding arbitrary text, and the encode/decode round trip both ways.
#include <cstdint>
#include <cstdlib>
#include <span>
#include <string>
#include <string_view>

#include "hallmark/core/base64.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size);

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  namespace core = hallmark::core;
  // Any bytes encode to text that decodes back to them.
  std::string text = core::base64_encode(std::span<const std::uint8_t>(data, size));
  core::Expected<std::string> bytes = core::base64_decode(text);
  if (!bytes || *bytes != std::string_view(reinterpret_cast<const char*>(data), size)) std::abort();

  // Text that decodes re-encodes to canonical text that decodes to the same bytes.
  std::string_view input(reinterpret_cast<const char*>(data), size);
  core::Expected<std::string> decoded = core::base64_decode(input);
  if (!decoded) {
    if (decoded.error().offset > size) std::abort();
    return 0;
  }
  if (decoded->size() > size) std::abort();
  std::string canonical = core::base64_encode(*decoded);
  core::Expected<std::string> again = core::base64_decode(canonical);
  if (!again || *again != *decoded) std::abort();
  if (core::base64_encode(*again) != canonical) std::abort();
  return 0;
}
