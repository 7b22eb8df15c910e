# SPDX-License-Identifier: Apache-2.0
# Beside verification: SPF alone before the message, keys (generated, loaded), DKIM signing and
# ARC sealing, each signature verified back through Authenticator.verify(), as
# tests/capi/signing_test.c does in C.
import copy
import pickle

import pytest

import hallmark
from support import (AUTHSERV_ID, DEMO, ENVELOPES, by_file, demo_options, envelope_of, prepend,
                     verify)


@pytest.fixture(scope="module")
def auth():
    with hallmark.Authenticator(demo_options()) as authenticator:
        yield authenticator


def demo_key(name: str) -> hallmark.Key:
    return hallmark.Key.load((DEMO / name).read_text())


def zone_with(tmp_path, origin: str, owner: str, record: str):
    """A zone file publishing `record` (a DKIM key) at owner.origin, strings of 255 at most."""
    strings = " ".join(f'"{record[i:i + 255]}"' for i in range(0, len(record), 255))
    zone = tmp_path / f"{owner}.{origin}zone"
    zone.write_text(f"$ORIGIN {origin}\n{owner} 300 IN TXT ( {strings} )\n")
    return zone


# ---- SPF alone ------------------------------------------------------------------------------

def test_spf_alone(auth):
    envelope = envelope_of("signed.eml")
    verdict = auth.spf_check(envelope.ip, envelope.helo, envelope.mail_from)
    assert verdict.spf == hallmark.SpfResult(
        result="pass", domain="example.com", helo="none",
        received_spf=verdict.spf.received_spf)
    assert verdict.received_spf.startswith("Received-SPF: pass ")
    assert "client-ip=192.0.2.10" in verdict.received_spf
    assert "spf=pass smtp.mailfrom=alice@example.com" in verdict.auth_results
    assert "dkim=" not in verdict.auth_results and "dmarc=" not in verdict.auth_results
    assert verdict.dkim == [] and verdict.dmarc.result == "none" and verdict.arc.result == "none"

    # A stranger's address fails; the null reverse path checks postmaster@HELO.
    spoof = envelope_of("spoof.eml")
    verdict = auth.spf_check(spoof.ip, spoof.helo, spoof.mail_from)
    assert verdict.spf.result == "fail"
    assert verdict.spf.received_spf.startswith("Received-SPF: fail ")
    verdict = auth.spf_check(envelope.ip, envelope.helo, "")
    assert "smtp.helo=mail.example.com" in verdict.auth_results
    # Positional or keyword, helo and mail_from optional.
    assert auth.spf_check(ip=envelope.ip, mail_from=envelope.mail_from).spf.result == "pass"


@by_file
def test_spf_alone_equals_the_verdicts_spf(auth, envelope):
    alone = auth.spf_check(envelope.ip, envelope.helo, envelope.mail_from)
    assert alone.spf == verify(auth, envelope).spf


def test_spf_alone_errors(auth):
    with pytest.raises(hallmark.Error) as raised:
        auth.spf_check("not an address", "h", "a@b")
    assert raised.value.status == "HALLMARK_ERR_INVALID_ARGUMENT"
    assert "not an address" in raised.value.message
    with pytest.raises(TypeError):
        auth.spf_check(None)
    with pytest.raises(ValueError):
        auth.spf_check("192.0.2.1", "a\0b")


def test_received_spf_in_verdicts(auth):
    verdict = verify(auth, envelope_of("signed.eml"))
    assert verdict.spf.received_spf.startswith("Received-SPF: pass ")
    assert verdict.received_spf == verdict.spf.received_spf
    assert "\r\n" in verdict.received_spf and not verdict.received_spf.endswith("\n")
    assert verdict.data["spf"]["mail_from"]["received_spf"].replace(" ", "") == \
        verdict.received_spf.replace("\r\n", "").replace(" ", "")


# ---- keys -----------------------------------------------------------------------------------

@pytest.mark.parametrize("kind,bits", [("ed25519", 0), ("rsa", 1024), ("rsa", 2048)])
def test_keygen(kind, bits):
    key = hallmark.keygen(kind, bits) if bits else hallmark.keygen(kind)
    assert key.pem.startswith("-----BEGIN PRIVATE KEY-----")
    assert key.dns_record.startswith(f"v=DKIM1; k={kind}; p=")
    assert key.type == kind
    again = hallmark.Key.load(key.pem)
    assert again == key
    assert hallmark.Key.load(key.pem.encode()) == key
    assert key.pem not in repr(key)  # the private key stays out of logs
    assert hallmark.Key.generate(kind) != key


def test_key_errors():
    for kind, bits in (("dsa", 2048), ("rsa", 512), ("rsa", 16384)):
        with pytest.raises(hallmark.Error) as raised:
            hallmark.keygen(kind, bits)
        assert raised.value.status == "HALLMARK_ERR_INVALID_ARGUMENT"
    with pytest.raises(ValueError):
        hallmark.keygen("rsa", -1)
    with pytest.raises(hallmark.Error) as raised:
        hallmark.Key.load("not a key")
    assert raised.value.status == "HALLMARK_ERR_SYNTAX"
    with pytest.raises(TypeError):
        hallmark.Key.load(None)


def test_demo_keys_load():
    key = demo_key("demo-dkim.key")
    assert key.type == "rsa"
    published = (DEMO / "demo.zone").read_text()
    # The demo zone publishes the demo key's public half.
    public = key.dns_record.split("p=")[1]
    assert public[:100] in published.replace('" "', "")


# ---- DKIM signing ---------------------------------------------------------------------------

def test_dkim_sign_round_trip(auth):
    message = (DEMO / "message.eml").read_bytes()
    field = auth.dkim_sign(message, key=demo_key("demo-dkim.key"), domain="example.com",
                           selector="demo")
    assert field.startswith("DKIM-Signature: ") and field.endswith("\r\n")
    assert "d=example.com" in field and "s=demo" in field and "a=rsa-sha256" in field
    signed = prepend(field, message)
    verdict = auth.verify(signed, ip="192.0.2.10", helo="mail.example.com",
                          mail_from="alice@example.com")
    assert verdict.dkim == [hallmark.DkimResult("pass", "example.com", "demo")]
    assert verdict.dmarc.result == "pass"

    # A byte changed after signing: the signature no longer verifies.
    tampered = bytearray(signed)
    tampered[-3] ^= 1
    assert auth.verify(bytes(tampered)).dkim[0].result == "fail"


@pytest.mark.parametrize("kind", ["ed25519", "rsa"])
def test_dkim_sign_with_a_new_key(tmp_path, kind):
    key = hallmark.keygen(kind, 1024)
    zone = zone_with(tmp_path, "example.com.", "fresh._domainkey", key.dns_record)
    with hallmark.Authenticator(demo_options(zone_files=[DEMO / "demo.zone", zone])) as auth:
        message = (DEMO / "message.eml").read_bytes()
        field = auth.dkim_sign(message, key=key, domain="example.com", selector="fresh")
        assert f"a={kind}-sha256" in field
        verdict = auth.verify(prepend(field, message), ip="192.0.2.10",
                              helo="mail.example.com", mail_from="alice@example.com")
        assert verdict.dkim == [hallmark.DkimResult("pass", "example.com", "fresh")]
        assert verdict.dmarc.result == "pass"
        # Signed with a key the DNS does not publish: fail.
        other = auth.dkim_sign(message, key=hallmark.keygen(kind, 1024), domain="example.com",
                               selector="fresh")
        assert auth.verify(prepend(other, message)).dkim[0].result == "fail"


def test_dkim_sign_errors(auth):
    key = demo_key("demo-dkim.key")
    with pytest.raises(hallmark.Error) as raised:
        auth.dkim_sign(b"Subject: x\r\n\r\nbody\r\n", key=key, domain="example.com",
                       selector="demo")
    assert raised.value.status == "HALLMARK_ERR_SYNTAX"
    assert "From" in raised.value.message
    with pytest.raises(hallmark.Error) as raised:
        auth.dkim_sign(b"From: a@example.com\r\n\r\n", key=key, domain="", selector="demo")
    assert raised.value.status == "HALLMARK_ERR_INVALID_ARGUMENT"
    with pytest.raises(TypeError):
        auth.dkim_sign("a str message", key=key, domain="example.com", selector="demo")
    with pytest.raises(TypeError):
        auth.dkim_sign(b"", key=key.pem, domain="example.com", selector="demo")
    with pytest.raises(TypeError):  # keywords only
        auth.dkim_sign(b"", key, "example.com", "demo")


def test_signers_are_kept_and_freed(ledger):
    key = demo_key("demo-dkim.key")
    message = (DEMO / "message.eml").read_bytes()
    auth = hallmark.Authenticator(demo_options())
    first = auth.signer(key, "example.com", "demo")
    auth.dkim_sign(message, key=key, domain="example.com", selector="demo")
    assert auth.signer(key, "example.com", "demo") is first
    assert ledger.made["signer"] == 1
    # Past the cache's size, the least recently used go (and are freed).
    for i in range(hallmark._authenticator.SIGNER_CACHE_SIZE + 3):
        auth.dkim_sign(message, key=key, domain="example.com", selector=f"s{i}")
    assert first.closed
    with pytest.raises(hallmark.Error):
        first.dkim_sign(message)
    assert len(auth._signers) == hallmark._authenticator.SIGNER_CACHE_SIZE
    kept = list(auth._signers.values())
    auth.close()
    assert all(signer.closed for signer in kept)
    with pytest.raises(hallmark.Error):
        auth.signer(key, "example.com", "demo")
    # A Signer of one's own, closed by its with block.
    with hallmark.Signer(key, "example.com", "demo") as signer:
        assert signer.dkim_sign(message).startswith("DKIM-Signature: ")
        assert "example.com" in repr(signer) and key.pem not in repr(signer)
    assert signer.closed
    signer.close()
    ledger.check()
    assert ledger.made["key"] >= ledger.made["signer"]


# ---- ARC sealing ----------------------------------------------------------------------------

def test_arc_seal_round_trip():
    # The list server lists.example.net forwards signed.eml: it verifies, then seals with its
    # own verdict. The next hop, trusting that sealer, sees a passing chain.
    envelope = envelope_of("signed.eml")
    key = demo_key("demo-arc.key")
    with hallmark.Authenticator(demo_options(authserv_id="lists.example.net")) as lists:
        verdict = verify(lists, envelope)
        fields = lists.arc_seal(envelope.message(), key=key, domain="lists.example.net",
                                selector="arc", verdict=verdict)
        assert fields.startswith("ARC-Seal: ") and fields.endswith("\r\n")
        assert " i=1;" in fields
        assert "\r\nARC-Message-Signature: " in fields
        assert "ARC-Authentication-Results: i=1; lists.example.net;" in fields
        assert "dmarc=pass" in fields
        # No verdict: the AAR holds the chain's result alone.
        bare = lists.arc_seal(envelope.message(), key=key, domain="lists.example.net",
                              selector="arc")
        assert "dmarc=" not in bare and "arc=none" in bare
        # With a Signer of one's own, and through Signer.arc_seal().
        with hallmark.Signer(key, "lists.example.net", "arc") as signer:
            assert "dmarc=pass" in signer.arc_seal(lists, envelope.message(), verdict)
            assert lists.arc_seal(envelope.message(), signer=signer).startswith("ARC-Seal: ")
    sealed = prepend(fields, envelope.message())
    with hallmark.Authenticator(demo_options()) as next_hop:
        onward = next_hop.verify(sealed, ip="198.51.100.30", helo="lists.example.net",
                                 mail_from="team-bounces@lists.example.net")
    assert onward.arc.result == "pass"
    assert onward.dkim[0].result == "pass"


def test_arc_seal_extends_a_chain(auth):
    # forwarded.eml carries lists.example.net's set i=1; the next forwarder adds i=2.
    forwarded = envelope_of("forwarded.eml")
    with hallmark.Authenticator(demo_options(authserv_id="lists.example.net")) as lists:
        verdict = verify(lists, forwarded)
        assert verdict.arc.result == "pass"
        fields = lists.arc_seal(forwarded.message(), key=demo_key("demo-arc.key"),
                                domain="lists.example.net", selector="arc", verdict=verdict)
    assert " i=2;" in fields and "arc=pass" in fields
    onward = auth.verify(prepend(fields, forwarded.message()))
    assert onward.arc.result == "pass"


def test_arc_seal_with_a_new_key(tmp_path):
    key = hallmark.keygen("rsa", 1024)
    zone = zone_with(tmp_path, "example.net.", "arc2._domainkey.lists", key.dns_record)
    envelope = envelope_of("signed.eml")
    with hallmark.Authenticator(demo_options(zone_files=[DEMO / "demo.zone", zone],
                                             authserv_id="lists.example.net")) as lists:
        fields = lists.arc_seal(envelope.message(), key=key, domain="lists.example.net",
                                selector="arc2", verdict=verify(lists, envelope))
        assert "a=rsa-sha256" in fields
        assert lists.verify(prepend(fields, envelope.message())).arc.result == "pass"
        # RFC 8617 names RSA alone: an Ed25519 key signs DKIM but seals nothing.
        with pytest.raises(hallmark.Error) as raised:
            lists.arc_seal(envelope.message(), key=hallmark.keygen("ed25519"),
                           domain="lists.example.net", selector="arc2")
        assert raised.value.status == "HALLMARK_ERR_INVALID_ARGUMENT"
        assert "RFC 8617" in raised.value.message


def test_arc_seal_errors(auth):
    key = demo_key("demo-arc.key")
    envelope = envelope_of("signed.eml")
    with pytest.raises(hallmark.Error) as raised:
        auth.arc_seal(b"Subject: x\r\n\r\n", key=key, domain="lists.example.net",
                      selector="arc")
    assert raised.value.status == "HALLMARK_ERR_SYNTAX"
    with pytest.raises(TypeError):
        auth.arc_seal(envelope.message(), key=key, domain="lists.example.net")
    with hallmark.Signer(key, "lists.example.net", "arc") as signer:
        with pytest.raises(TypeError):
            auth.arc_seal(envelope.message(), signer=signer, key=key)
    with pytest.raises(TypeError):
        auth.arc_seal(envelope.message(), key=key, domain="lists.example.net",
                      selector="arc", verdict="pass")
    # A verdict that went through pickle has no C result left to seal with; copies share it.
    verdict = verify(auth, envelope)
    thawed = pickle.loads(pickle.dumps(verdict))
    assert thawed == verdict and thawed._result is None
    with pytest.raises(ValueError):
        auth.arc_seal(envelope.message(), key=key, domain="lists.example.net",
                      selector="arc", verdict=thawed)
    for duplicate in (copy.copy(verdict), copy.deepcopy(verdict)):
        assert duplicate._result is verdict._result
        assert "dmarc=pass" in auth.arc_seal(envelope.message(), key=key,
                                             domain="lists.example.net", selector="arc",
                                             verdict=duplicate)


def test_error_pickles():
    error = hallmark.Error(4, "zone file x, line 3: bad")
    again = pickle.loads(pickle.dumps(error))
    assert (again.code, again.status, again.message) == (4, "HALLMARK_ERR_SYNTAX",
                                                          "zone file x, line 3: bad")
    assert str(again) == str(error)


def test_authserv_id_of_the_sealer():
    envelope = envelope_of("signed.eml")
    with hallmark.Authenticator(demo_options()) as receiver:
        fields = receiver.arc_seal(envelope.message(), key=demo_key("demo-arc.key"),
                                   domain="lists.example.net", selector="arc")
    assert f"ARC-Authentication-Results: i=1; {AUTHSERV_ID};" in fields


def test_signing_every_demo_message(auth):
    # Every demo message signs; the signatures the demo zone can check pass.
    key = demo_key("demo-dkim.key")
    for envelope in ENVELOPES:
        field = auth.dkim_sign(envelope.message(), key=key, domain="example.com",
                               selector="demo")
        verdict = auth.verify(prepend(field, envelope.message()))
        assert verdict.dkim[0] == hallmark.DkimResult("pass", "example.com", "demo"), \
            envelope.file


def test_signing_from_threads(auth):
    # More selectors than the cache keeps, from several threads: signers pushed out (and
    # closed) under another thread's feet are made again, never an error.
    import threading
    key = demo_key("demo-dkim.key")
    message = (DEMO / "message.eml").read_bytes()
    failures = []

    def work(offset):
        try:
            for i in range(40):
                selector = f"t{(i + offset) % 24}"
                field = auth.dkim_sign(message, key=key, domain="example.com",
                                       selector=selector)
                assert f"s={selector};" in field
        except Exception as e:  # noqa: BLE001 - reported below
            failures.append(repr(e))

    threads = [threading.Thread(target=work, args=(n * 5,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
