// SPDX-License-Identifier: Apache-2.0
// Tag names and default scores: the table every other part of the layer reads, and the
// name <-> Tag conversions.
#include "hallmark/authenticator/tags.hpp"

#include "authenticator/internal/tag_table.hpp"
#include "core/internal/ascii.hpp"

namespace hallmark::authenticator {
namespace detail {

// Default scores follow the weights rspamd and Stalwart give the same symbols, so an operator
// coming from either keeps the totals their thresholds were tuned for; the README lists them.
constexpr std::array<TagInfo, tag_count> tag_table = {{
    {Tag::spf_allow, "SPF_ALLOW", -0.2},
    {Tag::spf_fail, "SPF_FAIL", 1.0},
    {Tag::spf_softfail, "SPF_SOFTFAIL", 0.0},
    {Tag::spf_neutral, "SPF_NEUTRAL", 0.0},
    {Tag::spf_na, "SPF_NA", 0.0},
    {Tag::spf_dnsfail, "SPF_DNSFAIL", 0.0},
    {Tag::spf_permfail, "SPF_PERMFAIL", 0.0},
    {Tag::dkim_allow, "DKIM_ALLOW", -0.2},
    {Tag::dkim_reject, "DKIM_REJECT", 1.0},
    {Tag::dkim_tempfail, "DKIM_TEMPFAIL", 0.0},
    {Tag::dkim_permfail, "DKIM_PERMFAIL", 0.0},
    {Tag::dkim_na, "DKIM_NA", 0.0},
    {Tag::arc_allow, "ARC_ALLOW", -1.0},
    {Tag::arc_reject, "ARC_REJECT", 1.0},
    {Tag::arc_na, "ARC_NA", 0.0},
    {Tag::arc_dnsfail, "ARC_DNSFAIL", 0.0},
    {Tag::arc_trusted, "ARC_TRUSTED", -0.5},
    {Tag::dmarc_policy_allow, "DMARC_POLICY_ALLOW", -0.5},
    {Tag::dmarc_policy_reject, "DMARC_POLICY_REJECT", 2.0},
    {Tag::dmarc_policy_quarantine, "DMARC_POLICY_QUARANTINE", 1.5},
    {Tag::dmarc_policy_softfail, "DMARC_POLICY_SOFTFAIL", 0.1},
    {Tag::dmarc_na, "DMARC_NA", 0.0},
    {Tag::dmarc_dnsfail, "DMARC_DNSFAIL", 0.0},
    {Tag::dmarc_bad_policy, "DMARC_BAD_POLICY", 0.5},
    {Tag::iprev_allow, "IPREV_ALLOW", -0.1},
    {Tag::iprev_fail, "IPREV_FAIL", 1.0},
    {Tag::iprev_dnsfail, "IPREV_DNSFAIL", 0.0},
    {Tag::iprev_permfail, "IPREV_PERMFAIL", 0.5},
    {Tag::allowlist_dmarc, "ALLOWLIST_DMARC", -7.0},
    {Tag::blocklist_dmarc, "BLOCKLIST_DMARC", 6.0},
    {Tag::allowlist_spf_dkim, "ALLOWLIST_SPF_DKIM", -3.0},
    {Tag::blocklist_spf_dkim, "BLOCKLIST_SPF_DKIM", 3.0},
}};

namespace {

// to_string() and ScoreTable index the table by the tag's value: a row out of order would
// give a tag another's name or score.
constexpr bool rows_in_enum_order() {
  for (std::size_t i = 0; i < tag_table.size(); ++i)
    if (static_cast<std::size_t>(tag_table[i].tag) != i || tag_table[i].name.empty()) return false;
  return true;
}
static_assert(rows_in_enum_order(), "tag_table rows must follow the order of enum Tag");

}  // namespace
}  // namespace detail

std::string_view to_string(Tag tag) noexcept {
  auto index = static_cast<std::size_t>(tag);
  return index < detail::tag_table.size() ? detail::tag_table[index].name : "UNKNOWN";
}

std::optional<Tag> parse_tag(std::string_view name) noexcept {
  // 32 short names: a linear scan is as fast as a map and needs no start-up.
  for (const detail::TagInfo& row : detail::tag_table)
    if (core::detail::iequals(row.name, name)) return row.tag;
  return std::nullopt;
}

}  // namespace hallmark::authenticator
