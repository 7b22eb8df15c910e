// SPDX-License-Identifier: Apache-2.0
// ZoneResolver: answers from zone fixtures (RFC 1035 master-file subset, see DESIGN.md) for
// tests, the CLI's offline mode and the demo. Every lookup completes synchronously.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "hallmark/core/error.hpp"
#include "hallmark/core/ip.hpp"
#include "hallmark/dns/resolver.hpp"
#include "hallmark/export.hpp"

namespace hallmark::dns {

class HALLMARK_API ZoneResolver final : public Resolver {
 public:
  ZoneResolver();
  ~ZoneResolver() override;
  ZoneResolver(ZoneResolver&&) noexcept;
  ZoneResolver& operator=(ZoneResolver&&) noexcept;

  /// Reads a master file. Errors name the file and line: "zones/a.zone:12: bad TTL 'x'".
  /// Records of registered types not in dns::Type (SRV, CAA, DNSSEC records...) and RFC 3597
  /// `TYPEnnn \# length hex` records load: their data is checked for syntax but not kept, and
  /// their owner name exists (lookups there answer NODATA, not NXDOMAIN). A word that is no
  /// registered type stays an error.
  static core::Expected<ZoneResolver> from_file(const std::filesystem::path& path);
  /// Parses master-file text; `source` names it in errors; `origin` is the initial $ORIGIN.
  static core::Expected<ZoneResolver> from_text(std::string_view text,
                                                std::string_view source = "<zone>",
                                                std::string_view origin = ".");
  /// Adds the records of another master file or text to this resolver. On error nothing
  /// is added. Besides syntax errors: Errc::io when the file cannot be read, Errc::bad_value
  /// for a CNAME beside other data at a name (RFC 1034 3.6.2) or an RRset over 4096 records.
  core::Expected<void> load_file(const std::filesystem::path& path);
  core::Expected<void> load_text(std::string_view text, std::string_view source = "<zone>",
                                 std::string_view origin = ".");

  // Programmatic records, for test harnesses. Names are absolute plain text (no master-file
  // escapes), trailing dot optional; "" or "." is the root. These trust the caller: a CNAME
  // may sit beside other data (lookups of a type with records there answer them, others follow
  // the CNAME) and a later add_cname() replaces the target. Duplicate records are dropped.
  void add_address(std::string_view name, const core::IpAddress& address, std::uint32_t ttl = 300);
  void add_mx(std::string_view name, std::uint16_t preference, std::string_view exchange,
              std::uint32_t ttl = 300);
  void add_txt(std::string_view name, std::vector<std::string> strings, std::uint32_t ttl = 300,
               Type type = Type::txt);  // Type::txt or Type::spf
  void add_ptr(std::string_view name, std::string_view target, std::uint32_t ttl = 300);
  void add_cname(std::string_view name, std::string_view target, std::uint32_t ttl = 300);
  void add_ns(std::string_view name, std::string_view target, std::uint32_t ttl = 300);
  /// Every lookup of `name` answers `status` (timeout or servfail), except lookups of a type
  /// for which the fixture has records at that name. Statuses that are not failures
  /// (noerror, nxdomain, nodata) are ignored.
  void add_failure(std::string_view name, Status status);

  void lookup(std::string_view name, Type type, Completion done) override;
  /// The same answer lookup() gives, returned directly.
  Answer answer(std::string_view name, Type type) const;

 private:
  struct Impl;
  Impl& impl();
  std::unique_ptr<Impl> impl_;
};

}  // namespace hallmark::dns
