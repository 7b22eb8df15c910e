/* SPDX-License-Identifier: Apache-2.0 */
/* Interoperability oracle: signs or verifies a message read from standard input with
 * libopendkim, OpenDKIM's own library, taking keys from a file instead of DNS.
 *
 * opendkim-testmsg (opendkim-tools) cannot serve for this alone: it signs only rsa-sha1 with
 * c=relaxed/simple, and verifies only against live DNS. This program drives the same library
 * calls with the algorithm, canonicalization and l= chosen by the test, and the library's
 * documented test hook for keys (DKIM_QUERY_FILE).
 *
 *   opendkim_oracle sign KEYFILE DOMAIN SELECTOR ALGORITHM HEADER/BODY LENGTH OVERSIGN
 *     ALGORITHM rsa-sha256 | rsa-sha1 | ed25519-sha256; LENGTH and OVERSIGN 0 or 1
 *     (OVERSIGN: sign one more From than present). Prints the DKIM-Signature field.
 *   opendkim_oracle verify KEYS_FILE
 *     KEYS_FILE lines: "<selector>._domainkey.<domain> <key record>". Prints one line per
 *     signature in header order: "pass" or "fail <reason>", plus " testkey" for t=y keys.
 *
 * Exit status 0 when the library ran (whatever the verdicts), 1 on usage or library errors. */
#include <dkim.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static unsigned char *read_all(FILE *in, size_t *size) {
  size_t capacity = 65536, used = 0;
  unsigned char *data = malloc(capacity + 1);
  size_t n;
  while (data != NULL && (n = fread(data + used, 1, capacity - used, in)) > 0) {
    used += n;
    if (used == capacity) {
      capacity *= 2;
      data = realloc(data, capacity + 1);
    }
  }
  if (data != NULL) data[used] = '\0';
  *size = used;
  return data;
}

static int fail(const char *what, DKIM_STAT status) {
  fprintf(stderr, "opendkim_oracle: %s: %s\n", what, dkim_getresultstr(status));
  return 1;
}

static int parse_canon(const char *text, dkim_canon_t *header, dkim_canon_t *body) {
  const char *slash = strchr(text, '/');
  if (slash == NULL) return 0;
  *header = strncmp(text, "relaxed", (size_t)(slash - text)) == 0 ? DKIM_CANON_RELAXED : DKIM_CANON_SIMPLE;
  *body = strcmp(slash + 1, "relaxed") == 0 ? DKIM_CANON_RELAXED : DKIM_CANON_SIMPLE;
  return 1;
}

static int sign(DKIM_LIB *lib, char **argv) {
  size_t key_size = 0, message_size = 0;
  FILE *key_file = fopen(argv[0], "rb");
  if (key_file == NULL) {
    perror(argv[0]);
    return 1;
  }
  unsigned char *key = read_all(key_file, &key_size);
  fclose(key_file);
  dkim_alg_t algorithm = DKIM_SIGN_RSASHA256;
  if (strcmp(argv[3], "rsa-sha1") == 0) algorithm = DKIM_SIGN_RSASHA1;
  if (strcmp(argv[3], "ed25519-sha256") == 0) algorithm = DKIM_SIGN_ED25519SHA256;
  dkim_canon_t header_canon, body_canon;
  if (!parse_canon(argv[4], &header_canon, &body_canon)) return 1;
  /* Bare LF input is fixed to CRLF, as an MTA hands it over. */
  unsigned int flags = DKIM_LIBFLAGS_FIXCRLF;
  if (strcmp(argv[5], "1") == 0) flags |= DKIM_LIBFLAGS_SIGNLEN;
  dkim_options(lib, DKIM_OP_SETOPT, DKIM_OPTS_FLAGS, &flags, sizeof flags);
  if (strcmp(argv[6], "1") == 0) {
    static const char *oversign[] = {"from", NULL};
    dkim_options(lib, DKIM_OP_SETOPT, DKIM_OPTS_OVERSIGNHDRS, oversign, sizeof oversign);
  }
  DKIM_STAT status;
  DKIM *dkim = dkim_sign(lib, (const unsigned char *)"oracle", NULL, key, (const unsigned char *)argv[2],
                         (const unsigned char *)argv[1], header_canon, body_canon, algorithm, -1, &status);
  if (dkim == NULL) return fail("dkim_sign", status);
  unsigned char *message = read_all(stdin, &message_size);
  if ((status = dkim_chunk(dkim, message, message_size)) != DKIM_STAT_OK) return fail("dkim_chunk", status);
  if ((status = dkim_chunk(dkim, NULL, 0)) != DKIM_STAT_OK) return fail("dkim_chunk", status);
  if ((status = dkim_eom(dkim, NULL)) != DKIM_STAT_OK) return fail("dkim_eom", status);
  unsigned char *field = NULL;
  size_t field_size = 0;
  status = dkim_getsighdr_d(dkim, strlen(DKIM_SIGNHEADER ": "), &field, &field_size);
  if (status != DKIM_STAT_OK) return fail("dkim_getsighdr_d", status);
  printf("%s: %s\r\n", DKIM_SIGNHEADER, field);
  dkim_free(dkim);
  free(message);
  free(key);
  return 0;
}

static int verify(DKIM_LIB *lib, char **argv) {
  int method = DKIM_QUERY_FILE;
  unsigned int flags = DKIM_LIBFLAGS_FIXCRLF;
  dkim_options(lib, DKIM_OP_SETOPT, DKIM_OPTS_FLAGS, &flags, sizeof flags);
  dkim_options(lib, DKIM_OP_SETOPT, DKIM_OPTS_QUERYMETHOD, &method, sizeof method);
  dkim_options(lib, DKIM_OP_SETOPT, DKIM_OPTS_QUERYINFO, argv[0], strlen(argv[0]));
  DKIM_STAT status;
  DKIM *dkim = dkim_verify(lib, (const unsigned char *)"oracle", NULL, &status);
  if (dkim == NULL) return fail("dkim_verify", status);
  size_t message_size = 0;
  unsigned char *message = read_all(stdin, &message_size);
  status = dkim_chunk(dkim, message, message_size);
  if (status == DKIM_STAT_OK) status = dkim_chunk(dkim, NULL, 0);
  _Bool testkey = 0;
  /* The overall status describes the first signature only; every signature is listed below. */
  if (status == DKIM_STAT_OK) status = dkim_eom(dkim, &testkey);
  if (status == DKIM_STAT_NOSIG) return 0;
  DKIM_SIGINFO **signatures = NULL;
  int count = 0;
  if (dkim_getsiglist(dkim, &signatures, &count) != DKIM_STAT_OK) return fail("dkim_getsiglist", status);
  for (int i = 0; i < count; ++i) {
    unsigned int sig_flags = dkim_sig_getflags(signatures[i]);
    if (DKIM_SIG_CHECK(signatures[i])) {
      printf("pass");
    } else if (dkim_sig_getbh(signatures[i]) == DKIM_SIGBH_MISMATCH) {
      printf("fail body hash mismatch");
    } else {
      printf("fail %s", dkim_sig_geterrorstr(dkim_sig_geterror(signatures[i])));
    }
    printf("%s\n", (sig_flags & DKIM_SIGFLAG_TESTKEY) ? " testkey" : "");
  }
  dkim_free(dkim);
  free(message);
  return 0;
}

int main(int argc, char **argv) {
  DKIM_LIB *lib = dkim_init(NULL, NULL);
  if (lib == NULL) return 1;
  int status = 1;
  if (argc == 9 && strcmp(argv[1], "sign") == 0) {
    status = sign(lib, argv + 2);
  } else if (argc == 3 && strcmp(argv[1], "verify") == 0) {
    status = verify(lib, argv + 2);
  } else {
    fprintf(stderr, "usage: %s sign KEYFILE DOMAIN SELECTOR ALGORITHM HEADER/BODY LENGTH OVERSIGN\n"
                    "       %s verify KEYS_FILE\n", argv[0], argv[0]);
  }
  dkim_close(lib);
  return status;
}
