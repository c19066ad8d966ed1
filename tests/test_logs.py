"""The server's logs hold no token, however a URL encodes it."""

from __future__ import annotations

import io
import logging

import pytest

from maintctl import logs
from maintctl.logs import RedactTokens, redact


@pytest.mark.parametrize(
    "path",
    [
        "/calendar.ics?token=mct_secret1&x=1",
        "/calendar.ics?tok%65n=mct_secret1",
        "/calendar.ics?TOK%45N=mct_secret1",
        "/calendar.ics?tok%2565n=mct_secret1",
        "/calendar.ics?x=1&token=%6D%63%74%5Fsecret1",
        "/calendar.ics?q=%6D%63%74%5Fsecret1",
    ],
)
def test_a_token_in_a_query_never_reaches_the_access_log(path: str) -> None:
    record = logging.LogRecord(
        "uvicorn.access",
        logging.INFO,
        __file__,
        1,
        '%s - "%s %s HTTP/%s" %d',
        ("127.0.0.1:5000", "GET", path, "1.1", 200),
        None,
    )
    RedactTokens().filter(record)
    message = record.getMessage()
    assert "secret1" not in message and "[redacted]" in message


def test_a_query_without_secrets_is_logged_as_it_came() -> None:
    assert redact("/api/v1/check?date=2026-12-06&systems=a%2Cb") == (
        "/api/v1/check?date=2026-12-06&systems=a%2Cb"
    )


def test_the_servers_own_log_redacts_tokens_in_tracebacks(monkeypatch: pytest.MonkeyPatch) -> None:
    ours = logging.getLogger("maintctl")
    monkeypatch.setattr(ours, "handlers", [])
    monkeypatch.setattr(ours, "level", ours.level)
    logs.install()
    stream = io.StringIO()
    monkeypatch.setattr(ours.handlers[0], "stream", stream)
    try:
        raise RuntimeError("bad token mct_secret2")
    except RuntimeError as exc:
        logging.getLogger("maintctl.api").error("error abc on /x", exc_info=exc)
    text = stream.getvalue()
    assert "error abc on /x" in text and "Traceback" in text and "secret2" not in text


def test_an_outgoing_requests_url_never_reaches_the_log_even_with_the_root_at_info(
    caplog: pytest.LogCaptureFixture,
) -> None:
    logs.install()
    secret_url = "https://hooks.slack.com/services/T000/B000/XXXXSECRET"
    with caplog.at_level(logging.INFO):
        logging.getLogger("httpx").info("HTTP Request: POST %s", secret_url)
    assert "XXXXSECRET" not in caplog.text
