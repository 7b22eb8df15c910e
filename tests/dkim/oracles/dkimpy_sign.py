#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
# Interoperability oracle: signs a message with dkimpy (Debian python3-dkim) and prints the
# DKIM-Signature field to prepend.
#
#   dkimpy_sign.py MESSAGE KEY DOMAIN SELECTOR ALGORITHM HEADER/BODY LENGTH [HEADERS]
#
# KEY: PEM (RSA) or the base64 Ed25519 seed dkimpy reads; LENGTH: 0 or 1 (add l=); HEADERS:
# colon-separated names to sign, dkimpy's defaults when absent (dkimpy over-signs From).
import sys

import dkim


def main(argv):
    if len(argv) not in (8, 9):
        sys.stderr.write(__doc__ or "usage: dkimpy_sign.py MESSAGE KEY DOMAIN SELECTOR ALGORITHM C LENGTH [HEADERS]\n")
        return 2
    message_path, key_path, domain, selector, algorithm, canon, length = argv[1:8]
    with open(message_path, "rb") as f:
        message = f.read()
    with open(key_path, "rb") as f:
        key = f.read()
    header_canon, body_canon = canon.encode().split(b"/")
    headers = [h.encode() for h in argv[8].split(":")] if len(argv) == 9 else None
    field = dkim.sign(message, selector.encode(), domain.encode(), key,
                      canonicalize=(header_canon, body_canon),
                      signature_algorithm=algorithm.encode(),
                      include_headers=headers, length=length == "1")
    sys.stdout.buffer.write(field)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
