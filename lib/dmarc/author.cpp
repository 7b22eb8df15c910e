// SPDX-License-Identifier: Apache-2.0
// The author domain from RFC5322.From (RFC 9989 5.3.1) and the SPF domain (RFC 9989 3.2.4).
#include "hallmark/dmarc/author.hpp"

#include <algorithm>

#include <fmt/format.h>

#include "hallmark/core/domain.hpp"
#include "hallmark/mail/address.hpp"

namespace hallmark::dmarc {
namespace {

// The A-label domains of one From field, appended to `domains` without repeats.
core::Expected<void> collect_domains(const mail::HeaderField& from,
                                     std::vector<std::string>& domains) {
  auto mailboxes = mail::parse_address_list(from.value);
  if (!mailboxes) return core::fail(core::Errc::syntax, "From: " + mailboxes.error().message);
  for (const mail::Mailbox& mailbox : *mailboxes) {
    if (mailbox.has_domain_literal())
      return core::fail(core::Errc::bad_value, "From holds an address literal, not a domain");
    // A trailing dot is not RFC 5322 syntax; the address parser keeps it, and to_a_label()
    // refuses an empty last label, so "victim.example." cannot pass as "victim.example".
    auto a_label = core::to_a_label(mailbox.domain, core::DomainSyntax::ldh);
    if (!a_label)
      return core::fail(core::Errc::bad_value, "From domain: " + a_label.error().message);
    if (std::ranges::find(domains, *a_label) == domains.end())
      domains.push_back(std::move(*a_label));
  }
  return {};
}

}  // namespace

core::Expected<std::vector<std::string>> author_domains(const mail::HeaderSection& headers) {
  std::vector<const mail::HeaderField*> from = headers.all("From");
  if (from.empty()) return core::fail(core::Errc::missing_tag, "the message has no From field");
  std::vector<std::string> domains;
  for (const mail::HeaderField* field : from) {
    if (auto collected = collect_domains(*field, domains); !collected)
      return std::unexpected(std::move(collected.error()));
  }
  if (domains.empty()) return core::fail(core::Errc::missing_tag, "From holds no address");
  return domains;
}

core::Expected<std::string> author_domain(const mail::HeaderSection& headers) {
  std::vector<const mail::HeaderField*> from = headers.all("From");
  // RFC 9989 5.3.1: zero or several author domains make DMARC validation impossible, and a
  // repeated From field is not a valid RFC 5322 message (RFC 9989 4.4).
  if (from.size() > 1)
    return core::fail(core::Errc::too_many,
                      fmt::format("the message has {} From fields", from.size()));
  auto domains = author_domains(headers);
  if (!domains) return std::unexpected(std::move(domains.error()));
  if (domains->size() > 1)
    return core::fail(core::Errc::too_many, "From holds addresses in more than one domain");
  return std::move(domains->front());
}

std::string spf_domain(std::string_view mail_from, std::string_view helo) {
  if (mail_from.size() >= 2 && mail_from.front() == '<' && mail_from.back() == '>')
    mail_from = mail_from.substr(1, mail_from.size() - 2);
  std::string_view domain = mail_from.empty() ? helo : mail_from.substr(mail_from.rfind('@') + 1);
  return core::to_lower_ascii(core::strip_trailing_dot(domain));
}

}  // namespace hallmark::dmarc
