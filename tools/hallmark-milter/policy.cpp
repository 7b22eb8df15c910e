// SPDX-License-Identifier: Apache-2.0
#include "policy.hpp"

#include <fmt/format.h>

namespace hallmark::milter {

std::string_view to_string(Action action) noexcept {
  switch (action) {
    case Action::accept: return "accept";
    case Action::reject: return "reject";
    case Action::tempfail: return "tempfail";
    case Action::quarantine: return "quarantine";
  }
  return "accept";
}

namespace {

// The protocols that met a temporary DNS failure, for the 451 reply: the sender's postmaster
// reads it to know whose DNS to fix.
std::string temporary_failures(const authenticator::Verdict& verdict) {
  using authenticator::Tag;
  std::string names;
  auto add = [&](Tag tag, std::string_view name) {
    if (verdict.has_tag(tag)) names += fmt::format("{}{}", names.empty() ? "" : ", ", name);
  };
  add(Tag::spf_dnsfail, "SPF");
  add(Tag::dkim_tempfail, "DKIM");
  add(Tag::arc_dnsfail, "ARC");
  add(Tag::dmarc_dnsfail, "DMARC");
  add(Tag::iprev_dnsfail, "iprev");
  return names;
}

}  // namespace

Decision decide(const authenticator::Verdict& verdict, const Config& config) {
  Decision decision;
  const std::string_view domain = verdict.dmarc.author_domain;
  // A published reject is final even when another check could not finish: its outcome is
  // fail, which no answer still missing could turn into a pass.
  if (verdict.disposition == dmarc::Disposition::reject && config.reject_dmarc) {
    decision.action = Action::reject;
    decision.reply_code = "550";
    decision.enhanced_code = "5.7.1";
    decision.reply_text = fmt::format("Message rejected: it fails the DMARC policy of {}", domain);
    return decision;
  }
  // A temporary failure matters only while DMARC has not passed: once it has, no missing
  // answer changes what the message is.
  if (config.temporary_failure == TemporaryFailureAction::tempfail &&
      verdict.dmarc.outcome != dmarc::Outcome::pass && verdict.temporary_failure()) {
    decision.action = Action::tempfail;
    decision.reply_code = "451";
    decision.enhanced_code = "4.7.0";
    decision.reply_text = fmt::format("Temporary DNS failure checking {}; try again later",
                                      temporary_failures(verdict));
    return decision;
  }
  if (verdict.disposition == dmarc::Disposition::quarantine ||
      (verdict.disposition == dmarc::Disposition::reject && !config.reject_dmarc)) {
    // A reject we do not enforce is still the domain owner's wish that the message not reach
    // the inbox: quarantine is the closest we deliver.
    std::string reason =
        fmt::format("DMARC policy of {}: {}", domain, dmarc::to_string(verdict.disposition));
    if (config.quarantine == QuarantineAction::milter) {
      decision.action = Action::quarantine;
      decision.quarantine_reason = std::move(reason);
    } else if (config.quarantine == QuarantineAction::header) {
      decision.quarantine_header = true;
      decision.quarantine_reason = std::move(reason);
    }
  }
  return decision;
}

}  // namespace hallmark::milter
