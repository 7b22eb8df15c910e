// SPDX-License-Identifier: Apache-2.0
// Authorisation of external report destinations (RFC 9989 / RFC 7489 7.1).
#include "dmarc/internal/report_destinations.hpp"

#include <algorithm>

#include <fmt/format.h>

#include "core/internal/ascii.hpp"
#include "dmarc/internal/organizational.hpp"
#include "hallmark/core/domain.hpp"
#include "hallmark/core/when_all.hpp"

namespace hallmark::dmarc::detail {
namespace {

// A record may list up to 100 URIs; each external destination costs a tree walk and a TXT
// lookup, so a hostile record could make one message cost hundreds of queries. Destinations
// past this many distinct domains are not checked and not kept.
constexpr std::size_t max_destination_domains = 10;

std::string normal_domain(std::string_view domain) {
  return core::to_lower_ascii(core::strip_trailing_dot(domain));
}

core::Task<bool> destination_authorised(dns::Resolver& resolver, std::string destination,
                                        const std::string& author, const std::string& organization,
                                        DiscoveryMode mode, const TreeWalk* author_walk) {
  // An organizational domain is its domain or an ancestor, so only a destination at or under
  // the author's can share it; any other is external without a walk.
  if (core::is_subdomain_of(destination, organization)) {
    std::string destination_org =
        co_await organizational_domain_of(resolver, destination, mode, author_walk);
    if (destination_org == organization) co_return true;
  }
  dns::AnswerPtr answer = co_await dns::lookup(
      resolver, fmt::format("{}._report._dmarc.{}", author, destination), dns::Type::txt);
  std::string scratch;
  co_return std::ranges::any_of(
      answer->txt, [&scratch](const dns::Txt& txt) { return is_dmarc_record(txt.text(scratch)); });
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

core::Task<std::vector<std::string>> authorised_uris(dns::Resolver& resolver,
                                                     std::vector<std::string> uris,
                                                     std::string author, std::string organization,
                                                     DiscoveryMode mode,
                                                     const TreeWalk* author_walk) {
  // One check per distinct destination domain, all at once.
  std::vector<std::string> destinations;
  for (const std::string& uri : uris) {
    std::string domain = uri_domain(uri);
    if (!core::is_valid_domain(domain, core::DomainSyntax::dns)) continue;
    if (std::ranges::find(destinations, domain) != destinations.end()) continue;
    if (destinations.size() == max_destination_domains) break;
    destinations.push_back(std::move(domain));
  }
  std::vector<core::Task<bool>> checks;
  checks.reserve(destinations.size());
  for (const std::string& destination : destinations)
    checks.push_back(
        destination_authorised(resolver, destination, author, organization, mode, author_walk));
  std::vector<bool> authorised = co_await core::when_all(std::move(checks));

  std::vector<std::string> kept;
  for (std::string& uri : uris) {
    auto found = std::ranges::find(destinations, uri_domain(uri));
    if (found != destinations.end() && authorised[found - destinations.begin()])
      kept.push_back(std::move(uri));
  }
  co_return kept;
}

}  // namespace hallmark::dmarc::detail
