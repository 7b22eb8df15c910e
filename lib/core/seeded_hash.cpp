// SPDX-License-Identifier: Apache-2.0
// SipHash-2-4 and the per-process key that makes table hashes unpredictable to senders.
#include "core/internal/seeded_hash.hpp"

#include <openssl/rand.h>

#include <bit>
#include <cstring>
#include <random>

namespace hallmark::core::detail {
namespace {

std::uint64_t load_le64(const std::uint8_t* p) noexcept {
  std::uint64_t v = 0;
  for (int i = 7; i >= 0; --i) v = (v << 8) | p[i];
  return v;
}

struct SipState {
  std::uint64_t v0, v1, v2, v3;

  void round() noexcept {
    v0 += v1;
    v1 = std::rotl(v1, 13);
    v1 ^= v0;
    v0 = std::rotl(v0, 32);
    v2 += v3;
    v3 = std::rotl(v3, 16);
    v3 ^= v2;
    v0 += v3;
    v3 = std::rotl(v3, 21);
    v3 ^= v0;
    v2 += v1;
    v1 = std::rotl(v1, 17);
    v1 ^= v2;
    v2 = std::rotl(v2, 32);
  }

  void compress(std::uint64_t m) noexcept {
    v3 ^= m;
    round();
    round();
    v0 ^= m;
  }
};

SipKey draw_key() noexcept {
  SipKey key{};
  if (RAND_bytes(key.data(), static_cast<int>(key.size())) != 1) {
    // OpenSSL's generator failing is close to impossible; the OS source is the next best.
    std::random_device device;
    for (std::uint8_t& byte : key) byte = static_cast<std::uint8_t>(device());
  }
  return key;
}

}  // namespace

std::uint64_t siphash24(const SipKey& key, std::string_view data) noexcept {
  const std::uint64_t k0 = load_le64(key.data());
  const std::uint64_t k1 = load_le64(key.data() + 8);
  SipState s{k0 ^ 0x736f6d6570736575ULL, k1 ^ 0x646f72616e646f6dULL, k0 ^ 0x6c7967656e657261ULL,
             k1 ^ 0x7465646279746573ULL};
  const auto* bytes = reinterpret_cast<const std::uint8_t*>(data.data());
  const std::size_t whole = data.size() / 8 * 8;
  for (std::size_t i = 0; i < whole; i += 8) s.compress(load_le64(bytes + i));
  // The last block: the remaining bytes, and the length's low byte on top.
  std::uint64_t last = static_cast<std::uint64_t>(data.size() & 0xff) << 56;
  for (std::size_t i = whole; i < data.size(); ++i)
    last |= static_cast<std::uint64_t>(bytes[i]) << (8 * (i - whole));
  s.compress(last);
  s.v2 ^= 0xff;
  for (int i = 0; i < 4; ++i) s.round();
  return s.v0 ^ s.v1 ^ s.v2 ^ s.v3;
}

const SipKey& process_hash_key() noexcept {
  static const SipKey key = draw_key();
  return key;
}

}  // namespace hallmark::core::detail
