// SPDX-License-Identifier: Apache-2.0
// Fuzz target: DMARC record parsing; a parsed record must survive a trip through its normal
// form.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "hallmark/dmarc/record.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size);

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto record = hallmark::dmarc::parse_record(text);
  if (!record) return 0;
  std::string normal = hallmark::dmarc::to_string(*record);
  auto again = hallmark::dmarc::parse_record(normal);
  if (!again || hallmark::dmarc::to_string(*again) != normal) std::abort();
  return 0;
}
