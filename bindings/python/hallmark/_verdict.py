# SPDX-License-Identifier: Apache-2.0
"""Verdict: everything a hallmark_result holds, copied into Python dataclasses at once.

The hallmark_result itself is kept (freed with the Verdict) only because
Authenticator.arc_seal() hands it back to the library, which puts its results into the
ARC-Authentication-Results field.
"""

from __future__ import annotations

import dataclasses
import functools
import json as _json
from typing import Any, Callable, Dict, List, Optional, Tuple

from ._capi import DISPOSITIONS, lib, text


class _Result:
    """Owns one hallmark_result pointer; frees it when collected. Never copied: a copy or a
    pickle of a Verdict shares it, or has none."""

    __slots__ = ("pointer", "_free")

    def __init__(self, pointer: int) -> None:
        self.pointer: Optional[int] = pointer
        self._free: Callable[[int], None] = lib.result_free  # bound now: see Authenticator

    def __del__(self) -> None:
        pointer, self.pointer = self.pointer, None
        if pointer:
            self._free(pointer)

    def __copy__(self) -> "_Result":
        return self

    def __deepcopy__(self, memo: Dict[int, Any]) -> "_Result":
        return self

    def __reduce__(self) -> Tuple[Any, Tuple[()]]:
        return (type(None), ())  # unpickled: no C result


@dataclasses.dataclass(frozen=True)
class SpfResult:
    """SPF (RFC 7208): the MAIL FROM check and the HELO check.

    ``result`` is the MAIL FROM identity's ("pass", "fail", "softfail", "neutral", "none",
    "temperror", "permerror"), ``domain`` the domain checked (the HELO name for the null
    reverse path; "" without a check), ``helo`` the HELO identity's result, and
    ``received_spf`` the Received-SPF field (RFC 7208 9.1, name included, no final line
    break; "" without a MAIL FROM check).
    """

    result: str = "none"
    domain: str = ""
    helo: str = "none"
    received_spf: str = dataclasses.field(default="", repr=False)

    def __str__(self) -> str:
        return self.result


@dataclasses.dataclass(frozen=True)
class DkimResult:
    """One DKIM-Signature field's result (RFC 6376), with its d= and s=."""

    result: str
    domain: str
    selector: str

    def __str__(self) -> str:
        return self.result


@dataclasses.dataclass(frozen=True)
class ArcResult:
    """The ARC chain's validation (RFC 8617): pass, fail or none."""

    result: str = "none"

    def __str__(self) -> str:
        return self.result


@dataclasses.dataclass(frozen=True)
class DmarcResult:
    """DMARC (RFC 7489): the result, the author domain (RFC5322.From), and the policy that
    applied ("none", "quarantine", "reject"; "" when no record applied). What the receiver
    does after local policy is Verdict.disposition."""

    result: str = "none"
    domain: str = ""
    policy: str = ""

    def __str__(self) -> str:
        return self.result


@dataclasses.dataclass(frozen=True)
class Verdict:
    """The verdict on one message.

    Strings are the C API's: protocol results by their RFC 8601 names ("pass", "fail",
    "none", ...), an absent check reading "none" and "". ``auth_results`` is the
    Authentication-Results field (name included, folded with CRLF, no final line break) to
    prepend to the message; ``data`` is ``json`` parsed: the object ``hallmark verify
    --json`` prints, with every detail. ``spf_domain``, ``spf_helo``, ``dmarc_domain`` and
    ``dmarc_policy`` are shorthands for the nested results' fields.
    """

    auth_results: str = dataclasses.field(repr=False)
    disposition: str
    override_reason: str
    temporary_failure: bool
    score: float
    tags: List[Tuple[str, float]]
    spf: SpfResult
    dkim: List[DkimResult]
    arc: ArcResult
    dmarc: DmarcResult
    iprev: str
    _result: Optional[_Result] = dataclasses.field(
        default=None, repr=False, compare=False, hash=False)
    # Made on first use: the JSON costs about as much as the verification itself.
    _json_text: Optional[str] = dataclasses.field(
        default=None, repr=False, compare=False, hash=False)

    @property
    def json(self) -> str:
        """Every result as the JSON object ``hallmark verify --json`` prints."""
        if self._json_text is None:
            pointer = self._result.pointer if self._result is not None else None
            if not pointer:
                raise ValueError("this Verdict no longer has its C result")
            object.__setattr__(self, "_json_text", text(lib.result_json(pointer)))
        return self._json_text  # type: ignore[return-value]

    def __getstate__(self) -> Dict[str, Any]:
        self.json  # made while the C result is here: a pickle does not carry it
        return dict(self.__dict__)

    @functools.cached_property
    def data(self) -> Dict[str, Any]:
        return _json.loads(self.json)  # type: ignore[no-any-return]

    @property
    def spf_domain(self) -> str:
        return self.spf.domain

    @property
    def spf_helo(self) -> str:
        return self.spf.helo

    @property
    def received_spf(self) -> str:
        return self.spf.received_spf

    @property
    def dmarc_domain(self) -> str:
        return self.dmarc.domain

    @property
    def dmarc_policy(self) -> str:
        return self.dmarc.policy


def take_result(pointer: int) -> Verdict:
    """A Verdict with every field of the hallmark_result `pointer` copied; the Verdict owns
    the pointer from now on (also when copying fails: it is freed then)."""
    owner = _Result(pointer)
    r = pointer
    tags = [(text(lib.result_tag_name(r, i)), lib.result_tag_score(r, i))
            for i in range(lib.result_tag_count(r))]
    dkim = [DkimResult(result=text(lib.result_dkim(r, i)),
                       domain=text(lib.result_dkim_domain(r, i)),
                       selector=text(lib.result_dkim_selector(r, i)))
            for i in range(lib.result_dkim_count(r))]
    disposition = lib.result_disposition(r)
    return Verdict(
        auth_results=text(lib.result_auth_results(r)),
        disposition=DISPOSITIONS.get(disposition, str(disposition)),
        override_reason=text(lib.result_override_reason(r)),
        temporary_failure=bool(lib.result_temporary_failure(r)),
        score=lib.result_score(r),
        tags=tags,
        spf=SpfResult(result=text(lib.result_spf(r)), domain=text(lib.result_spf_domain(r)),
                      helo=text(lib.result_spf_helo(r)),
                      received_spf=text(lib.result_received_spf(r))),
        dkim=dkim,
        arc=ArcResult(result=text(lib.result_arc(r))),
        dmarc=DmarcResult(result=text(lib.result_dmarc(r)),
                          domain=text(lib.result_dmarc_domain(r)),
                          policy=text(lib.result_dmarc_policy(r))),
        iprev=text(lib.result_iprev(r)),
        _result=owner,
    )
