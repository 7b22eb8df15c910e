// SPDX-License-Identifier: Apache-2.0
// Header selection and hashing for DKIM signatures (RFC 6376 3.7, 5.4.2).
#include "dkim/internal/header_hash.hpp"

#include <algorithm>
#include <array>

#include "core/internal/ascii.hpp"
#include "dkim/internal/crypto.hpp"
#include "hallmark/dkim/canonicalize.hpp"

namespace hallmark::dkim::detail {
namespace {

// Negative, zero or positive as `a` sorts before, with or after `b`: shorter names first, then
// ASCII case-insensitively. Any total order groups equal names; this one settles most
// comparisons on the lengths alone.
int compare_names(std::string_view a, std::string_view b) noexcept {
  if (a.size() != b.size()) return a.size() < b.size() ? -1 : 1;
  for (std::size_t i = 0; i < a.size(); ++i) {
    char x = core::detail::to_lower(a[i]);
    char y = core::detail::to_lower(b[i]);
    if (x != y) return static_cast<unsigned char>(x) < static_cast<unsigned char>(y) ? -1 : 1;
  }
  return 0;
}

}  // namespace

HeaderIndex::HeaderIndex(const mail::HeaderSection& headers) : headers_(&headers) {
  order_.resize(headers.size());
  for (std::size_t i = 0; i < order_.size(); ++i) order_[i] = i;
  std::sort(order_.begin(), order_.end(), [&headers](std::size_t a, std::size_t b) {
    int by_name = compare_names(headers[a].name, headers[b].name);
    return by_name != 0 ? by_name < 0 : a > b;  // RFC 6376 5.4.2: the last instance first
  });
}

HeaderIndex::Group HeaderIndex::find(std::string_view name) const noexcept {
  const mail::HeaderSection& headers = *headers_;
  auto first = std::partition_point(order_.begin(), order_.end(), [&](std::size_t i) {
    return compare_names(headers[i].name, name) < 0;
  });
  auto last = std::partition_point(first, order_.end(), [&](std::size_t i) {
    return compare_names(headers[i].name, name) == 0;
  });
  return Group{static_cast<std::size_t>(first - order_.begin()),
               static_cast<std::size_t>(last - first)};
}

std::span<const std::size_t> HeaderIndex::bottom_up(std::string_view name) const noexcept {
  Group group = find(name);
  return std::span<const std::size_t>(order_).subspan(group.first, group.count);
}

void append_signed_headers(const mail::HeaderSection& headers, const HeaderIndex& index,
                           const std::vector<std::string>& names, Canonicalization c,
                           std::string& out, std::size_t skip) {
  // How many instances of each name h= has used so far, kept at the name's first position;
  // on the stack for header sections of usual size.
  std::array<std::size_t, 64> few{};
  std::vector<std::size_t> many;
  std::span<std::size_t> used(few);
  if (index.size() > few.size()) {
    many.assign(index.size(), 0);
    used = many;
  }
  for (const std::string& name : names) {
    HeaderIndex::Group group = index.find(name);
    if (group.count == 0) continue;  // RFC 6376 5.4.2: a missing field adds nothing
    std::size_t& next = used[group.first];
    if (next < group.count && index.field(group.first + next) == skip) ++next;
    if (next >= group.count) continue;
    canonicalize_header(headers[index.field(group.first + next)].raw, c, out);
    ++next;
  }
}

void append_signature_field(std::string_view raw_field, std::size_t b_begin, std::size_t b_end,
                            Canonicalization c, std::string& out) {
  std::string blanked;
  blanked.reserve(raw_field.size());
  blanked.append(raw_field.substr(0, b_begin));
  blanked.append(raw_field.substr(b_end));
  std::size_t start = out.size();
  canonicalize_header(blanked, c, out);
  // RFC 6376 3.7: the signature field is hashed without its trailing CRLF.
  if (out.size() >= start + 2) out.resize(out.size() - 2);
}

std::string header_digest(const mail::HeaderSection& headers, const HeaderIndex& index,
                          std::size_t field_index, const Signature& signature) {
  std::string canonical;
  // Canonical fields are at most the raw ones plus a CRLF each where a bare LF ended them.
  canonical.reserve(headers.raw().size() + 2 * signature.signed_headers.size() + 2);
  append_signed_headers(headers, index, signature.signed_headers, signature.header_canonicalization,
                        canonical, field_index);
  const mail::HeaderField& field = headers[field_index];
  auto value_offset = static_cast<std::size_t>(field.value.data() - field.raw.data());
  std::size_t b_begin = value_offset + signature.b_value_offset;
  append_signature_field(field.raw, b_begin, b_begin + signature.b_value_length,
                         signature.header_canonicalization, canonical);
  return digest_of(hash_of(signature.algorithm), canonical);
}

}  // namespace hallmark::dkim::detail
