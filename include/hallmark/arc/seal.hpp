// SPDX-License-Identifier: Apache-2.0
// ARC sealing (RFC 8617 5.1): validate the incoming chain, then add the next ARC set (AAR,
// AMS and AS) signed with this host's key.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "hallmark/arc/verify.hpp"
#include "hallmark/core/error.hpp"
#include "hallmark/core/task.hpp"
#include "hallmark/dkim/sign.hpp"
#include "hallmark/dns/resolver.hpp"
#include "hallmark/export.hpp"

namespace hallmark::arc {

/// Header fields the AMS signs by default, when present: those DKIM signs by default plus
/// DKIM-Signature (RFC 8617 4.1.2 asks for it), never Authentication-Results or ARC fields.
HALLMARK_API const std::vector<std::string>& default_sealed_headers();

struct SealOptions {
  std::string domain;       // d= of the AMS and the AS
  std::string selector;     // s=
  std::string authserv_id;  // of the AAR
  /// This host's results for the message: the payload of the AAR after "authserv-id;"
  /// ("spf=pass smtp.mailfrom=...; dkim=pass ..."), or "none". An "arc=" result is added
  /// from the validation unless present.
  std::string auth_results = "none";
  /// a=: rsa-sha256 (RFC 8617 names only RSA); ed25519-sha256 only when asked for.
  std::optional<dkim::Algorithm> algorithm;
  dkim::Canonicalization header_canonicalization = dkim::Canonicalization::relaxed;
  dkim::Canonicalization body_canonicalization = dkim::Canonicalization::relaxed;
  /// Field names the AMS signs when present.
  std::vector<std::string> headers = default_sealed_headers();
  /// Seconds since the epoch for t=; the system clock when empty. Tests pin it.
  std::function<std::int64_t()> now;
  /// How the incoming chain is validated first.
  VerifyOptions verify;
};

/// What sealing produced.
struct Sealed {
  /// The three fields to put at the top of the message, in this order: ARC-Seal,
  /// ARC-Message-Signature, ARC-Authentication-Results, each folded and ending in CRLF. Empty
  /// when nothing is sealed: the newest incoming seal already says cv=fail (RFC 8617 5.1 step
  /// 2), or the chain already has 50 sets.
  std::string fields;
  unsigned instance = 0;                         // of the new set; 0 when none
  ChainStatus chain_status = ChainStatus::none;  // the cv= sealed
  Result validation;                             // of the incoming chain
  std::string skipped;                           // why nothing was sealed
};

/// Seals a whole message held in memory (`message` must outlive the task). Errors:
/// Errc::bad_value for options that cannot work (no domain, selector or authserv-id, a key
/// of another type than the algorithm, ed25519 not asked for), Errc::missing_tag when the
/// message has no From, and those of mail::MessageParser.
HALLMARK_API core::Task<core::Expected<Sealed>> seal_message(dns::Resolver& resolver,
                                                             std::string_view message,
                                                             dkim::PrivateKey key,
                                                             SealOptions options);

}  // namespace hallmark::arc
