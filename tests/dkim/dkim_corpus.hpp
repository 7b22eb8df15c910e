// SPDX-License-Identifier: Apache-2.0
// Loader for ../shared/conformance/dkim/manifest.yaml: each message becomes a case with its wire
// bytes, a zone built from its DNS data, and the RFC results expected per signature.
#pragma once

#include <memory>
#include <ostream>
#include <string>
#include <vector>

#include "hallmark/dns/zone_resolver.hpp"

namespace hallmark::dkim::testing {

struct DkimCase {
  std::string file;     // "mail-dkim/corpus/badkey_14.txt", relative to the dkim folder
  std::string message;  // wire form: bare LF converted to CRLF where the manifest says so
  /// Per DKIM-Signature in header order: the acceptable RFC 8601 results, rfc_expected first
  /// and then rfc_also_acceptable. Empty for a message without signatures ("none").
  std::vector<std::vector<std::string>> acceptable;
  std::vector<std::string> domains;  // d= per signature as the manifest records it ("" if unknown)
  std::vector<std::string> reasons;  // rfc_reason per signature, for failure messages
  std::shared_ptr<dns::ZoneResolver> zone;
  std::string load_error;  // set when the case itself could not be built
};

/// Every case of the manifest. A manifest that cannot be read yields one case whose
/// load_error says why, so the run fails loudly instead of running nothing.
std::vector<DkimCase> load_dkim_corpus();

/// Reads mail-dkim/FAKE_DNS.dat syntax (README: "<name> <value>", NXDOMAIN, "~~Query timed
/// out~~", "~~SERVFAIL~~", "\"\"") into `zone`. Returns an error text, empty on success.
std::string load_fake_dns(const std::string& text, dns::ZoneResolver& zone);

/// Converts every LF not preceded by CR to CRLF.
std::string to_crlf(std::string_view text);

/// gtest parameter name: the file path reduced to [A-Za-z0-9_].
std::string case_name(const DkimCase& c);

inline void PrintTo(const DkimCase& c, std::ostream* out) { *out << c.file; }

}  // namespace hallmark::dkim::testing
