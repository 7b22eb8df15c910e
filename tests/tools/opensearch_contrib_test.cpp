// SPDX-License-Identifier: Apache-2.0
// contrib/opensearch: the index template maps every field `report parse --format bulk` writes
// (taken from real runs over an aggregate report, a TLS report and a failure report), and the
// Dashboards saved objects parse, reference each other correctly and chart mapped fields.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "cli_runner.hpp"

namespace hallmark::cli {
namespace {

const std::string contrib = HALLMARK_SOURCE_DIR "/contrib/opensearch/";

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream content;
  content << in.rdbuf();
  return content.str();
}

nlohmann::json template_properties() {
  nlohmann::json index_template = nlohmann::json::parse(read_file(contrib + "index-template.json"));
  return index_template.at("template").at("mappings").at("properties");
}

// The mapping of a dotted field path ("original_headers.name"), or null.
nlohmann::json mapping_of(const nlohmann::json& properties, const std::string& path) {
  const nlohmann::json* level = &properties;
  const nlohmann::json* found = nullptr;
  std::istringstream parts(path);
  for (std::string part; std::getline(parts, part, '.');) {
    if (level == nullptr || !level->contains(part)) return nullptr;
    found = &level->at(part);
    level = found->contains("properties") ? &found->at("properties") : nullptr;
  }
  return found != nullptr ? *found : nlohmann::json();
}

// Field paths of a document: objects (also inside arrays) open into "parent.child".
void collect_fields(const nlohmann::json& value, const std::string& prefix,
                    std::set<std::string>& fields) {
  if (value.is_array()) {
    for (const nlohmann::json& element : value) collect_fields(element, prefix, fields);
    return;
  }
  if (!value.is_object()) {
    fields.insert(prefix);
    return;
  }
  for (const auto& [key, member] : value.items())
    collect_fields(member, prefix.empty() ? key : prefix + "." + key, fields);
}

TEST(OpenSearchContrib, TemplateMapsEveryBulkField) {
  RunResult r = run_cli({"report", "parse", "--format", "bulk", "--index", "dmarc-reports",
                         HALLMARK_CONFORMANCE_DIR
                         "/dmarc/parsedmarc/rfc9990-example.net!example.com!1700000000!"
                         "1700086399.xml",
                         HALLMARK_SOURCE_DIR "/fuzz/corpus/report_message/tls.eml",
                         HALLMARK_SOURCE_DIR "/fuzz/corpus/report_message/arf.eml"});
  ASSERT_EQ(r.status, 0) << r.err;
  std::set<std::string> fields, kinds;
  std::istringstream in(r.out);
  for (std::string action, document; std::getline(in, action) && std::getline(in, document);) {
    nlohmann::json parsed = nlohmann::json::parse(document);
    kinds.insert(parsed["report_kind"].get<std::string>());
    collect_fields(parsed, "", fields);
  }
  EXPECT_EQ(kinds, (std::set<std::string>{"dmarc-aggregate", "tls", "dmarc-failure"}));
  // What --geoip adds (report_geoip_test.cpp checks it does).
  fields.insert({"source_country", "source_asn", "source_as_organization"});

  nlohmann::json properties = template_properties();
  for (const std::string& field : fields)
    EXPECT_FALSE(mapping_of(properties, field).is_null()) << field << " has no mapping";

  std::map<std::string, std::string> types = {{"source_ip", "ip"},
                                              {"date_begin", "date"},
                                              {"date_end", "date"},
                                              {"arrival_date", "date"},
                                              {"count", "long"},
                                              {"dmarc_aligned", "boolean"},
                                              {"policy_domain", "keyword"},
                                              {"disposition", "keyword"},
                                              {"report_kind", "keyword"},
                                              {"report_id", "keyword"},
                                              {"dkim_results", "keyword"},
                                              {"spf_results", "keyword"},
                                              {"source_country", "keyword"},
                                              {"source_asn", "long"},
                                              {"source_as_organization", "keyword"},
                                              {"failed_sessions", "long"},
                                              {"header_from", "keyword"}};
  for (const auto& [field, type] : types)
    EXPECT_EQ(mapping_of(properties, field).value("type", ""), type) << field;
  EXPECT_EQ(properties["source_as_organization"]["fields"]["text"]["type"], "text");

  nlohmann::json index_template = nlohmann::json::parse(read_file(contrib + "index-template.json"));
  EXPECT_EQ(index_template["index_patterns"], nlohmann::json::array({"dmarc-*"}));
}

TEST(OpenSearchContrib, DashboardObjectsReferenceEachOther) {
  std::istringstream in(read_file(contrib + "dashboards.ndjson"));
  std::map<std::string, nlohmann::json> objects;  // "type:id" -> object
  std::vector<nlohmann::json> all;
  for (std::string line; std::getline(in, line);) {
    ASSERT_FALSE(line.empty());
    nlohmann::json object = nlohmann::json::parse(line);
    std::string key =
        object.at("type").get<std::string>() + ":" + object.at("id").get<std::string>();
    EXPECT_TRUE(objects.emplace(key, object).second) << key << " twice";
    all.push_back(object);
  }
  std::map<std::string, int> per_type;
  for (const nlohmann::json& object : all) ++per_type[object["type"]];
  EXPECT_EQ(per_type["index-pattern"], 1);
  EXPECT_GE(per_type["visualization"], 3);
  EXPECT_EQ(per_type["dashboard"], 1);

  nlohmann::json properties = template_properties();
  for (const nlohmann::json& object : all) {
    std::string type = object["type"];
    std::set<std::string> reference_names;
    for (const nlohmann::json& reference : object.at("references")) {
      std::string target =
          reference.at("type").get<std::string>() + ":" + reference.at("id").get<std::string>();
      EXPECT_TRUE(objects.contains(target)) << object["id"] << " refers to missing " << target;
      reference_names.insert(reference.at("name").get<std::string>());
    }
    const nlohmann::json& attributes = object.at("attributes");
    if (type == "index-pattern") {
      EXPECT_EQ(attributes["title"], "dmarc-*");
      EXPECT_EQ(attributes["timeFieldName"], "date_begin");
    } else if (type == "visualization") {
      nlohmann::json search = nlohmann::json::parse(
          attributes["kibanaSavedObjectMeta"]["searchSourceJSON"].get<std::string>());
      EXPECT_TRUE(reference_names.contains(search["indexRefName"])) << object["id"];
      nlohmann::json state = nlohmann::json::parse(attributes["visState"].get<std::string>());
      EXPECT_EQ(state["title"], attributes["title"]);
      for (const nlohmann::json& aggregation : state["aggs"]) {
        if (!aggregation["params"].contains("field")) continue;
        std::string field = aggregation["params"]["field"];
        EXPECT_FALSE(mapping_of(properties, field).is_null())
            << object["id"] << " charts unmapped " << field;
      }
    } else if (type == "dashboard") {
      nlohmann::json panels = nlohmann::json::parse(attributes["panelsJSON"].get<std::string>());
      EXPECT_EQ(panels.size(), object["references"].size());
      for (const nlohmann::json& panel : panels) {
        EXPECT_TRUE(reference_names.contains(panel["panelRefName"])) << panel;
        EXPECT_TRUE(panel.contains("gridData"));
      }
      for (const nlohmann::json& reference : object["references"])
        EXPECT_EQ(reference["type"], "visualization");
    } else {
      ADD_FAILURE() << "unexpected saved object type " << type;
    }
  }
}

}  // namespace
}  // namespace hallmark::cli
