// SPDX-License-Identifier: Apache-2.0
// The OpenSSL side of DKIM, kept out of public headers: digests, public-key decoding,
// signature verification and creation. Algorithm objects are fetched once per process.
#pragma once

#include <openssl/evp.h>

#include <array>
#include <memory>
#include <string>
#include <string_view>

#include "hallmark/core/error.hpp"
#include "hallmark/dkim/types.hpp"

namespace hallmark::dkim::detail {

/// SHA-1 or SHA-256, fetched once (EVP_MD_fetch is a known per-call cost in OpenSSL 3).
const EVP_MD* digest_algorithm(Hash hash) noexcept;

/// A digest's bytes, held inline: SHA-256's 32 are more than a std::string keeps off the heap,
/// and a verification takes one per signature and one per body hash. Empty when the digest
/// could not be made.
class DigestBytes {
 public:
  DigestBytes() = default;
  DigestBytes(const unsigned char* data, std::size_t size) noexcept;
  std::string_view view() const noexcept { return std::string_view(bytes_.data(), size_); }

 private:
  std::array<char, EVP_MAX_MD_SIZE> bytes_{};
  std::size_t size_ = 0;
};

/// An incremental digest.
class Digest {
 public:
  explicit Digest(Hash hash);
  ~Digest();
  Digest(Digest&& other) noexcept;
  Digest& operator=(Digest&&) = delete;
  void update(const void* data, std::size_t size) noexcept;
  void update(std::string_view data) noexcept { update(data.data(), data.size()); }
  /// The digest; the object is spent afterwards.
  DigestBytes finish();

 private:
  EVP_MD_CTX* ctx_;
};

/// One-shot digest.
DigestBytes digest_of(Hash hash, std::string_view data);

using KeyHandle = std::shared_ptr<EVP_PKEY>;

/// An RSA verification context set up once (PKCS#1 v1.5, SHA-256) for copying per message:
/// OpenSSL 3 looks up the signature algorithm and the digest by name when a context is set
/// up, about as costly as hashing 4 KB, while a copy looks nothing up.
class PreparedRsaVerify;

struct PublicKey {
  KeyHandle key;
  KeyType type = KeyType::rsa;
  unsigned bits = 0;
  std::shared_ptr<PreparedRsaVerify> rsa_sha256;  // RSA keys only; null if it could not be made
};

/// Decodes p= data: for RSA a DER SubjectPublicKeyInfo (what RFC 6376 3.6.1 publishes) or a
/// bare PKCS#1 RSAPublicKey (published by some signers); for Ed25519 the 32 raw octets
/// (RFC 8463 4). Errors: Errc::bad_value naming what could not be decoded.
core::Expected<PublicKey> decode_public_key(KeyType type, std::string_view data);

/// Verifies `signature` over `digest` (the SHA hash of the canonicalized header data). RSA:
/// PKCS#1 v1.5 with the algorithm's hash; Ed25519: PureEdDSA over the 32-octet digest
/// (RFC 8463 3).
bool verify_digest(const PublicKey& key, Algorithm algorithm, std::string_view digest,
                   std::string_view signature);

/// Signs `digest` the same way; empty on failure.
std::string sign_digest(EVP_PKEY* key, Algorithm algorithm, std::string_view digest);

}  // namespace hallmark::dkim::detail
