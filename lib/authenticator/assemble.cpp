// SPDX-License-Identifier: Apache-2.0
// The verdict from the protocols' results. The result-to-tag mapping is here, in one place;
// the README's tag table mirrors it.
#include "authenticator/internal/assemble.hpp"

#include <algorithm>
#include <array>

#include <fmt/format.h>

#include "hallmark/arc/verify.hpp"
#include "hallmark/core/domain.hpp"
#include "hallmark/core/header_text.hpp"
#include "hallmark/dkim/auth_results.hpp"
#include "hallmark/mail/auth_results.hpp"
#include "hallmark/spf/auth_results.hpp"

namespace hallmark::authenticator::detail {
namespace {

class TagSet {
 public:
  void fire(Tag tag) noexcept { fired_[static_cast<std::size_t>(tag)] = true; }
  bool fired(Tag tag) const noexcept { return fired_[static_cast<std::size_t>(tag)]; }
  std::vector<ScoredTag> scored(const ScoreTable& scores) const {
    std::vector<ScoredTag> out;
    for (std::size_t i = 0; i < tag_count; ++i)
      if (fired_[i]) out.push_back({static_cast<Tag>(i), scores.score(static_cast<Tag>(i))});
    return out;
  }

 private:
  std::array<bool, tag_count> fired_{};
};

Tag spf_tag(spf::Outcome outcome) {
  switch (outcome) {
    case spf::Outcome::pass: return Tag::spf_allow;
    case spf::Outcome::fail: return Tag::spf_fail;
    case spf::Outcome::softfail: return Tag::spf_softfail;
    case spf::Outcome::neutral: return Tag::spf_neutral;
    case spf::Outcome::none: return Tag::spf_na;
    case spf::Outcome::temperror: return Tag::spf_dnsfail;
    case spf::Outcome::permerror: return Tag::spf_permfail;
  }
  return Tag::spf_na;
}

void dkim_tags(const std::vector<dkim::Result>& results, TagSet& tags) {
  bool any = false;
  for (const dkim::Result& result : results) {
    switch (result.outcome) {
      case dkim::Outcome::pass:
        tags.fire(Tag::dkim_allow);
        any = true;
        break;
      case dkim::Outcome::fail:
        tags.fire(Tag::dkim_reject);
        any = true;
        break;
      case dkim::Outcome::temperror:
        tags.fire(Tag::dkim_tempfail);
        any = true;
        break;
      case dkim::Outcome::permerror:
        tags.fire(Tag::dkim_permfail);
        any = true;
        break;
      default: break;  // neutral, policy: neither for nor against
    }
  }
  if (!any) tags.fire(Tag::dkim_na);
}

Tag arc_tag(const arc::Result& arc) {
  switch (arc.outcome) {
    case arc::ChainStatus::pass: return Tag::arc_allow;
    case arc::ChainStatus::none: return Tag::arc_na;
    case arc::ChainStatus::fail: return arc.dns_failure ? Tag::arc_dnsfail : Tag::arc_reject;
  }
  return Tag::arc_na;
}

Tag dmarc_tag(const dmarc::Result& dmarc, dmarc::Disposition final_disposition) {
  switch (dmarc.outcome) {
    case dmarc::Outcome::pass: return Tag::dmarc_policy_allow;
    case dmarc::Outcome::none: return Tag::dmarc_na;
    case dmarc::Outcome::temperror: return Tag::dmarc_dnsfail;
    case dmarc::Outcome::permerror: return Tag::dmarc_bad_policy;
    case dmarc::Outcome::fail: break;
  }
  switch (final_disposition) {
    case dmarc::Disposition::reject: return Tag::dmarc_policy_reject;
    case dmarc::Disposition::quarantine: return Tag::dmarc_policy_quarantine;
    case dmarc::Disposition::none: return Tag::dmarc_policy_softfail;
  }
  return Tag::dmarc_policy_softfail;
}

Tag iprev_tag(IprevResult::Outcome outcome) {
  switch (outcome) {
    case IprevResult::Outcome::pass: return Tag::iprev_allow;
    case IprevResult::Outcome::temperror: return Tag::iprev_dnsfail;
    case IprevResult::Outcome::permerror: return Tag::iprev_permfail;
    default: return Tag::iprev_fail;
  }
}

bool listed(const AllowListPtr& list, std::string_view domain) {
  return list && !domain.empty() && list->contains(domain);
}

// A listed domain that passes earns the ham tag; listed and failing, the spam tag, because a
// trusted domain that should pass did not.
void allow_list_tags(Verdict& verdict, const Policy& policy, TagSet& tags) {
  const dmarc::Result& dmarc = verdict.dmarc;
  if (listed(policy.allow_dmarc, dmarc.author_domain)) {
    bool overridden = !verdict.override_reason.empty();
    if (dmarc.outcome == dmarc::Outcome::pass || dmarc.outcome == dmarc::Outcome::fail) {
      bool pass = dmarc.outcome == dmarc::Outcome::pass;
      if (pass || !overridden) {
        tags.fire(pass ? Tag::allowlist_dmarc : Tag::blocklist_dmarc);
        verdict.policy_changes.push_back(
            {PolicyRule::allow_list_dmarc, dmarc.author_domain.str(),
             fmt::format("{} is on the DMARC allow list and {} DMARC", dmarc.author_domain,
                         pass ? "passed" : "failed")});
      }
    }
  }
  auto spf_dkim = [&](std::string_view domain, bool pass, std::string_view what) {
    if (!listed(policy.allow_spf_dkim, domain)) return;
    tags.fire(pass ? Tag::allowlist_spf_dkim : Tag::blocklist_spf_dkim);
    verdict.policy_changes.push_back({PolicyRule::allow_list_spf_dkim, std::string(domain),
                                      fmt::format("{} is on the SPF/DKIM allow list and {} {}",
                                                  domain, pass ? "passed" : "failed", what)});
  };
  if (verdict.spf_mail_from) {
    const spf::Result& spf = *verdict.spf_mail_from;
    if (spf.outcome == spf::Outcome::pass || spf.outcome == spf::Outcome::fail)
      spf_dkim(spf.domain, spf.outcome == spf::Outcome::pass, "SPF");
  }
  for (const dkim::Result& result : verdict.dkim)
    if (result.outcome == dkim::Outcome::pass || result.outcome == dkim::Outcome::fail)
      spf_dkim(result.domain, result.outcome == dkim::Outcome::pass, "DKIM");
}

std::string dmarc_fragment(const Verdict& verdict) {
  if (verdict.override_reason.empty()) return dmarc::auth_results_fragment(verdict.dmarc);
  // The disposition applied is the overridden one; the comment says why.
  dmarc::Result shown = verdict.dmarc;
  shown.disposition = verdict.disposition;
  std::string fragment = dmarc::auth_results_fragment(shown);
  auto trusted = std::find_if(
      verdict.policy_changes.begin(), verdict.policy_changes.end(),
      [](const PolicyChange& change) { return change.rule == PolicyRule::trusted_arc_sealer; });
  std::string sealer = trusted == verdict.policy_changes.end() ? "" : trusted->domain;
  std::size_t after_result = fragment.find(' ');
  std::string comment =
      fmt::format(" (local policy: arc override, trusted sealer {})", core::header_comment(sealer));
  if (after_result == std::string::npos) return fragment + comment;
  return fragment.insert(after_result, comment);
}

std::string render(const Verdict& verdict, std::string_view authserv_id) {
  return mail::auth_results_field(authserv_id, auth_results_fragments(verdict));
}

}  // namespace

std::string trusted_sealer(const arc::Result& arc, std::string_view author_domain,
                           const AllowList& trusted) {
  // A message without one author domain (two From fields, one added after sealing) is not
  // the message the sealer saw pass.
  if (author_domain.empty()) return {};
  if (arc.outcome != arc::ChainStatus::pass || arc.sets.empty()) return {};
  const arc::SetResult& newest = arc.sets.back();
  if (!trusted.contains(newest.seal_domain) || !newest.aar) return {};
  const mail::AuthMethod* dmarc = newest.aar->find("dmarc");
  if (dmarc == nullptr || dmarc->result != "pass") return {};
  std::string_view from = dmarc->property("header", "from");
  // A sealer that names the author domain must name ours; one that does not is taken at its
  // word, as its AAR speaks of the message it received.
  if (!from.empty() && !core::domain_equal(from, author_domain)) return {};
  return newest.seal_domain;
}

void assemble(Verdict& verdict, const Policy& policy, std::string_view authserv_id) {
  TagSet tags;
  verdict.disposition = verdict.dmarc.disposition;
  if (verdict.dmarc.outcome == dmarc::Outcome::fail && policy.trusted_arc_sealers) {
    bool one_author = !verdict.dmarc.unusable_from && verdict.dmarc.other_author_domains.empty();
    std::string sealer = !one_author ? std::string()
                                     : trusted_sealer(verdict.arc, verdict.dmarc.author_domain,
                                                      *policy.trusted_arc_sealers);
    if (!sealer.empty()) {
      verdict.disposition = dmarc::Disposition::none;
      verdict.override_reason = "trusted_forwarder";
      verdict.policy_changes.push_back(
          {PolicyRule::trusted_arc_sealer, sealer,
           fmt::format("DMARC failed, but the ARC chain sealed by trusted {} passed and it saw "
                       "dmarc=pass on arrival",
                       sealer)});
      tags.fire(Tag::arc_trusted);
    }
  }

  if (verdict.spf_mail_from) tags.fire(spf_tag(verdict.spf_mail_from->outcome));
  dkim_tags(verdict.dkim, tags);
  tags.fire(arc_tag(verdict.arc));
  tags.fire(dmarc_tag(verdict.dmarc, verdict.disposition));
  if (verdict.iprev) tags.fire(iprev_tag(verdict.iprev->outcome));
  allow_list_tags(verdict, policy, tags);

  verdict.tags = tags.scored(policy.scores);
  verdict.score = 0;
  for (const ScoredTag& tag : verdict.tags) verdict.score += tag.score;
  verdict.authentication_results = render(verdict, authserv_id);
}

}  // namespace hallmark::authenticator::detail

namespace hallmark::authenticator {

std::vector<std::string> auth_results_fragments(const Verdict& verdict) {
  std::vector<std::string> fragments;
  if (verdict.iprev) fragments.push_back(auth_results_fragment(*verdict.iprev));
  if (verdict.spf_mail_from)
    fragments.push_back(spf::auth_results_fragment(*verdict.spf_mail_from));
  if (verdict.spf_helo) fragments.push_back(spf::auth_results_fragment(*verdict.spf_helo));
  for (std::string& fragment : dkim::auth_results_fragments(verdict.dkim))
    fragments.push_back(std::move(fragment));
  fragments.push_back(arc::auth_results_fragment(verdict.arc));
  fragments.push_back(detail::dmarc_fragment(verdict));
  return fragments;
}

}  // namespace hallmark::authenticator
