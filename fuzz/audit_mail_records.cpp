// SPDX-License-Identifier: Apache-2.0
// Fuzz target: the audit's TLS-RPT, MTA-STS and BIMI record parsers, all three on each input.
// An error has a short printable message and an offset within the input; a record that parses
// holds what its protocol allows.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "audit/mail_records.hpp"
#include "core/internal/ascii.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size);

namespace {

namespace detail = hallmark::audit::detail;
using hallmark::core::detail::iequals;

// Error messages are shown to people and built from a stranger's record.
constexpr std::size_t max_message = 512;

bool is_printable(std::string_view text) {
  for (char c : text)
    if (c < 0x20 || c > 0x7e) return false;
  return true;
}

template <class T>
bool failed(const hallmark::core::Expected<T>& parsed, std::size_t size) {
  if (parsed) return false;
  const hallmark::core::Error& error = parsed.error();
  if (error.message.empty() || error.message.size() > max_message) std::abort();
  if (!is_printable(error.message) || error.offset > size) std::abort();
  return true;
}

bool has_scheme(std::string_view uri, std::string_view scheme) {
  return uri.size() > scheme.size() && iequals(uri.substr(0, scheme.size()), scheme);
}

void check_uri(std::string_view uri, bool mailto) {
  if (!has_scheme(uri, "https://") && !(mailto && has_scheme(uri, "mailto:"))) std::abort();
  if (!is_printable(uri) || uri.find_first_of(" ,!") != std::string_view::npos) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);

  auto tls_rpt = detail::parse_tls_rpt_record(text);
  if (!failed(tls_rpt, size)) {
    if (!text.starts_with("v=TLSRPTv1") || tls_rpt->rua.empty()) std::abort();
    for (const std::string& uri : tls_rpt->rua) check_uri(uri, true);
    if (!detail::mentions_tls_rpt(text)) std::abort();
  }

  auto mta_sts = detail::parse_mta_sts_record(text);
  if (!failed(mta_sts, size)) {
    if (!text.starts_with("v=STSv1") || mta_sts->id.empty() || mta_sts->id.size() > 32)
      std::abort();
    for (char c : mta_sts->id)
      if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')))
        std::abort();
    if (!detail::mentions_mta_sts(text)) std::abort();
  }

  auto bimi = detail::parse_bimi_record(text);
  if (!failed(bimi, size)) {
    if (!bimi->location.empty()) check_uri(bimi->location, false);
    if (!bimi->authority.empty()) check_uri(bimi->authority, false);
    if (!detail::mentions_bimi(text)) std::abort();
  }

  std::string shown = detail::printable(text);
  if (shown.size() > 64 + 3 || !is_printable(shown)) std::abort();
  return 0;
}
