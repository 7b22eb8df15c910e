# SPDX-License-Identifier: Apache-2.0
"""Authenticator (a hallmark_ctx) and Message (a hallmark_message), with what both the
blocking and the asyncio authenticators share: SPF alone, DKIM signing, ARC sealing."""

from __future__ import annotations

import collections
import contextlib
import ctypes
import functools
import threading
from typing import Any, Callable, Iterable, Iterator, List, Optional, Set, Tuple, Union

from . import _capi
from ._capi import (Bytes, Error, Text, c_bytes, c_optional_string, c_string, fail, lib,
                    strerror, text)
from ._handle import _Handle
from ._keys import Key, Signer
from ._options import Options, check_options
from ._verdict import Verdict, take_result

Recipients = Union[Text, Iterable[Text], None]

# Signers an authenticator keeps for dkim_sign() and arc_seal(), least recently used first out.
SIGNER_CACHE_SIZE = 16


def _free_ctx(messages: Set[_Handle], lock: threading.Lock, ctx_free: Any, ctx: int) -> None:
    # hallmark_ctx_free() wants every message of the ctx freed before it. (ctx_free is
    # bound early: a finaliser at interpreter exit may run after module globals are gone.)
    with lock:
        remaining = list(messages)
        messages.clear()
    for message in remaining:
        message.close()
    ctx_free(ctx)


def _recipients(rcpt_to: Recipients) -> List[bytes]:
    if rcpt_to is None:
        return []
    if isinstance(rcpt_to, (str, bytes)):
        return [c_string(rcpt_to, "rcpt_to")]
    try:
        return [c_string(address, "rcpt_to") for address in rcpt_to]
    except TypeError as e:
        raise TypeError(f"rcpt_to must be an address or a list of addresses: {e}") from None


class _Base:
    """What every authenticator has: a hallmark_ctx and the calls on it that do not depend
    on how its DNS is driven."""

    _event_loop = False  # hallmark_options_set_event_loop()

    def __init__(self, options: Optional[Options] = None, **keywords: Any) -> None:
        if options is None:
            options = Options(**keywords)
        elif not isinstance(options, Options):
            raise TypeError(f"options must be hallmark.Options, not {type(options).__name__}")
        elif keywords:
            options = options.replace(**keywords)
        self.options = options
        settings = options._new_handle(event_loop=self._event_loop)
        try:
            with settings.use() as o:
                ctx = ctypes.c_void_p()
                check_options(lib.ctx_new(o, ctypes.byref(ctx)), o)
        finally:
            settings.close()
        self._messages: Set[_Handle] = set()
        self._messages_lock = threading.Lock()
        free = functools.partial(_free_ctx, self._messages, self._messages_lock, lib.ctx_free)
        self._handle = _Handle(ctx.value, free, "authenticator")  # type: ignore[arg-type]
        self._signers: "collections.OrderedDict[Tuple[Key, str, str], Signer]" = \
            collections.OrderedDict()
        self._signers_lock = threading.Lock()

    # ---- hooks of the asyncio authenticator ------------------------------------------------

    def _check_thread(self) -> None:
        """Raises when the ctx may not be used from this thread."""

    def _after_call(self) -> None:
        """A call on the ctx or one of its messages returned (lookups may have started)."""

    async def _finish_async(self, message: "Message") -> Verdict:
        raise Error(_capi.ERR_STATE,
                    "Message.finish_async() needs a message of a hallmark.AsyncAuthenticator")

    def _message_closed(self, message: "Message") -> None:
        pass

    @contextlib.contextmanager
    def _ctx(self) -> Iterator[int]:
        """The ctx pointer, for one call; then the asyncio side learns of it."""
        self._check_thread()
        try:
            with self._handle.use() as ctx:
                yield ctx
        finally:
            self._after_call()

    # ---- messages --------------------------------------------------------------------------

    def message(self) -> "Message":
        """A new message, to be given call by call as the SMTP transaction goes."""
        out = ctypes.c_void_p()
        with self._ctx() as ctx:
            status = lib.message_new(ctx, ctypes.byref(out))
            if status != _capi.OK:
                fail(status, f"hallmark_message_new(): {strerror(status)}")
            handle = _Handle(out.value, lib.message_free, "message")  # type: ignore[arg-type]
            with self._messages_lock:
                self._messages.add(handle)
        return Message(self, handle)

    def _start(self, message: Bytes, ip: Optional[Text], helo: Optional[Text],
               mail_from: Optional[Text], rcpt_to: Recipients) -> "Message":
        """A Message with the envelope and the whole of `message` given, not finished:
        what verify() and verify_async() do before they wait."""
        data = c_bytes(message, "message")
        c_ip = c_optional_string(ip, "ip")
        c_helo = c_optional_string(helo, "helo")
        c_mail_from = c_optional_string(mail_from, "mail_from")
        recipients = _recipients(rcpt_to)
        m = self.message()
        try:
            if c_ip is not None:
                try:
                    m.set_client(c_ip)
                except Error as e:
                    raise Error(e.code, f"{e.message} (ip={ip!r})") from None
            if c_helo is not None:
                m.set_helo(c_helo)
            # None is an unknown MAIL FROM (no MAIL FROM check), "" the null reverse path, as
            # hallmark_verify() takes NULL and "".
            if c_mail_from is not None:
                m.set_mail_from(c_mail_from)
            for address in recipients:
                m.add_recipient(address)
            try:
                m.feed(data)
            except Error:
                # As hallmark_verify(): a header section past the limits is not an error of
                # the call; the verdict reports it.
                pass
        except BaseException:
            m.close()
            raise
        return m

    # ---- SPF alone -------------------------------------------------------------------------

    def spf_check(self, ip: Text, helo: Optional[Text] = None,
                  mail_from: Optional[Text] = None) -> Verdict:
        """The SPF checks of an SMTP transaction before its message (a policy service at
        RCPT time): MAIL FROM (postmaster@HELO for mail_from="", the null reverse path) and,
        unless check_helo=False, HELO. The Verdict's ``spf`` (with ``received_spf``) and
        ``auth_results`` (SPF alone) are set; the other protocols read "none"."""
        c_ip = c_string(ip, "ip")
        args = (c_ip, c_optional_string(helo, "helo"), c_optional_string(mail_from, "mail_from"))
        result = ctypes.c_void_p()
        with self._ctx() as ctx:
            status = lib.spf_check(ctx, *args, ctypes.byref(result))
        if status != _capi.OK:
            why = f"hallmark_spf_check(): {strerror(status)}"
            if status == _capi.ERR_INVALID_ARGUMENT:
                why += f" (is {ip!r} an IP address?)"
            fail(status, why)
        return take_result(result.value)  # type: ignore[arg-type]

    # ---- signing ---------------------------------------------------------------------------

    def signer(self, key: Key, domain: str, selector: str) -> Signer:
        """The authenticator's Signer for `key`, `domain` and `selector`: made on first use,
        kept (the last SIGNER_CACHE_SIZE used) until the authenticator is closed."""
        if not isinstance(key, Key):
            raise TypeError(f"key must be hallmark.Key, not {type(key).__name__}")
        if self._handle.closed:
            raise Error(_capi.ERR_STATE, "the authenticator is closed")
        cache_key = (key, domain, selector)
        with self._signers_lock:
            signer = self._signers.get(cache_key)
            if signer is not None:
                self._signers.move_to_end(cache_key)
                return signer
        made = Signer(key, domain, selector)  # outside the lock: it parses the key
        evicted: List[Signer] = []
        with self._signers_lock:
            signer = self._signers.setdefault(cache_key, made)
            self._signers.move_to_end(cache_key)
            while len(self._signers) > SIGNER_CACHE_SIZE:
                evicted.append(self._signers.popitem(last=False)[1])
        if signer is not made:
            evicted.append(made)  # another thread made the same one first
        for old in evicted:
            old.close()  # waits for a call under way with it, if any
        return signer

    def _with_signer(self, key: Key, domain: str, selector: str,
                     call: Callable[[Signer], str]) -> str:
        """`call` with the cached signer; again with a new one should another thread have
        pushed it out of the cache (and closed it) in between."""
        for _ in range(3):
            signer = self.signer(key, domain, selector)
            try:
                return call(signer)
            except Error:
                if not signer.closed or self._handle.closed:
                    raise
        return call(self.signer(key, domain, selector))

    def dkim_sign(self, message: Bytes, *, key: Key, domain: str, selector: str) -> str:
        """The DKIM-Signature field for `message` signed as `domain` (d=) with `selector`
        (s=): folded, ending in CRLF, to put at the top of the message."""
        return self._with_signer(key, domain, selector,
                                 lambda signer: signer.dkim_sign(message))

    def arc_seal(self, message: Bytes, *, key: Optional[Key] = None,
                 domain: Optional[str] = None, selector: Optional[str] = None,
                 signer: Optional[Signer] = None, verdict: Optional[Verdict] = None) -> str:
        """An ARC set for a message this host forwards (RFC 8617 5.1): the incoming chain is
        validated through this authenticator's DNS, the ARC-Authentication-Results carry
        `verdict`'s results (None: the chain's alone), and the set is signed as `domain` with
        `selector` and `key` (or by `signer`) under this authenticator's authserv-id.

        Returns ARC-Seal, ARC-Message-Signature and ARC-Authentication-Results (folded, each
        ending in CRLF) to put at the top of the message, or "" when nothing may be sealed
        (the chain had already failed, or has 50 sets). Waits for DNS up to the deadline."""
        if signer is None:
            if key is None or domain is None or selector is None:
                raise TypeError("arc_seal() needs key, domain and selector, or a signer")
            return self._with_signer(key, domain, selector,
                                     lambda cached: self._seal(message, cached, verdict))
        if not isinstance(signer, Signer):
            raise TypeError(f"signer must be hallmark.Signer, not {type(signer).__name__}")
        if key is not None or domain is not None or selector is not None:
            raise TypeError("arc_seal() takes a signer or key, domain and selector, not both")
        return self._seal(message, signer, verdict)

    def _seal(self, message: Bytes, signer: Signer, verdict: Optional[Verdict]) -> str:
        data = c_bytes(message, "message")
        holder = None
        if verdict is not None:
            if not isinstance(verdict, Verdict):
                raise TypeError(f"verdict must be hallmark.Verdict, not {type(verdict).__name__}")
            holder = verdict._result
            if holder is None or holder.pointer is None:
                raise ValueError("this Verdict has no library result to seal with (it was "
                                 "unpickled or built by hand)")
        result_pointer = None if holder is None else holder.pointer
        with self._ctx() as ctx:
            return signer._call(
                lambda s, fields: lib.arc_seal(ctx, s, data, len(data), result_pointer, fields))

    # ---- the rest --------------------------------------------------------------------------

    def reload(self) -> None:
        """Reads the score table and the allow lists again; on an error nothing changes."""
        error = ctypes.create_string_buffer(4096)
        with self._ctx() as ctx:
            status = lib.ctx_reload(ctx, error, len(error))
        if status != _capi.OK:
            fail(status, text(error.value))

    @property
    def closed(self) -> bool:
        return self._handle.closed

    def close(self) -> None:
        """Frees the authenticator, its open messages and its signers; harmless when already
        closed."""
        signers_lock = getattr(self, "_signers_lock", None)  # absent when __init__ raised
        if signers_lock is not None:
            with signers_lock:
                signers = list(self._signers.values())
                self._signers.clear()
            for signer in signers:
                signer.close()
        handle = getattr(self, "_handle", None)
        if handle is not None:
            handle.close()

    def _forget(self, message: _Handle) -> None:
        with self._messages_lock:
            self._messages.discard(message)

    def __del__(self) -> None:
        self.close()


class Authenticator(_Base):
    """A hallmark_ctx: resolver, caches, score table and allow lists.

    ``Authenticator(options)``, ``Authenticator(**keywords)`` (those of Options) or both
    (the keywords change the options). One authenticator may verify messages from several
    threads at once. close() frees it and every Message still open on it.
    """

    def verify(self, message: Bytes, *, ip: Optional[Text] = None,
               helo: Optional[Text] = None, mail_from: Optional[Text] = None,
               rcpt_to: Recipients = None) -> Verdict:
        """The verdict on a whole message (bytes), waited for (no longer than the deadline).

        Without `ip` there is no SPF check; mail_from="" is the null reverse path; rcpt_to
        is an address or a list of them. The message goes through a hallmark_message (the
        envelope, then the bytes): the verdict is hallmark_verify()'s."""
        with self._start(message, ip, helo, mail_from, rcpt_to) as m:
            return m.finish()

    def __enter__(self) -> "Authenticator":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class Message:
    """One message on its way through the SMTP transaction (Authenticator.message()).

    The envelope (set_client, set_helo, set_mail_from, add_recipient), then the message:
    either raw bytes with feed(), header section and body cut anywhere, or header fields one
    by one with add_header(), end_of_headers(), then the body with feed(). finish() gives the
    Verdict (``await finish_async()`` on an AsyncAuthenticator's message); after it only
    close() is allowed. One thread at a time.
    """

    def __init__(self, authenticator: _Base, handle: _Handle) -> None:
        # Keeps the authenticator alive while the message is open (its ctx outlives it).
        self._authenticator = authenticator
        self._handle = handle
        self._token: Optional[int] = None  # finish_async() under way

    def _call(self, function: Any, *args: Any) -> None:
        self._authenticator._check_thread()
        try:
            with self._handle.use() as m:
                status = function(m, *args)
                if status != _capi.OK:
                    fail(status, text(lib.message_error(m)))
        finally:
            self._authenticator._after_call()

    def set_client(self, ip: Text, name: Optional[Text] = None) -> None:
        """The client's address, and the name the host resolved it to (if any)."""
        self._call(lib.message_set_client, c_string(ip, "ip"), c_optional_string(name, "name"))

    def set_helo(self, helo: Text) -> None:
        self._call(lib.message_set_helo, c_string(helo, "helo"))

    def set_mail_from(self, address: Text) -> None:
        """The MAIL FROM address without <>; "" for the null reverse path."""
        self._call(lib.message_set_mail_from, c_string(address, "mail_from"))

    def add_recipient(self, address: Text) -> None:
        self._call(lib.message_add_recipient, c_string(address, "recipient"))

    def add_header(self, name: Union[Text, Bytes], value: Union[Text, Bytes]) -> None:
        """One header field (str or bytes); the value may be folded ("\\r\\n\\t")."""
        c_name = name.encode("utf-8") if isinstance(name, str) else c_bytes(name, "name")
        c_value = value.encode("utf-8") if isinstance(value, str) else c_bytes(value, "value")
        self._call(lib.message_add_header, c_name, len(c_name), c_value, len(c_value))

    def end_of_headers(self) -> None:
        self._call(lib.message_end_of_headers)

    def feed(self, data: Bytes) -> None:
        """Message bytes: the whole message, or the body after end_of_headers()."""
        c_data = c_bytes(data, "data")
        self._call(lib.message_feed, c_data, len(c_data))

    def finish(self) -> Verdict:
        """Ends the message and waits for its verdict (no longer than the deadline)."""
        result = ctypes.c_void_p()
        self._call(lib.message_finish, ctypes.byref(result))
        return take_result(result.value)  # type: ignore[arg-type]

    async def finish_async(self) -> Verdict:
        """Ends the message and awaits its verdict (a message of an AsyncAuthenticator)."""
        return await self._authenticator._finish_async(self)

    def cancel(self) -> None:
        """Abandons the message (an SMTP RSET): pending lookups are dropped and every later
        call but close() raises hallmark.Error; harmless when already closed."""
        with self._handle.use() as pointer:
            lib.message_cancel(pointer)

    @property
    def closed(self) -> bool:
        return self._handle.closed

    def close(self) -> None:
        """Frees the message, abandoning what is pending (a finish_async() waiting for it
        raises hallmark.Error); harmless when already closed."""
        handle = getattr(self, "_handle", None)
        if handle is not None:
            handle.close()
            self._authenticator._forget(handle)
            if self._token is not None:
                self._authenticator._message_closed(self)

    def __enter__(self) -> "Message":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __del__(self) -> None:
        self.close()
