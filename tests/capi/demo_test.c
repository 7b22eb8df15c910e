/* SPDX-License-Identifier: Apache-2.0 */
/* The offline demo (examples/demo) through the C API: every message of the envelopes file
 * verified three ways, which must agree to the byte: hallmark_verify() with the whole file,
 * the fields one by one as a milter gets them then the body in 7-byte chunks, and the raw
 * file in 7-byte chunks. The verdicts are the ones `hallmark verify` prints for the demo. */
#include <hallmark/hallmark.h>

#include <ctype.h>

#include "check.h"

#define DEMO(file) HALLMARK_CAPI_DEMO_DIR "/" file

typedef struct expected_dkim {
  const char *result, *domain, *selector;
} expected_dkim;

typedef struct expected_tag {
  const char* name;
  double score;
} expected_tag;

typedef struct expected {
  const char* file;
  const char *spf, *spf_domain, *spf_helo;
  size_t dkim_count;
  expected_dkim dkim[1];
  const char *arc, *dmarc, *dmarc_domain, *dmarc_policy;
  hallmark_disposition disposition;
  const char* override_reason;
  size_t tag_count;
  expected_tag tags[6];
  double score;
  /* Unfolded, as `hallmark verify --json` gives it in "authentication_results". */
  const char* auth_results;
} expected;

/* clang-format off */
static const expected demo[] = {
  {"signed.eml", "pass", "example.com", "none", 1, {{"pass", "example.com", "demo"}},
   "none", "pass", "example.com", "reject", HALLMARK_DISPOSITION_NONE, "",
   5, {{"SPF_ALLOW", -0.2}, {"DKIM_ALLOW", -0.2}, {"ARC_NA", 0}, {"DMARC_POLICY_ALLOW", -0.5},
       {"ALLOWLIST_DMARC", -7}}, -7.9,
   "Authentication-Results: mx.example.org; spf=pass smtp.mailfrom=alice@example.com; "
   "spf=none smtp.helo=mail.example.com; dkim=pass header.d=example.com header.i=@example.com "
   "header.s=demo header.a=rsa-sha256 header.b=PySbLRyWb48u; arc=none; dmarc=pass (p=reject "
   "dis=none) header.from=example.com policy.dmarc=none"},
  /* DKIM and DMARC fail, the trusted ARC sealer's pass overrides the reject. */
  {"forwarded.eml", "pass", "lists.example.net", "pass", 1, {{"fail", "example.com", "demo"}},
   "pass", "fail", "example.com", "reject", HALLMARK_DISPOSITION_NONE, "trusted_forwarder",
   5, {{"SPF_ALLOW", -0.2}, {"DKIM_REJECT", 1}, {"ARC_ALLOW", -1}, {"ARC_TRUSTED", -0.5},
       {"DMARC_POLICY_SOFTFAIL", 0.1}}, -0.6,
   "Authentication-Results: mx.example.org; spf=pass smtp.mailfrom=team-bounces@lists.example.net; "
   "spf=pass smtp.helo=lists.example.net; dkim=fail (body hash does not match bh= \\(RFC 6376 "
   "6.1.3\\)) header.d=example.com header.i=@example.com header.s=demo header.a=rsa-sha256 "
   "header.b=W4lBOnDambpm; arc=pass (i=1 sealed by lists.example.net); dmarc=fail (local "
   "policy: arc override, trusted sealer lists.example.net) (p=reject dis=none) "
   "header.from=example.com policy.dmarc=none"},
  {"spoof.eml", "fail", "example.com", "none", 0, {{NULL, NULL, NULL}},
   "none", "fail", "example.com", "reject", HALLMARK_DISPOSITION_REJECT, "",
   5, {{"SPF_FAIL", 1}, {"DKIM_NA", 0}, {"ARC_NA", 0}, {"DMARC_POLICY_REJECT", 2},
       {"BLOCKLIST_DMARC", 6}}, 9,
   "Authentication-Results: mx.example.org; spf=fail smtp.mailfrom=ceo@example.com; spf=none "
   "smtp.helo=bogus.example; dkim=none; arc=none; dmarc=fail (p=reject dis=reject) "
   "header.from=example.com policy.dmarc=reject"},
  /* p=reject with t=y: DMARC applies quarantine instead. */
  {"testing.eml", "softfail", "newsletter.example", "none", 0, {{NULL, NULL, NULL}},
   "none", "fail", "newsletter.example", "reject", HALLMARK_DISPOSITION_QUARANTINE, "",
   4, {{"SPF_SOFTFAIL", 0}, {"DKIM_NA", 0}, {"ARC_NA", 0}, {"DMARC_POLICY_QUARANTINE", 1.5}},
   1.5,
   "Authentication-Results: mx.example.org; spf=softfail smtp.mailfrom=news@newsletter.example; "
   "spf=none smtp.helo=out.mailblast.example; dkim=none; arc=none; dmarc=fail (p=reject "
   "dis=quarantine) header.from=newsletter.example policy.dmarc=quarantine"},
  {"toomanylookups.eml", "permerror", "bigcorp.example", "none", 1,
   {{"pass", "bigcorp.example", "mail"}},
   "none", "pass", "bigcorp.example", "reject", HALLMARK_DISPOSITION_NONE, "",
   4, {{"SPF_PERMFAIL", 0}, {"DKIM_ALLOW", -0.2}, {"ARC_NA", 0}, {"DMARC_POLICY_ALLOW", -0.5}},
   -0.7,
   "Authentication-Results: mx.example.org; spf=permerror smtp.mailfrom=billing@bigcorp.example; "
   "spf=none smtp.helo=mail.bigcorp.example; dkim=pass header.d=bigcorp.example "
   "header.i=@bigcorp.example header.s=mail header.a=rsa-sha256 header.b=\"irOScCy1MDN/\"; "
   "arc=none; dmarc=pass (p=reject dis=none) header.from=bigcorp.example policy.dmarc=none"},
  {"revoked.eml", "fail", "oldshop.example", "none", 1, {{"permerror", "oldshop.example", "2019"}},
   "none", "fail", "oldshop.example", "quarantine", HALLMARK_DISPOSITION_QUARANTINE, "",
   4, {{"SPF_FAIL", 1}, {"DKIM_PERMFAIL", 0}, {"ARC_NA", 0}, {"DMARC_POLICY_QUARANTINE", 1.5}},
   2.5,
   "Authentication-Results: mx.example.org; spf=fail smtp.mailfrom=orders@oldshop.example; "
   "spf=none smtp.helo=legacy.oldshop.example; dkim=permerror (key at "
   "2019._domainkey.oldshop.example is revoked \\(empty p=\\)) header.d=oldshop.example "
   "header.i=@oldshop.example header.s=2019 header.a=rsa-sha256 header.b=gC+V1O9p8guC; "
   "arc=none; dmarc=fail (p=quarantine dis=quarantine) header.from=oldshop.example "
   "policy.dmarc=quarantine"},
  /* Allow-listed for DMARC, SPF and DKIM, and failing all three: blocklist tags. */
  {"allowlisted.eml", "fail", "bank.example", "none", 1, {{"fail", "bank.example", "statements"}},
   "none", "fail", "bank.example", "reject", HALLMARK_DISPOSITION_REJECT, "",
   6, {{"SPF_FAIL", 1}, {"DKIM_REJECT", 1}, {"ARC_NA", 0}, {"DMARC_POLICY_REJECT", 2},
       {"BLOCKLIST_DMARC", 6}, {"BLOCKLIST_SPF_DKIM", 3}}, 13,
   "Authentication-Results: mx.example.org; spf=fail smtp.mailfrom=statements@bank.example; "
   "spf=none smtp.helo=mail.bank-secure.example; dkim=fail (body hash does not match bh= "
   "\\(RFC 6376 6.1.3\\)) header.d=bank.example header.i=@bank.example header.s=statements "
   "header.a=rsa-sha256 header.b=\"W+E8/57zhDUd\"; arc=none; dmarc=fail (p=reject dis=reject) "
   "header.from=bank.example policy.dmarc=reject"},
};
/* clang-format on */
enum { demo_count = sizeof demo / sizeof *demo };

/* One line of examples/demo/envelopes. */
typedef struct envelope {
  char file[256], ip[64], helo[256], mail_from[256], rcpt[256];
} envelope;

/* |a - b| without libm: the test links libhallmark-c alone. */
static double distance(double a, double b) { return a > b ? a - b : b - a; }

static const expected* find_expected(const char* file) {
  size_t i;
  for (i = 0; i < demo_count; ++i)
    if (strcmp(demo[i].file, file) == 0) return &demo[i];
  return NULL;
}

/* Runs of white space, line breaks included, as one space: the field unfolded. */
static void unfold(const char* folded, char* out, size_t size) {
  size_t n = 0;
  for (; *folded && n + 1 < size; ++folded) {
    if (isspace((unsigned char)*folded)) {
      if (n == 0 || out[n - 1] != ' ') out[n++] = ' ';
    } else {
      out[n++] = *folded;
    }
  }
  out[n] = '\0';
}

static void check_folding(const char* field) {
  const char* at;
  size_t length = strlen(field);
  /* RFC 5322 2.2.3: every line break is CRLF followed by white space; none at the end. */
  for (at = strchr(field, '\n'); at; at = strchr(at + 1, '\n'))
    CHECK(at > field && at[-1] == '\r' && (at[1] == ' ' || at[1] == '\t'));
  CHECK(strchr(field, '\r') == NULL || strstr(field, "\r\n") != NULL);
  CHECK(length > 0 && field[length - 1] != '\n' && field[length - 1] != '\r');
}

static void check_expected(const hallmark_result* result, const expected* e) {
  char unfolded[4096], want[4096];
  size_t i;
  printf("%s\n", e->file); /* heads the failures that follow, if any */
  fflush(stdout);
  check_folding(hallmark_result_auth_results(result));
  unfold(hallmark_result_auth_results(result), unfolded, sizeof unfolded);
  unfold(e->auth_results, want, sizeof want);
  CHECK_STRING(unfolded, want);
  CHECK_STRING(hallmark_result_spf(result), e->spf);
  CHECK_STRING(hallmark_result_spf_domain(result), e->spf_domain);
  CHECK_STRING(hallmark_result_spf_helo(result), e->spf_helo);
  if (CHECK(hallmark_result_dkim_count(result) == e->dkim_count)) {
    for (i = 0; i < e->dkim_count; ++i) {
      CHECK_STRING(hallmark_result_dkim(result, i), e->dkim[i].result);
      CHECK_STRING(hallmark_result_dkim_domain(result, i), e->dkim[i].domain);
      CHECK_STRING(hallmark_result_dkim_selector(result, i), e->dkim[i].selector);
    }
  }
  CHECK_STRING(hallmark_result_arc(result), e->arc);
  CHECK_STRING(hallmark_result_dmarc(result), e->dmarc);
  CHECK_STRING(hallmark_result_dmarc_domain(result), e->dmarc_domain);
  CHECK_STRING(hallmark_result_dmarc_policy(result), e->dmarc_policy);
  CHECK(hallmark_result_disposition(result) == e->disposition);
  CHECK_STRING(hallmark_result_override_reason(result), e->override_reason);
  CHECK(hallmark_result_temporary_failure(result) == 0);
  CHECK_STRING(hallmark_result_iprev(result), "none");
  if (CHECK(hallmark_result_tag_count(result) == e->tag_count)) {
    for (i = 0; i < e->tag_count; ++i) {
      CHECK_STRING(hallmark_result_tag_name(result, i), e->tags[i].name);
      CHECK(distance(hallmark_result_tag_score(result, i), e->tags[i].score) < 1e-9);
    }
  }
  CHECK(distance(hallmark_result_score(result), e->score) < 1e-9);
  CHECK(hallmark_result_json(result)[0] == '{');
}

static hallmark_message* with_envelope(hallmark_ctx* ctx, const envelope* env) {
  hallmark_message* message = NULL;
  REQUIRE_OK(hallmark_message_new(ctx, &message));
  REQUIRE_OK(hallmark_message_set_client(message, env->ip, NULL));
  REQUIRE_OK(hallmark_message_set_helo(message, env->helo));
  REQUIRE_OK(hallmark_message_set_mail_from(message, env->mail_from));
  REQUIRE_OK(hallmark_message_add_recipient(message, env->rcpt));
  return message;
}

static void feed_in_chunks(hallmark_message* message, const char* bytes, size_t length) {
  size_t at, chunk = 7; /* small and odd, to cut CRLFs and folds apart */
  for (at = 0; at < length; at += chunk)
    REQUIRE_OK(
        hallmark_message_feed(message, bytes + at, length - at < chunk ? length - at : chunk));
}

static hallmark_result* finish(hallmark_message* message) {
  hallmark_result* result = NULL;
  if (hallmark_message_finish(message, &result) != HALLMARK_OK)
    fprintf(stderr, "finish: %s\n", hallmark_message_error(message));
  REQUIRE(result != NULL);
  hallmark_message_free(message);
  return result;
}

/* As a milter sees it: header fields one by one, then the body. */
static hallmark_result* by_fields(hallmark_ctx* ctx, const envelope* env, const char* bytes,
                                  size_t length) {
  hallmark_message* message = with_envelope(ctx, env);
  const char* at = bytes;
  field f;
  while (next_field(&at, bytes + length, &f))
    REQUIRE_OK(
        hallmark_message_add_header(message, f.name, f.name_length, f.value, f.value_length));
  REQUIRE_OK(hallmark_message_end_of_headers(message));
  feed_in_chunks(message, at, (size_t)(bytes + length - at));
  return finish(message);
}

static int same_verdict(const hallmark_result* a, const hallmark_result* b) {
  return strcmp(hallmark_result_auth_results(a), hallmark_result_auth_results(b)) == 0 &&
         strcmp(hallmark_result_json(a), hallmark_result_json(b)) == 0;
}

static void verify_demo_message(hallmark_ctx* ctx, const envelope* env) {
  char path[512];
  size_t length, cut;
  char* bytes;
  const expected* e = find_expected(env->file);
  hallmark_result *whole = NULL, *fields, *raw;
  hallmark_message* message;

  if (!CHECK(e != NULL)) {
    fprintf(stderr, "  %s: a message of the envelopes file without expectations here\n", env->file);
    return;
  }
  snprintf(path, sizeof path, "%s/%s", HALLMARK_CAPI_DEMO_DIR, env->file);
  bytes = read_whole_file(path, &length);
  REQUIRE_OK(hallmark_verify(ctx, bytes, length, env->ip, env->helo, env->mail_from, &whole));
  check_expected(whole, e);

  fields = by_fields(ctx, env, bytes, length);
  if (!CHECK(same_verdict(whole, fields)))
    fprintf(stderr, "  by fields:\n%s\n%s\n  whole:\n%s\n%s\n",
            hallmark_result_auth_results(fields), hallmark_result_json(fields),
            hallmark_result_auth_results(whole), hallmark_result_json(whole));
  message = with_envelope(ctx, env);
  feed_in_chunks(message, bytes, length);
  raw = finish(message);
  if (!CHECK(same_verdict(whole, raw)))
    fprintf(stderr, "  raw chunks:\n%s\n%s\n", hallmark_result_auth_results(raw),
            hallmark_result_json(raw));

  /* STYLE.md 6: the streaming parser, the message cut in two at every offset. */
  if (strcmp(env->file, "signed.eml") == 0) {
    for (cut = 0; cut <= length; ++cut) {
      hallmark_result* split;
      message = with_envelope(ctx, env);
      REQUIRE_OK(hallmark_message_feed(message, bytes, cut));
      REQUIRE_OK(hallmark_message_feed(message, bytes + cut, length - cut));
      split = finish(message);
      if (!CHECK(same_verdict(whole, split))) fprintf(stderr, "  cut at %zu\n", cut);
      hallmark_result_free(split);
    }
    printf("%s: the same verdict cut at each of %zu offsets\n", env->file, length + 1);
  }
  hallmark_result_free(raw);
  hallmark_result_free(fields);
  hallmark_result_free(whole);
  free(bytes);
}

/* The envelopes file: "#" lines and blank lines skipped, five columns a line. */
static size_t read_envelopes(envelope* out, size_t capacity) {
  size_t length, count = 0;
  char* text = read_whole_file(DEMO("envelopes"), &length);
  char* line;
  for (line = strtok(text, "\n"); line; line = strtok(NULL, "\n")) {
    char extra[2];
    envelope* env = &out[count];
    if (line[strspn(line, " \t\r")] == '\0' || line[0] == '#') continue;
    REQUIRE(count < capacity);
    REQUIRE(sscanf(line, "%255s %63s %255s %255s %255s %1s", env->file, env->ip, env->helo,
                   env->mail_from, env->rcpt, extra) == 5);
    if (strcmp(env->mail_from, "<>") == 0) env->mail_from[0] = '\0'; /* null reverse path */
    ++count;
  }
  free(text);
  return count;
}

int main(void) {
  static envelope envelopes[32];
  size_t count = read_envelopes(envelopes, 32), i;
  hallmark_options* options = hallmark_options_new();
  hallmark_ctx* ctx = NULL;

  REQUIRE(options != NULL);
  REQUIRE_OK(hallmark_options_add_zone_file(options, DEMO("demo.zone")));
  REQUIRE_OK(hallmark_options_set_authserv_id(options, "mx.example.org"));
  REQUIRE_OK(hallmark_options_set_allow_dmarc_file(options, DEMO("allow-dmarc")));
  REQUIRE_OK(hallmark_options_set_allow_spf_dkim_file(options, DEMO("allow-spf-dkim")));
  REQUIRE_OK(hallmark_options_set_trusted_arc_file(options, DEMO("trusted-arc")));
  if (hallmark_ctx_new(options, &ctx) != HALLMARK_OK)
    fprintf(stderr, "ctx: %s\n", hallmark_options_error(options));
  REQUIRE(ctx != NULL);
  hallmark_options_free(options);

  CHECK(count == demo_count); /* a story with no expectations here, or one gone */
  for (i = 0; i < count; ++i) verify_demo_message(ctx, &envelopes[i]);
  hallmark_ctx_free(ctx);
  return check_summary("demo_test");
}
