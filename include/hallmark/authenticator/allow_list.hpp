// SPDX-License-Identifier: Apache-2.0
// Allow lists of domains an operator trusts: for DMARC, for SPF and DKIM, and for ARC
// sealers. One domain per line; "*.example.com" covers every name below example.com.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "hallmark/core/error.hpp"
#include "hallmark/export.hpp"

namespace hallmark::authenticator {

/// An immutable set of domains. Lookups are exact (ASCII case-insensitive, one trailing dot
/// ignored, U-labels compared in A-label form) for plain entries; "*.example.com" matches
/// every proper subdomain of example.com (list example.com too to cover the apex).
class HALLMARK_API AllowList {
 public:
  AllowList() = default;

  /// One entry per line; blank lines and "#" comments (whole-line or after the entry) allowed.
  /// Errors name the line: Errc::bad_value for an entry that is not a domain name (or a
  /// wildcard other than a leading "*."), Errc::syntax for a line with more than one word.
  /// Error::offset is the byte offset of the offending line.
  static core::Expected<AllowList> parse(std::string_view text);
  /// parse() of a file's contents; Errc::io when it cannot be read (the message names it).
  static core::Expected<AllowList> load(const std::string& path);

  /// Whether `domain` (A-label or U-label, any case, trailing dot or not) is listed.
  bool contains(std::string_view domain) const;
  bool empty() const noexcept { return exact_.empty() && below_.empty(); }
  /// Number of entries.
  std::size_t size() const noexcept { return exact_.size() + below_.size(); }

 private:
  std::vector<std::string> exact_;  // A-label, lower case, sorted
  std::vector<std::string> below_;  // the parent of each "*." entry, same form, sorted
};

using AllowListPtr = std::shared_ptr<const AllowList>;

}  // namespace hallmark::authenticator
