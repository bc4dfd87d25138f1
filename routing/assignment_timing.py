"""Sessions on one time line: windows, ISO weeks, and which sessions clash.

Two sessions clash for one volunteer when they overlap or when the gap between them is
shorter than the rest: stretching every session's end by the rest turns both rules
into plain interval overlap, so clashing sessions form an interval graph.
"""

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time

import numpy as np
import numpy.typing as npt

from routing.assignment_types import SessionInput

IntArray = npt.NDArray[np.int64]


@dataclass(frozen=True, slots=True)
class Timeline:
    """Session windows in horizon minutes, end exclusive, and the ISO week of each.

    `week` numbers the distinct ISO weeks of the horizon from 0 in time order, and
    `iso_weeks` lists those (year, week) pairs in that order.
    """

    first_day: date
    day_count: int
    start: IntArray
    end: IntArray
    week: IntArray
    week_count: int
    iso_weeks: tuple[tuple[int, int], ...] = ()

    def window_of(self, starts_at: datetime, ends_at: datetime) -> tuple[int, int]:
        """Return the horizon minutes of a local time window, rounded outwards."""
        origin = datetime.combine(self.first_day, time())
        start = math.floor((starts_at - origin).total_seconds() / 60)
        end = math.ceil((ends_at - origin).total_seconds() / 60)
        return (start, end)

    def week_of(self, moment: datetime) -> int | None:
        """Return the horizon's number for the ISO week of a local time, None outside it."""
        key = _iso_week(moment)
        return self.iso_weeks.index(key) if key in self.iso_weeks else None


def build_timeline(sessions: Sequence[SessionInput]) -> Timeline:
    """Place every session on the horizon that runs from the first session's date."""
    if not sessions:
        empty = np.zeros(0, dtype=np.int64)
        return Timeline(date(2000, 1, 3), 0, empty, empty, empty.copy(), 0)
    first_day = min(s.starts_at.date() for s in sessions)
    origin = datetime.combine(first_day, time())
    # Rounding outwards keeps a slot from covering a session it misses by a few seconds.
    start = np.array(
        [math.floor((s.starts_at - origin).total_seconds() / 60) for s in sessions],
        dtype=np.int64,
    )
    end = np.array(
        [math.ceil((s.ends_at - origin).total_seconds() / 60) for s in sessions], dtype=np.int64
    )
    iso_weeks = [_iso_week(s.starts_at) for s in sessions]
    numbering = {key: index for index, key in enumerate(sorted(set(iso_weeks)))}
    week = np.array([numbering[key] for key in iso_weeks], dtype=np.int64)
    last_day = max(s.starts_at.date() for s in sessions)
    return Timeline(
        first_day=first_day,
        day_count=(last_day - first_day).days + 1,
        start=start,
        end=end,
        week=week,
        week_count=len(numbering),
        iso_weeks=tuple(numbering),
    )


def _iso_week(moment: datetime) -> tuple[int, int]:
    year, week, _ = moment.isocalendar()
    return (year, week)


def clash(timeline: Timeline, a: int, b: int, rest_minutes: int) -> bool:
    """Tell whether one volunteer cannot do both sessions (by index)."""
    return bool(
        timeline.start[a] < timeline.end[b] + rest_minutes
        and timeline.start[b] < timeline.end[a] + rest_minutes
    )


def overlap(timeline: Timeline, a: int, b: int) -> bool:
    """Tell whether two sessions (by index) run at a common instant."""
    return bool(timeline.start[a] < timeline.end[b] and timeline.start[b] < timeline.end[a])


def clique_partition(timeline: Timeline, rest_minutes: int) -> IntArray:
    """Split sessions into groups whose members all clash pairwise, and return each group.

    Greedy on the earliest stretched end: every session not yet grouped that starts
    before that end also ends after it, so the group is a clique. The split is a
    relaxation: a volunteer may still clash across two groups.
    """
    count = len(timeline.start)
    group = np.full(count, -1, dtype=np.int64)
    stretched_end = timeline.end + rest_minutes
    by_start = np.argsort(timeline.start, kind="stable")
    starts_sorted = timeline.start[by_start]
    pending: list[int] = []
    reached = 0
    next_group = 0
    for index in np.argsort(stretched_end, kind="stable").tolist():
        if group[index] >= 0:
            continue
        limit = int(np.searchsorted(starts_sorted, stretched_end[index], side="left"))
        pending.extend(by_start[reached:limit].tolist())
        reached = max(reached, limit)
        members = [m for m in pending if group[m] < 0]
        group[members] = next_group
        next_group += 1
        pending = []
    return group


def clash_cliques(
    timeline: Timeline, session_indices: Sequence[int], rest_minutes: int
) -> list[list[int]]:
    """Return maximal groups of pairwise-clashing sessions among the given ones.

    Stretched intervals clash exactly when both contain the later start, so the groups
    of sessions running at each start cover every clashing pair.
    """
    ordered = sorted(session_indices, key=lambda s: (int(timeline.start[s]), s))
    found: list[list[int]] = []
    seen: set[tuple[int, ...]] = set()
    for probe in ordered:
        moment = timeline.start[probe]
        members = tuple(
            s for s in ordered if timeline.start[s] <= moment < timeline.end[s] + rest_minutes
        )
        if len(members) > 1 and members not in seen:
            seen.add(members)
            found.append(list(members))
    return [group for group in found if not any(set(group) < set(other) for other in found)]
