// SPDX-License-Identifier: Apache-2.0
// OpenSSL 3 digests, key decoding, verification and signing for DKIM.
#include "dkim/internal/crypto.hpp"

#include <openssl/rsa.h>
#include <openssl/x509.h>

#include <algorithm>
#include <mutex>
#include <utility>

#include <fmt/format.h>

namespace hallmark::dkim::detail {
namespace {

struct MdDeleter {
  void operator()(EVP_MD* md) const noexcept { EVP_MD_free(md); }
};
struct PkeyCtxDeleter {
  void operator()(EVP_PKEY_CTX* ctx) const noexcept { EVP_PKEY_CTX_free(ctx); }
};
struct MdCtxDeleter {
  void operator()(EVP_MD_CTX* ctx) const noexcept { EVP_MD_CTX_free(ctx); }
};

KeyHandle own(EVP_PKEY* key) { return KeyHandle(key, EVP_PKEY_free); }

const auto* bytes(std::string_view data) noexcept {
  return reinterpret_cast<const unsigned char*>(data.data());
}

// A fresh RSA verification context for PKCS#1 v1.5 with `hash`, or null.
std::unique_ptr<EVP_PKEY_CTX, PkeyCtxDeleter> new_rsa_verify(EVP_PKEY* key, Hash hash) {
  std::unique_ptr<EVP_PKEY_CTX, PkeyCtxDeleter> ctx(EVP_PKEY_CTX_new(key, nullptr));
  if (!ctx || EVP_PKEY_verify_init(ctx.get()) != 1 ||
      EVP_PKEY_CTX_set_rsa_padding(ctx.get(), RSA_PKCS1_PADDING) != 1 ||
      EVP_PKEY_CTX_set_signature_md(ctx.get(), digest_algorithm(hash)) != 1)
    ctx.reset();
  return ctx;
}

}  // namespace

class PreparedRsaVerify {
 public:
  explicit PreparedRsaVerify(std::unique_ptr<EVP_PKEY_CTX, PkeyCtxDeleter> ctx) noexcept
      : ctx_(std::move(ctx)) {}

  std::unique_ptr<EVP_PKEY_CTX, PkeyCtxDeleter> copy() const {
    // OpenSSL does not promise that one context may be copied by several threads at once, and
    // a cached key is shared by every thread verifying with it.
    std::lock_guard lock(mutex_);
    return std::unique_ptr<EVP_PKEY_CTX, PkeyCtxDeleter>(EVP_PKEY_CTX_dup(ctx_.get()));
  }

 private:
  mutable std::mutex mutex_;
  std::unique_ptr<EVP_PKEY_CTX, PkeyCtxDeleter> ctx_;
};

const EVP_MD* digest_algorithm(Hash hash) noexcept {
  static const std::unique_ptr<EVP_MD, MdDeleter> sha1(EVP_MD_fetch(nullptr, "SHA1", nullptr));
  static const std::unique_ptr<EVP_MD, MdDeleter> sha256(EVP_MD_fetch(nullptr, "SHA256", nullptr));
  return hash == Hash::sha1 ? sha1.get() : sha256.get();
}

DigestBytes::DigestBytes(const unsigned char* data, std::size_t size) noexcept
    : size_(std::min(size, bytes_.size())) {
  std::copy_n(data, size_, bytes_.begin());
}

Digest::Digest(Hash hash) : ctx_(EVP_MD_CTX_new()) {
  EVP_DigestInit_ex2(ctx_, digest_algorithm(hash), nullptr);
}
Digest::~Digest() { EVP_MD_CTX_free(ctx_); }
Digest::Digest(Digest&& other) noexcept : ctx_(std::exchange(other.ctx_, nullptr)) {}

void Digest::update(const void* data, std::size_t size) noexcept {
  EVP_DigestUpdate(ctx_, data, size);
}

DigestBytes Digest::finish() {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  EVP_DigestFinal_ex(ctx_, out, &size);
  return DigestBytes(out, size);
}

DigestBytes digest_of(Hash hash, std::string_view data) {
  // One context per thread, reinitialised per digest: a verification takes several of these
  // (one per signature's header data), and a new context costs an allocation and a free each.
  thread_local const std::unique_ptr<EVP_MD_CTX, MdCtxDeleter> ctx(EVP_MD_CTX_new());
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  if (!ctx || EVP_DigestInit_ex2(ctx.get(), digest_algorithm(hash), nullptr) != 1 ||
      EVP_DigestUpdate(ctx.get(), data.data(), data.size()) != 1 ||
      EVP_DigestFinal_ex(ctx.get(), out, &size) != 1)
    return {};
  return DigestBytes(out, size);
}

core::Expected<PublicKey> decode_public_key(KeyType type, std::string_view data) {
  PublicKey out;
  out.type = type;
  if (type == KeyType::ed25519) {
    if (data.size() != 32)
      return core::fail(core::Errc::bad_value,
                        fmt::format("ed25519 key is {} octets, not 32", data.size()));
    out.key = own(EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, nullptr, bytes(data), 32));
    if (!out.key) return core::fail(core::Errc::bad_value, "ed25519 key cannot be decoded");
    out.bits = 256;
    return out;
  }
  if (data.size() > 16384) return core::fail(core::Errc::bad_value, "RSA key data is too long");
  const unsigned char* p = bytes(data);
  out.key = own(d2i_PUBKEY(nullptr, &p, static_cast<long>(data.size())));
  if (out.key && p != bytes(data) + data.size()) out.key.reset();  // trailing garbage
  if (!out.key) {
    p = bytes(data);
    out.key = own(d2i_PublicKey(EVP_PKEY_RSA, nullptr, &p, static_cast<long>(data.size())));
    if (out.key && p != bytes(data) + data.size()) out.key.reset();
  }
  if (!out.key)
    return core::fail(core::Errc::bad_value,
                      "RSA key is neither SubjectPublicKeyInfo nor RSAPublicKey DER");
  if (!EVP_PKEY_is_a(out.key.get(), "RSA"))
    return core::fail(core::Errc::bad_value, "key data holds a key that is not RSA");
  out.bits = static_cast<unsigned>(EVP_PKEY_get_bits(out.key.get()));
  if (auto ctx = new_rsa_verify(out.key.get(), Hash::sha256))
    out.rsa_sha256 = std::make_shared<PreparedRsaVerify>(std::move(ctx));
  return out;
}

bool verify_digest(const PublicKey& key, Algorithm algorithm, std::string_view digest,
                   std::string_view signature) {
  if (!key.key || key.type != key_type_of(algorithm)) return false;
  if (key.type == KeyType::ed25519) {
    std::unique_ptr<EVP_MD_CTX, MdCtxDeleter> ctx(EVP_MD_CTX_new());
    if (EVP_DigestVerifyInit(ctx.get(), nullptr, nullptr, nullptr, key.key.get()) != 1)
      return false;
    return EVP_DigestVerify(ctx.get(), bytes(signature), signature.size(), bytes(digest),
                            digest.size()) == 1;
  }
  Hash hash = hash_of(algorithm);
  std::unique_ptr<EVP_PKEY_CTX, PkeyCtxDeleter> ctx;
  if (hash == Hash::sha256 && key.rsa_sha256) ctx = key.rsa_sha256->copy();
  if (!ctx) ctx = new_rsa_verify(key.key.get(), hash);
  if (!ctx) return false;
  return EVP_PKEY_verify(ctx.get(), bytes(signature), signature.size(), bytes(digest),
                         digest.size()) == 1;
}

std::string sign_digest(EVP_PKEY* key, Algorithm algorithm, std::string_view digest) {
  std::size_t size = 0;
  if (key_type_of(algorithm) == KeyType::ed25519) {
    std::unique_ptr<EVP_MD_CTX, MdCtxDeleter> ctx(EVP_MD_CTX_new());
    if (EVP_DigestSignInit(ctx.get(), nullptr, nullptr, nullptr, key) != 1 ||
        EVP_DigestSign(ctx.get(), nullptr, &size, bytes(digest), digest.size()) != 1)
      return {};
    std::string out(size, '\0');
    if (EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(out.data()), &size,
                       bytes(digest), digest.size()) != 1)
      return {};
    out.resize(size);
    return out;
  }
  std::unique_ptr<EVP_PKEY_CTX, PkeyCtxDeleter> ctx(EVP_PKEY_CTX_new(key, nullptr));
  if (!ctx || EVP_PKEY_sign_init(ctx.get()) != 1 ||
      EVP_PKEY_CTX_set_rsa_padding(ctx.get(), RSA_PKCS1_PADDING) != 1 ||
      EVP_PKEY_CTX_set_signature_md(ctx.get(), digest_algorithm(hash_of(algorithm))) != 1 ||
      EVP_PKEY_sign(ctx.get(), nullptr, &size, bytes(digest), digest.size()) != 1)
    return {};
  std::string out(size, '\0');
  if (EVP_PKEY_sign(ctx.get(), reinterpret_cast<unsigned char*>(out.data()), &size, bytes(digest),
                    digest.size()) != 1)
    return {};
  out.resize(size);
  return out;
}

}  // namespace hallmark::dkim::detail
