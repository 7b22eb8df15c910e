// SPDX-License-Identifier: Apache-2.0
// Prints Authentication-Results for the verbs, named after --authserv-id or the host.
#include "auth_results_output.hpp"

#include <unistd.h>

#include <array>
#include <cstdio>

#include "hallmark/mail/auth_results.hpp"

namespace hallmark::cli {

std::string authserv_id(const Args& args) {
  if (std::optional<std::string> given = args.value("authserv-id")) return *given;
  std::array<char, 256> name{};
  if (gethostname(name.data(), name.size() - 1) != 0 || name[0] == '\0') return "localhost";
  return name.data();
}

void print_auth_results(std::string_view authserv_id, std::span<const std::string> fragments) {
  std::puts(mail::auth_results_field(authserv_id, fragments, "\n").c_str());
}

}  // namespace hallmark::cli
