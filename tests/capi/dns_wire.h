/* SPDX-License-Identifier: Apache-2.0 */
/* The asynchronous C API tests' own DNS: a zone read from a master file, and the response
 * message a recursive resolver would send for a question to it, encoded for the wire. The
 * tests hand these responses to hallmark_ctx_dns_answer() and send them from a UDP server of
 * their own, so what hallmark decodes is what the test built, byte for byte. */
#ifndef HALLMARK_TESTS_CAPI_DNS_WIRE_H
#define HALLMARK_TESTS_CAPI_DNS_WIRE_H

#include <stddef.h>

/* RR type numbers (RFC 1035 3.2.2, RFC 3596 2.1). */
enum {
  dns_type_a = 1,
  dns_type_ns = 2,
  dns_type_cname = 5,
  dns_type_soa = 6,
  dns_type_ptr = 12,
  dns_type_mx = 15,
  dns_type_txt = 16,
  dns_type_aaaa = 28
};

/* Large enough for every response of the demo zone; UDP without EDNS allows 512 of it. */
enum { dns_max_message = 4096, dns_max_udp = 512 };

/* One resource record: its owner in lower case without the final dot ("" is the root), and
 * its RDATA in wire form, names in it uncompressed. */
typedef struct dns_record {
  char owner[256];
  unsigned type;
  unsigned long ttl;
  size_t rdlength;
  unsigned char rdata[1024];
} dns_record;

typedef struct dns_zone {
  dns_record* records;
  size_t count;
} dns_zone;

/* Reads a master file (RFC 1035 5.1: $ORIGIN, $TTL, "@", relative names, owners carried over
 * from the line before, parentheses, comments, quoted strings) with records of type A, AAAA,
 * NS, CNAME, PTR, MX, TXT and SOA. 0 on success; -1 with the file, line and reason written to
 * `error` otherwise. */
int dns_zone_load(dns_zone* zone, const char* path, char* error, size_t error_size);
void dns_zone_free(dns_zone* zone);

/* The response to `name`/`type` with header ID `id`, as a recursive resolver gives it: the
 * question echoed, QR, AA, RD and RA set; NOERROR with the RRset (owner: the name asked,
 * also when a wildcard answered, RFC 4592), CNAMEs followed (RFC 1034 4.3.2), NODATA or
 * NXDOMAIN with the enclosing zone's SOA in the authority section (RFC 2308 3), SERVFAIL for
 * a chain of more than 16 CNAMEs. With `compress`, an answer owned by the name asked points
 * at the question (RFC 1035 4.1.4), which keeps the demo's DKIM keys within 512 octets.
 * Returns the length written to `out`, 0 when `name` is not a valid name or `capacity` is too
 * small. */
size_t dns_respond(const dns_zone* zone, unsigned id, const char* name, unsigned type, int compress,
                   unsigned char* out, size_t capacity);

/* The question of a query message: its ID, the name (labels joined by dots) and the type.
 * 0 on success, -1 for anything else than a query with one uncompressed question. */
int dns_parse_query(const unsigned char* query, size_t length, unsigned* id, char* name,
                    size_t name_capacity, unsigned* type);

#endif /* HALLMARK_TESTS_CAPI_DNS_WIRE_H */
