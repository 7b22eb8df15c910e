/* SPDX-License-Identifier: Apache-2.0 */
/* The asynchronous C API test's host (async.h): the demo with its reference verdicts, message
 * slots and their callback, and DNS done by the host: lookups queued by the start callback
 * and completed from the test's zone, with failures or with garbage, in a shuffled order. */
#define _POSIX_C_SOURCE 200809L /* poll, pipe and fcntl under -std=c99 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <unistd.h>

#include "async.h"

/* ---- the demo, and messages waiting for their verdict ---------------------------------- */

envelope envelopes[max_envelopes];
size_t envelope_count;
dns_zone zone;
size_t finished;

static unsigned long long prng_state = 0x2545f4914f6cdd1dULL;

unsigned prng(unsigned bound) {
  /* xorshift64 (Marsaglia 2003): a fixed seed, so every run answers in the same order. */
  prng_state ^= prng_state << 13;
  prng_state ^= prng_state >> 7;
  prng_state ^= prng_state << 17;
  return bound == 0 ? 0 : (unsigned)((prng_state >> 11) % bound);
}

void add_demo_lists(hallmark_options* options) {
  REQUIRE_OK(hallmark_options_set_authserv_id(options, "mx.example.org"));
  REQUIRE_OK(hallmark_options_set_allow_dmarc_file(options, DEMO("allow-dmarc")));
  REQUIRE_OK(hallmark_options_set_allow_spf_dkim_file(options, DEMO("allow-spf-dkim")));
  REQUIRE_OK(hallmark_options_set_trusted_arc_file(options, DEMO("trusted-arc")));
}

void on_done(void* user, hallmark_message* message, hallmark_result* result) {
  slot* s = user;
  ++finished;
  if (!CHECK(s->calls++ == 0)) {
    fprintf(stderr, "  a second callback for a message of %s\n", s->env->file);
    hallmark_result_free(result);
    return;
  }
  CHECK(message == s->message);
  CHECK(result != NULL);
  s->result = result;
  /* "done may free the message and call any function": its partner's verdict is pending. */
  if (s->partner && s->partner->message && s->partner->calls == 0) {
    hallmark_message_free(s->partner->message);
    s->partner->message = NULL;
  }
  if (s->free_in_callback) {
    hallmark_message_free(message);
    s->message = NULL;
  }
  if (s->after) s->after(s);
}

hallmark_message* start_message(hallmark_ctx* ctx, const envelope* env, size_t chunk) {
  hallmark_message* message = NULL;
  size_t at;
  REQUIRE_OK(hallmark_message_new(ctx, &message));
  REQUIRE_OK(hallmark_message_set_client(message, env->ip, NULL));
  REQUIRE_OK(hallmark_message_set_helo(message, env->helo));
  REQUIRE_OK(hallmark_message_set_mail_from(message, env->mail_from));
  REQUIRE_OK(hallmark_message_add_recipient(message, env->rcpt));
  for (at = 0; at < env->length; at += chunk)
    REQUIRE_OK(hallmark_message_feed(message, env->bytes + at,
                                     env->length - at < chunk ? env->length - at : chunk));
  return message;
}

int same_string(const char* a, const char* b) { return a && b && strcmp(a, b) == 0; }

static int same_verdict(const hallmark_result* got, const hallmark_result* want) {
  size_t i;
  int same = same_string(hallmark_result_auth_results(got), hallmark_result_auth_results(want)) &&
             same_string(hallmark_result_json(got), hallmark_result_json(want)) &&
             same_string(hallmark_result_spf(got), hallmark_result_spf(want)) &&
             same_string(hallmark_result_spf_helo(got), hallmark_result_spf_helo(want)) &&
             same_string(hallmark_result_arc(got), hallmark_result_arc(want)) &&
             same_string(hallmark_result_dmarc(got), hallmark_result_dmarc(want)) &&
             hallmark_result_disposition(got) == hallmark_result_disposition(want) &&
             hallmark_result_dkim_count(got) == hallmark_result_dkim_count(want);
  for (i = 0; same && i < hallmark_result_dkim_count(got); ++i)
    same = same_string(hallmark_result_dkim(got, i), hallmark_result_dkim(want, i));
  return same;
}

void check_verdict(const slot* s, const char* how) {
  if (!CHECK(s->result != NULL)) return;
  if (!CHECK(same_verdict(s->result, s->env->reference)))
    fprintf(stderr, "  %s, %s: got\n%s\n%s\n  the zone-file ctx gave\n%s\n%s\n", how, s->env->file,
            hallmark_result_auth_results(s->result), hallmark_result_json(s->result),
            hallmark_result_auth_results(s->env->reference),
            hallmark_result_json(s->env->reference));
}

void free_slots(slot* slots, size_t count) {
  size_t i;
  for (i = 0; i < count; ++i) {
    hallmark_message_free(slots[i].message);
    hallmark_result_free(slots[i].result);
  }
}

/* The envelopes file (as demo_test.c reads it), each message's bytes, and the verdict the
 * blocking zone-file ctx gives for it: what every asynchronous way must give too. */
void load_demo(void) {
  size_t length, i;
  char error[512];
  char* text = read_whole_file(DEMO("envelopes"), &length);
  char* line;
  hallmark_options* options = demo_options();
  hallmark_ctx* ctx;
  for (line = strtok(text, "\n"); line; line = strtok(NULL, "\n")) {
    char extra[2];
    envelope* env = &envelopes[envelope_count];
    if (line[strspn(line, " \t\r")] == '\0' || line[0] == '#') continue;
    REQUIRE(envelope_count < max_envelopes);
    REQUIRE(sscanf(line, "%255s %63s %255s %255s %255s %1s", env->file, env->ip, env->helo,
                   env->mail_from, env->rcpt, extra) == 5);
    if (strcmp(env->mail_from, "<>") == 0) env->mail_from[0] = '\0';
    ++envelope_count;
  }
  free(text);
  REQUIRE(envelope_count > 0);

  if (dns_zone_load(&zone, DEMO("demo.zone"), error, sizeof error) != 0) {
    fprintf(stderr, "the test's zone reader: %s\n", error);
    exit(1);
  }
  add_demo_lists(options);
  ctx = new_ctx(options);
  hallmark_options_free(options);
  for (i = 0; i < envelope_count; ++i) {
    envelope* env = &envelopes[i];
    char path[512];
    REQUIRE(snprintf(path, sizeof path, "%s/%s", HALLMARK_CAPI_DEMO_DIR, env->file) <
            (int)sizeof path);
    env->bytes = read_whole_file(path, &env->length);
    REQUIRE_OK(hallmark_verify(ctx, env->bytes, env->length, env->ip, env->helo, env->mail_from,
                               &env->reference));
    REQUIRE(env->reference != NULL);
    CHECK(hallmark_result_temporary_failure(env->reference) == 0);
  }
  hallmark_ctx_free(ctx);
}

/* ---- the host's DNS ------------------------------------------------------------------- */

hallmark_status answer_from_zone(hallmark_ctx* ctx, unsigned long long id, const char* name,
                                 unsigned type) {
  unsigned char response[dns_max_message];
  size_t length =
      dns_respond(&zone, (unsigned)(id & 0xffff), name, type, 0, response, sizeof response);
  REQUIRE(length > 0);
  return hallmark_ctx_dns_answer(ctx, id, response, length);
}

/* hallmark_dns_start_fn: only records the lookup (and wakes the loop), as a host whose
 * resolver runs elsewhere would. */
void on_start(void* user, hallmark_ctx* ctx, unsigned long long id, const char* name,
              unsigned type) {
  host* h = user;
  ++h->started;
  REQUIRE(ctx != NULL && name != NULL && strlen(name) < 256);
  if (h->started == 1) h->first_id = id;
  if (id > h->last_id) h->last_id = id;
  if (h->answer_at_once) {
    CHECK_STATUS(answer_from_zone(ctx, id, name, type), HALLMARK_OK);
    return;
  }
  if (h->count == h->capacity) {
    h->capacity = h->capacity * 2 + 64;
    h->queue = realloc(h->queue, h->capacity * sizeof *h->queue);
    REQUIRE(h->queue != NULL);
  }
  h->queue[h->count].id = id;
  h->queue[h->count].type = type;
  strcpy(h->queue[h->count].name, name);
  ++h->count;
  if (h->wake >= 0 && write(h->wake, "", 1) != 1) CHECK(errno == EAGAIN);
}

/* The queued lookup at `index`, taken out; the last one fills its place. */
lookup take(host* h, size_t index) {
  lookup taken = h->queue[index];
  h->queue[index] = h->queue[--h->count];
  return taken;
}

hallmark_ctx* host_ctx(host* h, unsigned long deadline_ms) {
  hallmark_options* options = hallmark_options_new();
  hallmark_ctx* ctx;
  memset(h, 0, sizeof *h);
  h->wake = -1;
  REQUIRE(options != NULL);
  add_demo_lists(options);
  REQUIRE_OK(hallmark_options_set_deadline_ms(options, deadline_ms));
  REQUIRE_OK(hallmark_options_set_dns_callback(options, on_start, h));
  ctx = new_ctx(options);
  hallmark_options_free(options);
  return ctx;
}

const char* const mode_names[] = {"zone",         "SERVFAIL",    "TIMEOUT",    "ERROR",
                                  "random bytes", "truncated",   "other name", "other type",
                                  "pointer loop", "huge counts", "empty",      "mutated"};

hallmark_status answer(hallmark_ctx* ctx, const lookup* l, answer_mode mode) {
  unsigned char r[dns_max_message];
  size_t length = 0, i, flips;
  unsigned id = (unsigned)(l->id & 0xffff);
  static const unsigned char loop[] = {0, 1, 0x81, 0x80, 0,  1, 0,  0, 0,
                                       0, 0, 0,    0xc0, 12, 0, 16, 0, 1};
  switch (mode) {
    case with_servfail: return hallmark_ctx_dns_failure(ctx, l->id, HALLMARK_DNS_SERVFAIL);
    case with_timeout: return hallmark_ctx_dns_failure(ctx, l->id, HALLMARK_DNS_TIMEOUT);
    case with_error: return hallmark_ctx_dns_failure(ctx, l->id, HALLMARK_DNS_ERROR);
    case empty: return hallmark_ctx_dns_answer(ctx, l->id, NULL, 0);
    case pointer_loop: return hallmark_ctx_dns_answer(ctx, l->id, loop, sizeof loop);
    case random_bytes:
      length = prng(600);
      for (i = 0; i < length; ++i) r[i] = (unsigned char)prng(256);
      return hallmark_ctx_dns_answer(ctx, l->id, r, length);
    case other_name:
      length = dns_respond(&zone, id, "other.example", l->type, 0, r, sizeof r);
      break;
    case other_type:
      length = dns_respond(&zone, id, l->name, l->type == dns_type_txt ? dns_type_a : dns_type_txt,
                           0, r, sizeof r);
      break;
    default: length = dns_respond(&zone, id, l->name, l->type, 0, r, sizeof r); break;
  }
  REQUIRE(length > 0);
  if (mode == truncated) length = prng((unsigned)length);
  if (mode == huge_counts) r[6] = r[7] = 0xff;
  if (mode == mutated)
    for (flips = 1 + prng(4); flips > 0; --flips)
      r[prng((unsigned)length)] ^= (unsigned char)(1 + prng(255));
  return hallmark_ctx_dns_answer(ctx, l->id, r, length);
}

/* The host's loop: a few queued lookups at a time, in a shuffled order, between polls of the
 * wake-up pipe and hallmark_ctx_process(), until `want` callbacks ran and nothing is queued.
 * `any_status`: messages were freed, so a lookup may no longer be pending. */
void run_host(hallmark_ctx* ctx, host* h, int wake_read, size_t want, answer_mode mode,
              int any_status) {
  int idle = 0;
  char drained[64];
  while (finished < want || h->count > 0) {
    struct pollfd fd;
    long timeout = hallmark_ctx_timeout_ms(ctx);
    size_t k;
    fd.fd = wake_read;
    fd.events = POLLIN;
    fd.revents = 0;
    if (poll(&fd, 1, h->count > 0 ? 0 : timeout < 0 || timeout > 100 ? 100 : (int)timeout) > 0)
      while (read(wake_read, drained, sizeof drained) > 0) continue;
    for (k = 1 + prng(4); k > 0 && h->count > 0; --k) {
      lookup l = take(h, prng((unsigned)h->count));
      hallmark_status status = answer(ctx, &l, mode);
      if (status != HALLMARK_OK && !(any_status && status == HALLMARK_ERR_INVALID_ARGUMENT))
        CHECK_STATUS(status, HALLMARK_OK);
    }
    REQUIRE_OK(hallmark_ctx_process(ctx, NULL, 0, NULL, 0));
    idle = h->count == 0 && finished < want ? idle + 1 : 0;
    if (idle > 50) {
      CHECK(!"the host loop stalled: verdicts pending, no lookup asked for");
      fprintf(stderr, "  %zu of %zu callbacks ran\n", finished, want);
      return;
    }
  }
}

/* How many different questions are queued. */
size_t distinct(const host* h) {
  size_t i, j, count = 0;
  for (i = 0; i < h->count; ++i) {
    for (j = 0; j < i; ++j)
      if (h->queue[j].type == h->queue[i].type && strcmp(h->queue[j].name, h->queue[i].name) == 0)
        break;
    count += j == i;
  }
  return count;
}

void make_pipe(int fds[2]) {
  REQUIRE(pipe(fds) == 0);
  REQUIRE(fcntl(fds[0], F_SETFL, O_NONBLOCK) == 0 && fcntl(fds[1], F_SETFL, O_NONBLOCK) == 0);
}

void expect_temperror(const slot* s, const char* how) {
  const hallmark_result* r = s->result;
  size_t i;
  printf("%s: %s\n", how, s->env->file); /* heads the failures that follow, if any */
  fflush(stdout);
  if (!CHECK(r != NULL)) return;
  CHECK_STRING(hallmark_result_spf(r), "temperror");
  CHECK_STRING(hallmark_result_dmarc(r), "temperror");
  CHECK(hallmark_result_dkim_count(r) == hallmark_result_dkim_count(s->env->reference));
  for (i = 0; i < hallmark_result_dkim_count(r); ++i)
    CHECK_STRING(hallmark_result_dkim(r, i), "temperror");
  CHECK(hallmark_result_temporary_failure(r) != 0);
}

int async_host_failures(void) { return check_failures; }
