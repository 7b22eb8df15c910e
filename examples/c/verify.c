/* SPDX-License-Identifier: Apache-2.0 */
/*
 * verify: the C API end to end. Reads a message file and prints the Authentication-Results
 * field hallmark would add, the score and the disposition.
 *
 *   verify [--zone FILE] IP HELO MAIL_FROM MESSAGE
 *
 * With --zone, DNS answers come from the zone file only (examples/demo/demo.zone runs the
 * demo offline); without it, from the system's resolvers. MAIL_FROM "<>" is the null reverse
 * path. Exit status 0 when a verdict was reached, 1 otherwise.
 */
#include <hallmark/hallmark.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char* disposition_name(hallmark_disposition disposition) {
  switch (disposition) {
    case HALLMARK_DISPOSITION_QUARANTINE: return "quarantine";
    case HALLMARK_DISPOSITION_REJECT: return "reject";
    default: return "none";
  }
}

/* Streams the file in chunks, as an MTA hands a message over while it arrives. */
static int feed_file(hallmark_message* message, const char* path) {
  char chunk[4096];
  size_t n;
  FILE* in = fopen(path, "rb");
  if (in == NULL) {
    perror(path);
    return 0;
  }
  while ((n = fread(chunk, 1, sizeof chunk, in)) > 0) {
    if (hallmark_message_feed(message, chunk, n) != HALLMARK_OK) {
      fprintf(stderr, "%s: %s\n", path, hallmark_message_error(message));
      fclose(in);
      return 0;
    }
  }
  fclose(in);
  return 1;
}

int main(int argc, char** argv) {
  const char* zone = NULL;
  hallmark_options* options;
  hallmark_ctx* ctx = NULL;
  hallmark_message* message = NULL;
  hallmark_result* result = NULL;
  size_t i;
  int ok = 0;

  if (argc > 2 && strcmp(argv[1], "--zone") == 0) {
    zone = argv[2];
    argv += 2;
    argc -= 2;
  }
  if (argc != 5) {
    fprintf(stderr, "usage: verify [--zone FILE] IP HELO MAIL_FROM MESSAGE\n");
    return 2;
  }
  options = hallmark_options_new();
  if (options == NULL) return 1;
  if (zone != NULL && hallmark_options_add_zone_file(options, zone) != HALLMARK_OK) goto done;
  if (hallmark_ctx_new(options, &ctx) != HALLMARK_OK) {
    fprintf(stderr, "verify: %s\n", hallmark_options_error(options));
    goto done;
  }
  if (hallmark_message_new(ctx, &message) != HALLMARK_OK) goto done;
  if (hallmark_message_set_client(message, argv[1], NULL) != HALLMARK_OK ||
      hallmark_message_set_helo(message, argv[2]) != HALLMARK_OK ||
      hallmark_message_set_mail_from(message, strcmp(argv[3], "<>") == 0 ? "" : argv[3]) !=
          HALLMARK_OK) {
    fprintf(stderr, "verify: %s\n", hallmark_message_error(message));
    goto done;
  }
  if (!feed_file(message, argv[4])) goto done;
  if (hallmark_message_finish(message, &result) != HALLMARK_OK) {
    fprintf(stderr, "verify: %s\n", hallmark_message_error(message));
    goto done;
  }
  printf("%s\n", hallmark_result_auth_results(result));
  printf("score %.2f, disposition %s\n", hallmark_result_score(result),
         disposition_name(hallmark_result_disposition(result)));
  for (i = 0; i < hallmark_result_tag_count(result); ++i)
    printf("  %-28s %6.2f\n", hallmark_result_tag_name(result, i),
           hallmark_result_tag_score(result, i));
  ok = 1;
done:
  hallmark_result_free(result);
  hallmark_message_free(message);
  hallmark_ctx_free(ctx);
  hallmark_options_free(options);
  return ok ? 0 : 1;
}
