"""The Statuspage management-API client: its limiter, its answers to failures, its key."""

from __future__ import annotations

from pathlib import Path

import pytest

from maintctl.channels import statuspage
from maintctl.channels.base import TransportError
from maintctl.config import Config, parse_config
from tests.fakes.statuspage import FakeStatuspage, fake_statuspage

INCIDENT = {"name": "Scheduled maintenance", "status": "scheduled"}


class FakeTime:
    """A monotonic clock and a sleep that only moves it."""

    def __init__(self) -> None:
        self.now = 100.0
        self.slept: list[float] = []

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


def config_for(tmp_path: Path, fake: FakeStatuspage, key_line: str) -> Config:
    return parse_config(
        "channels:\n"
        "  - name: hosted\n"
        "    audience: customers-all\n"
        "    statuspage:\n"
        f"      page_id: {fake.page_id}\n"
        f"      {key_line}\n"
        f"      api_url: {fake.url}/\n",
        "m.yaml",
        tmp_path,
    )


@pytest.fixture(autouse=True)
def fast(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(statuspage, "_limiters", {})
    monkeypatch.setattr(statuspage, "RATE_PER_S", 1000.0)


def test_the_limiter_spaces_requests_one_second_apart() -> None:
    time = FakeTime()
    limiter = statuspage.Limiter(1.0, time.clock, time.sleep)
    for _ in range(3):  # 3 requests at once: the 2nd waits 1 s, the 3rd 2 s in all
        limiter.acquire("c")
    assert time.slept == [1.0, 1.0]


def test_a_closed_limiter_refuses_at_once_when_the_wait_is_long() -> None:
    time = FakeTime()
    limiter = statuspage.Limiter(1.0, time.clock, time.sleep)
    limiter.close_for(60)
    with pytest.raises(TransportError) as caught:
        limiter.acquire("channel c")
    assert not caught.value.permanent and "rate limited for 60 s" in str(caught.value)
    assert time.slept == []
    time.now += 60
    limiter.acquire("channel c")


def test_retry_after_is_read_in_seconds_and_bounded() -> None:
    assert statuspage.retry_after("30") == 30
    assert statuspage.retry_after(None) == statuspage.DEFAULT_RETRY_AFTER_S
    assert statuspage.retry_after("Wed, 21 Oct 2015 07:28:00 GMT") == 60
    assert statuspage.retry_after("999999") == 3600


@pytest.mark.parametrize(
    ("code", "permanent"),
    [(420, False), (429, False), (500, False), (503, False), (400, True), (404, True)],
)
def test_failures_say_whether_a_retry_can_help(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, code: int, permanent: bool
) -> None:
    with fake_statuspage() as fake:
        monkeypatch.setenv("SP_KEY", fake.api_key)
        api = statuspage.Client(*_channel(config_for(tmp_path, fake, "api_key_env: SP_KEY")))
        fake.fail = [(code, {"Retry-After": "1"})]
        with pytest.raises(TransportError) as caught:
            api.create(INCIDENT)
    assert caught.value.permanent is permanent
    assert str(caught.value) == f"channel hosted: Statuspage answered {code} to POST"


def test_a_missing_key_is_named_without_a_request(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("SP_KEY", raising=False)
    with fake_statuspage() as fake:
        api = statuspage.Client(*_channel(config_for(tmp_path, fake, "api_key_env: SP_KEY")))
        with pytest.raises(TransportError, match=r"no API key in \$SP_KEY"):
            api.create(INCIDENT)
    assert fake.requests == []


def test_it_creates_and_updates_with_the_documented_paths(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with fake_statuspage() as fake:
        monkeypatch.setenv("SP_KEY", fake.api_key)
        api = statuspage.Client(*_channel(config_for(tmp_path, fake, "api_key_env: SP_KEY")))
        made = api.create({**INCIDENT, "metadata": {"maintctl": {"window": "MW-1"}}})
        api.update(made["id"], {"status": "in_progress", "body": "Started."})
        found = api.find("MW-1")
        assert found is not None and found["id"] == made["id"] and api.find("MW-2") is None
    paths = [(r.method, r.path) for r in fake.requests]
    assert paths == [
        ("POST", "/v1/pages/pg1abc/incidents"),
        ("PATCH", f"/v1/pages/pg1abc/incidents/{made['id']}"),
        ("GET", "/v1/pages/pg1abc/incidents?limit=100&page=1"),
        ("GET", "/v1/pages/pg1abc/incidents?limit=100&page=1"),
    ]
    assert fake.requests[1].body == {"incident": {"status": "in_progress", "body": "Started."}}


def _channel(config: Config) -> tuple[object, Config]:
    return config.channels[0], config
