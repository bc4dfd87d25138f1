"""Sessions on one time line: windows, ISO weeks and clash groups."""

import random
from datetime import datetime, timedelta

import numpy as np
import pytest

from routing.assignment_timing import (
    build_timeline,
    clash,
    clash_cliques,
    clique_partition,
    overlap,
)
from tests.routing.assignment_checks import session


def test_timeline_counts_minutes_from_the_first_day_and_numbers_weeks() -> None:
    sessions = [session(1, day=6, start="10:00"), session(2, day=7, start="09:00")]

    timeline = build_timeline(sessions)

    assert timeline.first_day == datetime(2024, 6, 9).date()
    assert timeline.start.tolist() == [600, 1440 + 540]
    assert timeline.week.tolist() == [0, 1]
    assert (timeline.day_count, timeline.week_count) == (2, 2)


def test_clash_and_overlap() -> None:
    timeline = build_timeline(
        [session(1, start="10:00", end="12:00"), session(2, start="12:30", end="13:00")]
    )

    assert not overlap(timeline, 0, 1)
    assert clash(timeline, 0, 1, 31) and clash(timeline, 1, 0, 31)
    assert not clash(timeline, 0, 1, 30)


@pytest.mark.parametrize("seed", range(5))
@pytest.mark.parametrize("rest", [0, 60])
def test_partition_groups_clash_pairwise(seed: int, rest: int) -> None:
    rng = random.Random(seed)
    sessions = [
        session(
            sid,
            start=f"{rng.randint(8, 18):02d}:{rng.choice(['00', '30'])}",
            end="20:00",
            day=rng.randrange(2),
        )
        for sid in range(40)
    ]
    sessions = [
        s
        if rng.random() < 0.5
        else type(s)(
            id=s.id,
            starts_at=s.starts_at,
            ends_at=s.starts_at + timedelta(minutes=rng.choice([60, 90, 120])),
            meeting_point=s.meeting_point,
            min_volunteers=s.min_volunteers,
            max_volunteers=s.max_volunteers,
            weight=s.weight,
        )
        for s in sessions
    ]
    timeline = build_timeline(sessions)

    group = clique_partition(timeline, rest)

    assert (group >= 0).all()
    for g in np.unique(group).tolist():
        members = np.flatnonzero(group == g).tolist()
        assert all(clash(timeline, a, b, rest) for a in members for b in members if a != b)
    cliques = clash_cliques(timeline, list(range(len(sessions))), rest)
    covered = {(a, b) for clique in cliques for a in clique for b in clique if a < b}
    clashing = {
        (a, b)
        for a in range(len(sessions))
        for b in range(a + 1, len(sessions))
        if clash(timeline, a, b, rest)
    }
    assert covered == clashing
