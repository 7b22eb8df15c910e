// SPDX-License-Identifier: Apache-2.0
// What every part of the audit uses to word its findings. Layer-private.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "hallmark/audit/audit.hpp"
#include "hallmark/core/domain.hpp"
#include "hallmark/core/header_text.hpp"

namespace hallmark::audit::detail {

/// A stranger's text (a record, a selector, a name) for a one-line message: bounded as
/// core::echoed() bounds it, and no control character left to break the line.
inline std::string shown(std::string_view text) {
  std::string out = core::echoed(text);
  for (char& c : out) {
    auto byte = static_cast<unsigned char>(c);
    if (byte < 0x20 || byte == 0x7f) c = '?';
  }
  return out;
}

/// A name as the audit compares it: A-label, lower case, no trailing dot.
inline std::string normal_domain(std::string_view domain) {
  domain = core::strip_trailing_dot(domain);
  if (auto a_label = core::to_a_label(domain, core::DomainSyntax::ldh_underscore))
    return std::move(*a_label);
  return core::to_lower_ascii(domain);
}

inline void add(std::vector<Finding>& findings, Severity severity, std::string_view code,
                std::string message, std::string fix = {}) {
  findings.push_back(Finding{severity, std::string(code), std::move(message), std::move(fix)});
}

}  // namespace hallmark::audit::detail
