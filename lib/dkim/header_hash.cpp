// SPDX-License-Identifier: Apache-2.0
// Header selection and hashing for DKIM signatures (RFC 6376 3.7, 5.4.2).
#include "dkim/internal/header_hash.hpp"

#include "dkim/internal/crypto.hpp"
#include "hallmark/core/domain.hpp"
#include "hallmark/dkim/canonicalize.hpp"

namespace hallmark::dkim::detail {

HeaderIndex::HeaderIndex(const mail::HeaderSection& headers) {
  for (std::size_t i = headers.size(); i-- > 0;)
    by_name_[core::to_lower_ascii(headers[i].name)].push_back(i);
}

const std::vector<std::size_t>& HeaderIndex::bottom_up(const std::string& lower_name) const {
  static const std::vector<std::size_t> none;
  auto it = by_name_.find(lower_name);
  return it == by_name_.end() ? none : it->second;
}

void append_signed_headers(const mail::HeaderSection& headers, const HeaderIndex& index,
                           const std::vector<std::string>& names, Canonicalization c,
                           std::string& out) {
  std::unordered_map<std::string, std::size_t> used;
  for (const std::string& name : names) {
    std::string lower = core::to_lower_ascii(name);
    const std::vector<std::size_t>& instances = index.bottom_up(lower);
    std::size_t& next = used[lower];
    if (next >= instances.size()) continue;  // RFC 6376 5.4.2: a missing field adds nothing
    canonicalize_header(headers[instances[next]].raw, c, out);
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
  append_signed_headers(headers, index, signature.signed_headers,
                        signature.header_canonicalization, canonical);
  const mail::HeaderField& field = headers[field_index];
  auto value_offset = static_cast<std::size_t>(field.value.data() - field.raw.data());
  std::size_t b_begin = value_offset + signature.b_value_offset;
  append_signature_field(field.raw, b_begin, b_begin + signature.b_value_length,
                         signature.header_canonicalization, canonical);
  return digest_of(hash_of(signature.algorithm), canonical);
}

}  // namespace hallmark::dkim::detail
