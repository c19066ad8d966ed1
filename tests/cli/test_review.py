"""`maintctl review`, `review edit`, `action add|list|done` and `close`: local mode round trips."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from tests.cli.test_cli import local, run
from tests.cli.test_execution import _scheduled

__all__ = ["local"]

# No post-maintenance items, whatever the default policy declares: the tour closes on the review.
NO_POST_LISTS = "policy:\n  checklists:\n    post-immediate: []\n    post-short-term: []\n"
FAKE_EDITOR = """
import sys
path = sys.argv[1]
text = open(path, encoding="utf-8").read()
went = "## What Went Well\\n"
text = text.replace(went, went + "Rollback rehearsed\\n# kept as text\\n")
text = text.replace("## Incidents Added\\n", "## Incidents Added\\n- pager storm at 02:40\\n")
open(path, "w", encoding="utf-8").write(text)
"""


def _completed(monkeypatch: pytest.MonkeyPatch, number: str = "0301", day: str = "20") -> str:
    wid = _scheduled(number, day, monkeypatch)
    assert run("start", wid, "--early", "--lead", "tina")[0] == 0
    assert run("complete", wid)[0] == 0
    return wid


def test_review_edit_action_and_close_round_trip(
    local: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    local.write_text(NO_POST_LISTS, "utf-8")
    never = _scheduled("0300", "13", monkeypatch)
    code, _, err = run("review", never)
    assert code == 2 and "never started" in err
    wid = _completed(monkeypatch)
    code, out, _ = run("review", wid)
    assert code == 0 and out.startswith("# Maintenance Review")
    assert "| Duration |" in out and "| Incidents During | 0 | 0 | Met |" in out
    editor = tmp_path / "editor.py"
    editor.write_text(FAKE_EDITOR, "utf-8")
    monkeypatch.setenv("EDITOR", f"{sys.executable} {editor}")
    monkeypatch.delenv("VISUAL", raising=False)
    code, out, err = run("review", "edit", wid)
    assert code == 0 and "version 1" in out, err
    code, out, _ = run("review", wid, "--format", "json")
    shown = json.loads(out)
    assert shown["went_well"] == "Rollback rehearsed\n# kept as text"
    assert shown["incidents"] == ["pager storm at 02:40"] and shown["version"] == 1
    assert "markdown" not in shown
    code, out, _ = run("review", wid)
    assert "\\# kept as text" in out and "| Incidents During | 0 | 1 | Missed |" in out

    code, out, err = run(
        "action",
        "add",
        wid,
        "--what",
        "Automate failover",
        "--owner",
        "tina",
        "--due",
        "2030-02-01",
    )
    assert code == 0 and "A-1 added" in out, err
    code, _, err = run(
        "action", "add", "MNT-2030-0999", "--what", "x", "--owner", "tina", "--due", "2030-02-01"
    )
    assert code == 2 and "there is no window MNT-2030-0999" in err
    code, out, _ = run("action", "list", "--open", "--json")
    assert [a["label"] for a in json.loads(out)] == ["A-1"]
    code, out, _ = run("action", "list", "--owner", "tina")
    assert code == 0 and "A-1" in out and "tina" in out
    code, out, _ = run("review", wid)
    assert "| A-1 Automate failover | tina | 2030-02-01T23:59:59Z |" in out

    code, _, err = run("close", wid)
    assert code == 2 and "admin" in err  # the local user is admin: it closes only by force
    monkeypatch.setenv("MAINTCTL_AS", "tina")
    assert run("action", "done", "A-1")[0] == 0
    code, out, _ = run("close", wid)
    assert code == 0 and f"{wid} closed" in out
    monkeypatch.delenv("MAINTCTL_AS")
    code, out, _ = run("action", "list", "--open", "--json")
    assert json.loads(out) == []


def test_close_names_the_missing_review_and_force_needs_a_reason(
    local: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    local.write_text(NO_POST_LISTS, "utf-8")
    wid = _completed(monkeypatch, "0302", "27")
    monkeypatch.setenv("MAINTCTL_AS", "tina")
    code, _, err = run("close", wid)
    assert code == 2 and f"review: review is not done; write it: maintctl review edit {wid}" in err
    code, _, err = run("close", wid, "--force", "--reason", "x")
    assert code == 2 and "admin" in err
    monkeypatch.delenv("MAINTCTL_AS")
    code, _, err = run("close", wid, "--force")
    assert code == 2 and "reason" in err
    code, out, _ = run("close", wid, "--force", "--reason", "reviewed on paper")
    assert code == 0 and "closed (forced)" in out


def test_review_edit_from_a_markdown_or_yaml_file(
    local: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    wid = _completed(monkeypatch, "0303", "27")
    filled = tmp_path / "review.md"
    filled.write_text(
        "# Review\n\n## What Could Improve\nMore notice\n\n## Lessons Learned\n| not | a table |\n",
        "utf-8",
    )
    code, out, err = run("review", "edit", wid, "--from-file", str(filled))
    assert code == 0 and "version 1" in out, err
    code, out, _ = run("review", "edit", wid, "--from-file", str(filled))
    assert code == 0 and "No change" in out
    as_yaml = tmp_path / "review.yaml"
    as_yaml.write_text("lessons: Stage it first\nincidents: [db blip]\n", "utf-8")
    code, out, _ = run("review", "edit", wid, "--from-file", str(as_yaml))
    assert code == 0 and "version 2" in out
    shown = json.loads(run("review", wid, "--format", "json")[1])
    assert (shown["could_improve"], shown["lessons"], shown["incidents"]) == (
        "",
        "Stage it first",
        ["db blip"],
    )
    wrong = tmp_path / "wrong.json"
    wrong.write_text('{"lesons": "typo"}', "utf-8")
    code, _, err = run("review", "edit", wid, "--from-file", str(wrong))
    assert code == 2 and "unknown fields lesons" in err
    code, _, err = run("review", wid, "--format", "html")
    assert code == 2 and "format" in err
