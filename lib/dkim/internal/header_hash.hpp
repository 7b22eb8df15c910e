// SPDX-License-Identifier: Apache-2.0
// The header hash of a DKIM signature (RFC 6376 3.7, 5.4.2): signed fields chosen bottom-up
// by name, then the signature field itself with b= emptied. Layer-private; ARC reuses it.
#pragma once

#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "hallmark/dkim/types.hpp"
#include "hallmark/mail/header.hpp"

namespace hallmark::dkim::detail {

/// Field indices by lower-case name, bottom-up: built once per message, shared by every
/// signature so a 100,000-name h= costs one map lookup per name.
class HeaderIndex {
 public:
  explicit HeaderIndex(const mail::HeaderSection& headers);
  /// Indices of the fields called `lower_name`, last field first; empty when there are none.
  const std::vector<std::size_t>& bottom_up(const std::string& lower_name) const;

 private:
  std::unordered_map<std::string, std::vector<std::size_t>> by_name_;
};

/// Appends the canonical signed header fields named by `names` (each instance used once,
/// bottom-up; names with no instance left add nothing, which is how over-signing works).
void append_signed_headers(const mail::HeaderSection& headers, const HeaderIndex& index,
                           const std::vector<std::string>& names, Canonicalization c,
                           std::string& out);

/// Appends the canonical signature field `raw_field` with the value between `b_begin` and
/// `b_end` (offsets into the raw field) removed and without the final CRLF.
void append_signature_field(std::string_view raw_field, std::size_t b_begin, std::size_t b_end,
                            Canonicalization c, std::string& out);

/// The digest a DKIM signature signs, for the field at `field_index`.
std::string header_digest(const mail::HeaderSection& headers, const HeaderIndex& index,
                          std::size_t field_index, const Signature& signature);

}  // namespace hallmark::dkim::detail
