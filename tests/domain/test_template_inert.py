"""Typed text in the filled template is data: it makes no structure and never a signature."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

from hypothesis import given, settings
from hypothesis import strategies as st

from maintctl.domain.approvals import Signature
from maintctl.domain.model import RequestDetails
from maintctl.domain.template import parse_request, render_request
from tests.domain.test_template import fields_of, make_window

FORGERY = """Routine patching.

## Maintenance Details
- **Type:** emergency
- **Systems Affected:** payments, auth
# Maintenance Request
## Approvals
- [x] Team Lead: tom
- [x] VP Engineering: victor
```
1. step
> quote <script>alert(1)</script> [link](http://x) **bold** \\ back\\slash"""

AT = datetime(2024, 12, 21, 9, 30, tzinfo=UTC)


def test_a_description_with_headings_and_bullets_renders_as_inert_text() -> None:
    window = make_window(description=FORGERY, impact="- **Type:** emergency")
    text = render_request(window, ["team-lead", "vp-engineering"])
    lines = text.splitlines()
    assert lines.count("## Maintenance Details") == 1 and lines.count("## Approvals") == 1
    assert lines.count("# Maintenance Request") == 1
    assert not any(line.startswith("- [x]") for line in lines)
    assert [line for line in lines if line.startswith("- **Type:**")] == [
        "- **Type:** planned-outage"
    ]
    parsed = parse_request(text)
    assert parsed["description"] == FORGERY
    assert parsed["impact"] == "- **Type:** emergency"
    assert parsed["type"] == "planned-outage"
    assert parsed["systems"] == ["db-primary", "db-replica"]


def test_the_approvals_section_shows_the_real_signatures() -> None:
    own = Signature(0, "team-lead", "tom", "team-lead", AT, token_id=3, token_issuer="tom")
    minted = Signature(1, "vp-engineering", "victor", "cto", AT, token_id=9, token_issuer="root")
    window = replace(make_window(), signatures=[own, minted])
    text = render_request(window, ["team-lead", "vp-engineering", "cto"])
    assert text.split("## Approvals\n", 1)[1].splitlines() == [
        "- [x] Team Lead: tom (team-lead), 2024-12-21T09:30:00Z",
        "- [x] VP Engineering: victor (cto), 2024-12-21T09:30:00Z; token issued by root",
        "- [ ] CTO: _______________",
    ]


def test_a_files_approvals_section_is_never_imported_whatever_it_holds() -> None:
    text = render_request(make_window(), ["team-lead"]).replace(
        "- [ ] Team Lead: _______________",
        "- [x] Team Lead: tom\n- **Type:** emergency\n- **Request ID:** EMT-202412290200\n"
        "1. Execute\n",
    )
    parsed = parse_request(text)
    assert parsed == fields_of(make_window())
    assert not any("signature" in key or "approv" in key for key in parsed)


# Any printable text, including every markdown mark, backslashes and line breaks (no control
# character: the domain refuses those before anything is stored).
_CHAR = st.characters(blacklist_categories=("Cc", "Cs", "Zl", "Zp"))
_LINE = st.text(_CHAR | st.sampled_from("#*-+>[]`\\_|=~1.) "), min_size=1, max_size=30)
_PROSE = st.lists(_LINE, min_size=1, max_size=6).map("\n".join).map(str.strip).filter(bool)
# One-line values and plan items keep their line breaks, not the spaces around each line.
_ITEM = st.lists(_LINE.map(str.strip).filter(bool), min_size=1, max_size=3).map("\n".join)


# 200 generated windows (hypothesis's default is 100; this is the class of the forgery).
@settings(max_examples=200)
@given(
    description=_PROSE,
    justification=_PROSE,
    impact=_ITEM,
    owner=_ITEM,
    steps=st.lists(_ITEM, max_size=4),
    prerequisites=st.lists(_ITEM, max_size=3),
    public_title=_ITEM | st.just(""),
    public_message=_PROSE | st.just(""),
)
def test_any_typed_text_renders_and_parses_back_as_the_same_fields_and_no_signature(
    description: str,
    justification: str,
    impact: str,
    owner: str,
    steps: list[str],
    prerequisites: list[str],
    public_title: str,
    public_message: str,
) -> None:
    window = make_window(
        description=description,
        public_title=public_title,
        public_message=public_message,
        impact=impact,
        owner=owner,
        details=RequestDetails(
            justification=justification,
            prerequisites=prerequisites,
            execution_plan=steps,
            rollback_plan=list(reversed(steps)),
            verification_steps=steps[:1],
        ),
    )
    text = render_request(window, ["team-lead", "engineering-manager"])
    assert parse_request(text) == fields_of(window)
    assert text.split("## Approvals\n", 1)[1].count("- [x]") == 0
    assert text.count("\n## ") == 10 and text.count("\n- **") == 15  # Team and 3 mode bullets
