# SPDX-License-Identifier: Apache-2.0
"""_Handle: one C handle owned by Python, freed exactly once, never while a call uses it."""

from __future__ import annotations

import contextlib
import threading
from typing import Callable, Iterator, Optional

from ._capi import ERR_STATE, Error


class _Handle:
    """Owns a pointer from a *_new call and the function that frees it.

    Calls borrow the pointer with ``use()``; ``close()`` stops new borrowers, waits for the
    calls under way (ctypes lets go of the GIL during a C call, so another thread may be in
    one) and frees the pointer once. It holds no reference to other Python objects, so a
    garbage collector may finalise it in any order.
    """

    def __init__(self, pointer: int, free: Callable[[int], None], what: str):
        self._pointer: Optional[int] = pointer
        self._free = free
        self._what = what
        self._users = 0
        self._closing = False
        self._condition = threading.Condition(threading.Lock())

    @property
    def closed(self) -> bool:
        return self._closing

    @contextlib.contextmanager
    def use(self) -> Iterator[int]:
        with self._condition:
            if self._closing:
                raise Error(ERR_STATE, f"the {self._what} is closed")
            self._users += 1
        try:
            yield self._pointer
        finally:
            with self._condition:
                self._users -= 1
                if self._users == 0:
                    self._condition.notify_all()

    def close(self) -> None:
        with self._condition:
            self._closing = True
            while self._users:
                self._condition.wait()
            pointer, self._pointer = self._pointer, None
        if pointer is not None:
            self._free(pointer)
