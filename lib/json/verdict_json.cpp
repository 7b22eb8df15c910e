// SPDX-License-Identifier: Apache-2.0
// The whole verdict as JSON: what `hallmark verify --json` prints for each message and what
// hallmark_result_json() returns, built from each protocol's own JSON.
#include "hallmark/authenticator/iprev.hpp"
#include "json/result_json.hpp"

namespace hallmark::json {
namespace {

// JSON readers want the field on one line: the folds (CRLF before whitespace) go.
std::string unfolded(std::string_view field) {
  std::string out;
  out.reserve(field.size());
  for (std::size_t i = 0; i < field.size(); ++i) {
    if (field[i] == '\r' && i + 1 < field.size() && field[i + 1] == '\n') {
      ++i;
      continue;
    }
    out += field[i];
  }
  return out;
}

nlohmann::json iprev_json(const authenticator::IprevResult& r) {
  return {{"result", authenticator::to_string(r.outcome)},
          {"ip", r.ip.to_string()},
          {"confirmed_names", r.confirmed_names},
          {"detail", r.detail},
          {"authentication_results", authenticator::auth_results_fragment(r)}};
}

}  // namespace

nlohmann::json to_json(const authenticator::Verdict& v, const authenticator::Envelope& envelope,
                       const std::string& receiver) {
  spf::Envelope spf_envelope;
  if (envelope.ip) spf_envelope.ip = *envelope.ip;
  spf_envelope.helo = envelope.helo;
  spf_envelope.mail_from = envelope.mail_from;
  nlohmann::json spf = {{"result", "none"}};
  if (v.spf_mail_from) {
    spf["result"] = spf::to_string(v.spf_mail_from->outcome);
    spf["mail_from"] = to_json(*v.spf_mail_from, spf_envelope, receiver);
  }
  if (v.spf_helo) spf["helo"] = to_json(*v.spf_helo, spf_envelope, receiver);
  nlohmann::json dkim = nlohmann::json::array();
  for (const dkim::Result& r : v.dkim) dkim.push_back(to_json(r));
  nlohmann::json tags = nlohmann::json::array();
  for (const authenticator::ScoredTag& t : v.tags)
    tags.push_back({{"name", authenticator::to_string(t.tag)}, {"score", t.score}});
  nlohmann::json changes = nlohmann::json::array();
  for (const authenticator::PolicyChange& c : v.policy_changes)
    changes.push_back(
        {{"rule", authenticator::to_string(c.rule)}, {"domain", c.domain}, {"detail", c.detail}});
  nlohmann::json limits = nlohmann::json::array();
  for (const authenticator::LimitReached& l : v.limits)
    limits.push_back({{"limit", authenticator::to_string(l.limit)}, {"detail", l.detail}});
  nlohmann::json out = {
      {"spf", std::move(spf)},
      {"dkim", std::move(dkim)},
      {"arc", to_json(v.arc)},
      {"dmarc", to_json(v.dmarc)},
      {"tags", std::move(tags)},
      {"score", v.score},
      {"disposition", dmarc::to_string(v.disposition)},
      {"override_reason", v.override_reason},
      {"policy_changes", std::move(changes)},
      {"limits", std::move(limits)},
      {"authentication_results", unfolded(v.authentication_results)},
  };
  if (v.iprev) out["iprev"] = iprev_json(*v.iprev);
  return out;
}

}  // namespace hallmark::json
