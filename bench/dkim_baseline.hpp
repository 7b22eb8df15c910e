// SPDX-License-Identifier: Apache-2.0
// The OpenSSL-only baseline of DKIM verification, shared by bench/dkim_bench.cpp (hallmark's
// DKIM verifier over it) and bench/authenticator_bench.cpp (the whole verdict over it): what any
// verifier of a message must ask of OpenSSL, SHA-256 over its bytes (more than the canonical
// header and body it hashes, never less) and one signature verification with a key already
// decoded. Set-up is done once where OpenSSL allows it, as hallmark does with a warm key cache:
// the digest context is reused and the algorithm fetched once; for RSA a verification context
// prepared once is copied per message; Ed25519 has nothing to prepare that a copy would save.
#pragma once

#include <benchmark/benchmark.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "dkim/internal/header_hash.hpp"
#include "dkim_fixture.hpp"
#include "hallmark/dkim/parse.hpp"
#include "hallmark/mail/header.hpp"

namespace hallmark_bench {

struct BaselineCase {
  const DkimSigner* signer;
  std::uint64_t size;
  std::string message;
  std::shared_ptr<EVP_PKEY> public_key;
  std::shared_ptr<EVP_PKEY_CTX> rsa_verify;  // prepared: PKCS#1 v1.5, SHA-256
  std::string signature;                     // b=, decoded
  std::string header_digest;                 // what b= signs
};

inline const EVP_MD* baseline_sha256() {
  static const std::unique_ptr<EVP_MD, decltype(&EVP_MD_free)> md(
      EVP_MD_fetch(nullptr, "SHA256", nullptr), &EVP_MD_free);
  return md.get();
}

inline const unsigned char* baseline_bytes(std::string_view data) {
  return reinterpret_cast<const unsigned char*>(data.data());
}

inline bool baseline_verify(const BaselineCase& b) {
  if (b.signer->key.type() == hallmark::dkim::KeyType::ed25519) {
    std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), &EVP_MD_CTX_free);
    return EVP_DigestVerifyInit(ctx.get(), nullptr, nullptr, nullptr, b.public_key.get()) == 1 &&
           EVP_DigestVerify(ctx.get(), baseline_bytes(b.signature), b.signature.size(),
                            baseline_bytes(b.header_digest), b.header_digest.size()) == 1;
  }
  std::unique_ptr<EVP_PKEY_CTX, decltype(&EVP_PKEY_CTX_free)> ctx(
      EVP_PKEY_CTX_dup(b.rsa_verify.get()), &EVP_PKEY_CTX_free);
  return ctx && EVP_PKEY_verify(ctx.get(), baseline_bytes(b.signature), b.signature.size(),
                                baseline_bytes(b.header_digest), b.header_digest.size()) == 1;
}

inline std::shared_ptr<EVP_PKEY_CTX> prepared_rsa_verify(EVP_PKEY* key) {
  std::shared_ptr<EVP_PKEY_CTX> ctx(EVP_PKEY_CTX_new(key, nullptr), &EVP_PKEY_CTX_free);
  if (!ctx || EVP_PKEY_verify_init(ctx.get()) != 1 ||
      EVP_PKEY_CTX_set_rsa_padding(ctx.get(), RSA_PKCS1_PADDING) != 1 ||
      EVP_PKEY_CTX_set_signature_md(ctx.get(), baseline_sha256()) != 1)
    dkim_fixture_fail("cannot prepare an RSA verification context");
  return ctx;
}

/// The timed loop: SHA-256 over the message's bytes, then the signature verification.
inline void time_baseline(benchmark::State& state, const BaselineCase& b) {
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> md(EVP_MD_CTX_new(), &EVP_MD_CTX_free);
  for (auto _ : state) {
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int digest_size = 0;
    EVP_DigestInit_ex2(md.get(), baseline_sha256(), nullptr);
    EVP_DigestUpdate(md.get(), b.message.data(), b.message.size());
    EVP_DigestFinal_ex(md.get(), digest, &digest_size);
    benchmark::DoNotOptimize(digest);
    if (!baseline_verify(b)) {
      state.SkipWithError("baseline signature does not verify");
      break;
    }
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * b.message.size()));
}

// The public half alone, re-read from its DER as a verifier decodes p=, so OpenSSL holds no
// private material that could change how it verifies.
inline std::shared_ptr<EVP_PKEY> public_key_of(const hallmark::dkim::PrivateKey& key) {
  unsigned char* der = nullptr;
  int size = i2d_PUBKEY(static_cast<EVP_PKEY*>(key.native()), &der);
  if (size <= 0) dkim_fixture_fail("i2d_PUBKEY failed");
  const unsigned char* p = der;
  EVP_PKEY* decoded = d2i_PUBKEY(nullptr, &p, size);
  OPENSSL_free(der);
  if (decoded == nullptr) dkim_fixture_fail("d2i_PUBKEY failed");
  return std::shared_ptr<EVP_PKEY>(decoded, &EVP_PKEY_free);
}

/// The baseline for `message`, signed once by `signer` (its first DKIM-Signature field); fails
/// the run when the baseline cannot verify it, as it would then time other work.
inline BaselineCase baseline_for(const DkimSigner* signer, std::uint64_t size,
                                 const std::string& message) {
  auto parsed = hallmark::mail::parse_message(message);
  if (!parsed) dkim_fixture_fail("corpus message does not parse: " + parsed.error().message);
  const hallmark::mail::HeaderSection& headers = parsed->headers;
  std::size_t index = 0;
  while (index < headers.size() && !headers[index].name_is("DKIM-Signature")) ++index;
  if (index == headers.size()) dkim_fixture_fail("corpus message is not signed");
  auto signature = hallmark::dkim::parse_signature(headers[index].value);
  if (!signature)
    dkim_fixture_fail("corpus signature does not parse: " + signature.error().message);
  hallmark::dkim::detail::HeaderIndex lookup(headers);
  hallmark::dkim::detail::DigestBytes digest =
      hallmark::dkim::detail::header_digest(headers, lookup, index, *signature);
  BaselineCase b{signer,
                 size,
                 message,
                 public_key_of(signer->key),
                 nullptr,
                 signature->signature,
                 std::string(digest.view())};
  if (signer->key.type() == hallmark::dkim::KeyType::rsa)
    b.rsa_verify = prepared_rsa_verify(b.public_key.get());
  if (!baseline_verify(b)) dkim_fixture_fail("the baseline cannot verify the corpus signature");
  return b;
}

}  // namespace hallmark_bench
