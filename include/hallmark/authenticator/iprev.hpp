// SPDX-License-Identifier: Apache-2.0
// iprev (RFC 8601 3): forward-confirmed reverse DNS of the SMTP client's address, reported as
// an authentication method of its own.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "hallmark/core/ip.hpp"
#include "hallmark/core/task.hpp"
#include "hallmark/dns/resolver.hpp"
#include "hallmark/export.hpp"

namespace hallmark::authenticator {

struct IprevResult {
  /// RFC 8601 2.7.3: pass, fail (no PTR, or no name leads back to the address), temperror
  /// (a lookup failed temporarily), permerror (the PTR names are not usable host names).
  enum class Outcome : std::uint8_t { none, pass, fail, temperror, permerror };
  Outcome outcome = Outcome::none;
  core::IpAddress ip;
  /// The PTR names that resolve back to the address (the first is reported); empty unless
  /// pass.
  std::vector<std::string> confirmed_names;
  std::string detail;  // why, for anything but pass
};

HALLMARK_API std::string_view to_string(IprevResult::Outcome outcome) noexcept;

/// Most PTR names whose addresses are looked up, as RFC 7208 5.5 bounds the same walk for SPF.
inline constexpr std::size_t max_iprev_names = 10;

/// Looks up the PTR names of `ip`, then the A or AAAA records of each (concurrently), and
/// passes when one of them contains `ip`.
HALLMARK_API core::Task<IprevResult> check_iprev(dns::Resolver& resolver, core::IpAddress ip);

/// "iprev=pass (mail.example.com) smtp.remote-ip=192.0.2.10".
HALLMARK_API std::string auth_results_fragment(const IprevResult& result);

}  // namespace hallmark::authenticator
