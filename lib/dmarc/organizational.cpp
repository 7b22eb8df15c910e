// SPDX-License-Identifier: Apache-2.0
// Organizational domains and policy discovery by tree walk (RFC 9989 4.10) or by the public
// suffix list (RFC 7489 3.2, 6.6.3).
#include "dmarc/internal/organizational.hpp"

#include <libpsl.h>

#include <fmt/format.h>

namespace hallmark::dmarc::detail {
namespace {

// RFC 7489 6.6.3: with the PSL, the author domain's record, else the organizational one's.
std::optional<Discovery> discover_with_psl_now(dns::detail::Attempt& dns,
                                               const std::string& author) {
  Discovery out;
  out.organizational_domain = psl_organizational_domain(author);
  const std::string* names[] = {&author, &out.organizational_domain};
  const std::size_t count = out.organizational_domain != author ? 2 : 1;
  for (std::size_t i = 0; i < count; ++i) {
    const std::string& name = *names[i];
    const dns::Answer* answer = dns.need("_dmarc." + name, dns::Type::txt);
    if (answer == nullptr) return std::nullopt;
    if (answer->is_error()) {
      out.temperror = true;
      out.detail = fmt::format("{} looking up _dmarc.{} TXT", dns::to_string(answer->status), name);
      return out;
    }
    if (RecordPtr only = single_record(*answer)) {
      out.policy = FoundRecord{name, std::move(only)};
      return out;
    }
  }
  return out;
}

}  // namespace

std::string psl_organizational_domain(const std::string& domain) {
  // The system's list (Debian: publicsuffix) when installed, libpsl's built-in copy otherwise.
  static const psl_ctx_t* psl = [] {
    const psl_ctx_t* latest = psl_latest(nullptr);
    return latest != nullptr ? latest : psl_builtin();
  }();
  if (psl == nullptr) return domain;
  const char* registrable = psl_registrable_domain(psl, domain.c_str());
  return registrable != nullptr ? std::string(registrable) : domain;
}

std::optional<std::string> organizational_domain_now(dns::detail::Attempt& dns,
                                                     const std::string& domain, DiscoveryMode mode,
                                                     const TreeWalk* known) {
  if (mode == DiscoveryMode::psl) return psl_organizational_domain(domain);
  std::optional<TreeWalk> walk = tree_walk_now(dns, domain, known);
  if (!walk) return std::nullopt;
  return organizational_domain(domain, *walk);
}

core::Task<std::string> organizational_domain_of(dns::Resolver& resolver, std::string domain,
                                                 DiscoveryMode mode, const TreeWalk* known) {
  return dns::detail::start_attempts<std::string>(
      resolver, [domain = std::move(domain), mode, known](dns::detail::Attempt& dns) {
        return organizational_domain_now(dns, domain, mode, known);
      });
}

std::optional<Discovery> discover_now(dns::detail::Attempt& dns, const std::string& author_domain,
                                      DiscoveryMode mode) {
  if (mode == DiscoveryMode::psl) return discover_with_psl_now(dns, author_domain);
  return discover_by_walk_now(dns, author_domain);
}

}  // namespace hallmark::dmarc::detail
