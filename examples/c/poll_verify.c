/* SPDX-License-Identifier: Apache-2.0 */
/*
 * poll_verify: the C API's asynchronous calls in a poll() loop. Every message of an envelopes
 * file is verified at the same time, on one thread, the way an MTA written around an event
 * loop would do it: one hallmark_message per SMTP transaction, hallmark_message_finish_async()
 * at the end of DATA, and the ctx's DNS sockets and timeout watched beside the MTA's own.
 *
 *   poll_verify [--zone FILE] [--server ADDR:PORT] ENVELOPES
 *
 * ENVELOPES has one message a line, "MESSAGE IP HELO MAIL_FROM RCPT" (examples/demo/envelopes;
 * MESSAGE relative to the envelopes file, MAIL_FROM "<>" for the null reverse path, "#"
 * lines are comments). With --zone, DNS answers come from the zone file only; with --server,
 * from that server; otherwise from the system's resolvers. For each message, in the file's
 * order, it prints the disposition, the score and the Authentication-Results field. Exit
 * status 0 when every message got a verdict, 1 otherwise, 2 for bad arguments.
 */
#define _POSIX_C_SOURCE 200809L /* poll() under -std=c99 */
#include <errno.h>
#include <hallmark/hallmark.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* One line of the envelopes file and what became of it. */
typedef struct entry {
  char* file;      /* as the envelopes file names it */
  char* path;      /* the file to read: relative to the envelopes file's directory */
  char* ip;        /* the SMTP client */
  char* helo;      /* HELO/EHLO argument */
  char* mail_from; /* without <>; "" for the null reverse path */
  char* rcpt;
  hallmark_message* message; /* from its start until its verdict is delivered */
  hallmark_result* result;   /* the verdict, once its callback ran; ours to free */
  char error[256];           /* why there is no verdict, when there is none */
  size_t* pending;           /* the batch's count of verdicts still to come */
} entry;

static char* copy_string(const char* text, size_t length) {
  char* copy = malloc(length + 1);
  if (copy == NULL) return NULL;
  memcpy(copy, text, length);
  copy[length] = '\0';
  return copy;
}

static void free_entry(entry* e) {
  free(e->file);
  free(e->path);
  free(e->ip);
  free(e->helo);
  free(e->mail_from);
  free(e->rcpt);
  hallmark_result_free(e->result);
}

static const char* disposition_name(hallmark_disposition disposition) {
  switch (disposition) {
    case HALLMARK_DISPOSITION_QUARANTINE: return "quarantine";
    case HALLMARK_DISPOSITION_REJECT: return "reject";
    default: return "none";
  }
}

/* Reads the envelopes file into a growing array of entries; 0 on a bad line or no memory. */
static int read_envelopes(const char* envelopes, entry** entries, size_t* count) {
  char line[4096];
  size_t capacity = 0;
  unsigned long line_number = 0;
  int ok = 1;
  /* Message paths are relative to the envelopes file's directory. */
  const char* slash = strrchr(envelopes, '/');
  size_t dir_length = slash == NULL ? 0 : (size_t)(slash - envelopes) + 1;
  FILE* in = fopen(envelopes, "r");
  if (in == NULL) {
    perror(envelopes);
    return 0;
  }
  while (ok && fgets(line, sizeof line, in) != NULL) {
    char* field[5];
    size_t n = 0, prefix;
    entry* e;
    char* token = strtok(line, " \t\r\n");
    ++line_number;
    if (token == NULL || token[0] == '#') continue;
    for (; token != NULL && n < 5; token = strtok(NULL, " \t\r\n")) field[n++] = token;
    if (n != 5 || token != NULL) {
      fprintf(stderr, "%s:%lu: want MESSAGE IP HELO MAIL_FROM RCPT\n", envelopes, line_number);
      ok = 0;
      break;
    }
    if (*count == capacity) {
      entry* grown = realloc(*entries, (capacity * 2 + 8) * sizeof **entries);
      if (grown == NULL) {
        fprintf(stderr, "poll_verify: out of memory\n");
        ok = 0;
        break;
      }
      *entries = grown;
      capacity = capacity * 2 + 8;
    }
    e = &(*entries)[(*count)++];
    memset(e, 0, sizeof *e);
    e->file = copy_string(field[0], strlen(field[0]));
    prefix = field[0][0] == '/' ? 0 : dir_length; /* an absolute path stays as it is */
    if ((e->path = malloc(prefix + strlen(field[0]) + 1)) != NULL) {
      memcpy(e->path, envelopes, prefix);
      strcpy(e->path + prefix, field[0]);
    }
    e->ip = copy_string(field[1], strlen(field[1]));
    e->helo = copy_string(field[2], strlen(field[2]));
    e->mail_from =
        strcmp(field[3], "<>") == 0 ? copy_string("", 0) : copy_string(field[3], strlen(field[3]));
    e->rcpt = copy_string(field[4], strlen(field[4]));
    ok = e->file && e->path && e->ip && e->helo && e->mail_from && e->rcpt;
    if (!ok) fprintf(stderr, "poll_verify: out of memory\n");
  }
  fclose(in);
  return ok;
}

/* Streams the file in chunks, as an MTA hands DATA over while it arrives: the DKIM, ARC and
 * DMARC lookups start as soon as the header section is complete, while the body still comes.
 * 0 on failure, with the reason in e->error. */
static int feed_file(hallmark_message* message, entry* e) {
  char chunk[4096];
  size_t n;
  FILE* in = fopen(e->path, "rb");
  if (in == NULL) {
    snprintf(e->error, sizeof e->error, "%s: %s", e->path, strerror(errno));
    return 0;
  }
  while ((n = fread(chunk, 1, sizeof chunk, in)) > 0) {
    if (hallmark_message_feed(message, chunk, n) != HALLMARK_OK) {
      snprintf(e->error, sizeof e->error, "%s", hallmark_message_error(message));
      fclose(in);
      return 0;
    }
  }
  fclose(in);
  return 1;
}

/* The verdict's callback. It runs from hallmark_ctx_process() (or from
 * hallmark_message_finish_async() itself when every answer was at hand, as with zone files),
 * never from inside a library frame that still uses the message: so it may free the message
 * here. The result is ours; it is kept to be printed in the envelopes' order at the end. */
static void on_verdict(void* user, hallmark_message* message, hallmark_result* result) {
  entry* e = user;
  e->result = result;
  if (result == NULL) snprintf(e->error, sizeof e->error, "out of memory");
  hallmark_message_free(message);
  e->message = NULL;
  --*e->pending;
}

/* Starts one message: the envelope (SPF starts at MAIL FROM, before any byte of the message),
 * the message bytes, then the end of DATA without waiting. On success the verdict is pending
 * (or already delivered) and the message belongs to on_verdict(). */
static void start_message(hallmark_ctx* ctx, entry* e) {
  hallmark_message* message;
  if (hallmark_message_new(ctx, &message) != HALLMARK_OK) {
    snprintf(e->error, sizeof e->error, "no memory for a message");
    return;
  }
  if (hallmark_message_set_client(message, e->ip, NULL) != HALLMARK_OK ||
      hallmark_message_set_helo(message, e->helo) != HALLMARK_OK ||
      hallmark_message_set_mail_from(message, e->mail_from) != HALLMARK_OK ||
      hallmark_message_add_recipient(message, e->rcpt) != HALLMARK_OK) {
    snprintf(e->error, sizeof e->error, "%s", hallmark_message_error(message));
    hallmark_message_free(message);
    return;
  }
  if (!feed_file(message, e)) {
    hallmark_message_free(message);
    return;
  }
  /* Counted before the call: with every answer at hand the callback runs before it
   * returns, and counts the verdict as delivered. */
  ++*e->pending;
  e->message = message;
  if (hallmark_message_finish_async(message, on_verdict, e) != HALLMARK_OK) {
    --*e->pending;
    snprintf(e->error, sizeof e->error, "%s", hallmark_message_error(message));
    hallmark_message_free(message);
    e->message = NULL;
  }
}

/* The event loop: until every verdict is in, wait for what the ctx asks to wait for, then let
 * it process what happened. An MTA's own loop does the same with its own sockets in the same
 * poll set (or epoll, libevent, ...). 0 when the loop had to give up. */
static int run_loop(hallmark_ctx* ctx, const size_t* pending) {
  hallmark_watch* watches = NULL;
  struct pollfd* fds = NULL;
  int* readable = NULL;
  int* writable = NULL;
  size_t capacity = 0;
  int ok = 1;

  while (*pending > 0) {
    size_t i, count, readable_count = 0, writable_count = 0;
    long timeout;
    int wait_ms, ready;

    /* The sockets c-ares has open change from one round to the next (a query moves to TCP, a
     * server is retried): ask each time. The count may exceed the room given; then grow the
     * arrays and ask again. */
    count = hallmark_ctx_watches(ctx, watches, capacity);
    if (count > capacity) {
      void* grown[4];
      grown[0] = realloc(watches, count * sizeof *watches);
      if (grown[0] != NULL) watches = grown[0];
      grown[1] = realloc(fds, count * sizeof *fds);
      if (grown[1] != NULL) fds = grown[1];
      grown[2] = realloc(readable, count * sizeof *readable);
      if (grown[2] != NULL) readable = grown[2];
      grown[3] = realloc(writable, count * sizeof *writable);
      if (grown[3] != NULL) writable = grown[3];
      if (!grown[0] || !grown[1] || !grown[2] || !grown[3]) {
        fprintf(stderr, "poll_verify: out of memory\n");
        ok = 0;
        break;
      }
      capacity = count;
      continue;
    }

    /* How long poll() may sleep: until the next DNS retry or the earliest message deadline,
     * which the ctx keeps (pending lookups then count as timeouts and the verdict comes with
     * temperror). -1: nothing is due, wait for sockets alone. */
    timeout = hallmark_ctx_timeout_ms(ctx);
    if (count == 0 && timeout < 0) {
      /* Nothing to watch and nothing due, yet verdicts are missing: nothing could ever
       * deliver them. The ctx keeps a deadline for every pending message, so this is a bug. */
      fprintf(stderr, "poll_verify: %lu verdicts pending with nothing to wait for\n",
              (unsigned long)*pending);
      ok = 0;
      break;
    }
    wait_ms = timeout < 0 ? -1 : timeout > INT_MAX ? INT_MAX : (int)timeout;

    for (i = 0; i < count; ++i) {
      fds[i].fd = watches[i].fd;
      fds[i].events = (short)(((watches[i].events & HALLMARK_WATCH_READ) ? POLLIN : 0) |
                              ((watches[i].events & HALLMARK_WATCH_WRITE) ? POLLOUT : 0));
      fds[i].revents = 0;
    }
    ready = poll(fds, (nfds_t)count, wait_ms);
    if (ready < 0) {
      if (errno == EINTR) continue; /* a signal: ask again, the timeout has moved */
      perror("poll_verify: poll");
      ok = 0;
      break;
    }

    /* Errors and hang-ups count as readiness: c-ares then reads or writes the socket, sees
     * the error and fails over to the next server or try. */
    for (i = 0; i < count && ready > 0; ++i) {
      if ((fds[i].events & POLLIN) && (fds[i].revents & (POLLIN | POLLERR | POLLHUP)))
        readable[readable_count++] = fds[i].fd;
      if ((fds[i].events & POLLOUT) && (fds[i].revents & (POLLOUT | POLLERR | POLLHUP)))
        writable[writable_count++] = fds[i].fd;
    }
    /* Called after a timeout too (both lists empty): that is when retries are sent and
     * overdue messages expire. Verdicts that are ready are handed to on_verdict() from here,
     * which lowers *pending. */
    if (hallmark_ctx_process(ctx, readable, readable_count, writable, writable_count) !=
        HALLMARK_OK) {
      fprintf(stderr, "poll_verify: hallmark_ctx_process failed\n");
      ok = 0;
      break;
    }
  }
  free(watches);
  free(fds);
  free(readable);
  free(writable);
  return ok;
}

int main(int argc, char** argv) {
  const char* zone = NULL;
  const char* server = NULL;
  const char* envelopes = NULL;
  hallmark_options* options = NULL;
  hallmark_ctx* ctx = NULL;
  entry* entries = NULL;
  size_t count = 0, pending = 0, i;
  int i_arg, status = 1;

  for (i_arg = 1; i_arg < argc; ++i_arg) {
    if (strcmp(argv[i_arg], "--zone") == 0 && i_arg + 1 < argc) {
      zone = argv[++i_arg];
    } else if (strcmp(argv[i_arg], "--server") == 0 && i_arg + 1 < argc) {
      server = argv[++i_arg];
    } else if (argv[i_arg][0] != '-' && envelopes == NULL) {
      envelopes = argv[i_arg];
    } else {
      envelopes = NULL;
      break;
    }
  }
  if (envelopes == NULL) {
    fprintf(stderr, "usage: poll_verify [--zone FILE] [--server ADDR:PORT] ENVELOPES\n");
    return 2;
  }
  if (!read_envelopes(envelopes, &entries, &count)) goto done;

  options = hallmark_options_new();
  if (options == NULL) goto done;
  /* DNS through our loop instead of a thread of hallmark's own: the ctx hands out its
   * sockets and timeout, and every call on it and its messages comes from this thread. An MTA
   * also sets its name as authserv-id (hallmark_options_set_authserv_id()). */
  if (hallmark_options_set_event_loop(options, 1) != HALLMARK_OK ||
      (server != NULL && hallmark_options_add_dns_server(options, server) != HALLMARK_OK) ||
      /* Zone files take over all DNS: answers are then at hand at once and each verdict
       * arrives inside hallmark_message_finish_async(). The loop below is the same code. */
      (zone != NULL && hallmark_options_add_zone_file(options, zone) != HALLMARK_OK)) {
    fprintf(stderr, "poll_verify: %s\n", hallmark_options_error(options));
    goto done;
  }
  if (hallmark_ctx_new(options, &ctx) != HALLMARK_OK) {
    fprintf(stderr, "poll_verify: %s\n", hallmark_options_error(options));
    goto done;
  }

  /* Every message is started before the loop runs, so their lookups are all in flight at
   * once. An MTA interleaves instead: it feeds each connection's bytes as its socket becomes
   * readable, in the same loop iterations as hallmark_ctx_process(). */
  for (i = 0; i < count; ++i) {
    entries[i].pending = &pending;
    start_message(ctx, &entries[i]);
  }
  if (!run_loop(ctx, &pending)) goto done;

  status = 0;
  for (i = 0; i < count; ++i) {
    const entry* e = &entries[i];
    if (e->result == NULL) {
      printf("%s: no verdict: %s\n\n", e->file, e->error);
      status = 1;
      continue;
    }
    printf("%s: disposition %s, score %.2f\n%s\n\n", e->file,
           disposition_name(hallmark_result_disposition(e->result)),
           hallmark_result_score(e->result), hallmark_result_auth_results(e->result));
  }
done:
  /* A message whose verdict is still pending (the loop gave up) is abandoned by freeing it:
   * its lookups are dropped and its callback never runs. The ctx goes after its messages. */
  for (i = 0; i < count; ++i) hallmark_message_free(entries[i].message);
  hallmark_ctx_free(ctx);
  hallmark_options_free(options);
  for (i = 0; i < count; ++i) free_entry(&entries[i]);
  free(entries);
  return status;
}
