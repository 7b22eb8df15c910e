// SPDX-License-Identifier: Apache-2.0
// Each protocol's result as the JSON the verbs print: one place for the field names, which
// the README documents and `verify --json` nests.
#include "json/result_json.hpp"

#include "hallmark/arc/verify.hpp"
#include "hallmark/dkim/auth_results.hpp"
#include "hallmark/dmarc/record.hpp"
#include "hallmark/spf/auth_results.hpp"

namespace hallmark::json {
namespace {

// "ptype.property" keys; a property written without a ptype keeps its bare name.
nlohmann::json properties_json(const std::vector<mail::AuthProperty>& properties) {
  nlohmann::json out = nlohmann::json::object();
  for (const mail::AuthProperty& p : properties) {
    std::string key = p.ptype.empty() ? p.property : p.ptype + "." + p.property;
    // RFC 8601 allows a property twice; the first is the one AuthMethod::property() reads.
    if (!out.contains(key)) out[key] = p.value;
  }
  return out;
}

nlohmann::json aar_json(const std::optional<mail::AuthResults>& aar) {
  if (!aar) return nullptr;
  nlohmann::json methods = nlohmann::json::array();
  for (const mail::AuthMethod& m : aar->methods) {
    methods.push_back({{"method", m.method},
                       {"result", m.result},
                       {"reason", m.reason},
                       {"properties", properties_json(m.properties)}});
  }
  return {{"authserv_id", aar->authserv_id}, {"methods", std::move(methods)}};
}

nlohmann::json set_json(const arc::SetResult& set) {
  nlohmann::json out = {
      {"instance", set.instance},
      {"cv", arc::to_string(set.chain_status)},
      {"seal_domain", set.seal_domain},
      {"seal_selector", set.seal_selector},
      {"seal_algorithm", set.seal_algorithm},
      {"seal_result", dkim::to_string(set.seal_result)},
      {"ams_domain", set.ams_domain},
      {"ams_selector", set.ams_selector},
      {"ams_result", dkim::to_string(set.ams_result)},
      {"aar", aar_json(set.aar)},
      {"aar_text", set.aar_text},
  };
  if (!set.detail.empty()) out["detail"] = set.detail;
  return out;
}

}  // namespace

nlohmann::json to_json(const spf::Result& r, const spf::Envelope& envelope,
                       const std::string& receiver) {
  nlohmann::json trace = nlohmann::json::array();
  for (const spf::TraceEntry& entry : r.trace) {
    trace.push_back({{"domain", entry.domain},
                     {"term", entry.term},
                     {"depth", entry.depth},
                     {"dns_lookups", entry.dns_lookups},
                     {"matched", entry.matched},
                     {"note", entry.note}});
  }
  nlohmann::json out = {
      {"result", spf::to_string(r.outcome)},
      {"identity", spf::to_string(r.identity)},
      {"domain", r.domain},
      {"sender", r.sender},
      {"reason", r.reason},
      {"dns_lookups", r.dns_lookups},
      {"void_lookups", r.void_lookups},
      {"trace", std::move(trace)},
      {"received_spf", spf::received_spf(r, envelope, receiver, "")},
      {"authentication_results", spf::auth_results_fragment(r)},
  };
  if (!r.mechanism.empty()) out["mechanism"] = r.mechanism;
  if (!r.explanation.empty()) out["explanation"] = r.explanation;
  return out;
}

nlohmann::json to_json(const dkim::Result& r) {
  nlohmann::json out = {
      {"result", dkim::to_string(r.outcome)},
      {"domain", r.domain},
      {"selector", r.selector},
      {"algorithm", r.algorithm},
      {"reason", dkim::to_string(r.reason)},
  };
  if (!r.detail.empty()) out["detail"] = r.detail;
  if (!r.auid.empty()) out["auid"] = r.auid;
  // key_bits is set only once a key record was read; t=y is meaningful from then on.
  if (r.key_bits != 0) {
    out["testing"] = r.testing;
    out["key_bits"] = r.key_bits;
  }
  if (r.body_length) {
    out["body_length"] = *r.body_length;
    out["unsigned_body_octets"] = r.unsigned_body_octets;
  }
  if (r.canonical_body_length != 0) out["canonical_body_length"] = r.canonical_body_length;
  if (!r.header_b.empty()) out["header_b"] = r.header_b;
  return out;
}

nlohmann::json to_json(const dmarc::Result& r) {
  nlohmann::json out = {
      {"result", dmarc::to_string(r.outcome)},
      {"reason", r.reason},
      {"author_domain", r.author_domain},
      {"record_domain", r.record_domain},
      {"organizational_domain", r.organizational_domain},
      {"policy", r.record ? std::string(dmarc::to_string(r.policy)) : std::string()},
      {"policy_tag", r.policy_tag},
      {"disposition", dmarc::to_string(r.disposition)},
      {"testing", r.testing},
      {"sampled_out", r.sampled_out},
      {"spf_aligned", r.spf_aligned},
      {"dkim_aligned", r.dkim_aligned},
      {"rua", r.aggregate_uris},
      {"ruf", r.failure_uris},
      {"authentication_results", dmarc::auth_results_fragment(r)},
  };
  if (r.record) out["record"] = dmarc::to_string(*r.record);
  if (!r.aligned_dkim_domain.empty()) out["aligned_dkim_domain"] = r.aligned_dkim_domain;
  return out;
}

nlohmann::json to_json(const arc::Result& r) {
  nlohmann::json sets = nlohmann::json::array();
  for (const arc::SetResult& set : r.sets) sets.push_back(set_json(set));
  nlohmann::json oldest_pass = nullptr;
  if (r.oldest_pass) oldest_pass = *r.oldest_pass;
  return {
      {"result", arc::to_string(r.outcome)},
      {"reason", arc::to_string(r.reason)},
      {"detail", r.detail},
      {"failed_instance", r.failed_instance},
      {"oldest_pass", std::move(oldest_pass)},
      {"dns_failure", r.dns_failure},
      {"sealers", r.sealers()},
      {"sets", std::move(sets)},
      {"authentication_results", arc::auth_results_fragment(r)},
  };
}

}  // namespace hallmark::json
