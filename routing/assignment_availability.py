"""When volunteers are free: the weekly grid, then the dated exceptions on top.

Times are minutes from midnight of the planning horizon's first day ("horizon
minutes"), so sessions on different dates compare directly. A free interval never
crosses midnight, so a session running past midnight is never covered.
"""

from collections.abc import Iterable, Sequence
from datetime import date, timedelta

from routing.assignment_types import MINUTES_PER_DAY, DatedException, WeeklySlot

Interval = tuple[int, int]  # start and end minute, end exclusive


def merge(intervals: Iterable[Interval]) -> list[Interval]:
    """Merge overlapping or touching intervals into a sorted disjoint list."""
    merged: list[Interval] = []
    for start, end in sorted(intervals):
        if merged and start <= merged[-1][1]:
            if end > merged[-1][1]:
                merged[-1] = (merged[-1][0], end)
        else:
            merged.append((start, end))
    return merged


def subtract(intervals: Sequence[Interval], holes: Sequence[Interval]) -> list[Interval]:
    """Remove the holes from sorted disjoint intervals."""
    result = list(intervals)
    for hole_start, hole_end in holes:
        kept: list[Interval] = []
        for start, end in result:
            if end <= hole_start or hole_end <= start:
                kept.append((start, end))
                continue
            if start < hole_start:
                kept.append((start, hole_start))
            if hole_end < end:
                kept.append((hole_end, end))
        result = kept
    return result


def day_intervals(
    slots: Iterable[WeeklySlot], exceptions: Iterable[DatedException], day: date
) -> list[Interval]:
    """Return the free minutes of one day: weekly slots and extra hours, minus time off."""
    extra = [e.minutes for e in exceptions if e.on_date == day and e.is_available]
    off = [e.minutes for e in exceptions if e.on_date == day and not e.is_available]
    weekly = [(s.start_minute, s.end_minute) for s in slots if s.weekday == day.weekday()]
    return subtract(merge(weekly + extra), merge(off))


def horizon_intervals(
    slots: Sequence[WeeklySlot],
    exceptions: Sequence[DatedException],
    first_day: date,
    day_count: int,
) -> list[Interval]:
    """Return the free intervals over the horizon, in horizon minutes, sorted."""
    result: list[Interval] = []
    for offset in range(day_count):
        base = offset * MINUTES_PER_DAY
        day = first_day + timedelta(days=offset)
        result.extend(
            (base + start, base + end) for start, end in day_intervals(slots, exceptions, day)
        )
    return result


def covers(intervals: Sequence[Interval], start: int, end: int) -> bool:
    """Tell whether one free interval contains the whole window."""
    return any(low <= start and end <= high for low, high in intervals)
