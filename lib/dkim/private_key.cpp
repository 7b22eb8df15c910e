// SPDX-License-Identifier: Apache-2.0
// DKIM private keys: reading PEM or raw Ed25519 seeds, generating keys, and the key record
// a domain publishes for them.
#include <openssl/bio.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <fmt/format.h>

#include "hallmark/core/base64.hpp"
#include "hallmark/dkim/sign.hpp"
#include "core/internal/ascii.hpp"

namespace hallmark::dkim {
namespace {

std::shared_ptr<void> own(EVP_PKEY* key) {
  return std::shared_ptr<void>(key, [](void* p) { EVP_PKEY_free(static_cast<EVP_PKEY*>(p)); });
}

}  // namespace

core::Expected<PrivateKey> PrivateKey::from_pem(std::string_view text) {
  text = core::detail::trim_fws(text);
  EVP_PKEY* key = nullptr;
  if (text.starts_with("-----BEGIN")) {
    if (text.size() > 65536) return core::fail(core::Errc::bad_value, "PEM key is too long");
    BIO* bio = BIO_new_mem_buf(text.data(), static_cast<int>(text.size()));
    key = PEM_read_bio_PrivateKey(bio, nullptr, nullptr, nullptr);
    BIO_free(bio);
    if (key == nullptr)
      return core::fail(core::Errc::bad_value, "PEM text holds no readable private key");
  } else {
    // dkimpy's Ed25519 key files: the base64 of the 32-octet RFC 8032 seed.
    auto seed = core::base64_decode(text);
    if (!seed || seed->size() != 32)
      return core::fail(core::Errc::bad_value, "key is neither PEM nor a base64 Ed25519 seed");
    key = EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, nullptr,
                                       reinterpret_cast<const unsigned char*>(seed->data()), 32);
    if (key == nullptr) return core::fail(core::Errc::bad_value, "Ed25519 seed cannot be used");
  }
  PrivateKey out;
  out.key_ = own(key);
  if (EVP_PKEY_is_a(key, "RSA")) {
    out.type_ = KeyType::rsa;
  } else if (EVP_PKEY_is_a(key, "ED25519")) {
    out.type_ = KeyType::ed25519;
  } else {
    return core::fail(core::Errc::unsupported, "DKIM signs with RSA or Ed25519 keys only");
  }
  out.bits_ = static_cast<unsigned>(EVP_PKEY_get_bits(key));
  return out;
}

core::Expected<PrivateKey> PrivateKey::generate(KeyType type, unsigned bits) {
  EVP_PKEY* key = nullptr;
  if (type == KeyType::ed25519) {
    key = EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519");
  } else {
    if (bits < 1024 || bits > 8192)
      return core::fail(core::Errc::bad_value,
                        fmt::format("RSA key size {} is not in 1024..8192", bits));
    key = EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", static_cast<std::size_t>(bits));
  }
  if (key == nullptr) return core::fail(core::Errc::bad_value, "key generation failed");
  PrivateKey out;
  out.key_ = own(key);
  out.type_ = type;
  out.bits_ = static_cast<unsigned>(EVP_PKEY_get_bits(key));
  return out;
}

std::string PrivateKey::to_pem() const {
  BIO* bio = BIO_new(BIO_s_mem());
  PEM_write_bio_PrivateKey(bio, static_cast<EVP_PKEY*>(key_.get()), nullptr, nullptr, 0, nullptr,
                           nullptr);
  char* data = nullptr;
  long size = BIO_get_mem_data(bio, &data);
  std::string pem(data, static_cast<std::size_t>(size));
  BIO_free(bio);
  return pem;
}

std::string PrivateKey::dns_record() const {
  auto* key = static_cast<EVP_PKEY*>(key_.get());
  std::string public_key;
  if (type_ == KeyType::ed25519) {
    std::size_t size = 32;
    public_key.resize(size);
    EVP_PKEY_get_raw_public_key(key, reinterpret_cast<unsigned char*>(public_key.data()), &size);
    public_key.resize(size);
    return "v=DKIM1; k=ed25519; p=" + core::base64_encode(public_key);
  }
  // RFC 6376 3.6.1: RSA keys are published as DER SubjectPublicKeyInfo.
  unsigned char* der = nullptr;
  int size = i2d_PUBKEY(key, &der);
  if (size > 0)
    public_key.assign(reinterpret_cast<const char*>(der), static_cast<std::size_t>(size));
  OPENSSL_free(der);
  return "v=DKIM1; k=rsa; p=" + core::base64_encode(public_key);
}

}  // namespace hallmark::dkim
