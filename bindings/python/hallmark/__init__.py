# SPDX-License-Identifier: Apache-2.0
"""hallmark: SPF, DKIM, ARC and DMARC verification of inbound mail.

Python bindings over libhallmark-c (include/hallmark/hallmark.h) through ctypes. The library
is loaded from $HALLMARK_LIBRARY if set, else from where the system's linker finds
libhallmark-c.so.1.

    import hallmark

    with hallmark.Authenticator(authserv_id="mx.example.org") as auth:
        verdict = auth.verify(raw_bytes, ip="192.0.2.10", helo="mail.example.com",
                              mail_from="alice@example.com")
        print(verdict.auth_results, verdict.disposition)

Every failing call raises hallmark.Error. Handles are freed by close() (or leaving a ``with``
block); garbage collection frees what was not closed.
"""

from __future__ import annotations

import ctypes
import functools
import os
import threading
from typing import Iterable, Optional, Set

from . import _capi
from ._capi import Error, c_bytes, c_path, c_string, c_uint, c_ulong, lib, strerror, text
from ._handle import _Handle
from ._verdict import Verdict, take_result

__all__ = ["Authenticator", "Error", "Message", "Options", "Verdict", "version",
           "version_number"]
__version__ = "0.1.0"


def version() -> str:
    """The C library's version ("0.1.0")."""
    return text(lib.version())


def version_number() -> int:
    """The C library's version as MAJOR * 10000 + MINOR * 100 + PATCH."""
    return lib.version_number()


def _check_options(status: int, options: int) -> None:
    if status != _capi.OK:
        raise Error(status, text(lib.options_error(options)) or strerror(status))


def _paths(value, what: str) -> tuple:
    if isinstance(value, (str, bytes, os.PathLike)):
        raise TypeError(f"{what} must be a list of paths, not a single {type(value).__name__}")
    return tuple(value)


class Options:
    """The settings of an Authenticator; what is not given keeps the library's default.

    Keywords: authserv_id (str), deadline_ms, max_dns_queries (int), check_helo, iprev (bool),
    zone_files (paths: offline DNS from zone fixtures), dns_servers ("192.0.2.53",
    "192.0.2.53:5353", "[2001:db8::53]:5353"), dns_timeout_ms, dns_tries (int), score_file,
    allow_dmarc_file, allow_spf_dkim_file, trusted_arc_file (paths; None for none).

    A value the library refuses (deadline_ms=0) raises hallmark.Error here; files are read
    when an Authenticator is made from the options.
    """

    _KEYWORDS = ("authserv_id", "deadline_ms", "max_dns_queries", "check_helo", "iprev",
                 "zone_files", "dns_servers", "dns_timeout_ms", "dns_tries", "score_file",
                 "allow_dmarc_file", "allow_spf_dkim_file", "trusted_arc_file")

    def __init__(self, *, authserv_id: Optional[str] = None,
                 deadline_ms: Optional[int] = None, max_dns_queries: Optional[int] = None,
                 check_helo: Optional[bool] = None, iprev: Optional[bool] = None,
                 zone_files: Iterable = (), dns_servers: Iterable[str] = (),
                 dns_timeout_ms: Optional[int] = None, dns_tries: Optional[int] = None,
                 score_file=None, allow_dmarc_file=None, allow_spf_dkim_file=None,
                 trusted_arc_file=None):
        self.authserv_id = authserv_id
        self.deadline_ms = deadline_ms
        self.max_dns_queries = max_dns_queries
        self.check_helo = check_helo
        self.iprev = iprev
        self.zone_files = _paths(zone_files, "zone_files")
        self.dns_servers = _paths(dns_servers, "dns_servers")
        self.dns_timeout_ms = dns_timeout_ms
        self.dns_tries = dns_tries
        self.score_file = score_file
        self.allow_dmarc_file = allow_dmarc_file
        self.allow_spf_dkim_file = allow_spf_dkim_file
        self.trusted_arc_file = trusted_arc_file
        self._new_handle().close()  # every value checked by the library now

    def replace(self, **changes) -> "Options":
        """A copy with `changes` (the constructor's keywords) applied."""
        values = {name: getattr(self, name) for name in self._KEYWORDS}
        values.update(changes)
        return Options(**values)

    def __repr__(self) -> str:
        given = [f"{name}={getattr(self, name)!r}" for name in self._KEYWORDS
                 if getattr(self, name) not in (None, ())]
        return f"Options({', '.join(given)})"

    def __eq__(self, other) -> bool:
        if not isinstance(other, Options):
            return NotImplemented
        return all(getattr(self, n) == getattr(other, n) for n in self._KEYWORDS)

    def _new_handle(self) -> _Handle:
        """A hallmark_options with every setting applied; the caller closes it."""
        pointer = lib.options_new()
        if not pointer:
            raise MemoryError("hallmark_options_new() failed")
        handle = _Handle(pointer, lib.options_free, "options")
        try:
            self._apply(pointer)
        except BaseException:
            handle.close()
            raise
        return handle

    def _apply(self, o: int) -> None:
        if self.authserv_id is not None:
            _check_options(lib.options_set_authserv_id(
                o, c_string(self.authserv_id, "authserv_id")), o)
        if self.deadline_ms is not None:
            _check_options(lib.options_set_deadline_ms(
                o, c_ulong(self.deadline_ms, "deadline_ms")), o)
        if self.max_dns_queries is not None:
            _check_options(lib.options_set_max_dns_queries(
                o, c_ulong(self.max_dns_queries, "max_dns_queries")), o)
        if self.check_helo is not None:
            _check_options(lib.options_set_check_helo(o, 1 if self.check_helo else 0), o)
        if self.iprev is not None:
            _check_options(lib.options_set_iprev(o, 1 if self.iprev else 0), o)
        for path in self.zone_files:
            _check_options(lib.options_add_zone_file(o, c_path(path, "zone file")), o)
        for server in self.dns_servers:
            _check_options(lib.options_add_dns_server(o, c_string(server, "DNS server")), o)
        if self.dns_timeout_ms is not None:
            _check_options(lib.options_set_dns_timeout_ms(
                o, c_ulong(self.dns_timeout_ms, "dns_timeout_ms")), o)
        if self.dns_tries is not None:
            _check_options(lib.options_set_dns_tries(
                o, c_uint(self.dns_tries, "dns_tries")), o)
        for setter, name in ((lib.options_set_score_file, "score_file"),
                             (lib.options_set_allow_dmarc_file, "allow_dmarc_file"),
                             (lib.options_set_allow_spf_dkim_file, "allow_spf_dkim_file"),
                             (lib.options_set_trusted_arc_file, "trusted_arc_file")):
            path = getattr(self, name)
            if path is not None:
                _check_options(setter(o, c_path(path, name)), o)


def _free_ctx(messages: Set[_Handle], lock: threading.Lock, ctx_free, ctx: int) -> None:
    # hallmark_ctx_free() wants every message of the ctx freed before it. (ctx_free is
    # bound early: a finaliser at interpreter exit may run after module globals are gone.)
    with lock:
        remaining = list(messages)
        messages.clear()
    for message in remaining:
        message.close()
    ctx_free(ctx)


class Authenticator:
    """A hallmark_ctx: resolver, caches, score table and allow lists.

    ``Authenticator(options)``, ``Authenticator(**keywords)`` (those of Options) or both
    (the keywords change the options). One authenticator may verify messages from several
    threads at once. close() frees it and every Message still open on it.
    """

    def __init__(self, options: Optional[Options] = None, **keywords):
        if options is None:
            options = Options(**keywords)
        elif not isinstance(options, Options):
            raise TypeError(f"options must be hallmark.Options, not {type(options).__name__}")
        elif keywords:
            options = options.replace(**keywords)
        self.options = options
        settings = options._new_handle()
        try:
            with settings.use() as o:
                ctx = ctypes.c_void_p()
                _check_options(lib.ctx_new(o, ctypes.byref(ctx)), o)
        finally:
            settings.close()
        self._messages: Set[_Handle] = set()
        self._messages_lock = threading.Lock()
        free = functools.partial(_free_ctx, self._messages, self._messages_lock, lib.ctx_free)
        self._handle = _Handle(ctx.value, free, "authenticator")

    def verify(self, message, ip: Optional[str] = None, helo: Optional[str] = None,
               mail_from: Optional[str] = None) -> Verdict:
        """The verdict on a whole message (bytes). Without `ip` there is no SPF check;
        mail_from="" is the null reverse path."""
        data = c_bytes(message, "message")
        args = [None if value is None else c_string(value, what)
                for value, what in ((ip, "ip"), (helo, "helo"), (mail_from, "mail_from"))]
        result = ctypes.c_void_p()
        with self._handle.use() as ctx:
            status = lib.verify(ctx, data, len(data), *args, ctypes.byref(result))
        if status != _capi.OK:
            # hallmark_verify() keeps no error text: the status is all there is to go by.
            why = f"hallmark_verify(): {strerror(status)}"
            if status == _capi.ERR_INVALID_ARGUMENT and ip is not None:
                why += f" (is {ip!r} an IP address?)"
            raise Error(status, why)
        return take_result(result.value)

    def message(self) -> "Message":
        """A new message, to be given call by call as the SMTP transaction goes."""
        out = ctypes.c_void_p()
        with self._handle.use() as ctx:
            status = lib.message_new(ctx, ctypes.byref(out))
            if status != _capi.OK:
                raise Error(status, f"hallmark_message_new(): {strerror(status)}")
            handle = _Handle(out.value, lib.message_free, "message")
            with self._messages_lock:
                self._messages.add(handle)
        return Message(self, handle)

    def reload(self) -> None:
        """Reads the score table and the allow lists again; on an error nothing changes."""
        error = ctypes.create_string_buffer(4096)
        with self._handle.use() as ctx:
            status = lib.ctx_reload(ctx, error, len(error))
        if status != _capi.OK:
            raise Error(status, text(error.value) or strerror(status))

    @property
    def closed(self) -> bool:
        return self._handle.closed

    def close(self) -> None:
        """Frees the authenticator and its open messages; harmless when already closed."""
        handle = getattr(self, "_handle", None)  # absent when __init__ raised
        if handle is not None:
            handle.close()

    def _forget(self, message: _Handle) -> None:
        with self._messages_lock:
            self._messages.discard(message)

    def __enter__(self) -> "Authenticator":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def __del__(self) -> None:
        self.close()


class Message:
    """One message on its way through the SMTP transaction (Authenticator.message()).

    The envelope (set_client, set_helo, set_mail_from, add_recipient), then the message:
    either raw bytes with feed(), header section and body cut anywhere, or header fields one
    by one with add_header(), end_of_headers(), then the body with feed(). finish() gives the
    Verdict; after it only close() is allowed. One thread at a time.
    """

    def __init__(self, authenticator: Authenticator, handle: _Handle):
        # Keeps the authenticator alive while the message is open (its ctx outlives it).
        self._authenticator = authenticator
        self._handle = handle

    def _call(self, function, *args) -> None:
        with self._handle.use() as m:
            status = function(m, *args)
            if status != _capi.OK:
                raise Error(status, text(lib.message_error(m)) or strerror(status))

    def set_client(self, ip: str, name: Optional[str] = None) -> None:
        """The client's address, and the name the host resolved it to (if any)."""
        self._call(lib.message_set_client, c_string(ip, "ip"),
                   None if name is None else c_string(name, "name"))

    def set_helo(self, helo: str) -> None:
        self._call(lib.message_set_helo, c_string(helo, "helo"))

    def set_mail_from(self, address: str) -> None:
        """The MAIL FROM address without <>; "" for the null reverse path."""
        self._call(lib.message_set_mail_from, c_string(address, "mail_from"))

    def add_recipient(self, address: str) -> None:
        self._call(lib.message_add_recipient, c_string(address, "recipient"))

    def add_header(self, name, value) -> None:
        """One header field (str or bytes); the value may be folded ("\\r\\n\\t")."""
        name = name.encode("utf-8") if isinstance(name, str) else c_bytes(name, "name")
        value = value.encode("utf-8") if isinstance(value, str) else c_bytes(value, "value")
        self._call(lib.message_add_header, name, len(name), value, len(value))

    def end_of_headers(self) -> None:
        self._call(lib.message_end_of_headers)

    def feed(self, data) -> None:
        """Message bytes: the whole message, or the body after end_of_headers()."""
        data = c_bytes(data, "data")
        self._call(lib.message_feed, data, len(data))

    def finish(self) -> Verdict:
        """Ends the message and waits for its verdict (no longer than the deadline)."""
        result = ctypes.c_void_p()
        self._call(lib.message_finish, ctypes.byref(result))
        return take_result(result.value)

    @property
    def closed(self) -> bool:
        return self._handle.closed

    def close(self) -> None:
        """Frees the message, abandoning what is pending; harmless when already closed."""
        handle = getattr(self, "_handle", None)
        if handle is not None:
            handle.close()
            self._authenticator._forget(handle)

    def __enter__(self) -> "Message":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def __del__(self) -> None:
        self.close()
