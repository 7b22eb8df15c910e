// SPDX-License-Identifier: Apache-2.0
// MaxMind-format database lookups with libmaxminddb, for `report parse --geoip`.
#include "geoip.hpp"

#include <maxminddb.h>

#include <cerrno>
#include <cstring>
#include <limits>
#include <memory>
#include <optional>
#include <string_view>

#include <fmt/format.h>

#include "args.hpp"
#include "printable.hpp"

namespace hallmark::cli {

namespace {

using Database = std::shared_ptr<MMDB_s>;

// The entry's value at a path of map keys, when it has one of the wanted type.
std::optional<MMDB_entry_data_s> value_at(MMDB_entry_s entry, const char* key,
                                          const char* subkey = nullptr) {
  MMDB_entry_data_s data{};
  if (MMDB_get_value(&entry, &data, key, subkey, static_cast<const char*>(nullptr)) !=
          MMDB_SUCCESS ||
      !data.has_data)
    return std::nullopt;
  return data;
}

std::string string_at(const MMDB_entry_s& entry, const char* key, const char* subkey = nullptr) {
  std::optional<MMDB_entry_data_s> data = value_at(entry, key, subkey);
  if (!data || data->type != MMDB_DATA_TYPE_UTF8_STRING) return {};
  return std::string(data->utf8_string, data->data_size);
}

// GeoLite2-ASN stores the number as uint32; accept the other integer types a writer may pick.
std::optional<std::uint32_t> number_at(const MMDB_entry_s& entry, const char* key) {
  std::optional<MMDB_entry_data_s> data = value_at(entry, key);
  if (!data) return std::nullopt;
  switch (data->type) {
    case MMDB_DATA_TYPE_UINT16: return data->uint16;
    case MMDB_DATA_TYPE_UINT32: return data->uint32;
    case MMDB_DATA_TYPE_UINT64:
      if (data->uint64 <= std::numeric_limits<std::uint32_t>::max())
        return static_cast<std::uint32_t>(data->uint64);
      return std::nullopt;
    case MMDB_DATA_TYPE_INT32:
      if (data->int32 >= 0) return static_cast<std::uint32_t>(data->int32);
      return std::nullopt;
    default: return std::nullopt;
  }
}

std::optional<report::SourceInfo> look_up(const MMDB_s& database, std::string_view ip) {
  std::string address(ip);  // libmaxminddb wants a C string
  int resolver_error = 0, error = MMDB_SUCCESS;
  // AI_NUMERICHOST underneath: a malformed source_ip is "not found", never a DNS query.
  MMDB_lookup_result_s found =
      MMDB_lookup_string(&database, address.c_str(), &resolver_error, &error);
  // An IPv6 address in an IPv4-only database is an error too: it is simply not known.
  if (resolver_error != 0 || error != MMDB_SUCCESS || !found.found_entry) return std::nullopt;
  report::SourceInfo info;
  info.country = string_at(found.entry, "country", "iso_code");
  // GeoLite2 leaves "country" out for anycast and satellite networks; the country the
  // network is registered in is the next best answer.
  if (info.country.empty()) info.country = string_at(found.entry, "registered_country", "iso_code");
  info.asn = number_at(found.entry, "autonomous_system_number");
  info.as_organization = string_at(found.entry, "autonomous_system_organization");
  if (info.country.empty() && !info.asn && info.as_organization.empty()) return std::nullopt;
  return info;
}

Database open_database(const std::string& path) {
  auto database = std::make_unique<MMDB_s>();
  int status = MMDB_open(path.c_str(), MMDB_MODE_MMAP, database.get());
  int system_error = errno;
  if (status != MMDB_SUCCESS) {
    std::string why = MMDB_strerror(status);
    if (status == MMDB_FILE_OPEN_ERROR || status == MMDB_IO_ERROR)
      why += fmt::format(" ({})", std::strerror(system_error));
    throw Failure(fmt::format("--geoip {}: {}", printable(path), why));
  }
  return Database(database.release(), [](MMDB_s* opened) {
    MMDB_close(opened);
    delete opened;
  });
}

}  // namespace

report::SourceEnricher open_geoip(const std::string& path) {
  Database database = open_database(path);
  return [database](std::string_view ip) { return look_up(*database, ip); };
}

report::SourceEnricher open_geoip_databases(const std::vector<std::string>& paths) {
  if (paths.empty()) return nullptr;
  if (paths.size() == 1) return open_geoip(paths.front());
  std::vector<report::SourceEnricher> enrichers;
  for (const std::string& path : paths) enrichers.push_back(open_geoip(path));
  return [enrichers](std::string_view ip) -> std::optional<report::SourceInfo> {
    std::optional<report::SourceInfo> merged;
    for (const report::SourceEnricher& enrich : enrichers) {
      std::optional<report::SourceInfo> info = enrich(ip);
      if (!info) continue;
      if (!merged) {
        merged = std::move(info);
        continue;
      }
      if (merged->country.empty()) merged->country = std::move(info->country);
      if (!merged->asn) merged->asn = info->asn;
      if (merged->as_organization.empty())
        merged->as_organization = std::move(info->as_organization);
    }
    return merged;
  };
}

}  // namespace hallmark::cli
