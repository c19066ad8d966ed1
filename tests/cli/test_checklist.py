"""`maintctl checklist ID [--json]` and the post-maintenance `ack` in local mode."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.cli.test_cli import CREATE, local, run
from tests.cli.test_execution import _scheduled

__all__ = ["local"]


def test_checklist_shows_the_three_lists_with_who_acked_and_when(
    local: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    wid = _scheduled("0131", "20", monkeypatch)
    code, _, err = run("checklist", wid)
    assert code == 2 and "it never ran, so it has no post-maintenance checklist" in err
    assert run("start", wid, "--early")[0] == 0
    code, _, err = run("ack", wid, "post-immediate.team-debriefed")
    assert code == 2 and "acknowledged once the window has completed or rolled back" in err
    assert run("complete", wid)[0] == 0
    code, out, _ = run("ack", wid, "post-immediate.team-debriefed", "--json")
    me = json.loads(out)["account"]  # the local user
    assert code == 0 and json.loads(out)["acknowledged"] is True
    code, _, err = run("ack", wid, "post-immediate.coffee")
    assert code == 2 and "'post-immediate.coffee' is not an item of any checklist" in err
    code, out, _ = run("checklist", wid, "--json")
    assert code == 0
    report = json.loads(out)
    assert set(report) == {"window", "status", "completed_at", "lists"}
    assert (report["window"], report["status"]) == (wid, "completed")
    assert [x["name"] for x in report["lists"]] == [
        "post-immediate",
        "post-short-term",
        "post-long-term",
    ]
    first = report["lists"][0]
    assert set(first) == {"name", "due", "done", "overdue", "items"}
    assert first["done"] is False and first["overdue"] is False
    assert first["due"].endswith("Z")
    debriefed = next(i for i in first["items"] if i["item"] == "post-immediate.team-debriefed")
    assert debriefed["ok"] is True and debriefed["overdue"] is False
    assert [a["account"] for a in debriefed["acks"]] == [me]
    assert debriefed["acks"][0]["at"].endswith("Z")
    code, out, _ = run("checklist", wid)
    assert code == 0 and out.startswith(f"{wid} (completed), completed ")
    assert "post-immediate: due " in out and "(open)" in out
    assert f"[OK] Team debriefed [post-immediate.team-debriefed] by {me} at " in out
    assert "[FAIL] Conduct maintenance review [post-long-term.review-conducted]" in out


def test_checklist_of_an_unknown_window_is_refused(local: Path) -> None:
    code, _, err = run("checklist", "MNT-2030-9999")
    assert code == 2 and "there is no window MNT-2030-9999" in err
    assert run(*CREATE)[0] == 0
