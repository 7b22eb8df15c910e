#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
# Interoperability oracle: verifies every DKIM-Signature of a message with dkimpy (Debian
# python3-dkim), keys from a file instead of DNS.
#
#   dkimpy_verify.py MESSAGE KEYS
#
# KEYS lines: "<selector>._domainkey.<domain> <key record>". Prints one line per signature in
# header order: "pass", "fail", or "error <reason>" when dkimpy raises. Exit status 0 when
# dkimpy ran, whatever the verdicts.
import sys

import dkim


def main(argv):
    if len(argv) != 3:
        sys.stderr.write("usage: dkimpy_verify.py MESSAGE KEYS\n")
        return 2
    with open(argv[1], "rb") as f:
        message = f.read()
    keys = {}
    with open(argv[2], "rb") as f:
        for line in f:
            name, _, record = line.rstrip(b"\r\n").partition(b" ")
            keys[name.lower().rstrip(b".")] = record

    def dnsfunc(name, timeout=5):
        return keys.get(name.lower().rstrip(b"."))

    verifier = dkim.DKIM(message)
    count = len([1 for name, _ in verifier.headers if name.lower() == b"dkim-signature"])
    for index in range(count):
        try:
            sys.stdout.write("pass\n" if verifier.verify(idx=index, dnsfunc=dnsfunc) else "fail\n")
        except dkim.DKIMException as error:
            sys.stdout.write("error %s\n" % str(error).replace("\n", " "))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
