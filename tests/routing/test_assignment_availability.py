"""Free intervals from the weekly grid and dated exceptions."""

from datetime import date

import pytest

from routing.assignment_availability import (
    covers,
    day_intervals,
    horizon_intervals,
    merge,
    subtract,
)
from routing.assignment_types import DatedException, WeeklySlot

MONDAY = date(2024, 6, 3)


@pytest.mark.parametrize(
    ("intervals", "expected"),
    [
        ([], []),
        ([(60, 120), (0, 30)], [(0, 30), (60, 120)]),
        ([(0, 60), (60, 90)], [(0, 90)]),
        ([(0, 100), (20, 30), (90, 120)], [(0, 120)]),
    ],
)
def test_merge(intervals: list[tuple[int, int]], expected: list[tuple[int, int]]) -> None:
    assert merge(intervals) == expected


@pytest.mark.parametrize(
    ("holes", "expected"),
    [
        ([], [(0, 100), (200, 300)]),
        ([(50, 60)], [(0, 50), (60, 100), (200, 300)]),
        ([(0, 100)], [(200, 300)]),
        ([(90, 210)], [(0, 90), (210, 300)]),
        ([(-10, 400)], []),
        ([(100, 200)], [(0, 100), (200, 300)]),
    ],
)
def test_subtract(holes: list[tuple[int, int]], expected: list[tuple[int, int]]) -> None:
    assert subtract([(0, 100), (200, 300)], holes) == expected


def test_day_combines_grid_and_exceptions() -> None:
    slots = [WeeklySlot(0, 540, 720), WeeklySlot(0, 840, 960), WeeklySlot(1, 0, 1440)]
    exceptions = [
        DatedException(MONDAY, True, 720, 780),
        DatedException(MONDAY, False, 600, 630),
        DatedException(date(2024, 6, 4), False),
    ]

    assert day_intervals(slots, exceptions, MONDAY) == [(540, 600), (630, 780), (840, 960)]
    assert day_intervals(slots, exceptions, date(2024, 6, 4)) == []
    assert day_intervals(slots, exceptions, date(2024, 6, 10)) == [(540, 720), (840, 960)]


def test_horizon_never_joins_days() -> None:
    slots = [WeeklySlot(0, 1200, 1440), WeeklySlot(1, 0, 300)]

    assert horizon_intervals(slots, [], MONDAY, 2) == [(1200, 1440), (1440, 1740)]


def test_covers_needs_one_interval() -> None:
    free = [(540, 600), (600, 700)]

    assert covers(free, 540, 600)
    assert not covers(free, 580, 620)
    assert covers(merge(free), 580, 620)
