// SPDX-License-Identifier: Apache-2.0
// Helpers shared by the DKIM tests: keys of any size (PrivateKey::generate refuses RSA below
// 1024 bits, which the small-key tests need), a pinned clock, signing and verifying in one call.
#pragma once

#include <openssl/evp.h>
#include <openssl/pem.h>

#include <cstdint>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include <gtest/gtest.h>

#include "hallmark/core/sync_wait.hpp"
#include "hallmark/dkim/sign.hpp"
#include "hallmark/dkim/verify.hpp"
#include "hallmark/dns/zone_resolver.hpp"

namespace hallmark::dkim::testing {

/// 2023-11-14: the time every signature of these tests is made and checked at.
inline constexpr std::int64_t pinned_now = 1700000000;

inline std::string read_conformance(std::string_view path) {
  std::ifstream in(std::string(HALLMARK_CONFORMANCE_DIR) + "/" + std::string(path),
                   std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

/// An RSA key of any size, made with OpenSSL directly, and handed over as PEM the way an
/// operator would. Keys are cached by size: generating them is the slow part of these tests.
inline PrivateKey rsa_key(unsigned bits) {
  static std::map<unsigned, PrivateKey> keys;
  if (auto it = keys.find(bits); it != keys.end()) return it->second;
  EVP_PKEY* key = EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", static_cast<std::size_t>(bits));
  BIO* bio = BIO_new(BIO_s_mem());
  PEM_write_bio_PrivateKey(bio, key, nullptr, nullptr, 0, nullptr, nullptr);
  char* data = nullptr;
  long size = BIO_get_mem_data(bio, &data);
  std::string pem(data, static_cast<std::size_t>(size));
  BIO_free(bio);
  EVP_PKEY_free(key);
  auto parsed = PrivateKey::from_pem(pem);
  if (!parsed) {
    ADD_FAILURE() << "cannot read back a " << bits << "-bit RSA key: " << parsed.error().message;
    return *PrivateKey::generate(KeyType::rsa, 1024);
  }
  return keys.emplace(bits, *parsed).first->second;
}

inline PrivateKey ed25519_key() {
  static const PrivateKey key = *PrivateKey::generate(KeyType::ed25519);
  return key;
}

inline PrivateKey key_of(KeyType type) {
  return type == KeyType::rsa ? rsa_key(2048) : ed25519_key();
}

/// Signing options for d=example.com s=sel at the pinned time.
inline SignOptions sign_options(std::string domain = "example.com", std::string selector = "sel") {
  SignOptions options;
  options.domain = std::move(domain);
  options.selector = std::move(selector);
  options.now = [] { return pinned_now; };
  return options;
}

/// The message with the DKIM-Signature field prepended; "" (and a test failure) if signing
/// fails.
inline std::string signed_copy(std::string_view message, const PrivateKey& key,
                               SignOptions options) {
  auto field = sign_message(message, key, std::move(options));
  if (!field) {
    ADD_FAILURE() << "signing failed: " << field.error().message;
    return {};
  }
  return *field + std::string(message);
}

/// Verifies at the pinned time (unless the options set a clock) with a fresh key cache, so
/// tests that publish different keys under one name do not see each other's.
inline std::vector<Result> verify(dns::Resolver& resolver, std::string_view message,
                                  VerifyOptions options = {}) {
  if (!options.now) options.now = [] { return pinned_now; };
  KeyCache cache;
  options.key_cache = &cache;
  return core::sync_wait(verify_message(resolver, message, options), resolver.pump());
}

/// A zone with `record` at sel._domainkey.example.com.
inline dns::ZoneResolver zone_with(std::string record,
                                   std::string name = "sel._domainkey.example.com") {
  dns::ZoneResolver zone;
  zone.add_txt(name, {std::move(record)});
  return zone;
}

/// One line per result, "pass", "permerror/key_revoked": compact to compare and to print.
inline std::string summary(const Result& result) {
  std::string out(to_string(result.outcome));
  if (result.outcome != Outcome::pass) out += "/" + std::string(to_string(result.reason));
  return out;
}

inline std::string summary(const std::vector<Result>& results) {
  std::string out;
  for (const Result& r : results) out += (out.empty() ? "" : " ") + summary(r);
  return out;
}

}  // namespace hallmark::dkim::testing
