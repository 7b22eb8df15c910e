// SPDX-License-Identifier: Apache-2.0
// `--geoip FILE`: what MaxMind-format databases (GeoLite2 Country, City or ASN, or any database
// with the same fields) know of a report's source IPs, as a report::SourceEnricher.
#pragma once

#include <string>
#include <vector>

#include "hallmark/report/store.hpp"

namespace hallmark::cli {

/// An enricher reading one database, memory-mapped: country.iso_code (registered_country.iso_code
/// when the database has no country for the network), autonomous_system_number and
/// autonomous_system_organization. The database stays open as long as a copy of the enricher
/// lives. Throws Failure naming the file and libmaxminddb's reason when it cannot be opened.
report::SourceEnricher open_geoip(const std::string& path);

/// One enricher over several databases (a Country and an ASN database, say): each field comes
/// from the first database that knows it. Nothing when no database knows the IP; an empty
/// `paths` gives an empty function.
report::SourceEnricher open_geoip_databases(const std::vector<std::string>& paths);

}  // namespace hallmark::cli
