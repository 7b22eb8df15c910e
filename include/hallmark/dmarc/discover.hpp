// SPDX-License-Identifier: Apache-2.0
// DMARC policy discovery and organizational domains by the DNS Tree Walk (RFC 9989 4.10).
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "hallmark/core/task.hpp"
#include "hallmark/dmarc/record.hpp"
#include "hallmark/dns/resolver.hpp"
#include "hallmark/export.hpp"

namespace hallmark::dmarc {

/// Parsed records are immutable and shared: the same record text is parsed once per process
/// and handed to every evaluation that meets it.
using RecordPtr = std::shared_ptr<const Record>;

/// A valid DMARC record and the domain it was published for.
struct FoundRecord {
  std::string domain;
  RecordPtr record;  // never null
};

/// The one DMARC record of a TXT answer; null when there is none or several (RFC 9989 4.10
/// step 2: several DMARC records at one name are all discarded).
HALLMARK_API RecordPtr single_record(const dns::Answer& answer);

/// What one tree walk saw.
struct TreeWalk {
  bool temperror = false;            // a lookup failed temporarily; the rest is incomplete
  std::string detail;                // the failed lookup, when temperror
  std::vector<FoundRecord> records;  // valid records found, longest name first
  unsigned queries = 0;              // DNS queries made; at most 8 (RFC 9989 4.10)
  std::string domain;                // where it started: lower case, no trailing dot
  std::size_t names_seen = 0;        // how many of its names (the start, then parents) it saw
};

/// RFC 9989 4.10: queries _dmarc.<domain>, then its parents (shortened to seven labels first
/// when it has eight or more), stopping at a record with psd=y or psd=n. A name with several
/// DMARC records counts as having none.
HALLMARK_API core::Task<TreeWalk> tree_walk(dns::Resolver& resolver, std::string domain);

/// The same walk, reusing what `known` (a walk without temperror) saw: a name it queried is
/// not queried again. Alignment walks start below or beside the author domain and meet its
/// walk, so most of their names are known. `known` must outlive the task.
HALLMARK_API core::Task<TreeWalk> tree_walk(dns::Resolver& resolver, std::string domain,
                                            const TreeWalk& known);

/// RFC 9989 4.10.2: the organizational domain of `domain` given the walk that started there.
HALLMARK_API std::string organizational_domain(const std::string& domain, const TreeWalk& walk);

/// The outcome of policy discovery for an author domain (RFC 9989 4.10.1).
struct Discovery {
  std::optional<FoundRecord> policy;  // the record to apply: author's, organizational or PSD
  bool temperror = false;
  std::string detail;
  std::string organizational_domain;
  TreeWalk walk;
};

/// RFC 9989 4.10.1: the record at the author domain, else at its organizational domain, else
/// at its public suffix domain (a record with psd=y).
HALLMARK_API core::Task<Discovery> discover_policy(dns::Resolver& resolver,
                                                   std::string author_domain);

}  // namespace hallmark::dmarc
