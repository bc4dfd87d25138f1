"""Explain the outcome: why each volunteer is left out, and why each empty session is."""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from routing.assignment_availability import Interval, horizon_intervals
from routing.assignment_index import PlanningIndex, opening_size
from routing.assignment_locks import LockState
from routing.assignment_timing import clash, overlap
from routing.assignment_types import (
    LeftOut,
    LeftOutReason,
    SessionInput,
    SessionShortfall,
    ShortfallReason,
)

IntArray = npt.NDArray[np.int64]

__all__ = ["left_out_volunteers", "opening_size", "short_sessions"]


@dataclass(frozen=True, slots=True)
class _Outcome:
    """What the plan did, as the reasons need it."""

    placed: IntArray  # volunteers per session
    free: IntArray  # unplaced volunteers eligible per session
    friends: Mapping[int, list[int]]  # volunteer -> friends, by position
    friend_sessions: Mapping[int, set[int]]  # friend -> sessions they are on


def left_out_volunteers(index: PlanningIndex, locks: LockState, chosen: IntArray) -> list[LeftOut]:
    """Give every volunteer placed nowhere a reason, ordered by volunteer id."""
    cand = index.candidates
    placed = np.zeros(index.volunteer_count, dtype=np.bool_)
    placed[cand.volunteer[chosen]] = True
    usable = ~locks.blocked
    unplaced_cands = np.flatnonzero(usable & ~placed[cand.volunteer])
    friends: dict[int, list[int]] = {}
    for a, b in index.partners:
        friends.setdefault(a, []).append(b)
        friends.setdefault(b, []).append(a)
    friend_sessions: dict[int, set[int]] = {}
    for c in chosen.tolist():
        if int(cand.volunteer[c]) in friends:
            friend_sessions.setdefault(int(cand.volunteer[c]), set()).add(int(cand.session[c]))
    outcome = _Outcome(
        placed=np.bincount(cand.session[chosen], minlength=index.session_count),
        free=np.bincount(cand.session[unplaced_cands], minlength=index.session_count),
        friends=friends,
        friend_sessions=friend_sessions,
    )
    volunteers = index.problem.volunteers
    finder = _SessionFinder(index)
    result = []
    for v in np.flatnonzero(~placed).tolist():
        low, high = int(index.volunteer_start[v]), int(index.volunteer_start[v + 1])
        own = [int(cand.session[c]) for c in range(low, high) if usable[c]]
        reason = _volunteer_reason(index, finder, v, own, outcome)
        result.append(LeftOut(volunteer_id=volunteers[v].id, reason=reason))
    return sorted(result, key=lambda item: item.volunteer_id)


def _volunteer_reason(
    index: PlanningIndex,
    finder: "_SessionFinder",
    v: int,
    own: Sequence[int],
    outcome: _Outcome,
) -> LeftOutReason:
    """Explain one volunteer placed nowhere."""
    if index.problem.volunteers[v].home is None:
        return LeftOutReason.NO_HOME
    if not own:
        return _unreachable_reason(index, finder, v)
    if not any(index.week_caps.left(v, int(index.timeline.week[s])) for s in own):
        return LeftOutReason.WEEKLY_CAP
    if index.weights.partner and _friend_elsewhere(v, own, outcome):
        return LeftOutReason.PARTNER_ELSEWHERE
    sessions = index.problem.sessions
    size = index.problem.team_size
    verdicts = {
        _session_verdict(sessions[s], int(outcome.placed[s]), int(outcome.free[s]), size)
        for s in own
    }
    for reason in (LeftOutReason.NOT_SELECTED, LeftOutReason.NO_PARTNER):
        if reason in verdicts:
            return reason
    return LeftOutReason.SESSIONS_FULL


def _friend_elsewhere(v: int, own: Sequence[int], outcome: _Outcome) -> bool:
    """Tell whether a friend is placed, but on none of the sessions v could join.

    Joining a session the friend could also join, without them, costs the partner
    weight, so this is the likely reason v waits.
    """
    for friend in outcome.friends.get(v, []):
        placed_on = outcome.friend_sessions.get(friend, set())
        if placed_on and not placed_on & set(own):
            return True
    return False


def _unreachable_reason(index: PlanningIndex, finder: "_SessionFinder", v: int) -> LeftOutReason:
    """Explain a volunteer with a home but no candidate session."""
    if finder.any_within(index.intervals[v]):
        if index.limits[v].is_time_based:
            return LeftOutReason.TRAVEL_TOO_LONG
        return LeftOutReason.TOO_FAR
    volunteer = index.problem.volunteers[v]
    if volunteer.commitments and finder.any_within(_without_commitments(index, v)):
        return LeftOutReason.COMMITTED
    if volunteer.exceptions and finder.any_within(_weekly_only(index, v)):
        return LeftOutReason.DAY_OFF
    return LeftOutReason.NO_AVAILABILITY


def _without_commitments(index: PlanningIndex, v: int) -> list[Interval]:
    """Return the volunteer's free intervals with their dated exceptions, as if uncommitted."""
    volunteer = index.problem.volunteers[v]
    timeline = index.timeline
    return horizon_intervals(
        volunteer.availability, volunteer.exceptions, timeline.first_day, timeline.day_count
    )


def _weekly_only(index: PlanningIndex, v: int) -> list[Interval]:
    volunteer = index.problem.volunteers[v]
    timeline = index.timeline
    return horizon_intervals(volunteer.availability, (), timeline.first_day, timeline.day_count)


def _session_verdict(session: SessionInput, count: int, free: int, team_size: int) -> LeftOutReason:
    """Say what kept a volunteer off one eligible session.

    `free` counts the unplaced volunteers eligible for it, this one included. If they
    were enough to add a team, only an early stop of the solver explains the miss.
    """
    if count > 0:
        if count + team_size > session.max_volunteers:
            return LeftOutReason.SESSIONS_FULL
        needed = team_size
    else:
        needed = opening_size(session, team_size)
        if needed > session.max_volunteers:
            return LeftOutReason.SESSIONS_FULL
    if free >= needed:
        return LeftOutReason.NOT_SELECTED
    if needed <= team_size:
        return LeftOutReason.NO_PARTNER
    return LeftOutReason.SESSIONS_FULL


class _SessionFinder:
    """Answer "does any session fit inside this interval?" with a range-minimum table."""

    def __init__(self, index: PlanningIndex) -> None:
        timeline = index.timeline
        order = np.argsort(timeline.start, kind="stable")
        self.starts = timeline.start[order]
        ends = timeline.end[order]
        self.table = [ends]
        width = 1
        while 2 * width <= len(ends):
            previous = self.table[-1]
            self.table.append(np.minimum(previous[:-width], previous[width:]))
            width *= 2

    def any_within(self, intervals: Sequence[Interval]) -> bool:
        for low, high in intervals:
            first = int(np.searchsorted(self.starts, low, side="left"))
            last = int(np.searchsorted(self.starts, high, side="left"))
            if last <= first:
                continue
            level = (last - first).bit_length() - 1
            row = self.table[level]
            earliest = min(int(row[first]), int(row[last - (1 << level)]))
            if earliest <= high:
                return True
        return False


def short_sessions(
    index: PlanningIndex, locks: LockState, chosen: IntArray
) -> list[SessionShortfall]:
    """List the sessions with no volunteer placed, with a reason, ordered by session id."""
    cand = index.candidates
    counts = np.bincount(cand.session[chosen], minlength=index.session_count)
    sessions_of: dict[int, list[int]] = {}
    for c in chosen.tolist():
        sessions_of.setdefault(int(cand.volunteer[c]), []).append(int(cand.session[c]))
    eligible: dict[int, list[int]] = {}
    for c in np.flatnonzero(~locks.blocked & (counts[cand.session] == 0)).tolist():
        eligible.setdefault(int(cand.session[c]), []).append(int(cand.volunteer[c]))
    result = []
    for s in np.flatnonzero(counts == 0).tolist():
        reason = _session_reason(index, s, eligible.get(s, []), sessions_of)
        result.append(SessionShortfall(session_id=index.problem.sessions[s].id, reason=reason))
    return sorted(result, key=lambda item: item.session_id)


def _session_reason(
    index: PlanningIndex,
    s: int,
    volunteers: Sequence[int],
    sessions_of: Mapping[int, Sequence[int]],
) -> ShortfallReason:
    if not volunteers:
        return ShortfallReason.NO_ELIGIBLE_VOLUNTEER
    needed = int(index.opening[s])
    if len(volunteers) < needed or needed > index.maximum[s]:
        return ShortfallReason.BELOW_MINIMUM
    blocked = {
        ShortfallReason.VOLUNTEERS_BUSY: 0,
        ShortfallReason.REST: 0,
        ShortfallReason.WEEKLY_CAP: 0,
    }
    free = 0
    for v in volunteers:
        reason = _blocker(index, s, v, sessions_of.get(v, ()))
        if reason is None:
            free += 1
        else:
            blocked[reason] += 1
    if free >= needed:
        return ShortfallReason.NOT_SELECTED
    return max(blocked, key=lambda reason: blocked[reason])


def _blocker(index: PlanningIndex, s: int, v: int, own: Sequence[int]) -> ShortfallReason | None:
    """Say which rule keeps a volunteer with other sessions off session s, if any."""
    timeline = index.timeline
    rest = index.problem.rest_minutes
    if any(overlap(timeline, s, o) for o in own):
        return ShortfallReason.VOLUNTEERS_BUSY
    if any(clash(timeline, s, o, rest) for o in own):
        return ShortfallReason.REST
    same_week = sum(int(timeline.week[o] == timeline.week[s]) for o in own)
    if same_week >= index.week_caps.left(v, int(timeline.week[s])):
        return ShortfallReason.WEEKLY_CAP
    return None
