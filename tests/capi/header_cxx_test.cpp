// SPDX-License-Identifier: Apache-2.0
// hallmark.h is C, but C++ hosts include it too: compiled here as C++23 with the project's
// warnings as errors (twice, for the include guard), and called, so a missing extern "C"
// shows up as a link error against libhallmark-c.
#include <hallmark/hallmark.h>
#include <hallmark/hallmark.h>

#include <cstdio>
#include <cstring>

int main() {
  if (std::strcmp(hallmark_version(), HALLMARK_VERSION_STRING) != 0) return 1;
  if (hallmark_version_number() != HALLMARK_VERSION_NUMBER) return 1;
  hallmark_options* options = hallmark_options_new();
  if (options == nullptr) return 1;
  hallmark_status status = hallmark_options_set_max_dns_queries(options, 0);
  hallmark_options_free(options);
  std::printf("%s: %s\n", hallmark_version(), hallmark_strerror(status));
  return status == HALLMARK_ERR_INVALID_ARGUMENT ? 0 : 1;
}
