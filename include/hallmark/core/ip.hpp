// SPDX-License-Identifier: Apache-2.0
// IP addresses (IPv4 and IPv6) and CIDR matching, as SPF's ip4/ip6/a/mx mechanisms need.
#pragma once

#include <array>
#include <compare>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "hallmark/core/error.hpp"
#include "hallmark/export.hpp"

namespace hallmark::core {

class HALLMARK_API IpAddress {
 public:
  enum class Family : std::uint8_t { v4, v6 };

  /// 0.0.0.0
  IpAddress() noexcept = default;
  static IpAddress v4(std::array<std::uint8_t, 4> bytes) noexcept;
  static IpAddress v6(std::array<std::uint8_t, 16> bytes) noexcept;
  /// Dotted quad (no leading zeros, no shorthand) or RFC 4291 text form, with no zone index.
  /// Errors: Errc::syntax naming the text.
  static Expected<IpAddress> parse(std::string_view text);

  Family family() const noexcept { return family_; }
  bool is_v4() const noexcept { return family_ == Family::v4; }
  bool is_v6() const noexcept { return family_ == Family::v6; }
  /// 4 bytes for IPv4, 16 for IPv6, network order.
  std::span<const std::uint8_t> bytes() const noexcept;

  /// ::ffff:a.b.c.d
  bool is_v4_mapped() const noexcept;
  /// The IPv4 address inside an IPv4-mapped IPv6 address; any other address unchanged.
  IpAddress unmapped() const noexcept;

  /// Canonical text: dotted quad, or RFC 5952 compressed lower-case IPv6.
  std::string to_string() const;
  /// The DNS name for reverse lookups: "4.3.2.1.in-addr.arpa" or 32 nibbles + "ip6.arpa".
  std::string reverse_name() const;

  /// Orders IPv4 before IPv6, then by address bytes.
  friend std::strong_ordering operator<=>(const IpAddress& a, const IpAddress& b) noexcept {
    if (a.family_ != b.family_) return a.family_ <=> b.family_;
    for (std::size_t i = 0; i < a.bytes_.size(); ++i)
      if (a.bytes_[i] != b.bytes_[i]) return a.bytes_[i] <=> b.bytes_[i];
    return std::strong_ordering::equal;
  }
  friend bool operator==(const IpAddress& a, const IpAddress& b) noexcept {
    return a.family_ == b.family_ && a.bytes_ == b.bytes_;
  }

 private:
  Family family_ = Family::v4;
  std::array<std::uint8_t, 16> bytes_{};  // IPv4 uses the first four
};

/// A network: address plus prefix length (0..32 or 0..128).
struct HALLMARK_API Cidr {
  IpAddress network;
  unsigned prefix = 0;

  /// "192.0.2.0/24", "2001:db8::/32"; a bare address means a full-length prefix.
  /// Errors: Errc::syntax for bad text, Errc::bad_value for a prefix too long for the family.
  static Expected<Cidr> parse(std::string_view text);

  /// Whether `address` is in this network. An IPv4-mapped IPv6 address is compared as the
  /// IPv4 address it carries (RFC 7208 5); otherwise families must match.
  bool contains(const IpAddress& address) const noexcept;

  std::string to_string() const;
  friend bool operator==(const Cidr&, const Cidr&) = default;
};

/// Whether the first `prefix` bits of `a` and `b` are equal; false when families differ.
HALLMARK_API bool same_prefix(const IpAddress& a, const IpAddress& b, unsigned prefix) noexcept;

}  // namespace hallmark::core
