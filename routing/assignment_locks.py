"""What the locked pairs imply before any solving.

A lock is a coordinator's choice agreed with the volunteer, so it overrides that
volunteer's availability, travel limit, rest and weekly cap. Only a real overlap of
two locked sessions, or too many locks on one session, makes locks impossible. An
unlocked candidate that clashes with one of its volunteer's locked sessions is out.
"""

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from routing.assignment_index import PlanningIndex
from routing.assignment_timing import clash

IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]


@dataclass(frozen=True, slots=True)
class LockState:
    """Locked candidates, the unlocked ones they rule out, and counts per session."""

    locked: IntArray  # candidate indices
    blocked: BoolArray  # per candidate: unlocked and clashing with a lock of its volunteer
    per_session: IntArray  # locked volunteers per session


def lock_state(index: PlanningIndex) -> LockState:
    """Work out the locked candidates and the candidates they rule out."""
    cand = index.candidates
    locked = np.flatnonzero(cand.is_locked).astype(np.int64)
    blocked = np.zeros(len(cand), dtype=np.bool_)
    rest = index.problem.rest_minutes
    for v in np.unique(cand.volunteer[locked]).tolist():
        low, high = int(index.volunteer_start[v]), int(index.volunteer_start[v + 1])
        mine = [c for c in range(low, high) if cand.is_locked[c]]
        for c in range(low, high):
            if not cand.is_locked[c]:
                s = int(cand.session[c])
                blocked[c] = any(clash(index.timeline, s, int(cand.session[k]), rest) for k in mine)
    per_session = np.bincount(cand.session[locked], minlength=index.session_count)
    return LockState(locked=locked, blocked=blocked, per_session=per_session.astype(np.int64))


def locked_per_week(index: PlanningIndex, locks: LockState) -> dict[tuple[int, int], int]:
    """Count the locked sessions of each (volunteer, week) that has any."""
    cand = index.candidates
    counts: dict[tuple[int, int], int] = {}
    for c in locks.locked.tolist():
        key = (int(cand.volunteer[c]), int(index.timeline.week[cand.session[c]]))
        counts[key] = counts.get(key, 0) + 1
    return counts
