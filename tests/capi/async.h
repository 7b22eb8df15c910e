/* SPDX-License-Identifier: Apache-2.0 */
/* What the asynchronous C API test's files share (async_host.c defines it; async_test.c and
 * async_loop.c use it): the demo's envelopes with the verdicts the blocking zone-file ctx
 * gives them, the test's own zone, a deterministic PRNG, message slots whose callback keeps
 * the verdict, and the host's DNS. */
#ifndef HALLMARK_TESTS_CAPI_ASYNC_H
#define HALLMARK_TESTS_CAPI_ASYNC_H

#include <hallmark/hallmark.h>

#include "dns_wire.h"
#include "fixture.h"

enum { max_envelopes = 16 };

/* One line of examples/demo/envelopes, the message's bytes, and its reference verdict. */
typedef struct envelope {
  char file[256], ip[64], helo[256], mail_from[256], rcpt[256];
  char* bytes;
  size_t length;
  hallmark_result* reference;
} envelope;

extern envelope envelopes[max_envelopes];
extern size_t envelope_count;
extern dns_zone zone;

/* A message finished asynchronously; on_done() keeps its verdict here. */
typedef struct slot {
  const envelope* env;
  hallmark_message* message; /* NULL once freed */
  hallmark_result* result;
  int calls;
  int free_in_callback;
  struct slot* partner;          /* freed by this one's callback if its verdict is still pending */
  void (*after)(struct slot* s); /* more for the callback to do, last */
} slot;

/* Callbacks run since the test last set it to 0. */
extern size_t finished;

/* A number below `bound`, from a fixed seed. */
unsigned prng(unsigned bound);
/* Both non-NULL and equal. */
int same_string(const char* a, const char* b);
/* Reads the envelopes, the messages and the zone, and verifies each message with the
 * blocking zone-file ctx for its reference verdict. */
void load_demo(void);
/* The demo receiver: authserv-id mx.example.org and the three allow lists. */
void add_demo_lists(hallmark_options* options);
/* hallmark_done_fn with a slot as `user`. */
void on_done(void* user, hallmark_message* message, hallmark_result* result);
/* A message with `env`'s envelope and its bytes fed in chunks of `chunk`, not finished. */
hallmark_message* start_message(hallmark_ctx* ctx, const envelope* env, size_t chunk);
/* The slot's verdict equals its envelope's reference (Authentication-Results, JSON, each
 * protocol's result, the disposition). */
void check_verdict(const slot* s, const char* how);
/* SPF, DMARC and every DKIM signature temperror, and a temporary failure reported. */
void expect_temperror(const slot* s, const char* how);
/* Frees every slot's message and verdict. */
void free_slots(slot* slots, size_t count);

/* ---- DNS done by the host (hallmark_options_set_dns_callback()) ---- */

/* A lookup hallmark asked for, as the start callback recorded it. */
typedef struct lookup {
  unsigned long long id;
  unsigned type;
  char name[256];
} lookup;

typedef struct host {
  lookup* queue;
  size_t count, capacity;
  int wake;           /* a pipe's write end, told of every new lookup; -1 for none */
  int answer_at_once; /* answer from inside the callback instead of queueing */
  size_t started;
  unsigned long long first_id, last_id; /* the first id given, and the largest */
} host;

/* How the host completes a lookup: from the zone, with a failure, or with garbage. */
typedef enum answer_mode {
  from_zone,
  with_servfail,
  with_timeout,
  with_error,
  random_bytes, /* up to 600 random octets */
  truncated,    /* the right response cut short */
  other_name,   /* a response to another name's question */
  other_type,   /* a response to the same name, another type */
  pointer_loop, /* a question whose name points at itself */
  huge_counts,  /* the right response claiming 65535 answers */
  empty,        /* no octets at all */
  mutated       /* the right response with a few octets changed: may even be valid */
} answer_mode;

extern const char* const mode_names[];

/* A ctx whose DNS is `h`'s, with the demo receiver's lists and the deadline given. */
hallmark_ctx* host_ctx(host* h, unsigned long deadline_ms);
/* hallmark_dns_start_fn with a host as `user`: queues the lookup, or answers it at once. */
void on_start(void* user, hallmark_ctx* ctx, unsigned long long id, const char* name,
              unsigned type);
/* The queued lookup at `index`, taken out; the last one fills its place. */
lookup take(host* h, size_t index);
/* Completes `l` as `mode` says; the status of the hallmark_ctx_dns_* call. */
hallmark_status answer(hallmark_ctx* ctx, const lookup* l, answer_mode mode);
hallmark_status answer_from_zone(hallmark_ctx* ctx, unsigned long long id, const char* name,
                                 unsigned type);
/* The host's loop: a few queued lookups at a time, in a shuffled order, between polls of the
 * wake-up pipe (-1: none) and hallmark_ctx_process(), until `want` callbacks ran and nothing
 * is queued. `any_status`: messages were freed, so a lookup may no longer be pending. */
void run_host(hallmark_ctx* ctx, host* h, int wake_read, size_t want, answer_mode mode,
              int any_status);
/* How many different questions are queued. */
size_t distinct(const host* h);
/* A pipe, both ends non-blocking. */
void make_pipe(int fds[2]);

/* The failed checks of the other files (check.h counts each file's apart). */
int async_host_failures(void);
int event_loop_tests(void); /* async_loop.c: runs them, and gives its count */

#endif /* HALLMARK_TESTS_CAPI_ASYNC_H */
