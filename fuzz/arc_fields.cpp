// SPDX-License-Identifier: Apache-2.0
// Fuzz target: the three ARC header field parsers and the instance-tag reader. The input's
// first byte picks the parser, the rest is the field value. Whatever parses must carry an
// instance in 1..50 that the instance reader agrees with (sets are grouped by it before
// anything else is checked), and a seal must name its signer (d=, s=).
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "hallmark/arc/parse.hpp"

namespace {

using namespace hallmark;

bool valid_instance(unsigned instance) { return instance >= 1 && instance <= arc::max_instances; }

// The grouping of fields into sets (parse_instance) and the full parse must see the same i=,
// or a field could be checked as a member of one set and counted in another.
void check_instance(std::string_view value, unsigned instance) {
  if (!valid_instance(instance)) std::abort();
  core::Expected<unsigned> grouped = arc::parse_instance(value);
  if (!grouped || *grouped != instance) std::abort();
}

void fuzz_seal(std::string_view value) {
  core::Expected<arc::Seal> seal = arc::parse_seal(value);
  if (!seal) return;
  if (seal->domain.empty() || seal->selector.empty()) std::abort();
  // b= must lie inside the value, or verification would hash past the field.
  if (seal->b_value_offset > value.size() ||
      seal->b_value_length > value.size() - seal->b_value_offset)
    std::abort();
  check_instance(value, seal->instance);
}

void fuzz_message_signature(std::string_view value) {
  core::Expected<arc::MessageSignature> ams = arc::parse_message_signature(value);
  if (!ams) return;
  const dkim::Signature& s = ams->signature;
  if (s.domain.empty() || s.selector.empty()) std::abort();
  if (s.b_value_offset > value.size() || s.b_value_length > value.size() - s.b_value_offset)
    std::abort();
  check_instance(value, ams->instance);
}

void fuzz_authentication_results(std::string_view value) {
  core::Expected<arc::AuthenticationResults> aar = arc::parse_authentication_results(value);
  if (!aar) return;
  if (aar->results.authserv_id.empty()) std::abort();
  check_instance(value, aar->instance);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size);

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  std::string_view value(reinterpret_cast<const char*>(data) + 1, size - 1);
  switch (data[0] % 4) {
    case 0: fuzz_seal(value); break;
    case 1: fuzz_message_signature(value); break;
    case 2: fuzz_authentication_results(value); break;
    default:
      if (core::Expected<unsigned> instance = arc::parse_instance(value))
        if (!valid_instance(*instance)) std::abort();
      break;
  }
  return 0;
}
