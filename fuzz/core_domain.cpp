// SPDX-License-Identifier: Apache-2.0
// Fuzzes domain validation, label arithmetic and IDNA conversion, checking their invariants.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "hallmark/core/domain.hpp"

namespace {

using hallmark::core::DomainSyntax;
namespace core = hallmark::core;

void check(bool condition) {
  if (!condition) std::abort();
}

void check_labels(std::string_view name) {
  std::size_t count = core::label_count(name);
  check(core::split_labels(name).size() == count);
  std::string_view parent = core::parent_domain(name);
  if (!parent.empty()) {
    check(core::label_count(parent) == count - 1);
    check(core::is_subdomain_of(name, parent));
  }
  check(core::domain_equal(name, core::to_lower_ascii(name)));
}

void check_validation(std::string_view name) {
  bool dns = core::is_valid_domain(name, DomainSyntax::dns);
  bool ldh = core::is_valid_domain(name, DomainSyntax::ldh);
  bool underscore = core::is_valid_domain(name, DomainSyntax::ldh_underscore);
  // is_valid_domain() is a one-pass shortcut: it must agree with the full inspection.
  check(dns == core::validate_domain(name, DomainSyntax::dns).has_value());
  check(ldh == core::validate_domain(name, DomainSyntax::ldh).has_value());
  check(underscore == core::validate_domain(name, DomainSyntax::ldh_underscore).has_value());
  // Each syntax is a subset of the next looser one.
  check(!ldh || underscore);
  check(!underscore || dns);
  if (dns) {
    check(core::strip_trailing_dot(name).size() <= core::max_domain_length);
    check(core::is_subdomain_of(name, name));
  }
}

void check_idna(std::string_view name) {
  core::Expected<std::string> ascii = core::to_a_label(name, DomainSyntax::ldh_underscore);
  if (!ascii) return;
  // The A-label form is valid, lower case, and a fixed point.
  check(core::is_valid_domain(*ascii, DomainSyntax::ldh_underscore));
  check(*ascii == core::to_lower_ascii(*ascii));
  core::Expected<std::string> again = core::to_a_label(*ascii, DomainSyntax::ldh_underscore);
  check(again && *again == *ascii);
  core::Expected<std::string> unicode = core::to_u_label(*ascii, DomainSyntax::ldh_underscore);
  if (!unicode) return;
  core::Expected<std::string> back = core::to_a_label(*unicode, DomainSyntax::ldh_underscore);
  check(back && *back == *ascii);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size);

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view name(reinterpret_cast<const char*>(data), size);
  check_labels(name);
  check_validation(name);
  check_idna(name);
  return 0;
}
