// SPDX-License-Identifier: Apache-2.0
// Fuzz target: Authentication-Results parsing; what parses must respect the limits and the
// normal form, and read back the same once written out again with every value quoted.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "hallmark/mail/auth_results.hpp"

namespace {

using hallmark::mail::AuthMethod;
using hallmark::mail::AuthProperty;
using hallmark::mail::AuthResults;

bool is_lower_keyword(std::string_view text) {
  if (text.empty()) return false;
  for (char c : text)
    if ((c >= 'A' && c <= 'Z') || c == '.' || c == ';' || c == '=' || c == ' ') return false;
  return true;
}

std::string quoted(std::string_view text) {
  std::string out = "\"";
  for (char c : text) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + '"';
}

// The parsed field written out again, every value quoted: a reading of the grammar
// independent of core::header_value()'s choices.
std::string render(const AuthResults& results) {
  std::string out = quoted(results.authserv_id);
  if (results.version) out += " " + std::to_string(*results.version);
  if (results.methods.empty()) out += "; none";
  for (const AuthMethod& method : results.methods) {
    out += "; " + method.method;
    if (method.version) out += "/" + std::to_string(*method.version);
    out += "=" + method.result;
    if (!method.reason.empty()) out += " reason=" + quoted(method.reason);
    for (const AuthProperty& property : method.properties) {
      out += " ";
      if (!property.ptype.empty()) out += property.ptype + ".";
      out += property.property + "=" + quoted(property.value);
    }
  }
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size);

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  hallmark::mail::AuthResultsLimits limits;
  auto results = hallmark::mail::parse_auth_results(text, limits);
  if (!results) {
    if (results.error().message.empty() || results.error().offset > size) std::abort();
    return 0;
  }
  if (results->authserv_id.empty() || results->methods.size() > limits.max_methods) std::abort();
  for (const AuthMethod& method : results->methods) {
    if (!is_lower_keyword(method.method) || !is_lower_keyword(method.result)) std::abort();
    if (method.properties.size() > limits.max_properties) std::abort();
    for (const AuthProperty& property : method.properties) {
      if (!property.ptype.empty() && !is_lower_keyword(property.ptype)) std::abort();
      if (!is_lower_keyword(property.property)) std::abort();
      if (property.value.find_first_of(std::string_view("\r\n\0", 3)) != std::string::npos)
        std::abort();
    }
    if (results->find(method.method) == nullptr) std::abort();
  }
  limits.max_bytes = static_cast<std::size_t>(-1);  // quoting can make the value longer
  auto again = hallmark::mail::parse_auth_results(render(*results), limits);
  if (!again || *again != *results) std::abort();
  return 0;
}
