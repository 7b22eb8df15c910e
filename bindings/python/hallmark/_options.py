# SPDX-License-Identifier: Apache-2.0
"""Options: the settings of an authenticator, applied to a hallmark_options when one is made."""

from __future__ import annotations

import os
from typing import Any, Iterable, Optional, Tuple

from ._capi import (PathArg, c_path, c_string, c_uint, c_ulong, fail, lib, text)
from ._handle import _Handle


def check_options(status: int, options: int) -> None:
    """Raises Error for a failed call on `options`, with the options' error text."""
    if status != 0:
        fail(status, text(lib.options_error(options)))


def _paths(value: Iterable[Any], what: str) -> Tuple[Any, ...]:
    if isinstance(value, (str, bytes, os.PathLike)):
        raise TypeError(f"{what} must be a list of paths, not a single {type(value).__name__}")
    return tuple(value)


class Options:
    """The settings of an Authenticator; what is not given keeps the library's default.

    Keywords: authserv_id (str), deadline_ms, max_dns_queries, max_dkim_signatures,
    max_arc_sets, max_header_bytes, max_header_fields (int), check_helo, iprev (bool),
    zone_files (paths: offline DNS from zone fixtures), dns_servers ("192.0.2.53",
    "192.0.2.53:5353", "[2001:db8::53]:5353"), dns_timeout_ms, dns_tries (int), score_file,
    allow_dmarc_file, allow_spf_dkim_file, trusted_arc_file (paths; None for none).

    A value the library refuses (deadline_ms=0) raises hallmark.Error here; files are read
    when an Authenticator is made from the options.
    """

    _KEYWORDS = ("authserv_id", "deadline_ms", "max_dns_queries", "max_dkim_signatures",
                 "max_arc_sets", "max_header_bytes", "max_header_fields", "check_helo", "iprev",
                 "zone_files", "dns_servers", "dns_timeout_ms", "dns_tries", "score_file",
                 "allow_dmarc_file", "allow_spf_dkim_file", "trusted_arc_file")

    def __init__(self, *, authserv_id: Optional[str] = None,
                 deadline_ms: Optional[int] = None, max_dns_queries: Optional[int] = None,
                 max_dkim_signatures: Optional[int] = None, max_arc_sets: Optional[int] = None,
                 max_header_bytes: Optional[int] = None,
                 max_header_fields: Optional[int] = None,
                 check_helo: Optional[bool] = None, iprev: Optional[bool] = None,
                 zone_files: Iterable[PathArg] = (), dns_servers: Iterable[str] = (),
                 dns_timeout_ms: Optional[int] = None, dns_tries: Optional[int] = None,
                 score_file: Optional[PathArg] = None,
                 allow_dmarc_file: Optional[PathArg] = None,
                 allow_spf_dkim_file: Optional[PathArg] = None,
                 trusted_arc_file: Optional[PathArg] = None) -> None:
        self.authserv_id = authserv_id
        self.deadline_ms = deadline_ms
        self.max_dns_queries = max_dns_queries
        self.max_dkim_signatures = max_dkim_signatures
        self.max_arc_sets = max_arc_sets
        self.max_header_bytes = max_header_bytes
        self.max_header_fields = max_header_fields
        self.check_helo = check_helo
        self.iprev = iprev
        self.zone_files: Tuple[PathArg, ...] = _paths(zone_files, "zone_files")
        self.dns_servers: Tuple[str, ...] = _paths(dns_servers, "dns_servers")
        self.dns_timeout_ms = dns_timeout_ms
        self.dns_tries = dns_tries
        self.score_file = score_file
        self.allow_dmarc_file = allow_dmarc_file
        self.allow_spf_dkim_file = allow_spf_dkim_file
        self.trusted_arc_file = trusted_arc_file
        self._new_handle().close()  # every value checked by the library now

    def replace(self, **changes: Any) -> "Options":
        """A copy with `changes` (the constructor's keywords) applied."""
        values = {name: getattr(self, name) for name in self._KEYWORDS}
        values.update(changes)
        return Options(**values)

    def __repr__(self) -> str:
        given = [f"{name}={getattr(self, name)!r}" for name in self._KEYWORDS
                 if getattr(self, name) not in (None, ())]
        return f"Options({', '.join(given)})"

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Options):
            return NotImplemented
        return all(getattr(self, n) == getattr(other, n) for n in self._KEYWORDS)

    __hash__ = None  # type: ignore[assignment]  # mutable

    def _new_handle(self, event_loop: bool = False) -> _Handle:
        """A hallmark_options with every setting applied; the caller closes it."""
        pointer = lib.options_new()
        if not pointer:
            raise MemoryError("hallmark_options_new() failed")
        handle = _Handle(pointer, lib.options_free, "options")
        try:
            self._apply(pointer)
            if event_loop:
                check_options(lib.options_set_event_loop(pointer, 1), pointer)
        except BaseException:
            handle.close()
            raise
        return handle

    def _apply(self, o: int) -> None:
        if self.authserv_id is not None:
            check_options(lib.options_set_authserv_id(
                o, c_string(self.authserv_id, "authserv_id")), o)
        if self.deadline_ms is not None:
            check_options(lib.options_set_deadline_ms(
                o, c_ulong(self.deadline_ms, "deadline_ms")), o)
        if self.max_dns_queries is not None:
            check_options(lib.options_set_max_dns_queries(
                o, c_ulong(self.max_dns_queries, "max_dns_queries")), o)
        # hallmark_limit values, as hallmark.h numbers them.
        for limit, name in ((1, "max_dkim_signatures"), (2, "max_arc_sets"),
                            (3, "max_header_bytes"), (4, "max_header_fields")):
            value = getattr(self, name)
            if value is not None:
                check_options(lib.options_set_limit(o, limit, c_ulong(value, name)), o)
        if self.check_helo is not None:
            check_options(lib.options_set_check_helo(o, 1 if self.check_helo else 0), o)
        if self.iprev is not None:
            check_options(lib.options_set_iprev(o, 1 if self.iprev else 0), o)
        for path in self.zone_files:
            check_options(lib.options_add_zone_file(o, c_path(path, "zone file")), o)
        for server in self.dns_servers:
            check_options(lib.options_add_dns_server(o, c_string(server, "DNS server")), o)
        if self.dns_timeout_ms is not None:
            check_options(lib.options_set_dns_timeout_ms(
                o, c_ulong(self.dns_timeout_ms, "dns_timeout_ms")), o)
        if self.dns_tries is not None:
            check_options(lib.options_set_dns_tries(
                o, c_uint(self.dns_tries, "dns_tries")), o)
        for setter, name in ((lib.options_set_score_file, "score_file"),
                             (lib.options_set_allow_dmarc_file, "allow_dmarc_file"),
                             (lib.options_set_allow_spf_dkim_file, "allow_spf_dkim_file"),
                             (lib.options_set_trusted_arc_file, "trusted_arc_file")):
            path = getattr(self, name)
            if path is not None:
                check_options(setter(o, c_path(path, name)), o)
