// SPDX-License-Identifier: Apache-2.0
// What the audit's tests share: the zone fixtures of tests/audit/zones/, loaded once each, and
// the check that every finding reads as one bounded, printable line.
#pragma once

#include <algorithm>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <gtest/gtest.h>

#include "hallmark/audit/audit.hpp"
#include "hallmark/dns/zone_resolver.hpp"

namespace hallmark::audit::testing_support {

/// tests/audit/zones/`file`, loaded on first use and kept for the test program's life.
inline dns::ZoneResolver& fixture_zone(const std::string& file) {
  static std::map<std::string, std::unique_ptr<dns::ZoneResolver>> zones;
  std::unique_ptr<dns::ZoneResolver>& zone = zones[file];
  if (!zone) {
    zone = std::make_unique<dns::ZoneResolver>();
    core::Expected<void> loaded =
        zone->load_file(std::string(HALLMARK_SOURCE_DIR "/tests/audit/zones/") + file);
    if (!loaded) ADD_FAILURE() << loaded.error().message;
  }
  return *zone;
}

/// Messages and fixes are one line each, bounded, whatever the records said, and every code
/// carries its protocol's prefix.
inline void expect_clean(const std::vector<Finding>& findings, std::string_view prefix) {
  for (const Finding& f : findings) {
    for (const std::string* text : {&f.message, &f.fix}) {
      EXPECT_LT(text->size(), 1000u) << f.code;
      EXPECT_TRUE(std::ranges::none_of(
          *text, [](char c) { return static_cast<unsigned char>(c) < 0x20 || c == 0x7f; }))
          << f.code << ": " << *text;
    }
    EXPECT_FALSE(f.message.empty()) << f.code;
    EXPECT_TRUE(f.code.starts_with(prefix)) << f.code;
  }
}

}  // namespace hallmark::audit::testing_support
