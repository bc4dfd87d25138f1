"""Sessions a volunteer is on outside the run: the time they block and the weeks they use.

A commitment counts like a placement. Its window, stretched by the rest on both sides,
is removed from the volunteer's free intervals. A session then fits in what is left
only if it ends a rest before the commitment starts or starts a rest after it ends,
which is exactly when it does not clash. Each commitment also uses one of the
volunteer's sessions in its ISO week.
"""

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from routing.assignment_availability import Interval, merge, subtract
from routing.assignment_timing import Timeline
from routing.assignment_types import VolunteerInput

IntArray = npt.NDArray[np.int64]


def blocked_windows(
    volunteer: VolunteerInput, timeline: Timeline, rest_minutes: int
) -> list[Interval]:
    """Return the horizon minutes a volunteer's commitments block, rest included."""
    windows = (timeline.window_of(c.starts_at, c.ends_at) for c in volunteer.commitments)
    return merge((start - rest_minutes, end + rest_minutes) for start, end in windows)


def without_commitments(
    intervals: tuple[Interval, ...], volunteer: VolunteerInput, timeline: Timeline, rest: int
) -> tuple[Interval, ...]:
    """Remove the windows a volunteer's commitments block from their free intervals."""
    if not volunteer.commitments:
        return intervals
    return tuple(subtract(intervals, blocked_windows(volunteer, timeline, rest)))


@dataclass(frozen=True, slots=True)
class WeekCaps:
    """Each volunteer's weekly cap, less the commitments in each week of the horizon.

    `keys` are the sorted (volunteer, week) keys with a commitment, as
    `volunteer * (week_count + 1) + week`, and `used` the commitments under each key.
    """

    cap: IntArray
    week_count: int
    keys: IntArray
    used: IntArray
    used_by_key: dict[int, int]

    def left(self, volunteer: int, week: int) -> int:
        """Return the sessions one volunteer may still take in one week."""
        used = self.used_by_key.get(volunteer * (self.week_count + 1) + week, 0)
        return max(int(self.cap[volunteer]) - used, 0)

    def in_week(self, volunteer: IntArray, week: IntArray) -> IntArray:
        """Return the sessions each volunteer may still take in each week."""
        caps: IntArray = self.cap[volunteer]
        if not len(self.keys) or not len(volunteer):
            return caps
        wanted = volunteer * (self.week_count + 1) + week
        position = np.minimum(np.searchsorted(self.keys, wanted), len(self.keys) - 1)
        used = np.where(self.keys[position] == wanted, self.used[position], 0)
        left: IntArray = np.maximum(caps - used, 0)
        return left


def week_caps(
    volunteers: Sequence[VolunteerInput], timeline: Timeline, caps: Sequence[int]
) -> WeekCaps:
    """Count every volunteer's commitments per week of the horizon against their cap."""
    counted: dict[int, int] = {}
    stride = timeline.week_count + 1
    for v, volunteer in enumerate(volunteers):
        for commitment in volunteer.commitments:
            week = timeline.week_of(commitment.starts_at)
            if week is not None:
                key = v * stride + week
                counted[key] = counted.get(key, 0) + 1
    keys = np.array(sorted(counted), dtype=np.int64)
    used = np.array([counted[k] for k in keys.tolist()], dtype=np.int64)
    return WeekCaps(np.array(caps, dtype=np.int64), timeline.week_count, keys, used, counted)
