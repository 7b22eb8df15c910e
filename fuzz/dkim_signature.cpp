// SPDX-License-Identifier: Apache-2.0
// Fuzz target: DKIM-Signature parsing (RFC 6376 3.5); what parses must be self-consistent.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "hallmark/core/base64.hpp"
#include "hallmark/core/domain.hpp"
#include "hallmark/dkim/parse.hpp"

// Declared for -Wmissing-declarations; libFuzzer or the replay main calls it.
extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size);

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  namespace core = hallmark::core;
  namespace dkim = hallmark::dkim;
  std::string_view value(reinterpret_cast<const char*>(data), size);
  static_cast<void>(dkim::decode_dkim_quoted_printable(value));
  core::Expected<dkim::Signature> signature = dkim::parse_signature(value);
  if (!signature) {
    if (signature.error().offset > size) std::abort();
    return 0;
  }
  // The verifier hashes the field with the b= span emptied (RFC 6376 3.7): the span must lie
  // inside the value and hold exactly the signature that was decoded.
  if (signature->b_value_offset > size ||
      signature->b_value_length > size - signature->b_value_offset)
    std::abort();
  core::Expected<std::string> b =
      core::base64_decode(value.substr(signature->b_value_offset, signature->b_value_length));
  if (!b || *b != signature->signature) std::abort();
  if (signature->signature.empty() || signature->body_hash.empty()) std::abort();
  // RFC 6376 5.4: From is signed; 3.5: i= lies within d=.
  bool from = false;
  for (const std::string& name : signature->signed_headers)
    from |= core::domain_equal(name, "from");
  if (!from) std::abort();
  std::size_t at = signature->auid.rfind('@');
  if (at == std::string::npos) std::abort();
  if (!core::is_subdomain_of(std::string_view(signature->auid).substr(at + 1), signature->domain))
    std::abort();
  if (signature->timestamp && signature->expiration &&
      *signature->expiration <= *signature->timestamp)
    std::abort();
  return 0;
}
