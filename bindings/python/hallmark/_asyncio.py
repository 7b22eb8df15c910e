# SPDX-License-Identifier: Apache-2.0
"""AsyncAuthenticator: a hallmark_ctx whose DNS runs on the asyncio event loop.

The ctx is made with hallmark_options_set_event_loop(1): c-ares runs on no thread of its own,
and the ctx tells which sockets to watch (hallmark_ctx_watches) and how long to wait
(hallmark_ctx_timeout_ms). The authenticator registers those sockets with the running loop
(add_reader/add_writer) and keeps one timer; on either it calls hallmark_ctx_process(), and
after every call on the ctx it brings the registrations up to date, since the set of sockets
changes (c-ares opens them for queries and closes them when none are left). Verdicts come
through hallmark_message_finish_async()'s callback, which resolves an asyncio Future: many
messages are verified at once on one loop and one thread.
"""

from __future__ import annotations

import asyncio
import itertools
import os
import threading
from typing import Any, Dict, List, Optional, Tuple

from . import _capi
from ._authenticator import Message, Recipients, _Base
from ._capi import (DONE_FN, WATCH_READ, WATCH_WRITE, Bytes, Error, Text, int_array, lib,
                    strerror)
from ._keys import Signer
from ._options import Options
from ._verdict import Verdict, take_result

# The futures of finish_async() calls under way, by the token given to the library as the
# callback's `user`. One callback object for the whole process: ctypes must keep it alive as
# long as the library may call it, and a module global lives as long as the library.
_tokens = itertools.count(1)
_waiters: Dict[int, "asyncio.Future[Verdict]"] = {}


def _settle(future: "asyncio.Future[Verdict]", verdict: Optional[Verdict],
            error: Optional[BaseException]) -> None:
    if future.done():  # cancelled meanwhile: a verdict is dropped (and freed) here
        return
    if error is not None:
        future.set_exception(error)
    else:
        future.set_result(verdict)  # type: ignore[arg-type]


def _settle_from_anywhere(future: "asyncio.Future[Verdict]", error: BaseException) -> None:
    """_settle(), on the future's loop's thread whichever thread this runs on."""
    loop = future.get_loop()
    try:
        running = asyncio.get_running_loop()
    except RuntimeError:
        running = None
    if running is loop:
        _settle(future, None, error)
    elif not loop.is_closed():
        loop.call_soon_threadsafe(_settle, future, None, error)


def _on_done(user: Optional[int], message: Optional[int], result: Optional[int]) -> None:
    """hallmark_done_fn: runs on the loop's thread, from hallmark_ctx_process() or from the
    call that finished the message. Never raises into the library."""
    try:
        future = _waiters.pop(user or 0, None)
        if future is None:  # abandoned (task cancelled): free the verdict
            if result:
                lib.result_free(result)
            return
        if not result:
            _settle(future, None, MemoryError("hallmark: no memory for a verdict"))
            return
        verdict = take_result(result)
        _settle(future, verdict, None)
    except BaseException as e:  # noqa: BLE001 - reported through the loop
        try:
            asyncio.get_running_loop().call_exception_handler(
                {"message": "hallmark: verdict callback failed", "exception": e})
        except BaseException:  # noqa: BLE001 - no loop: nothing more to do
            pass


_DONE = DONE_FN(_on_done)


def _inode(fd: int) -> Tuple[int, int]:
    """What tells one socket from another that got the same descriptor number later."""
    try:
        info = os.fstat(fd)
    except OSError:
        return (-1, -1)
    return (info.st_dev, info.st_ino)


class AsyncAuthenticator(_Base):
    """An authenticator for asyncio: ``await verify_async(...)`` verifies many messages at
    once on one event loop, the DNS lookups of all of them going through the loop.

    Options as for Authenticator (``dns_servers`` for the servers to ask; with
    ``zone_files`` every answer is at hand and verdicts come at once). The ctx is used from
    one thread only: the one that made the AsyncAuthenticator, where its loop must run; a
    call from another thread raises hallmark.Error. It attaches to the running loop on first
    use, and may move to another loop (a later asyncio.run()) when nothing is under way.

    ``verify()``, ``spf_check()`` and ``arc_seal()`` are there too but block (the library
    has no asynchronous form of the last two): with real DNS they hold the loop up to the
    deadline. Use ``async with`` or close() to free it.
    """

    _event_loop = True

    def __init__(self, options: Optional[Options] = None, **keywords: Any) -> None:
        self._thread = threading.get_ident()
        self._loop: Optional[asyncio.AbstractEventLoop] = None
        self._readers: Dict[int, Tuple[int, int]] = {}  # fd -> _inode(fd)
        self._writers: Dict[int, Tuple[int, int]] = {}
        self._timer: Optional[asyncio.TimerHandle] = None
        self._timer_at = 0.0
        self._pending: Dict[int, Message] = {}  # token -> message finishing
        self._watch_buffer = (_capi.Watch * 8)()
        self._closing = False
        super().__init__(options, **keywords)

    # ---- thread and loop -------------------------------------------------------------------

    def _check_thread(self) -> None:
        if threading.get_ident() != self._thread:
            raise Error(_capi.ERR_STATE,
                        "an AsyncAuthenticator is used from the thread that made it (the "
                        "thread of its event loop)")

    def _bind(self, loop: asyncio.AbstractEventLoop) -> None:
        if self._loop is loop:
            return
        if self._pending:
            raise Error(_capi.ERR_STATE, "the AsyncAuthenticator is waiting for verdicts on "
                                         "another event loop")
        # Its sockets move to this loop (the other one does not run: one thread).
        self._unregister()
        self._loop = loop

    def _after_call(self) -> None:
        if self._closing:
            return
        if self._loop is None or self._loop.is_closed():
            try:
                loop = asyncio.get_running_loop()
            except RuntimeError:
                return  # not on a loop yet: finish_async() will register what is pending
            self._bind(loop)
        self._sync()

    # ---- the loop's side: sockets, timer, process ------------------------------------------

    def _watches(self, ctx: int) -> List[Tuple[int, int]]:
        while True:
            count = lib.ctx_watches(ctx, self._watch_buffer, len(self._watch_buffer))
            if count <= len(self._watch_buffer):
                return [(w.fd, w.events) for w in self._watch_buffer[:count]]
            self._watch_buffer = (_capi.Watch * (2 * count))()

    def _sync(self) -> None:
        """Brings the loop's readers, writers and timer in line with the ctx's wishes."""
        loop = self._loop
        if loop is None or loop.is_closed() or self._handle.closed:
            return
        with self._handle.use() as ctx:
            watches = self._watches(ctx)
            timeout = lib.ctx_timeout_ms(ctx)
        want_read: Dict[int, Tuple[int, int]] = {}
        want_write: Dict[int, Tuple[int, int]] = {}
        for fd, events in watches:
            identity = _inode(fd)
            if events & WATCH_READ:
                want_read[fd] = identity
            if events & WATCH_WRITE:
                want_write[fd] = identity
        for have, want, reading in ((self._readers, want_read, True),
                                    (self._writers, want_write, False)):
            remove = loop.remove_reader if reading else loop.remove_writer
            add = loop.add_reader if reading else loop.add_writer
            for fd in [fd for fd, identity in have.items() if want.get(fd) != identity]:
                # Gone, or closed and the number reused for another socket (which the
                # loop's selector has not seen).
                remove(fd)
                del have[fd]
            for fd, identity in want.items():
                if fd not in have:
                    add(fd, self._on_socket, fd, reading)
                    have[fd] = identity
        if timeout < 0:
            if self._timer is not None:
                self._timer.cancel()
                self._timer = None
            return
        at = loop.time() + timeout / 1000.0
        if self._timer is not None:
            if abs(self._timer_at - at) < 0.001:
                return
            self._timer.cancel()
        self._timer_at = at
        self._timer = loop.call_at(at, self._on_timer)

    def _process(self, readable: List[int], writable: List[int]) -> None:
        if self._handle.closed:
            return
        try:
            with self._handle.use() as ctx:
                status = lib.ctx_process(ctx, int_array(readable), len(readable),
                                         int_array(writable), len(writable))
            if status != _capi.OK:
                raise Error(status, f"hallmark_ctx_process(): {strerror(status)}")
        except Exception as e:  # noqa: BLE001 - reported through the loop, which goes on
            if self._loop is not None:
                self._loop.call_exception_handler(
                    {"message": "hallmark: processing DNS failed", "exception": e})
        finally:
            self._sync()

    def _on_socket(self, fd: int, readable: bool) -> None:
        if readable:
            self._process([fd], [])
        else:
            self._process([], [fd])

    def _on_timer(self) -> None:
        self._timer = None
        self._process([], [])

    def _unregister(self) -> None:
        loop = self._loop
        if loop is not None and not loop.is_closed():
            for fd in self._readers:
                loop.remove_reader(fd)
            for fd in self._writers:
                loop.remove_writer(fd)
        if self._timer is not None:
            self._timer.cancel()
        self._readers.clear()
        self._writers.clear()
        self._timer = None

    # ---- verdicts --------------------------------------------------------------------------

    async def _finish_async(self, message: Message) -> Verdict:
        self._check_thread()
        loop = asyncio.get_running_loop()
        self._bind(loop)
        if message._token is not None:
            raise Error(_capi.ERR_STATE, "the message is already finishing")
        future: "asyncio.Future[Verdict]" = loop.create_future()
        token = next(_tokens)
        _waiters[token] = future
        self._pending[token] = message
        message._token = token
        try:
            # The callback may run before this returns (every answer at hand): the future
            # is then done already.
            message._call(lib.message_finish_async, _DONE, token)
            return await future
        finally:
            _waiters.pop(token, None)
            self._pending.pop(token, None)
            message._token = None

    def _message_closed(self, message: Message) -> None:
        token = message._token
        if token is None:
            return
        future = _waiters.pop(token, None)
        if future is not None:
            _settle_from_anywhere(future, Error(
                _capi.ERR_STATE, "the message was closed before its verdict came"))

    async def verify_async(self, message: Bytes, *, ip: Optional[Text] = None,
                           helo: Optional[Text] = None, mail_from: Optional[Text] = None,
                           rcpt_to: Recipients = None) -> Verdict:
        """The verdict on a whole message (bytes), awaited: the envelope and the message go
        through a hallmark_message, then hallmark_message_finish_async(). Arguments as
        Authenticator.verify(); the verdict is the same. Cancelling the awaiting task
        abandons the message's lookups."""
        with self._start(message, ip, helo, mail_from, rcpt_to) as m:
            return await m.finish_async()

    def verify(self, message: Bytes, *, ip: Optional[Text] = None,
               helo: Optional[Text] = None, mail_from: Optional[Text] = None,
               rcpt_to: Recipients = None) -> Verdict:
        """Authenticator.verify(), blocking the loop until the verdict (prefer
        verify_async())."""
        with self._start(message, ip, helo, mail_from, rcpt_to) as m:
            return m.finish()

    def _seal(self, message: Bytes, signer: Signer, verdict: Optional[Verdict]) -> str:
        try:
            return super()._seal(message, signer, verdict)
        finally:
            # hallmark_arc_seal() drives c-ares itself while it waits, which may complete
            # other messages' verdicts; it does not hand them over, and
            # hallmark_ctx_timeout_ms() does not count them. A process call with nothing to
            # read delivers them.
            self._process([], [])

    # ---- closing ---------------------------------------------------------------------------

    def close(self) -> None:
        """Frees the ctx, its messages and signers; a verify_async() waiting raises
        hallmark.Error. Harmless when already closed."""
        if getattr(self, "_closing", True):
            # Never initialised this far, or closed: the rest is the base's.
            super().close()
            return
        self._closing = True
        for token, message in list(self._pending.items()):
            future = _waiters.pop(token, None)
            if future is not None:
                _settle_from_anywhere(future, Error(
                    _capi.ERR_STATE, "the authenticator was closed before the verdict came"))
        if threading.get_ident() == self._thread or self._loop is None \
                or self._loop.is_closed():
            self._unregister()
        super().close()

    async def __aenter__(self) -> "AsyncAuthenticator":
        return self

    async def __aexit__(self, *exc: object) -> None:
        self.close()

    def __enter__(self) -> "AsyncAuthenticator":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
