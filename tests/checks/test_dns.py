"""The dns kind (dnspython) against a loopback dnslib server: an expected answer passes, a
wrong one or an unknown name fails, a server that never answers times out."""

from __future__ import annotations

import contextlib
import socket
from collections.abc import Iterator
from typing import Any

from dnslib import QTYPE, RR, A, DNSRecord
from dnslib.server import BaseResolver, DNSServer

from maintctl.domain.checks import Status
from tests.checks.servers import make, run

RECORDS = {"api.example.com.": ["10.0.0.1", "10.0.0.2"]}


class Zone(BaseResolver):  # type: ignore[misc]
    def resolve(self, request: DNSRecord, handler: Any) -> DNSRecord:
        reply = request.reply()
        name = str(request.q.qname)
        if name not in RECORDS:
            reply.header.rcode = 3  # NXDOMAIN
        for address in RECORDS.get(name, []):
            reply.add_answer(RR(name, QTYPE.A, rdata=A(address), ttl=60))
        return reply


@contextlib.contextmanager
def dns_server() -> Iterator[int]:
    # dnslib binds the port it is given; take a free UDP one first.
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = DNSServer(Zone(), address="127.0.0.1", port=port)
    server.start_thread()
    try:
        yield port
    finally:
        server.stop()


def test_a_name_resolving_to_the_expected_answer_passes() -> None:
    with dns_server() as port:
        result = run(
            make("dns", query="api.example.com", server="127.0.0.1", port=port, expect=["10.0.0.1"])
        )
    assert result.status is Status.PASS
    assert result.message.startswith("OK (api.example.com A 10.0.0.1, 10.0.0.2, ")


def test_a_wrong_answer_or_an_unknown_name_fails() -> None:
    with dns_server() as port:
        wrong = run(
            make("dns", query="api.example.com", server="127.0.0.1", port=port, expect=["10.9.9.9"])
        )
        unknown = run(make("dns", query="nope.example.com", server="127.0.0.1", port=port))
    assert wrong.status is Status.FAIL and "expected 10.9.9.9" in wrong.message
    assert unknown.status is Status.FAIL and unknown.message == "Not resolved (NXDOMAIN)"


def test_a_server_that_never_answers_times_out() -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as mute:
        mute.bind(("127.0.0.1", 0))
        port = mute.getsockname()[1]
        result = run(
            make("dns", query="api.example.com", server="127.0.0.1", port=port, timeout=0.3)
        )
    assert result.status is Status.TIMEOUT
