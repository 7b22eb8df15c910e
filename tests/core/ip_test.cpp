// SPDX-License-Identifier: Apache-2.0
// IP parsing, formatting, reverse names and CIDR matching, including IPv4-mapped clients.
#include <gtest/gtest.h>

#include "hallmark/core/ip.hpp"

namespace hallmark::core {
namespace {

IpAddress ip(std::string_view text) {
  Expected<IpAddress> parsed = IpAddress::parse(text);
  EXPECT_TRUE(parsed) << text;
  return parsed.value_or(IpAddress{});
}

TEST(IpAddressParse, AcceptsCanonicalForms) {
  struct {
    std::string_view text, canonical;
  } cases[] = {
      {"192.0.2.1", "192.0.2.1"},
      {"0.0.0.0", "0.0.0.0"},
      {"2001:DB8::1", "2001:db8::1"},
      {"2001:db8:0:0:0:0:0:1", "2001:db8::1"},
      {"::", "::"},
      {"::ffff:192.0.2.1", "::ffff:192.0.2.1"},
  };
  for (auto [text, canonical] : cases) EXPECT_EQ(ip(text).to_string(), canonical) << text;
}

TEST(IpAddressParse, RejectsMalformedText) {
  for (std::string_view text : std::initializer_list<std::string_view>{
           "", "1.2.3", "1.2.3.4.5", "256.1.1.1", "01.2.3.4", "1.2.3.4 ", "fe80::1%eth0",
           ":::", "1:2:3:4:5:6:7:8:9", "example.com", std::string_view("1.2.3.4\0", 8)}) {
    EXPECT_FALSE(IpAddress::parse(text)) << text;
  }
  EXPECT_FALSE(IpAddress::parse(std::string(10000, '1')));
}

TEST(IpAddress, MappedAddressesUnmap) {
  IpAddress mapped = ip("::ffff:10.1.2.3");
  EXPECT_TRUE(mapped.is_v4_mapped());
  EXPECT_EQ(mapped.unmapped(), ip("10.1.2.3"));
  EXPECT_EQ(ip("2001:db8::1").unmapped(), ip("2001:db8::1"));
}

TEST(IpAddress, ReverseNames) {
  EXPECT_EQ(ip("192.0.2.3").reverse_name(), "3.2.0.192.in-addr.arpa");
  EXPECT_EQ(ip("2001:db8::cb01").reverse_name(),
            "1.0.b.c.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa");
}

TEST(Cidr, ParsesAndMatches) {
  struct {
    std::string_view cidr, address;
    bool inside;
  } cases[] = {
      {"192.0.2.0/24", "192.0.2.200", true},
      {"192.0.2.0/24", "192.0.3.1", false},
      {"192.0.2.128/25", "192.0.2.127", false},
      {"0.0.0.0/0", "203.0.113.9", true},
      {"192.0.2.1", "192.0.2.1", true},
      {"192.0.2.1", "192.0.2.2", false},
      {"2001:db8::/32", "2001:db8:ffff::1", true},
      {"2001:db8::/33", "2001:db8:8000::1", false},
      {"192.0.2.0/24", "::ffff:192.0.2.7", true},  // RFC 7208 5: mapped client is IPv4
      {"192.0.2.0/24", "2001:db8::1", false},
      {"::/0", "192.0.2.1", false},
  };
  for (auto [cidr_text, address, inside] : cases) {
    Expected<Cidr> cidr = Cidr::parse(cidr_text);
    ASSERT_TRUE(cidr) << cidr_text;
    EXPECT_EQ(cidr->contains(ip(address)), inside) << cidr_text << " " << address;
  }
}

TEST(Cidr, RejectsBadPrefixes) {
  for (std::string_view text : std::initializer_list<std::string_view>{
           "192.0.2.0/33", "192.0.2.0/", "192.0.2.0/024", "192.0.2.0/-1", "2001:db8::/129",
           "192.0.2.0/2x", "/24"})
    EXPECT_FALSE(Cidr::parse(text)) << text;
}

}  // namespace
}  // namespace hallmark::core
