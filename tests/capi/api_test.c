/* SPDX-License-Identifier: Apache-2.0 */
/* Every call of hallmark.h against its contract: status codes, error texts, hostile arguments
 * (NULL, empty, huge, NUL bytes) and calls out of order. ctx_test.c has the ctx's own. */
#include <hallmark/hallmark.h>

#include <limits.h>
#include <stdint.h>

#include "fixture.h"

static void test_version_and_strerror(void) {
  hallmark_status status;
  CHECK_STRING(hallmark_version(), HALLMARK_VERSION_STRING);
  CHECK(hallmark_version_number() == HALLMARK_VERSION_NUMBER);
  CHECK_STRING(hallmark_strerror(HALLMARK_ERR_INVALID_ARGUMENT), "invalid argument");
  for (status = HALLMARK_OK; status <= HALLMARK_ERR_INTERNAL; ++status) {
    const char* text = hallmark_strerror(status);
    REQUIRE(text != NULL);
    CHECK(*text != '\0');
    /* Each status reads differently from the one before. */
    if (status > HALLMARK_OK) CHECK(strcmp(text, hallmark_strerror(status - 1)) != 0);
  }
  CHECK(hallmark_strerror((hallmark_status)99) != NULL);
  CHECK(hallmark_strerror((hallmark_status)-1) != NULL);
}

/* NULL handles and strings give HALLMARK_ERR_INVALID_ARGUMENT; free functions take NULL. */
static void test_null_arguments(void) {
  const hallmark_status invalid = HALLMARK_ERR_INVALID_ARGUMENT;
  hallmark_options* options = demo_options();
  hallmark_ctx* ctx = new_ctx(options);
  hallmark_ctx* no_ctx = (hallmark_ctx*)options; /* any non-NULL value, to see it cleared */
  hallmark_message* message = (hallmark_message*)options;
  hallmark_result* result = (hallmark_result*)options;
  char buffer[64];

  CHECK_STATUS(hallmark_options_set_authserv_id(NULL, "mx.example.org"), invalid);
  CHECK_STATUS(hallmark_options_set_authserv_id(options, NULL), invalid);
  CHECK_STATUS(hallmark_options_set_deadline_ms(NULL, 100), invalid);
  CHECK_STATUS(hallmark_options_set_max_dns_queries(NULL, 10), invalid);
  CHECK_STATUS(hallmark_options_set_check_helo(NULL, 1), invalid);
  CHECK_STATUS(hallmark_options_set_iprev(NULL, 1), invalid);
  CHECK_STATUS(hallmark_options_add_zone_file(NULL, DEMO("demo.zone")), invalid);
  CHECK_STATUS(hallmark_options_add_zone_file(options, NULL), invalid);
  CHECK_STATUS(hallmark_options_add_dns_server(NULL, "192.0.2.53"), invalid);
  CHECK_STATUS(hallmark_options_add_dns_server(options, NULL), invalid);
  CHECK_STATUS(hallmark_options_set_dns_timeout_ms(NULL, 100), invalid);
  CHECK_STATUS(hallmark_options_set_dns_tries(NULL, 1), invalid);
  CHECK_STATUS(hallmark_options_set_score_file(NULL, NULL), invalid);
  CHECK_STATUS(hallmark_options_set_allow_dmarc_file(NULL, NULL), invalid);
  CHECK_STATUS(hallmark_options_set_allow_spf_dkim_file(NULL, NULL), invalid);
  CHECK_STATUS(hallmark_options_set_trusted_arc_file(NULL, NULL), invalid);
  (void)hallmark_options_error(NULL); /* unspecified value; it must not crash */

  CHECK_STATUS(hallmark_ctx_new(NULL, &no_ctx), invalid);
  CHECK(no_ctx == NULL);
  CHECK_STATUS(hallmark_ctx_new(options, NULL), invalid);
  CHECK_STATUS(hallmark_ctx_reload(NULL, buffer, sizeof buffer), invalid);
  CHECK_STATUS(hallmark_ctx_reload(NULL, NULL, 0), invalid);

  CHECK_STATUS(hallmark_message_new(NULL, &message), invalid);
  CHECK(message == NULL);
  CHECK_STATUS(hallmark_message_new(ctx, NULL), invalid);
  CHECK_STATUS(hallmark_message_set_client(NULL, SIGNED_IP, NULL), invalid);
  CHECK_STATUS(hallmark_message_set_helo(NULL, SIGNED_HELO), invalid);
  CHECK_STATUS(hallmark_message_set_mail_from(NULL, SIGNED_FROM), invalid);
  CHECK_STATUS(hallmark_message_add_recipient(NULL, "bob@example.net"), invalid);
  CHECK_STATUS(hallmark_message_add_header(NULL, "To", 2, "b@example.net", 13), invalid);
  CHECK_STATUS(hallmark_message_end_of_headers(NULL), invalid);
  CHECK_STATUS(hallmark_message_feed(NULL, "x", 1), invalid);
  CHECK_STATUS(hallmark_message_finish(NULL, &result), invalid);
  CHECK(result == NULL);
  (void)hallmark_message_error(NULL);

  message = NULL;
  REQUIRE_OK(hallmark_message_new(ctx, &message));
  REQUIRE(message != NULL);
  CHECK_STRING(hallmark_message_error(message), "");
  CHECK_STATUS(hallmark_message_set_client(message, NULL, NULL), invalid);
  CHECK(*hallmark_message_error(message) != '\0');
  CHECK_STATUS(hallmark_message_set_helo(message, NULL), invalid);
  CHECK_STATUS(hallmark_message_set_mail_from(message, NULL), invalid);
  CHECK_STATUS(hallmark_message_add_recipient(message, NULL), invalid);
  CHECK_STATUS(hallmark_message_add_header(message, NULL, 2, "b@example.net", 13), invalid);
  CHECK_STATUS(hallmark_message_add_header(message, "To", 2, NULL, 13), invalid);
  CHECK_STATUS(hallmark_message_feed(message, NULL, 5), invalid);
  CHECK_STATUS(hallmark_message_finish(message, NULL), invalid);
  hallmark_message_free(message);

  result = (hallmark_result*)options;
  CHECK_STATUS(hallmark_verify(NULL, signed_eml, signed_length, NULL, NULL, NULL, &result),
               invalid);
  CHECK(result == NULL);
  CHECK_STATUS(hallmark_verify(ctx, NULL, 10, NULL, NULL, NULL, &result), invalid);
  CHECK_STATUS(hallmark_verify(ctx, signed_eml, signed_length, NULL, NULL, NULL, NULL), invalid);

  hallmark_options_free(NULL);
  hallmark_ctx_free(NULL);
  hallmark_message_free(NULL);
  hallmark_result_free(NULL);
  hallmark_ctx_free(ctx);
  hallmark_options_free(options);
}

/* Out-of-range values and empty strings: rejected where the header says so, harmless
 * elsewhere. */
static void test_bad_values(void) {
  const hallmark_status invalid = HALLMARK_ERR_INVALID_ARGUMENT;
  static const char* const bad_ips[] = {
      "",           "192.0.2.256", "not-an-ip",       "2001:db8::1::2",
      "192.0.2.1 ", "192.0.2",     "::ffff:1.2.3.4.5"};
  hallmark_options* options = demo_options();
  hallmark_ctx* ctx = new_ctx(options);
  hallmark_message* message = NULL;
  hallmark_result* result = (hallmark_result*)options;
  size_t i;

  CHECK_STRING(hallmark_options_error(options), "");
  CHECK_STATUS(hallmark_options_set_deadline_ms(options, 0), invalid);
  CHECK(*hallmark_options_error(options) != '\0');
  CHECK_STATUS(hallmark_options_set_max_dns_queries(options, 0), invalid);
  CHECK_STATUS(hallmark_options_set_deadline_ms(options, 1), HALLMARK_OK);
  CHECK_STATUS(hallmark_options_set_deadline_ms(options, ULONG_MAX), HALLMARK_OK);
  CHECK_STATUS(hallmark_options_set_max_dns_queries(options, 1), HALLMARK_OK);
  CHECK_STATUS(hallmark_options_set_check_helo(options, 42), HALLMARK_OK); /* nonzero: on */
  /* NULL or "" removes a list file. */
  CHECK_STATUS(hallmark_options_set_score_file(options, NULL), HALLMARK_OK);
  CHECK_STATUS(hallmark_options_set_score_file(options, ""), HALLMARK_OK);
  CHECK_STATUS(hallmark_options_set_allow_dmarc_file(options, ""), HALLMARK_OK);
  CHECK_STATUS(hallmark_options_set_allow_spf_dkim_file(options, ""), HALLMARK_OK);
  CHECK_STATUS(hallmark_options_set_trusted_arc_file(options, NULL), HALLMARK_OK);

  REQUIRE_OK(hallmark_message_new(ctx, &message));
  for (i = 0; i < sizeof bad_ips / sizeof *bad_ips; ++i) {
    if (!CHECK_STATUS(hallmark_message_set_client(message, bad_ips[i], NULL), invalid))
      fprintf(stderr, "  (the address was \"%s\")\n", bad_ips[i]);
    CHECK(*hallmark_message_error(message) != '\0');
  }
  CHECK_MENTIONS(hallmark_message_error(message), "::ffff:1.2.3.4.5");
  /* A bad call leaves the message usable. */
  CHECK_STATUS(hallmark_message_set_client(message, "2001:db8::10", ""), HALLMARK_OK);
  CHECK_STATUS(hallmark_message_set_helo(message, SIGNED_HELO), HALLMARK_OK);
  CHECK_STATUS(hallmark_message_set_mail_from(message, ""), HALLMARK_OK); /* null path */
  CHECK_STATUS(hallmark_message_add_recipient(message, "bob@example.net"), HALLMARK_OK);
  CHECK_STATUS(hallmark_message_feed(message, "", 0), HALLMARK_OK);
  CHECK_STATUS(hallmark_message_feed(message, signed_eml, signed_length), HALLMARK_OK);
  result = finish(message);
  CHECK_STRING(first_dkim(result), "pass");
  hallmark_result_free(result);

  CHECK_STATUS(hallmark_verify(ctx, signed_eml, signed_length, "192.0.2.300", NULL, NULL, &result),
               invalid);
  CHECK(result == NULL);
  /* No client address: no SPF check, the rest as usual. */
  result = NULL;
  CHECK_STATUS(hallmark_verify(ctx, signed_eml, signed_length, NULL, NULL, NULL, &result),
               HALLMARK_OK);
  if (result) {
    CHECK_STRING(hallmark_result_spf(result), "none");
    CHECK_STRING(hallmark_result_dmarc(result), "pass");
    hallmark_result_free(result);
  }
  /* An empty message is a message with nothing to verify, not a crash. */
  result = NULL;
  (void)hallmark_verify(ctx, "", 0, SIGNED_IP, SIGNED_HELO, SIGNED_FROM, &result);
  hallmark_result_free(result);
  hallmark_ctx_free(ctx);
  hallmark_options_free(options);
}

/* Result accessors: NULL results and out-of-range indexes read NULL and 0. */
static void test_result_accessors(void) {
  hallmark_options* options = demo_options();
  hallmark_ctx* ctx = new_ctx(options);
  hallmark_result* result = verify_bytes(ctx, signed_eml, signed_length);
  size_t tags = hallmark_result_tag_count(result);
  const size_t out[] = {tags, tags + 1, SIZE_MAX};
  size_t i;

  CHECK(strncmp(hallmark_result_auth_results(result), "Authentication-Results: mx.example.org;",
                39) == 0);
  CHECK(hallmark_result_json(result)[0] == '{');
  CHECK(hallmark_result_disposition(result) == HALLMARK_DISPOSITION_NONE);
  CHECK_STRING(hallmark_result_override_reason(result), "");
  CHECK(hallmark_result_temporary_failure(result) == 0);
  CHECK(tags == 4 && has_tag(result, "DKIM_ALLOW")); /* no allow lists here */
  CHECK(hallmark_result_score(result) < 0);
  CHECK_STRING(hallmark_result_spf(result), "pass");
  CHECK_STRING(hallmark_result_spf_domain(result), "example.com");
  CHECK_STRING(hallmark_result_spf_helo(result), "none");
  CHECK_STRING(first_dkim(result), "pass");
  CHECK_STRING(hallmark_result_dkim_domain(result, 0), "example.com");
  CHECK_STRING(hallmark_result_dkim_selector(result, 0), "demo");
  CHECK_STRING(hallmark_result_arc(result), "none");
  CHECK_STRING(hallmark_result_dmarc(result), "pass");
  CHECK_STRING(hallmark_result_dmarc_domain(result), "example.com");
  CHECK_STRING(hallmark_result_dmarc_policy(result), "reject");
  CHECK_STRING(hallmark_result_iprev(result), "none"); /* not asked for */
  for (i = 0; i < sizeof out / sizeof *out; ++i) {
    CHECK(hallmark_result_tag_name(result, out[i]) == NULL);
    CHECK(hallmark_result_tag_score(result, out[i]) == 0);
  }
  CHECK(hallmark_result_dkim(result, 1) == NULL);
  CHECK(hallmark_result_dkim_domain(result, 1) == NULL);
  CHECK(hallmark_result_dkim_selector(result, SIZE_MAX) == NULL);

  /* A NULL result reads as empty; the string values are not specified, only that the calls
   * survive. */
  CHECK(hallmark_result_tag_count(NULL) == 0);
  CHECK(hallmark_result_tag_name(NULL, 0) == NULL);
  CHECK(hallmark_result_tag_score(NULL, 0) == 0);
  CHECK(hallmark_result_dkim_count(NULL) == 0);
  CHECK(hallmark_result_dkim(NULL, 0) == NULL);
  CHECK(hallmark_result_dkim_domain(NULL, 0) == NULL);
  CHECK(hallmark_result_dkim_selector(NULL, 0) == NULL);
  CHECK(hallmark_result_score(NULL) == 0);
  CHECK(hallmark_result_temporary_failure(NULL) == 0);
  CHECK(hallmark_result_disposition(NULL) == HALLMARK_DISPOSITION_NONE);
  (void)hallmark_result_auth_results(NULL);
  (void)hallmark_result_json(NULL);
  (void)hallmark_result_override_reason(NULL);
  (void)hallmark_result_spf(NULL);
  (void)hallmark_result_spf_domain(NULL);
  (void)hallmark_result_spf_helo(NULL);
  (void)hallmark_result_arc(NULL);
  (void)hallmark_result_dmarc(NULL);
  (void)hallmark_result_dmarc_domain(NULL);
  (void)hallmark_result_dmarc_policy(NULL);
  (void)hallmark_result_iprev(NULL);
  hallmark_result_free(result);
  hallmark_ctx_free(ctx);
  hallmark_options_free(options);
}

/* Calls out of order give HALLMARK_ERR_STATE with a reason. */
static void test_call_order(void) {
  const hallmark_status state = HALLMARK_ERR_STATE;
  hallmark_options* options = demo_options();
  hallmark_ctx* ctx = new_ctx(options);
  hallmark_message* message = signed_envelope(ctx);
  hallmark_result *result = NULL, *again = NULL;

  CHECK_STATUS(hallmark_message_add_header(message, "Subject", 7, " hi", 3), HALLMARK_OK);
  CHECK_STATUS(hallmark_message_end_of_headers(message), HALLMARK_OK);
  CHECK_STATUS(hallmark_message_add_header(message, "To", 2, " b@example.net", 14), state);
  CHECK(*hallmark_message_error(message) != '\0');
  CHECK_STATUS(hallmark_message_end_of_headers(message), state);
  CHECK_STATUS(hallmark_message_feed(message, "body\r\n", 6), HALLMARK_OK);
  REQUIRE_OK(hallmark_message_finish(message, &result));
  CHECK_STATUS(hallmark_message_feed(message, "more\r\n", 6), state);
  CHECK(*hallmark_message_error(message) != '\0');
  CHECK_STATUS(hallmark_message_add_header(message, "To", 2, " b@example.net", 14), state);
  CHECK_STATUS(hallmark_message_end_of_headers(message), state);
  CHECK_STATUS(hallmark_message_finish(message, &again), state);
  CHECK(again == NULL);
  hallmark_message_free(message);
  hallmark_result_free(result);

  /* Raw bytes and fields one by one do not mix. */
  message = signed_envelope(ctx);
  CHECK_STATUS(hallmark_message_feed(message, "Subject: hi\r\n", 13), HALLMARK_OK);
  CHECK_STATUS(hallmark_message_add_header(message, "To", 2, " b@example.net", 14), state);
  hallmark_message_free(message); /* unfinished: abandoned at once */
  hallmark_ctx_free(ctx);
  hallmark_options_free(options);
}

/* signed.eml given field by field, each name and value copied into a buffer with `junk`
 * after it and passed by length; `nul_in` names a field whose value gets a NUL byte added. */
static hallmark_result* verify_by_fields(hallmark_ctx* ctx, const char* junk, const char* nul_in) {
  hallmark_message* message = signed_envelope(ctx);
  const char* at = signed_eml;
  const char* end = signed_eml + signed_length;
  char name[256], value[2048];
  size_t junk_length = strlen(junk);
  field f;
  while (next_field(&at, end, &f)) {
    size_t value_length = f.value_length;
    REQUIRE(f.name_length + junk_length < sizeof name);
    REQUIRE(f.value_length + 1 + junk_length < sizeof value);
    memcpy(name, f.name, f.name_length);
    memcpy(name + f.name_length, junk, junk_length);
    memcpy(value, f.value, f.value_length);
    if (nul_in && f.name_length == strlen(nul_in) && memcmp(f.name, nul_in, f.name_length) == 0)
      value[value_length++] = '\0';
    memcpy(value + value_length, junk, junk_length);
    REQUIRE_OK(hallmark_message_add_header(message, name, f.name_length, value, value_length));
  }
  REQUIRE_OK(hallmark_message_end_of_headers(message));
  REQUIRE_OK(hallmark_message_feed(message, at, (size_t)(end - at)));
  return finish(message);
}

/* Lengths are honoured: bytes past them are ignored, NUL bytes inside them kept. */
static void test_lengths_and_nul_bytes(void) {
  hallmark_options* options = demo_options();
  hallmark_ctx* ctx = new_ctx(options);
  char* copy = malloc(signed_length + 8);
  hallmark_result* result;
  REQUIRE(copy != NULL);

  /* signed.eml with bytes after it, NUL first: a library reading up to the NUL would see
   * signed.eml alone and pass DKIM; the body it was given has changed. */
  memcpy(copy, signed_eml, signed_length);
  memcpy(copy + signed_length, "\0tail\r\n", 7);
  result = verify_bytes(ctx, copy, signed_length + 7);
  CHECK_STRING(first_dkim(result), "fail");
  hallmark_result_free(result);
  result = verify_bytes(ctx, copy, signed_length); /* the length, not the NUL, ends it */
  CHECK_STRING(first_dkim(result), "pass");
  hallmark_result_free(result);

  result = verify_by_fields(ctx, "JUNK", NULL);
  CHECK_STRING(first_dkim(result), "pass");
  hallmark_result_free(result);
  /* Subject is signed: with a NUL kept in its value, the signature no longer matches. */
  result = verify_by_fields(ctx, "", "Subject");
  CHECK_STRING(first_dkim(result), "fail");
  hallmark_result_free(result);
  free(copy);
  hallmark_ctx_free(ctx);
  hallmark_options_free(options);
}

/* Inputs far past the usual: a 1 MB field is taken, a header section past the 2 MB bound
 * gives HALLMARK_ERR_LIMIT, a 4 MB body streams through. */
static void test_huge_inputs(void) {
  const size_t mb = 1024 * 1024;
  hallmark_options* options = demo_options();
  hallmark_ctx* ctx = new_ctx(options);
  char* big = malloc(3 * mb + 64);
  const char* body = strstr(signed_eml, "\r\n\r\n") + 2; /* the empty line, then the body */
  hallmark_message* message;
  hallmark_result* result;
  hallmark_status status;
  size_t i;
  REQUIRE(big != NULL);
  memset(big, 'a', 3 * mb + 64);

  message = signed_envelope(ctx);
  CHECK_STATUS(hallmark_message_add_header(message, "X-Big", 5, big, mb), HALLMARK_OK);
  CHECK_STATUS(hallmark_message_add_header(message, "X-Bigger", 8, big, 3 * mb),
               HALLMARK_ERR_LIMIT);
  CHECK(*hallmark_message_error(message) != '\0');
  hallmark_message_free(message);

  /* Fields past the count bound (10,000 by default). */
  message = signed_envelope(ctx);
  status = HALLMARK_OK;
  for (i = 0; i < 20000 && status == HALLMARK_OK; ++i)
    status = hallmark_message_add_header(message, "X-N", 3, " 1", 2);
  CHECK_STATUS(status, HALLMARK_ERR_LIMIT);
  hallmark_message_free(message);

  /* One raw message with a 1 MB field in front of signed.eml's: still verified. */
  memcpy(big, "X-Big: ", 7);
  memcpy(big + mb - 2, "\r\n", 2);
  memcpy(big + mb, signed_eml, signed_length);
  result = NULL;
  CHECK_STATUS(
      hallmark_verify(ctx, big, mb + signed_length, SIGNED_IP, SIGNED_HELO, SIGNED_FROM, &result),
      HALLMARK_OK);
  if (result) CHECK_STRING(first_dkim(result), "pass");
  hallmark_result_free(result);

  /* 4 MB of body lines in 64 KB chunks after signed.eml's header section. */
  message = signed_envelope(ctx);
  REQUIRE_OK(hallmark_message_feed(message, signed_eml, (size_t)(body - signed_eml)));
  for (i = 0; i < 3 * mb; i += 80) memcpy(big + i, "line of text\r\n", 14);
  for (i = 0; i < 64; ++i)
    if (!CHECK_STATUS(hallmark_message_feed(message, big, 64 * 1024), HALLMARK_OK)) break;
  result = finish(message);
  CHECK_STRING(first_dkim(result), "fail"); /* another body than the one signed */
  CHECK_STRING(hallmark_result_dmarc(result), "pass");
  hallmark_result_free(result);
  free(big);
  hallmark_ctx_free(ctx);
  hallmark_options_free(options);
}

int main(int argc, char** argv) {
  fixture_start(argc, argv);
  test_version_and_strerror();
  test_null_arguments();
  test_bad_values();
  test_result_accessors();
  test_call_order();
  test_lengths_and_nul_bytes();
  test_huge_inputs();
  return fixture_end("api_test");
}
