"""How a validation run scales: N http checks, each answered by a loopback server after a delay.

Not a test: run it by hand and copy the figures into bench/README.md.

    .venv/bin/python bench/bench_checks.py                 # 500 checks, 0.5 s each, 3 rounds
    .venv/bin/python bench/bench_checks.py --checks 1000 --delay 1

The server runs in a process of its own (asyncio, backlog 4096), so its work is not counted in the
run's memory nor competes for its interpreter. Figures: the wall time of the whole run as a ratio to
one check alone (target <= 1.5) and to the slowest check of the run, and the process's peak memory
(ru_maxrss, target < 200 MB).
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import platform
import resource
import socket
import time
from pathlib import Path

from maintctl.config import parse_config
from maintctl.services import validation


def serve(port: int, delay: float, ready: multiprocessing.synchronize.Event) -> None:  # type: ignore[name-defined]
    """A tiny HTTP/1.1 server: every request is answered `200 ok` after `delay` seconds."""

    async def answer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            await reader.readuntil(b"\r\n\r\n")
            await asyncio.sleep(delay)
            writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok")
            await writer.drain()
        finally:
            writer.close()

    async def main() -> None:
        server = await asyncio.start_server(answer, "127.0.0.1", port, backlog=4096)
        ready.set()
        async with server:
            await server.serve_forever()

    asyncio.run(main())


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def suite(count: int, port: int, timeout: float) -> str:
    lines = [
        f"  - {{name: c{i}, group: services, kind: http, url: 'http://127.0.0.1:{port}/{i}',"
        f" timeout: {timeout}s}}"
        for i in range(count)
    ]
    return "checks:\n" + "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--checks", type=int, default=500)
    parser.add_argument("--delay", type=float, default=0.5)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()

    port = free_port()
    ready = multiprocessing.Event()
    server = multiprocessing.Process(target=serve, args=(port, args.delay, ready), daemon=True)
    server.start()
    ready.wait(10)
    try:
        timeout = args.delay * 10
        one = parse_config(suite(1, port, timeout), "bench.yaml", Path()).checks
        many = parse_config(suite(args.checks, port, timeout), "bench.yaml", Path()).checks
        validation.run(one)  # warm: imports and the first connection's setup are not the subject
        started = time.monotonic()
        alone = validation.run(one)
        single = time.monotonic() - started
        print(
            f"{platform.python_implementation()} {platform.python_version()}, {args.checks} checks"
        )
        print(f"one check alone: {single * 1000:.0f} ms ({alone.results[0].status.value})")
        for round_ in range(1, args.rounds + 1):
            started, cpu = time.monotonic(), time.process_time()
            report = validation.run(many)
            wall, cpu = time.monotonic() - started, time.process_time() - cpu
            slowest = max(r.duration_ms for r in report.results) / 1000
            passed = sum(r.passed for r in report.results)
            peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
            print(
                f"round {round_}: wall {wall * 1000:.0f} ms, x{wall / single:.2f} one check alone, "
                f"x{wall / slowest:.2f} the run's slowest ({slowest * 1000:.0f} ms), "
                f"{passed}/{len(report.results)} passed, CPU {cpu * 1000:.0f} ms, "
                f"peak memory {peak:.0f} MB"
            )
    finally:
        server.terminate()
        server.join(5)


if __name__ == "__main__":
    main()
