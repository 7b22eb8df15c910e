# SPDX-License-Identifier: Apache-2.0
# AsyncAuthenticator: the demo verified concurrently on one asyncio loop, over zone files
# (verdicts come at once, from inside hallmark_message_finish_async) and over real c-ares
# against a small DNS server in the test's own loop (zone_dns.py, built from the demo zone);
# deadlines through the loop's timer, cancellation, closing, threads and loops, and every C
# handle freed. The verdicts must equal the blocking Authenticator's.
import asyncio
import gc
import socket
import threading
import time

import pytest

import hallmark
import zone_dns
from support import (DEMO, ENVELOPES, by_file, demo_options, envelope_of, receiver_options,
                     split_message, verify)

ZONE = zone_dns.Zone(DEMO / "demo.zone")


@pytest.fixture(scope="module")
def expected():
    """The blocking authenticator's verdicts on the demo, by file."""
    with hallmark.Authenticator(demo_options()) as auth:
        return {e.file: verify(auth, e) for e in ENVELOPES}


async def verify_async(auth, envelope):
    return await auth.verify_async(envelope.message(), ip=envelope.ip, helo=envelope.helo,
                                   mail_from=envelope.mail_from, rcpt_to=[envelope.rcpt])


def run(coroutine, timeout=120):
    """asyncio.run() with a bound, so a lost callback fails the test instead of hanging it."""
    async def bounded():
        return await asyncio.wait_for(coroutine, timeout)
    return asyncio.run(bounded())


def cares_options(server, **changes):
    return receiver_options(dns_servers=[server.address], deadline_ms=30000,
                            dns_timeout_ms=1000, dns_tries=3).replace(**changes)


# ---- zone files: answers at once ------------------------------------------------------------

def test_fifty_messages_over_zone_files(expected):
    envelopes = [ENVELOPES[i % len(ENVELOPES)] for i in range(50)]

    async def main():
        async with hallmark.AsyncAuthenticator(demo_options()) as auth:
            verdicts = await asyncio.gather(*(verify_async(auth, e) for e in envelopes))
            # Nothing left to watch or wait for.
            assert auth._readers == {} and auth._writers == {} and auth._timer is None
            return verdicts

    verdicts = run(main())
    assert len(verdicts) == 50
    for envelope, verdict in zip(envelopes, verdicts):
        assert verdict == expected[envelope.file], envelope.file
        assert verdict.json == expected[envelope.file].json


@by_file
def test_streamed_finish_async_over_zone_files(expected, envelope):
    fields, body = split_message(envelope.message())

    async def main():
        async with hallmark.AsyncAuthenticator(demo_options()) as auth:
            with auth.message() as message:
                message.set_client(envelope.ip)
                message.set_helo(envelope.helo)
                message.set_mail_from(envelope.mail_from)
                message.add_recipient(envelope.rcpt)
                for name, value in fields:
                    message.add_header(name, value)
                message.end_of_headers()
                message.feed(body)
                return await message.finish_async()

    assert run(main()) == expected[envelope.file]


def test_blocking_calls_of_the_async_authenticator(expected):
    # verify(), spf_check(), dkim_sign() and arc_seal() block; with zone files, not for long.
    envelope = envelope_of("signed.eml")

    async def main():
        async with hallmark.AsyncAuthenticator(demo_options()) as auth:
            assert verify(auth, envelope) == expected["signed.eml"]
            assert auth.spf_check(envelope.ip, envelope.helo, envelope.mail_from).spf == \
                expected["signed.eml"].spf
            key = hallmark.Key.load((DEMO / "demo-arc.key").read_text())
            fields = auth.arc_seal(envelope.message(), key=key, domain="lists.example.net",
                                   selector="arc", verdict=expected["signed.eml"])
            assert fields.startswith("ARC-Seal: ")
            sealed = await auth.verify_async(fields.encode() + envelope.message())
            assert sealed.arc.result == "pass"

    run(main())


def test_finish_async_needs_the_async_authenticator():
    async def main():
        with hallmark.Authenticator(demo_options()) as auth:
            with auth.message() as message:
                message.feed(ENVELOPES[0].message())
                with pytest.raises(hallmark.Error) as raised:
                    await message.finish_async()
                assert raised.value.status == "HALLMARK_ERR_STATE"
                assert message.finish().dkim[0].result == "pass"  # still usable

    run(main())


def test_errors_before_waiting():
    async def main():
        async with hallmark.AsyncAuthenticator(demo_options()) as auth:
            with pytest.raises(hallmark.Error) as raised:
                await auth.verify_async(b"", ip="not-an-ip")
            assert raised.value.status == "HALLMARK_ERR_INVALID_ARGUMENT"
            assert "not-an-ip" in raised.value.message
            with pytest.raises(TypeError):
                await auth.verify_async("str")
            with auth.message() as message:
                message.feed(b"From: a@example.com\r\n\r\n")
                await message.finish_async()
                with pytest.raises(hallmark.Error) as raised:
                    await message.finish_async()
                assert raised.value.status == "HALLMARK_ERR_STATE"

    run(main())


# ---- real c-ares, the test's DNS server on the same loop ------------------------------------

def test_demo_over_cares(expected):
    rounds = 3

    async def main():
        server = await zone_dns.serve(ZONE, max_delay=0.02)
        try:
            async with hallmark.AsyncAuthenticator(cares_options(server)) as auth:
                envelopes = ENVELOPES * rounds
                verdicts = await asyncio.gather(*(verify_async(auth, e) for e in envelopes))
                idle = (auth._readers, auth._writers, auth._timer)
            return envelopes, verdicts, server.queries, server.errors, idle
        finally:
            server.transport.close()

    envelopes, verdicts, queries, errors, idle = run(main())
    assert errors == []
    assert queries > 0
    for envelope, verdict in zip(envelopes, verdicts):
        assert verdict == expected[envelope.file], envelope.file
        assert verdict.json == expected[envelope.file].json
    # c-ares closed its sockets once no query was left; nothing is registered any more.
    assert idle == ({}, {}, None)


def test_sockets_reopened_between_messages(expected):
    # One message at a time: c-ares closes its socket after each and opens another (often
    # with the same descriptor number) for the next, which must be registered afresh.
    envelope = envelope_of("signed.eml")

    async def main():
        server = await zone_dns.serve(ZONE)
        try:
            async with hallmark.AsyncAuthenticator(cares_options(server)) as auth:
                verdicts = []
                for _ in range(4):
                    verdicts.append(await verify_async(auth, envelope))
                    assert auth._readers == {}
                return verdicts
        finally:
            server.transport.close()

    for verdict in run(main()):
        assert verdict == expected["signed.eml"]


@by_file
def test_streamed_over_cares(expected, envelope):
    raw = envelope.message()

    async def main():
        server = await zone_dns.serve(ZONE, max_delay=0.01)
        try:
            async with hallmark.AsyncAuthenticator(cares_options(server)) as auth:
                with auth.message() as message:
                    message.set_client(envelope.ip)
                    message.set_helo(envelope.helo)
                    message.set_mail_from(envelope.mail_from)  # SPF starts here...
                    await asyncio.sleep(0.005)  # ...and goes on while the message comes
                    message.add_recipient(envelope.rcpt)
                    for i in range(0, len(raw), 512):
                        message.feed(raw[i:i + 512])
                        await asyncio.sleep(0)
                    return await message.finish_async()
        finally:
            server.transport.close()

    assert run(main()) == expected[envelope.file]


def test_deadline_over_a_silent_server():
    # The server never answers: the loop's timer brings the deadline, and every protocol that
    # waited reads temperror, as the blocking calls say in the same mode.
    envelope = envelope_of("signed.eml")

    async def main():
        server = await zone_dns.serve(None, silent=True)
        try:
            async with hallmark.AsyncAuthenticator(
                    cares_options(server, deadline_ms=300)) as auth:
                started = time.monotonic()
                verdicts = await asyncio.gather(*(verify_async(auth, envelope)
                                                  for _ in range(5)))
                waited = time.monotonic() - started
                blocking = verify(auth, envelope)
                return verdicts, waited, blocking, server.queries
        finally:
            server.transport.close()

    verdicts, waited, blocking, queries = run(main())
    assert queries > 0
    assert 0.25 <= waited < 10
    for verdict in verdicts + [blocking]:
        assert verdict.temporary_failure is True
        assert verdict.spf.result == "temperror"
        assert verdict.dkim[0].result == "temperror"
        assert verdict.dmarc.result == "temperror"
    assert verdicts[0] == blocking


def test_many_loops_one_after_another(expected):
    # One authenticator, two asyncio.run()s: it follows the running loop when idle.
    envelope = envelope_of("forwarded.eml")
    auth = hallmark.AsyncAuthenticator(demo_options())
    try:
        assert run(verify_async(auth, envelope)) == expected["forwarded.eml"]
        assert run(verify_async(auth, envelope)) == expected["forwarded.eml"]
    finally:
        auth.close()


# ---- cancelling, closing, threads -----------------------------------------------------------

def test_cancel_and_close(ledger, expected):
    envelope = envelope_of("signed.eml")

    async def main():
        server = await zone_dns.serve(None, silent=True)
        try:
            auth = hallmark.AsyncAuthenticator(cares_options(server))
            # Cancelled while waiting: the message is freed, its lookups abandoned.
            task = asyncio.ensure_future(verify_async(auth, envelope))
            await asyncio.sleep(0.05)
            assert not task.done()
            task.cancel()
            with pytest.raises(asyncio.CancelledError):
                await task
            assert auth._pending == {}
            # A message closed while its verdict is awaited.
            message = auth.message()
            message.set_client(envelope.ip)
            message.set_mail_from(envelope.mail_from)
            message.feed(envelope.message())
            waiting = asyncio.ensure_future(message.finish_async())
            await asyncio.sleep(0.02)
            message.close()
            with pytest.raises(hallmark.Error) as raised:
                await waiting
            assert "closed" in raised.value.message
            # The authenticator closed while verdicts are awaited.
            tasks = [asyncio.ensure_future(verify_async(auth, envelope)) for _ in range(3)]
            await asyncio.sleep(0.05)
            auth.close()
            for task in tasks:
                with pytest.raises(hallmark.Error) as raised:
                    await task
                assert raised.value.status == "HALLMARK_ERR_STATE"
            with pytest.raises(hallmark.Error):
                await verify_async(auth, envelope)
            auth.close()
        finally:
            server.transport.close()
        # Left to the garbage collector, with its callbacks registered nowhere.
        dropped = hallmark.AsyncAuthenticator(demo_options())
        assert await verify_async(dropped, envelope) == expected["signed.eml"]
        del dropped

    run(main())
    ledger.check()
    assert ledger.made["message"] >= 6


def test_used_from_its_own_thread_only():
    auth = hallmark.AsyncAuthenticator(demo_options())
    errors = []

    def elsewhere():
        for call in (auth.message, lambda: auth.verify(b""),
                     lambda: asyncio.run(auth.verify_async(b""))):
            try:
                call()
            except hallmark.Error as e:
                errors.append(e.status)

    thread = threading.Thread(target=elsewhere)
    thread.start()
    thread.join()
    assert errors == ["HALLMARK_ERR_STATE"] * 3
    assert auth.verify(b"From: a@example.com\r\n\r\n").dmarc.domain == "example.com"
    auth.close()


def test_verdicts_that_blocking_sealing_completed_are_delivered(expected):
    # hallmark_arc_seal() drives c-ares itself while it waits (event-loop mode), completing
    # the lookups of messages under way; their verdicts must still reach their futures. The
    # server answers from a thread of its own while the loop is blocked: at once, but the
    # sealer's key a second later, so the other message is done by then.
    zone_socket = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    zone_socket.bind(("127.0.0.1", 0))
    zone_socket.settimeout(0.2)
    stop = threading.Event()

    def serve():
        while not stop.is_set():
            try:
                data, peer = zone_socket.recvfrom(512)
            except socket.timeout:
                continue
            slow = b"\x03arc\x0a_domainkey\x05lists" in data
            timer = threading.Timer(1.0 if slow else 0.0, zone_socket.sendto,
                                    (zone_dns.respond(ZONE, data), peer))
            timer.start()

    server = threading.Thread(target=serve)
    server.start()
    address = "127.0.0.1:%d" % zone_socket.getsockname()[1]
    signed = envelope_of("signed.eml")
    forwarded = envelope_of("forwarded.eml")

    async def main():
        options = receiver_options(dns_servers=[address], deadline_ms=20000,
                                   authserv_id="mx.example.org")
        async with hallmark.AsyncAuthenticator(options) as auth:
            task = asyncio.ensure_future(verify_async(auth, signed))
            for _ in range(3):
                await asyncio.sleep(0)  # the message finishing, its first queries out
            key = hallmark.Key.load((DEMO / "demo-arc.key").read_text())
            tokens = list(auth._pending)
            assert len(tokens) == 1
            fields = auth.arc_seal(forwarded.message(), key=key,
                                   domain="lists.example.net", selector="arc")
            assert "arc=pass" in fields
            # The other message's verdict came while sealing, and was handed over.
            assert tokens[0] not in hallmark._asyncio._waiters
            return await asyncio.wait_for(task, 10)

    try:
        assert run(main()) == expected["signed.eml"]
    finally:
        stop.set()
        server.join()
        zone_socket.close()


def test_callbacks_outlive_collections(expected):
    # The ctypes callback is one object for the process: collecting everything in between
    # must not take it away while verdicts are pending.
    envelope = envelope_of("testing.eml")

    async def main():
        server = await zone_dns.serve(ZONE, max_delay=0.02)
        try:
            async with hallmark.AsyncAuthenticator(cares_options(server)) as auth:
                tasks = [asyncio.ensure_future(verify_async(auth, envelope)) for _ in range(5)]
                await asyncio.sleep(0)
                gc.collect()
                return await asyncio.gather(*tasks)
        finally:
            server.transport.close()

    for verdict in run(main()):
        assert verdict == expected["testing.eml"]
