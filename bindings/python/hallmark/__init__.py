# SPDX-License-Identifier: Apache-2.0
"""hallmark: SPF, DKIM, ARC and DMARC verification of inbound mail.

Python bindings over libhallmark-c (include/hallmark/hallmark.h) through ctypes. The library
is loaded from $HALLMARK_LIBRARY, $HALLMARK_BUILD_DIR, the source checkout's build/ or the
system, in that order (README.md).

    import hallmark

    with hallmark.Authenticator(authserv_id="mx.example.org") as auth:
        verdict = auth.verify(raw_bytes, ip="192.0.2.10", helo="mail.example.com",
                              mail_from="alice@example.com", rcpt_to="bob@example.net")
        print(verdict.auth_results, verdict.disposition, verdict.spf.result)

    async with hallmark.AsyncAuthenticator(authserv_id="mx.example.org") as auth:
        verdict = await auth.verify_async(raw_bytes, ip=..., helo=..., mail_from=...)

Every failing call raises hallmark.Error. Handles are freed by close() (or leaving a ``with``
block); garbage collection frees what was not closed.
"""

from __future__ import annotations

from ._asyncio import AsyncAuthenticator
from ._authenticator import Authenticator, Message
from ._capi import Error, lib, text
from ._capi import library_path as _library_path
from ._keys import Key, Signer, keygen
from ._options import Options
from ._verdict import ArcResult, DkimResult, DmarcResult, SpfResult, Verdict

__all__ = ["ArcResult", "AsyncAuthenticator", "Authenticator", "DkimResult", "DmarcResult",
           "Error", "Key", "Message", "Options", "Signer", "SpfResult", "Verdict", "keygen",
           "library_path", "version", "version_number"]
__version__ = "0.1.0"


def version() -> str:
    """The C library's version ("0.1.0")."""
    return text(lib.version())


def version_number() -> int:
    """The C library's version as MAJOR * 10000 + MINOR * 100 + PATCH."""
    return int(lib.version_number())


def library_path() -> str:
    """The path of the libhallmark-c the package loaded."""
    return _library_path()
