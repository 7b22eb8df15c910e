// SPDX-License-Identifier: Apache-2.0
// The keyed hash of sender-chosen table keys: SipHash-2-4 against the reference vectors, and a
// process key that is not a constant.
#include <gtest/gtest.h>

#include <string>

#include "core/internal/seeded_hash.hpp"

namespace hallmark::core::detail {
namespace {

// Key 00 01 .. 0f, message 00 01 .. (n-1): the vectors published with SipHash.
TEST(SeededHash, SipHash24ReferenceVectors) {
  SipKey key{};
  for (std::size_t i = 0; i < key.size(); ++i) key[i] = static_cast<std::uint8_t>(i);
  auto message = [](std::size_t n) {
    std::string m;
    for (std::size_t i = 0; i < n; ++i) m += static_cast<char>(i);
    return m;
  };
  EXPECT_EQ(siphash24(key, message(0)), 0x726fdb47dd0e0e31ULL);
  EXPECT_EQ(siphash24(key, message(1)), 0x74f839c593dc67fdULL);
  EXPECT_EQ(siphash24(key, message(2)), 0x0d6c8009d9a94f5aULL);
  EXPECT_EQ(siphash24(key, message(3)), 0x85676696d7fb7e2dULL);
  EXPECT_EQ(siphash24(key, message(15)), 0xa129ca6149be45e5ULL);  // the paper's example
}

TEST(SeededHash, ProcessKeyIsDrawnNotFixed) {
  const SipKey& key = process_hash_key();
  EXPECT_NE(key, SipKey{});
  EXPECT_EQ(&key, &process_hash_key());
  // Names that differ only where a precomputed collision would need them to still differ.
  SeededHash hash;
  EXPECT_NE(hash("a.example.com"), hash("b.example.com"));
  EXPECT_EQ(hash(std::string("sel._domainkey.example.com")), hash("sel._domainkey.example.com"));
}

}  // namespace
}  // namespace hallmark::core::detail
