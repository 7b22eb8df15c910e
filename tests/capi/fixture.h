/* SPDX-License-Identifier: Apache-2.0 */
/* What the C API tests share: the demo's signed.eml with its envelope (SPF, DKIM and DMARC
 * pass for it), a ctx answering DNS from the demo zone, and a scratch directory. One
 * translation unit per test program includes it, hence the static definitions. */
#ifndef HALLMARK_TESTS_CAPI_FIXTURE_H
#define HALLMARK_TESTS_CAPI_FIXTURE_H

#include <hallmark/hallmark.h>

#include "check.h"

#define DEMO(file) HALLMARK_CAPI_DEMO_DIR "/" file

/* Scratch files go to the directory named on the command line: the plain run and the
 * valgrind run may go at once, each with its own. */
static const char* work_dir = ".";

/* A path in work_dir; four buffers in turn, so one call may take several. */
static inline const char* work(const char* name) {
  static char paths[4][1024];
  static unsigned next;
  char* path = paths[next++ % 4];
  snprintf(path, sizeof paths[0], "%s/%s", work_dir, name);
  return path;
}

/* signed.eml and the envelope examples/demo/envelopes gives it. */
static char* signed_eml;
static size_t signed_length;
#define SIGNED_IP "192.0.2.10"
#define SIGNED_HELO "mail.example.com"
#define SIGNED_FROM "alice@example.com"

/* Options answering DNS from the demo zone, as the receiver mx.example.org. */
static inline hallmark_options* demo_options(void) {
  hallmark_options* options = hallmark_options_new();
  REQUIRE(options != NULL);
  REQUIRE_OK(hallmark_options_add_zone_file(options, DEMO("demo.zone")));
  REQUIRE_OK(hallmark_options_set_authserv_id(options, "mx.example.org"));
  return options;
}

static inline hallmark_ctx* new_ctx(hallmark_options* options) {
  hallmark_ctx* ctx = NULL;
  hallmark_status status = hallmark_ctx_new(options, &ctx);
  if (status != HALLMARK_OK) fprintf(stderr, "ctx: %s\n", hallmark_options_error(options));
  REQUIRE(status == HALLMARK_OK && ctx != NULL);
  return ctx;
}

/* `bytes` verified with signed.eml's envelope. */
static inline hallmark_result* verify_bytes(hallmark_ctx* ctx, const char* bytes, size_t length) {
  hallmark_result* result = NULL;
  REQUIRE_OK(hallmark_verify(ctx, bytes, length, SIGNED_IP, SIGNED_HELO, SIGNED_FROM, &result));
  REQUIRE(result != NULL);
  return result;
}

/* A message with signed.eml's envelope set, ready for its bytes. */
static inline hallmark_message* signed_envelope(hallmark_ctx* ctx) {
  hallmark_message* message = NULL;
  REQUIRE_OK(hallmark_message_new(ctx, &message));
  REQUIRE_OK(hallmark_message_set_client(message, SIGNED_IP, NULL));
  REQUIRE_OK(hallmark_message_set_helo(message, SIGNED_HELO));
  REQUIRE_OK(hallmark_message_set_mail_from(message, SIGNED_FROM));
  REQUIRE_OK(hallmark_message_add_recipient(message, "bob@example.net"));
  return message;
}

static inline hallmark_result* finish(hallmark_message* message) {
  hallmark_result* result = NULL;
  REQUIRE_OK(hallmark_message_finish(message, &result));
  REQUIRE(result != NULL);
  hallmark_message_free(message);
  return result;
}

static inline int has_tag(const hallmark_result* result, const char* name) {
  size_t i;
  for (i = 0; i < hallmark_result_tag_count(result); ++i)
    if (strcmp(hallmark_result_tag_name(result, i), name) == 0) return 1;
  return 0;
}

static inline const char* first_dkim(const hallmark_result* result) {
  return hallmark_result_dkim_count(result) == 1 ? hallmark_result_dkim(result, 0) : "(count)";
}

/* Every test program takes its scratch directory as its argument and reads signed.eml. */
static inline void fixture_start(int argc, char** argv) {
  if (argc > 1) work_dir = argv[1];
  signed_eml = read_whole_file(DEMO("signed.eml"), &signed_length);
}

static inline int fixture_end(const char* program) {
  free(signed_eml);
  return check_summary(program);
}

#endif /* HALLMARK_TESTS_CAPI_FIXTURE_H */
