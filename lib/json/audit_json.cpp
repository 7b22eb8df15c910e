// SPDX-License-Identifier: Apache-2.0
#include "json/audit_json.hpp"

#include <map>

namespace hallmark::json {

namespace {

nlohmann::json findings_json(const std::vector<audit::Finding>& findings) {
  nlohmann::json out = nlohmann::json::array();
  for (const audit::Finding& finding : findings) {
    nlohmann::json item = {{"severity", audit::to_string(finding.severity)},
                           {"code", finding.code},
                           {"message", finding.message}};
    if (!finding.fix.empty()) item["fix"] = finding.fix;
    out.push_back(std::move(item));
  }
  return out;
}

nlohmann::json node_json(const audit::SpfNode& node) {
  nlohmann::json out = {{"domain", node.domain},
                        {"dns_lookups", node.dns_lookups},
                        {"void_lookups", node.void_lookups},
                        {"running_total", node.running_total}};
  if (!node.via.empty()) out["via"] = node.via;
  if (!node.record.empty()) out["record"] = node.record;
  if (!node.error.empty()) out["error"] = node.error;
  nlohmann::json children = nlohmann::json::array();
  for (const audit::SpfNode& child : node.children) children.push_back(node_json(child));
  out["children"] = std::move(children);
  return out;
}

}  // namespace

nlohmann::json to_json(const audit::Report& report) {
  nlohmann::json spf = {{"found", report.spf.found},
                        {"total_lookups", report.spf.total_lookups},
                        {"void_lookups", report.spf.void_lookups},
                        {"findings", findings_json(report.spf.findings)}};
  if (report.spf.found) spf["tree"] = node_json(report.spf.tree);
  nlohmann::json ips = nlohmann::json::array();
  for (const audit::IpCheck& check : report.spf.ips) {
    nlohmann::json item = {{"ip", check.ip.to_string()}, {"result", spf::to_string(check.outcome)}};
    if (!check.term.empty()) item["term"] = check.term;
    ips.push_back(std::move(item));
  }
  spf["ips"] = std::move(ips);

  nlohmann::json keys = nlohmann::json::array();
  for (const audit::DkimKey& key : report.dkim.keys) {
    nlohmann::json item = {{"selector", key.selector},
                           {"found", key.found},
                           {"findings", findings_json(key.findings)}};
    if (!key.record.empty()) item["record"] = key.record;
    if (!key.key_type.empty()) item["key_type"] = key.key_type;
    if (key.bits != 0) item["bits"] = key.bits;
    keys.push_back(std::move(item));
  }
  nlohmann::json dkim = {{"probed_common_selectors", report.dkim.probed_common_selectors},
                         {"probed_selectors", report.dkim.probed_selectors},
                         {"keys", std::move(keys)},
                         {"findings", findings_json(report.dkim.findings)}};

  nlohmann::json destinations = nlohmann::json::array();
  for (const audit::ReportDestination& destination : report.dmarc.destinations) {
    nlohmann::json item = {{"uri", destination.uri},
                           {"kind", destination.kind},
                           {"host", destination.host},
                           {"external", destination.external},
                           {"authorised", destination.authorised},
                           {"checked", destination.checked}};
    if (!destination.authorised_by.empty()) item["authorised_by"] = destination.authorised_by;
    destinations.push_back(std::move(item));
  }
  nlohmann::json dmarc = {{"found", report.dmarc.found},
                          {"destinations", std::move(destinations)},
                          {"findings", findings_json(report.dmarc.findings)}};
  if (!report.dmarc.record.empty()) dmarc["record"] = report.dmarc.record;
  if (!report.dmarc.record_domain.empty()) dmarc["record_domain"] = report.dmarc.record_domain;
  if (!report.dmarc.policy.empty()) {
    dmarc["policy"] = report.dmarc.policy;
    dmarc["policy_tag"] = report.dmarc.policy_tag;
  }

  nlohmann::json mail = {{"mx", report.mail.mx}, {"findings", findings_json(report.mail.findings)}};
  if (!report.mail.tls_rpt.empty()) mail["tls_rpt"] = report.mail.tls_rpt;
  if (!report.mail.mta_sts.empty()) mail["mta_sts"] = report.mail.mta_sts;
  if (!report.mail.bimi.empty()) mail["bimi"] = report.mail.bimi;

  std::map<std::string_view, unsigned> counts = {
      {"ok", 0}, {"info", 0}, {"warning", 0}, {"error", 0}};
  for (const audit::Finding& finding : report.findings())
    ++counts[audit::to_string(finding.severity)];
  nlohmann::json count_json = nlohmann::json::object();
  for (const auto& [name, count] : counts) count_json[std::string(name)] = count;

  return {{"domain", report.domain},         {"worst", audit::to_string(report.worst())},
          {"counts", std::move(count_json)}, {"spf", std::move(spf)},
          {"dkim", std::move(dkim)},         {"dmarc", std::move(dmarc)},
          {"mail", std::move(mail)}};
}

}  // namespace hallmark::json
