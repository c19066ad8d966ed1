"""`maintctl emergency start|resolve` in local mode: one named error per missing field and
nothing written; filed, paged and signed by a VP, it is in progress; resolved, completed."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from tests.cli.test_cli import local, run

__all__ = ["local"]


def test_an_emergency_without_reason_impact_or_duration_is_refused_by_name(local: Path) -> None:
    code, out, err = run("emergency", "start")
    assert code == 2, out
    assert [line.split(":")[1].strip() for line in err.splitlines()] == [
        "reason",
        "impact",
        "duration",
    ]
    assert run("window", "list", "--json")[1].strip() in ("[]", "[\n]")


def test_start_sign_and_resolve_an_emergency(local: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    code, out, err = run(
        "emergency", "start", "--reason", "CVE in the TLS library", "--impact",
        "API restarts", "--duration", "1h", "--systems", "api",
    )  # fmt: skip
    assert code == 0, err
    wid = re.search(r"Created (EMT-\d{12})", out)
    assert wid is not None and "window approve" in out
    run("user", "add", "victor", "--role", "vp-engineering")
    run("user", "add", "tina", "--role", "team-lead")
    monkeypatch.setenv("MAINTCTL_AS", "tina")
    code, _, err = run("window", "approve", wid[1])
    assert code == 2 and "vp-engineering or higher (you are team-lead)" in err
    monkeypatch.setenv("MAINTCTL_AS", "victor")
    assert run("window", "approve", wid[1])[0] == 0
    monkeypatch.delenv("MAINTCTL_AS")
    shown = json.loads(run("window", "show", wid[1], "--json")[1])
    assert shown["status"] == "in_progress" and shown["actual_start"]
    code, out, _ = run("emergency", "resolve", wid[1])
    assert code == 0 and f"{wid[1]} is completed" in out
    code, _, err = run("emergency", "resolve", "MNT-2030-0001")
    assert code != 0 and "MNT-2030-0001" in err


def test_an_emergency_asking_for_read_only_holds_its_systems_from_the_signature_to_resolve(
    local: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    code, out, err = run(
        "emergency", "start", "--reason", "Disk failing", "--impact", "writes paused",
        "--duration", "30m", "--systems", "db", "--maintenance-mode", "--traffic-mode",
        "read-only",
    )  # fmt: skip
    assert code == 0, err
    wid = re.search(r"Created (EMT-\d{12})", out)
    assert wid is not None
    assert json.loads(run("mode", "status", "--json")[1])["systems"] == {}  # not before signing
    run("user", "add", "victor", "--role", "vp-engineering")
    monkeypatch.setenv("MAINTCTL_AS", "victor")
    assert run("window", "approve", wid[1])[0] == 0
    monkeypatch.delenv("MAINTCTL_AS")
    held = json.loads(run("mode", "status", "--json")[1])["systems"]["db"]
    assert (held["trafficMode"], held["maintenanceMode"]) == ("read-only", True)
    assert run("emergency", "resolve", wid[1])[0] == 0
    assert json.loads(run("mode", "status", "--json")[1])["systems"] == {}
