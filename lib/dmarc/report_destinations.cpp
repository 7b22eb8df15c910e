// SPDX-License-Identifier: Apache-2.0
// Authorisation of external report destinations (RFC 9989 aggregate reporting, "Verifying
// External Destinations"; RFC 7489 7.1).
#include "dmarc/internal/report_destinations.hpp"

#include <algorithm>
#include <optional>

#include <fmt/format.h>

#include "core/internal/ascii.hpp"
#include "dmarc/internal/organizational.hpp"
#include "hallmark/core/domain.hpp"
#include "hallmark/dmarc/record.hpp"

namespace hallmark::dmarc::detail {
namespace {

// A record may list up to 100 URIs; each external destination costs a tree walk and a TXT
// lookup, so a hostile record could make one evaluation cost hundreds of queries. Hosts past
// this many distinct ones are not checked and not kept.
constexpr std::size_t max_destination_hosts = 10;

std::string normal_domain(std::string_view domain) {
  return core::to_lower_ascii(core::strip_trailing_dot(domain));
}

// What one destination host said: whether it takes reports for the policy domain, and the
// URIs it wants them at instead (step 9), if it names any.
struct Authorisation {
  bool authorised = false;
  std::optional<std::vector<std::string>> override_uris;
};

// Step 9: a confirming record's own URIs replace the requested ones only if every one of them
// stays on the destination host; otherwise neither the original nor the override is used.
Authorisation with_override(const Record& confirming, ReportKind kind,
                            const std::string& destination) {
  const std::vector<std::string>& uris =
      kind == ReportKind::aggregate ? confirming.aggregate_uris : confirming.failure_uris;
  if (uris.empty()) return {true, std::nullopt};
  bool same_host = std::ranges::all_of(
      uris, [&](const std::string& uri) { return uri_domain(uri) == destination; });
  if (!same_host) return {false, std::nullopt};
  return {true, uris};
}

std::optional<Authorisation> check_destination_now(dns::detail::Attempt& dns,
                                                   const std::string& destination, ReportKind kind,
                                                   const std::string& policy_domain,
                                                   const std::string& organization,
                                                   DiscoveryMode mode,
                                                   const TreeWalk* author_walk) {
  // An organizational domain is its domain or an ancestor, so only a destination at or under
  // the policy domain's can share it; any other is external without a walk.
  if (core::is_subdomain_of(destination, organization)) {
    std::optional<std::string> destination_org =
        organizational_domain_now(dns, destination, mode, author_walk);
    if (!destination_org) return std::nullopt;
    if (*destination_org == organization) return Authorisation{true, std::nullopt};
  }
  // Steps 2 to 4: the domain the policy was retrieved from, then _report._dmarc and the host.
  // A name too long for the DNS cannot confirm anything.
  std::string name = fmt::format("{}._report._dmarc.{}", policy_domain, destination);
  if (name.size() > core::max_domain_length) return Authorisation{};
  const dns::Answer* answer = dns.need(name, dns::Type::txt);
  if (answer == nullptr) return std::nullopt;
  // Steps 6 to 8: any record that parses as v=DMARC1 confirms; the first one may override.
  std::string scratch;
  for (const dns::Txt& txt : answer->txt) {
    auto confirming = parse_record(txt.text(scratch));
    if (confirming) return with_override(*confirming, kind, destination);
  }
  return Authorisation{};
}

}  // namespace

std::string uri_domain(std::string_view uri) {
  if (uri.size() > 7 && core::detail::iequals(uri.substr(0, 7), "mailto:")) {
    std::string_view address = uri.substr(7);
    address = address.substr(0, address.find('?'));
    std::size_t at = address.rfind('@');
    return at == std::string_view::npos ? std::string() : normal_domain(address.substr(at + 1));
  }
  std::size_t slashes = uri.find("://");
  if (slashes == std::string_view::npos) return {};
  std::string_view host = uri.substr(slashes + 3);
  host = host.substr(0, host.find_first_of(":/?#"));
  return normal_domain(host);
}

std::optional<std::vector<std::string>> authorised_uris_now(
    dns::detail::Attempt& dns, const std::vector<std::string>& uris, ReportKind kind,
    const std::string& policy_domain, const std::string& organization, DiscoveryMode mode,
    const TreeWalk* author_walk) {
  // One check per distinct destination host; every host's missing lookup is wanted in the
  // same attempt, so they go out together.
  std::vector<std::string> destinations;
  for (const std::string& uri : uris) {
    std::string domain = uri_domain(uri);
    if (!core::is_valid_domain(domain, core::DomainSyntax::dns)) continue;
    if (std::ranges::find(destinations, domain) != destinations.end()) continue;
    if (destinations.size() == max_destination_hosts) break;
    destinations.push_back(std::move(domain));
  }
  std::vector<Authorisation> answers;
  answers.reserve(destinations.size());
  bool waiting = false;
  for (const std::string& destination : destinations) {
    std::optional<Authorisation> answer = check_destination_now(
        dns, destination, kind, policy_domain, organization, mode, author_walk);
    if (!answer) {
      waiting = true;
    } else {
      answers.push_back(std::move(*answer));
    }
  }
  if (waiting) return std::nullopt;

  std::vector<std::string> kept;
  std::vector<bool> overridden(destinations.size(), false);
  for (const std::string& uri : uris) {
    auto found = std::ranges::find(destinations, uri_domain(uri));
    if (found == destinations.end()) continue;
    auto index = static_cast<std::size_t>(found - destinations.begin());
    const Authorisation& answer = answers[index];
    if (!answer.authorised) continue;
    if (!answer.override_uris) {
      kept.push_back(uri);
    } else if (!overridden[index]) {  // the override stands in for all of that host's URIs
      overridden[index] = true;
      for (const std::string& replacement : *answer.override_uris)
        if (std::ranges::find(kept, replacement) == kept.end()) kept.push_back(replacement);
    }
  }
  return kept;
}

}  // namespace hallmark::dmarc::detail
