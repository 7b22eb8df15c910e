// SPDX-License-Identifier: Apache-2.0
// DKIM values (RFC 6376, 8301, 8463): algorithms, a parsed DKIM-Signature, a parsed key
// record, and the per-signature verification result.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "hallmark/export.hpp"

namespace hallmark::dkim {

enum class Algorithm : std::uint8_t { rsa_sha1, rsa_sha256, ed25519_sha256 };
enum class Canonicalization : std::uint8_t { simple, relaxed };
enum class KeyType : std::uint8_t { rsa, ed25519 };
enum class Hash : std::uint8_t { sha1, sha256 };

HALLMARK_API std::string_view to_string(Algorithm algorithm) noexcept;
HALLMARK_API std::string_view to_string(Canonicalization canonicalization) noexcept;
HALLMARK_API std::optional<Algorithm> parse_algorithm(std::string_view text) noexcept;
HALLMARK_API Hash hash_of(Algorithm algorithm) noexcept;
HALLMARK_API KeyType key_type_of(Algorithm algorithm) noexcept;

/// A DKIM-Signature field value, parsed (RFC 6376 3.5).
struct Signature {
  Algorithm algorithm = Algorithm::rsa_sha256;
  std::string signature;  // b=, decoded
  std::string body_hash;  // bh=, decoded
  Canonicalization header_canonicalization = Canonicalization::simple;
  Canonicalization body_canonicalization = Canonicalization::simple;
  std::string domain;                        // d= (SDID), as written
  std::vector<std::string> signed_headers;   // h=, in order, as written
  std::string auid;                          // i=, quoted-printable decoded; "@" + d= by default
  std::optional<std::uint64_t> body_length;  // l=
  std::string selector;                      // s=
  std::optional<std::int64_t> timestamp;     // t=
  std::optional<std::int64_t> expiration;    // x=
  /// Where the b= value sits in the parsed field value, so verification can hash the field
  /// with b= emptied (RFC 6376 3.7) without re-parsing.
  std::size_t b_value_offset = 0;
  std::size_t b_value_length = 0;
};

/// A DKIM key record (RFC 6376 3.6.1).
struct KeyRecord {
  KeyType type = KeyType::rsa;        // k=
  std::vector<Hash> hashes;           // h=; empty means any
  std::string public_key;             // p=, decoded; empty means revoked
  std::vector<std::string> services;  // s=; empty means "*"
  bool testing = false;               // t=y
  bool strict_subdomains = false;     // t=s: i= must not be a subdomain of d=
  std::string notes;                  // n=
  bool revoked() const noexcept { return public_key.empty(); }
};

/// RFC 8601 2.7.1 result names.
enum class Outcome : std::uint8_t { none, pass, fail, policy, neutral, temperror, permerror };
HALLMARK_API std::string_view to_string(Outcome outcome) noexcept;

/// Why a signature got its outcome; stable names for logs and JSON (`to_string`).
enum class Reason : std::uint8_t {
  ok,
  syntax,                 // the field does not parse (the detail names the tag)
  unsupported_version,    // v= is not 1
  unsupported_algorithm,  // a= unknown
  sha1_rejected,          // rsa-sha1 and sha1 not allowed (RFC 8301 3.1)
  from_not_signed,        // h= lacks From (RFC 6376 5.4)
  auid_outside_domain,    // i= not within d= (RFC 6376 3.5)
  expired,                // x= in the past
  future_timestamp,       // t= in the future beyond the allowed skew
  key_unavailable,        // the key's DNS lookup failed temporarily
  key_not_found,          // no key record
  key_syntax,             // the key record does not parse
  key_revoked,            // p= empty
  key_type_mismatch,      // k= does not match a=
  key_hash_rejected,      // key h= excludes the signature's hash
  key_service_mismatch,   // key s= excludes email
  key_strict_subdomain,   // key t=s and i= is a subdomain of d=
  key_too_small,          // RSA key below the minimum (RFC 8301 3.2)
  key_unusable,           // the key data cannot be decoded
  body_hash_mismatch,     // bh= does not match the body (RFC 6376 6.1.3)
  body_length_exceeds,    // l= is larger than the canonicalized body
  body_not_covered,       // l= leaves octets of the body unsigned (VerifyOptions::unsigned_body)
  signature_mismatch,     // b= does not verify
  too_many_signatures,    // past the per-message cap
};
HALLMARK_API std::string_view to_string(Reason reason) noexcept;

/// The verdict on one DKIM-Signature field.
struct Result {
  Outcome outcome = Outcome::permerror;
  Reason reason = Reason::syntax;
  std::string detail;                        // human text naming the problem
  std::string domain;                        // d=
  std::string selector;                      // s=
  std::string algorithm;                     // a= as written (also when unknown)
  std::string auid;                          // i=
  std::string header_b;                      // the first characters of b=, for RFC 6008 header.b
  bool testing = false;                      // the key says t=y
  unsigned key_bits = 0;                     // RSA modulus size, 256 for ed25519
  std::optional<std::uint64_t> body_length;  // l=
  /// The canonicalized body's length and how much of it l= leaves unsigned (content a
  /// relay, or an attacker, added after signing); both 0 until the body has been hashed.
  std::uint64_t canonical_body_length = 0;
  std::uint64_t unsigned_body_octets = 0;
  std::size_t field_index = 0;  // which header field of the message it came from
};

}  // namespace hallmark::dkim
