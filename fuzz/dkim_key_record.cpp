// SPDX-License-Identifier: Apache-2.0
// Fuzz target: DKIM key records (RFC 6376 3.6.1) and, for those that parse, decoding the
// published key the way the verifier does (DER for RSA, 32 raw octets for Ed25519).
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "dkim/internal/crypto.hpp"
#include "hallmark/dkim/record.hpp"

// Declared for -Wmissing-declarations; libFuzzer or the replay main calls it.
extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size);

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  namespace dkim = hallmark::dkim;
  std::string_view text(reinterpret_cast<const char*>(data), size);
  hallmark::core::Expected<dkim::KeyRecord> record = dkim::parse_key_record(text);
  if (!record) {
    if (record.error().offset > size) std::abort();
    return 0;
  }
  if (record->revoked()) return 0;
  // Both key types: a record's k= may disagree with what p= holds, and the verifier decodes
  // p= as k= says.
  for (dkim::KeyType type :
       {record->type,
        record->type == dkim::KeyType::rsa ? dkim::KeyType::ed25519 : dkim::KeyType::rsa}) {
    auto key = dkim::detail::decode_public_key(type, record->public_key);
    if (!key) continue;
    if (!key->key || key->type != type || key->bits == 0) std::abort();
    if (type == dkim::KeyType::ed25519 && key->bits != 256) std::abort();
  }
  return 0;
}
