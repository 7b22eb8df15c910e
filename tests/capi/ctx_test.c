/* SPDX-License-Identifier: Apache-2.0 */
/* The ctx's contract: hallmark_ctx_new() failures named in hallmark_options_error(),
 * reloads, options that change the verdict, one ctx shared by threads, and the deadline
 * against a DNS server that never answers. */
#define _POSIX_C_SOURCE 200809L /* pthreads, sockets and clock_gettime under -std=c99 */
#include <hallmark/hallmark.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "fixture.h"

/* hallmark_ctx_new() failures: *ctx NULL, the reason in hallmark_options_error() naming the
 * file (and line) or the server at fault. */
static void expect_ctx_failure(hallmark_options* options, hallmark_status want, const char* named,
                               const char* line) {
  hallmark_ctx* ctx = (hallmark_ctx*)options;
  if (!CHECK_STATUS(hallmark_ctx_new(options, &ctx), want))
    fprintf(stderr, "  the error: %s\n", hallmark_options_error(options));
  CHECK(ctx == NULL);
  CHECK_MENTIONS(hallmark_options_error(options), named);
  if (line) CHECK_MENTIONS(hallmark_options_error(options), line);
  if (ctx && ctx != (hallmark_ctx*)options) hallmark_ctx_free(ctx);
}

static void test_ctx_failures(void) {
  static const char* const bad_servers[] = {"not-an-address", "192.0.2.53:99999", "[2001:db8::53",
                                            "192.0.2.53:", ""};
  hallmark_options* options = hallmark_options_new();
  size_t i;
  REQUIRE(options != NULL);
  CHECK_STATUS(hallmark_options_add_zone_file(options, work("no-such.zone")), HALLMARK_OK);
  expect_ctx_failure(options, HALLMARK_ERR_IO, "no-such.zone", NULL);
  hallmark_options_free(options);

  write_whole_file(work("bad.zone"),
                   "$ORIGIN example.test.\n@ 60 IN TXT \"ok\"\n@ 60 IN A 300.1.2.3\n");
  options = hallmark_options_new();
  REQUIRE_OK(hallmark_options_add_zone_file(options, work("bad.zone")));
  expect_ctx_failure(options, HALLMARK_ERR_SYNTAX, "bad.zone", "3");
  hallmark_options_free(options);

  write_whole_file(work("bad.scores"), "SPF_ALLOW = -1\nDKIM_ALLOW minus two\n");
  options = demo_options();
  REQUIRE_OK(hallmark_options_set_score_file(options, work("bad.scores")));
  expect_ctx_failure(options, HALLMARK_ERR_SYNTAX, "bad.scores", "2");
  REQUIRE_OK(hallmark_options_set_score_file(options, NULL));
  REQUIRE_OK(hallmark_options_set_trusted_arc_file(options, work("no-such-list")));
  expect_ctx_failure(options, HALLMARK_ERR_IO, "no-such-list", NULL);
  hallmark_options_free(options);

  /* A server that is not an address is refused when given or by hallmark_ctx_new(). */
  for (i = 0; i < sizeof bad_servers / sizeof *bad_servers; ++i) {
    hallmark_status status;
    options = hallmark_options_new();
    status = hallmark_options_add_dns_server(options, bad_servers[i]);
    if (status == HALLMARK_OK) {
      hallmark_ctx* ctx = NULL;
      status = hallmark_ctx_new(options, &ctx);
      hallmark_ctx_free(ctx);
    }
    if (!CHECK(status == HALLMARK_ERR_INVALID_ARGUMENT || status == HALLMARK_ERR_SYNTAX))
      fprintf(stderr, "  server \"%s\": %d (%s)\n", bad_servers[i], (int)status,
              hallmark_strerror(status));
    if (*bad_servers[i]) CHECK_MENTIONS(hallmark_options_error(options), bad_servers[i]);
    hallmark_options_free(options);
  }
  options = hallmark_options_new();
  CHECK_STATUS(hallmark_options_add_dns_server(options, "[2001:db8::53]:5353"), HALLMARK_OK);
  CHECK_STATUS(hallmark_options_add_dns_server(options, "192.0.2.53"), HALLMARK_OK);
  CHECK_STATUS(hallmark_options_set_dns_timeout_ms(options, 100), HALLMARK_OK);
  CHECK_STATUS(hallmark_options_set_dns_tries(options, 1), HALLMARK_OK);
  { /* no query is sent before a message needs one */
    hallmark_ctx* ctx = NULL;
    CHECK_STATUS(hallmark_ctx_new(options, &ctx), HALLMARK_OK);
    hallmark_ctx_free(ctx);
  }
  hallmark_options_free(options);
  remove(work("bad.zone"));
  remove(work("bad.scores"));
}

/* A message of signed.eml started now, its bytes fed, its verdict not yet asked for. */
static hallmark_message* start_signed(hallmark_ctx* ctx) {
  hallmark_message* message = signed_envelope(ctx);
  REQUIRE_OK(hallmark_message_feed(message, signed_eml, signed_length));
  return message;
}

static int signed_is_allowlisted(hallmark_ctx* ctx) {
  hallmark_result* result = finish(start_signed(ctx));
  int allowlisted = has_tag(result, "ALLOWLIST_DMARC");
  hallmark_result_free(result);
  return allowlisted;
}

/* Reloads: later messages see the new lists, messages under way keep theirs, and a failed
 * reload changes nothing and says why in the caller's buffer, cut to its size. */
static void test_reload(void) {
  hallmark_options* options = demo_options();
  hallmark_ctx* ctx;
  hallmark_message* under_way;
  hallmark_result* result;
  char error[256], tiny[16];

  write_whole_file(work("reload-allow"), "# trusted authors\nexample.com\n");
  REQUIRE_OK(hallmark_options_set_allow_dmarc_file(options, work("reload-allow")));
  ctx = new_ctx(options);
  CHECK(signed_is_allowlisted(ctx));

  under_way = start_signed(ctx);
  write_whole_file(work("reload-allow"), "# nobody\n");
  CHECK_STATUS(hallmark_ctx_reload(ctx, error, sizeof error), HALLMARK_OK);
  CHECK(!signed_is_allowlisted(ctx));
  result = finish(under_way);
  CHECK(has_tag(result, "ALLOWLIST_DMARC"));
  hallmark_result_free(result);

  write_whole_file(work("reload-allow"), "example.com\n");
  CHECK_STATUS(hallmark_ctx_reload(ctx, NULL, 0), HALLMARK_OK);
  CHECK(signed_is_allowlisted(ctx));

  remove(work("reload-allow"));
  memset(error, 'X', sizeof error);
  CHECK_STATUS(hallmark_ctx_reload(ctx, error, sizeof error), HALLMARK_ERR_IO);
  CHECK(memchr(error, '\0', sizeof error) != NULL);
  CHECK_MENTIONS(error, "reload-allow");
  CHECK(signed_is_allowlisted(ctx)); /* the lists of the last good load */

  /* Cut to the buffer: 3 characters and the NUL in 4 bytes, nothing written past them. */
  memset(tiny, 'X', sizeof tiny);
  CHECK_STATUS(hallmark_ctx_reload(ctx, tiny, 4), HALLMARK_ERR_IO);
  CHECK(strlen(tiny) == 3 && tiny[4] == 'X');
  CHECK(strncmp(tiny, error, 3) == 0);
  memset(tiny, 'X', sizeof tiny);
  CHECK_STATUS(hallmark_ctx_reload(ctx, tiny, 1), HALLMARK_ERR_IO);
  CHECK(tiny[0] == '\0' && tiny[1] == 'X');
  memset(tiny, 'X', sizeof tiny);
  CHECK_STATUS(hallmark_ctx_reload(ctx, tiny, 0), HALLMARK_ERR_IO);
  CHECK(tiny[0] == 'X');
  CHECK_STATUS(hallmark_ctx_reload(ctx, NULL, 0), HALLMARK_ERR_IO);
  CHECK_STATUS(hallmark_ctx_reload(ctx, NULL, 100), HALLMARK_ERR_IO);
  hallmark_ctx_free(ctx);
  hallmark_options_free(options);
}

/* The options change the verdict as documented, and the ctx keeps its own copy. */
static void test_option_effects(void) {
  hallmark_options* options = demo_options();
  hallmark_ctx* ctx;
  hallmark_result* result;
  size_t i;

  write_whole_file(work("scores"), "# a local taste\nSPF_ALLOW = 5\n");
  REQUIRE_OK(hallmark_options_set_score_file(options, work("scores")));
  REQUIRE_OK(hallmark_options_set_check_helo(options, 0));
  REQUIRE_OK(hallmark_options_set_iprev(options, 1));
  ctx = new_ctx(options);
  REQUIRE_OK(hallmark_options_set_authserv_id(options, "changed.example"));
  REQUIRE_OK(hallmark_options_set_iprev(options, 0));
  hallmark_options_free(options); /* the ctx copied them */

  result = verify_bytes(ctx, signed_eml, signed_length);
  CHECK(strncmp(hallmark_result_auth_results(result), "Authentication-Results: mx.example.org;",
                39) == 0);
  CHECK(strstr(hallmark_result_auth_results(result), "smtp.helo") == NULL);
  CHECK(strstr(hallmark_result_auth_results(result), "iprev=pass") != NULL);
  CHECK_STRING(hallmark_result_spf_helo(result), "none");
  CHECK_STRING(hallmark_result_iprev(result), "pass"); /* 192.0.2.10 <-> mail.example.com */
  CHECK(has_tag(result, "IPREV_ALLOW"));
  for (i = 0; i < hallmark_result_tag_count(result); ++i)
    if (strcmp(hallmark_result_tag_name(result, i), "SPF_ALLOW") == 0)
      CHECK(hallmark_result_tag_score(result, i) == 5);
  CHECK(has_tag(result, "SPF_ALLOW"));
  hallmark_result_free(result);
  hallmark_ctx_free(ctx);
  remove(work("scores"));
}

/* One ctx, several threads at once (the header allows it): each gets the same verdict. */
static void* verify_in_thread(void* ctx) {
  hallmark_result* first = verify_bytes(ctx, signed_eml, signed_length);
  int i, same = 1;
  for (i = 0; i < 20; ++i) {
    hallmark_result* again = verify_bytes(ctx, signed_eml, signed_length);
    same = same && strcmp(hallmark_result_json(first), hallmark_result_json(again)) == 0;
    hallmark_result_free(again);
  }
  hallmark_result_free(first);
  return same ? ctx : NULL;
}

static void test_threads(void) {
  hallmark_options* options = demo_options();
  hallmark_ctx* ctx = new_ctx(options);
  pthread_t threads[4];
  void* outcome;
  size_t i;
  for (i = 0; i < 4; ++i) REQUIRE(pthread_create(&threads[i], NULL, verify_in_thread, ctx) == 0);
  for (i = 0; i < 4; ++i) {
    REQUIRE(pthread_join(threads[i], &outcome) == 0);
    CHECK(outcome == ctx);
  }
  hallmark_ctx_free(ctx);
  hallmark_options_free(options);
}

static double seconds_now(void) {
  struct timespec now;
  clock_gettime(CLOCK_MONOTONIC, &now);
  return (double)now.tv_sec + (double)now.tv_nsec / 1e9;
}

/* A UDP socket on 127.0.0.1 that takes queries and never answers; its "127.0.0.1:PORT". */
static int silent_server(char* address, size_t size) {
  struct sockaddr_in where;
  socklen_t length = sizeof where;
  int fd = socket(AF_INET, SOCK_DGRAM, 0);
  REQUIRE(fd >= 0);
  memset(&where, 0, sizeof where);
  where.sin_family = AF_INET;
  where.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  REQUIRE(bind(fd, (struct sockaddr*)&where, sizeof where) == 0);
  REQUIRE(getsockname(fd, (struct sockaddr*)&where, &length) == 0);
  snprintf(address, size, "127.0.0.1:%u", (unsigned)ntohs(where.sin_port));
  return fd;
}

/* With a server that never answers, the verdict comes at the deadline, not at the
 * resolver's own much later timeout, as temperrors flagged as a temporary failure; and a
 * message freed while its lookups wait is dropped at once. The ctxs before this one fetched
 * example.com's DKIM key from the demo zone: a ctx's caches are its own, so this one cannot
 * have it either. */
static void test_deadline(void) {
  char server[64];
  int fd = silent_server(server, sizeof server);
  hallmark_options* options = hallmark_options_new();
  hallmark_ctx* ctx;
  hallmark_message* message;
  hallmark_result* result;
  double start, elapsed;

  REQUIRE_OK(hallmark_options_add_dns_server(options, server));
  REQUIRE_OK(hallmark_options_set_dns_timeout_ms(options, 30000));
  REQUIRE_OK(hallmark_options_set_dns_tries(options, 1));
  REQUIRE_OK(hallmark_options_set_deadline_ms(options, 500));
  REQUIRE_OK(hallmark_options_set_authserv_id(options, "mx.example.org"));
  ctx = new_ctx(options);
  hallmark_options_free(options);

  start = seconds_now();
  message = start_signed(ctx);
  result = finish(message);
  elapsed = seconds_now() - start;
  CHECK(elapsed >= 0.4);
  if (!CHECK(elapsed < 5)) fprintf(stderr, "  the verdict took %.1f s\n", elapsed);
  CHECK_STRING(hallmark_result_spf(result), "temperror");
  CHECK_STRING(first_dkim(result), "temperror");
  CHECK_STRING(hallmark_result_dmarc(result), "temperror");
  CHECK(hallmark_result_temporary_failure(result) != 0);
  hallmark_result_free(result);

  start = seconds_now();
  message = start_signed(ctx);
  hallmark_message_free(message);
  elapsed = seconds_now() - start;
  if (!CHECK(elapsed < 0.4)) fprintf(stderr, "  the free took %.1f s\n", elapsed);
  hallmark_ctx_free(ctx);
  close(fd);
}

int main(int argc, char** argv) {
  fixture_start(argc, argv);
  test_ctx_failures();
  test_reload();
  test_option_effects();
  test_threads();
  test_deadline();
  return fixture_end("ctx_test");
}
