// SPDX-License-Identifier: Apache-2.0
// The SPF policy and clients that bench/spf_bench.cpp and bench/compare/libspf2_spf.cpp both
// evaluate, kept in one place so the comparison times exactly the records hallmark is timed on.
#pragma once

#include <cstdio>
#include <cstdlib>
#include <string_view>

#include "hallmark/core/ip.hpp"
#include "hallmark/dns/caching_resolver.hpp"
#include "hallmark/dns/zone_resolver.hpp"
#include "hallmark/spf/types.hpp"
#include "zone_fixture.hpp"

namespace hallmark_bench {

// Shaped like a large provider's policy: the domain's own mx and relay host, then an
// _spf record that fans out into netblock records three include levels down and into a
// mailing service's record. Eight DNS-querying terms when everything is evaluated (mx, a,
// four includes, a, mx), under the limit of 10 as real policies are kept. Every host has
// A and AAAA so IPv6 clients make no void lookups. Owner names are absolute, one record a
// line, so the libspf2 harness can list the names without a master-file parser.
inline constexpr std::string_view spf_zone_text = R"zone($TTL 3600
example.com.              TXT  "v=spf1 mx a:relay.example.com include:_spf.example.com -all"
example.com.              MX   10 mx1.example.com.
example.com.              MX   20 mx2.example.com.
mx1.example.com.          A    192.0.2.10
mx1.example.com.          AAAA 2001:db8:1::10
mx2.example.com.          A    192.0.2.11
mx2.example.com.          AAAA 2001:db8:1::11
relay.example.com.        A    192.0.2.25
relay.example.com.        AAAA 2001:db8:1::25
_spf.example.com.         TXT  "v=spf1 ip4:192.0.2.128/26 ip6:2001:db8:2::/48 include:_netblocks.example.com include:_spf.mailer.example.net ~all"
_netblocks.example.com.   TXT  "v=spf1 ip4:203.0.113.0/28 ip4:203.0.113.32/28 ip4:203.0.113.64/27 ip4:203.0.113.128/26 ip6:2001:db8:3::/48 ip6:2001:db8:4::/47 a:smtp-out.example.com include:_netblocks2.example.com ~all"
smtp-out.example.com.     A    192.0.2.40
smtp-out.example.com.     A    192.0.2.41
smtp-out.example.com.     AAAA 2001:db8:1::40
_netblocks2.example.com.  TXT  "v=spf1 ip4:198.51.100.0/27 ip4:198.51.100.64/26 ip4:198.51.100.160/27 ip4:198.51.100.224/28 ip6:2001:db8:10::/44 ip6:2001:db8:20::/46 ip6:2001:db8:30::/48 ~all"
_spf.mailer.example.net.  TXT  "v=spf1 ip4:192.0.2.192/27 mx:mailer.example.net ?all"
mailer.example.net.       MX   10 in1.mailer.example.net.
mailer.example.net.       MX   10 in2.mailer.example.net.
in1.mailer.example.net.   A    192.0.2.201
in1.mailer.example.net.   AAAA 2001:db8:5::201
in2.mailer.example.net.   A    192.0.2.202
in2.mailer.example.net.   AAAA 2001:db8:5::202
)zone";

inline constexpr std::string_view spf_mail_from = "bounce@example.com";
inline constexpr std::string_view spf_helo = "out.example.com";

struct SpfClient {
  std::string_view name;  // benchmark name suffix
  std::string_view ip;
  hallmark::spf::Outcome expected;
};

inline constexpr SpfClient spf_clients[] = {
    // The last ip4 of the deepest record: every term before it runs first (6 DNS terms).
    {"Ipv4Pass", "198.51.100.230", hallmark::spf::Outcome::pass},
    // The last ip6 of the same record; a and mx terms now ask for AAAA.
    {"Ipv6Pass", "2001:db8:30::25", hallmark::spf::Outcome::pass},
    // RFC 2544's benchmarking range: nothing matches, all 8 DNS terms run, -all decides and
    // the default explanation is expanded.
    {"Ipv4Fail", "198.18.0.1", hallmark::spf::Outcome::fail},
};

inline hallmark::core::IpAddress spf_client_ip(const SpfClient& client) {
  auto ip = hallmark::core::IpAddress::parse(client.ip);
  if (!ip) {
    std::fprintf(stderr, "bad client address %.*s\n", static_cast<int>(client.ip.size()),
                 client.ip.data());
    std::abort();
  }
  return *ip;
}

/// The fixture zone and one cache over it, built once per program.
inline FixtureDns& shared_spf_dns() {
  static FixtureDns dns(spf_zone_text, "spf_fixture");
  return dns;
}

inline hallmark::dns::ZoneResolver& shared_spf_zone() { return shared_spf_dns().zone; }

/// One cache for the whole program, as an MTA keeps one: after the first evaluation of each
/// client every lookup is a hit.
inline hallmark::dns::CachingResolver& shared_spf_cache() { return shared_spf_dns().cache; }

}  // namespace hallmark_bench
