// SPDX-License-Identifier: Apache-2.0
// check_host() (RFC 7208 4) and the identity checks built on it (RFC 7208 2.3, 2.4).
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include "hallmark/core/ip.hpp"
#include "hallmark/core/task.hpp"
#include "hallmark/dns/resolver.hpp"
#include "hallmark/export.hpp"
#include "hallmark/spf/types.hpp"

namespace hallmark::spf {

class RecordCache;

/// RFC 7208 6.2's suggested explanation, used when Options::default_explanation is empty.
inline constexpr std::string_view builtin_default_explanation =
    "%{o} does not designate %{i} as a permitted sender";

struct Options {
  /// RFC 7208 4.6.4: DNS-querying terms (include, a, mx, ptr, exists, redirect) per check.
  unsigned max_dns_mechanisms = 10;
  /// RFC 7208 4.6.4: lookups answering NXDOMAIN or no records.
  unsigned max_void_lookups = 2;
  /// RFC 7208 4.6.4: exchanges of one mx (more is permerror) and names of one ptr or %{p}
  /// validated (the rest are ignored).
  unsigned max_mx_names = 10;
  unsigned max_ptr_names = 10;
  /// Fetch and expand exp= after a fail (RFC 7208 6.2).
  bool fetch_explanation = true;
  /// The explanation when exp= is absent or unusable; a macro-string in explanation syntax.
  /// Empty means builtin_default_explanation (kept out of the field so that copying the
  /// options, as each check does, allocates nothing).
  std::string default_explanation;
  /// %{r}: this receiver's host name (RFC 7208 7.3 says "unknown" when there is none).
  std::string receiver = "unknown";
  /// %{t}: seconds since the epoch; the system clock when empty.
  std::function<std::int64_t()> now;
  /// Record a trace of every term evaluated (Result::trace), for operators and the CLI.
  /// Off by default: formatting each term costs about as much as evaluating it.
  bool trace = false;
  /// Most trace entries kept; the count of dropped ones ends the trace.
  std::size_t max_trace_entries = 500;
  /// Parsed records by text; the process-wide cache when null.
  RecordCache* record_cache = nullptr;
};

/// The arguments of check_host() (RFC 7208 4.1).
struct CheckHostInput {
  core::IpAddress ip;  // an IPv4-mapped IPv6 address is evaluated as the IPv4 address
  std::string domain;  // <domain>
  std::string sender;  // <sender>: local-part@domain; no local-part means "postmaster"
  std::string helo;    // for %{h}
};

/// RFC 7208 4: evaluates the SPF policy of `input.domain` for `input.ip`. Never fails:
/// malformed records, DNS failures and exceeded limits are outcomes with a reason.
///
/// These checks begin before they return: with every answer in the resolver's cache the check
/// is over and the task is ready (no suspension, no event loop needed); otherwise the task
/// fetches what is missing when awaited. The resolver is asked for cached answers at once.
/// The arguments are read before the call returns (the task copies what it still needs), so
/// they need not outlive the task.
HALLMARK_API core::Task<Result> check_host(dns::Resolver& resolver, const CheckHostInput& input,
                                           const Options& options = {});

/// What the SMTP server saw.
struct Envelope {
  core::IpAddress ip;
  std::string helo;       // the HELO/EHLO argument
  std::string mail_from;  // the MAIL FROM address without <>; empty for the null reverse path
};

/// RFC 7208 2.4: the MAIL FROM identity; for the null reverse path, postmaster@HELO
/// (reported with Identity::helo).
HALLMARK_API core::Task<Result> check_mail_from(dns::Resolver& resolver, const Envelope& envelope,
                                                const Options& options = {});
/// RFC 7208 2.3: the HELO identity.
HALLMARK_API core::Task<Result> check_helo(dns::Resolver& resolver, const Envelope& envelope,
                                           const Options& options = {});

}  // namespace hallmark::spf
