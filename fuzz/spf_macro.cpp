// SPDX-License-Identifier: Apache-2.0
// Fuzz target: macro-string parsing in each context, then expansion with fixed values; the
// first input byte picks the client address family.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "hallmark/spf/record.hpp"
#include "spf/internal/macro.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size);

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace hallmark::spf;
  if (size == 0) return 0;
  bool v6 = data[0] & 1;
  std::string_view text(reinterpret_cast<const char*>(data + 1), size - 1);
  detail::MacroValues values;
  values.sender = "strong-bad@email.example.com";
  values.local_part = "strong-bad";
  values.sender_domain = "email.example.com";
  values.domain = "email.example.com";
  values.ip = *hallmark::core::IpAddress::parse(v6 ? "2001:db8::cb01" : "192.0.2.3");
  values.helo = "mx.example.org";
  for (MacroContext context :
       {MacroContext::domain_spec, MacroContext::modifier, MacroContext::explanation}) {
    auto parsed = parse_macro_string(text, context);
    if (!parsed) continue;
    auto expanded = detail::expand(*parsed, values);
    if (expanded && expanded->size() > detail::max_expansion) std::abort();
    if (expanded && context == MacroContext::domain_spec) {
      std::string_view name = detail::truncate_to_domain_limit(*expanded);
      if (name.size() > 254) std::abort();
    }
  }
  return 0;
}
