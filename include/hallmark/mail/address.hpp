// SPDX-License-Identifier: Apache-2.0
// RFC 5322 address lists (From, Sender, Reply-To, To, Cc): the mailboxes they name.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "hallmark/core/error.hpp"
#include "hallmark/export.hpp"

namespace hallmark::mail {

/// One mailbox of an address list.
struct HALLMARK_API Mailbox {
  /// The display name decoded: quotes and quoted-pair backslashes removed, comments dropped,
  /// each run of whitespace and comments between words turned into one space, folds removed.
  /// RFC 2047 encoded words are left encoded. Empty when there is none.
  std::string display_name;
  /// The local part as written, comments and folding whitespace removed: a quoted local part
  /// keeps its quotes and backslashes ("\"john doe\""), so it can be used as written.
  std::string local_part;
  /// The domain as written, comments and whitespace removed, case and 8-bit bytes (RFC 6532)
  /// kept; a domain literal keeps its brackets ("[192.0.2.1]"). Not lower-cased, not
  /// converted to A-labels: that is the caller's job.
  std::string domain;
  /// local_part "@" domain.
  std::string address;
  /// The display name of the group the mailbox was listed in, decoded like display_name;
  /// empty outside a group.
  std::string group;
  /// Byte position in the parsed value where the mailbox (its display name, if any) starts.
  std::size_t offset = 0;

  /// Whether the domain is a literal such as "[192.0.2.1]" or "[IPv6:2001:db8::1]".
  bool has_domain_literal() const noexcept { return !domain.empty() && domain.front() == '['; }

  friend bool operator==(const Mailbox&, const Mailbox&) = default;
};

/// Parses an RFC 5322 3.4 address-list, with the obsolete forms of RFC 5322 4.4 (empty list
/// elements, routes in angle addresses, comments and whitespace around dots, phrases with
/// dots, quoted words in local parts) and RFC 6532 8-bit bytes. Groups (allowed in From and
/// Sender by RFC 6854) contribute their members, each tagged with the group's name; an empty
/// group contributes nothing. `value` may be folded or unfolded.
///
/// Runs in time linear in the input with no recursion; comment nesting is limited to
/// kMaxCommentDepth levels.
///
/// Errors, with the offset of the offending byte: Errc::syntax for an empty list, an
/// unterminated quoted string, comment, domain literal or angle address, a missing '@' or
/// domain, a display name that is not a phrase, a group inside a group, or trailing garbage;
/// Errc::too_many for comments nested deeper than kMaxCommentDepth.
HALLMARK_API core::Expected<std::vector<Mailbox>> parse_address_list(std::string_view value);

/// How deeply comments may nest in parse_address_list(); real mail nests one or two deep.
inline constexpr std::size_t kMaxCommentDepth = 64;

}  // namespace hallmark::mail
