# SPDX-License-Identifier: Apache-2.0
# The Python bindings: the offline demo (examples/demo) verified through them must give what
# `hallmark verify --json` gives; streamed and whole messages the same verdict; errors raised
# as hallmark.Error; every C handle freed exactly once. (support.py: the environment.)
import ctypes
import gc
import json
import re
import subprocess
import threading

import pytest

import hallmark
from hallmark import _capi
from support import (AUTHSERV_ID, CLI, DEMO, ENVELOPES, SOURCE_DIR, Envelope, by_file,
                     cli_verdict, demo_options, envelope_of, split_message, unfold, verify)


@pytest.fixture(scope="module")
def auth():
    with hallmark.Authenticator(demo_options()) as authenticator:
        yield authenticator


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
    assert verdict.spf.result == cli["spf"]["mail_from"]["result"]
    assert verdict.spf_domain == cli["spf"]["mail_from"]["domain"]
    assert verdict.spf_helo == cli["spf"]["helo"]["result"]
    assert verdict.spf.helo == verdict.spf_helo and verdict.spf.domain == verdict.spf_domain
    assert verdict.dkim == [hallmark.DkimResult(d["result"], d["domain"], d["selector"])
                            for d in cli["dkim"]]
    assert verdict.arc.result == cli["arc"]["result"]
    assert verdict.dmarc.result == cli["dmarc"]["result"]
    assert verdict.dmarc.domain == verdict.dmarc_domain
    assert verdict.dmarc.policy == verdict.dmarc_policy
    assert verdict.dmarc_domain == cli["dmarc"]["author_domain"]
    assert verdict.dmarc_policy == (cli["dmarc"]["policy"] if cli["dmarc"]["record"] else "")
    assert verdict.iprev == "none"  # not asked for
    assert verdict.temporary_failure is False  # every answer is in the zone file


def test_demo_stories(auth):
    # The envelopes file's stories, as a check that does not need the CLI.
    verdicts = {e.file: verify(auth, e) for e in ENVELOPES}
    signed = verdicts["signed.eml"]
    assert (signed.spf.result, signed.dmarc.result, signed.disposition) == (
        "pass", "pass", "none")
    assert signed.dkim == [hallmark.DkimResult("pass", "example.com", "demo")]
    assert str(signed.spf) == "pass" and str(signed.dkim[0]) == "pass"
    forwarded = verdicts["forwarded.eml"]
    assert (forwarded.arc.result, forwarded.dmarc.result, forwarded.disposition) == (
        "pass", "fail", "none")
    assert forwarded.override_reason == "trusted_forwarder"
    assert verdicts["spoof.eml"].disposition == "reject"
    assert verdicts["testing.eml"].disposition == "quarantine"
    assert verdicts["toomanylookups.eml"].spf.result == "permerror"
    assert verdicts["revoked.eml"].disposition == "quarantine"
    assert "BLOCKLIST_DMARC" in dict(verdicts["allowlisted.eml"].tags)


def hallmark_verify(auth, message: bytes, ip=None, helo=None, mail_from=None):
    """hallmark_verify() itself, which verify() no longer calls (it needs a message handle
    for the recipients)."""
    result = ctypes.c_void_p()
    arguments = [None if v is None else v.encode() for v in (ip, helo, mail_from)]
    with auth._handle.use() as ctx:
        status = _capi.lib.verify(ctx, message, len(message), *arguments, ctypes.byref(result))
    assert status == 0
    return _verdict_of(result.value)


def _verdict_of(pointer):
    from hallmark._verdict import take_result
    return take_result(pointer)


@by_file
def test_verify_equals_hallmark_verify(auth, envelope):
    raw = envelope.message()
    reference = hallmark_verify(auth, raw, envelope.ip, envelope.helo, envelope.mail_from)
    assert verify(auth, envelope) == reference
    assert verify(auth, envelope).json == reference.json
    # Partial envelopes: no client (no SPF), no HELO, the null reverse path, nothing at all.
    for ip, helo, mail_from in ((None, envelope.helo, envelope.mail_from),
                                (envelope.ip, None, envelope.mail_from),
                                (envelope.ip, envelope.helo, None),
                                (envelope.ip, envelope.helo, ""),
                                (None, None, None)):
        assert auth.verify(raw, ip=ip, helo=helo, mail_from=mail_from) == hallmark_verify(
            auth, raw, ip, helo, mail_from), (ip, helo, mail_from)


def test_recipients(auth):
    envelope = envelope_of("signed.eml")
    expected = verify(auth, envelope)
    for rcpt_to in (None, "bob@example.net", b"bob@example.net",
                    ["bob@example.net", "carol@example.net"], ("a@b.example",), []):
        assert auth.verify(envelope.message(), ip=envelope.ip, helo=envelope.helo,
                           mail_from=envelope.mail_from, rcpt_to=rcpt_to) == expected
    with pytest.raises(TypeError):
        auth.verify(envelope.message(), rcpt_to=[1, 2])
    with pytest.raises(ValueError):
        auth.verify(envelope.message(), rcpt_to="a@b\0c")
    with pytest.raises(TypeError):  # the envelope is keywords only
        auth.verify(envelope.message(), envelope.ip)


def test_header_section_past_the_limit_is_a_verdict(auth):
    # hallmark_verify() reports a header section past the limits in the verdict rather than
    # failing; verify(), through a message, does the same.
    raw = b"".join(b"X-Filler-%d: x\r\n" % i for i in range(10001))  # 10,000 at most
    raw += b"From: alice@example.com\r\n\r\nbody\r\n"
    with auth.message() as message:
        with pytest.raises(hallmark.Error) as raised:
            message.feed(raw)
        assert raised.value.status == "HALLMARK_ERR_LIMIT"
    verdict = auth.verify(raw, ip="192.0.2.10", helo="mail.example.com",
                          mail_from="alice@example.com")
    assert verdict == hallmark_verify(auth, raw, "192.0.2.10", "mail.example.com",
                                      "alice@example.com")
    assert verdict.spf.result == "pass"


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
    assert verdict.spf.result == "none" and verdict.spf_domain == ""
    assert verdict.spf.received_spf == ""
    assert verdict.dkim[0].result == "pass"


def test_null_reverse_path(auth):
    envelope = ENVELOPES[0]._replace(mail_from="")
    whole = verify(auth, envelope)
    streamed = stream(auth, envelope, [envelope.message()])
    # RFC 7208 2.4: with no MAIL FROM, SPF checks postmaster@ the HELO name.
    assert whole.spf_domain == envelope.helo
    for verdict in (whole, streamed):
        assert verdict.spf == whole.spf
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
        assert "after the message was finished" in raised.value.message
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
    for keywords in ({"deadline_ms": 0}, {"max_dns_queries": 0}, {"max_arc_sets": 0},
                     {"max_header_fields": 0}):
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


def test_cancel_abandons_the_message(auth):
    message = auth.message()
    message.set_client("192.0.2.10")
    message.feed(b"From: a@example.com\r\n")
    message.cancel()
    with pytest.raises(hallmark.Error) as raised:
        message.feed(b"\r\nbody\r\n")
    assert raised.value.status == "HALLMARK_ERR_STATE"
    assert "cancelled" in raised.value.message
    message.close()


def test_limits_reach_the_verdict():
    # Three header fields are fewer than signed.eml has: its header section counts as broken.
    with hallmark.Authenticator(demo_options(max_header_fields=3)) as auth:
        verdict = verify(auth, ENVELOPES[0])
    assert [d.result for d in verdict.dkim] == ["permerror"]
    assert verdict.disposition == "reject"
    assert any(limit["limit"] == "header_section" for limit in verdict.data["limits"])
    options = demo_options(max_dkim_signatures=1, max_arc_sets=50, max_header_bytes=65536,
                           max_header_fields=10000)
    with hallmark.Authenticator(options) as auth:
        assert [d.result for d in verify(auth, ENVELOPES[0]).dkim] == ["pass"]


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
    assert message.finish().spf.result == "pass"
    message.close()


def test_every_handle_freed_once(ledger, tmp_path):
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

    verdict = verify(hallmark.Authenticator(demo_options()), envelope)
    kept = verdict._result  # a Verdict keeps its C result (for arc_seal) until collected
    assert kept is not None and kept.pointer in ledger.live
    del verdict, kept

    with pytest.raises(hallmark.Error):  # a ctx that fails frees its options all the same
        hallmark.Authenticator(zone_files=[tmp_path / "missing.zone"])
    with pytest.raises(hallmark.Error):
        hallmark.Options(deadline_ms=0)

    ledger.check()
    assert sum(ledger.made.values()) > 10


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
