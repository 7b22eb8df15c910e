// SPDX-License-Identifier: Apache-2.0
// ARC values (RFC 8617): the parsed header fields of an ARC set and the result of validating
// a chain.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "hallmark/dkim/types.hpp"
#include "hallmark/export.hpp"
#include "hallmark/mail/auth_results.hpp"

namespace hallmark::arc {

/// RFC 8617 4.4 Chain Validation Status: the cv= of a seal and the result of validation.
enum class ChainStatus : std::uint8_t { none, pass, fail };
HALLMARK_API std::string_view to_string(ChainStatus status) noexcept;
HALLMARK_API std::optional<ChainStatus> parse_chain_status(std::string_view text) noexcept;

/// RFC 8617 4.2.1: instances run from 1 to 50.
inline constexpr unsigned max_instances = 50;

/// An ARC-Seal field value, parsed (RFC 8617 4.1.3).
struct Seal {
  unsigned instance = 0;                                    // i=
  dkim::Algorithm algorithm = dkim::Algorithm::rsa_sha256;  // a=
  ChainStatus chain_status = ChainStatus::none;             // cv=
  std::string domain;                                       // d=
  std::string selector;                                     // s=
  std::optional<std::int64_t> timestamp;                    // t=
  std::string signature;                                    // b=, decoded
  /// Where the b= value sits in the field value (hashed as empty when verifying).
  std::size_t b_value_offset = 0;
  std::size_t b_value_length = 0;
};

/// An ARC-Message-Signature field value, parsed (RFC 8617 4.1.2): a DKIM signature whose i=
/// is the instance. `signature.auid` is unused.
struct MessageSignature {
  unsigned instance = 0;
  dkim::Signature signature;
};

/// An ARC-Authentication-Results field value: the instance and the RFC 8601 payload.
struct AuthenticationResults {
  unsigned instance = 0;
  mail::AuthResults results;
};

/// Why a chain failed; stable names for logs and JSON (`to_string`).
enum class Reason : std::uint8_t {
  ok,
  too_many_sets,    // more than 50 (RFC 8617 5.2 step 1)
  newest_cv_fail,   // the newest seal says cv=fail (step 2)
  structure,        // missing, duplicate or malformed fields, gaps, bad cv (step 3)
  ams_invalid,      // the newest AMS does not verify (step 4)
  seal_invalid,     // a seal does not verify (step 6)
  key_unavailable,  // a key lookup failed temporarily (RFC 8617 5.2.1: still a fail)
  header_section,   // the header section broke the parser's limits
};
HALLMARK_API std::string_view to_string(Reason reason) noexcept;

/// What validation found out about one ARC set.
struct SetResult {
  unsigned instance = 0;
  ChainStatus chain_status = ChainStatus::none;  // the seal's cv=
  std::string seal_domain;                       // d= of the AS: who sealed this hop
  std::string seal_selector;
  std::string seal_algorithm;
  /// The AS's own verification: pass, fail, permerror..., or none when not reached.
  dkim::Outcome seal_result = dkim::Outcome::none;
  std::string ams_domain;  // d= of the AMS
  std::string ams_selector;
  /// The AMS's verification: the newest always, older ones when oldest-pass was asked for;
  /// none when not verified.
  dkim::Outcome ams_result = dkim::Outcome::none;
  std::string detail;  // why the AS or AMS did not verify
  /// The AAR's payload, when it parses; `aar_text` keeps it as written either way.
  std::optional<mail::AuthResults> aar;
  std::string aar_text;
};

/// The verdict on a message's Authenticated Received Chain.
struct Result {
  ChainStatus outcome = ChainStatus::none;
  Reason reason = Reason::ok;
  std::string detail;            // the problem in words
  unsigned failed_instance = 0;  // the set that failed, 0 when none (or the whole structure)
  /// RFC 8617 5.2 step 5, when asked for (VerifyOptions::oldest_pass): the oldest instance
  /// from which every AMS still verifies, 0 when all do; nullopt when not computed or when the
  /// chain fails.
  std::optional<unsigned> oldest_pass;
  /// A key lookup failed temporarily: the chain fails (RFC 8617 5.2.1) but a retry may pass.
  bool dns_failure = false;
  /// Every set in instance order (as far as they could be told apart).
  std::vector<SetResult> sets;

  /// The sealer domains (d= of each AS), oldest first, of a passing chain; empty otherwise.
  /// What a receiver's local policy needs to trust a forwarder (RFC 8617 7.2.1).
  std::vector<std::string> sealers() const;
};

}  // namespace hallmark::arc
