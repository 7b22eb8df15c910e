/* SPDX-License-Identifier: Apache-2.0 */
/* A C program built against an installed hallmark from `pkg-config hallmark-c` alone: it
 * prints the library's version once the library agrees with the header it was built with. */
#include <stdio.h>
#include <string.h>

#include <hallmark/hallmark.h>

int main(void) {
  hallmark_options* options = hallmark_options_new();
  int ok = options != NULL &&
           hallmark_options_set_deadline_ms(options, 0) == HALLMARK_ERR_INVALID_ARGUMENT;
  hallmark_options_free(options);
  if (!ok || strcmp(hallmark_version(), HALLMARK_VERSION_STRING) != 0 ||
      hallmark_version_number() != HALLMARK_VERSION_NUMBER)
    return 1;
  printf("%s\n", hallmark_version());
  return 0;
}
