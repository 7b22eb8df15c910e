// SPDX-License-Identifier: Apache-2.0
// iprev (RFC 8601 3): the PTR names of the client address, then the addresses of each name
// (looked up concurrently), pass when one leads back.
#include "hallmark/authenticator/iprev.hpp"

#include <fmt/format.h>

#include "hallmark/core/domain.hpp"
#include "hallmark/core/header_text.hpp"
#include "hallmark/core/when_all.hpp"

namespace hallmark::authenticator {

std::string_view to_string(IprevResult::Outcome outcome) noexcept {
  switch (outcome) {
    case IprevResult::Outcome::none: return "none";
    case IprevResult::Outcome::pass: return "pass";
    case IprevResult::Outcome::fail: return "fail";
    case IprevResult::Outcome::temperror: return "temperror";
    case IprevResult::Outcome::permerror: return "permerror";
  }
  return "none";
}

core::Task<IprevResult> check_iprev(dns::Resolver& resolver, core::IpAddress address) {
  using Outcome = IprevResult::Outcome;
  IprevResult result;
  const core::IpAddress ip = address.unmapped();
  result.ip = ip;
  dns::AnswerPtr ptr = co_await dns::lookup(resolver, ip.reverse_name(), dns::Type::ptr);
  if (ptr->is_error()) {
    result.outcome = Outcome::temperror;
    result.detail = fmt::format("PTR lookup: {}", dns::to_string(ptr->status));
    co_return result;
  }
  if (!ptr->ok() || ptr->ptr.empty()) {
    result.outcome = Outcome::fail;
    result.detail = "no PTR record";
    co_return result;
  }
  // Names that are not host names cannot be looked up; past the tenth, none are (the bound
  // RFC 7208 4.6.4 sets for the same walk).
  std::vector<std::string> names;
  for (const std::string& name : ptr->ptr) {
    if (names.size() == max_iprev_names) break;
    if (core::is_valid_domain(name)) names.push_back(name);
  }
  if (names.empty()) {
    result.outcome = Outcome::permerror;
    result.detail = "no PTR name is a host name";
    co_return result;
  }
  const dns::Type type = ip.is_v4() ? dns::Type::a : dns::Type::aaaa;
  std::vector<core::Task<dns::AnswerPtr>> lookups;
  lookups.reserve(names.size());
  for (const std::string& name : names) lookups.push_back(dns::resolve(resolver, name, type));
  std::vector<dns::AnswerPtr> answers = co_await core::when_all(std::move(lookups));
  bool temporary = false;
  for (std::size_t i = 0; i < answers.size(); ++i) {
    if (answers[i]->is_error()) temporary = true;
    for (const core::IpAddress& found : answers[i]->addresses)
      if (found.unmapped() == ip) {
        result.confirmed_names.push_back(names[i]);
        break;
      }
  }
  if (!result.confirmed_names.empty()) {
    result.outcome = Outcome::pass;
  } else if (temporary) {
    result.outcome = Outcome::temperror;
    result.detail = "an address lookup of a PTR name failed";
  } else {
    result.outcome = Outcome::fail;
    result.detail =
        fmt::format("no PTR name ({}) resolves back to the address", core::echoed(names.front()));
  }
  co_return result;
}

std::string auth_results_fragment(const IprevResult& result) {
  std::string out = fmt::format("iprev={}", to_string(result.outcome));
  if (result.outcome == IprevResult::Outcome::pass)
    out += fmt::format(" ({})", core::header_comment(result.confirmed_names.front()));
  else if (!result.detail.empty())
    out += fmt::format(" ({})", core::header_comment(result.detail));
  out += " smtp.remote-ip=" + result.ip.to_string();
  return out;
}

}  // namespace hallmark::authenticator
