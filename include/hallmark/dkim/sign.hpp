// SPDX-License-Identifier: Apache-2.0
// DKIM signing (RFC 6376 5, RFC 8463): private keys, key generation with the DNS record to
// publish, and a streaming signer producing the DKIM-Signature field to prepend.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "hallmark/core/error.hpp"
#include "hallmark/dkim/types.hpp"
#include "hallmark/export.hpp"
#include "hallmark/mail/header.hpp"
#include "hallmark/mail/stream.hpp"

namespace hallmark::dkim {

/// A private signing key (RSA or Ed25519). Copies share the key.
class HALLMARK_API PrivateKey {
 public:
  /// PEM: PKCS#8 ("PRIVATE KEY"), PKCS#1 ("RSA PRIVATE KEY"), or a base64 Ed25519 seed of 32
  /// octets (the form dkimpy uses). Errors: Errc::bad_value when no key can be read,
  /// Errc::unsupported for key types DKIM does not use.
  static core::Expected<PrivateKey> from_pem(std::string_view text);
  /// A new key: RSA of `bits` (1024..8192) or Ed25519 (bits ignored).
  /// Errors: Errc::bad_value for an RSA size out of range.
  static core::Expected<PrivateKey> generate(KeyType type, unsigned bits = 2048);

  KeyType type() const noexcept { return type_; }
  unsigned bits() const noexcept { return bits_; }
  /// PKCS#8 PEM.
  std::string to_pem() const;
  /// The key record to publish at <selector>._domainkey.<domain>: "v=DKIM1; k=rsa; p=...".
  std::string dns_record() const;

  /// The OpenSSL key (EVP_PKEY*), for the library's own use.
  void* native() const noexcept { return key_.get(); }

 private:
  std::shared_ptr<void> key_;
  KeyType type_ = KeyType::rsa;
  unsigned bits_ = 0;
};

/// Header fields signed by default: those RFC 6376 5.4.1 recommends that a message has.
HALLMARK_API const std::vector<std::string>& default_signed_headers();

struct SignOptions {
  std::string domain;    // d=
  std::string selector;  // s=
  /// a=; when empty, rsa-sha256 for RSA keys and ed25519-sha256 for Ed25519 keys.
  std::optional<Algorithm> algorithm;
  Canonicalization header_canonicalization = Canonicalization::relaxed;
  Canonicalization body_canonicalization = Canonicalization::relaxed;
  /// Field names to sign when present (From is always signed).
  std::vector<std::string> headers = default_signed_headers();
  /// List each signed name once more than it occurs, so added instances break the signature.
  bool oversign = false;
  std::optional<std::string> auid;           // i=
  bool body_length = false;                  // add l= with the canonical body length
  bool timestamp = true;                     // add t=
  std::optional<std::int64_t> expire_after;  // add x= = t= + this many seconds
  /// Seconds since the epoch; the system clock when empty.
  std::function<std::int64_t()> now;
  mail::Limits limits;
};

/// Streaming signer: feed() the raw message in any chunks, then finish() gives the whole
/// DKIM-Signature field (folded, ending in CRLF) to put at the top of the message.
class HALLMARK_API Signer final : public mail::MessageHandler {
 public:
  Signer(PrivateKey key, SignOptions options);
  ~Signer() override;
  Signer(const Signer&) = delete;
  Signer& operator=(const Signer&) = delete;

  /// Errors: those of mail::MessageParser.
  core::Expected<void> feed(std::string_view bytes);
  /// Errors: Errc::missing_tag when the message has no From field (RFC 6376 5.4), or
  /// Errc::bad_value for options that cannot work (an algorithm for another key type, no
  /// domain or selector, i= outside d=).
  core::Expected<std::string> finish();

  void on_end_of_headers(const mail::HeaderSection& headers) override;
  void on_body(std::string_view chunk) override;
  void on_end() override;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

/// Signs a whole message; returns the DKIM-Signature field to prepend.
HALLMARK_API core::Expected<std::string> sign_message(std::string_view message,
                                                      const PrivateKey& key, SignOptions options);

}  // namespace hallmark::dkim
