// SPDX-License-Identifier: Apache-2.0
// Fuzz target: arbitrary bytes decoded as the response to A, TXT and MX questions for the
// names the seed corpus asks about. The decoder must not crash, hang or read astray, and
// what it returns must be self-consistent.
#include <cstdint>
#include <cstdlib>
#include <span>
#include <string_view>

#include "dns/internal/wire.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size);

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using hallmark::dns::Answer;
  using hallmark::dns::Status;
  using hallmark::dns::Type;
  std::span<const std::uint8_t> message(data, size);
  constexpr std::string_view names[] = {"www.hallmark.test",  "hallmark.test",
                                        "txt.hallmark.test",  "alias.hallmark.test",
                                        "nope.hallmark.test", "big.hallmark.test"};
  for (std::string_view name : names) {
    for (Type type : {Type::a, Type::txt, Type::mx}) {
      Answer answer = hallmark::dns::wire::decode_response(message, name, type);
      // noerror always carries records of the asked type; void answers never do.
      if (answer.status == Status::noerror && answer.size() == 0) std::abort();
      if (answer.is_void() && answer.size() != 0) std::abort();
      if (answer.status == Status::error && answer.detail.empty()) std::abort();
      if (answer.cname.size() > hallmark::dns::wire::max_cname_chain) std::abort();
      if (answer.name != name || answer.type != type) std::abort();
    }
  }
  return 0;
}
