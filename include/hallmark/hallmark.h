/* SPDX-License-Identifier: Apache-2.0 */
/*
 * hallmark's C API: SPF, DKIM, ARC and DMARC verification of inbound mail, for MTAs, milters
 * and filters written in C and for other languages (bindings/python uses it through ctypes).
 *
 * Link with -lhallmark-c (pkg-config module hallmark-c). Only hallmark_* symbols are exported,
 * under the symbol version HALLMARK_C_1; the soname changes only when this ABI breaks.
 *
 * Handles are opaque and each has a free function:
 *   hallmark_options  the settings of an authenticator; one thread at a time.
 *   hallmark_ctx      an authenticator: resolver, caches, score table, allow lists. Shared:
 *                     any thread may use one ctx at the same time.
 *   hallmark_message  one message on its way through the SMTP transaction; one thread at a
 *                     time (it may move between threads between calls).
 *   hallmark_result   the verdict on one message; read-only, so any thread may read it.
 *
 * Errors: every fallible call returns a hallmark_status, HALLMARK_OK (0) on success. The text
 * of the last error is kept by the handle the call was made on (hallmark_options_error(),
 * hallmark_message_error()); calls on a shared ctx write it to a buffer the caller gives.
 * There is no global error state. Strings returned by a handle belong to it and stay valid
 * until the handle is freed, unless the function says otherwise. No call keeps a pointer the
 * caller passed in.
 *
 * Strings passed in are NUL-terminated unless a length is given; byte ranges given with a
 * length may hold any bytes, NUL included.
 */
#ifndef HALLMARK_H
#define HALLMARK_H

#include <stddef.h>

#include "hallmark/version.h"

#if defined(_WIN32)
#define HALLMARK_C_API
#else
#define HALLMARK_C_API __attribute__((visibility("default")))
#endif

#ifdef __cplusplus
extern "C" {
#endif

/* ---- version --------------------------------------------------------------------------- */

/* The library's version as a string ("0.1.0"), and as a number
 * (MAJOR * 10000 + MINOR * 100 + PATCH) to compare with HALLMARK_VERSION_NUMBER, the version
 * of the header a program was compiled against. */
#define HALLMARK_VERSION_NUMBER \
  (HALLMARK_VERSION_MAJOR * 10000 + HALLMARK_VERSION_MINOR * 100 + HALLMARK_VERSION_PATCH)
HALLMARK_C_API const char* hallmark_version(void);
HALLMARK_C_API unsigned long hallmark_version_number(void);

/* ---- status codes ---------------------------------------------------------------------- */

typedef enum hallmark_status {
  HALLMARK_OK = 0,
  HALLMARK_ERR_INVALID_ARGUMENT = 1, /* a NULL or out-of-range argument, a bad value */
  HALLMARK_ERR_NO_MEMORY = 2,
  HALLMARK_ERR_STATE = 3,  /* a call out of order: bytes after the end of the message, ... */
  HALLMARK_ERR_SYNTAX = 4, /* malformed input: a header field, a zone file line, a list */
  HALLMARK_ERR_LIMIT = 5,  /* input past a bound: the header section's size or field count */
  HALLMARK_ERR_IO = 6,     /* a file that cannot be read; a resolver that cannot start */
  HALLMARK_ERR_INTERNAL = 7
} hallmark_status;

/* A short description of a status ("invalid argument"); never NULL, static storage. */
HALLMARK_C_API const char* hallmark_strerror(hallmark_status status);

/* ---- options --------------------------------------------------------------------------- */

typedef struct hallmark_options hallmark_options;

/* Defaults: the system's resolver configuration through c-ares, a deadline of 5000 ms, the
 * host's name as authserv-id, the built-in score table, no allow lists. NULL when out of
 * memory. */
HALLMARK_C_API hallmark_options* hallmark_options_new(void);
HALLMARK_C_API void hallmark_options_free(hallmark_options* options);
/* The text of the last error of a call on `options`, or of hallmark_ctx_new() with it; ""
 * when there was none. Valid until the next call on `options`. */
HALLMARK_C_API const char* hallmark_options_error(const hallmark_options* options);

/* The authserv-id of the Authentication-Results field (RFC 8601 2.5); "" means the host's
 * name, the default. */
HALLMARK_C_API hallmark_status hallmark_options_set_authserv_id(hallmark_options* options,
                                                                const char* authserv_id);
/* Time from the start of a message until its pending lookups count as DNS timeouts (the
 * protocols waiting for them give temperror). At least 1. */
HALLMARK_C_API hallmark_status hallmark_options_set_deadline_ms(hallmark_options* options,
                                                                unsigned long milliseconds);
/* DNS lookups per message, across every protocol (default 250). At least 1. */
HALLMARK_C_API hallmark_status hallmark_options_set_max_dns_queries(hallmark_options* options,
                                                                    unsigned long queries);
/* The other per-message bounds, past which work stops and the verdict says so (a header
 * section past its bounds counts as broken: DKIM permerror, ARC fail, DMARC reject). Each at
 * least 1. */
typedef enum hallmark_limit {
  HALLMARK_LIMIT_DKIM_SIGNATURES = 1, /* signatures verified (default 10) */
  HALLMARK_LIMIT_ARC_SETS = 2,        /* ARC sets validated (default 50, RFC 8617's most) */
  HALLMARK_LIMIT_HEADER_BYTES = 3,    /* bytes of the header section (default 2 MiB) */
  HALLMARK_LIMIT_HEADER_FIELDS = 4    /* header fields (default 10000) */
} hallmark_limit;
HALLMARK_C_API hallmark_status hallmark_options_set_limit(hallmark_options* options,
                                                          hallmark_limit limit,
                                                          unsigned long value);
/* Also check the HELO identity (default on), and forward-confirmed reverse DNS, iprev
 * (default off). Nonzero turns a check on. */
HALLMARK_C_API hallmark_status hallmark_options_set_check_helo(hallmark_options* options, int on);
HALLMARK_C_API hallmark_status hallmark_options_set_iprev(hallmark_options* options, int on);

/* DNS: answers from zone files only, fully offline (tests, demos). Repeatable; once any zone
 * file is given, no query leaves the process. The file is read by hallmark_ctx_new(). */
HALLMARK_C_API hallmark_status hallmark_options_add_zone_file(hallmark_options* options,
                                                              const char* path);
/* DNS: a server to ask instead of the system's configuration, "192.0.2.53",
 * "192.0.2.53:5353" or "[2001:db8::53]:5353". Repeatable. */
HALLMARK_C_API hallmark_status hallmark_options_add_dns_server(hallmark_options* options,
                                                               const char* server);
/* DNS: time to wait for one try at one server (default 2000 ms), and tries per server
 * (default 2). */
HALLMARK_C_API hallmark_status hallmark_options_set_dns_timeout_ms(hallmark_options* options,
                                                                   unsigned long milliseconds);
HALLMARK_C_API hallmark_status hallmark_options_set_dns_tries(hallmark_options* options,
                                                              unsigned tries);

/* DNS driven by the host's event loop (poll, epoll, libevent, ...) instead of a thread of
 * hallmark's own: the ctx then gives the sockets to watch (hallmark_ctx_watches()) and the
 * time to wait (hallmark_ctx_timeout_ms()), and the host calls hallmark_ctx_process() when
 * either comes. The ctx and all its messages are then used from that one thread. */
HALLMARK_C_API hallmark_status hallmark_options_set_event_loop(hallmark_options* options, int on);

/* DNS done by the host: `start` is called for every lookup hallmark needs (the name, an
 * A-label domain, and the record type as its number: 1 A, 12 PTR, 15 MX, 16 TXT, 28 AAAA),
 * and the host completes each lookup exactly once, later or from inside `start`, with
 * hallmark_ctx_dns_answer() or hallmark_ctx_dns_failure(). `name` is valid during the call
 * only. As with the event loop, the ctx and its messages are then used from one thread, and
 * only the asynchronous calls finish messages. `start` must not free a message or the ctx
 * (it runs inside a message's call). NULL `start` returns to hallmark's own DNS. */
typedef struct hallmark_ctx hallmark_ctx;
typedef void (*hallmark_dns_start_fn)(void* user, hallmark_ctx* ctx, unsigned long long lookup,
                                      const char* name, unsigned type);
HALLMARK_C_API hallmark_status hallmark_options_set_dns_callback(hallmark_options* options,
                                                                 hallmark_dns_start_fn start,
                                                                 void* user);

/* Files read by hallmark_ctx_new() and again by hallmark_ctx_reload(): the score table
 * ("TAG = score" per line), and the allow lists (one domain per line, '#' comments): domains
 * whose DMARC result weighs heavily, the same for SPF and DKIM domains, and the ARC sealers
 * whose passing chain overrides a DMARC failure. NULL or "" removes the file. */
HALLMARK_C_API hallmark_status hallmark_options_set_score_file(hallmark_options* options,
                                                               const char* path);
HALLMARK_C_API hallmark_status hallmark_options_set_allow_dmarc_file(hallmark_options* options,
                                                                     const char* path);
HALLMARK_C_API hallmark_status hallmark_options_set_allow_spf_dkim_file(hallmark_options* options,
                                                                        const char* path);
HALLMARK_C_API hallmark_status hallmark_options_set_trusted_arc_file(hallmark_options* options,
                                                                     const char* path);

/* ---- the authenticator ----------------------------------------------------------------- */

/* An authenticator with `options` (copied: they may be freed or changed afterwards). On
 * failure *ctx is NULL and hallmark_options_error(options) says why: a zone file or a list
 * that does not load (file and line named), a DNS server that is not an address. */
HALLMARK_C_API hallmark_status hallmark_ctx_new(hallmark_options* options, hallmark_ctx** ctx);
/* Every message of the ctx must have been freed before. NULL is allowed. */
HALLMARK_C_API void hallmark_ctx_free(hallmark_ctx* ctx);
/* Reads the score table and allow-list files again, while messages are verified: messages
 * started afterwards use them, messages under way keep what they started with. On failure
 * nothing changes, and the reason is written to `error` (NUL-terminated, cut to
 * `error_size`; `error` may be NULL). */
HALLMARK_C_API hallmark_status hallmark_ctx_reload(hallmark_ctx* ctx, char* error,
                                                   size_t error_size);

/* The event loop (hallmark_options_set_event_loop(), or a DNS callback for the deadlines):
 * the sockets to watch now, each with the events wanted; at most `capacity` are written to
 * `watches`, and the number there are is returned (call again with more room when it is
 * larger). */
#define HALLMARK_WATCH_READ 1
#define HALLMARK_WATCH_WRITE 2
typedef struct hallmark_watch {
  int fd;
  int events; /* HALLMARK_WATCH_READ | HALLMARK_WATCH_WRITE */
} hallmark_watch;
HALLMARK_C_API size_t hallmark_ctx_watches(hallmark_ctx* ctx, hallmark_watch* watches,
                                           size_t capacity);
/* How long the host may wait before calling hallmark_ctx_process() even without a socket
 * event: a DNS retry or a message's deadline; -1 when nothing waits. */
HALLMARK_C_API long hallmark_ctx_timeout_ms(hallmark_ctx* ctx);
/* Handles the sockets that became readable or writable (either list may be empty), retries
 * and deadlines that came due, and delivers the verdicts that are ready (their callbacks run
 * from here). */
HALLMARK_C_API hallmark_status hallmark_ctx_process(hallmark_ctx* ctx, const int* readable,
                                                    size_t readable_count, const int* writable,
                                                    size_t writable_count);

/* Host DNS (hallmark_options_set_dns_callback()): the answer to `lookup`, the whole DNS
 * response message as it came from the wire; or its failure. Verdicts that become ready are
 * delivered from here. HALLMARK_ERR_INVALID_ARGUMENT for a lookup that is not pending
 * (already completed, or never started). */
typedef enum hallmark_dns_failure {
  HALLMARK_DNS_TIMEOUT = 1,  /* no answer in time: temperror */
  HALLMARK_DNS_SERVFAIL = 2, /* the server failed: temperror */
  HALLMARK_DNS_ERROR = 3     /* anything else that gave no usable answer */
} hallmark_dns_failure;
HALLMARK_C_API hallmark_status hallmark_ctx_dns_answer(hallmark_ctx* ctx, unsigned long long lookup,
                                                       const void* response, size_t length);
HALLMARK_C_API hallmark_status hallmark_ctx_dns_failure(hallmark_ctx* ctx,
                                                        unsigned long long lookup,
                                                        hallmark_dns_failure failure);

/* ---- a message ------------------------------------------------------------------------- */

typedef struct hallmark_message hallmark_message;
typedef struct hallmark_result hallmark_result;

/* A new message: calls then follow the SMTP transaction. The envelope setters start each
 * check as soon as its inputs are known (SPF at MAIL FROM). The message itself comes either
 * as raw bytes with hallmark_message_feed(), header section then body, cut anywhere; or as
 * header fields one by one (hallmark_message_add_header(), as a milter gets them), then
 * hallmark_message_end_of_headers(), then the body with hallmark_message_feed(). */
HALLMARK_C_API hallmark_status hallmark_message_new(hallmark_ctx* ctx, hallmark_message** message);
/* Abandons whatever is pending at once, without waiting. NULL is allowed. */
HALLMARK_C_API void hallmark_message_free(hallmark_message* message);
/* The text of the last error of a call on `message`; "" when there was none. */
HALLMARK_C_API const char* hallmark_message_error(const hallmark_message* message);

/* The client's address ("192.0.2.1", "2001:db8::1") and the name the host resolved it to
 * (NULL or "" when none). */
HALLMARK_C_API hallmark_status hallmark_message_set_client(hallmark_message* message,
                                                           const char* ip, const char* name);
HALLMARK_C_API hallmark_status hallmark_message_set_helo(hallmark_message* message,
                                                         const char* helo);
/* The MAIL FROM address without <>; "" for the null reverse path. */
HALLMARK_C_API hallmark_status hallmark_message_set_mail_from(hallmark_message* message,
                                                              const char* address);
HALLMARK_C_API hallmark_status hallmark_message_add_recipient(hallmark_message* message,
                                                              const char* address);
/* One header field: its name and its value (which may be folded with "\n\t" or "\r\n\t"). */
HALLMARK_C_API hallmark_status hallmark_message_add_header(hallmark_message* message,
                                                           const char* name, size_t name_length,
                                                           const char* value, size_t value_length);
HALLMARK_C_API hallmark_status hallmark_message_end_of_headers(hallmark_message* message);
/* Message bytes: the whole message, or the body after hallmark_message_end_of_headers(). */
HALLMARK_C_API hallmark_status hallmark_message_feed(hallmark_message* message, const void* bytes,
                                                     size_t length);
/* Ends the message and waits for its verdict, no longer than the deadline. *result belongs
 * to the caller (hallmark_result_free()); the message accepts no further call but free.
 * HALLMARK_ERR_STATE with a DNS callback, whose answers only the host can bring. */
HALLMARK_C_API hallmark_status hallmark_message_finish(hallmark_message* message,
                                                       hallmark_result** result);

/* Ends the message without waiting: `done` is called once with the verdict (the callee owns
 * it: hallmark_result_free(); NULL only when memory ran out), at the end of the call that
 * brought its last answer: hallmark_ctx_process(), hallmark_ctx_dns_answer(),
 * hallmark_ctx_dns_failure(), a blocking call that drove the event loop (hallmark_verify(),
 * hallmark_message_finish() of another message, hallmark_spf_check(), hallmark_arc_seal()),
 * or this one when every answer was at hand (always so with zone files).
 * `done` may free the message, the ctx (after its last message) and call any function. Freeing a
 * message whose verdict is pending abandons it: `done` is not called. Needs the event loop, a DNS
 * callback or zone files (HALLMARK_ERR_STATE with hallmark's DNS thread, whose answers arrive on a
 * thread the host does not know). */
typedef void (*hallmark_done_fn)(void* user, hallmark_message* message, hallmark_result* result);
HALLMARK_C_API hallmark_status hallmark_message_finish_async(hallmark_message* message,
                                                             hallmark_done_fn done, void* user);

/* Abandons the message (an SMTP RSET, a client gone) at once: pending lookups are dropped, no
 * verdict comes (the callback of hallmark_message_finish_async() is not called), and every
 * later call on it but hallmark_message_free() gives HALLMARK_ERR_STATE. NULL is allowed. */
HALLMARK_C_API void hallmark_message_cancel(hallmark_message* message);

/* A whole message in memory, verified and waited for in one call, as a hallmark_message with
 * the same calls would be. `ip`, `helo` and `mail_from` may be NULL when unknown (no client
 * address: no SPF check; NULL `mail_from` is unknown, "" the null reverse path). */
HALLMARK_C_API hallmark_status hallmark_verify(hallmark_ctx* ctx, const void* message,
                                               size_t length, const char* ip, const char* helo,
                                               const char* mail_from, hallmark_result** result);

/* ---- the verdict ----------------------------------------------------------------------- */

typedef enum hallmark_disposition {
  HALLMARK_DISPOSITION_NONE = 0,
  HALLMARK_DISPOSITION_QUARANTINE = 1,
  HALLMARK_DISPOSITION_REJECT = 2
} hallmark_disposition;

HALLMARK_C_API void hallmark_result_free(hallmark_result* result);

/* The Authentication-Results field, name included, folded with CRLF, without a final line
 * break: ready to prepend to the message. */
HALLMARK_C_API const char* hallmark_result_auth_results(const hallmark_result* result);
/* Every result as one JSON object, the one `hallmark verify --json` prints; made on the first
 * call (NULL only when memory ran out). */
HALLMARK_C_API const char* hallmark_result_json(const hallmark_result* result);

/* DMARC's disposition after local policy, and why local policy changed it ("" when it did
 * not; "trusted_forwarder" or "local_policy" as aggregate reports name it). */
HALLMARK_C_API hallmark_disposition hallmark_result_disposition(const hallmark_result* result);
HALLMARK_C_API const char* hallmark_result_override_reason(const hallmark_result* result);
/* Nonzero when a protocol met a temporary DNS failure: the host may prefer to answer 4xx. */
HALLMARK_C_API int hallmark_result_temporary_failure(const hallmark_result* result);

/* The tags that fired (DKIM_ALLOW, DMARC_POLICY_REJECT, ...), each with its score, and
 * their sum. Out of range: NULL and 0. */
HALLMARK_C_API double hallmark_result_score(const hallmark_result* result);
HALLMARK_C_API size_t hallmark_result_tag_count(const hallmark_result* result);
HALLMARK_C_API const char* hallmark_result_tag_name(const hallmark_result* result, size_t index);
HALLMARK_C_API double hallmark_result_tag_score(const hallmark_result* result, size_t index);

/* Each protocol's result by its RFC 8601 name (pass, fail, softfail, neutral, none,
 * temperror, permerror, policy), and what it was about. An absent check reads "none" and
 * "". */
HALLMARK_C_API const char* hallmark_result_spf(const hallmark_result* result); /* MAIL FROM */
HALLMARK_C_API const char* hallmark_result_spf_domain(const hallmark_result* result);
HALLMARK_C_API const char* hallmark_result_spf_helo(const hallmark_result* result);
/* One per DKIM-Signature field, in header order. Out of range: NULL. */
HALLMARK_C_API size_t hallmark_result_dkim_count(const hallmark_result* result);
HALLMARK_C_API const char* hallmark_result_dkim(const hallmark_result* result, size_t index);
HALLMARK_C_API const char* hallmark_result_dkim_domain(const hallmark_result* result, size_t index);
HALLMARK_C_API const char* hallmark_result_dkim_selector(const hallmark_result* result,
                                                         size_t index);
HALLMARK_C_API const char* hallmark_result_arc(const hallmark_result* result);
HALLMARK_C_API const char* hallmark_result_dmarc(const hallmark_result* result);
/* The author domain (RFC5322.From), and the policy that applied: "none", "quarantine" or
 * "reject" ("" when no record applied). */
HALLMARK_C_API const char* hallmark_result_dmarc_domain(const hallmark_result* result);
HALLMARK_C_API const char* hallmark_result_dmarc_policy(const hallmark_result* result);
/* iprev (RFC 8601 3), when hallmark_options_set_iprev() asked for it; "none" otherwise. */
HALLMARK_C_API const char* hallmark_result_iprev(const hallmark_result* result);

/* The Received-SPF field of the MAIL FROM check (RFC 7208 9.1; name included, no final line
 * break), "" when there was none. */
HALLMARK_C_API const char* hallmark_result_received_spf(const hallmark_result* result);

/* ---- SPF alone ------------------------------------------------------------------------- */

/* The SPF checks of an SMTP transaction before its message (a policy service at RCPT time):
 * MAIL FROM (postmaster@HELO for "", the null reverse path) and, unless the options turned it
 * off, HELO. The result's SPF accessors, Received-SPF and Authentication-Results (SPF alone)
 * are set; the other protocols read "none". Waits up to the deadline; HALLMARK_ERR_STATE
 * with a DNS callback. */
HALLMARK_C_API hallmark_status hallmark_spf_check(hallmark_ctx* ctx, const char* ip,
                                                  const char* helo, const char* mail_from,
                                                  hallmark_result** result);

/* ---- keys, DKIM signing, ARC sealing --------------------------------------------------- */

typedef struct hallmark_key hallmark_key;

/* A new signing key: type "rsa" (`bits` 1024 to 8192, 0 for 2048) or "ed25519" (`bits`
 * ignored). */
HALLMARK_C_API hallmark_status hallmark_key_generate(const char* type, unsigned bits,
                                                     hallmark_key** key);
/* A key from PEM text (PKCS#8 or PKCS#1 RSA; an Ed25519 key as PKCS#8 or its base64 seed). */
HALLMARK_C_API hallmark_status hallmark_key_load(const char* pem, size_t length,
                                                 hallmark_key** key);
HALLMARK_C_API void hallmark_key_free(hallmark_key* key);
/* The private key as PKCS#8 PEM, and the record to publish at
 * <selector>._domainkey.<domain> ("v=DKIM1; k=rsa; p=..."). */
HALLMARK_C_API const char* hallmark_key_pem(const hallmark_key* key);
HALLMARK_C_API const char* hallmark_key_dns_record(const hallmark_key* key);

typedef struct hallmark_signer hallmark_signer;

/* Signs as `domain` (d=) with `selector` (s=) and a copy of `key`: rsa-sha256 or
 * ed25519-sha256 by the key's type, relaxed/relaxed, the header fields RFC 6376 5.4.1
 * recommends. One thread at a time. */
HALLMARK_C_API hallmark_status hallmark_signer_new(const hallmark_key* key, const char* domain,
                                                   const char* selector, hallmark_signer** signer);
HALLMARK_C_API void hallmark_signer_free(hallmark_signer* signer);
/* The text of the last error of a call with `signer`; "" when there was none. */
HALLMARK_C_API const char* hallmark_signer_error(const hallmark_signer* signer);

/* The DKIM-Signature field for `message` (folded, ending in CRLF): put it at the top of the
 * message. *field is valid until the next call with `signer`. */
HALLMARK_C_API hallmark_status hallmark_dkim_sign(hallmark_signer* signer, const void* message,
                                                  size_t length, const char** field);

/* An ARC set for a message this host forwards (RFC 8617 5.1): the incoming chain is validated
 * through `ctx`'s DNS, the ARC-Authentication-Results carry `verdict`'s results (NULL: none
 * but the chain's), and the set is signed with the signer's key, domain and selector under
 * the ctx's authserv-id; the key must be RSA (RFC 8617 names rsa-sha256 alone), or the call
 * gives HALLMARK_ERR_INVALID_ARGUMENT. *fields holds ARC-Seal, ARC-Message-Signature and
 * ARC-Authentication-Results (folded, each ending in CRLF) to put at the top of the message,
 * or "" when nothing may be sealed (the chain had already failed, or has 50 sets); valid
 * until the next call with `signer`. Waits up to the deadline; HALLMARK_ERR_STATE with a DNS
 * callback. */
HALLMARK_C_API hallmark_status hallmark_arc_seal(hallmark_ctx* ctx, hallmark_signer* signer,
                                                 const void* message, size_t length,
                                                 const hallmark_result* verdict,
                                                 const char** fields);

#ifdef __cplusplus
}
#endif

#endif /* HALLMARK_H */
