#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
# Interoperability oracle: one ARC hop done by dkimpy (Debian python3-dkim) the way an MTA using
# it would: validate the incoming chain, record the verdict in an Authentication-Results field,
# then seal with dkimpy's arc_sign (which takes cv= from that field).
#
#   dkimpy_arc_sign.py MESSAGE KEY DOMAIN SELECTOR SRV_ID TIMESTAMP KEYS
#
# KEY: PEM RSA key. KEYS lines: "<selector>._domainkey.<domain> <key record>", dkimpy's DNS.
# Prints the new ARC set (ARC-Seal, ARC-Message-Signature, ARC-Authentication-Results) then the
# Authentication-Results field, each ending in CRLF: what goes on top of the message. Exit
# status 3 when dkimpy declined to seal, 2 for usage errors.
import sys

import dkim


def read_keys(path):
    keys = {}
    with open(path, "rb") as f:
        for line in f:
            name, _, record = line.rstrip(b"\r\n").partition(b" ")
            keys[name.lower().rstrip(b".")] = record
    return keys


def crlf_field(field):
    field = field.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")
    return field if field.endswith(b"\r\n") else field + b"\r\n"


def main(argv):
    if len(argv) != 8:
        sys.stderr.write("usage: dkimpy_arc_sign.py MESSAGE KEY DOMAIN SELECTOR SRV_ID TIMESTAMP KEYS\n")
        return 2
    message_path, key_path, domain, selector, srv_id, timestamp, keys_path = argv[1:8]
    with open(message_path, "rb") as f:
        message = f.read()
    with open(key_path, "rb") as f:
        key = f.read()
    keys = read_keys(keys_path)

    def dnsfunc(name, timeout=5):
        return keys.get(name.lower().rstrip(b"."))

    cv, _, reason = dkim.arc_verify(message, dnsfunc=dnsfunc)
    # None: a seal in the chain says cv=fail, which terminates it (RFC 8617 5.2 step 2).
    verdict = b"fail" if cv is None else cv
    sys.stderr.write("incoming chain: %s (%s)\n" % (verdict.decode(), reason))
    ar = (b"Authentication-Results: " + srv_id.encode() + b"; arc=" + verdict +
          b";\r\n  spf=pass smtp.mailfrom=alice@example.com\r\n")
    fields = dkim.arc_sign(ar + message, selector.encode(), domain.encode(), key,
                           srv_id.encode(), timestamp=int(timestamp))
    if not fields:
        sys.stderr.write("dkimpy did not seal\n")
        return 3
    for field in fields:
        sys.stdout.buffer.write(crlf_field(field))
    sys.stdout.buffer.write(ar)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
