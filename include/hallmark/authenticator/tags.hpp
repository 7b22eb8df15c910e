// SPDX-License-Identifier: Apache-2.0
// Verdict tags in the spirit of the spam-filter symbols operators know (SPF_ALLOW,
// DKIM_REJECT, DMARC_POLICY_ALLOW, ...) and the score table that weighs them.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "hallmark/core/error.hpp"
#include "hallmark/export.hpp"

namespace hallmark::authenticator {

/// Every tag a verdict can carry. Which results fire which tag is one table, in
/// lib/authenticator/assemble.cpp, and the README lists it.
enum class Tag : std::uint8_t {
  spf_allow,            // SPF_ALLOW: the MAIL FROM (or HELO) identity passed
  spf_fail,             // SPF_FAIL
  spf_softfail,         // SPF_SOFTFAIL
  spf_neutral,          // SPF_NEUTRAL
  spf_na,               // SPF_NA: no SPF record (none)
  spf_dnsfail,          // SPF_DNSFAIL: temperror
  spf_permfail,         // SPF_PERMFAIL: permerror (syntax, too many lookups)
  dkim_allow,           // DKIM_ALLOW: at least one signature passed
  dkim_reject,          // DKIM_REJECT: a signature failed (altered message, wrong key)
  dkim_tempfail,        // DKIM_TEMPFAIL: a key lookup failed temporarily
  dkim_permfail,        // DKIM_PERMFAIL: a signature or key unusable (syntax, revoked, expired)
  dkim_na,              // DKIM_NA: no signature, or only neutral ones
  arc_allow,            // ARC_ALLOW: the chain passed
  arc_reject,           // ARC_REJECT: the chain failed
  arc_na,               // ARC_NA: no chain
  arc_dnsfail,          // ARC_DNSFAIL: the chain failed because a key lookup failed temporarily
  arc_trusted,          // ARC_TRUSTED: a trusted sealer's passing chain overrode a DMARC failure
  dmarc_policy_allow,   // DMARC_POLICY_ALLOW
  dmarc_policy_reject,  // DMARC_POLICY_REJECT: failed, disposition reject
  dmarc_policy_quarantine,  // DMARC_POLICY_QUARANTINE: failed, disposition quarantine
  dmarc_policy_softfail,    // DMARC_POLICY_SOFTFAIL: failed, disposition none (p=none, t=y,
                            // or a local override)
  dmarc_na,                 // DMARC_NA: no policy published
  dmarc_dnsfail,            // DMARC_DNSFAIL: temperror
  dmarc_bad_policy,         // DMARC_BAD_POLICY: permerror
  iprev_allow,              // IPREV_ALLOW: forward-confirmed reverse DNS
  iprev_fail,               // IPREV_FAIL: no PTR, or no PTR name leads back to the IP
  iprev_dnsfail,            // IPREV_DNSFAIL: temperror
  iprev_permfail,           // IPREV_PERMFAIL: permerror
  allowlist_dmarc,          // ALLOWLIST_DMARC: a domain on the DMARC list passed DMARC
  blocklist_dmarc,          // BLOCKLIST_DMARC: a domain on the DMARC list failed DMARC
  allowlist_spf_dkim,       // ALLOWLIST_SPF_DKIM: a listed SPF domain or d= passed
  blocklist_spf_dkim,       // BLOCKLIST_SPF_DKIM: a listed SPF domain or d= failed
};

inline constexpr std::size_t tag_count = static_cast<std::size_t>(Tag::blocklist_spf_dkim) + 1;

/// "SPF_ALLOW", "DMARC_POLICY_REJECT", ...
HALLMARK_API std::string_view to_string(Tag tag) noexcept;
/// The tag of a name as to_string() spells it (ASCII case-insensitive); nullopt otherwise.
HALLMARK_API std::optional<Tag> parse_tag(std::string_view name) noexcept;

/// A score per tag: what a spam filter adds up. Positive is spammy, negative is hammy.
class HALLMARK_API ScoreTable {
 public:
  /// The defaults: the weights rspamd and Stalwart give the same symbols (SPF_FAIL 1.0,
  /// DMARC_POLICY_REJECT 2.0, ALLOWLIST_DMARC -7.0, ...), listed in the README.
  ScoreTable() noexcept;

  double score(Tag tag) const noexcept { return scores_[static_cast<std::size_t>(tag)]; }
  void set(Tag tag, double score) noexcept { scores_[static_cast<std::size_t>(tag)] = score; }

  /// The defaults overridden by `text`: one "TAG = score" per line, blank lines and "#"
  /// comments (whole-line or after the score) allowed. Errors name the line: Errc::syntax for
  /// a line that is not TAG = NUMBER, Errc::bad_value for an unknown tag or a score that is
  /// not a finite number, Errc::duplicate_tag for a tag given twice. Error::offset is the
  /// byte offset of the offending line.
  static core::Expected<ScoreTable> parse(std::string_view text);
  /// parse() of a file's contents; Errc::io when it cannot be read (the message names it).
  static core::Expected<ScoreTable> load(const std::string& path);

 private:
  std::array<double, tag_count> scores_{};
};

}  // namespace hallmark::authenticator
