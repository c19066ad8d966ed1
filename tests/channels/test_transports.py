# ruff: noqa: UP031 - YAML flow mappings read better with %-formatting than doubled braces
"""Each transport against a loopback sink: a real SMTP server, an HTTP sink for the webhook and
an Apprise json:// URL; how failures map to retryable or permanent."""

from __future__ import annotations

import email
import hashlib
import hmac
import json
import logging
from pathlib import Path

import pytest

from maintctl.channels.base import Message, TransportError, transport_for
from maintctl.config import Config, parse_config
from tests.channels.sinks import free_port, http_sink, smtp_sink

SECRET = "s3cret-hook-key-7f2a"
MESSAGE = Message(
    subject="[Scheduled Maintenance] Database upgrade",
    text="The database is upgraded on 2026-12-01 02:00 UTC.",
    html="<p>The database is upgraded on <b>2026-12-01 02:00 UTC</b>.</p>",
    event="initial",
    window={"id": "MW-1", "title": "Database upgrade"},
    idempotency_key="notify:MW-1:initial:eng",
)


def config(tmp_path: Path, channel: str) -> Config:
    (tmp_path / "hook.key").write_text(SECRET + "\n", "utf-8")
    return parse_config(f"channels:\n  - {channel}\n", "m.yaml", tmp_path)


def send(cfg: Config, message: Message = MESSAGE) -> None:
    transport_for(cfg.channels[0], cfg).send(message)


def test_an_email_reaches_every_recipient_with_a_text_and_an_html_part(tmp_path: Path) -> None:
    with smtp_sink() as (port, envelopes):
        cfg = config(
            tmp_path,
            "{name: mail, audience: internal-all, email: {smtp: 'smtp://127.0.0.1:%d', "
            "from: maint@example.com, to: [a@example.com, b@example.com]}}" % port,
        )
        send(cfg)
    assert len(envelopes) == 1
    assert envelopes[0].rcpt_tos == ["a@example.com", "b@example.com"]
    mail = email.message_from_bytes(envelopes[0].content)
    assert mail["Subject"] == MESSAGE.subject
    parts = {
        p.get_content_type(): p.get_payload(decode=True).decode()
        for p in mail.walk()
        if not p.is_multipart()
    }
    assert MESSAGE.text in parts["text/plain"] and MESSAGE.html in parts["text/html"]


def test_a_subject_with_a_line_break_is_refused_for_good(tmp_path: Path) -> None:
    cfg = config(
        tmp_path,
        "{name: mail, audience: internal-all, email: {smtp: 'smtp://127.0.0.1:%d', "
        "from: m@example.com, to: [a@example.com]}}" % free_port(),
    )
    forged = Message("Hi\r\nBcc: evil@example.com", "t", "<p>t</p>", "initial")
    with pytest.raises(TransportError) as caught:
        send(cfg, forged)
    assert caught.value.permanent


def test_an_unreachable_smtp_server_is_retryable(tmp_path: Path) -> None:
    cfg = config(
        tmp_path,
        "{name: mail, audience: internal-all, email: {smtp: 'smtp://127.0.0.1:%d', "
        "from: m@example.com, to: [a@example.com]}}" % free_port(),
    )
    with pytest.raises(TransportError) as caught:
        send(cfg)
    assert not caught.value.permanent


def test_a_webhook_carries_the_signed_body_and_the_idempotency_key(tmp_path: Path) -> None:
    with http_sink() as sink:
        cfg = config(
            tmp_path,
            "{name: hook, audience: internal-engineering, "
            "webhook: {url: '%s/maint', secret_file: hook.key}}" % sink.url,
        )
        send(cfg)
    [hit] = sink.hits
    assert hit.path == "/maint"
    expected = hmac.new(SECRET.encode(), hit.body, hashlib.sha256).hexdigest()
    assert hmac.compare_digest(hit.headers["x-maintctl-signature"], f"sha256={expected}")
    assert hit.headers["idempotency-key"] == MESSAGE.idempotency_key
    body = json.loads(hit.body)
    assert body["event"] == "initial" and body["window"] == MESSAGE.window


def test_a_webhook_secret_may_come_from_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HOOK_KEY", SECRET)
    with http_sink() as sink:
        cfg = config(
            tmp_path,
            "{name: hook, audience: internal-engineering, "
            "webhook: {url: '%s/m', secret_env: HOOK_KEY}}" % sink.url,
        )
        send(cfg)
    expected = hmac.new(SECRET.encode(), sink.hits[0].body, hashlib.sha256).hexdigest()
    assert sink.hits[0].headers["x-maintctl-signature"] == f"sha256={expected}"


@pytest.mark.parametrize(
    ("status", "permanent"), [(500, False), (503, False), (429, False), (408, False), (400, True)]
)
def test_a_webhook_failure_is_retryable_unless_the_far_end_refused_it(
    tmp_path: Path, status: int, permanent: bool
) -> None:
    with http_sink() as sink:
        sink.status = status
        cfg = config(
            tmp_path,
            "{name: hook, audience: internal-engineering, "
            "webhook: {url: '%s/m', secret_file: hook.key}}" % sink.url,
        )
        with pytest.raises(TransportError) as caught:
            send(cfg)
    assert caught.value.permanent is permanent
    assert str(status) in str(caught.value) and SECRET not in str(caught.value)


def test_an_apprise_json_channel_delivers_to_the_sink(tmp_path: Path) -> None:
    with http_sink() as sink:
        url = sink.url.replace("http://", "json://") + "/chat"
        cfg = config(tmp_path, "{name: chat, audience: internal-engineering, url: '%s'}" % url)
        send(cfg)
    [hit] = sink.hits
    assert hit.path == "/chat"
    body = json.loads(hit.body)
    assert body["title"] == MESSAGE.subject and body["message"] == MESSAGE.text


def test_an_apprise_channel_that_cannot_deliver_is_retryable_and_tells_no_token(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    token = "tok9f3e1d7c"
    url = f"json://bot:{token}@127.0.0.1:{free_port()}/chat"
    cfg = config(tmp_path, "{name: chat, audience: internal-engineering, url: '%s'}" % url)
    with pytest.raises(TransportError) as caught:
        send(cfg)
    assert not caught.value.permanent
    assert token not in str(caught.value) + caplog.text + repr(cfg.channels[0])


def test_an_smtp_password_never_shows_in_an_error_or_the_log(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    (tmp_path / "smtp.pw").write_text("pw-0a9b8c7d", "utf-8")
    with smtp_sink() as (port, _):  # aiosmtpd offers no AUTH here: the login fails
        cfg = config(
            tmp_path,
            "{name: mail, audience: internal-all, email: {smtp: 'smtp://127.0.0.1:%d', "
            "from: m@example.com, to: [a@example.com], username: u, password_file: smtp.pw}}"
            % port,
        )
        with pytest.raises(TransportError) as caught:
            send(cfg)
    assert "pw-0a9b8c7d" not in str(caught.value) + caplog.text
