// SPDX-License-Identifier: Apache-2.0
// Names of DKIM algorithms, canonicalizations, outcomes and reasons.
#include "hallmark/dkim/types.hpp"

namespace hallmark::dkim {

std::string_view to_string(Algorithm algorithm) noexcept {
  switch (algorithm) {
    case Algorithm::rsa_sha1: return "rsa-sha1";
    case Algorithm::rsa_sha256: return "rsa-sha256";
    case Algorithm::ed25519_sha256: return "ed25519-sha256";
  }
  return "unknown";
}

std::string_view to_string(Canonicalization canonicalization) noexcept {
  return canonicalization == Canonicalization::relaxed ? "relaxed" : "simple";
}

std::optional<Algorithm> parse_algorithm(std::string_view text) noexcept {
  // RFC 6376 3.5: a= values are compared as written (lower case in every registration).
  if (text == "rsa-sha256") return Algorithm::rsa_sha256;
  if (text == "ed25519-sha256") return Algorithm::ed25519_sha256;
  if (text == "rsa-sha1") return Algorithm::rsa_sha1;
  return std::nullopt;
}

Hash hash_of(Algorithm algorithm) noexcept {
  return algorithm == Algorithm::rsa_sha1 ? Hash::sha1 : Hash::sha256;
}

KeyType key_type_of(Algorithm algorithm) noexcept {
  return algorithm == Algorithm::ed25519_sha256 ? KeyType::ed25519 : KeyType::rsa;
}

std::string_view to_string(Outcome outcome) noexcept {
  switch (outcome) {
    case Outcome::none: return "none";
    case Outcome::pass: return "pass";
    case Outcome::fail: return "fail";
    case Outcome::policy: return "policy";
    case Outcome::neutral: return "neutral";
    case Outcome::temperror: return "temperror";
    case Outcome::permerror: return "permerror";
  }
  return "permerror";
}

std::string_view to_string(Reason reason) noexcept {
  switch (reason) {
    case Reason::ok: return "ok";
    case Reason::syntax: return "syntax";
    case Reason::unsupported_version: return "unsupported_version";
    case Reason::unsupported_algorithm: return "unsupported_algorithm";
    case Reason::sha1_rejected: return "sha1_rejected";
    case Reason::from_not_signed: return "from_not_signed";
    case Reason::auid_outside_domain: return "auid_outside_domain";
    case Reason::expired: return "expired";
    case Reason::future_timestamp: return "future_timestamp";
    case Reason::key_unavailable: return "key_unavailable";
    case Reason::key_not_found: return "key_not_found";
    case Reason::key_syntax: return "key_syntax";
    case Reason::key_revoked: return "key_revoked";
    case Reason::key_type_mismatch: return "key_type_mismatch";
    case Reason::key_hash_rejected: return "key_hash_rejected";
    case Reason::key_service_mismatch: return "key_service_mismatch";
    case Reason::key_strict_subdomain: return "key_strict_subdomain";
    case Reason::key_too_small: return "key_too_small";
    case Reason::key_unusable: return "key_unusable";
    case Reason::body_hash_mismatch: return "body_hash_mismatch";
    case Reason::body_length_exceeds: return "body_length_exceeds";
    case Reason::body_not_covered: return "body_not_covered";
    case Reason::signature_mismatch: return "signature_mismatch";
    case Reason::too_many_signatures: return "too_many_signatures";
  }
  return "unknown";
}

}  // namespace hallmark::dkim
