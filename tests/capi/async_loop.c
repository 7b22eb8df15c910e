/* SPDX-License-Identifier: Apache-2.0 */
/* The event-loop mode over real c-ares: the ctx's sockets and timeout polled beside a UDP
 * DNS server of the test's own on 127.0.0.1, which answers from the test's zone in a shuffled
 * order (or drops queries, for c-ares to resend); deadlines; messages freed while their
 * queries are out; and the blocking calls in that mode, against a server that never answers
 * and one a thread serves. */
#define _POSIX_C_SOURCE 200809L /* poll, sockets, fcntl and pthreads under -std=c99 */
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "async.h"

/* The test's DNS server: a UDP socket on 127.0.0.1 and a port the system picks, answering
 * from the test's zone. Served from the host's loop, or from a thread while a blocking call
 * pumps c-ares; it reports trouble in `problems` rather than with CHECK, so that the thread
 * touches nothing the main thread does. */
typedef struct datagram {
  unsigned char bytes[dns_max_udp];
  size_t length;
  struct sockaddr_in from;
  socklen_t from_length;
} datagram;

typedef struct server {
  int fd;
  int stop[2]; /* a pipe that ends the serving thread */
  char address[64];
  int lossy;   /* drops every third query the first time its ID comes (a resend keeps it) */
  int shuffle; /* answers each batch in a shuffled order; the PRNG is the main thread's */
  size_t received, served, problems, dropped_count;
  unsigned dropped[1024];
  datagram queries[64];
} server;

static void open_server(server* s, int lossy, int shuffle) {
  struct sockaddr_in bound;
  socklen_t length = sizeof bound;
  memset(s, 0, sizeof *s);
  s->lossy = lossy;
  s->shuffle = shuffle;
  s->fd = socket(AF_INET, SOCK_DGRAM, 0);
  REQUIRE(s->fd >= 0);
  memset(&bound, 0, sizeof bound);
  bound.sin_family = AF_INET;
  bound.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  REQUIRE(bind(s->fd, (struct sockaddr*)&bound, sizeof bound) == 0);
  REQUIRE(getsockname(s->fd, (struct sockaddr*)&bound, &length) == 0);
  REQUIRE(fcntl(s->fd, F_SETFL, O_NONBLOCK) == 0);
  REQUIRE(pipe(s->stop) == 0);
  snprintf(s->address, sizeof s->address, "127.0.0.1:%u", (unsigned)ntohs(bound.sin_port));
}

static void close_server(server* s) {
  CHECK(s->problems == 0);
  close(s->fd);
  close(s->stop[0]);
  close(s->stop[1]);
}

static int drop(server* s, unsigned id) {
  size_t i;
  if (!s->lossy || s->received % 3 != 0 ||
      s->dropped_count == sizeof s->dropped / sizeof *s->dropped)
    return 0;
  for (i = 0; i < s->dropped_count; ++i)
    if (s->dropped[i] == id) return 0;
  s->dropped[s->dropped_count++] = id;
  return 1;
}

static void trouble(server* s, const char* what, const char* name, unsigned type) {
  ++s->problems;
  fprintf(stderr, "test DNS server: %s (%s type %u)\n", what, name, type);
}

/* Reads every query waiting, then answers them. */
static void serve(server* s) {
  size_t count = 0;
  while (count < sizeof s->queries / sizeof *s->queries) {
    datagram* q = &s->queries[count];
    ssize_t got;
    q->from_length = sizeof q->from;
    got =
        recvfrom(s->fd, q->bytes, sizeof q->bytes, 0, (struct sockaddr*)&q->from, &q->from_length);
    if (got < 0) {
      if (errno != EAGAIN && errno != EWOULDBLOCK) trouble(s, "recvfrom failed", "", 0);
      break;
    }
    q->length = (size_t)got;
    ++count;
  }
  while (count > 0) {
    size_t pick = s->shuffle ? prng((unsigned)count) : 0, length;
    unsigned id, type = 0;
    char name[256] = "";
    unsigned char response[dns_max_udp];
    datagram* q = &s->queries[pick];
    ++s->received;
    if (dns_parse_query(q->bytes, q->length, &id, name, sizeof name, &type) != 0) {
      trouble(s, "a query that does not parse", name, type);
    } else if (!drop(s, id)) {
      /* Within 512 octets or c-ares would retry over TCP, which this server does not do. */
      length = dns_respond(&zone, id, name, type, 1, response, sizeof response);
      if (length == 0)
        trouble(s, "no UDP-sized response", name, type);
      else if (sendto(s->fd, response, length, 0, (struct sockaddr*)&q->from, q->from_length) !=
               (ssize_t)length)
        trouble(s, "sendto failed", name, type);
      else
        ++s->served;
    }
    s->queries[pick] = s->queries[--count];
  }
}

static void* serve_until_stopped(void* arg) {
  server* s = arg;
  for (;;) {
    struct pollfd fds[2];
    fds[0].fd = s->fd;
    fds[1].fd = s->stop[0];
    fds[0].events = fds[1].events = POLLIN;
    fds[0].revents = fds[1].revents = 0;
    if (poll(fds, 2, -1) < 0 && errno != EINTR) {
      trouble(s, "poll failed", "", 0);
      break;
    }
    if (fds[1].revents) break;
    if (fds[0].revents & POLLIN) serve(s);
  }
  return NULL;
}

/* The host's loop: poll the ctx's watches and the server (NULL: a thread serves it), with
 * the ctx's timeout, and hand the ready sockets to hallmark_ctx_process(), until `want`
 * callbacks ran. */
static void run_loop(hallmark_ctx* ctx, server* dns, size_t want) {
  enum { most = 32 };
  time_t start = time(NULL);
  while (finished < want) {
    hallmark_watch watches[most];
    struct pollfd fds[most + 1];
    int readable[most], writable[most];
    size_t count = hallmark_ctx_watches(ctx, NULL, 0), i, nr = 0, nw = 0;
    long timeout = hallmark_ctx_timeout_ms(ctx);
    REQUIRE(count <= most);
    CHECK(hallmark_ctx_watches(ctx, watches, most) == count);
    fds[0].fd = dns ? dns->fd : -1; /* poll() skips a negative fd */
    fds[0].events = POLLIN;
    for (i = 0; i < count; ++i) {
      fds[i + 1].fd = watches[i].fd;
      fds[i + 1].events = (short)((watches[i].events & HALLMARK_WATCH_READ ? POLLIN : 0) |
                                  (watches[i].events & HALLMARK_WATCH_WRITE ? POLLOUT : 0));
      CHECK(watches[i].fd >= 0 && watches[i].events != 0);
    }
    for (i = 0; i <= count; ++i) fds[i].revents = 0;
    REQUIRE(poll(fds, count + 1, timeout < 0 || timeout > 1000 ? 1000 : (int)timeout) >= 0);
    if (fds[0].revents & POLLIN) serve(dns);
    /* Errors and hang-ups count as readiness, so c-ares reads the socket and sees them. */
    for (i = 0; i < count; ++i) {
      short got = fds[i + 1].revents;
      if (got & (POLLIN | POLLERR | POLLHUP) && fds[i + 1].events & POLLIN)
        readable[nr++] = fds[i + 1].fd;
      if (got & (POLLOUT | POLLERR | POLLHUP) && fds[i + 1].events & POLLOUT)
        writable[nw++] = fds[i + 1].fd;
    }
    REQUIRE_OK(hallmark_ctx_process(ctx, readable, nr, writable, nw));
    if (time(NULL) - start > 120) {
      CHECK(!"the event loop stalled");
      fprintf(stderr, "  %zu of %zu callbacks ran\n", finished, want);
      return;
    }
  }
}

static hallmark_ctx* loop_ctx(const char* address, unsigned long deadline_ms,
                              unsigned long try_ms) {
  hallmark_options* options = hallmark_options_new();
  hallmark_ctx* ctx;
  REQUIRE(options != NULL);
  add_demo_lists(options);
  REQUIRE_OK(hallmark_options_set_event_loop(options, 1));
  REQUIRE_OK(hallmark_options_add_dns_server(options, address));
  REQUIRE_OK(hallmark_options_set_deadline_ms(options, deadline_ms));
  REQUIRE_OK(hallmark_options_set_dns_timeout_ms(options, try_ms));
  ctx = new_ctx(options);
  hallmark_options_free(options);
  return ctx;
}

/* With `lossy`, c-ares has to resend the queries the server drops, at the timeout the ctx
 * gives: the loop's hallmark_ctx_process() without a socket event is what does it. */
static void test_event_loop(int lossy) {
  enum { rounds = 2 };
  slot slots[rounds * max_envelopes];
  server dns;
  hallmark_ctx* ctx;
  size_t i, count = rounds * envelope_count;
  const char* how = lossy ? "event loop, lossy server" : "event loop";
  open_server(&dns, lossy, 1);
  ctx = loop_ctx(dns.address, 120000, lossy ? 100 : 2000);
  memset(slots, 0, sizeof slots);
  finished = 0;
  for (i = 0; i < count; ++i) {
    slots[i].env = &envelopes[i % envelope_count];
    slots[i].free_in_callback = i % 2;
    slots[i].message = start_message(ctx, slots[i].env, 11 + i * 29);
    REQUIRE_OK(hallmark_message_finish_async(slots[i].message, on_done, &slots[i]));
  }
  CHECK(finished == 0);
  /* Capacity 0 gives the count: the socket c-ares sends the queries from. */
  CHECK(hallmark_ctx_watches(ctx, NULL, 0) >= 1);
  run_loop(ctx, &dns, count);
  printf("%s: %zu messages, %zu queries answered, %zu dropped\n", how, count, dns.served,
         dns.dropped_count);
  CHECK(dns.served > 0);
  CHECK(!lossy || dns.dropped_count > 0);
  for (i = 0; i < count; ++i) {
    CHECK(slots[i].calls == 1);
    check_verdict(&slots[i], how);
  }
  free_slots(slots, count);
  hallmark_ctx_free(ctx);
  close_server(&dns);
}

/* Nobody serves the server: the deadline ends the wait with temperror, whether the loop
 * waits for the verdict (the ctx's timeout is the deadline's) or a blocking call does (it
 * pumps c-ares itself). */
static void test_event_loop_unanswered(void) {
  server dns;
  hallmark_ctx* ctx;
  slot s;
  long timeout;
  const envelope* env = &envelopes[0];
  open_server(&dns, 0, 0);
  ctx = loop_ctx(dns.address, 200, 2000);
  memset(&s, 0, sizeof s);
  finished = 0;
  s.env = env;
  s.message = start_message(ctx, env, 4096);
  REQUIRE_OK(hallmark_message_finish_async(s.message, on_done, &s));
  timeout = hallmark_ctx_timeout_ms(ctx);
  if (!CHECK(timeout >= 0 && timeout <= 200)) fprintf(stderr, "  timeout %ld\n", timeout);
  run_loop(ctx, NULL, 1);
  CHECK(s.calls == 1);
  expect_temperror(&s, "event loop, deadline, no answer");
  free_slots(&s, 1);

  memset(&s, 0, sizeof s);
  s.env = env;
  s.message = start_message(ctx, env, 4096);
  REQUIRE_OK(hallmark_message_finish(s.message, &s.result));
  expect_temperror(&s, "event loop, blocking finish, no answer");
  hallmark_result_free(s.result);
  s.result = NULL;
  REQUIRE_OK(
      hallmark_verify(ctx, env->bytes, env->length, env->ip, env->helo, env->mail_from, &s.result));
  expect_temperror(&s, "event loop, hallmark_verify, no answer");
  free_slots(&s, 1);
  hallmark_ctx_free(ctx);
  close_server(&dns);
}

/* A message freed while c-ares still has its queries out; the answers come all the same. */
static void test_event_loop_free_pending(void) {
  server dns;
  hallmark_ctx* ctx;
  slot s[3];
  open_server(&dns, 0, 1);
  ctx = loop_ctx(dns.address, 60000, 2000);
  memset(s, 0, sizeof s);
  finished = 0;
  s[0].env = s[1].env = &envelopes[0];
  s[2].env = &envelopes[2 % envelope_count];
  s[0].message = start_message(ctx, s[0].env, 300);
  s[1].message = start_message(ctx, s[1].env, 300);
  s[2].message = start_message(ctx, s[2].env, 300);
  REQUIRE_OK(hallmark_message_finish_async(s[0].message, on_done, &s[0]));
  REQUIRE_OK(hallmark_message_finish_async(s[1].message, on_done, &s[1]));
  REQUIRE_OK(hallmark_message_finish_async(s[2].message, on_done, &s[2]));
  hallmark_message_free(s[0].message);
  hallmark_message_free(s[2].message);
  s[0].message = s[2].message = NULL;
  run_loop(ctx, &dns, 1);
  CHECK(s[0].calls == 0 && s[1].calls == 1 && s[2].calls == 0);
  check_verdict(&s[1], "event loop, its twin freed while pending");
  free_slots(s, 3);
  hallmark_ctx_free(ctx); /* queries of the freed spoof.eml may still be out */
  close_server(&dns);
}

/* The same with a thread serving: the blocking calls give the zone-file verdicts, beside a
 * message finished asynchronously before them on the same ctx, whose answers the blocking
 * calls' pumping of c-ares may take in. */
static void test_event_loop_blocking_answered(void) {
  server dns;
  pthread_t thread;
  hallmark_ctx* ctx;
  slot s[3];
  int calls_after_finish, calls_after_verify;
  open_server(&dns, 0, 0);
  ctx = loop_ctx(dns.address, 60000, 2000);
  memset(s, 0, sizeof s);
  finished = 0;
  s[0].env = &envelopes[1 % envelope_count];
  s[0].message = start_message(ctx, s[0].env, 200);
  REQUIRE_OK(hallmark_message_finish_async(s[0].message, on_done, &s[0]));
  REQUIRE(pthread_create(&thread, NULL, serve_until_stopped, &dns) == 0);
  s[1].env = &envelopes[0];
  s[1].message = start_message(ctx, s[1].env, 200);
  REQUIRE_OK(hallmark_message_finish(s[1].message, &s[1].result));
  check_verdict(&s[1], "event loop, blocking finish, answered");
  calls_after_finish = s[0].calls;
  s[2].env = &envelopes[2 % envelope_count];
  REQUIRE_OK(hallmark_verify(ctx, s[2].env->bytes, s[2].env->length, s[2].env->ip, s[2].env->helo,
                             s[2].env->mail_from, &s[2].result));
  check_verdict(&s[2], "event loop, hallmark_verify, answered");
  calls_after_verify = s[0].calls;
  REQUIRE(write(dns.stop[1], "", 1) == 1);
  REQUIRE(pthread_join(thread, NULL) == 0);
  run_loop(ctx, &dns, 1);
  /* The header names hallmark_ctx_process() and the DNS answer calls as where callbacks run;
   * a blocking call that pumps c-ares completes the other message's lookups too. */
  printf("event loop: the asynchronous verdict came %s\n",
         calls_after_finish   ? "inside hallmark_message_finish() of another message"
         : calls_after_verify ? "inside hallmark_verify()"
                              : "from hallmark_ctx_process()");
  CHECK(s[0].calls == 1);
  check_verdict(&s[0], "event loop, asynchronous beside blocking calls");
  free_slots(s, 3);
  hallmark_ctx_free(ctx);
  close_server(&dns);
}

int event_loop_tests(void) {
  test_event_loop(0);
  test_event_loop(1);
  test_event_loop_unanswered();
  test_event_loop_free_pending();
  test_event_loop_blocking_answered();
  return check_failures;
}
