"""How long the CLI takes to answer in local mode, as ratios to `python -c pass`.

Not a test: run it by hand and copy the figures into bench/README.md.

    .venv/bin/python bench/bench_cli_start.py            # 15 rounds
    .venv/bin/python bench/bench_cli_start.py --rounds 30
    .venv/bin/python bench/bench_cli_start.py --large 100000   # also `window list` at 100k windows

Every round runs each case once, in turn (interleaved), so a busy machine slows all cases alike;
the figures are medians. `window list` runs on a small SQLite database (a few windows), made
fresh in a temporary folder, with no config file and no MAINTCTL_URL (local mode).
Targets (issue 6): --help <= 15x, policy show <= 25x, window list <= 30x. With --large N, a
second database holds N windows (seeded as bench_schedule.py seeds them) and `window list` (its
first page) and `window list --json --limit 1000` are timed on it too (target: under 1 s).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

TARGETS = {"--help": 15, "policy show": 25, "window list": 30}
SEED = [
    ["--type", "zero-downtime", "--start", "2030-01-06T02:00:00Z", "--duration", "1h"],
    ["--type", "zero-downtime", "--start", "2030-01-13T02:00:00Z", "--duration", "1h"],
    ["--type", "zero-downtime", "--start", "2030-01-20T02:00:00Z", "--duration", "1h"],
]


def _cli() -> list[str]:
    script = Path(sys.executable).with_name("maintctl")
    if script.exists():
        return [str(script)]
    return [sys.executable, "-c", "from maintctl.cli.main import run; run()"]


def _run(argv: list[str], env: dict[str, str], cwd: str) -> float:
    began = time.perf_counter()
    done = subprocess.run(argv, env=env, cwd=cwd, capture_output=True, check=False)
    took = time.perf_counter() - began
    if done.returncode != 0:
        sys.exit(f"{argv} failed ({done.returncode}): {done.stderr.decode()[-500:]}")
    return took


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--large", type=int, default=0, help="also time a database of N windows")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        env = {k: v for k, v in os.environ.items() if not k.startswith("MAINTCTL_")}
        env["MAINTCTL_DATABASE_URL"] = f"sqlite:///{Path(folder) / 'maintctl.db'}"
        env["HOME"] = folder
        env["XDG_CONFIG_HOME"] = str(Path(folder) / "config")
        cli = _cli()
        for fields in SEED:
            desc = ["--description", "bench window", "--systems", "api"]
            _run([*cli, "window", "create", *fields, *desc], env, folder)
        cases = {
            "pass": [sys.executable, "-c", "pass"],
            "--help": [*cli, "--help"],
            "policy show": [*cli, "policy", "show"],
            "window list": [*cli, "window", "list"],
        }
        if args.large:
            big = {**env, "MAINTCTL_DATABASE_URL": _large(folder, args.large)}
            cases[f"window list @{args.large}"] = [*cli, "window", "list"]
            cases[f"--json --limit 1000 @{args.large}"] = [
                *cli,
                "window",
                "list",
                "--json",
                "--limit",
                "1000",
            ]
        times: dict[str, list[float]] = {name: [] for name in cases}
        for _ in range(args.rounds):
            for name, argv in cases.items():
                times[name].append(_run(argv, big if "@" in name else env, folder))
    base = statistics.median(times["pass"])
    print(f"python -c pass: {base * 1000:.1f} ms (median of {args.rounds}, interleaved)")
    for name, target in TARGETS.items():
        median = statistics.median(times[name])
        ratio = median / base
        verdict = "ok" if ratio <= target else "OVER"
        took = f"{median * 1000:7.1f} ms"
        print(f"maintctl {name:<12} {took}  {ratio:5.1f}x  (target {target}x) {verdict}")

    for name in (n for n in times if "@" in n):
        print(f"maintctl {name:<12} {statistics.median(times[name]) * 1000:7.1f} ms  (target 1 s)")


def _large(folder: str, n: int) -> str:
    """A SQLite database of `n` windows, seeded in bulk as bench_schedule.py seeds its own."""
    sys.path.insert(0, str(Path(__file__).parent))
    from bench_schedule import seed

    from maintctl.store import migrate
    from maintctl.store.db import Database

    url = f"sqlite:///{Path(folder) / 'large.db'}"
    db = Database(url)
    migrate.upgrade(db)
    seed(db, n)
    db.dispose()
    return url


if __name__ == "__main__":
    main()
