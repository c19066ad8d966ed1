from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from maintctl.domain.model import RequestDetails, Risk, Status, Window, WindowSpec
from maintctl.domain.requests import build_spec
from maintctl.domain.template import (
    TemplateError,
    blank_template,
    parse_request,
    render_request,
    role_title,
)
from maintctl.domain.times import format_duration, format_instant

FILLED = """\
# Maintenance Request

## Basic Information
- **Request ID:** MNT-2024-0123
- **Requested By:** sre-team
- **Date Requested:** 2024-12-20
- **Proposed Date/Time:** 2024-12-29T02:00:00Z
- **Duration:** 2 hours

## Maintenance Details
- **Type:** Planned Outage
- **Systems Affected:** db-primary, db-replica
- **Customer Impact:** API read-only for up to 2 hours
- **Risk Level:** Medium

## Description
Upgrade PostgreSQL from 15 to 16.

Replicas follow the primary.

## Justification
15 leaves support next year.

## Prerequisites
- [x] Backup verified
- [ ] Change announced

## Execution Plan
1. Stop writes
2. Run pg_upgrade
3. Start writes

## Rollback Plan
1. Restore from backup

## Verification Steps
1. Smoke tests pass
2. Replication lag under 1s

## Approvals
- [ ] Team Lead: _______________
- [ ] Engineering Manager: _______________
"""

START = datetime(2024, 12, 29, 2, 0, tzinfo=UTC)


def make_window(**spec_changes: Any) -> Window:
    spec = WindowSpec(
        type="planned-outage",
        start=START,
        end=START + timedelta(hours=1, minutes=30),
        systems=["db-primary", "db-replica"],
        owner="sre-team",
        description="Database upgrade",
        impact="API read-only",
        risk=Risk.HIGH,
        details=RequestDetails(
            justification="End of support",
            prerequisites=["Backup verified"],
            execution_plan=["Stop writes", "Run pg_upgrade"],
            rollback_plan=["Restore from backup"],
            verification_steps=["Smoke tests pass"],
        ),
    )
    for name, value in spec_changes.items():
        setattr(spec, name, value)
    created = datetime(2024, 12, 20, 9, 0, tzinfo=UTC)
    return Window("MNT-2024-0123", Status.DRAFT, spec, "alice", created, created)


def fields_of(window: Window) -> dict[str, Any]:
    """What parse_request should give back for a rendered window: every filled field."""
    spec, details = window.spec, window.spec.details
    fields: dict[str, Any] = {
        "id": window.id,
        "type": spec.type,
        "start": format_instant(spec.start),
        "end": format_instant(spec.end),
        "duration": format_duration(spec.end - spec.start),
        "systems": spec.systems,
        "owner": spec.owner,
        "description": spec.description,
        "impact": spec.impact,
        "risk": spec.risk.value,
        "public_title": spec.public_title,
        "public_message": spec.public_message,
        "justification": details.justification,
        "prerequisites": details.prerequisites,
        "execution_plan": details.execution_plan,
        "rollback_plan": details.rollback_plan,
        "verification_steps": details.verification_steps,
        "maintenance_mode": "yes" if spec.maintenance_mode else "no",
        "maintenance_message": spec.maintenance_message,
        "traffic_mode": spec.traffic_mode,
    }
    return {name: value for name, value in fields.items() if value}


def test_it_reads_a_filled_runbook_template() -> None:
    assert parse_request(FILLED) == {
        "id": "MNT-2024-0123",
        "owner": "sre-team",
        "start": "2024-12-29T02:00:00Z",
        "duration": "2h",
        "type": "planned-outage",
        "systems": ["db-primary", "db-replica"],
        "impact": "API read-only for up to 2 hours",
        "risk": "medium",
        "description": "Upgrade PostgreSQL from 15 to 16.\n\nReplicas follow the primary.",
        "justification": "15 leaves support next year.",
        "prerequisites": ["Backup verified", "Change announced"],
        "execution_plan": ["Stop writes", "Run pg_upgrade", "Start writes"],
        "rollback_plan": ["Restore from backup"],
        "verification_steps": ["Smoke tests pass", "Replication lag under 1s"],
    }


def test_the_blank_template_keeps_the_runbook_headings_and_labels() -> None:
    text = blank_template()
    for line in (
        "# Maintenance Request",
        "## Basic Information",
        "- **Request ID:** MNT-YYYY-XXXX",
        "- **Requested By:** [Name]",
        "- **Date Requested:** [Date]",
        "- **Proposed Date/Time:** [Date/Time UTC]",
        "- **Duration:** [Estimated duration]",
        "## Maintenance Details",
        "- **Systems Affected:** [List of systems]",
        "- **Customer Impact:** [Description of impact]",
        "- **Risk Level:** [Low | Medium | High]",
        "## Description",
        "## Justification",
        "## Prerequisites",
        "## Execution Plan",
        "## Rollback Plan",
        "## Verification Steps",
        "## Approvals",
        "- [ ] Team Lead: _______________",
    ):
        assert line in text.splitlines()


def test_the_blank_template_lists_the_type_options_in_kebab_form() -> None:
    options = "zero-downtime | brief-interruption | planned-outage | extended-outage | emergency"
    assert f"- **Type:** [{options}]" in blank_template().splitlines()


def test_an_unfilled_template_has_no_fields() -> None:
    assert parse_request(blank_template()) == {}


def test_it_treats_unfilled_placeholders_as_absent() -> None:
    text = blank_template().replace("[Name]", "alice").replace("[Step 1]", "Stop writes")
    assert parse_request(text) == {"owner": "alice", "execution_plan": ["Stop writes"]}


def test_it_ignores_the_request_id_placeholder_but_reads_a_real_id() -> None:
    assert "id" not in parse_request("# Maintenance Request\n- **Request ID:** MNT-YYYY-XXXX\n")
    assert parse_request("- **Request ID:** MNT-2025-0007")["id"] == "MNT-2025-0007"


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("Planned Outage", "planned-outage"),
        ("planned-outage", "planned-outage"),
        ("Zero-downtime", "zero-downtime"),
        ("Brief Interruption", "brief-interruption"),
        ("EXTENDED_OUTAGE", "extended-outage"),
        ("Emergency", "emergency"),
    ],
)
def test_it_normalises_the_type_to_kebab_form(written: str, expected: str) -> None:
    assert parse_request(f"- **Type:** {written}")["type"] == expected


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("2h", "2h"),
        ("90m", "90m"),
        ("1h30m", "1h30m"),
        ("1h 30m", "1h30m"),
        ("2 hours", "2h"),
        ("1 hour 30 minutes", "1h30m"),
        ("1 hour and 30 mins", "1h30m"),
        ("45 min", "45m"),
        ("about two hours", "about two hours"),
        ("1.5 hours", "1.5 hours"),
    ],
)
def test_it_reads_the_duration_in_the_units_the_caller_parses(written: str, expected: str) -> None:
    assert parse_request(f"- **Duration:** {written}")["duration"] == expected


def test_it_reads_an_optional_end_bullet() -> None:
    text = FILLED.replace(
        "- **Duration:** 2 hours", "- **Duration:** 2h\n- **End:** 2024-12-29T04:00:00Z"
    )
    fields = parse_request(text)
    assert fields["end"] == "2024-12-29T04:00:00Z"
    assert fields["duration"] == "2h"


def test_it_keeps_times_exactly_as_written() -> None:
    fields = parse_request(
        "- **Proposed Date/Time:** 2024-12-29T02:00\n- **End:** 2024-12-29 04:00"
    )
    assert fields == {"start": "2024-12-29T02:00", "end": "2024-12-29 04:00"}


def test_it_lowercases_the_risk_level() -> None:
    assert parse_request("- **Risk Level:** HIGH")["risk"] == "high"


def test_it_splits_systems_on_commas_and_drops_blanks() -> None:
    fields = parse_request("- **Systems Affected:** api , db,, cache ")
    assert fields["systems"] == ["api", "db", "cache"]


def test_it_reads_labels_written_with_the_colon_outside_the_bold_or_without_bold() -> None:
    fields = parse_request(
        "# Maintenance Request\n- **Type**: planned-outage\n- Requested By: bob\n"
    )
    assert fields == {"type": "planned-outage", "owner": "bob"}


def test_a_value_may_start_with_a_colon() -> None:
    assert parse_request("- **Customer Impact:** : none")["impact"] == ": none"


def test_it_reads_checked_and_unchecked_prerequisites_and_plain_bullets() -> None:
    text = "# Maintenance Request\n## Prerequisites\n- [x] One\n- [X] Two\n- [ ] Three\n"
    text += "* Four\n- [ ]\n"
    assert parse_request(text)["prerequisites"] == ["One", "Two", "Three", "Four"]


def test_it_joins_an_indented_line_to_the_step_above() -> None:
    text = "# Maintenance Request\n## Execution Plan\n"
    text += "1. Stop writes\n   on every replica\n2) Upgrade\n"
    assert parse_request(text)["execution_plan"] == ["Stop writes on every replica", "Upgrade"]


def test_it_ignores_the_approvals_section() -> None:
    fields = parse_request("# Maintenance Request\n## Approvals\n- [x] Team Lead: bob\n- Type: x\n")
    assert fields == {}


def test_it_reads_a_template_pasted_with_the_runbooks_code_fence() -> None:
    assert parse_request(f"```markdown\n{FILLED}```\n") == parse_request(FILLED)


def test_it_reads_windows_line_endings() -> None:
    assert parse_request(FILLED.replace("\n", "\r\n")) == parse_request(FILLED)


def test_it_refuses_text_that_is_not_a_template() -> None:
    with pytest.raises(TemplateError) as caught:
        parse_request("start: 2024-12-29T02:00:00Z\ntype: planned-outage\n")
    [problem] = caught.value.problems
    assert (problem.field, problem.rule) == ("from-file", "template")
    assert "# Maintenance Request" in problem.message
    assert problem.fix
    assert isinstance(caught.value, ValueError)


def test_it_refuses_an_empty_file() -> None:
    with pytest.raises(TemplateError):
        parse_request("")


def test_it_renders_approvals_as_the_runbook_does() -> None:
    text = render_request(
        make_window(), ["team-lead", "engineering-manager", "vp-engineering", "cto"]
    )
    approvals = text.split("## Approvals\n", 1)[1].splitlines()
    assert approvals == [
        "- [ ] Team Lead: _______________",
        "- [ ] Engineering Manager: _______________",
        "- [ ] VP Engineering: _______________",
        "- [ ] CTO: _______________",
    ]


def test_it_names_approver_roles_in_title_case_with_acronyms() -> None:
    assert role_title("vp-engineering") == "VP Engineering"
    assert role_title("cto") == "CTO"


def test_it_renders_the_window_in_the_runbook_layout() -> None:
    lines = render_request(make_window(), ["team-lead"]).splitlines()
    assert lines[0] == "# Maintenance Request"
    assert "- **Request ID:** MNT-2024-0123" in lines
    assert "- **Date Requested:** 2024-12-20" in lines
    assert "- **Proposed Date/Time:** 2024-12-29T02:00:00Z" in lines
    assert "- **Duration:** 1h30m" in lines
    assert "- **End:** 2024-12-29T03:30:00Z" in lines
    assert "- **Risk Level:** High" in lines
    assert "- [ ] Backup verified" in lines
    assert "2. Run pg_upgrade" in lines


def test_a_rendered_window_parses_back_to_its_fields() -> None:
    window = make_window()
    assert parse_request(render_request(window, ["team-lead"])) == fields_of(window)


def test_empty_fields_render_as_placeholders_and_parse_back_as_absent() -> None:
    window = make_window(impact="", details=RequestDetails(), owner="")
    text = render_request(window, [])
    assert "- **Customer Impact:** [Description of impact]" in text
    assert parse_request(text) == fields_of(window)
    assert not {"impact", "owner", "justification", "prerequisites"} & set(parse_request(text))


def test_a_rendered_window_builds_the_same_spec() -> None:
    window = make_window()
    raw = parse_request(render_request(window, ["team-lead"]))
    raw.pop("duration")
    spec, problems = build_spec(raw)
    assert problems == []
    assert spec == window.spec


_PLAIN = st.characters(blacklist_categories=("Cc", "Cs", "Zl", "Zp"), blacklist_characters="[]*#`")
_TEXT = st.text(_PLAIN, min_size=1, max_size=40).map(str.strip).filter(bool)
_SYSTEM = st.from_regex(r"\A[A-Za-z0-9][A-Za-z0-9._/-]{0,20}\Z")
_INSTANT = st.datetimes(
    min_value=datetime(2000, 1, 1), max_value=datetime(2100, 1, 1), timezones=st.just(UTC)
).map(lambda dt: dt.replace(microsecond=0))


@given(
    owner=_TEXT,
    description=_TEXT,
    impact=_TEXT,
    justification=_TEXT,
    systems=st.lists(_SYSTEM, min_size=1, max_size=4, unique=True),
    start=_INSTANT,
    length=st.integers(min_value=60, max_value=30 * 86400),
    risk=st.sampled_from(list(Risk)),
    steps=st.lists(_TEXT, max_size=4),
    prerequisites=st.lists(_TEXT, max_size=3),
)
def test_any_rendered_window_parses_back_to_the_same_fields(
    owner: str,
    description: str,
    impact: str,
    justification: str,
    systems: list[str],
    start: datetime,
    length: int,
    risk: Risk,
    steps: list[str],
    prerequisites: list[str],
) -> None:
    window = make_window(
        owner=owner,
        description=description,
        impact=impact,
        systems=systems,
        start=start,
        end=start + timedelta(seconds=length),
        risk=risk,
        details=RequestDetails(
            justification=justification,
            prerequisites=prerequisites,
            execution_plan=steps,
            rollback_plan=list(reversed(steps)),
            verification_steps=steps[:1],
        ),
    )
    assert parse_request(render_request(window, ["team-lead"])) == fields_of(window)


def test_the_team_bullet_reads_as_account_names_and_renders_back() -> None:
    text = blank_template().replace("[Accounts doing the work, e.g. alice, bob]", "dev, ops")
    assert parse_request(text) == {"team": ["dev", "ops"]}
    spec, problems = build_spec({**parse_request(text), "type": "x", "start":
        "2030-01-06T02:00:00Z", "end": "2030-01-06T04:00:00Z", "description": "d"})  # fmt: skip
    assert problems == [] and spec is not None and spec.team == ["dev", "ops"]
    now = datetime(2030, 1, 1, tzinfo=UTC)
    window = Window("MNT-2030-0001", Status.DRAFT, spec, "rita", now, now)
    assert "- **Team:** dev, ops" in render_request(window, []).splitlines()
