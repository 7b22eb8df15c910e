#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
# Interoperability oracle: validates a message's ARC chain with dkimpy (Debian python3-dkim),
# keys from a file instead of DNS.
#
#   dkimpy_arc_verify.py MESSAGE KEYS
#
# KEYS lines: "<selector>._domainkey.<domain> <key record>". Prints one line: the chain
# validation status ("pass", "fail", "none"; "fail" too when dkimpy reports a chain terminated
# by a cv=fail seal), a space and dkimpy's reason; "error <what>" when dkimpy raised. Exit
# status 0 when dkimpy ran, whatever the verdict.
import sys

import dkim


def main(argv):
    if len(argv) != 3:
        sys.stderr.write("usage: dkimpy_arc_verify.py MESSAGE KEYS\n")
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

    try:
        cv, _, reason = dkim.arc_verify(message, dnsfunc=dnsfunc)
    except Exception as error:  # a dkimpy bug or limit, reported rather than hidden
        sys.stdout.write("error %s: %s\n" % (type(error).__name__, str(error).replace("\n", " ")))
        return 0
    verdict = "fail" if cv is None else cv.decode()
    sys.stdout.write("%s %s\n" % (verdict, str(reason).replace("\n", " ")))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
