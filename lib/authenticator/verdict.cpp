// SPDX-License-Identifier: Apache-2.0
// Names of the verdict's enumerations and its small queries.
#include "hallmark/authenticator/verdict.hpp"

#include <algorithm>

namespace hallmark::authenticator {

std::string_view to_string(Limit limit) noexcept {
  switch (limit) {
    case Limit::dns_queries: return "dns_queries";
    case Limit::deadline: return "deadline";
    case Limit::dkim_signatures: return "dkim_signatures";
    case Limit::arc_sets: return "arc_sets";
    case Limit::header_section: return "header_section";
  }
  return "dns_queries";
}

std::string_view to_string(PolicyRule rule) noexcept {
  switch (rule) {
    case PolicyRule::trusted_arc_sealer: return "trusted_arc_sealer";
    case PolicyRule::allow_list_dmarc: return "allow_list_dmarc";
    case PolicyRule::allow_list_spf_dkim: return "allow_list_spf_dkim";
  }
  return "trusted_arc_sealer";
}

bool Verdict::has_tag(Tag tag) const noexcept {
  return std::any_of(tags.begin(), tags.end(), [tag](const ScoredTag& t) { return t.tag == tag; });
}

bool Verdict::temporary_failure() const noexcept {
  return has_tag(Tag::spf_dnsfail) || has_tag(Tag::dkim_tempfail) || has_tag(Tag::arc_dnsfail) ||
         has_tag(Tag::dmarc_dnsfail) || has_tag(Tag::iprev_dnsfail);
}

}  // namespace hallmark::authenticator
