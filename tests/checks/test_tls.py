"""The tls kind against a loopback TLS server whose certificates a trustme CA signs."""

from __future__ import annotations

import contextlib
import socket
import ssl
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import trustme

from maintctl.domain.checks import Status
from tests.checks.servers import make, run, silent


@contextlib.contextmanager
def tls_server(cert: trustme.LeafCert) -> Iterator[int]:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    cert.configure_cert(context)
    listener = socket.create_server(("127.0.0.1", 0))
    listener.settimeout(0.05)
    stop = threading.Event()

    def serve() -> None:
        while not stop.is_set():
            try:
                conn, _ = listener.accept()
            except OSError:
                continue
            with contextlib.suppress(OSError), context.wrap_socket(conn, server_side=True) as tls:
                tls.settimeout(1)
                tls.recv(1)

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield listener.getsockname()[1]
    finally:
        stop.set()
        thread.join()
        listener.close()


def ca_file(tmp_path: Path, ca: trustme.CA) -> str:
    ca.cert_pem.write_to_path(str(tmp_path / "ca.pem"))
    return "ca.pem"


def test_a_certificate_with_days_to_spare_is_valid(tmp_path: Path) -> None:
    ca = trustme.CA()
    cert = ca.issue_cert("localhost", not_after=datetime.now(UTC) + timedelta(days=90))
    with tls_server(cert) as port:
        check = make(
            "tls", tmp_path, host="localhost", port=port, min_days=14, ca_file=ca_file(tmp_path, ca)
        )
        result = run(check)
    assert result.status is Status.PASS and result.message == "Valid (89 days remaining)"
    assert result.observed == 89 and result.unit == "days"


def test_a_certificate_expiring_in_5_days_fails_against_14(tmp_path: Path) -> None:
    ca = trustme.CA()
    cert = ca.issue_cert("localhost", not_after=datetime.now(UTC) + timedelta(days=5, hours=1))
    with tls_server(cert) as port:
        check = make(
            "tls", tmp_path, host="localhost", port=port, min_days=14, ca_file=ca_file(tmp_path, ca)
        )
        result = run(check)
    assert result.status is Status.FAIL
    assert result.message == "Expiring (5 days remaining, fewer than 14)"


def test_a_certificate_from_an_unknown_authority_is_invalid(tmp_path: Path) -> None:
    cert = trustme.CA().issue_cert("localhost")
    with tls_server(cert) as port:
        result = run(
            make(
                "tls",
                tmp_path,
                host="localhost",
                port=port,
                ca_file=ca_file(tmp_path, trustme.CA()),
            )
        )
    assert result.status is Status.FAIL and result.message.startswith("Invalid (")


def test_a_server_that_never_handshakes_times_out(tmp_path: Path) -> None:
    with silent() as port:
        result = run(make("tls", tmp_path, host="127.0.0.1", port=port, timeout=0.3))
    assert result.status is Status.TIMEOUT
