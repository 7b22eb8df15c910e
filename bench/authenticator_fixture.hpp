// SPDX-License-Identifier: Apache-2.0
// The world the authenticator benchmarks' message comes from: SPF two includes deep with ip4
// terms at each level (the client matches only in the last), the HELO name's "a" policy, the
// rsa-2048 key and DMARC p=reject; and the SMTP envelope it arrives with.
#pragma once

#include <cstdint>

#include "dkim_fixture.hpp"
#include "hallmark/authenticator/authenticator.hpp"
#include "hallmark/core/ip.hpp"
#include "hallmark/dns/zone_resolver.hpp"

namespace hallmark_bench {

inline constexpr const char* client_ip = "192.0.2.25";  // the fixture header's last hop

inline hallmark::dns::ZoneResolver make_zone(const DkimKeys& keys) {
  constexpr std::uint32_t ttl = 3600;
  hallmark::dns::ZoneResolver zone;
  zone.add_txt("rsa2048._domainkey.example.com", txt_strings(keys.rsa2048_record), ttl);
  // Two levels of include, ip4 terms at each; the client matches only in the last one.
  zone.add_txt("example.com",
               {"v=spf1 ip4:198.51.100.0/24 ip4:203.0.113.0/26 include:_spf1.example.com -all"},
               ttl);
  zone.add_txt("_spf1.example.com",
               {"v=spf1 ip4:203.0.113.64/26 ip4:203.0.113.128/25 include:_spf2.example.com -all"},
               ttl);
  zone.add_txt("_spf2.example.com", {"v=spf1 ip4:198.18.0.0/15 ip4:192.0.2.0/25 -all"}, ttl);
  // The HELO identity (Options::check_helo is on by default).
  zone.add_txt("mail-out.example.com", {"v=spf1 a -all"}, ttl);
  zone.add_address("mail-out.example.com", *hallmark::core::IpAddress::parse(client_ip), ttl);
  zone.add_txt("_dmarc.example.com",
               {"v=DMARC1; p=reject; rua=mailto:dmarc-reports@example.com; adkim=r; aspf=r"}, ttl);
  return zone;
}

inline hallmark::authenticator::Envelope make_envelope() {
  hallmark::authenticator::Envelope envelope;
  envelope.ip = *hallmark::core::IpAddress::parse(client_ip);
  envelope.helo = "mail-out.example.com";
  envelope.mail_from = "sender@example.com";
  envelope.recipients = {"alice@example.org"};
  return envelope;
}

}  // namespace hallmark_bench
