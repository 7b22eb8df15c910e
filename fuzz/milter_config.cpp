// SPDX-License-Identifier: Apache-2.0
// Fuzz target: hallmark-milter's configuration file. A file either loads, with every value
// within its documented bounds, or fails with a message that names the file and stays one
// bounded line, however hostile the bytes.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "config.hpp"

namespace {

void check(bool condition) {
  if (!condition) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size);

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto config = hallmark::milter::parse_config(text, "fuzz.conf");
  if (!config) {
    const std::string& message = config.error().message;
    check(message.starts_with("fuzz.conf"));
    check(message.find('\n') == std::string::npos);
    check(message.size() < 512);
    check(config.error().offset <= size);
    return 0;
  }
  check(hallmark::milter::check_socket(config->socket).has_value());
  check(config->deadline.count() > 0 && config->dns_timeout.count() > 0);
  check(config->arc_seal_max_bytes > 0);
  check(!config->sealing() ||
        (!config->arc_seal_domain.empty() && !config->arc_seal_selector.empty()));
  for (char c : config->authserv_id) check(c > 0x20 && c < 0x7f);
  for (char c : config->score_header) check(c > 0x20 && c < 0x7f && c != ':');
  return 0;
}
