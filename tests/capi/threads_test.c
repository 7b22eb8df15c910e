/* SPDX-License-Identifier: Apache-2.0 */
/* One zone-file ctx shared by threads, as the header allows: each thread verifies whole
 * messages and finishes others asynchronously, all at once. Every verdict is the one a single
 * thread gets, and every asynchronous one arrives before its call returns (zone files answer
 * at once). An earlier library counted calls on the ctx without a lock here and lost the
 * count, after which asynchronous verdicts were never handed over. */
#define _POSIX_C_SOURCE 200809L
#include <pthread.h>

#include "check.h"
#include "fixture.h"

enum { threads = 4, rounds = 100 };

static hallmark_ctx* shared_ctx;
static char* reference;

struct delivery {
  int calls;
  char* auth_results;
};

static void on_done(void* user, hallmark_message* message, hallmark_result* result) {
  struct delivery* delivery = user;
  const char* text = hallmark_result_auth_results(result);
  ++delivery->calls;
  delivery->auth_results = malloc(strlen(text) + 1);
  if (delivery->auth_results != NULL) strcpy(delivery->auth_results, text);
  hallmark_result_free(result);
  hallmark_message_free(message);
}

static void* worker(void* unused) {
  int i;
  (void)unused;
  for (i = 0; i < rounds; ++i) {
    struct delivery delivery = {0, NULL};
    hallmark_message* message = signed_envelope(shared_ctx);
    hallmark_result* result = verify_bytes(shared_ctx, signed_eml, signed_length);
    CHECK_STRING(hallmark_result_auth_results(result), reference);
    hallmark_result_free(result);
    REQUIRE_OK(hallmark_message_feed(message, signed_eml, signed_length));
    REQUIRE_OK(hallmark_message_finish_async(message, on_done, &delivery));
    if (!CHECK(delivery.calls == 1)) break;
    CHECK_STRING(delivery.auth_results, reference);
    free(delivery.auth_results);
  }
  return NULL;
}

int main(int argc, char** argv) {
  hallmark_options* options;
  hallmark_result* result;
  pthread_t workers[threads];
  int i;
  fixture_start(argc, argv);
  options = demo_options();
  shared_ctx = new_ctx(options);
  result = verify_bytes(shared_ctx, signed_eml, signed_length);
  reference = malloc(strlen(hallmark_result_auth_results(result)) + 1);
  REQUIRE(reference != NULL);
  strcpy(reference, hallmark_result_auth_results(result));
  hallmark_result_free(result);
  for (i = 0; i < threads; ++i) REQUIRE(pthread_create(&workers[i], NULL, worker, NULL) == 0);
  for (i = 0; i < threads; ++i) pthread_join(workers[i], NULL);
  free(reference);
  hallmark_ctx_free(shared_ctx);
  hallmark_options_free(options);
  return fixture_end("threads_test");
}
