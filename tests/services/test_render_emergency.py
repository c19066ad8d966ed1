"""The emergency texts: internal engineering hears the runbook's EMERGENCY MAINTENANCE STARTING
(reason, impact, duration, lead) by email and chat; a VP paged for an emergency's signature
reads the urgent variant of signature-waiting."""

from __future__ import annotations

from maintctl.config import Config
from maintctl.services.people import PERSON, SIGNATURE_WAITING
from maintctl.services.render import Notice, render_with
from tests.services.test_render import config, started, window

__all__ = ["config"]

URGENT = window(type="emergency", description="CVE in TLS", impact="API restarts")


def test_internal_engineering_hears_the_runbooks_emergency_starting_text(config: Config) -> None:
    done = render_with(config, Notice(started(URGENT), "start", "internal-engineering"))
    for text in (done.text, done.chat):  # 2 forms
        assert "EMERGENCY MAINTENANCE STARTING" in text
        assert "Reason: CVE in TLS" in text and "Impact: API restarts" in text
        assert "Duration: 2 hours" in text and "Lead: @tom" in text


def test_a_vp_is_paged_with_the_urgent_signature_waiting(config: Config) -> None:
    pending = window(type="emergency", description="CVE in TLS", impact="API restarts")
    done = render_with(config, Notice(pending, SIGNATURE_WAITING, PERSON, extra={"level": 1}))
    assert done.subject.startswith("[URGENT] Emergency approval needed")
    assert "starts it at once" in done.text and "Reason: CVE in TLS" in done.text
    plain = render_with(config, Notice(window(), SIGNATURE_WAITING, PERSON, extra={"level": 1}))
    assert plain.subject.startswith("[Approval Needed]")
