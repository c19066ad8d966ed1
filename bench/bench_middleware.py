"""What the ASGI middleware (maintctl-middleware) adds to a request.

Not a test: run it by hand and copy the figures into bench/README.md.

    .venv/bin/python bench/bench_middleware.py
    .venv/bin/python bench/bench_middleware.py --rounds 300 --per-round 2000 --http 2000

1. In-process (no network): a minimal raw ASGI app called directly with a prepared scope, receive
   and send, alone and behind MaintenanceASGI, interleaved in one run (each round times a block of
   calls of each, the order alternating), many rounds; the median µs per request of each and the
   median of the rounds' differences (target: the middleware adds at most 20 µs). The state is
   normal (the pass-through every request pays); maintenance mode on (message handed to the app,
   headers added) and traffic maintenance (the 503) are shown beside it.
2. Through uvicorn on loopback, for context: the same app bare and wrapped, each served by its own
   uvicorn process, one keep-alive client alternating blocks between them; requests per second.

The middleware's state comes from a loopback stand-in for maintctl's /health in this process.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import socket
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx
from maintctl_middleware import MaintenanceASGI

STATES: dict[str, dict[str, Any]] = {
    "normal": {"maintenanceMode": False, "trafficMode": "normal"},
    "maintenance mode on": {
        "maintenanceMode": True,
        "trafficMode": "normal",
        "message": "Scheduled maintenance in progress. Service will resume at 04:00 UTC.",
        "until": "2099-12-06T04:00:00Z",
    },
    "traffic maintenance (503)": {
        "maintenanceMode": True,
        "trafficMode": "maintenance",
        "message": "Scheduled maintenance in progress. Service will resume at 04:00 UTC.",
        "until": "2099-12-06T04:00:00Z",
    },
}


async def bare_app(scope: Any, receive: Any, send: Any) -> None:
    """The smallest useful ASGI app: a fixed 200 answer."""
    await send(
        {
            "type": "http.response.start",
            "status": 200,
            "headers": [(b"content-type", b"text/plain"), (b"content-length", b"2")],
        }
    )
    await send({"type": "http.response.body", "body": b"ok"})


@contextmanager
def fake_maintctl(document: dict[str, Any]) -> Iterator[str]:
    """maintctl's /health on a loopback port, answering `document`: its base URL."""
    body = json.dumps({"status": "pass", "message": None, "until": None, **document}).encode()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "application/health+json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def wrapped(document: dict[str, Any]) -> MaintenanceASGI:
    """bare_app behind the middleware, its state fetched once and the polling thread stopped."""
    with fake_maintctl(document) as url:
        app = MaintenanceASGI(bare_app, server=url, systems=["api"], allow_paths=["/healthz"])
        app.close()
        snapshot = app.refresh_now()
    assert snapshot.state is not None, "the stand-in's state was not read"
    return app


SCOPE: dict[str, Any] = {
    "type": "http",
    "asgi": {"version": "3.0", "spec_version": "2.4"},
    "http_version": "1.1",
    "server": ("127.0.0.1", 8000),
    "client": ("127.0.0.1", 50000),
    "scheme": "http",
    "method": "GET",
    "root_path": "",
    "path": "/orders/42",
    "raw_path": b"/orders/42",
    "query_string": b"",
    "headers": [
        (b"host", b"127.0.0.1:8000"),
        (b"accept", b"application/json"),
        (b"user-agent", b"bench"),
    ],
    "state": {},
}


async def _receive() -> dict[str, Any]:
    return {"type": "http.request", "body": b"", "more_body": False}


async def _send(message: dict[str, Any]) -> None:
    pass


async def _block(app: Any, count: int) -> float:
    """µs per call over `count` calls of app (each with a fresh shallow copy of the scope)."""
    started = time.perf_counter_ns()
    for _ in range(count):
        await app(dict(SCOPE), _receive, _send)
    return (time.perf_counter_ns() - started) / count / 1000


def in_process(rounds: int, per_round: int) -> list[tuple[str, float, float, float]]:
    """Per state: (state, median µs bare, median µs with the middleware, median difference)."""
    rows = []
    for name, document in STATES.items():
        app = wrapped(document)

        async def run(app: Any = app) -> tuple[list[float], list[float]]:
            bare: list[float] = []
            with_mw: list[float] = []
            await _block(bare_app, per_round)  # warm-up
            await _block(app, per_round)
            for i in range(rounds):
                if i % 2:
                    bare.append(await _block(bare_app, per_round))
                    with_mw.append(await _block(app, per_round))
                else:
                    with_mw.append(await _block(app, per_round))
                    bare.append(await _block(bare_app, per_round))
            return bare, with_mw

        bare, with_mw = asyncio.run(run())
        differences = [w - b for w, b in zip(with_mw, bare, strict=True)]
        rows.append(
            (
                name,
                statistics.median(bare),
                statistics.median(with_mw),
                statistics.median(differences),
            )
        )
    return rows


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def uvicorn_process(kind: str, health_url: str) -> Iterator[str]:
    """This script's --serve KIND under uvicorn in a process of its own: its base URL."""
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, __file__, "--serve", kind, "--port", str(port), "--health", health_url],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):  # at most 15 s
            try:
                if httpx.get(f"{base}/ready", trust_env=False, timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.05)
        else:
            raise RuntimeError(f"uvicorn ({kind}) did not start")
        yield base
    finally:
        proc.terminate()
        proc.wait(10)


def through_uvicorn(total: int, block: int = 100) -> dict[str, float]:
    """Requests per second through uvicorn, bare and wrapped, blocks alternating on one client.

    Also the median of the paired blocks' ratios, steadier than the totals on a shared machine.
    """
    elapsed = {"bare": 0.0, "wrapped": 0.0}
    ratios: list[float] = []
    with (
        fake_maintctl(STATES["normal"]) as health_url,
        uvicorn_process("bare", health_url) as bare,
        uvicorn_process("wrapped", health_url) as with_mw,
        httpx.Client(trust_env=False, timeout=10) as http,
    ):
        targets = {"bare": bare, "wrapped": with_mw}
        for url in targets.values():  # warm-up
            for _ in range(100):
                http.get(f"{url}/orders/42")
        done = 0
        while done < total:
            count = min(block, total - done)
            order = ["bare", "wrapped"] if (done // block) % 2 == 0 else ["wrapped", "bare"]
            took: dict[str, float] = {}
            for kind in order:
                url = f"{targets[kind]}/orders/42"
                started = time.perf_counter()
                for _ in range(count):
                    assert http.get(url).status_code == 200
                took[kind] = time.perf_counter() - started
                elapsed[kind] += took[kind]
            ratios.append(took["bare"] / took["wrapped"])
            done += count
    rates = {kind: total / seconds for kind, seconds in elapsed.items()}
    rates["median block ratio"] = statistics.median(ratios)
    return rates


def serve(kind: str, port: int, health_url: str) -> None:
    """--serve: the bench app (bare or behind the middleware) under uvicorn, until terminated."""
    import uvicorn

    app: Any = bare_app
    if kind == "wrapped":
        app = MaintenanceASGI(bare_app, server=health_url, systems=["api"])
        app.refresh_now()
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="error", access_log=False)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=200)
    parser.add_argument("--per-round", type=int, default=1000)
    parser.add_argument("--http", type=int, default=2000, help="requests each through uvicorn")
    parser.add_argument("--serve", choices=["bare", "wrapped"], help=argparse.SUPPRESS)
    parser.add_argument("--port", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--health", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        serve(args.serve, args.port, args.health)
        return

    print(
        f"# {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, CPython {platform.python_version()}, "
        f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f}"
    )
    print(f"## in-process: {args.rounds} rounds x {args.per_round} calls each, interleaved")
    print("| state | bare app | with the middleware | added (median of rounds) |")
    print("|---|---:|---:|---:|")
    for name, bare, with_mw, added in in_process(args.rounds, args.per_round):
        print(f"| {name} | {bare:.2f} µs | {with_mw:.2f} µs | **{added:.2f} µs** |")
    print(f"## through uvicorn: {args.http} requests each, one keep-alive client")
    rates = through_uvicorn(args.http)
    print("| bare | with the middleware | ratio of totals | median ratio of paired blocks |")
    print("|---:|---:|---:|---:|")
    ratio = rates["wrapped"] / rates["bare"]
    print(
        f"| {rates['bare']:,.0f} req/s | {rates['wrapped']:,.0f} req/s | x{ratio:.3f} "
        f"| x{rates['median block ratio']:.3f} |"
    )
    print(f"load average at the end: {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
