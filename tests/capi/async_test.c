/* SPDX-License-Identifier: Apache-2.0 */
/* The asynchronous C API as a host drives it: DNS through the host's callback, answered from
 * the test's own copy of the demo zone out of order while 100 messages wait; failures,
 * garbage, deadlines and messages freed while their verdict is pending; misuse. Every verdict
 * must equal the blocking zone-file ctx's for the same envelope. The host's side is in
 * async_host.c, the event-loop mode over c-ares in async_loop.c. */
#define _POSIX_C_SOURCE 200809L /* poll and close under -std=c99 */
#include <poll.h>
#include <stdlib.h>
#include <unistd.h>

#include "async.h"

/* ---- 100 messages at once --------------------------------------------------------------- */

enum { hundred = 100, later = 10 };

static struct {
  slot slots[hundred + later];
  host h;
  hallmark_ctx* ctx;
  size_t later_started;
} busy;

/* A callback does what a host's would: answers another lookup, and takes the next message
 * (whose verdict may come before its finish_async returns, inside this callback). */
static void answer_and_start_another(slot* s) {
  slot* next;
  (void)s;
  if (busy.h.count > 0) {
    lookup l = take(&busy.h, prng((unsigned)busy.h.count));
    CHECK_STATUS(answer(busy.ctx, &l, from_zone), HALLMARK_OK);
  }
  if (busy.later_started == later) return;
  next = &busy.slots[hundred + busy.later_started++];
  next->env = &envelopes[(hundred + busy.later_started) % envelope_count];
  next->free_in_callback = busy.later_started % 2;
  next->message = start_message(busy.ctx, next->env, 101);
  REQUIRE_OK(hallmark_message_finish_async(next->message, on_done, next));
}

static void test_hundred_out_of_order(void) {
  slot* slots = busy.slots;
  host* h = &busy.h;
  int fds[2];
  size_t i;
  /* valgrind is slow: no deadline in the way */
  hallmark_ctx* ctx = busy.ctx = host_ctx(h, 120000);
  make_pipe(fds);
  h->wake = fds[1];
  finished = 0;
  for (i = 0; i < hundred; ++i) {
    slots[i].env = &envelopes[i % envelope_count];
    slots[i].free_in_callback = i % 2 == 0;
    if (i % 9 == 4) slots[i].after = answer_and_start_another;
    slots[i].message = start_message(ctx, slots[i].env, 7 + (i * 37) % 193);
    REQUIRE_OK(hallmark_message_finish_async(slots[i].message, on_done, &slots[i]));
  }
  /* STYLE.md 5: every lookup has started before the first answer; no verdict can be in. */
  CHECK(finished == 0);
  CHECK(h->count > 0);
  printf("100 messages: %zu lookups asked for before the first answer, %zu of them distinct\n",
         h->count, distinct(h));
  run_host(ctx, h, fds[0], hundred + later, from_zone, 0);
  printf("100 messages and %zu more: %zu lookups in all\n", busy.later_started, h->started);
  CHECK(busy.later_started == later);
  CHECK(finished == hundred + later);
  for (i = 0; i < hundred + later; ++i) {
    if (!CHECK(slots[i].calls == 1))
      fprintf(stderr, "  message %zu: %d callbacks\n", i, slots[i].calls);
    check_verdict(&slots[i], "100 at once");
    CHECK((slots[i].message == NULL) == slots[i].free_in_callback);
  }
  REQUIRE_OK(hallmark_ctx_process(ctx, NULL, 0, NULL, 0));
  CHECK(finished == hundred + later);
  CHECK(hallmark_ctx_timeout_ms(ctx) == -1);
  free_slots(slots, hundred + later);
  hallmark_ctx_free(ctx);
  free(h->queue);
  close(fds[0]);
  close(fds[1]);
}

/* The host answers from inside the start callback: every verdict is in before
 * hallmark_message_finish_async() returns. So it is with zone files. */
static void test_answered_at_once(void) {
  host h;
  size_t i;
  hallmark_ctx* ctx = host_ctx(&h, 60000);
  hallmark_options* options = demo_options();
  hallmark_ctx* zone_ctx;
  add_demo_lists(options);
  zone_ctx = new_ctx(options);
  hallmark_options_free(options);
  h.answer_at_once = 1;
  for (i = 0; i < envelope_count; ++i) {
    slot s[2];
    int which;
    memset(s, 0, sizeof s);
    for (which = 0; which < 2; ++which) {
      s[which].env = &envelopes[i];
      s[which].message = start_message(which == 0 ? ctx : zone_ctx, s[which].env, 64);
      REQUIRE_OK(hallmark_message_finish_async(s[which].message, on_done, &s[which]));
      CHECK(s[which].calls == 1);
      check_verdict(&s[which], which == 0 ? "answered inside start" : "zone ctx, asynchronous");
      CHECK_STATUS(hallmark_message_finish_async(s[which].message, on_done, &s[which]),
                   HALLMARK_ERR_STATE);
    }
    free_slots(s, 2);
  }
  CHECK(h.count == 0 && h.started > 0);
  hallmark_ctx_free(zone_ctx);
  hallmark_ctx_free(ctx);
}

/* ---- failures and garbage from the host ------------------------------------------------- */

/* Garbage is no answer: the protocols that needed one fail, temporarily or for good, and
 * nothing passes. */
static int failed(const char* result) {
  return same_string(result, "temperror") || same_string(result, "permerror");
}

static void expect_no_pass(const slot* s, const char* how) {
  const hallmark_result* r = s->result;
  size_t i;
  int ok = r && failed(hallmark_result_spf(r)) && failed(hallmark_result_dmarc(r)) &&
           !same_string(hallmark_result_spf_helo(r), "pass") &&
           !same_string(hallmark_result_arc(r), "pass");
  for (i = 0; ok && i < hallmark_result_dkim_count(r); ++i) ok = failed(hallmark_result_dkim(r, i));
  if (!CHECK(ok))
    fprintf(stderr, "  %s answers, %s:\n%s\n", how, s->env->file,
            r ? hallmark_result_auth_results(r) : "(no result)");
}

/* Every message once, every lookup completed the same way; a fresh ctx, so that no answer
 * cached from another mode stands in. */
static void run_mode(answer_mode mode) {
  slot slots[max_envelopes];
  host h;
  size_t i;
  hallmark_ctx* ctx = host_ctx(&h, 60000);
  finished = 0;
  memset(slots, 0, sizeof slots);
  for (i = 0; i < envelope_count; ++i) {
    slots[i].env = &envelopes[i];
    slots[i].message = start_message(ctx, slots[i].env, 100);
    REQUIRE_OK(hallmark_message_finish_async(slots[i].message, on_done, &slots[i]));
  }
  REQUIRE(h.count > 0);
  if (mode == with_servfail) {
    /* Out of range: refused, and the lookup stays pending for the real answer below. */
    CHECK_STATUS(hallmark_ctx_dns_failure(ctx, h.queue[0].id, (hallmark_dns_failure)0),
                 HALLMARK_ERR_INVALID_ARGUMENT);
    CHECK_STATUS(hallmark_ctx_dns_failure(ctx, h.queue[0].id, (hallmark_dns_failure)99),
                 HALLMARK_ERR_INVALID_ARGUMENT);
  }
  run_host(ctx, &h, -1, envelope_count, mode, 0);
  for (i = 0; i < envelope_count; ++i) {
    CHECK(slots[i].calls == 1);
    if (mode == with_servfail || mode == with_timeout || mode == with_error)
      expect_temperror(&slots[i], mode_names[mode]);
    else if (mode != mutated)
      expect_no_pass(&slots[i], mode_names[mode]);
  }
  /* An id completed already (the first one given), and ids never given. */
  CHECK_STATUS(answer_from_zone(ctx, h.first_id, "example.com", dns_type_txt),
               HALLMARK_ERR_INVALID_ARGUMENT);
  CHECK_STATUS(hallmark_ctx_dns_failure(ctx, h.first_id, HALLMARK_DNS_SERVFAIL),
               HALLMARK_ERR_INVALID_ARGUMENT);
  CHECK_STATUS(answer_from_zone(ctx, h.last_id + 1000, "example.com", dns_type_txt),
               HALLMARK_ERR_INVALID_ARGUMENT);
  CHECK_STATUS(hallmark_ctx_dns_failure(ctx, h.last_id + 1, HALLMARK_DNS_TIMEOUT),
               HALLMARK_ERR_INVALID_ARGUMENT);
  CHECK(finished == envelope_count);
  free_slots(slots, envelope_count);
  hallmark_ctx_free(ctx);
  free(h.queue);
}

static void test_host_failures(void) {
  answer_mode mode;
  for (mode = with_servfail; mode <= mutated; ++mode) run_mode(mode);
}

/* ---- deadlines, and messages freed while pending ---------------------------------------- */

static void test_deadline(void) {
  host h;
  slot s;
  int round;
  long timeout;
  size_t i;
  /* Under valgrind (HALLMARK_TEST_SLOW, set by its CTest run) a busy machine can spend the
     whole of a short deadline in the first call: the deadline is longer there. */
  const long deadline = getenv("HALLMARK_TEST_SLOW") != NULL ? 5000 : 200;
  hallmark_ctx* ctx = host_ctx(&h, (unsigned long)deadline);
  finished = 0;
  memset(&s, 0, sizeof s);
  s.env = &envelopes[0];
  s.free_in_callback = 1;
  s.message = start_message(ctx, s.env, 512);
  REQUIRE_OK(hallmark_message_finish_async(s.message, on_done, &s));
  REQUIRE_OK(hallmark_ctx_process(ctx, NULL, 0, NULL, 0));
  CHECK(s.calls == 0 && h.count > 0);
  timeout = hallmark_ctx_timeout_ms(ctx);
  if (!CHECK(timeout >= 0 && timeout <= deadline)) fprintf(stderr, "  timeout %ld\n", timeout);
  for (round = 0; round < 10 && s.calls == 0; ++round) {
    REQUIRE(poll(NULL, 0, timeout < 0 ? 50 : (int)timeout) == 0);
    REQUIRE_OK(hallmark_ctx_process(ctx, NULL, 0, NULL, 0));
    timeout = hallmark_ctx_timeout_ms(ctx);
  }
  /* The timeout is rounded up: after waiting it out, the deadline has passed. */
  if (!CHECK(s.calls == 1 && round == 1))
    fprintf(stderr, "  %d callbacks after %d rounds\n", s.calls, round);
  expect_temperror(&s, "deadline");
  CHECK(hallmark_ctx_timeout_ms(ctx) == -1);
  /* The host's late answers to the expired lookups: harmless. */
  for (i = 0; i < h.count; ++i) {
    hallmark_status status =
        i % 2 ? answer_from_zone(ctx, h.queue[i].id, h.queue[i].name, h.queue[i].type)
              : hallmark_ctx_dns_failure(ctx, h.queue[i].id, HALLMARK_DNS_TIMEOUT);
    if (status != HALLMARK_ERR_INVALID_ARGUMENT) CHECK_STATUS(status, HALLMARK_OK);
  }
  REQUIRE_OK(hallmark_ctx_process(ctx, NULL, 0, NULL, 0));
  CHECK(s.calls == 1 && finished == 1);
  free_slots(&s, 1);
  hallmark_ctx_free(ctx);
  free(h.queue);
}

static void test_free_pending(void) {
  /* 0 and 1 share their lookups, and 0 is freed before any answer; 2 is alone, and freed;
   * 3 is freed unfinished, its lookups pending; 4 and 5 are partners: the first verdict in
   * frees the other from its callback; 6 and 7 go on beside them. */
  static const size_t demo_of[8] = {0, 0, 2, 0, 3, 3, 1, 1};
  slot s[8];
  host h;
  size_t i;
  hallmark_ctx* ctx = host_ctx(&h, 60000);
  finished = 0;
  memset(s, 0, sizeof s);
  for (i = 0; i < 8; ++i) {
    s[i].env = &envelopes[demo_of[i] % envelope_count];
    s[i].message = start_message(ctx, s[i].env, 300);
    if (i != 3) REQUIRE_OK(hallmark_message_finish_async(s[i].message, on_done, &s[i]));
  }
  s[4].partner = &s[5];
  s[5].partner = &s[4];
  for (i = 0; i < 4; ++i) {
    if (i == 1) continue;
    hallmark_message_free(s[i].message);
    s[i].message = NULL;
  }
  run_host(ctx, &h, -1, 4, from_zone, 1);
  CHECK(s[0].calls == 0 && s[2].calls == 0 && s[3].calls == 0);
  CHECK(s[1].calls == 1 && s[6].calls == 1 && s[7].calls == 1);
  CHECK(s[4].calls + s[5].calls == 1);
  CHECK(finished == 4);
  check_verdict(&s[1], "its twin freed before any answer");
  check_verdict(s[4].calls ? &s[4] : &s[5], "freeing its partner");
  check_verdict(&s[6], "beside freed messages");
  check_verdict(&s[7], "beside freed messages");
  free_slots(s, 8);

  hallmark_ctx_free(ctx);
  free(h.queue);

  /* The ctx freed while the host still holds lookups of a freed message. */
  ctx = host_ctx(&h, 60000);
  memset(s, 0, sizeof s);
  s[0].env = &envelopes[0];
  s[0].message = start_message(ctx, s[0].env, 300);
  REQUIRE_OK(hallmark_message_finish_async(s[0].message, on_done, &s[0]));
  CHECK(h.count > 0);
  hallmark_message_free(s[0].message);
  hallmark_ctx_free(ctx);
  CHECK(s[0].calls == 0);
  free(h.queue);
}

/* "done may free the message and call any function": a host that shuts down frees the last
 * message and then the ctx from the last callback, whether that runs from
 * hallmark_ctx_dns_answer() or (with zone files) from hallmark_message_finish_async(). */
static hallmark_ctx* ctx_to_free;

static void free_message_and_ctx(void* user, hallmark_message* message, hallmark_result* result) {
  int* calls = user;
  ++*calls;
  hallmark_result_free(result);
  hallmark_message_free(message);
  hallmark_ctx_free(ctx_to_free);
  ctx_to_free = NULL;
}

static void test_ctx_freed_by_callback(void) {
  host h;
  int calls = 0;
  hallmark_message* message;
  hallmark_options* options = demo_options();
  hallmark_ctx* ctx = ctx_to_free = host_ctx(&h, 60000);
  message = start_message(ctx, &envelopes[0], 4096);
  REQUIRE_OK(hallmark_message_finish_async(message, free_message_and_ctx, &calls));
  /* Until the callback ran: then `ctx` is gone, and so are the lookups left. */
  while (calls == 0 && h.count > 0) {
    lookup l = take(&h, 0);
    CHECK_STATUS(answer(ctx, &l, from_zone), HALLMARK_OK);
  }
  CHECK(calls == 1 && ctx_to_free == NULL);
  free(h.queue);

  ctx_to_free = new_ctx(options);
  hallmark_options_free(options);
  message = start_message(ctx_to_free, &envelopes[0], 4096);
  REQUIRE_OK(hallmark_message_finish_async(message, free_message_and_ctx, &calls));
  CHECK(calls == 2 && ctx_to_free == NULL);
}

/* ---- misuse ----------------------------------------------------------------------------- */

static void test_misuse(void) {
  host h;
  slot s;
  hallmark_result* result = (hallmark_result*)&s;
  hallmark_message* message = NULL;
  hallmark_ctx* ctx = host_ctx(&h, 60000);
  hallmark_options* options = demo_options();
  hallmark_ctx* zone_ctx = new_ctx(options);
  hallmark_ctx* threaded;
  const int fd = 0;
  hallmark_options_free(options);
  memset(&s, 0, sizeof s);
  s.env = &envelopes[0];
  finished = 0;

  /* A callback ctx: only the host brings answers, so nothing may block. */
  s.message = start_message(ctx, s.env, 4096);
  CHECK_STATUS(hallmark_message_finish_async(s.message, NULL, &s), HALLMARK_ERR_INVALID_ARGUMENT);
  CHECK_STATUS(hallmark_message_finish(s.message, &result), HALLMARK_ERR_STATE);
  CHECK(result == NULL);
  result = (hallmark_result*)&s;
  CHECK_STATUS(
      hallmark_verify(ctx, signed_eml, signed_length, SIGNED_IP, SIGNED_HELO, SIGNED_FROM, &result),
      HALLMARK_ERR_STATE);
  CHECK(result == NULL);
  /* The refused calls left the message as it was: it still finishes. */
  REQUIRE_OK(hallmark_message_finish_async(s.message, on_done, &s));
  CHECK_STATUS(hallmark_message_finish_async(s.message, on_done, &s), HALLMARK_ERR_STATE);
  run_host(ctx, &h, -1, 1, from_zone, 0);
  CHECK(s.calls == 1);
  check_verdict(&s, "after refused calls");
  CHECK_STATUS(hallmark_ctx_process(ctx, NULL, 1, NULL, 0), HALLMARK_ERR_INVALID_ARGUMENT);
  CHECK_STATUS(hallmark_ctx_process(ctx, NULL, 0, NULL, 2), HALLMARK_ERR_INVALID_ARGUMENT);
  CHECK_STATUS(hallmark_ctx_process(NULL, &fd, 1, NULL, 0), HALLMARK_ERR_INVALID_ARGUMENT);
  CHECK_STATUS(hallmark_ctx_dns_answer(ctx, h.last_id, NULL, 12), HALLMARK_ERR_INVALID_ARGUMENT);
  CHECK_STATUS(hallmark_message_finish_async(NULL, on_done, &s), HALLMARK_ERR_INVALID_ARGUMENT);
  CHECK_STATUS(hallmark_ctx_dns_answer(NULL, 1, "", 0), HALLMARK_ERR_INVALID_ARGUMENT);
  CHECK_STATUS(hallmark_ctx_dns_failure(NULL, 1, HALLMARK_DNS_ERROR),
               HALLMARK_ERR_INVALID_ARGUMENT);
  CHECK(hallmark_ctx_watches(ctx, NULL, 0) == 0); /* no sockets of hallmark's own */
  CHECK(hallmark_ctx_timeout_ms(ctx) == -1);
  CHECK(hallmark_ctx_timeout_ms(NULL) == -1);
  CHECK(hallmark_ctx_watches(NULL, NULL, 0) == 0);
  free_slots(&s, 1);

  /* DNS answers belong to callback ctxs only. */
  CHECK_STATUS(answer_from_zone(zone_ctx, 1, "example.com", dns_type_txt),
               HALLMARK_ERR_INVALID_ARGUMENT);
  CHECK_STATUS(hallmark_ctx_dns_failure(zone_ctx, 1, HALLMARK_DNS_SERVFAIL),
               HALLMARK_ERR_INVALID_ARGUMENT);
  CHECK_STATUS(hallmark_ctx_process(zone_ctx, NULL, 0, NULL, 0), HALLMARK_OK);
  /* A blocking finish, then an asynchronous one: the message is finished already. */
  message = start_message(zone_ctx, s.env, 4096);
  REQUIRE_OK(hallmark_message_finish(message, &result));
  CHECK_STATUS(hallmark_message_finish_async(message, on_done, &s), HALLMARK_ERR_STATE);
  hallmark_result_free(result);
  hallmark_message_free(message);

  /* hallmark's DNS thread: its answers arrive on a thread the host does not know. The server
   * is the discard port: nothing is asked, but no query could leave the machine anyway. */
  options = hallmark_options_new();
  REQUIRE_OK(hallmark_options_add_dns_server(options, "127.0.0.1:9"));
  threaded = new_ctx(options);
  hallmark_options_free(options);
  REQUIRE_OK(hallmark_message_new(threaded, &message));
  memset(&s, 0, sizeof s);
  CHECK_STATUS(hallmark_message_finish_async(message, on_done, &s), HALLMARK_ERR_STATE);
  CHECK(s.calls == 0);
  CHECK_STATUS(hallmark_ctx_dns_failure(threaded, 1, HALLMARK_DNS_SERVFAIL),
               HALLMARK_ERR_INVALID_ARGUMENT);
  hallmark_message_free(message);
  hallmark_ctx_free(threaded);

  options = hallmark_options_new();
  CHECK_STATUS(hallmark_options_set_event_loop(NULL, 1), HALLMARK_ERR_INVALID_ARGUMENT);
  CHECK_STATUS(hallmark_options_set_dns_callback(NULL, on_start, &h),
               HALLMARK_ERR_INVALID_ARGUMENT);
  CHECK_STATUS(hallmark_options_set_dns_callback(options, NULL, NULL), HALLMARK_OK);
  hallmark_options_free(options);

  hallmark_ctx_free(zone_ctx);
  hallmark_ctx_free(ctx);
  free(h.queue);
}

int main(int argc, char** argv) {
  size_t i;
  fixture_start(argc, argv);
  load_demo();
  test_misuse();
  test_answered_at_once();
  test_hundred_out_of_order();
  test_host_failures();
  test_deadline();
  test_free_pending();
  test_ctx_freed_by_callback();
  check_failures += event_loop_tests() + async_host_failures();
  for (i = 0; i < envelope_count; ++i) {
    free(envelopes[i].bytes);
    hallmark_result_free(envelopes[i].reference);
  }
  dns_zone_free(&zone);
  return fixture_end("async_test");
}
