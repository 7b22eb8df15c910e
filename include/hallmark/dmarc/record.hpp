// SPDX-License-Identifier: Apache-2.0
// DMARC policy records (RFC 9989 4.7, 4.8; RFC 7489 6.3 for pct=): parsing with the
// leniency the RFC asks for: unknown tags ignored, invalid values replaced by defaults.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "hallmark/core/error.hpp"
#include "hallmark/export.hpp"

namespace hallmark::dmarc {

enum class Policy : std::uint8_t { none, quarantine, reject };
enum class Alignment : std::uint8_t { relaxed, strict };
/// psd= (RFC 9989 4.7): y, n, or u (the default: not said).
enum class PsdFlag : std::uint8_t { unknown, yes, no };

HALLMARK_API std::string_view to_string(Policy policy) noexcept;

struct Record {
  /// p=; nullopt when absent or not none/quarantine/reject (see policy_invalid).
  std::optional<Policy> policy;
  bool policy_invalid = false;
  std::optional<Policy> subdomain_policy;  // sp=
  bool subdomain_policy_invalid = false;
  std::optional<Policy> nonexistent_policy;  // np=
  bool nonexistent_policy_invalid = false;
  PsdFlag psd = PsdFlag::unknown;
  bool testing = false;                           // t=y
  bool testing_given = false;                     // t= present with y or n
  Alignment dkim_alignment = Alignment::relaxed;  // adkim=
  Alignment spf_alignment = Alignment::relaxed;   // aspf=
  std::vector<std::string> aggregate_uris;        // rua=, syntactically valid URIs only
  std::vector<std::string> failure_uris;          // ruf=
  std::string failure_options = "0";              // fo=, colon-separated 0 1 d s
  /// pct= of RFC 7489 6.3 (0..100), kept with its old meaning when a record has it.
  std::optional<unsigned> percent;
  std::optional<std::uint32_t> report_interval;  // ri= (RFC 7489)
  std::vector<std::string> report_formats;       // rf= (RFC 7489)

  friend bool operator==(const Record&, const Record&) = default;
};

/// Whether TXT text is a DMARC record: its first tag is v=DMARC1 (RFC 9989 4.7). Others are
/// ignored during discovery.
HALLMARK_API bool is_dmarc_record(std::string_view text) noexcept;

/// Parses a record. Unknown tags are ignored and invalid values fall back to defaults (RFC
/// 9989 4.8); only a record that is not a DMARC record at all is an error.
/// Errors: Errc::unsupported when v=DMARC1 is not the first tag.
HALLMARK_API core::Expected<Record> parse_record(std::string_view text);

/// A valid p=, and sp= and np= valid or absent. A record without is applied as if it said
/// only p=none, when it is applied at all (is_applicable).
HALLMARK_API bool has_valid_policies(const Record& record) noexcept;

/// RFC 9989 4.10.1: a record without a valid p=, or with an invalid sp= or np=, is applied
/// as p=none when it has a valid rua= URI, and otherwise not at all.
HALLMARK_API bool is_applicable(const Record& record) noexcept;

/// The same record in normal form, for logs and tests: "v=DMARC1; p=reject; ...".
HALLMARK_API std::string to_string(const Record& record);

}  // namespace hallmark::dmarc
