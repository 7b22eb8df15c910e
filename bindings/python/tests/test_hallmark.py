# SPDX-License-Identifier: Apache-2.0
# The Python bindings: the offline demo (examples/demo) verified through them must give what
# `hallmark verify --json` gives; streamed and whole messages the same verdict; errors raised
# as hallmark.Error; every C handle freed exactly once.
#
# Environment (ctest sets all three): HALLMARK_LIBRARY, the libhallmark-c.so.1 to load;
# HALLMARK_CLI, the hallmark tool the results are compared with (those tests are skipped
# without it); HALLMARK_SOURCE_DIR, the checkout (default: three levels above this file).
import gc
import json
import os
import re
import subprocess
import sys
import threading
from pathlib import Path
from typing import NamedTuple

import pytest

import hallmark
from hallmark import _capi

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


def read_envelopes():
    envelopes = []
    for line in (DEMO / "envelopes").read_text().splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        file, ip, helo, mail_from, rcpt = line.split()
        envelopes.append(Envelope(file, ip, helo, "" if mail_from == "<>" else mail_from, rcpt))
    return envelopes


ENVELOPES = read_envelopes()
by_file = pytest.mark.parametrize("envelope", ENVELOPES, ids=[e.file for e in ENVELOPES])


def demo_options(**changes) -> hallmark.Options:
    return hallmark.Options(
        authserv_id=AUTHSERV_ID, zone_files=[DEMO / "demo.zone"],
        allow_dmarc_file=DEMO / "allow-dmarc", allow_spf_dkim_file=DEMO / "allow-spf-dkim",
        trusted_arc_file=DEMO / "trusted-arc").replace(**changes)


@pytest.fixture(scope="module")
def auth():
    with hallmark.Authenticator(demo_options()) as authenticator:
        yield authenticator


def verify(auth, envelope: Envelope) -> hallmark.Verdict:
    return auth.verify(envelope.message(), ip=envelope.ip, helo=envelope.helo,
                       mail_from=envelope.mail_from)


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


def split_message(raw: bytes):
    """(name, value) per header field, value folded as it came, and the body. The demo's
    messages mix CRLF and LF line ends; either ends a line."""
    end = re.search(rb"\r?\n\r?\n", raw)
    head, body = raw[:end.start()], raw[end.end():]
    fields = []
    for field in re.split(rb"\r?\n(?![ \t])", head):
        name, _, value = field.partition(b":")
        fields.append((name, value.lstrip(b" ")))
    return fields, body


# ---- the demo, against the CLI -------------------------------------------------------------

def test_demo_envelopes_are_read():
    assert len(ENVELOPES) >= 7
    assert {e.file for e in ENVELOPES} >= {"signed.eml", "forwarded.eml", "spoof.eml"}


@by_file
def test_demo_json_equals_cli(auth, envelope):
    verdict = verify(auth, envelope)
    expected = cli_verdict(envelope)
    expected.pop("message")  # the CLI adds the file's name
    assert verdict.data == expected
    assert json.loads(verdict.json) == verdict.data


@by_file
def test_demo_fields_equal_cli(auth, envelope):
    verdict = verify(auth, envelope)
    cli = cli_verdict(envelope)
    assert verdict.auth_results.startswith(f"Authentication-Results: {AUTHSERV_ID};")
    assert "\r\n" in verdict.auth_results and not verdict.auth_results.endswith("\n")
    assert unfold(verdict.auth_results) == cli["authentication_results"]
    assert verdict.disposition == cli["disposition"]
    assert verdict.override_reason == cli["override_reason"]
    assert verdict.score == pytest.approx(cli["score"])
    assert verdict.tags == [(t["name"], pytest.approx(t["score"])) for t in cli["tags"]]
    assert verdict.spf == cli["spf"]["mail_from"]["result"]
    assert verdict.spf_domain == cli["spf"]["mail_from"]["domain"]
    assert verdict.spf_helo == cli["spf"]["helo"]["result"]
    assert verdict.dkim == [{"result": d["result"], "domain": d["domain"],
                             "selector": d["selector"]} for d in cli["dkim"]]
    assert verdict.arc == cli["arc"]["result"]
    assert verdict.dmarc == cli["dmarc"]["result"]
    assert verdict.dmarc_domain == cli["dmarc"]["author_domain"]
    assert verdict.dmarc_policy == (cli["dmarc"]["policy"] if cli["dmarc"]["record"] else "")
    assert verdict.iprev == "none"  # not asked for
    assert verdict.temporary_failure is False  # every answer is in the zone file


def test_demo_stories(auth):
    # The envelopes file's stories, as a check that does not need the CLI.
    verdicts = {e.file: verify(auth, e) for e in ENVELOPES}
    signed = verdicts["signed.eml"]
    assert (signed.spf, signed.dmarc, signed.disposition) == ("pass", "pass", "none")
    assert signed.dkim == [{"result": "pass", "domain": "example.com", "selector": "demo"}]
    forwarded = verdicts["forwarded.eml"]
    assert (forwarded.arc, forwarded.dmarc, forwarded.disposition) == ("pass", "fail", "none")
    assert forwarded.override_reason == "trusted_forwarder"
    assert verdicts["spoof.eml"].disposition == "reject"
    assert verdicts["testing.eml"].disposition == "quarantine"
    assert verdicts["toomanylookups.eml"].spf == "permerror"
    assert verdicts["revoked.eml"].disposition == "quarantine"
    assert "BLOCKLIST_DMARC" in dict(verdicts["allowlisted.eml"].tags)


# ---- streaming ------------------------------------------------------------------------------

def stream(auth, envelope: Envelope, pieces) -> hallmark.Verdict:
    with auth.message() as message:
        message.set_client(envelope.ip)
        message.set_helo(envelope.helo)
        message.set_mail_from(envelope.mail_from)
        message.add_recipient(envelope.rcpt)
        for piece in pieces:
            message.feed(piece)
        return message.finish()


@by_file
@pytest.mark.parametrize("size", [1, 7, 64, 100000])
def test_streamed_equals_whole(auth, envelope, size):
    raw = envelope.message()
    pieces = [raw[i:i + size] for i in range(0, len(raw), size)]
    assert stream(auth, envelope, pieces) == verify(auth, envelope)


def test_streamed_split_at_every_offset(auth):
    envelope = next(e for e in ENVELOPES if e.file == "signed.eml")
    raw = envelope.message()
    whole = verify(auth, envelope)
    for cut in range(len(raw) + 1):
        verdict = stream(auth, envelope, [raw[:cut], raw[cut:]])
        assert verdict == whole, f"split at {cut}"


@by_file
def test_header_fields_one_by_one_equal_whole(auth, envelope):
    fields, body = split_message(envelope.message())
    with auth.message() as message:
        message.set_client(envelope.ip)
        message.set_helo(envelope.helo)
        message.set_mail_from(envelope.mail_from)
        message.add_recipient(envelope.rcpt)
        for i, (name, value) in enumerate(fields):
            if i % 2:  # both kinds of argument
                message.add_header(name.decode(), value.decode())
            else:
                message.add_header(name, value)
        message.end_of_headers()
        message.feed(body)
        verdict = message.finish()
    assert verdict == verify(auth, envelope)


def test_bytes_like_messages(auth):
    envelope = ENVELOPES[0]
    raw = envelope.message()
    whole = verify(auth, envelope)
    for data in (bytearray(raw), memoryview(raw)):
        verdict = auth.verify(data, ip=envelope.ip, helo=envelope.helo,
                              mail_from=envelope.mail_from)
        assert verdict == whole


def test_without_envelope_no_spf(auth):
    verdict = auth.verify(ENVELOPES[0].message())
    assert verdict.spf == "none" and verdict.spf_domain == ""
    assert verdict.dkim[0]["result"] == "pass"


def test_null_reverse_path(auth):
    envelope = ENVELOPES[0]._replace(mail_from="")
    whole = verify(auth, envelope)
    streamed = stream(auth, envelope, [envelope.message()])
    # RFC 7208 2.4: with no MAIL FROM, SPF checks postmaster@ the HELO name.
    assert whole.spf_domain == envelope.helo
    for verdict in (whole, streamed):
        assert (verdict.spf, verdict.spf_domain, verdict.spf_helo) == (
            whole.spf, whole.spf_domain, whole.spf_helo)
        assert verdict.auth_results.count("smtp.mailfrom=") == 0


def test_null_reverse_path_streamed_equals_whole(auth):
    envelope = ENVELOPES[0]._replace(mail_from="")
    streamed = stream(auth, envelope, [envelope.message()])
    assert streamed.auth_results.count("smtp.helo=") == 1
    assert streamed == verify(auth, envelope)


# ---- errors ---------------------------------------------------------------------------------

def test_bad_zone_file_names_it(tmp_path):
    zone = tmp_path / "broken.zone"
    zone.write_text("$ORIGIN example.com.\n@ IN TXT \"v=spf1 -all\"\nthis is no record\n")
    with pytest.raises(hallmark.Error) as raised:
        hallmark.Authenticator(zone_files=[zone])
    assert str(zone) in raised.value.message
    assert raised.value.status == "HALLMARK_ERR_SYNTAX"
    assert raised.value.code == 4
    assert str(zone) in str(raised.value)


def test_missing_files_are_named(tmp_path):
    missing = tmp_path / "nowhere.zone"
    with pytest.raises(hallmark.Error) as raised:
        hallmark.Authenticator(zone_files=[missing])
    assert str(missing) in raised.value.message
    assert raised.value.status == "HALLMARK_ERR_IO"
    missing_list = tmp_path / "no-such-list"
    with pytest.raises(hallmark.Error) as raised:
        hallmark.Authenticator(demo_options(allow_dmarc_file=missing_list))
    assert str(missing_list) in raised.value.message


def test_bad_ip(auth):
    with auth.message() as message:
        with pytest.raises(hallmark.Error) as raised:
            message.set_client("192.0.2.300")
        assert raised.value.status == "HALLMARK_ERR_INVALID_ARGUMENT"
        assert "client address" in raised.value.message
    with pytest.raises(hallmark.Error) as raised:
        auth.verify(ENVELOPES[0].message(), ip="not-an-ip", helo="h", mail_from="a@b")
    assert raised.value.status == "HALLMARK_ERR_INVALID_ARGUMENT"
    assert "not-an-ip" in raised.value.message


def test_raw_bytes_then_fields(auth):
    with auth.message() as message:
        message.feed(b"From: a@example.com\n")
        with pytest.raises(hallmark.Error) as raised:
            message.add_header("Subject", "one way or the other")
        assert raised.value.status == "HALLMARK_ERR_STATE"


def test_empty_header_name(auth):
    with auth.message() as message:
        with pytest.raises(hallmark.Error) as raised:
            message.add_header("", "value")
        assert raised.value.status == "HALLMARK_ERR_INVALID_ARGUMENT"


def test_feed_after_finish(auth):
    with auth.message() as message:
        message.feed(ENVELOPES[0].message())
        message.finish()
        with pytest.raises(hallmark.Error) as raised:
            message.feed(b"more")
        assert raised.value.status == "HALLMARK_ERR_STATE"
        assert "after hallmark_message_finish()" in raised.value.message
        for call in (lambda: message.finish(), lambda: message.set_helo("x"),
                     lambda: message.add_header("X-A", "b")):
            with pytest.raises(hallmark.Error) as raised:
                call()
            assert raised.value.status == "HALLMARK_ERR_STATE"


def test_header_after_end_of_headers(auth):
    with auth.message() as message:
        message.add_header("From", "a@example.com")
        message.end_of_headers()
        with pytest.raises(hallmark.Error) as raised:
            message.add_header("Subject", "late")
        assert raised.value.status == "HALLMARK_ERR_STATE"
        with pytest.raises(hallmark.Error):
            message.end_of_headers()
        message.feed(b"body\n")  # still usable after refused calls
        assert message.finish().dmarc_domain == "example.com"


def test_values_the_library_refuses():
    for keywords in ({"deadline_ms": 0}, {"max_dns_queries": 0}):
        with pytest.raises(hallmark.Error) as raised:
            hallmark.Options(**keywords)
        assert raised.value.status == "HALLMARK_ERR_INVALID_ARGUMENT"
        assert raised.value.message
    # Not with a zone file: then no query leaves the process and the servers are not used.
    with pytest.raises(hallmark.Error) as raised:
        hallmark.Authenticator(dns_servers=["not a server"])
    assert raised.value.status == "HALLMARK_ERR_INVALID_ARGUMENT"
    assert "not a server" in raised.value.message


def test_arguments_python_refuses(auth):
    with pytest.raises(TypeError):
        hallmark.Options(zone_file="x")  # misspelt keyword
    with pytest.raises(TypeError):
        hallmark.Authenticator(zone_files=str(DEMO / "demo.zone"))  # one path, not a list
    with pytest.raises(TypeError):
        hallmark.Authenticator(options={"authserv_id": "x"})
    with pytest.raises(ValueError):
        hallmark.Options(deadline_ms=-1)
    with pytest.raises(TypeError):
        hallmark.Options(dns_tries="2")
    with pytest.raises(TypeError):
        auth.verify("a message as str")
    with pytest.raises(ValueError):
        auth.verify(b"", helo="mail\0example.com")
    with auth.message() as message:
        with pytest.raises(ValueError):
            message.set_mail_from("a@example.com\0b@example.org")


def test_every_option_keyword(tmp_path):
    scores = tmp_path / "scores"
    scores.write_text("SPF_ALLOW = -5\n")
    options = demo_options(deadline_ms=2000, max_dns_queries=50, check_helo=False,
                           iprev=True, dns_servers=["127.0.0.1:1"], dns_timeout_ms=100,
                           dns_tries=1, score_file=scores)
    assert "score_file" in repr(options)
    with hallmark.Authenticator(options) as auth:
        verdict = verify(auth, ENVELOPES[0])
    assert verdict.spf_helo == "none"  # HELO not checked
    assert verdict.iprev != "none"  # asked for; the zone answers it
    assert ("SPF_ALLOW", -5.0) in verdict.tags


def test_keywords_change_given_options():
    options = demo_options()
    with hallmark.Authenticator(options, authserv_id="other.example") as auth:
        verdict = verify(auth, ENVELOPES[0])
    assert verdict.auth_results.startswith("Authentication-Results: other.example;")
    assert options.authserv_id == AUTHSERV_ID


def test_reload(tmp_path):
    allow = tmp_path / "allow-dmarc"
    allow.write_text("# none yet\n")
    envelope = next(e for e in ENVELOPES if e.file == "allowlisted.eml")
    with hallmark.Authenticator(demo_options(allow_dmarc_file=allow)) as auth:
        assert "BLOCKLIST_DMARC" not in dict(verify(auth, envelope).tags)
        allow.write_text("bank.example\n")
        assert "BLOCKLIST_DMARC" not in dict(verify(auth, envelope).tags)
        auth.reload()
        assert "BLOCKLIST_DMARC" in dict(verify(auth, envelope).tags)
        allow.unlink()
        with pytest.raises(hallmark.Error) as raised:
            auth.reload()
        assert str(allow) in raised.value.message
        assert "BLOCKLIST_DMARC" in dict(verify(auth, envelope).tags)  # nothing changed


# ---- version --------------------------------------------------------------------------------

def test_version():
    project = re.search(r"project\(hallmark VERSION (\S+)",
                        (SOURCE_DIR / "CMakeLists.txt").read_text()).group(1)
    assert hallmark.version() == project == hallmark.__version__
    major, minor, patch = (int(n) for n in project.split("."))
    assert hallmark.version_number() == major * 10000 + minor * 100 + patch
    if CLI:
        done = subprocess.run([CLI, "--version"], capture_output=True, text=True, check=True)
        assert done.stdout.strip() == project


def test_library_that_cannot_load():
    env = dict(os.environ, HALLMARK_LIBRARY="/nonexistent/libhallmark-c.so.1")
    done = subprocess.run(
        [sys.executable, "-c", "import hallmark"], env=env, capture_output=True, text=True,
        cwd=Path(__file__).resolve().parents[1], check=False)
    assert done.returncode != 0
    assert "ImportError" in done.stderr and "HALLMARK_LIBRARY" in done.stderr


# ---- ownership ------------------------------------------------------------------------------

def test_closing_twice_is_harmless():
    auth = hallmark.Authenticator(demo_options())
    message = auth.message()
    message.close()
    message.close()
    assert message.closed
    with pytest.raises(hallmark.Error) as raised:
        message.feed(b"x")
    assert raised.value.status == "HALLMARK_ERR_STATE"
    auth.close()
    auth.close()
    assert auth.closed
    with pytest.raises(hallmark.Error):
        auth.verify(b"")
    with pytest.raises(hallmark.Error):
        auth.message()
    with pytest.raises(hallmark.Error):
        auth.reload()
    with hallmark.Authenticator(demo_options()) as auth:
        with auth.message() as message:
            pass
        message.close()
    auth.close()


def test_closing_the_authenticator_closes_its_messages():
    auth = hallmark.Authenticator(demo_options())
    message = auth.message()
    message.feed(b"From: a@example.com\n")
    auth.close()
    assert message.closed
    with pytest.raises(hallmark.Error):
        message.finish()
    message.close()


def test_a_message_keeps_its_authenticator_alive():
    message = hallmark.Authenticator(demo_options()).message()
    gc.collect()
    envelope = ENVELOPES[0]
    message.set_client(envelope.ip)
    message.set_mail_from(envelope.mail_from)
    message.feed(envelope.message())
    assert message.finish().spf == "pass"
    message.close()


class Ledger:
    """Wraps the C API's constructors and free functions: every handle made is freed exactly
    once, and a ctx only after its messages."""

    def __init__(self, monkeypatch):
        self.live = {}  # pointer -> (kind, ctx of a message)
        self.made = 0
        self.errors = []
        lib = _capi.lib
        wrap = monkeypatch.setattr

        def made(kind, pointer, parent=None):
            if pointer in self.live:
                self.errors.append(f"{kind} {pointer:#x} made while live")
            self.live[pointer] = (kind, parent)
            self.made += 1

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
            "message_free", "message_finish", "verify", "result_free")}

        def options_new():
            pointer = real["options_new"]()
            made("options", pointer)
            return pointer

        def ctx_new(options, out):
            status = real["ctx_new"](options, out)
            if status == 0:
                made("ctx", out_value(out))
            return status

        def message_new(ctx, out):
            status = real["message_new"](ctx, out)
            if status == 0:
                made("message", out_value(out), ctx)
            return status

        def message_finish(message, out):
            status = real["message_finish"](message, out)
            if status == 0:
                made("result", out_value(out))
            return status

        def verify(*args):
            status = real["verify"](*args)
            if status == 0:
                made("result", out_value(args[-1]))
            return status

        def free(kind):
            def function(pointer):
                freed(kind, pointer)
                real[f"{kind}_free"](pointer)
            return function

        for name, function in (("options_new", options_new), ("ctx_new", ctx_new),
                               ("message_new", message_new),
                               ("message_finish", message_finish), ("verify", verify),
                               ("options_free", free("options")), ("ctx_free", free("ctx")),
                               ("message_free", free("message")),
                               ("result_free", free("result"))):
            wrap(lib, name, function)


def test_every_handle_freed_once(monkeypatch, tmp_path):
    ledger = Ledger(monkeypatch)
    envelope = ENVELOPES[0]

    with hallmark.Authenticator(demo_options()) as auth:  # closed by the with
        verify(auth, envelope)
        stream(auth, envelope, [envelope.message()])
        auth.message().close()
        with pytest.raises(hallmark.Error):
            auth.verify(b"", ip="bad")
        abandoned = auth.message()  # left open: closed with the authenticator
        abandoned.feed(b"Subject: x\n")

    dropped = hallmark.Authenticator(demo_options())  # freed by the garbage collector
    message = dropped.message()
    del dropped, message
    gc.collect()

    # A cycle the collector finalises in an order of its own.
    cyclic = hallmark.Authenticator(demo_options())
    message = cyclic.message()
    cyclic.cycle = message
    message.cycle = cyclic
    del cyclic, message
    gc.collect()

    with pytest.raises(hallmark.Error):  # a ctx that fails frees its options all the same
        hallmark.Authenticator(zone_files=[tmp_path / "missing.zone"])
    with pytest.raises(hallmark.Error):
        hallmark.Options(deadline_ms=0)

    assert ledger.errors == []
    assert ledger.live == {}
    assert ledger.made > 10


def test_verify_from_threads(auth):
    expected = {e.file: verify(auth, e) for e in ENVELOPES}
    failures = []

    def work():
        try:
            for _ in range(5):
                for envelope in ENVELOPES:
                    if verify(auth, envelope) != expected[envelope.file]:
                        failures.append(envelope.file)
        except Exception as e:  # noqa: BLE001 - reported below
            failures.append(repr(e))

    threads = [threading.Thread(target=work) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
