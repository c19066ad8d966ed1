from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.calendars.loopback import FeedServer, running


@pytest.fixture
def server() -> Iterator[FeedServer]:
    with running() as state:
        yield state
