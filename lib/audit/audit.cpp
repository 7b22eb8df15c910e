// SPDX-License-Identifier: Apache-2.0
// The audit as one call: the protocols' parts run concurrently over one cache, and the
// report's findings in a stable order.
#include "hallmark/audit/audit.hpp"

#include <fmt/format.h>

#include "hallmark/core/domain.hpp"
#include "hallmark/core/when_all.hpp"
#include "hallmark/dns/caching_resolver.hpp"

namespace hallmark::audit {

std::string_view to_string(Severity severity) noexcept {
  switch (severity) {
    case Severity::ok: return "ok";
    case Severity::info: return "info";
    case Severity::warning: return "warning";
    case Severity::error: return "error";
  }
  return "ok";
}

std::vector<Finding> Report::findings() const {
  std::vector<Finding> all;
  auto append = [&](const std::vector<Finding>& some) {
    all.insert(all.end(), some.begin(), some.end());
  };
  append(spf.findings);
  append(dkim.findings);
  for (const DkimKey& key : dkim.keys) append(key.findings);
  append(dmarc.findings);
  append(mail.findings);
  return all;
}

Severity Report::worst() const noexcept {
  Severity worst = Severity::ok;
  auto consider = [&](const std::vector<Finding>& some) {
    for (const Finding& finding : some) worst = std::max(worst, finding.severity);
  };
  consider(spf.findings);
  consider(dkim.findings);
  for (const DkimKey& key : dkim.keys) consider(key.findings);
  consider(dmarc.findings);
  consider(mail.findings);
  return worst;
}

const std::vector<std::string>& common_dkim_selectors() {
  // Defaults of the large mailbox providers and signing services (Google Workspace, Microsoft
  // 365, Amazon SES's Easy DKIM is per-key and cannot be guessed, Mailchimp/Mandrill,
  // SendGrid, Zoho, Fastmail, Proton) and of signing software (OpenDKIM's "default", rspamd's
  // "dkim", dates used as selectors by many operators).
  static const std::vector<std::string> selectors = {
      "default", "dkim", "mail", "google", "selector1",  "selector2",   "k1",          "k2",
      "k3",      "s1",   "s2",   "mx",     "smtp",       "mandrill",    "mte1",        "zoho",
      "zmail",   "fm1",  "fm2",  "fm3",    "protonmail", "protonmail2", "protonmail3", "sig1",
      "dkim1",   "key1", "2024", "2025",   "2026"};
  return selectors;
}

std::vector<std::string> suggested_records(std::string_view domain,
                                           std::string_view report_mailbox) {
  std::string mailbox = report_mailbox.empty() ? fmt::format("dmarc-reports@{}", domain)
                                               : std::string(report_mailbox);
  return {
      // Only the domain's own MX hosts send; anything else fails SPF.
      fmt::format("{}. IN TXT \"v=spf1 mx -all\"", domain),
      // Monitoring first: p=none with aggregate reports, tightened once they show that all
      // legitimate mail passes.
      fmt::format("_dmarc.{}. IN TXT \"v=DMARC1; p=none; rua=mailto:{}\"", domain, mailbox),
      fmt::format("_smtp._tls.{}. IN TXT \"v=TLSRPTv1; rua=mailto:{}\"", domain, mailbox),
  };
}

core::Task<core::Expected<Report>> audit_domain(dns::Resolver& upstream, std::string domain,
                                                Options options) {
  core::Expected<std::string> name = core::to_a_label(domain);
  if (!name)
    co_return core::fail(core::Errc::syntax, fmt::format("'{}' is not a domain name: {}", domain,
                                                         name.error().message));
  Report report;
  report.domain = core::to_lower_ascii(core::strip_trailing_dot(*name));
  // One cache for every part: DMARC, DKIM and the SPF walk share names (the domain's TXT,
  // its MX hosts), and each is asked once.
  dns::CachingResolver resolver(upstream);
  auto [spf, dkim, dmarc, mail] = co_await core::when_all(
      audit_spf(resolver, report.domain, std::move(options.ips)),
      audit_dkim(resolver, report.domain, std::move(options.selectors)),
      audit_dmarc(resolver, report.domain), audit_mail(resolver, report.domain));
  report.spf = std::move(spf);
  report.dkim = std::move(dkim);
  report.dmarc = std::move(dmarc);
  report.mail = std::move(mail);
  co_return report;
}

}  // namespace hallmark::audit
