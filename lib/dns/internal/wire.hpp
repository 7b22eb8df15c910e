// SPDX-License-Identifier: Apache-2.0
// The DNS wire format (RFC 1035 section 4): query messages out, response messages in. The
// decoder reads untrusted bytes, so it checks every length against the message it came in.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "hallmark/core/error.hpp"
#include "hallmark/dns/types.hpp"

namespace hallmark::dns::wire {

/// RFC 1035 2.3.4: 255 octets for a whole name in wire form, 63 for one label.
inline constexpr std::size_t max_name_octets = 255;
inline constexpr std::size_t max_label_octets = 63;
/// Compression pointers followed while reading one name. A name has at most 127 labels, so
/// an honest encoder never needs more; the bound keeps hostile chains of pointers cheap.
inline constexpr int max_name_jumps = 127;
/// CNAME records followed from the asked name before giving up (RFC 1034 3.6.2 asks
/// resolvers to follow chains but bounds none; BIND and Unbound stop near this depth).
inline constexpr std::size_t max_cname_chain = 16;
/// The EDNS0 UDP payload size advertised with the DO bit. c-ares 1.18 discards any UDP
/// answer over 512 octets unless its own EDNS mode is on, and that mode switches itself off
/// for the whole channel on the first SERVFAIL; so we advertise what it will accept and
/// let truncated answers go over TCP.
inline constexpr std::uint16_t edns_udp_payload = 512;

/// `name` ("mail.example.com", one trailing dot optional, "." for the root) in wire form.
/// Labels are taken byte for byte between dots, with no escapes, as hallmark names are
/// everywhere. Errors: Errc::syntax for an empty name or an empty label, Errc::too_long for
/// a label over 63 octets or a name over 255 octets in wire form. The offset is in `name`.
core::Expected<std::string> encode_name(std::string_view name);

struct QueryOptions {
  std::uint16_t id = 0;
  /// RD: ask the server to recurse. Stub resolvers always do.
  bool recursion_desired = true;
  /// Add an EDNS0 OPT record with the DO bit and set AD (RFC 3225, RFC 6840 5.7), so a
  /// validating upstream tells us whether it validated the answer.
  bool dnssec_ok = false;
};

/// A standard query (RFC 1035 4.1) for (name, type), class IN. Errors: those of encode_name().
core::Expected<std::vector<std::uint8_t>> encode_query(std::string_view name, Type type,
                                                       const QueryOptions& options);

/// Decodes `message`, the response to a query of (`name`, `type`), into an Answer:
/// - RCODE: NOERROR gives noerror, or nodata without records of `type` at the end of the
///   CNAME chain; NXDOMAIN gives nxdomain (for the chain's last name, RFC 6604 3);
///   SERVFAIL and REFUSED give their statuses; any other RCODE gives error.
/// - CNAME records in the answer section are followed from `name`, in order; only records
///   owned by the chain's end count, records of other owners or types are ignored.
/// - ttl: the smallest TTL of the records used, chain included; for nxdomain and nodata,
///   min(SOA TTL, SOA MINIMUM) of the authority section's SOA (RFC 2308 5), 0 without one.
/// - authenticated: the AD bit.
/// Malformed or truncated (TC) messages, and responses to a different question, give
/// Status::error with `detail` naming the problem. Never reads outside `message`.
Answer decode_response(std::span<const std::uint8_t> message, std::string_view name, Type type);

}  // namespace hallmark::dns::wire
