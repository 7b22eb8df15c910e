// SPDX-License-Identifier: Apache-2.0
// Fuzz target: SPF record parsing; a parsed record must survive a trip through its normal form.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "hallmark/spf/record.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size);

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto record = hallmark::spf::parse_record(text);
  if (!record) return 0;
  auto again = hallmark::spf::parse_record("v=spf1 " + hallmark::spf::to_string(*record));
  if (!again) std::abort();
  if (hallmark::spf::to_string(*again) != hallmark::spf::to_string(*record)) std::abort();
  return 0;
}
