"""Mode hooks: real commands run as `mode.hook` jobs, told the new state, their runs recorded."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from maintctl.cli.inline import run_due
from maintctl.config import parse_config
from maintctl.domain import bounds
from maintctl.domain.mode import Kind
from maintctl.services import hooks, mode
from maintctl.services.deps import Deps
from maintctl.store import jobs as job_store
from maintctl.store.tables import HookRunRow, JobRow
from tests.conftest import Clock
from tests.services.test_lifecycle import TOM

KINDS = (hooks.KIND,)


def hooked(deps: Deps, tmp_path: Path, body: str) -> Deps:
    return replace(deps, config=parse_config(body, "m.yaml", base_dir=tmp_path))


def change(deps: Deps, kind: Kind, value: str, **kw: object) -> mode.Change | None:
    with deps.db.write() as session:
        return mode.change(deps, session, TOM, kind, value, **kw)  # type: ignore[arg-type]


def hook_runs(deps: Deps) -> list[HookRunRow]:
    with deps.db.read() as session:
        found = list(session.scalars(select(HookRunRow).order_by(HookRunRow.id)))
        session.expunge_all()
    return found


def job_rows(deps: Deps) -> list[JobRow]:
    with deps.db.read() as session:
        found = list(session.scalars(select(JobRow).where(JobRow.kind == hooks.KIND)))
        session.expunge_all()
    return found


ENV_HOOK = """
hooks:
  - name: show
    command: [sh, -c, 'echo "$MAINTCTL_CHANGE $MAINTCTL_MAINTENANCE_MODE $MAINTCTL_TRAFFIC_MODE
      [$MAINTCTL_SYSTEMS] [$MAINTCTL_WINDOW] $MAINTCTL_MESSAGE"; pwd']
    on: any
"""


def test_a_hook_runs_with_the_new_state_in_its_environment_and_its_output_is_recorded(
    deps: Deps, tmp_path: Path
) -> None:
    deps = hooked(deps, tmp_path, ENV_HOOK)
    change(deps, Kind.TRAFFIC, "read-only", systems=["db"])
    change(deps, Kind.MAINTENANCE, "on", message="Back at 04:00 UTC.", systems=["db"])
    ran = run_due(deps, KINDS)
    assert [r.status for r in ran] == ["done", "done"]  # the first one is overtaken: no run
    first, second = hook_runs(deps)
    assert (first.status, first.exit_code, first.output) == (
        "superseded",
        None,
        "overtaken by change 2",
    )
    assert (second.hook, second.status, second.exit_code) == ("show", "ok", 0)
    lines = second.output.splitlines()
    assert lines[0] == "maintenance on read-only [db] [] Back at 04:00 UTC."
    assert lines[1] == str(tmp_path)  # run from the config file's folder


def test_a_hook_on_maintenance_does_not_run_for_a_traffic_change(
    deps: Deps, tmp_path: Path
) -> None:
    deps = hooked(deps, tmp_path, "hooks: [{name: flag, command: ['true'], on: maintenance}]")
    found = change(deps, Kind.TRAFFIC, "maintenance")
    assert found is not None and found.hooks == 0 and run_due(deps, KINDS) == []


def test_a_failing_hook_is_recorded_and_retried_with_backoff(
    deps: Deps, tmp_path: Path, clock: Clock
) -> None:
    marker = tmp_path / "tried"
    body = (
        "hooks:\n  - name: flaky\n    command: [sh, -c, "
        f"'if [ -e {marker} ]; then echo fine; else touch {marker}; echo broken >&2; exit 3; fi']\n"
    )
    deps = hooked(deps, tmp_path, body)
    change(deps, Kind.MAINTENANCE, "on", message="x")
    assert [r.status for r in run_due(deps, KINDS)] == ["pending"]
    (failed,) = hook_runs(deps)
    assert (failed.status, failed.exit_code, failed.output) == ("failed", 3, "broken\n")
    (job,) = job_rows(deps)
    assert job.status == job_store.PENDING and "hook flaky exited 3" in (job.result or "")
    assert run_due(deps, KINDS) == []  # not due again before its backoff
    clock.now += timedelta(minutes=5)
    assert [r.status for r in run_due(deps, KINDS)] == ["done"]
    assert [(r.status, r.output) for r in hook_runs(deps)][-1] == ("ok", "fine\n")


def test_a_hook_that_runs_past_its_timeout_is_killed_recorded_and_retried(
    deps: Deps, tmp_path: Path
) -> None:
    body = "hooks: [{name: slow, command: [sh, -c, 'echo started; sleep 30'], timeout: 1s}]"
    deps = hooked(deps, tmp_path, body)
    change(deps, Kind.TRAFFIC, "maintenance")
    assert [r.status for r in run_due(deps, KINDS)] == ["pending"]
    (run,) = hook_runs(deps)
    assert (run.status, run.exit_code, run.output) == ("timeout", None, "started\n")
    assert "timed out after 1s" in (job_rows(deps)[0].result or "")


def test_a_missing_program_is_recorded_and_not_retried(deps: Deps, tmp_path: Path) -> None:
    deps = hooked(deps, tmp_path, "hooks: [{name: gone, command: [/nonexistent/hook]}]")
    change(deps, Kind.TRAFFIC, "read-only")
    assert [r.status for r in run_due(deps, KINDS)] == ["dead"]
    (run,) = hook_runs(deps)
    assert run.status == "error" and "/nonexistent/hook" in run.output


def test_only_the_tail_of_a_long_output_is_kept(deps: Deps, tmp_path: Path) -> None:
    body = "hooks: [{name: loud, command: [sh, -c, 'seq 1 20000; echo last']}]"
    deps = hooked(deps, tmp_path, body)
    change(deps, Kind.MAINTENANCE, "on", message="x")
    run_due(deps, KINDS)
    (run,) = hook_runs(deps)
    assert len(run.output) == bounds.HOOK_OUTPUT_CHARS and run.output.endswith("20000\nlast\n")


def test_a_hook_over_other_systems_is_not_overtaken(deps: Deps, tmp_path: Path) -> None:
    deps = hooked(
        deps, tmp_path, "hooks: [{name: show, command: [sh, -c, 'echo $MAINTCTL_SYSTEMS']}]"
    )
    change(deps, Kind.MAINTENANCE, "on", message="x", systems=["db", "api"])
    change(deps, Kind.MAINTENANCE, "off", systems=["db"])
    run_due(deps, KINDS)
    assert [(r.status, r.output) for r in hook_runs(deps)] == [("ok", "api,db\n"), ("ok", "db\n")]


def test_hook_names_repeating_and_a_timeout_past_the_bound_are_refused_with_their_lines() -> None:
    from maintctl.config import ConfigError

    with pytest.raises(ConfigError) as refused:
        parse_config(
            "hooks:\n  - {name: a, command: ['true']}\n  - {name: a, command: ['true']}\n", "m.yaml"
        )
    assert "m.yaml:3: hooks.1.name: the hook name 'a' repeats" in str(refused.value)
    with pytest.raises(ConfigError) as refused:
        parse_config("hooks:\n  - {name: a, command: ['true'], timeout: 2h}\n", "m.yaml")
    assert "m.yaml:2" in str(refused.value) and "timeout" in str(refused.value)


def test_a_hook_is_not_handed_maintctls_own_settings(
    deps: Deps, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MAINTCTL_TOKEN", "mct_secret")
    monkeypatch.setenv("KEPT_FOR_HOOKS", "yes")
    body = "hooks: [{name: env, command: [sh, -c, 'env | grep -e TOKEN -e KEPT | sort']}]"
    deps = hooked(deps, tmp_path, body)
    change(deps, Kind.TRAFFIC, "read-only")
    run_due(deps, KINDS)
    (run,) = hook_runs(deps)
    assert run.output == "KEPT_FOR_HOOKS=yes\n"


def test_the_worker_runs_the_hooks_of_a_window_start_and_window_show_lists_them(
    deps: Deps, tmp_path: Path, clock: Clock
) -> None:
    from maintctl.worker import Worker
    from tests.services.test_mode import asking

    deps = hooked(
        deps, tmp_path, "hooks: [{name: show, command: [sh, -c, 'echo $MAINTCTL_WINDOW']}]"
    )
    wid = asking(deps, clock, maintenance_mode=True)
    assert Worker(deps).run_once() >= 1
    with deps.db.read() as session:
        (shown,) = hooks.recent(session, wid)
    assert (shown["hook"], shown["status"], shown["output"]) == ("show", "ok", f"{wid}\n")
