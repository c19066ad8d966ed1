"""GET /metrics over HTTP: a viewer's token by default, none when `metrics.public`."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from prometheus_client.parser import text_string_to_metric_families

from maintctl.api.app import create_app
from maintctl.config import ConfigError, parse_config
from maintctl.domain.roles import Principal, Role
from maintctl.services import accounts
from maintctl.services.deps import Deps
from maintctl.store.db import Database
from tests.conftest import Clock


def served(db: Database, clock: Clock, tmp_path: Path, text: str = "{}\n") -> Deps:
    """A server's deps (tokens, no local identity) over a config file's text."""
    return Deps.build(db, parse_config(text, "m.yaml", tmp_path), clock=clock)


def test_metrics_need_a_token_and_a_viewers_will_do(
    db: Database, clock: Clock, tmp_path: Path
) -> None:
    deps = served(db, clock, tmp_path)
    with deps.db.write() as session:
        root = Principal("root", Role.ADMIN)
        secret = accounts.add_user(session, root, "vera", "viewer", "", clock()).secret
    with TestClient(create_app(deps)) as http:
        refused = http.get("/metrics")
        assert refused.status_code == 401
        assert refused.headers["content-type"] == "application/problem+json"
        assert http.get("/metrics", headers={"Authorization": "Bearer nope"}).status_code == 401
        seen = http.get("/metrics", headers={"Authorization": f"Bearer {secret}"})
    assert seen.status_code == 200
    assert seen.headers["content-type"].startswith("text/plain; version=0.0.4")
    assert seen.headers["cache-control"] == "no-store"
    names = {f.name for f in text_string_to_metric_families(seen.text)}
    assert "maintctl_maintenance_active" in names and "maintctl_windows" in names
    assert secret not in seen.text


def test_public_metrics_need_no_token_and_ignore_a_bad_one(
    db: Database, clock: Clock, tmp_path: Path
) -> None:
    deps = served(db, clock, tmp_path, "metrics: {public: true}\n")
    with TestClient(create_app(deps)) as http:
        assert http.get("/metrics").status_code == 200
        stale = http.get("/metrics", headers={"Authorization": "Bearer mct_revoked"})
        assert stale.status_code == 200


def test_a_misspelt_metrics_setting_is_refused_with_its_line(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"m\.yaml:2: metrics\.pubic"):
        parse_config("product: X\nmetrics: {pubic: true}\n", "m.yaml", tmp_path)
