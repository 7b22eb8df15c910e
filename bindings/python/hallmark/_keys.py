# SPDX-License-Identifier: Apache-2.0
"""Signing keys and signers: Key (a value: PEM and DNS record) and Signer (a hallmark_signer).

A Key holds no C handle: it is the PEM text and the record to publish, checked by the library
when made. A Signer loads the key into a hallmark_signer once and signs with it until closed.
"""

from __future__ import annotations

import ctypes
import dataclasses
import re
import threading
from typing import Callable, Optional, Protocol, Union

from . import _capi
from ._capi import Error, c_bytes, c_string, c_uint, fail, lib, strerror, text
from ._handle import _Handle
from ._verdict import Verdict


class Sealer(Protocol):
    """What seals with a Signer: an Authenticator or an AsyncAuthenticator."""

    def arc_seal(self, message: _capi.Bytes, *, signer: Optional["Signer"] = None,
                 verdict: Optional[Verdict] = None) -> str: ...


def _take_key(pointer: int) -> "Key":
    try:
        return Key(pem=text(lib.key_pem(pointer)), dns_record=text(lib.key_dns_record(pointer)))
    finally:
        lib.key_free(pointer)


@dataclasses.dataclass(frozen=True)
class Key:
    """A DKIM/ARC signing key: ``pem``, the private key as PKCS#8 PEM, and ``dns_record``, the
    TXT record to publish at ``<selector>._domainkey.<domain>`` ("v=DKIM1; k=rsa; p=...").

    ``Key.generate("rsa", 2048)`` or ``hallmark.keygen(...)`` makes one; ``Key.load(pem)``
    reads one (PKCS#8 or PKCS#1 RSA; Ed25519 as PKCS#8 or its base64 seed). The private key
    is left out of repr().
    """

    pem: str = dataclasses.field(repr=False)
    dns_record: str

    @property
    def type(self) -> str:
        """"rsa" or "ed25519", as the DNS record's k= tag says."""
        found = re.search(r"(?:^|;)\s*k=([^;\s]+)", self.dns_record)
        return found.group(1) if found else "rsa"

    @classmethod
    def generate(cls, type: str = "rsa", bits: int = 2048) -> "Key":
        """A new key: type "rsa" (`bits` from 1024 to 8192) or "ed25519" (`bits` ignored)."""
        kind = c_string(type, "type")
        size = 0 if kind == b"ed25519" else c_uint(bits, "bits")
        out = ctypes.c_void_p()
        status = lib.key_generate(kind, size, ctypes.byref(out))
        if status != _capi.OK:
            fail(status, f"hallmark_key_generate({type!r}, {bits}): {strerror(status)} "
                         "(type 'rsa' with 1024 to 8192 bits, or 'ed25519')")
        return _take_key(out.value)  # type: ignore[arg-type]

    @classmethod
    def load(cls, pem: Union[str, bytes]) -> "Key":
        """A key from its PEM text (str or bytes)."""
        data = pem.encode("ascii", "replace") if isinstance(pem, str) else c_bytes(pem, "pem")
        out = ctypes.c_void_p()
        status = lib.key_load(data, len(data), ctypes.byref(out))
        if status != _capi.OK:
            fail(status, f"hallmark_key_load(): {strerror(status)} (not a PEM private key?)")
        return _take_key(out.value)  # type: ignore[arg-type]


def keygen(type: str = "rsa", bits: int = 2048) -> Key:
    """A new signing key: Key.generate()."""
    return Key.generate(type, bits)


class Signer:
    """A hallmark_signer: `key` with the domain (d=) and selector (s=) it signs as.

    rsa-sha256 or ed25519-sha256 by the key's type, relaxed/relaxed canonicalisation, the
    header fields RFC 6376 5.4.1 recommends. Calls on one signer take turns (the library's
    signer is one thread at a time). close() frees it; Authenticator.dkim_sign() and
    arc_seal() keep signers of their own and close them with the authenticator.
    """

    def __init__(self, key: Key, domain: str, selector: str) -> None:
        if not isinstance(key, Key):
            raise TypeError(f"key must be hallmark.Key, not {type(key).__name__}")
        self.key = key
        self.domain = domain
        self.selector = selector
        pem = key.pem.encode("ascii", "replace")
        c_domain = c_string(domain, "domain")
        c_selector = c_string(selector, "selector")
        loaded = ctypes.c_void_p()
        status = lib.key_load(pem, len(pem), ctypes.byref(loaded))
        if status != _capi.OK:
            fail(status, f"hallmark_key_load(): {strerror(status)}")
        try:
            out = ctypes.c_void_p()
            status = lib.signer_new(loaded.value, c_domain, c_selector, ctypes.byref(out))
        finally:
            lib.key_free(loaded.value)  # the signer keeps a copy of its own
        if status != _capi.OK:
            fail(status, f"hallmark_signer_new(): {strerror(status)} "
                         "(domain and selector must not be empty)")
        self._handle = _Handle(out.value, lib.signer_free, "signer")  # type: ignore[arg-type]
        self._turn = threading.Lock()

    def _call(self, call: Callable[[int, "ctypes._Pointer[ctypes.c_char_p]"], int]) -> str:
        """Runs `call(signer, &field)` in turn; the field (valid until the next call) as str."""
        field = ctypes.c_char_p()
        with self._handle.use() as signer, self._turn:
            status = call(signer, ctypes.pointer(field))
            if status != _capi.OK:
                fail(status, text(lib.signer_error(signer)))
            return text(field.value)

    def dkim_sign(self, message: _capi.Bytes) -> str:
        """The DKIM-Signature field for `message` (folded, ending in CRLF): put it on top."""
        data = c_bytes(message, "message")
        return self._call(lambda s, field: lib.dkim_sign(s, data, len(data), field))

    def arc_seal(self, authenticator: Sealer, message: _capi.Bytes,
                 verdict: Optional[Verdict] = None) -> str:
        """The ARC set (ARC-Seal, ARC-Message-Signature, ARC-Authentication-Results, each
        ending in CRLF) for a message this host forwards, the incoming chain validated
        through `authenticator`'s DNS and `verdict`'s results in the AAR; "" when nothing
        may be sealed (the chain failed already, or has 50 sets)."""
        return authenticator.arc_seal(message, signer=self, verdict=verdict)

    @property
    def closed(self) -> bool:
        return self._handle.closed

    def close(self) -> None:
        """Frees the signer (after the call under way, if any); harmless when closed."""
        handle = getattr(self, "_handle", None)
        if handle is not None:
            handle.close()

    def __repr__(self) -> str:
        return (f"Signer(domain={self.domain!r}, selector={self.selector!r}, "
                f"key={self.key!r}{', closed' if self.closed else ''})")

    def __enter__(self) -> "Signer":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __del__(self) -> None:
        self.close()


__all__ = ["Error", "Key", "Sealer", "Signer", "keygen"]
