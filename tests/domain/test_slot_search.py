"""The chunked slot search gives exactly the one-pass answer, wherever its chunks end."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from maintctl.config import load_config
from maintctl.domain.intervals import Interval
from maintctl.domain.slots import Slot, find_slots, search

POLICY = load_config(None).policy
MINUTE = timedelta(minutes=1)
# Near the end of the year-end freeze, the first Sunday of January and their chunk ends.
ORIGIN = datetime(2026, 12, 27, tzinfo=UTC)
HORIZON = timedelta(days=60)
DURATIONS = {
    "zero-downtime": (5, 5 * 1440),
    "emergency": (5, 3 * 1440),
    "planned-outage": (5, 120),
    "extended-outage": (30, 240),
    "brief-interruption": (1, 5),
}


class Reads:
    """Hands a search what lies in each stretch it asks for, and remembers the stretches."""

    def __init__(self, busy: Sequence[Interval], handoffs: Sequence[datetime]) -> None:
        self.busy, self.handoffs = busy, handoffs
        self.parts: list[Interval] = []

    def __call__(self, part: Interval) -> tuple[list[Interval], list[datetime]]:
        self.parts.append(part)
        return (
            [b for b in self.busy if b.overlaps(part)],
            [h for h in self.handoffs if part.start <= h < part.end],
        )


@st.composite
def searches(draw: st.DrawFn) -> dict[str, object]:
    type_name = draw(st.sampled_from(sorted(DURATIONS)))
    low, high = DURATIONS[type_name]
    duration = MINUTE * draw(st.integers(low, high))
    start = ORIGIN + MINUTE * draw(st.integers(0, 14 * 1440))
    first_chunk = MINUTE * draw(st.integers(60, 14 * 1440))
    # Bookings and handoffs cluster around where chunks end, where a wrong search goes wrong.
    edges = [start + first_chunk * (2**k - 1) for k in range(1, 7)]
    near = st.builds(
        lambda edge, offset: edge + MINUTE * offset,
        st.sampled_from(edges),
        st.integers(-3 * 1440, 3 * 1440),
    )
    anywhere = st.builds(lambda n: start + MINUTE * n, st.integers(-1440, 70 * 1440))
    lengths = st.integers(1, 3 * 1440).map(lambda n: MINUTE * n)
    busy = [
        Interval(at, at + length)
        for at, length in draw(st.lists(st.tuples(near | anywhere, lengths), max_size=25))
    ]
    handoffs = draw(st.lists(near | anywhere, max_size=8))
    return {
        "type_name": type_name,
        "duration": duration,
        "span": Interval(start, start + HORIZON),
        "first_chunk": first_chunk,
        "busy": busy,
        "handoffs": handoffs,
        "count": draw(st.integers(1, 12)),
    }


def both(case: dict[str, object]) -> tuple[list[Slot], list[Slot], Reads]:
    rule = POLICY.types[str(case["type_name"])]
    duration, span, count = case["duration"], case["span"], case["count"]
    assert isinstance(duration, timedelta) and isinstance(span, Interval)
    assert isinstance(count, int) and isinstance(case["first_chunk"], timedelta)
    busy: list[Interval] = list(case["busy"])  # type: ignore[call-overload]
    handoffs: list[datetime] = list(case["handoffs"])  # type: ignore[call-overload]
    reads = Reads(busy, handoffs)
    chunked = search(
        POLICY, rule, duration, span, reads, count=count, first_chunk=case["first_chunk"]
    )
    one_pass = find_slots(POLICY, rule, duration, span, busy, handoffs, count)
    return chunked, one_pass, reads


@settings(max_examples=300, deadline=None)  # 300 random searches, about 5 s
@given(case=searches())
def test_the_chunked_search_finds_exactly_what_one_pass_over_the_horizon_finds(
    case: dict[str, object],
) -> None:
    chunked, one_pass, reads = both(case)
    assert chunked == one_pass
    # Each stretch of time is read once: the reads follow each other without overlapping.
    assert all(a.end == b.start for a, b in zip(reads.parts, reads.parts[1:], strict=False))


def test_a_slot_crossing_the_first_chunk_end_is_followed_at_once() -> None:
    # The first chunk ends at 01-17 07:30; the 07:00 slot crosses it, and the next is at 08:00.
    start = datetime(2027, 1, 3, 7, 30, tzinfo=UTC)
    case: dict[str, object] = {
        "type_name": "zero-downtime",
        "duration": timedelta(hours=1),
        "span": Interval(start, start + HORIZON),
        "first_chunk": timedelta(days=14),
        "busy": [Interval(start, datetime(2027, 1, 17, 6, tzinfo=UTC))],
        "handoffs": [],
        "count": 12,
    }
    chunked, one_pass, _ = both(case)
    assert chunked == one_pass
    assert [s.start.hour for s in chunked] == list(range(6, 18))
