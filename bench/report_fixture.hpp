// SPDX-License-Identifier: Apache-2.0
// Aggregate reports of any size for the report benchmarks, written as a large mailbox
// provider writes them: indented, one record per source, two DKIM results and one SPF result.
#pragma once

#include <fmt/format.h>

#include <string>

namespace hallmark::bench {

inline std::string aggregate_report_head() {
  return "<?xml version=\"1.0\" encoding=\"UTF-8\" ?>\n<feedback>\n  <version>1.0</version>\n"
         "  <report_metadata>\n    <org_name>receiver.example</org_name>\n"
         "    <email>noreply-dmarc-support@receiver.example</email>\n"
         "    <report_id>1234567890123456789</report_id>\n    <date_range>\n"
         "      <begin>1796083200</begin>\n      <end>1796169599</end>\n    </date_range>\n"
         "  </report_metadata>\n  <policy_published>\n    <domain>example.com</domain>\n"
         "    <adkim>r</adkim>\n    <aspf>r</aspf>\n    <p>reject</p>\n    <sp>reject</sp>\n"
         "    <pct>100</pct>\n  </policy_published>\n";
}

inline std::string aggregate_record(std::size_t i) {
  return fmt::format(
      "  <record>\n    <row>\n      <source_ip>198.{}.{}.{}</source_ip>\n"
      "      <count>{}</count>\n      <policy_evaluated>\n"
      "        <disposition>{}</disposition>\n        <dkim>pass</dkim>\n"
      "        <spf>fail</spf>\n      </policy_evaluated>\n    </row>\n    <identifiers>\n"
      "      <header_from>example.com</header_from>\n"
      "      <envelope_from>bounces.example.com</envelope_from>\n    </identifiers>\n"
      "    <auth_results>\n      <dkim>\n        <domain>example.com</domain>\n"
      "        <selector>s2026</selector>\n        <result>pass</result>\n      </dkim>\n"
      "      <dkim>\n        <domain>esp.example</domain>\n        <selector>k1</selector>\n"
      "        <result>pass</result>\n      </dkim>\n      <spf>\n"
      "        <domain>bounces.example.com</domain>\n        <scope>mfrom</scope>\n"
      "        <result>softfail</result>\n      </spf>\n    </auth_results>\n  </record>\n",
      (i >> 16) & 0xFF, (i >> 8) & 0xFF, i & 0xFF, i % 17 + 1, i % 5 == 0 ? "reject" : "none");
}

inline std::string aggregate_report_tail() { return "</feedback>\n"; }

inline std::string aggregate_report(std::size_t records) {
  std::string xml = aggregate_report_head();
  for (std::size_t i = 0; i < records; ++i) xml += aggregate_record(i);
  return xml + aggregate_report_tail();
}

}  // namespace hallmark::bench
