/* SPDX-License-Identifier: Apache-2.0 */
/* Assertions and file helpers of the C API tests: plain C99 and no test framework, so the
 * tests use hallmark.h exactly as a C program linking libhallmark-c would. */
#ifndef HALLMARK_TESTS_CAPI_CHECK_H
#define HALLMARK_TESTS_CAPI_CHECK_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <hallmark/hallmark.h>

/* CHECK records a failure and goes on, so one run lists every broken behaviour of the
 * library; REQUIRE stops at once, for a value the following calls cannot do without. */
static int check_failures = 0;

static inline int check_at(const char* file, int line, const char* expression, int holds,
                           int fatal) {
  if (holds) return 1;
  fprintf(stderr, "%s:%d: check failed: %s\n", file, line, expression);
  ++check_failures;
  if (fatal) exit(1);
  return 0;
}

/* Both give whether the expression held, for a message of one's own after a failure. */
#define CHECK(expression) check_at(__FILE__, __LINE__, #expression, (expression) != 0, 0)
#define REQUIRE(expression) check_at(__FILE__, __LINE__, #expression, (expression) != 0, 1)

/* A status compared with the one wanted; on a mismatch both are printed by name, which is
 * what the report to the library's author needs. */
static inline int check_status_at(const char* file, int line, const char* call, hallmark_status got,
                                  hallmark_status want, int fatal) {
  if (got == want) return 1;
  fprintf(stderr, "%s:%d: %s gave %d (%s), want %d (%s)\n", file, line, call, (int)got,
          hallmark_strerror(got), (int)want, hallmark_strerror(want));
  ++check_failures;
  if (fatal) exit(1);
  return 0;
}
#define CHECK_STATUS(call, want) check_status_at(__FILE__, __LINE__, #call, (call), (want), 0)
#define REQUIRE_OK(call) check_status_at(__FILE__, __LINE__, #call, (call), HALLMARK_OK, 1)

/* Two strings, either of which may be NULL (a NULL equals only NULL). */
static inline int check_string_at(const char* file, int line, const char* call, const char* got,
                                  const char* want) {
  if (got == want || (got && want && strcmp(got, want) == 0)) return 1;
  fprintf(stderr, "%s:%d: %s gave \"%s\", want \"%s\"\n", file, line, call, got ? got : "(null)",
          want ? want : "(null)");
  ++check_failures;
  return 0;
}
#define CHECK_STRING(call, want) check_string_at(__FILE__, __LINE__, #call, (call), (want))

/* A non-empty text holding `part` (an error message naming its input). */
static inline int check_mentions_at(const char* file, int line, const char* call, const char* text,
                                    const char* part) {
  if (text && *text && strstr(text, part)) return 1;
  fprintf(stderr, "%s:%d: %s gave \"%s\", which does not name \"%s\"\n", file, line, call,
          text ? text : "(null)", part);
  ++check_failures;
  return 0;
}
#define CHECK_MENTIONS(call, part) check_mentions_at(__FILE__, __LINE__, #call, (call), (part))

/* The whole file, NUL-terminated for convenience (the length excludes the NUL); exits when it
 * cannot be read, as every later check would be meaningless. */
static inline char* read_whole_file(const char* path, size_t* length) {
  FILE* file = fopen(path, "rb");
  char* bytes = NULL;
  size_t size = 0, capacity = 0, got;
  if (!file) {
    fprintf(stderr, "cannot open %s\n", path);
    exit(1);
  }
  do {
    if (capacity - size < 4096) {
      capacity = capacity * 2 + 4096;
      bytes = realloc(bytes, capacity + 1);
      REQUIRE(bytes != NULL);
    }
    got = fread(bytes + size, 1, capacity - size, file);
    size += got;
  } while (got > 0);
  REQUIRE(!ferror(file));
  fclose(file);
  bytes[size] = '\0';
  *length = size;
  return bytes;
}

static inline void write_whole_file(const char* path, const char* text) {
  FILE* file = fopen(path, "wb");
  REQUIRE(file != NULL);
  REQUIRE(fputs(text, file) >= 0);
  REQUIRE(fclose(file) == 0);
}

/* One header field as hallmark_message_add_header() takes it: the name before the first ':'
 * and everything after it up to the field's last line break, folds kept. */
typedef struct field {
  const char* name;
  size_t name_length;
  const char* value;
  size_t value_length;
} field;

/* The field starting at *at, with *at moved past it; 0 at the empty line that ends the
 * header section (*at is then the body's first byte) or at `end`. Lines end in LF or CRLF. */
static inline int next_field(const char** at, const char* end, field* out) {
  const char* line = *at;
  const char* colon;
  const char* stop;
  if (line >= end) return 0;
  if (*line == '\n' || (*line == '\r' && line + 1 < end && line[1] == '\n')) {
    *at = line + (*line == '\r' ? 2 : 1);
    return 0;
  }
  colon = memchr(line, ':', (size_t)(end - line));
  REQUIRE(colon != NULL);
  /* The field goes on while the next line starts with white space (RFC 5322 2.2.3). */
  stop = line;
  for (;;) {
    const char* newline = memchr(stop, '\n', (size_t)(end - stop));
    if (!newline) {
      stop = end;
      break;
    }
    stop = newline + 1;
    if (stop >= end || (*stop != ' ' && *stop != '\t')) break;
  }
  *at = stop;
  if (stop > line && stop[-1] == '\n') --stop;
  if (stop > line && stop[-1] == '\r') --stop;
  REQUIRE(colon < stop);
  out->name = line;
  out->name_length = (size_t)(colon - line);
  out->value = colon + 1;
  out->value_length = (size_t)(stop - colon - 1);
  return 1;
}

static inline int check_summary(const char* program) {
  if (check_failures == 0) {
    printf("%s: all checks passed\n", program);
    return 0;
  }
  fprintf(stderr, "%s: %d check(s) failed\n", program, check_failures);
  return 1;
}

#endif /* HALLMARK_TESTS_CAPI_CHECK_H */
