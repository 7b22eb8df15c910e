/* SPDX-License-Identifier: Apache-2.0 */
/* dns_wire.h: a master-file reader small enough for demo.zone, lookups in the zone as a
 * recursive resolver reports them, and the response messages on the wire (RFC 1035 4.1). */
#define _POSIX_C_SOURCE 200809L /* inet_pton under -std=c99 */
#include "dns_wire.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- names ------------------------------------------------------------------------------ */

static void lower(char* name) {
  for (; *name; ++name)
    if (*name >= 'A' && *name <= 'Z') *name = (char)(*name - 'A' + 'a');
}

/* `name` (dots between labels, no final dot) in wire form; 0 when it is not a valid name. */
static size_t name_to_wire(const char* name, unsigned char* out, size_t capacity) {
  size_t length = 0;
  while (*name) {
    const char* dot = strchr(name, '.');
    size_t label = dot ? (size_t)(dot - name) : strlen(name);
    if (label == 0 || label > 63 || length + 1 + label + 1 > 255 || length + 1 + label >= capacity)
      return 0;
    out[length++] = (unsigned char)label;
    memcpy(out + length, name, label);
    length += label;
    name += label + (dot ? 1 : 0);
  }
  if (length >= capacity) return 0;
  out[length++] = 0;
  return length;
}

/* An uncompressed wire name (RDATA as this file stores it) as text. */
static void name_from_wire(const unsigned char* wire, char out[256]) {
  size_t length = 0;
  while (*wire) {
    if (length > 0) out[length++] = '.';
    memcpy(out + length, wire + 1, *wire);
    length += *wire;
    wire += 1 + *wire;
  }
  out[length] = '\0';
}

/* The name one label up; the root is its own parent. */
static const char* parent_of(const char* name) {
  const char* dot = strchr(name, '.');
  return dot ? dot + 1 : name + strlen(name);
}

/* ---- the master file -------------------------------------------------------------------- */

typedef struct token {
  char text[1024];
  size_t length;
  int quoted;
} token;

enum { max_tokens = 16 };

typedef struct parser {
  dns_zone* zone;
  size_t capacity;
  const char* path;
  int line;
  char origin[256];
  char last_owner[256];
  unsigned long ttl;
  char* error;
  size_t error_size;
} parser;

static int parse_failure(parser* p, const char* why, const char* what) {
  snprintf(p->error, p->error_size, "%s:%d: %s '%s'", p->path, p->line, why, what);
  return -1;
}

/* A name as written in the file, made absolute against $ORIGIN (RFC 1035 5.1). */
static int absolute(parser* p, const char* text, char out[256]) {
  size_t length = strlen(text);
  if (strcmp(text, "@") == 0) {
    strcpy(out, p->origin);
  } else if (length > 0 && text[length - 1] == '.') {
    if (length > 254) return parse_failure(p, "name too long", text);
    memcpy(out, text, length - 1);
    out[length - 1] = '\0';
  } else if (p->origin[0] == '\0') {
    if (length > 253) return parse_failure(p, "name too long", text);
    strcpy(out, text);
  } else {
    size_t origin = strlen(p->origin);
    if (length + 1 + origin > 253) return parse_failure(p, "name too long", text);
    memcpy(out, text, length);
    out[length] = '.';
    memcpy(out + length + 1, p->origin, origin + 1);
  }
  lower(out);
  return 0;
}

static int wire_name_at(parser* p, const char* text, unsigned char* out, size_t capacity,
                        size_t* length) {
  char name[256];
  size_t written;
  if (absolute(p, text, name) != 0) return -1;
  written = name_to_wire(name, out, capacity);
  if (written == 0) return parse_failure(p, "bad name", text);
  *length += written;
  return 0;
}

static int number(parser* p, const token* t, unsigned long* value) {
  char* end;
  if (t->quoted || t->length == 0 || t->text[0] < '0' || t->text[0] > '9')
    return parse_failure(p, "not a number", t->text);
  *value = strtoul(t->text, &end, 10);
  if (*end != '\0' || *value > 0xffffffffUL) return parse_failure(p, "not a number", t->text);
  return 0;
}

static void put32(unsigned char* out, unsigned long value) {
  out[0] = (unsigned char)(value >> 24);
  out[1] = (unsigned char)(value >> 16);
  out[2] = (unsigned char)(value >> 8);
  out[3] = (unsigned char)value;
}

/* The RDATA of one record from its tokens (RFC 1035 3.3, RFC 3596 2.2). */
static int rdata_of(parser* p, dns_record* r, const token* data, size_t count) {
  size_t i;
  unsigned long value;
  r->rdlength = 0;
  switch (r->type) {
    case dns_type_a:
    case dns_type_aaaa:
      if (count != 1 ||
          inet_pton(r->type == dns_type_a ? AF_INET : AF_INET6, data[0].text, r->rdata) != 1)
        return parse_failure(p, "bad address", count ? data[0].text : "");
      r->rdlength = r->type == dns_type_a ? 4 : 16;
      return 0;
    case dns_type_ns:
    case dns_type_cname:
    case dns_type_ptr:
      if (count != 1) return parse_failure(p, "one name wanted", count ? data[0].text : "");
      return wire_name_at(p, data[0].text, r->rdata, sizeof r->rdata, &r->rdlength);
    case dns_type_mx:
      if (count != 2 || number(p, &data[0], &value) != 0 || value > 0xffff)
        return parse_failure(p, "bad MX", count ? data[0].text : "");
      r->rdata[0] = (unsigned char)(value >> 8);
      r->rdata[1] = (unsigned char)value;
      r->rdlength = 2;
      return wire_name_at(p, data[1].text, r->rdata + 2, sizeof r->rdata - 2, &r->rdlength);
    case dns_type_txt:
      /* RFC 1035 3.3.14: character-strings of at most 255 octets; longer text is cut into
       * several, as signers' tools do with long DKIM keys. */
      for (i = 0; i < count; ++i) {
        size_t at = 0;
        do {
          size_t piece = data[i].length - at > 255 ? 255 : data[i].length - at;
          if (r->rdlength + 1 + piece > sizeof r->rdata)
            return parse_failure(p, "TXT too long", data[i].text);
          r->rdata[r->rdlength++] = (unsigned char)piece;
          memcpy(r->rdata + r->rdlength, data[i].text + at, piece);
          r->rdlength += piece;
          at += piece;
        } while (at < data[i].length);
      }
      return count > 0 ? 0 : parse_failure(p, "TXT without strings", "");
    case dns_type_soa:
      if (count != 7) return parse_failure(p, "SOA wants 7 fields", count ? data[0].text : "");
      if (wire_name_at(p, data[0].text, r->rdata, sizeof r->rdata, &r->rdlength) != 0 ||
          wire_name_at(p, data[1].text, r->rdata + r->rdlength, sizeof r->rdata - r->rdlength,
                       &r->rdlength) != 0)
        return -1;
      for (i = 2; i < 7; ++i) {
        if (number(p, &data[i], &value) != 0) return -1;
        put32(r->rdata + r->rdlength, value);
        r->rdlength += 4;
      }
      return 0;
  }
  return parse_failure(p, "unsupported type", "");
}

static unsigned type_number(const char* text) {
  static const struct {
    const char* name;
    unsigned number;
  } types[] = {{"A", dns_type_a},         {"AAAA", dns_type_aaaa}, {"NS", dns_type_ns},
               {"CNAME", dns_type_cname}, {"PTR", dns_type_ptr},   {"MX", dns_type_mx},
               {"TXT", dns_type_txt},     {"SOA", dns_type_soa}};
  size_t i;
  for (i = 0; i < sizeof types / sizeof *types; ++i)
    if (strcmp(types[i].name, text) == 0) return types[i].number;
  return 0;
}

/* One entry: a directive, or a record whose owner is the last one's when the entry starts
 * with white space. */
static int entry(parser* p, token* tokens, size_t count, int blank_owner) {
  dns_record* r;
  size_t at = 0;
  unsigned long ttl = p->ttl;
  char owner[256];
  if (strcmp(tokens[0].text, "$TTL") == 0) {
    if (count != 2) return parse_failure(p, "bad directive", tokens[0].text);
    return number(p, &tokens[1], &p->ttl);
  }
  if (strcmp(tokens[0].text, "$ORIGIN") == 0) {
    if (count != 2 || tokens[1].text[tokens[1].length - 1] != '.')
      return parse_failure(p, "bad directive", tokens[0].text);
    return absolute(p, tokens[1].text, p->origin);
  }
  if (tokens[0].text[0] == '$') return parse_failure(p, "unknown directive", tokens[0].text);
  if (blank_owner) {
    strcpy(owner, p->last_owner);
  } else {
    if (absolute(p, tokens[0].text, owner) != 0) return -1;
    strcpy(p->last_owner, owner);
    at = 1;
  }
  /* TTL and class, either order, both optional (RFC 1035 5.1). */
  for (; at < count; ++at) {
    if (strcmp(tokens[at].text, "IN") == 0) continue;
    if (tokens[at].text[0] >= '0' && tokens[at].text[0] <= '9') {
      if (number(p, &tokens[at], &ttl) != 0) return -1;
      continue;
    }
    break;
  }
  if (at == count) return parse_failure(p, "no type", tokens[0].text);
  if (p->zone->count == p->capacity) {
    dns_record* grown;
    p->capacity = p->capacity * 2 + 16;
    grown = realloc(p->zone->records, p->capacity * sizeof *grown);
    if (!grown) return parse_failure(p, "out of memory", "");
    p->zone->records = grown;
  }
  r = &p->zone->records[p->zone->count];
  strcpy(r->owner, owner);
  r->ttl = ttl;
  r->type = type_number(tokens[at].text);
  if (r->type == 0) return parse_failure(p, "unsupported type", tokens[at].text);
  if (rdata_of(p, r, tokens + at + 1, count - at - 1) != 0) return -1;
  ++p->zone->count;
  return 0;
}

/* A quoted string from *at (just past the opening quote) to the closing one, with \X and \DDD
 * escapes (RFC 1035 5.1). */
static int quoted(parser* p, const char* text, size_t length, size_t* at, token* t) {
  for (; *at < length && text[*at] != '"'; ++*at) {
    unsigned char c = (unsigned char)text[*at];
    if (c == '\\' && *at + 1 < length) {
      ++*at;
      c = (unsigned char)text[*at];
      if (c >= '0' && c <= '9' && *at + 2 < length) {
        c = (unsigned char)((c - '0') * 100 + (text[*at + 1] - '0') * 10 + (text[*at + 2] - '0'));
        *at += 2;
      }
    }
    if (c == '\n') ++p->line;
    if (t->length + 1 >= sizeof t->text) return parse_failure(p, "string too long", "");
    t->text[t->length++] = (char)c;
  }
  if (*at == length) return parse_failure(p, "unterminated string", "");
  ++*at; /* the closing quote */
  t->text[t->length] = '\0';
  return 0;
}

static int parse(parser* p, const char* text, size_t length) {
  static token tokens[max_tokens];
  size_t at = 0, count = 0;
  int depth = 0, line_start = 1, blank_owner = 0, entry_line = 1;
  p->line = 1;
  while (at <= length) {
    char c = at < length ? text[at] : '\n';
    if (c == ';') {
      while (at < length && text[at] != '\n') ++at;
      continue;
    }
    if (c == '\n') {
      ++at;
      if (depth == 0 && count > 0) {
        int line = p->line;
        p->line = entry_line;
        if (entry(p, tokens, count, blank_owner) != 0) return -1;
        p->line = line;
        count = 0;
      }
      ++p->line;
      if (depth == 0) line_start = 1;
      if (at > length) break;
      continue;
    }
    if (line_start && count == 0) {
      blank_owner = c == ' ' || c == '\t';
      entry_line = p->line;
    }
    line_start = 0;
    if (c == ' ' || c == '\t' || c == '\r') {
      ++at;
      continue;
    }
    if (c == '(' || c == ')') {
      depth += c == '(' ? 1 : -1;
      if (depth < 0) return parse_failure(p, "unbalanced", ")");
      ++at;
      continue;
    }
    if (count == max_tokens) return parse_failure(p, "too many fields", "");
    tokens[count].length = 0;
    tokens[count].quoted = c == '"';
    if (c == '"') {
      ++at;
      if (quoted(p, text, length, &at, &tokens[count]) != 0) return -1;
    } else {
      while (at < length && !strchr(" \t\r\n;()\"", text[at])) {
        if (tokens[count].length + 1 >= sizeof tokens[count].text)
          return parse_failure(p, "field too long", "");
        tokens[count].text[tokens[count].length++] = text[at++];
      }
      tokens[count].text[tokens[count].length] = '\0';
    }
    ++count;
  }
  return depth == 0 ? 0 : parse_failure(p, "unbalanced", "(");
}

int dns_zone_load(dns_zone* zone, const char* path, char* error, size_t error_size) {
  parser p;
  FILE* file = fopen(path, "rb");
  char* text = NULL;
  size_t length = 0, got;
  int status;
  zone->records = NULL;
  zone->count = 0;
  memset(&p, 0, sizeof p);
  p.zone = zone;
  p.path = path;
  p.ttl = 3600;
  p.error = error;
  p.error_size = error_size;
  if (!file) return parse_failure(&p, "cannot open", path);
  do {
    char* grown = realloc(text, length + 4096);
    if (!grown) {
      free(text);
      fclose(file);
      return parse_failure(&p, "out of memory", path);
    }
    text = grown;
    got = fread(text + length, 1, 4096, file);
    length += got;
  } while (got > 0);
  fclose(file);
  status = parse(&p, text, length);
  free(text);
  if (status != 0) dns_zone_free(zone);
  return status;
}

void dns_zone_free(dns_zone* zone) {
  free(zone->records);
  zone->records = NULL;
  zone->count = 0;
}

/* ---- lookups and responses -------------------------------------------------------------- */

/* A name exists when it owns records or is an ancestor of an owner (RFC 8020: an empty
 * non-terminal is NODATA, not NXDOMAIN). */
static int name_exists(const dns_zone* zone, const char* name) {
  size_t i, length = strlen(name);
  for (i = 0; i < zone->count; ++i) {
    const char* owner = zone->records[i].owner;
    size_t owner_length = strlen(owner);
    if (strcmp(owner, name) == 0 || length == 0) return 1;
    if (owner_length > length && owner[owner_length - length - 1] == '.' &&
        strcmp(owner + owner_length - length, name) == 0)
      return 1;
  }
  return 0;
}

static const dns_record* find(const dns_zone* zone, const char* owner, unsigned type,
                              const dns_record* after) {
  size_t i = after ? (size_t)(after - zone->records) + 1 : 0;
  for (; i < zone->count; ++i)
    if (zone->records[i].type == type && strcmp(zone->records[i].owner, owner) == 0)
      return &zone->records[i];
  return NULL;
}

/* RFC 4592 3.3.1: only "*." + the closest encloser answers for a name that does not exist. */
static int wildcard_for(const dns_zone* zone, const char* name, char out[256]) {
  const char* ancestor = name;
  while (*ancestor) {
    ancestor = parent_of(ancestor);
    if (!name_exists(zone, ancestor)) continue;
    if (strlen(ancestor) > 252) return 0;
    if (*ancestor)
      sprintf(out, "*.%s", ancestor);
    else
      strcpy(out, "*");
    return name_exists(zone, out);
  }
  return 0;
}

typedef struct writer {
  unsigned char* out;
  size_t capacity, length;
  int overflow;
} writer;

static void put_bytes(writer* w, const void* bytes, size_t length) {
  if (w->overflow || w->length + length > w->capacity) {
    w->overflow = 1;
    return;
  }
  memcpy(w->out + w->length, bytes, length);
  w->length += length;
}

static void put_16(writer* w, unsigned value) {
  unsigned char bytes[2];
  bytes[0] = (unsigned char)(value >> 8);
  bytes[1] = (unsigned char)value;
  put_bytes(w, bytes, 2);
}

/* One resource record; its owner as a pointer to the question's name when `at_question`. */
static void put_record(writer* w, const char* owner, int at_question, const dns_record* r) {
  unsigned char wire[256], ttl[4];
  if (at_question) {
    put_16(w, 0xc000 | 12);
  } else {
    size_t length = name_to_wire(owner, wire, sizeof wire);
    if (length == 0) w->overflow = 1;
    put_bytes(w, wire, length);
  }
  put_16(w, r->type);
  put_16(w, 1); /* IN */
  put32(ttl, r->ttl);
  put_bytes(w, ttl, 4);
  put_16(w, (unsigned)r->rdlength);
  put_bytes(w, r->rdata, r->rdlength);
}

size_t dns_respond(const dns_zone* zone, unsigned id, const char* name, unsigned type, int compress,
                   unsigned char* out, size_t capacity) {
  writer w;
  char current[256], source[256], asked[256];
  unsigned char qname[256];
  unsigned ancount = 0, nscount = 0, rcode = 0, chain;
  size_t qlength, length = strlen(name);
  int negative = 0;
  if (length > 0 && name[length - 1] == '.') --length;
  if (length > 253) return 0;
  memcpy(asked, name, length);
  asked[length] = '\0';
  qlength = name_to_wire(asked, qname, sizeof qname);
  if (qlength == 0 || capacity < 12) return 0;
  w.out = out;
  w.capacity = capacity;
  w.length = 0;
  w.overflow = 0;
  put_16(&w, id & 0xffff);
  put_16(&w, 0x8000 | 0x0400 | 0x0100 | 0x0080); /* QR AA RD RA; RCODE patched below */
  put_16(&w, 1);
  put_16(&w, 0);
  put_16(&w, 0);
  put_16(&w, 0);
  put_bytes(&w, qname, qlength);
  put_16(&w, type);
  put_16(&w, 1);

  strcpy(current, asked);
  lower(current);
  for (chain = 0;; ++chain) {
    const dns_record *r, *alias;
    if (chain > 16) {
      rcode = 2; /* SERVFAIL, as the ZoneResolver answers a chain this long */
      break;
    }
    if (name_exists(zone, current)) {
      strcpy(source, current);
    } else if (!wildcard_for(zone, current, source)) {
      rcode = 3; /* NXDOMAIN */
      negative = 1;
      break;
    }
    if (find(zone, source, type, NULL)) {
      for (r = find(zone, source, type, NULL); r; r = find(zone, source, type, r)) {
        put_record(&w, current, compress && chain == 0, r);
        ++ancount;
      }
      break;
    }
    alias = type == dns_type_cname ? NULL : find(zone, source, dns_type_cname, NULL);
    if (!alias) {
      negative = 1; /* NODATA */
      break;
    }
    put_record(&w, current, compress && chain == 0, alias);
    ++ancount;
    name_from_wire(alias->rdata, current);
  }
  if (negative) {
    /* RFC 2308 3: the SOA of the zone that holds the last name looked at. */
    const char* zone_name = current;
    for (;;) {
      const dns_record* soa = find(zone, zone_name, dns_type_soa, NULL);
      if (soa) {
        put_record(&w, zone_name, 0, soa);
        ++nscount;
        break;
      }
      if (!*zone_name) break;
      zone_name = parent_of(zone_name);
    }
  }
  if (w.overflow) return 0;
  out[3] = (unsigned char)(out[3] | rcode);
  out[6] = (unsigned char)(ancount >> 8);
  out[7] = (unsigned char)ancount;
  out[8] = (unsigned char)(nscount >> 8);
  out[9] = (unsigned char)nscount;
  return w.length;
}

int dns_parse_query(const unsigned char* query, size_t length, unsigned* id, char* name,
                    size_t name_capacity, unsigned* type) {
  size_t at = 12, written = 0;
  if (length < 12 || (query[2] & 0x80) || query[4] != 0 || query[5] != 1) return -1;
  *id = (unsigned)query[0] << 8 | query[1];
  while (at < length && query[at] != 0) {
    size_t label = query[at];
    if (label > 63 || at + 1 + label > length || written + label + 2 > name_capacity) return -1;
    if (written > 0) name[written++] = '.';
    memcpy(name + written, query + at + 1, label);
    written += label;
    at += 1 + label;
  }
  if (at + 5 > length) return -1;
  name[written] = '\0';
  *type = (unsigned)query[at + 1] << 8 | query[at + 2];
  return 0;
}
