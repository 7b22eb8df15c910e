// SPDX-License-Identifier: Apache-2.0
// Organizational domains and policy discovery by tree walk (RFC 9989 4.10) or by the public
// suffix list (RFC 7489 3.2, 6.6.3).
#include "dmarc/internal/organizational.hpp"

#include <libpsl.h>

#include <fmt/format.h>

namespace hallmark::dmarc::detail {
namespace {

// RFC 7489 6.6.3: with the PSL, the author domain's record, else the organizational one's.
core::Task<Discovery> discover_with_psl(dns::Resolver& resolver, std::string author) {
  Discovery out;
  out.organizational_domain = psl_organizational_domain(author);
  std::vector<std::string> names = {author};
  if (out.organizational_domain != author) names.push_back(out.organizational_domain);
  for (const std::string& name : names) {
    dns::AnswerPtr shared_answer = co_await dns::lookup(resolver, "_dmarc." + name, dns::Type::txt);
    const dns::Answer& answer = *shared_answer;
    if (answer.is_error()) {
      out.temperror = true;
      out.detail = fmt::format("{} looking up _dmarc.{} TXT", dns::to_string(answer.status), name);
      co_return out;
    }
    if (RecordPtr only = single_record(answer)) {
      out.policy = FoundRecord{name, std::move(only)};
      co_return out;
    }
  }
  co_return out;
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

core::Task<std::string> organizational_domain_of(dns::Resolver& resolver, std::string domain,
                                                 DiscoveryMode mode, const TreeWalk* known) {
  if (mode == DiscoveryMode::psl) co_return psl_organizational_domain(domain);
  // Two statements, not a conditional expression: GCC 12 miscompiles co_await inside ?:.
  TreeWalk walk;
  if (known != nullptr) {
    walk = co_await tree_walk(resolver, domain, *known);
  } else {
    walk = co_await tree_walk(resolver, domain);
  }
  co_return organizational_domain(domain, walk);
}

core::Task<Discovery> discover(dns::Resolver& resolver, std::string author_domain,
                               DiscoveryMode mode) {
  if (mode == DiscoveryMode::psl) return discover_with_psl(resolver, std::move(author_domain));
  return discover_policy(resolver, std::move(author_domain));
}

}  // namespace hallmark::dmarc::detail
