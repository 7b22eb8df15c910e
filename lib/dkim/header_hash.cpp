// SPDX-License-Identifier: Apache-2.0
// Header selection and hashing for DKIM signatures (RFC 6376 3.7, 5.4.2).
#include "dkim/internal/header_hash.hpp"

#include <algorithm>
#include <array>
#include <optional>

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

// Picks the field for each h= name in turn (RFC 6376 5.4.2): the instances of a name
// bottom-up, each once, never the field at `skip`.
class FieldPicker {
 public:
  FieldPicker(const HeaderIndex& index, std::size_t skip) : index_(index), skip_(skip) {
    if (index.size() > few_.size()) {
      many_.assign(index.size(), 0);
      used_ = many_;
    }
  }
  FieldPicker(const FieldPicker&) = delete;
  FieldPicker& operator=(const FieldPicker&) = delete;

  /// The index of the next field called `name`, or nullopt when none is left.
  std::optional<std::size_t> next(std::string_view name) {
    HeaderIndex::Group group = index_.find(name);
    if (group.count == 0) return std::nullopt;  // RFC 6376 5.4.2: a missing field adds nothing
    std::size_t& next = used_[group.first];
    if (next < group.count && index_.field(group.first + next) == skip_) ++next;
    if (next >= group.count) return std::nullopt;
    return index_.field(group.first + next++);
  }

 private:
  const HeaderIndex& index_;
  std::size_t skip_;
  // How many instances of each name h= has used so far, kept at the name's first position;
  // on the stack for header sections of usual size.
  std::array<std::size_t, 64> few_{};
  std::vector<std::size_t> many_;
  std::span<std::size_t> used_{few_};
};

// A string every call on a thread reuses, emptied: hashing a signature then allocates nothing
// once its thread has hashed one as large. One that a hostile header section made larger than
// `kept` is let go after use rather than held for the thread's life.
class Scratch {
 public:
  explicit Scratch(std::string& buffer) noexcept : buffer_(buffer) { buffer_.clear(); }
  ~Scratch() {
    if (buffer_.capacity() > kept) std::string().swap(buffer_);
  }
  Scratch(const Scratch&) = delete;
  Scratch& operator=(const Scratch&) = delete;
  std::string& text() noexcept { return buffer_; }

 private:
  static constexpr std::size_t kept = 64 * 1024;
  std::string& buffer_;
};

// What Scratch lends, one of each per thread.
std::string& canonical_buffer() {
  thread_local std::string buffer;
  return buffer;
}
std::string& blanked_buffer() {
  thread_local std::string buffer;
  return buffer;
}

// The canonical header data of one signature, digested. `for_each_name(visit)` calls `visit`
// with each name of h= in order.
template <class ForEachName>
DigestBytes digest_header(const mail::HeaderSection& headers, const HeaderIndex& index,
                          std::size_t field_index, Algorithm algorithm, Canonicalization c,
                          std::size_t b_value_offset, std::size_t b_value_length,
                          ForEachName&& for_each_name) {
  Scratch scratch(canonical_buffer());
  std::string& canonical = scratch.text();
  // Each field is selected once at most, and its canonical form is at most its raw bytes plus a
  // CRLF where a bare LF ended it.
  canonical.reserve(headers.raw().size() + 2 * headers.size() + 2);
  FieldPicker picker(index, field_index);
  for_each_name([&](std::string_view name) {
    if (std::optional<std::size_t> picked = picker.next(name))
      canonicalize_header(headers[*picked].raw, c, canonical);
  });
  const mail::HeaderField& field = headers[field_index];
  auto value_offset = static_cast<std::size_t>(field.value.data() - field.raw.data());
  std::size_t b_begin = value_offset + b_value_offset;
  append_signature_field(field.raw, b_begin, b_begin + b_value_length, c, canonical);
  return digest_of(hash_of(algorithm), canonical);
}

}  // namespace

HeaderIndex::HeaderIndex(const mail::HeaderSection& headers) : headers_(&headers) {
  if (headers.size() <= few_.size()) {
    order_ = std::span<std::size_t>(few_).first(headers.size());
  } else {
    many_.resize(headers.size());
    order_ = many_;
  }
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
  FieldPicker picker(index, skip);
  for (const std::string& name : names)
    if (std::optional<std::size_t> picked = picker.next(name))
      canonicalize_header(headers[*picked].raw, c, out);
}

void append_signature_field(std::string_view raw_field, std::size_t b_begin, std::size_t b_end,
                            Canonicalization c, std::string& out) {
  Scratch scratch(blanked_buffer());
  std::string& blanked = scratch.text();
  blanked.reserve(raw_field.size());
  blanked.append(raw_field.substr(0, b_begin));
  blanked.append(raw_field.substr(b_end));
  std::size_t start = out.size();
  canonicalize_header(blanked, c, out);
  // RFC 6376 3.7: the signature field is hashed without its trailing CRLF.
  if (out.size() >= start + 2) out.resize(out.size() - 2);
}

DigestBytes header_digest(const mail::HeaderSection& headers, const HeaderIndex& index,
                          std::size_t field_index, const Signature& signature) {
  return digest_header(headers, index, field_index, signature.algorithm,
                       signature.header_canonicalization, signature.b_value_offset,
                       signature.b_value_length, [&signature](auto&& visit) {
                         for (const std::string& name : signature.signed_headers) visit(name);
                       });
}

DigestBytes header_digest(const mail::HeaderSection& headers, const HeaderIndex& index,
                          std::size_t field_index, const SignatureFields& signature) {
  return digest_header(
      headers, index, field_index, signature.algorithm, signature.header_canonicalization,
      signature.b_value_offset, signature.b_value_length,
      [&signature](auto&& visit) { for_each_signed_header(signature.signed_headers, visit); });
}

}  // namespace hallmark::dkim::detail
