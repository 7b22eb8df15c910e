# SPDX-License-Identifier: Apache-2.0
"""Verdict: everything a hallmark_result holds, copied into Python objects at once."""

from __future__ import annotations

import dataclasses
import functools
import json as _json
from typing import Any, Dict, List, Tuple

from ._capi import DISPOSITIONS, lib, text


@dataclasses.dataclass(frozen=True)
class Verdict:
    """The verdict on one message.

    Strings are the C API's: protocol results by their RFC 8601 names ("pass", "fail",
    "none", ...), an absent check reading "none" and "". ``data`` is ``json`` parsed: the
    object ``hallmark verify --json`` prints, with every detail.
    """

    auth_results: str = dataclasses.field(repr=False)
    json: str = dataclasses.field(repr=False)
    disposition: str
    override_reason: str
    temporary_failure: bool
    score: float
    tags: List[Tuple[str, float]]
    spf: str
    spf_domain: str
    spf_helo: str
    dkim: List[Dict[str, str]]
    arc: str
    dmarc: str
    dmarc_domain: str
    dmarc_policy: str
    iprev: str

    @functools.cached_property
    def data(self) -> Dict[str, Any]:
        return _json.loads(self.json)


def take_result(result: int) -> Verdict:
    """Copies every field of the hallmark_result `result` out, then frees it."""
    try:
        tags = [(text(lib.result_tag_name(result, i)), lib.result_tag_score(result, i))
                for i in range(lib.result_tag_count(result))]
        dkim = [{"result": text(lib.result_dkim(result, i)),
                 "domain": text(lib.result_dkim_domain(result, i)),
                 "selector": text(lib.result_dkim_selector(result, i))}
                for i in range(lib.result_dkim_count(result))]
        disposition = lib.result_disposition(result)
        return Verdict(
            auth_results=text(lib.result_auth_results(result)),
            json=text(lib.result_json(result)),
            disposition=DISPOSITIONS.get(disposition, str(disposition)),
            override_reason=text(lib.result_override_reason(result)),
            temporary_failure=bool(lib.result_temporary_failure(result)),
            score=lib.result_score(result),
            tags=tags,
            spf=text(lib.result_spf(result)),
            spf_domain=text(lib.result_spf_domain(result)),
            spf_helo=text(lib.result_spf_helo(result)),
            dkim=dkim,
            arc=text(lib.result_arc(result)),
            dmarc=text(lib.result_dmarc(result)),
            dmarc_domain=text(lib.result_dmarc_domain(result)),
            dmarc_policy=text(lib.result_dmarc_policy(result)),
            iprev=text(lib.result_iprev(result)),
        )
    finally:
        lib.result_free(result)
