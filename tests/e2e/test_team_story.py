"""The three-person story, end to end: a real `maintctl serve` and each person's own CLI.

rita requests a planned outage; tom (team-lead), emma (engineering-manager) and victor
(vp-engineering) sign it level by level, each logged in with their own ~/.config/maintctl.
Accounts are bootstrapped in local mode on the same database, as an operator would.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import socket
import stat
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml

# The command installed beside the interpreter running the tests (the virtualenv's), else PATH's.
_BESIDE = Path(sys.executable).with_name("maintctl")
MAINTCTL = str(_BESIDE) if _BESIDE.is_file() else shutil.which("maintctl") or "maintctl"
# If a person's command ever fell back to local mode, it would hit this and fail loudly
# instead of quietly working on a database of its own.
NO_LOCAL_DB = "sqlite:////nonexistent/maintctl-e2e/never.db"
PEOPLE = {
    "rita": "requester",
    "tom": "team-lead",
    "emma": "engineering-manager",
    "victor": "vp-engineering",
}


@dataclass
class Output:
    args: list[str]
    code: int
    out: str
    err: str


@dataclass
class Transcript:
    """Every CLI output of the story, for the secrets check."""

    outputs: list[Output] = field(default_factory=list)

    def run(self, args: list[str], env: dict[str, str], cwd: Path) -> Output:
        done = subprocess.run(
            [MAINTCTL, *args], env=env, cwd=cwd, capture_output=True, text=True, timeout=60
        )
        result = Output(args, done.returncode, done.stdout, done.stderr)
        self.outputs.append(result)
        return result


def _clean_env(home: Path, config: Path) -> dict[str, str]:
    """The caller's environment without any MAINTCTL_* and with HOME and XDG dirs in `home`."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("MAINTCTL_")}
    home.mkdir(parents=True, exist_ok=True)
    env.update(
        HOME=str(home),
        XDG_CONFIG_HOME=str(home / ".config"),
        XDG_DATA_HOME=str(home / ".local" / "share"),
        XDG_CACHE_HOME=str(home / ".cache"),
        MAINTCTL_CONFIG=str(config),
        PYTHONUNBUFFERED="1",
    )
    return env


@dataclass
class Person:
    name: str
    home: Path
    env: dict[str, str]
    transcript: Transcript

    def run(self, *args: str) -> Output:
        return self.transcript.run(list(args), self.env, self.home)

    def ok_json(self, *args: str) -> Any:
        result = self.run(*args)
        assert result.code == 0, f"{self.name}: maintctl {' '.join(args)}: {result.err}"
        return json.loads(result.out)


class Server:
    """`maintctl serve` as a subprocess, its stdout and stderr in one log file."""

    def __init__(self, env: dict[str, str], cwd: Path, log: Path, workers: int = 1) -> None:
        self.log = log
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self._handle = log.open("wb")
        self.process = subprocess.Popen(
            [
                MAINTCTL,
                "serve",
                "--host",
                "127.0.0.1",
                "--port",
                str(self.port),
                "--workers",
                str(workers),
            ],
            env=env,
            cwd=cwd,
            stdout=self._handle,
            stderr=subprocess.STDOUT,
        )

    def wait_healthy(self, limit: float = 20.0) -> None:
        deadline = time.monotonic() + limit
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                pytest.fail(f"maintctl serve exited early:\n{self.log.read_text('utf-8')}")
            try:
                if httpx.get(f"{self.url}/healthz", timeout=1.0).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        self.stop()
        pytest.fail(f"maintctl serve not healthy in {limit}s:\n{self.log.read_text('utf-8')}")

    def stop(self) -> str:
        """Stop the server (once) and return everything it logged."""
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
        self._handle.close()
        return self.log.read_text("utf-8", errors="replace")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def empty_config(tmp_path: Path) -> Path:
    path = tmp_path / "maintctl.yaml"
    path.write_text("", "utf-8")
    return path


@pytest.fixture
def server(database_url: str, tmp_path: Path, empty_config: Path) -> Iterator[Server]:
    env = _clean_env(tmp_path / "server-home", empty_config)
    env["MAINTCTL_DATABASE_URL"] = database_url
    running = Server(env, tmp_path, tmp_path / "server.log")
    try:
        running.wait_healthy()
        yield running
    finally:
        running.stop()


def _bootstrap(database_url: str, tmp_path: Path, config: Path) -> dict[str, str]:
    """Local mode on the server's database (acting as admin): one account per person."""
    env = _clean_env(tmp_path / "operator-home", config)
    env["MAINTCTL_DATABASE_URL"] = database_url
    tokens = {}
    for name, role in PEOPLE.items():
        done = subprocess.run(
            [MAINTCTL, "user", "add", name, "--role", role, "--json"],
            env=env,
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert done.returncode == 0, done.stderr
        shown = json.loads(done.stdout)
        assert shown["name"] == name and shown["role"] == role
        assert shown["token"].startswith("mct_")
        tokens[name] = shown["token"]
    return tokens


def _login(person: Person, url: str, token: str) -> None:
    result = person.run("login", "--url", url, "--token", token)
    assert result.code == 0, result.err
    assert f"as {person.name} ({PEOPLE[person.name]})" in result.out
    saved = person.home / ".config" / "maintctl" / "client.yaml"
    assert stat.S_IMODE(saved.stat().st_mode) == 0o600
    assert yaml.safe_load(saved.read_text("utf-8")) == {"url": url, "token": token}


def _instant(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def test_three_people_take_a_planned_outage_from_request_to_scheduled(
    server: Server, database_url: str, tmp_path: Path, empty_config: Path
) -> None:
    tokens = _bootstrap(database_url, tmp_path, empty_config)
    transcript = Transcript()
    people = {}
    for name in PEOPLE:
        env = _clean_env(tmp_path / name, empty_config)
        env["MAINTCTL_DATABASE_URL"] = NO_LOCAL_DB
        people[name] = Person(name, tmp_path / name, env, transcript)
        _login(people[name], server.url, tokens[name])
    rita, tom, emma, victor = (people[n] for n in PEOPLE)

    # rita: the earliest slot that satisfies every rule, by the real clock, then the request.
    [slot] = rita.ok_json(
        "slots", "--type", "planned-outage", "--duration", "2h", "--systems", "db",
        "--count", "1", "--json",
    )  # fmt: skip
    start = _instant(slot["start"])
    end = start + timedelta(hours=2)
    assert _instant(slot["end"]) == end
    created = rita.ok_json(
        "window", "create", "--type", "planned-outage",
        "--start", slot["start"], "--end", end.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "--systems", "db", "--description", "Database upgrade", "--json",
    )  # fmt: skip
    window_id = created["id"]
    assert created["status"] == "draft"
    assert created["requested_by"] == "rita"
    submitted = rita.ok_json("window", "submit", window_id, "--json")
    assert submitted["status"] == "pending_approval"

    # rita may not sign her own request.
    refused = rita.run("window", "approve", window_id, "--comment", "mine")
    assert refused.code == 2
    assert "someone other than its requester" in refused.err
    assert rita.ok_json("approvals", "pending", "--json") == []

    # tom signs level 1, and only once.
    assert [w["id"] for w in tom.ok_json("approvals", "pending", "--json")] == [window_id]
    signed = tom.ok_json("window", "approve", window_id, "--comment", "ok", "--json")
    assert signed["status"] == "pending_approval"
    assert [(a["level"], a["signer"]) for a in signed["approvals"]] == [(1, "tom")]
    again = tom.run("window", "approve", window_id, "--comment", "ok again")
    assert again.code == 2
    assert "someone who has not signed another level of it" in again.err
    assert tom.ok_json("approvals", "pending", "--json") == []

    # emma signs level 2, victor the last one: scheduled.
    assert [w["id"] for w in emma.ok_json("approvals", "pending", "--json")] == [window_id]
    signed = emma.ok_json("window", "approve", window_id, "--comment", "ok", "--json")
    assert signed["status"] == "pending_approval"
    assert [w["id"] for w in victor.ok_json("approvals", "pending", "--json")] == [window_id]
    signed = victor.ok_json("window", "approve", window_id, "--comment", "ok", "--json")
    assert signed["status"] == "scheduled"

    shown = rita.ok_json("window", "show", window_id, "--json")
    assert shown["status"] == "scheduled"
    assert shown["start"] == slot["start"] and shown["systems"] == ["db"]
    assert [(a["level"], a["role"], a["signer"], a["comment"]) for a in shown["approvals"]] == [
        (1, "team-lead", "tom", "ok"),
        (2, "engineering-manager", "emma", "ok"),
        (3, "vp-engineering", "victor", "ok"),
    ]

    history = victor.ok_json("window", "history", window_id, "--json")
    assert [(h["actor"], h["action"], h["from"], h["to"]) for h in history] == [
        ("rita", "create", None, "draft"),
        ("rita", "submit", "draft", "pending_approval"),
        ("tom", "approve", "pending_approval", "pending_approval"),
        ("emma", "approve", "pending_approval", "pending_approval"),
        ("victor", "approve", "pending_approval", "scheduled"),
    ]

    # A wrong token, by the CLI and by the API directly: refused, and never echoed back.
    wrong = "mct_" + secrets.token_urlsafe(32)
    by_cli = transcript.run(
        ["window", "list", "--json"], {**rita.env, "MAINTCTL_TOKEN": wrong}, rita.home
    )
    assert by_cli.code == 2 and "token: the token is not valid" in by_cli.err
    bad_login = transcript.run(
        ["login", "--url", server.url, "--token", wrong],
        _clean_env(tmp_path / "mallory", empty_config),
        tmp_path,
    )
    assert bad_login.code == 2
    assert not (tmp_path / "mallory" / ".config" / "maintctl" / "client.yaml").exists()
    for headers in (
        {"Authorization": f"Bearer {wrong}"},
        {"Authorization": f"Token {wrong}"},
        {"Authorization": f"Bearer {tokens['rita'][:-1]}"},
    ):
        answer = httpx.get(f"{server.url}/api/v1/windows/{window_id}", headers=headers)
        assert answer.status_code == 401
        assert answer.headers["content-type"] == "application/problem+json"
        assert wrong not in answer.text and tokens["rita"][:-1] not in answer.text
        assert all(wrong not in v for v in answer.headers.values())

    # A calendar app subscribes by URL, token in the query; the access log must not keep it.
    feed = httpx.get(f"{server.url}/calendar.ics", params={"token": tokens["victor"]})
    assert feed.status_code == 200 and f"UID:{window_id}@maintctl" in feed.text

    log = server.stop()
    assert f"POST /api/v1/windows/{window_id}/approve" in log  # the log is really captured
    assert "/calendar.ics?token=[redacted]" in log
    sources = {"server log": log}
    for n, o in enumerate(transcript.outputs):
        sources[f"#{n} maintctl {' '.join(o.args[:2])}"] = o.out + o.err
    secrets_used = {**tokens, "wrong": wrong}
    leaks = [
        (where, name)
        for where, text in sources.items()
        for name, secret in secrets_used.items()
        if secret in text
    ]
    assert leaks == []


def test_several_worker_processes_share_one_database(
    database_url: str, tmp_path: Path, empty_config: Path
) -> None:
    tokens = _bootstrap(database_url, tmp_path, empty_config)
    env = _clean_env(tmp_path / "server-home", empty_config)
    env["MAINTCTL_DATABASE_URL"] = database_url
    running = Server(env, tmp_path, tmp_path / "workers.log", workers=2)
    try:
        running.wait_healthy()
        rita = {"Authorization": f"Bearer {tokens['rita']}"}
        with httpx.Client(base_url=running.url, headers=rita, timeout=30.0) as http:
            made = http.post(
                "/api/v1/windows",
                json={
                    "type": "zero-downtime",
                    "start": "2030-01-06T10:00:00Z",
                    "end": "2030-01-06T11:00:00Z",
                    "systems": ["api"],
                    "description": "x",
                },
            )
            assert made.status_code == 201, made.text
            # Whichever worker answers, every one sees the same window and the same accounts.
            for _ in range(20):
                assert http.get(f"/api/v1/windows/{made.json()['id']}").status_code == 200
                assert http.get("/api/v1/me").json() == {"name": "rita", "role": "requester"}
    finally:
        log = running.stop()
    assert log.count("Started server process") >= 2
