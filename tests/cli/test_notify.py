"""`maintctl notify pending|preview|send|log` in local mode: a manual email channel's draft is sent
by a person and delivered by `maintctl worker --once` to a real SMTP server on loopback, and no
secret shows in any JSON the commands print."""

from __future__ import annotations

import email
import json
from pathlib import Path

import pytest

from tests.channels.sinks import http_sink, smtp_sink
from tests.cli.test_cli import CREATE, local, run

__all__ = ["local"]
SECRET = "cli-hook-secret-d41f0a"


def _configure(config: Path, smtp_port: int, hook_url: str) -> None:
    (config.parent / "hook.key").write_text(SECRET, "utf-8")
    config.write_text(
        "channels:\n"
        "  - {name: eng-hook, audience: internal-engineering,\n"
        f"     webhook: {{url: '{hook_url}/hook', secret_file: hook.key}}}}\n"
        "  - name: enterprise-email\n"
        "    audience: customers-enterprise\n"
        "    manual: true\n"
        f"    email: {{smtp: 'smtp://127.0.0.1:{smtp_port}', from: maintenance@example.com,"
        " to: [ops@acme.example]}\n",
        "utf-8",
    )


def _scheduled(monkeypatch: pytest.MonkeyPatch) -> str:
    """A brief interruption filed by the local user, signed by tina and emma."""
    wid = "MNT-2030-0321"
    create = [*CREATE]
    create[create.index("--id") + 1] = wid
    create[create.index("--type") + 1] = "brief-interruption"
    create[create.index("--end") + 1] = "2030-01-06T02:05:00Z"
    assert run(*create)[0] == 0
    assert run("window", "submit", wid)[0] == 0
    run("user", "add", "tina", "--role", "team-lead")
    run("user", "add", "emma", "--role", "engineering-manager")
    run("user", "add", "rita", "--role", "requester")
    for signer in ("tina", "emma"):
        monkeypatch.setenv("MAINTCTL_AS", signer)
        assert run("window", "approve", wid)[0] == 0
    monkeypatch.delenv("MAINTCTL_AS")
    return wid


def test_a_manual_email_draft_is_sent_by_a_person_and_delivered_over_smtp(
    local: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with smtp_sink() as (port, envelopes), http_sink() as hook:
        _configure(local, port, hook.url)
        wid = _scheduled(monkeypatch)
        code, out, _ = run("notify", "pending", "--json")
        assert code == 0
        waiting = json.loads(out)
        assert all(
            set(n) == {"id", "window", "kind", "audience", "channel", "due_at", "status"}
            for n in waiting
        )
        draft = next(n for n in waiting if n["channel"] == "enterprise-email")
        assert (draft["kind"], draft["status"], draft["window"]) == ("initial", "draft", wid)
        code, out, _ = run("notify", "preview", draft["id"])
        assert code == 0 and "Subject: [Scheduled Maintenance]" in out
        monkeypatch.setenv("MAINTCTL_AS", "rita")  # a requester, but not this window's
        code, _, err = run("notify", "send", draft["id"])
        assert code == 2 and "requester" in err
        monkeypatch.delenv("MAINTCTL_AS")
        code, out, _ = run("notify", "send", draft["id"])
        assert code == 0 and f"Queued {draft['id']}" in out
        code, _, err = run("notify", "send", draft["id"])
        assert code == 2 and "is being sent" in err
        assert run("worker", "--once")[0] == 0
        assert len(envelopes) == 1 and envelopes[0].rcpt_tos == ["ops@acme.example"]
        mail = email.message_from_bytes(envelopes[0].content)
        assert mail["Subject"].startswith("[Scheduled Maintenance]")
        assert len(hook.hits) == 1  # the automated channel's initial notice went by itself
        code, out, _ = run("notify", "log", wid, "--json")
        logged = {n["id"]: n for n in json.loads(out)}
        sent = logged[draft["id"]]
        assert sent["status"] == "sent" and sent["attempts"][0]["ok"] is True
        code, out, _ = run("notify", "log", wid)
        assert code == 0 and draft["id"] in out and "ok" in out
        printed = [run(*a)[1] for a in (("notify", "pending", "--json"), ("jobs", "--json"))]
        printed.append(json.dumps(logged))
        assert not any(SECRET in text for text in printed)


def test_a_notification_id_that_is_not_one_is_refused(local: Path) -> None:
    code, _, err = run("notify", "preview", "X-1")
    assert code == 2 and "not a notification ID" in err
    code, _, err = run("notify", "send", "N-999")
    assert code == 2 and "there is no notification N-999" in err
