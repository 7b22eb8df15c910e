/* SPDX-License-Identifier: Apache-2.0 */
/* The C API's checks and signatures beside verification: SPF alone before the message, key
 * generation and loading, DKIM signing and ARC sealing, each verified back through a ctx. */
#include "check.h"
#include "fixture.h"

/* `field` (or several fields) put on top of `message`, as a signer or sealer does. */
static char* prepend(const char* field, const char* message, size_t length, size_t* total) {
  size_t field_length = strlen(field);
  char* out = malloc(field_length + length + 1);
  REQUIRE(out != NULL);
  memcpy(out, field, field_length);
  memcpy(out + field_length, message, length);
  out[field_length + length] = '\0';
  *total = field_length + length;
  return out;
}

static void spf_alone(hallmark_ctx* ctx) {
  hallmark_result* result = NULL;
  REQUIRE_OK(hallmark_spf_check(ctx, SIGNED_IP, SIGNED_HELO, SIGNED_FROM, &result));
  CHECK_STRING(hallmark_result_spf(result), "pass");
  CHECK_STRING(hallmark_result_spf_domain(result), "example.com");
  CHECK_STRING(hallmark_result_spf_helo(result), "none");
  CHECK(strncmp(hallmark_result_received_spf(result), "Received-SPF: pass ", 19) == 0);
  CHECK_MENTIONS(hallmark_result_auth_results(result), "spf=pass smtp.mailfrom=alice@example.com");
  CHECK(strstr(hallmark_result_auth_results(result), "dkim=") == NULL);
  CHECK(strstr(hallmark_result_auth_results(result), "dmarc=") == NULL);
  CHECK(hallmark_result_dkim_count(result) == 0);
  CHECK_STRING(hallmark_result_dmarc(result), "none");
  hallmark_result_free(result);

  /* A stranger's address fails; the null reverse path checks postmaster@HELO. */
  REQUIRE_OK(hallmark_spf_check(ctx, "203.0.113.66", "bogus.example", "ceo@example.com", &result));
  CHECK_STRING(hallmark_result_spf(result), "fail");
  CHECK(strncmp(hallmark_result_received_spf(result), "Received-SPF: fail ", 19) == 0);
  hallmark_result_free(result);
  REQUIRE_OK(hallmark_spf_check(ctx, SIGNED_IP, SIGNED_HELO, "", &result));
  CHECK_MENTIONS(hallmark_result_auth_results(result), "smtp.helo=mail.example.com");
  hallmark_result_free(result);

  CHECK_STATUS(hallmark_spf_check(NULL, SIGNED_IP, NULL, NULL, &result),
               HALLMARK_ERR_INVALID_ARGUMENT);
  CHECK_STATUS(hallmark_spf_check(ctx, NULL, NULL, NULL, &result), HALLMARK_ERR_INVALID_ARGUMENT);
  CHECK_STATUS(hallmark_spf_check(ctx, "not an address", NULL, NULL, &result),
               HALLMARK_ERR_INVALID_ARGUMENT);
  CHECK(result == NULL);
  CHECK_STATUS(hallmark_spf_check(ctx, SIGNED_IP, NULL, NULL, NULL), HALLMARK_ERR_INVALID_ARGUMENT);
}

static void keys(void) {
  hallmark_key* key = NULL;
  hallmark_key* again = NULL;
  const char* pem;
  REQUIRE_OK(hallmark_key_generate("ed25519", 0, &key));
  pem = hallmark_key_pem(key);
  CHECK(strncmp(pem, "-----BEGIN PRIVATE KEY-----", 27) == 0);
  CHECK(strncmp(hallmark_key_dns_record(key), "v=DKIM1; k=ed25519; p=", 22) == 0);
  /* The PEM reads back as the same key. */
  REQUIRE_OK(hallmark_key_load(pem, strlen(pem), &again));
  CHECK_STRING(hallmark_key_dns_record(again), hallmark_key_dns_record(key));
  hallmark_key_free(again);
  hallmark_key_free(key);

  REQUIRE_OK(hallmark_key_generate("rsa", 1024, &key));
  CHECK(strncmp(hallmark_key_dns_record(key), "v=DKIM1; k=rsa; p=", 18) == 0);
  hallmark_key_free(key);

  key = (hallmark_key*)1; /* every failure leaves NULL behind */
  CHECK_STATUS(hallmark_key_generate("dsa", 0, &key), HALLMARK_ERR_INVALID_ARGUMENT);
  CHECK(key == NULL);
  CHECK_STATUS(hallmark_key_generate("rsa", 512, &key), HALLMARK_ERR_INVALID_ARGUMENT);
  CHECK_STATUS(hallmark_key_generate(NULL, 0, &key), HALLMARK_ERR_INVALID_ARGUMENT);
  CHECK_STATUS(hallmark_key_generate("rsa", 0, NULL), HALLMARK_ERR_INVALID_ARGUMENT);
  CHECK_STATUS(hallmark_key_load("not a key", 9, &key), HALLMARK_ERR_SYNTAX);
  CHECK_STATUS(hallmark_key_load(NULL, 0, &key), HALLMARK_ERR_INVALID_ARGUMENT);
  CHECK(hallmark_key_pem(NULL) == NULL);
  CHECK(hallmark_key_dns_record(NULL) == NULL);
  hallmark_key_free(NULL);
}

static hallmark_signer* demo_signer(const char* key_file, const char* domain,
                                    const char* selector) {
  size_t length;
  char* pem = read_whole_file(key_file, &length);
  hallmark_key* key = NULL;
  hallmark_signer* signer = NULL;
  REQUIRE_OK(hallmark_key_load(pem, length, &key));
  REQUIRE_OK(hallmark_signer_new(key, domain, selector, &signer));
  /* The signer keeps its own copy of the key. */
  hallmark_key_free(key);
  free(pem);
  return signer;
}

static void dkim_signing(hallmark_ctx* ctx) {
  size_t length, signed_total;
  char* message = read_whole_file(DEMO("message.eml"), &length);
  hallmark_signer* signer = demo_signer(DEMO("demo-dkim.key"), "example.com", "demo");
  const char* field = NULL;
  char* signed_message;
  hallmark_result* result;
  REQUIRE_OK(hallmark_dkim_sign(signer, message, length, &field));
  CHECK(strncmp(field, "DKIM-Signature: ", 16) == 0);
  CHECK(strstr(field, "d=example.com") != NULL && strstr(field, "s=demo") != NULL);
  signed_message = prepend(field, message, length, &signed_total);
  result = verify_bytes(ctx, signed_message, signed_total);
  CHECK_STRING(first_dkim(result), "pass");
  CHECK_STRING(hallmark_result_dmarc(result), "pass");
  hallmark_result_free(result);

  /* A byte changed after signing: the signature no longer verifies. */
  signed_message[signed_total - 3] ^= 1;
  result = verify_bytes(ctx, signed_message, signed_total);
  CHECK_STRING(first_dkim(result), "fail");
  hallmark_result_free(result);
  free(signed_message);

  /* No From field: nothing to sign (RFC 6376 5.4), and the signer says why. */
  CHECK_STATUS(hallmark_dkim_sign(signer, "Subject: x\r\n\r\nbody\r\n", 21, &field),
               HALLMARK_ERR_SYNTAX);
  CHECK(field == NULL);
  CHECK_MENTIONS(hallmark_signer_error(signer), "From");
  CHECK_STATUS(hallmark_dkim_sign(signer, NULL, 5, &field), HALLMARK_ERR_INVALID_ARGUMENT);
  CHECK_STATUS(hallmark_dkim_sign(signer, message, length, NULL), HALLMARK_ERR_INVALID_ARGUMENT);
  CHECK_STATUS(hallmark_dkim_sign(NULL, message, length, &field), HALLMARK_ERR_INVALID_ARGUMENT);
  hallmark_signer_free(signer);
  free(message);
  hallmark_signer_free(NULL);
  CHECK_STRING(hallmark_signer_error(NULL), "");
}

static void arc_sealing(void) {
  /* The list server lists.example.net forwards signed.eml: it verifies, then seals with its
   * own verdict. The next hop, trusting that sealer, sees a passing chain. */
  hallmark_options* options = demo_options();
  hallmark_ctx* ctx;
  hallmark_signer* sealer = demo_signer(DEMO("demo-arc.key"), "lists.example.net", "arc");
  hallmark_result* verdict;
  hallmark_result* next;
  const char* fields = NULL;
  char* sealed;
  size_t sealed_total;
  REQUIRE_OK(hallmark_options_set_authserv_id(options, "lists.example.net"));
  ctx = new_ctx(options);
  verdict = verify_bytes(ctx, signed_eml, signed_length);
  REQUIRE_OK(hallmark_arc_seal(ctx, sealer, signed_eml, signed_length, verdict, &fields));
  CHECK(strncmp(fields, "ARC-Seal: ", 10) == 0);
  CHECK_MENTIONS(fields, " i=1;");
  CHECK_MENTIONS(fields, "\r\nARC-Message-Signature: ");
  CHECK_MENTIONS(fields, "ARC-Authentication-Results: i=1; lists.example.net;");
  CHECK_MENTIONS(fields, "dmarc=pass");
  sealed = prepend(fields, signed_eml, signed_length, &sealed_total);
  next = verify_bytes(ctx, sealed, sealed_total);
  CHECK_STRING(hallmark_result_arc(next), "pass");
  hallmark_result_free(next);
  free(sealed);

  /* No verdict: the AAR holds the chain's result alone. */
  REQUIRE_OK(hallmark_arc_seal(ctx, sealer, signed_eml, signed_length, NULL, &fields));
  CHECK(strstr(fields, "dmarc=") == NULL);
  CHECK_STATUS(hallmark_arc_seal(NULL, sealer, signed_eml, signed_length, NULL, &fields),
               HALLMARK_ERR_INVALID_ARGUMENT);
  CHECK_STATUS(hallmark_arc_seal(ctx, sealer, "Subject: x\r\n\r\n", 14, NULL, &fields),
               HALLMARK_ERR_SYNTAX);
  hallmark_result_free(verdict);
  hallmark_signer_free(sealer);
  hallmark_ctx_free(ctx);
  hallmark_options_free(options);
}

/* The per-message bounds: each reported by the verdict when it bites, none zero. */
static void limits(void) {
  hallmark_options* options = demo_options();
  hallmark_ctx* ctx;
  hallmark_result* result;
  REQUIRE_OK(hallmark_options_set_limit(options, HALLMARK_LIMIT_HEADER_FIELDS, 3));
  ctx = new_ctx(options);
  result = verify_bytes(ctx, signed_eml, signed_length);
  /* A header section past its bounds is broken, never unsigned. */
  CHECK_STRING(first_dkim(result), "permerror");
  CHECK(hallmark_result_disposition(result) == HALLMARK_DISPOSITION_REJECT);
  CHECK_MENTIONS(hallmark_result_json(result), "\"header_section\"");
  hallmark_result_free(result);
  hallmark_ctx_free(ctx);

  REQUIRE_OK(hallmark_options_set_limit(options, HALLMARK_LIMIT_HEADER_FIELDS, 10000));
  REQUIRE_OK(hallmark_options_set_limit(options, HALLMARK_LIMIT_DKIM_SIGNATURES, 1));
  REQUIRE_OK(hallmark_options_set_limit(options, HALLMARK_LIMIT_ARC_SETS, 50));
  REQUIRE_OK(hallmark_options_set_limit(options, HALLMARK_LIMIT_HEADER_BYTES, 65536));
  ctx = new_ctx(options);
  result = verify_bytes(ctx, signed_eml, signed_length);
  CHECK_STRING(first_dkim(result), "pass");
  hallmark_result_free(result);
  hallmark_ctx_free(ctx);

  CHECK_STATUS(hallmark_options_set_limit(options, HALLMARK_LIMIT_ARC_SETS, 0),
               HALLMARK_ERR_INVALID_ARGUMENT);
  CHECK_MENTIONS(hallmark_options_error(options), "at least 1");
  CHECK_STATUS(hallmark_options_set_limit(options, (hallmark_limit)99, 5),
               HALLMARK_ERR_INVALID_ARGUMENT);
  CHECK_STATUS(hallmark_options_set_limit(NULL, HALLMARK_LIMIT_ARC_SETS, 5),
               HALLMARK_ERR_INVALID_ARGUMENT);
  hallmark_options_free(options);
}

/* An SMTP RSET: the message is abandoned, and says so to every later call. */
static void cancelling(hallmark_ctx* ctx) {
  hallmark_message* message = signed_envelope(ctx);
  hallmark_result* result = NULL;
  REQUIRE_OK(hallmark_message_feed(message, signed_eml, 100));
  hallmark_message_cancel(message);
  hallmark_message_cancel(message); /* twice is harmless */
  CHECK_STATUS(hallmark_message_feed(message, signed_eml + 100, 10), HALLMARK_ERR_STATE);
  CHECK_MENTIONS(hallmark_message_error(message), "cancelled");
  CHECK_STATUS(hallmark_message_finish(message, &result), HALLMARK_ERR_STATE);
  CHECK(result == NULL);
  CHECK_STATUS(hallmark_message_set_helo(message, "x.example"), HALLMARK_ERR_STATE);
  hallmark_message_free(message);
  hallmark_message_cancel(NULL);
}

int main(int argc, char** argv) {
  hallmark_options* options;
  hallmark_ctx* ctx;
  fixture_start(argc, argv);
  options = demo_options();
  ctx = new_ctx(options);
  spf_alone(ctx);
  keys();
  dkim_signing(ctx);
  arc_sealing();
  limits();
  cancelling(ctx);
  hallmark_ctx_free(ctx);
  hallmark_options_free(options);
  return fixture_end("signing_test");
}
