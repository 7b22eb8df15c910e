// SPDX-License-Identifier: Apache-2.0
// `hallmark report parse --geoip DB`: MaxMind-format databases written at test time with
// MaxMind::DB::Writer (Debian's libmaxmind-db-writer-perl) put the sources' country and network
// on bulk documents and into the store. Skipped without the Perl module, except under CI.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <sstream>

#include "cli_runner.hpp"
#include "hallmark/report/store.hpp"
#include "support/child_process.hpp"

namespace hallmark::cli {
namespace {

using testing::HasSubstr;

#define REQUIRE_DATABASES()                              \
  do {                                                   \
    const std::string why_missing = databases().missing; \
    if (!why_missing.empty()) {                          \
      if (std::getenv("CI") != nullptr) {                \
        FAIL() << why_missing;                           \
      }                                                  \
      GTEST_SKIP() << why_missing;                       \
    }                                                    \
  } while (false)

const std::string sample = HALLMARK_CONFORMANCE_DIR
    "/dmarc/parsedmarc/rfc9990-example.net!example.com!1700000000!1700086399.xml";

// The sample's rows come from 198.51.100.1 (passing DMARC) and 203.0.113.10 (failing).
// country.mmdb and asn.mmdb know 203.0.113.0/24 only; registered.mmdb knows 198.51.100.0/24
// by the country it is registered in alone.
constexpr std::string_view writer_script = R"PERL(
use strict;
use warnings;
use MaxMind::DB::Writer::Tree;

my $dir = shift;
my %types = (
  country => 'map',
  registered_country => 'map',
  iso_code => 'utf8_string',
  autonomous_system_number => 'uint32',
  autonomous_system_organization => 'utf8_string',
);

sub write_database {
  my ($file, $type, @networks) = @_;
  my $tree = MaxMind::DB::Writer::Tree->new(
    ip_version => 6,
    record_size => 24,
    database_type => $type,
    languages => ['en'],
    description => { en => "hallmark test $type" },
    remove_reserved_networks => 0,  # the documentation networks are all the sample has
    map_key_type_callback => sub { $types{ $_[0] } },
  );
  while (my ($network, $data) = splice(@networks, 0, 2)) {
    $tree->insert_network($network, $data);
  }
  open my $out, '>:raw', "$dir/$file" or die "$dir/$file: $!";
  $tree->write_tree($out);
  close $out or die "$dir/$file: $!";
}

write_database('country.mmdb', 'GeoLite2-Country',
  '203.0.113.0/24' => { country => { iso_code => 'NL' },
                        registered_country => { iso_code => 'NL' } });
write_database('asn.mmdb', 'GeoLite2-ASN',
  '203.0.113.0/24' => { autonomous_system_number => 64500,
                        autonomous_system_organization => 'Newsletter Sender BV' });
write_database('registered.mmdb', 'GeoLite2-Country',
  '198.51.100.0/24' => { registered_country => { iso_code => 'DE' } });
)PERL";

struct Databases {
  test_support::TempDir dir;
  std::string missing;  // why there are none
  std::string country, asn, registered;
};

const Databases& databases() {
  static const std::unique_ptr<Databases> made = [] {
    auto out = std::make_unique<Databases>();
    const char* perl = "/usr/bin/perl";
    if (!std::filesystem::exists(perl)) {
      out->missing = "no /usr/bin/perl to write the test MaxMind databases";
      return out;
    }
    test_support::ProcessRun probe =
        test_support::run_process({perl, "-MMaxMind::DB::Writer::Tree", "-e", "1"});
    if (probe.status != 0) {
      out->missing =
          "Perl's MaxMind::DB::Writer::Tree is missing (apt-get install "
          "libmaxmind-db-writer-perl): " +
          probe.err.substr(0, 120);
      return out;
    }
    std::string script = out->dir.write("write_databases.pl", writer_script);
    test_support::ProcessRun run =
        test_support::run_process({perl, script, out->dir.path().string()});
    if (run.status != 0) {
      out->missing = "writing the test MaxMind databases failed: " + run.err;
      return out;
    }
    out->country = (out->dir.path() / "country.mmdb").string();
    out->asn = (out->dir.path() / "asn.mmdb").string();
    out->registered = (out->dir.path() / "registered.mmdb").string();
    return out;
  }();
  return *made;
}

// The documents of `report parse --format bulk` with these extra arguments, by source IP.
std::map<std::string, nlohmann::json> documents_by_ip(const std::vector<std::string>& extra) {
  std::vector<std::string> args = {"report", "parse", "--format", "bulk", "--index", "x"};
  args.insert(args.end(), extra.begin(), extra.end());
  args.push_back(sample);
  RunResult r = run_cli(args);
  EXPECT_EQ(r.status, 0) << r.err;
  std::map<std::string, nlohmann::json> documents;
  std::istringstream in(r.out);
  for (std::string action, document; std::getline(in, action) && std::getline(in, document);) {
    nlohmann::json parsed = nlohmann::json::parse(document);
    documents[parsed["source_ip"].get<std::string>()] = parsed;
  }
  return documents;
}

TEST(ReportGeoip, BulkDocumentsCarryWhatEachDatabaseKnows) {
  REQUIRE_DATABASES();
  auto documents = documents_by_ip({"--geoip", databases().country, "--geoip", databases().asn});
  ASSERT_EQ(documents.size(), 2u);
  const nlohmann::json& known = documents["203.0.113.10"];
  EXPECT_EQ(known["source_country"], "NL");
  EXPECT_EQ(known["source_asn"], 64500);
  EXPECT_EQ(known["source_as_organization"], "Newsletter Sender BV");
  const nlohmann::json& unknown = documents["198.51.100.1"];
  EXPECT_FALSE(unknown.contains("source_country"));
  EXPECT_FALSE(unknown.contains("source_asn"));
  EXPECT_FALSE(unknown.contains("source_as_organization"));
}

TEST(ReportGeoip, OneDatabaseAddsOnlyItsOwnFields) {
  REQUIRE_DATABASES();
  auto documents = documents_by_ip({"--geoip", databases().asn});
  const nlohmann::json& known = documents["203.0.113.10"];
  EXPECT_EQ(known["source_asn"], 64500);
  EXPECT_EQ(known["source_as_organization"], "Newsletter Sender BV");
  EXPECT_FALSE(known.contains("source_country"));
  EXPECT_FALSE(documents["198.51.100.1"].contains("source_asn"));
}

TEST(ReportGeoip, RegisteredCountryStandsInForAMissingCountry) {
  REQUIRE_DATABASES();
  auto documents = documents_by_ip({"--geoip", databases().registered});
  EXPECT_EQ(documents["198.51.100.1"]["source_country"], "DE");
  EXPECT_FALSE(documents["198.51.100.1"].contains("source_asn"));
  EXPECT_FALSE(documents["203.0.113.10"].contains("source_country"));
}

TEST(ReportGeoip, StoreKeepsTheFailingSourcesNetwork) {
  REQUIRE_DATABASES();
  test_support::TempDir dir;
  std::string location = (dir.path() / "reports.sqlite").string();
  RunResult r = run_cli({"report", "parse", "--store", location, "--geoip", databases().country,
                         "--geoip", databases().asn, sample});
  ASSERT_EQ(r.status, 0) << r.err;
  auto store = report::Store::open(location);
  ASSERT_TRUE(store) << store.error().message;
  auto sources = (*store)->failing_sources(0, "", 10);
  ASSERT_TRUE(sources) << sources.error().message;
  ASSERT_EQ(sources->size(), 1u);
  const report::FailingSource& source = sources->front();
  EXPECT_EQ(source.source_ip, "203.0.113.10");
  EXPECT_EQ(source.info.asn, 64500u);
  EXPECT_EQ(source.info.country, "NL");
  EXPECT_EQ(source.info.as_organization, "Newsletter Sender BV");
}

TEST(ReportGeoip, UnreadableDatabaseFailsNamingIt) {
  // Needs no Perl: neither file is a MaxMind database.
  std::string not_there = write_temp_file("placeholder", "") + ".missing.mmdb";
  RunResult r = run_cli({"report", "parse", "--geoip", not_there, sample});
  EXPECT_EQ(r.status, 1);
  EXPECT_THAT(r.err, HasSubstr(not_there));
  EXPECT_EQ(r.out, "");

  std::string garbage = write_temp_file("garbage.mmdb", "this is not a MaxMind database\n");
  r = run_cli({"report", "parse", "--geoip", garbage, sample});
  EXPECT_EQ(r.status, 1);
  EXPECT_THAT(r.err, HasSubstr(garbage));
  EXPECT_THAT(r.err, HasSubstr("metadata"));  // libmaxminddb: "...metadata section..."
}

}  // namespace
}  // namespace hallmark::cli
