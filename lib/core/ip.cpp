// SPDX-License-Identifier: Apache-2.0
// IP address parsing, formatting and prefix comparison.
#include "hallmark/core/ip.hpp"

#include <arpa/inet.h>

#include <algorithm>
#include <charconv>
#include <cstring>

#include <fmt/format.h>

namespace hallmark::core {

IpAddress IpAddress::v4(std::array<std::uint8_t, 4> bytes) noexcept {
  IpAddress address;
  address.family_ = Family::v4;
  std::copy(bytes.begin(), bytes.end(), address.bytes_.begin());
  return address;
}

IpAddress IpAddress::v6(std::array<std::uint8_t, 16> bytes) noexcept {
  IpAddress address;
  address.family_ = Family::v6;
  address.bytes_ = bytes;
  return address;
}

Expected<IpAddress> IpAddress::parse(std::string_view text) {
  // inet_pton needs a terminated string; the longest IPv6 text form is 45 characters.
  char buffer[64];
  if (text.empty() || text.size() >= sizeof buffer || text.find('\0') != std::string_view::npos)
    return fail(Errc::syntax, fmt::format("'{}' is not an IP address", text.substr(0, 64)));
  std::memcpy(buffer, text.data(), text.size());
  buffer[text.size()] = '\0';
  if (text.find(':') == std::string_view::npos) {
    std::array<std::uint8_t, 4> bytes{};
    // glibc's inet_pton accepts only the four-part dotted decimal form without leading zeros.
    if (inet_pton(AF_INET, buffer, bytes.data()) == 1) return v4(bytes);
  } else {
    std::array<std::uint8_t, 16> bytes{};
    if (inet_pton(AF_INET6, buffer, bytes.data()) == 1) return v6(bytes);
  }
  return fail(Errc::syntax, fmt::format("'{}' is not an IP address", text));
}

std::span<const std::uint8_t> IpAddress::bytes() const noexcept {
  return {bytes_.data(), is_v4() ? std::size_t{4} : std::size_t{16}};
}

bool IpAddress::is_v4_mapped() const noexcept {
  static constexpr std::uint8_t prefix[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
  return is_v6() && std::memcmp(bytes_.data(), prefix, sizeof prefix) == 0;
}

IpAddress IpAddress::unmapped() const noexcept {
  if (!is_v4_mapped()) return *this;
  return v4({bytes_[12], bytes_[13], bytes_[14], bytes_[15]});
}

std::string IpAddress::to_string() const {
  if (is_v4()) {  // by hand: inet_ntop goes through sprintf
    std::string out;
    out.reserve(15);
    for (std::size_t i = 0; i < 4; ++i) {
      if (i > 0) out += '.';
      unsigned octet = bytes_[i];
      if (octet >= 100) out += static_cast<char>('0' + octet / 100);
      if (octet >= 10) out += static_cast<char>('0' + octet / 10 % 10);
      out += static_cast<char>('0' + octet % 10);
    }
    return out;
  }
  char buffer[INET6_ADDRSTRLEN];
  // glibc formats IPv6 per RFC 5952 (longest zero run compressed, lower case).
  if (inet_ntop(is_v4() ? AF_INET : AF_INET6, bytes_.data(), buffer, sizeof buffer) == nullptr)
    return {};
  return buffer;
}

std::string IpAddress::reverse_name() const {
  static constexpr char hex[] = "0123456789abcdef";
  std::string name;
  if (is_v4()) {
    for (int i = 3; i >= 0; --i) {
      name += std::to_string(bytes_[static_cast<std::size_t>(i)]);
      name += '.';
    }
    name += "in-addr.arpa";
    return name;
  }
  name.reserve(72);
  for (int i = 15; i >= 0; --i) {
    std::uint8_t byte = bytes_[static_cast<std::size_t>(i)];
    name += hex[byte & 0x0f];
    name += '.';
    name += hex[byte >> 4];
    name += '.';
  }
  name += "ip6.arpa";
  return name;
}

bool same_prefix(const IpAddress& a, const IpAddress& b, unsigned prefix) noexcept {
  if (a.family() != b.family()) return false;
  std::span<const std::uint8_t> x = a.bytes();
  std::span<const std::uint8_t> y = b.bytes();
  prefix = std::min<unsigned>(prefix, static_cast<unsigned>(x.size() * 8));
  std::size_t whole = prefix / 8;
  if (std::memcmp(x.data(), y.data(), whole) != 0) return false;
  unsigned rest = prefix % 8;
  if (rest == 0) return true;
  auto mask = static_cast<std::uint8_t>(0xff << (8 - rest));
  return (x[whole] & mask) == (y[whole] & mask);
}

Expected<Cidr> Cidr::parse(std::string_view text) {
  std::size_t slash = text.find('/');
  Expected<IpAddress> address = IpAddress::parse(text.substr(0, slash));
  if (!address) return std::unexpected(std::move(address.error()));
  unsigned limit = address->is_v4() ? 32 : 128;
  if (slash == std::string_view::npos) return Cidr{*address, limit};
  std::string_view digits = text.substr(slash + 1);
  unsigned prefix = 0;
  auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), prefix);
  // RFC 7208 5.6: no leading zeros in a prefix length.
  if (digits.empty() || ec != std::errc{} || end != digits.data() + digits.size() ||
      (digits.size() > 1 && digits[0] == '0'))
    return fail(Errc::syntax, fmt::format("'{}' has a bad prefix length", text), slash + 1);
  if (prefix > limit)
    return fail(Errc::bad_value, fmt::format("prefix length {} is too long in '{}'", prefix, text),
                slash + 1);
  return Cidr{*address, prefix};
}

bool Cidr::contains(const IpAddress& address) const noexcept {
  IpAddress client = address;
  if (network.is_v4()) client = address.unmapped();
  return same_prefix(network, client, prefix);
}

std::string Cidr::to_string() const { return fmt::format("{}/{}", network.to_string(), prefix); }

}  // namespace hallmark::core
