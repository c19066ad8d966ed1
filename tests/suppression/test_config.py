"""`alerting:` and `systems:` in the config: checked with line numbers, part of the hash, the
token kept out of both; declared systems are the only ones a window may name."""

from __future__ import annotations

from pathlib import Path

import pytest

from maintctl.config import ConfigError, parse_config
from maintctl.domain.errors import RuleViolation
from maintctl.services import windows
from maintctl.services.deps import Deps, LocalIdentity
from maintctl.store.db import Database
from tests.conftest import Clock
from tests.services.test_lifecycle import PLANNED, RITA

SYSTEMS = "systems:\n  db: {}\n  web: {}\n"


def problems(text: str, tmp_path: Path) -> list[str]:
    with pytest.raises(ConfigError) as caught:
        parse_config(text, "m.yaml", tmp_path)
    return [p.text() for p in caught.value.problems]


def test_a_component_or_contact_naming_an_undeclared_system_is_refused_with_its_line(
    tmp_path: Path,
) -> None:
    text = (
        SYSTEMS
        + "components:\n  - {id: api, name: API, systems: [web, cache]}\n"
        + "contacts:\n  - {duty: dba, name: Dee, contact: '+1 555', systems: [queue]}\n"
    )
    assert problems(text, tmp_path) == [
        "m.yaml:5: components.0.systems.1: the system 'cache' is not declared under systems:;"
        " use one of: db, web",
        "m.yaml:7: contacts.0.systems.0: the system 'queue' is not declared under systems:;"
        " use one of: db, web",
    ]


def test_without_systems_declared_any_name_goes(tmp_path: Path) -> None:
    config = parse_config("components:\n  - {id: a, name: A, systems: [x]}\n", "m.yaml", tmp_path)
    assert config.systems is None


def test_a_mapping_needs_its_provider_and_matchers_are_label_names_and_valid_regexes(
    tmp_path: Path,
) -> None:
    text = (
        "systems:\n"
        "  db:\n"
        "    silence: {service: 'db|db-replica'}\n"
        "    pagerduty_services: [PIJ90N7]\n"
    )
    assert problems(text, tmp_path) == [
        "m.yaml:3: systems.db.silence: no alerting.alertmanager is configured to post this"
        " silence to; add it",
        "m.yaml:4: systems.db.pagerduty_services: no alerting.pagerduty is configured to open"
        " these maintenance windows; add it",
    ]
    [bad] = problems("systems:\n  db:\n    silence: {'a-b': x, ok: 'a|('}\n", tmp_path)
    assert bad.startswith("m.yaml:3: systems.db.silence: ")
    assert "'a-b' is not a label name" in bad


def test_pagerduty_takes_one_token_and_its_file_must_exist(tmp_path: Path) -> None:
    [both] = problems(
        "alerting:\n  pagerduty: {token: a, token_file: f, from: s@example.com}\n", tmp_path
    )
    assert "exactly one of token_file or token" in both
    [missing] = problems("alerting:\n  pagerduty: {token_file: pd.token, from: s@x.io}\n", tmp_path)
    assert missing == (
        "m.yaml:2: alerting.pagerduty.token_file: the secret file pd.token cannot be read;"
        " create it or fix the path"
    )
    [step] = problems(
        "alerting:\n  alertmanager: {url: 'http://am:9093', grace: 10m, step: 10m}\n", tmp_path
    )
    assert "step must be longer than 0s and shorter than the grace" in step


def test_alerting_and_systems_change_the_hash_and_an_inline_token_is_hashed(
    tmp_path: Path,
) -> None:
    plain = parse_config("{}", "m.yaml", tmp_path)
    base = "alerting:\n  pagerduty: {token: secret-pd-77, from: s@example.com}\n"
    one = parse_config(base, "m.yaml", tmp_path)
    other = parse_config(base.replace("secret-pd-77", "secret-pd-78"), "m.yaml", tmp_path)
    declared = parse_config(SYSTEMS, "m.yaml", tmp_path)
    assert len({plain.hash, one.hash, other.hash, declared.hash}) == 4
    assert "secret-pd-77" not in repr(one)
    assert one.alerting.pagerduty is not None and one.alerting.pagerduty.every.seconds == 900


def test_window_create_and_modify_refuse_an_undeclared_system(
    db: Database, clock: Clock, tmp_path: Path
) -> None:
    config = parse_config(SYSTEMS, "m.yaml", tmp_path)
    deps = Deps.build(db, config, clock=clock, local=LocalIdentity("alice"))
    with pytest.raises(RuleViolation) as caught, deps.db.write() as session:
        windows.create(deps, session, {**PLANNED, "systems": ["db", "cache"]}, RITA)
    [problem] = caught.value.problems
    assert (problem.field, problem.rule) == ("systems", "undeclared-system")
    assert "'cache' is not declared" in problem.message and "db, web" in problem.fix
    with deps.db.write() as session:
        wid = windows.create(deps, session, PLANNED, RITA).id
    with pytest.raises(RuleViolation) as caught, deps.db.write() as session:
        windows.modify(deps, session, wid, {"systems": ["db", "queue"]}, RITA)
    assert caught.value.problems[0].rule == "undeclared-system"
