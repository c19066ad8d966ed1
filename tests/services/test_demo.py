"""`maintctl serve --demo`: sample windows a newcomer can look at, loaded once."""

from __future__ import annotations

from maintctl.services import windows
from maintctl.services.demo import SAMPLES, demo_account, load_demo
from maintctl.services.deps import Deps
from tests.conftest import ALICE


def test_the_demo_loads_every_sample_once_and_each_passes_the_rules(deps: Deps) -> None:
    made = load_demo(deps, ALICE)
    assert len(made) == len(SAMPLES)
    assert load_demo(deps, ALICE) == []
    with deps.db.read() as session:
        types = sorted(w.spec.type for w in windows.listing(deps, session))
    assert types == sorted(t for t, *_ in SAMPLES)


def test_the_demo_account_is_made_once_with_a_token(deps: Deps) -> None:
    first = demo_account(deps, ALICE)
    assert first is not None and first.secret.startswith("mct_")
    assert demo_account(deps, ALICE) is None
