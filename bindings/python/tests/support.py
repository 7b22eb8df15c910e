# SPDX-License-Identifier: Apache-2.0
# What the test modules share: the offline demo (examples/demo) with its envelopes, the
# options of its receiver, the CLI as reference, and message helpers.
#
# Environment (ctest sets them): HALLMARK_LIBRARY, the libhallmark-c.so.1 to load;
# HALLMARK_CLI, the hallmark tool the results are compared with (those tests are skipped
# without it); HALLMARK_SOURCE_DIR, the checkout (default: three levels above this file);
# HALLMARK_BUILD_DIR, the build directory (for the library search tests).
from __future__ import annotations

import json
import os
import re
import subprocess
from pathlib import Path
from typing import List, NamedTuple, Tuple

import pytest

import hallmark

SOURCE_DIR = Path(os.environ.get("HALLMARK_SOURCE_DIR")
                  or Path(__file__).resolve().parents[3])
DEMO = SOURCE_DIR / "examples" / "demo"
CLI = os.environ.get("HALLMARK_CLI")
AUTHSERV_ID = "mx.example.org"


class Envelope(NamedTuple):
    file: str
    ip: str
    helo: str
    mail_from: str  # "" for the null reverse path
    rcpt: str

    def message(self) -> bytes:
        return (DEMO / self.file).read_bytes()


def read_envelopes() -> List[Envelope]:
    envelopes = []
    for line in (DEMO / "envelopes").read_text().splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        file, ip, helo, mail_from, rcpt = line.split()
        envelopes.append(Envelope(file, ip, helo, "" if mail_from == "<>" else mail_from, rcpt))
    return envelopes


ENVELOPES = read_envelopes()
by_file = pytest.mark.parametrize("envelope", ENVELOPES, ids=[e.file for e in ENVELOPES])


def envelope_of(file: str) -> Envelope:
    return next(e for e in ENVELOPES if e.file == file)


def receiver_options(**changes) -> hallmark.Options:
    """The demo's receiver without its DNS: authserv-id and the three allow lists."""
    return hallmark.Options(
        authserv_id=AUTHSERV_ID, allow_dmarc_file=DEMO / "allow-dmarc",
        allow_spf_dkim_file=DEMO / "allow-spf-dkim",
        trusted_arc_file=DEMO / "trusted-arc").replace(**changes)


def demo_options(**changes) -> hallmark.Options:
    """The demo's receiver with the demo zone as its DNS."""
    return receiver_options(zone_files=[DEMO / "demo.zone"]).replace(**changes)


def verify(auth, envelope: Envelope) -> hallmark.Verdict:
    return auth.verify(envelope.message(), ip=envelope.ip, helo=envelope.helo,
                       mail_from=envelope.mail_from, rcpt_to=envelope.rcpt)


def cli_verdict(envelope: Envelope) -> dict:
    """What `hallmark verify --json` says, with the arguments of examples/demo/run."""
    if not CLI:
        pytest.skip("HALLMARK_CLI is not set: no reference to compare with")
    done = subprocess.run(
        [CLI, "verify", "--json", "--ip", envelope.ip, "--helo", envelope.helo,
         "--mail-from", envelope.mail_from, "--rcpt", envelope.rcpt,
         "--zone", str(DEMO / "demo.zone"), "--authserv-id", AUTHSERV_ID,
         "--allow-dmarc", str(DEMO / "allow-dmarc"),
         "--allow-spf-dkim", str(DEMO / "allow-spf-dkim"),
         "--trusted-arc", str(DEMO / "trusted-arc"), str(DEMO / envelope.file)],
        capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def unfold(field: str) -> str:
    return re.sub(r"\r\n[ \t]+", " ", field)


def split_message(raw: bytes) -> Tuple[List[Tuple[bytes, bytes]], bytes]:
    """(name, value) per header field, value folded as it came, and the body. The demo's
    messages mix CRLF and LF line ends; either ends a line."""
    end = re.search(rb"\r?\n\r?\n", raw)
    assert end is not None
    head, body = raw[:end.start()], raw[end.end():]
    fields = []
    for field in re.split(rb"\r?\n(?![ \t])", head):
        name, _, value = field.partition(b":")
        fields.append((name, value.lstrip(b" ")))
    return fields, body


def prepend(fields: str, message: bytes) -> bytes:
    """Header fields (a signature, an ARC set) put on top of a message, as a signer does."""
    return fields.encode("ascii") + message


class Ledger:
    """Wraps the C API's constructors and free functions: every handle made is freed exactly
    once, and a ctx only after its messages. Results are counted where the package takes
    them over (hallmark._verdict._Result, whichever call or callback made them)."""

    def __init__(self, monkeypatch) -> None:
        from hallmark import _capi, _verdict
        self.live = {}  # pointer -> (kind, ctx of a message)
        self.made = {}  # kind -> count
        self.errors = []
        lib = _capi.lib
        wrap = monkeypatch.setattr

        def made(kind, pointer, parent=None):
            if pointer in self.live:
                self.errors.append(f"{kind} {pointer:#x} made while live")
            self.live[pointer] = (kind, parent)
            self.made[kind] = self.made.get(kind, 0) + 1

        def freed(kind, pointer):
            if pointer is None:
                return
            if self.live.get(pointer, (None,))[0] != kind:
                self.errors.append(f"{kind} {pointer:#x} freed but not live")
                return
            if kind == "ctx" and any(p == pointer for _, p in self.live.values()):
                self.errors.append(f"ctx {pointer:#x} freed before its messages")
            del self.live[pointer]

        def out_value(out):
            return out._obj.value

        real = {name: getattr(lib, name) for name in (
            "options_new", "options_free", "ctx_new", "ctx_free", "message_new",
            "message_free", "result_free", "key_generate", "key_load", "key_free",
            "signer_new", "signer_free")}

        def options_new():
            pointer = real["options_new"]()
            made("options", pointer)
            return pointer

        def out_maker(name, kind, parent_argument=None):
            def function(*args):
                status = real[name](*args)
                if status == 0:
                    made(kind, out_value(args[-1]),
                         None if parent_argument is None else args[parent_argument])
                return status
            return function

        def free(kind):
            def function(pointer):
                freed(kind, pointer)
                real[f"{kind}_free"](pointer)
            return function

        real_result_init = _verdict._Result.__init__

        def result_init(holder, pointer):
            made("result", pointer)
            real_result_init(holder, pointer)

        for name, function in (("options_new", options_new),
                               ("ctx_new", out_maker("ctx_new", "ctx")),
                               ("message_new", out_maker("message_new", "message", 0)),
                               ("key_generate", out_maker("key_generate", "key")),
                               ("key_load", out_maker("key_load", "key")),
                               ("signer_new", out_maker("signer_new", "signer")),
                               ("options_free", free("options")), ("ctx_free", free("ctx")),
                               ("message_free", free("message")),
                               ("result_free", free("result")), ("key_free", free("key")),
                               ("signer_free", free("signer"))):
            wrap(lib, name, function)
        wrap(_verdict._Result, "__init__", result_init)

    def check(self) -> None:
        """Every handle made so far was freed once, in order."""
        import gc
        gc.collect()
        assert self.errors == []
        assert self.live == {}
