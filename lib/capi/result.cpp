// SPDX-License-Identifier: Apache-2.0
// hallmark_result: the verdict, read through accessors that return C strings the result owns.
#include "capi/handles.hpp"
#include "hallmark/spf/auth_results.hpp"
#include "json/result_json.hpp"

namespace hallmark::capi {

hallmark_status make_result(authenticator::Verdict verdict, const authenticator::Envelope& envelope,
                            const std::string& receiver, hallmark_result** result) {
  auto made = std::make_unique<hallmark_result>();
  hallmark_result& r = *made;
  r.verdict = std::move(verdict);
  const authenticator::Verdict& v = r.verdict;
  r.envelope = envelope;
  r.receiver = receiver;
  for (const authenticator::ScoredTag& tag : v.tags)
    r.tag_names.emplace_back(authenticator::to_string(tag.tag));
  r.spf = v.spf_mail_from ? spf::to_string(v.spf_mail_from->outcome) : "none";
  if (v.spf_mail_from) r.spf_domain = v.spf_mail_from->domain;
  r.spf_helo = v.spf_helo ? spf::to_string(v.spf_helo->outcome) : "none";
  for (const dkim::Result& d : v.dkim) {
    r.dkim.emplace_back(dkim::to_string(d.outcome));
    r.dkim_domains.push_back(d.domain);
    r.dkim_selectors.push_back(d.selector);
  }
  r.arc = arc::to_string(v.arc.outcome);
  r.dmarc = dmarc::to_string(v.dmarc.outcome);
  r.dmarc_domain = v.dmarc.author_domain;
  if (v.dmarc.record) r.dmarc_policy = dmarc::to_string(v.dmarc.policy);
  r.iprev = v.iprev ? authenticator::to_string(v.iprev->outcome) : "none";
  *result = made.release();
  return HALLMARK_OK;
}

}  // namespace hallmark::capi

namespace {

const char* at(const std::vector<std::string>& names, std::size_t index) noexcept {
  return index < names.size() ? names[index].c_str() : nullptr;
}

}  // namespace

extern "C" {

void hallmark_result_free(hallmark_result* result) { delete result; }

const char* hallmark_result_auth_results(const hallmark_result* result) {
  return result == nullptr ? nullptr : result->verdict.authentication_results.c_str();
}

const char* hallmark_result_json(const hallmark_result* result) {
  if (result == nullptr) return nullptr;
  try {
    std::call_once(result->json_once, [result] {
      // Invalid UTF-8 from the message (a reason quoting it) becomes U+FFFD, not an error.
      result->json = hallmark::json::to_json(result->verdict, result->envelope, result->receiver)
                         .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    });
  } catch (...) {
    return nullptr;  // out of memory; a later call tries again
  }
  return result->json.c_str();
}

hallmark_disposition hallmark_result_disposition(const hallmark_result* result) {
  if (result == nullptr) return HALLMARK_DISPOSITION_NONE;
  switch (result->verdict.disposition) {
    case hallmark::dmarc::Disposition::none: return HALLMARK_DISPOSITION_NONE;
    case hallmark::dmarc::Disposition::quarantine: return HALLMARK_DISPOSITION_QUARANTINE;
    case hallmark::dmarc::Disposition::reject: return HALLMARK_DISPOSITION_REJECT;
  }
  return HALLMARK_DISPOSITION_NONE;
}

const char* hallmark_result_override_reason(const hallmark_result* result) {
  return result == nullptr ? nullptr : result->verdict.override_reason.c_str();
}

int hallmark_result_temporary_failure(const hallmark_result* result) {
  return result != nullptr && result->verdict.temporary_failure() ? 1 : 0;
}

double hallmark_result_score(const hallmark_result* result) {
  return result == nullptr ? 0 : result->verdict.score;
}

size_t hallmark_result_tag_count(const hallmark_result* result) {
  return result == nullptr ? 0 : result->verdict.tags.size();
}

const char* hallmark_result_tag_name(const hallmark_result* result, size_t index) {
  return result == nullptr ? nullptr : at(result->tag_names, index);
}

double hallmark_result_tag_score(const hallmark_result* result, size_t index) {
  if (result == nullptr || index >= result->verdict.tags.size()) return 0;
  return result->verdict.tags[index].score;
}

const char* hallmark_result_spf(const hallmark_result* result) {
  return result == nullptr ? nullptr : result->spf.c_str();
}

const char* hallmark_result_spf_domain(const hallmark_result* result) {
  return result == nullptr ? nullptr : result->spf_domain.c_str();
}

const char* hallmark_result_received_spf(const hallmark_result* result) {
  if (result == nullptr) return nullptr;
  try {
    std::call_once(result->received_spf_once, [result] {
      const hallmark::authenticator::Verdict& v = result->verdict;
      if (!v.spf_mail_from) return;
      hallmark::spf::Envelope envelope;
      if (result->envelope.ip) envelope.ip = *result->envelope.ip;
      envelope.helo = result->envelope.helo;
      envelope.mail_from = result->envelope.mail_from;
      result->received_spf =
          hallmark::spf::received_spf(*v.spf_mail_from, envelope, result->receiver);
    });
  } catch (...) {
    return nullptr;
  }
  return result->received_spf.c_str();
}

const char* hallmark_result_spf_helo(const hallmark_result* result) {
  return result == nullptr ? nullptr : result->spf_helo.c_str();
}

size_t hallmark_result_dkim_count(const hallmark_result* result) {
  return result == nullptr ? 0 : result->dkim.size();
}

const char* hallmark_result_dkim(const hallmark_result* result, size_t index) {
  return result == nullptr ? nullptr : at(result->dkim, index);
}

const char* hallmark_result_dkim_domain(const hallmark_result* result, size_t index) {
  return result == nullptr ? nullptr : at(result->dkim_domains, index);
}

const char* hallmark_result_dkim_selector(const hallmark_result* result, size_t index) {
  return result == nullptr ? nullptr : at(result->dkim_selectors, index);
}

const char* hallmark_result_arc(const hallmark_result* result) {
  return result == nullptr ? nullptr : result->arc.c_str();
}

const char* hallmark_result_dmarc(const hallmark_result* result) {
  return result == nullptr ? nullptr : result->dmarc.c_str();
}

const char* hallmark_result_dmarc_domain(const hallmark_result* result) {
  return result == nullptr ? nullptr : result->dmarc_domain.c_str();
}

const char* hallmark_result_dmarc_policy(const hallmark_result* result) {
  return result == nullptr ? nullptr : result->dmarc_policy.c_str();
}

const char* hallmark_result_iprev(const hallmark_result* result) {
  return result == nullptr ? nullptr : result->iprev.c_str();
}

}  // extern "C"
