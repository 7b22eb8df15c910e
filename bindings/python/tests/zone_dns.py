# SPDX-License-Identifier: Apache-2.0
"""A tiny authoritative-looking DNS server for the tests, stdlib only: a master file read into
memory (RFC 1035 5.1: $ORIGIN, $TTL, "@", relative names, owners carried over, parentheses,
comments, quoted strings; A, AAAA, NS, CNAME, PTR, MX, TXT, SOA), responses encoded by hand
for the wire as a recursive resolver gives them (tests/capi/dns_wire.h does the same in C),
and an asyncio DatagramProtocol answering over UDP on 127.0.0.1.
"""

from __future__ import annotations

import asyncio
import random
import socket
import struct
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, List, Optional, Set, Tuple

A, NS, CNAME, SOA, PTR, MX, TXT, AAAA = 1, 2, 5, 6, 12, 15, 16, 28
TYPES = {"A": A, "NS": NS, "CNAME": CNAME, "SOA": SOA, "PTR": PTR, "MX": MX, "TXT": TXT,
         "AAAA": AAAA}
NOERROR, SERVFAIL, NXDOMAIN = 0, 2, 3
MAX_UDP = 512


def name_wire(name: str) -> bytes:
    """An absolute name ("" is the root) in wire form, uncompressed."""
    out = b""
    for label in filter(None, name.split(".")):
        raw = label.encode("ascii")
        assert 0 < len(raw) < 64, label
        out += bytes([len(raw)]) + raw
    return out + b"\0"


@dataclass
class Record:
    owner: str
    type: int
    ttl: int
    rdata: bytes
    target: str = ""  # CNAME: the name it points at


def _tokens(line: str) -> Tuple[List[Tuple[str, bool]], int]:
    """A line's tokens (text, quoted) and how much it changes the parenthesis depth."""
    tokens: List[Tuple[str, bool]] = []
    depth = 0
    i = 0
    while i < len(line):
        c = line[i]
        if c == ";":
            break
        if c.isspace():
            i += 1
        elif c == "(":
            depth += 1
            i += 1
        elif c == ")":
            depth -= 1
            i += 1
        elif c == '"':
            j = i + 1
            value = ""
            while j < len(line) and line[j] != '"':
                if line[j] == "\\" and j + 1 < len(line):
                    j += 1
                value += line[j]
                j += 1
            tokens.append((value, True))
            i = j + 1
        else:
            j = i
            while j < len(line) and not line[j].isspace() and line[j] not in '();"':
                j += 1
            tokens.append((line[i:j], False))
            i = j
    return tokens, depth


class Zone:
    """Every record of a master file, by owner (lower case, no final dot)."""

    def __init__(self, path: Path) -> None:
        self.records: Dict[str, List[Record]] = {}
        self.names: Set[str] = set()  # owners and every name above them (empty non-terminals)
        origin, ttl, owner = "", 3600, ""
        entry: List[Tuple[str, bool]] = []
        blank_owner = False
        depth = 0
        for number, line in enumerate(path.read_text().splitlines(), 1):
            tokens, change = _tokens(line)
            if depth == 0:
                if not tokens:
                    continue
                blank_owner = line[:1].isspace()
                entry = []
            entry += tokens
            depth += change
            if depth > 0:
                continue
            try:
                origin, ttl, owner = self._entry(entry, blank_owner, origin, ttl, owner)
            except (ValueError, IndexError, KeyError) as e:
                raise ValueError(f"{path}:{number}: {e!r}") from None

    @staticmethod
    def _absolute(name: str, origin: str) -> str:
        if name == "@":
            return origin
        if name.endswith("."):
            return name[:-1].lower()
        return f"{name}.{origin}".lower().rstrip(".") if origin else name.lower()

    def _entry(self, entry: List[Tuple[str, bool]], blank_owner: bool, origin: str, ttl: int,
               owner: str) -> Tuple[str, int, str]:
        words = [t for t, _ in entry]
        if words[0] == "$ORIGIN":
            return self._absolute(words[1], ""), ttl, owner
        if words[0] == "$TTL":
            return origin, int(words[1]), owner
        if not blank_owner:
            owner = self._absolute(words[0], origin)
            entry = entry[1:]
        record_ttl = ttl
        while entry[0][0].upper() not in TYPES:
            word = entry[0][0]
            if word.isdigit():
                record_ttl = int(word)
            elif word.upper() != "IN":
                raise ValueError(f"unknown class or type {word!r}")
            entry = entry[1:]
        rtype = TYPES[entry[0][0].upper()]
        args = [t for t, _ in entry[1:]]
        target = ""
        if rtype == A:
            rdata = socket.inet_pton(socket.AF_INET, args[0])
        elif rtype == AAAA:
            rdata = socket.inet_pton(socket.AF_INET6, args[0])
        elif rtype in (NS, CNAME, PTR):
            target = self._absolute(args[0], origin)
            rdata = name_wire(target)
        elif rtype == MX:
            rdata = struct.pack("!H", int(args[0])) + name_wire(self._absolute(args[1], origin))
        elif rtype == TXT:
            rdata = b""
            for text in args:
                raw = text.encode("utf-8")
                assert len(raw) < 256
                rdata += bytes([len(raw)]) + raw
        else:  # SOA
            rdata = (name_wire(self._absolute(args[0], origin)) +
                     name_wire(self._absolute(args[1], origin)) +
                     struct.pack("!5I", *(int(a) for a in args[2:7])))
        self.records.setdefault(owner, []).append(Record(owner, rtype, record_ttl, rdata, target))
        name = owner
        while True:
            self.names.add(name)
            if not name:
                break
            name = name.partition(".")[2]
        return origin, ttl, owner

    def _at(self, name: str) -> Optional[List[Record]]:
        """The records at `name`, a wildcard's for a name that does not exist (RFC 4592);
        None when the name does not exist (NXDOMAIN)."""
        if name in self.names:
            return self.records.get(name, [])
        encloser = name
        while encloser:
            encloser = encloser.partition(".")[2]
            if encloser in self.names:
                wildcard = f"*.{encloser}" if encloser else "*"
                return self.records.get(wildcard) if wildcard in self.records else None
        return None

    def _soa(self, name: str) -> Optional[Record]:
        while True:
            for record in self.records.get(name, []):
                if record.type == SOA:
                    return record
            if not name:
                return None
            name = name.partition(".")[2]

    def resolve(self, qname: str, qtype: int) -> Tuple[int, List[Tuple[str, Record]],
                                                       Optional[Record]]:
        """(rcode, answers as (owner, record), the SOA for a negative answer)."""
        answers: List[Tuple[str, Record]] = []
        name = qname.lower().rstrip(".")
        for _ in range(17):
            records = self._at(name)
            if records is None:
                return NXDOMAIN, answers, self._soa(name)
            matching = [r for r in records if r.type == qtype]
            if matching:
                return NOERROR, answers + [(name, r) for r in matching], None
            cname = [r for r in records if r.type == CNAME]
            if not cname:
                return NOERROR, answers, self._soa(name)
            answers.append((name, cname[0]))
            name = cname[0].target
        return SERVFAIL, [], None


def parse_query(data: bytes) -> Tuple[int, int, bytes, str, int]:
    """(id, flags, the question's bytes, its name, its type) of a query message."""
    ident, flags, qdcount = struct.unpack("!HHH", data[:6])
    if qdcount != 1:
        raise ValueError("not one question")
    at = 12
    labels = []
    while data[at]:
        length = data[at]
        if length >= 64:
            raise ValueError("compressed question")
        labels.append(data[at + 1:at + 1 + length].decode("ascii"))
        at += 1 + length
    at += 1
    qtype, _ = struct.unpack("!HH", data[at:at + 4])
    return ident, flags, data[12:at + 4], ".".join(labels), qtype


def respond(zone: Zone, query: bytes) -> bytes:
    """The response to `query`: QR, AA, RA set and RD echoed; answers owned by the name asked
    point at the question (RFC 1035 4.1.4), other names are written out."""
    ident, flags, question, qname, qtype = parse_query(query)
    rcode, answers, soa = zone.resolve(qname, qtype)
    asked = qname.lower().rstrip(".")
    body = b""
    for owner, record in answers:
        owner_wire = b"\xc0\x0c" if owner == asked else name_wire(owner)
        body += owner_wire + struct.pack("!HHIH", record.type, 1, record.ttl,
                                         len(record.rdata)) + record.rdata
    authority = b""
    if soa is not None:
        authority = name_wire(soa.owner) + struct.pack("!HHIH", SOA, 1, soa.ttl,
                                                       len(soa.rdata)) + soa.rdata
    header = struct.pack("!HHHHHH", ident, 0x8000 | 0x0400 | (flags & 0x0100) | 0x0080 | rcode,
                         1, len(answers), 1 if soa is not None else 0, 0)
    return header + question + body + authority


@dataclass
class Server(asyncio.DatagramProtocol):
    """Answers every query from `zone` after a random delay up to `max_delay` seconds (so
    answers come back in another order than asked), or never when `silent`."""

    zone: Optional[Zone]
    max_delay: float = 0.0
    silent: bool = False
    seed: int = 7
    queries: int = 0
    errors: List[str] = field(default_factory=list)
    transport: Optional[asyncio.DatagramTransport] = None

    def __post_init__(self) -> None:
        self.random = random.Random(self.seed)

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]

    def datagram_received(self, data: bytes, addr: Tuple[str, int]) -> None:
        self.queries += 1
        if self.silent or self.zone is None:
            return
        try:
            response = respond(self.zone, data)
        except Exception as e:  # noqa: BLE001 - the test checks errors
            self.errors.append(f"{data!r}: {e!r}")
            return
        if len(response) > MAX_UDP:
            # c-ares would retry over TCP, which this server does not serve.
            self.errors.append(f"response of {len(response)} octets: {data!r}")
            response = response[:2] + bytes([response[2] | 0x02]) + response[3:12]
        delay = self.random.uniform(0, self.max_delay)
        asyncio.get_running_loop().call_later(delay, self._send, response, addr)

    def _send(self, response: bytes, addr: Tuple[str, int]) -> None:
        if self.transport is not None and not self.transport.is_closing():
            self.transport.sendto(response, addr)

    @property
    def address(self) -> str:
        assert self.transport is not None
        host, port = self.transport.get_extra_info("sockname")[:2]
        return f"{host}:{port}"


async def serve(zone: Optional[Zone], **settings: object) -> Server:
    """A Server on 127.0.0.1 and a port the system picks, on the running loop."""
    loop = asyncio.get_running_loop()
    _, server = await loop.create_datagram_endpoint(
        lambda: Server(zone, **settings),  # type: ignore[arg-type]
        local_addr=("127.0.0.1", 0))
    return server
