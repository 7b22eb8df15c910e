// SPDX-License-Identifier: Apache-2.0
// The header hash of a DKIM signature (RFC 6376 3.7, 5.4.2): signed fields chosen bottom-up
// by name, then the signature field itself with b= emptied. Layer-private; ARC reuses it.
#pragma once

#include <array>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "dkim/internal/crypto.hpp"
#include "dkim/internal/signature_tags.hpp"
#include "hallmark/dkim/types.hpp"
#include "hallmark/mail/header.hpp"

namespace hallmark::dkim::detail {

/// Field indices grouped by name (ASCII case-insensitive), bottom-up within a name: built once
/// per message as one sorted array, shared by every signature, so a 100,000-name h= costs one
/// binary search per name and nothing is allocated per name or per lookup.
class HeaderIndex {
 public:
  explicit HeaderIndex(const mail::HeaderSection& headers);
  // The order may live in this object.
  HeaderIndex(const HeaderIndex&) = delete;
  HeaderIndex& operator=(const HeaderIndex&) = delete;

  /// The fields called `name` (any case) are positions [first, first + count) of the order.
  struct Group {
    std::size_t first = 0;
    std::size_t count = 0;
  };
  Group find(std::string_view name) const noexcept;
  /// Indices of the fields called `name` (any case), last field first; empty when there are none.
  std::span<const std::size_t> bottom_up(std::string_view name) const noexcept;
  /// The field index at a position of the order.
  std::size_t field(std::size_t position) const noexcept { return order_[position]; }
  /// How many positions the order has: one per field.
  std::size_t size() const noexcept { return order_.size(); }

 private:
  const mail::HeaderSection* headers_;
  // Field indices by name, then last field first: in `few_` for a header section of usual
  // size, which a verification then indexes without the heap.
  std::span<std::size_t> order_;
  std::array<std::size_t, 64> few_;
  std::vector<std::size_t> many_;
};

/// Appends the canonical signed header fields named by `names` (each instance used once,
/// bottom-up; names with no instance left add nothing, which is how over-signing works).
/// The field at `skip` is never selected: a signature field did not exist when it was signed,
/// so it cannot be among the fields its own h= covers.
void append_signed_headers(const mail::HeaderSection& headers, const HeaderIndex& index,
                           const std::vector<std::string>& names, Canonicalization c,
                           std::string& out, std::size_t skip = static_cast<std::size_t>(-1));

/// Appends the canonical signature field `raw_field` with the value between `b_begin` and
/// `b_end` (offsets into the raw field) removed and without the final CRLF.
void append_signature_field(std::string_view raw_field, std::size_t b_begin, std::size_t b_end,
                            Canonicalization c, std::string& out);

/// The digest a DKIM signature signs, for the field at `field_index`.
DigestBytes header_digest(const mail::HeaderSection& headers, const HeaderIndex& index,
                          std::size_t field_index, const Signature& signature);
/// The same for a signature parsed by parse_signature_fields().
DigestBytes header_digest(const mail::HeaderSection& headers, const HeaderIndex& index,
                          std::size_t field_index, const SignatureFields& signature);

}  // namespace hallmark::dkim::detail
