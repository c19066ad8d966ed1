"""Trust that holds: signatures name their token and its issuer; account events are audited."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from fastapi.testclient import TestClient
from httpx import Response

from maintctl.api.app import create_app
from maintctl.config import Config
from maintctl.domain.roles import Principal, Role
from maintctl.services import accounts
from maintctl.services.deps import Deps
from maintctl.store.db import Database
from tests.conftest import PLANNED_OUTAGE, Clock

ROOT = Principal("root", Role.ADMIN)


@dataclass
class Team:
    http: TestClient
    tokens: dict[str, str]

    def call(self, who: str, method: str, url: str, **kwargs: object) -> Response:
        headers = {"Authorization": f"Bearer {self.tokens[who]}"}
        return self.http.request(method, url, headers=headers, **kwargs)  # type: ignore[arg-type]


@pytest.fixture
def team(db: Database, config: Config, clock: Clock) -> Iterator[Team]:
    deps = Deps.build(db, config, clock=clock)
    with TestClient(create_app(deps)) as http:
        tokens = {}
        with deps.db.write() as session:
            tokens["alice"] = accounts.add_user(session, ROOT, "alice", "admin", "", clock()).secret
        made = Team(http, tokens)
        for name, role in [("rita", "requester"), ("tom", "team-lead"), ("emma", "cto")]:
            made.call("alice", "POST", "/api/v1/users", json={"name": name, "role": role})
            # Each approver's own token, made with the admin-issued first one.
            own = made.call("alice", "POST", "/api/v1/tokens", json={"name": name})
            made.tokens[f"{name}-by-alice"] = own.json()["token"]
            made.tokens[name] = made.call(
                f"{name}-by-alice", "POST", "/api/v1/tokens", json={}
            ).json()["token"]
        yield made


def _submitted(team: Team) -> str:
    body = {**PLANNED_OUTAGE, "systems": ["db"]}
    window_id = str(team.call("rita", "POST", "/api/v1/windows", json=body).json()["id"])
    assert team.call("rita", "POST", f"/api/v1/windows/{window_id}/submit").status_code == 200
    return window_id


def test_a_signature_made_with_an_admin_minted_token_is_marked(team: Team) -> None:
    window_id = _submitted(team)
    assert (
        team.call("tom", "POST", f"/api/v1/windows/{window_id}/approve", json={}).status_code == 200
    )
    signed = team.call("emma-by-alice", "POST", f"/api/v1/windows/{window_id}/approve", json={})
    assert signed.status_code == 200, signed.text
    own, minted = signed.json()["approvals"]
    assert own["token_issuer"] == "tom" and own["token_note"] == "" and own["token_id"]
    assert minted["signer"] == "emma" and minted["token_issuer"] == "alice"
    assert minted["token_note"] == "token issued by alice"
    history = team.call("rita", "GET", f"/api/v1/windows/{window_id}/history").json()
    assert [h["token_note"] for h in history if h["action"] == "approve"] == [
        "",
        "token issued by alice",
    ]
    markdown = team.call("rita", "GET", f"/api/v1/windows/{window_id}?format=markdown").text
    assert "emma (cto), 2026-11-27T12:00:00Z; token issued by alice" in markdown


def test_token_list_shows_who_issued_each_token(team: Team) -> None:
    mine = team.call("tom", "GET", "/api/v1/tokens").json()
    assert sorted(t["issued_by"] for t in mine) == ["alice", "alice", "tom"]


def test_account_and_token_events_are_in_an_audit_trail_of_their_own(team: Team) -> None:
    team.call("alice", "POST", "/api/v1/users/rita/role", json={"role": "team-lead"})
    team.call("alice", "POST", "/api/v1/users/rita/disable")
    own = team.call("tom", "GET", "/api/v1/tokens").json()[0]["id"]
    assert team.call("tom", "POST", f"/api/v1/tokens/{own}/revoke").status_code == 200
    events = team.call("alice", "GET", "/api/v1/audit").json()
    assert [(e["actor"], e["action"], e["account"]) for e in events[:3]] == [
        ("tom", "token-revoke", "tom"),
        ("alice", "user-disable", "rita"),
        ("alice", "role-change", "rita"),
    ]
    assert events[2]["detail"]["from"] == "requester" and events[2]["detail"]["to"] == "team-lead"
    assert events[0]["detail"]["token_issuer"] == "tom"  # the credential the actor used
    assert {e["action"] for e in events} == {
        "user-add",
        "token-create",
        "role-change",
        "user-disable",
        "token-revoke",
    }
    assert [e["id"] for e in events] == sorted((e["id"] for e in events), reverse=True)


def test_the_audit_trail_pages_by_an_id_cursor(team: Team) -> None:
    everything = team.call("alice", "GET", "/api/v1/audit").json()
    first = team.call("alice", "GET", "/api/v1/audit", params={"limit": 4})
    assert first.json() == everything[:4]
    before = first.json()[-1]["id"]
    assert first.headers["link"] == f'</api/v1/audit?limit=4&before={before}>; rel="next"'
    rest = team.call("alice", "GET", "/api/v1/audit", params={"before": before}).json()
    assert first.json() + rest == everything
    for bad in ({"limit": 0}, {"limit": 1001}, {"before": 1099511627776}):
        assert team.call("alice", "GET", "/api/v1/audit", params=bad).status_code == 422


def test_revoking_a_token_not_yours_answers_as_one_that_does_not_exist(team: Team) -> None:
    others = team.call("alice", "GET", "/api/v1/tokens").json()
    toms = max(t["id"] for t in others if t["name"] == "tom")
    missing = max(t["id"] for t in others) + 1
    theirs = team.call("rita", "POST", f"/api/v1/tokens/{toms}/revoke")
    absent = team.call("rita", "POST", f"/api/v1/tokens/{missing}/revoke")
    assert theirs.status_code == absent.status_code == 404
    strip = str.maketrans("", "", "0123456789")
    assert theirs.text.translate(strip) == absent.text.translate(strip)
    assert team.call("tom", "GET", "/api/v1/tokens").json()[-1]["revoked_at"] is None


@pytest.mark.parametrize("token_id", ["1099511627776", "2147483648", "0", "-1"])
def test_a_token_id_beyond_the_integer_range_is_not_found_not_a_500(
    team: Team, token_id: str
) -> None:
    response = team.call("alice", "POST", f"/api/v1/tokens/{token_id}/revoke")
    assert response.status_code in (404, 422)


def test_role_change_refuses_an_unknown_role_and_account(team: Team) -> None:
    bad = team.call("alice", "POST", "/api/v1/users/rita/role", json={"role": "king"})
    assert bad.status_code == 422 and bad.json()["problems"][0]["rule"] == "unknown-role"
    none = team.call("alice", "POST", "/api/v1/users/nobody/role", json={"role": "viewer"})
    assert none.status_code == 404
