"""Move volunteers between sessions so that more teams have an experienced member or a
speaker of the language their IRIS needs.

The flow and the repair leave the soft team rules aside, so a first plan often sends
teams without an experienced volunteer to one session while another has experienced
volunteers to spare. For each session short of them, this pass tries to replace a
member who brings none by a candidate who does:

- a volunteer free at that time, who takes the member's place (the member leaves);
- a volunteer on another session, who swaps places with the member.

Each move keeps every session's count, so whole teams, minimums and maximums stay as
they were. A move is made only when it raises the objective, counted exactly as
`routing.assignment_objective` counts it: the pairs' points, the fairness steps and
both sessions' soft team rules. Locked places never move and blocked candidates are
never taken. Volunteers with a friend pair are left where they are, because the friend
rule is left to CP-SAT.
"""

import time
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from routing.assignment_index import PlanningIndex
from routing.assignment_locks import LockState
from routing.assignment_repair import PlanState

IntArray = npt.NDArray[np.int64]

# Passes over the sessions short of experienced volunteers or speakers. Later passes
# find moves that earlier ones opened up; most gains come in the first.
MAX_PASSES = 3


@dataclass(frozen=True, slots=True)
class _Move:
    """`coming` takes the place of `leaving`. In a swap, the coming volunteer gives up their
    place `given_up`, and the leaving volunteer takes it up as `taken_up`."""

    gain: int
    leaving: int
    coming: int
    given_up: int | None = None
    taken_up: int | None = None


class _SoftRules:
    """The plan with, per session, its experienced members and speakers counted."""

    def __init__(self, index: PlanningIndex, locks: LockState, chosen: IntArray) -> None:
        self.index = index
        self.plan = PlanState(index, locks)
        for c in chosen.tolist():
            self.plan.add(c)
        cand = index.candidates
        self.points: list[int] = cand.points.tolist()
        self.volunteer_start: list[int] = index.volunteer_start.tolist()
        self.speaks: list[bool] = cand.speaks.tolist()
        self.experienced: list[bool] = index.experienced.tolist()
        self.needs: list[bool] = index.needs_language.tolist()
        self.size = index.problem.team_size
        self.fairness = index.weights.fairness
        self.w_experienced = index.weights.experienced
        self.w_language = index.weights.language
        self.movable = ~cand.is_locked & ~locks.blocked
        partnered = {v for pair in index.partners for v in pair}
        if partnered:
            self.movable &= ~np.isin(cand.volunteer, np.fromiter(partnered, dtype=np.int64))
        self.seasoned = [0] * index.session_count
        self.speakers = [0] * index.session_count
        for session, members in self.plan.members.items():
            self.seasoned[session] = sum(
                self.experienced[self.plan.volunteer_of[c]] for c in members
            )
            self.speakers[session] = sum(self.speaks[c] for c in members)

    def penalty(self, session: int, seasoned: int, speakers: int) -> int:
        """Return the session's soft-rule points lost with these counts."""
        teams = len(self.plan.members.get(session, ())) // self.size
        lost = self.w_experienced * max(teams - seasoned, 0)
        if self.needs[session]:
            lost += self.w_language * max(teams - speakers, 0)
        return lost

    def is_short(self, session: int) -> bool:
        return self.penalty(session, self.seasoned[session], self.speakers[session]) > 0

    def gain_in(self, session: int, leaving: int, coming: int) -> int:
        """Return the soft-rule points the session gains when `coming` replaces `leaving`."""
        plan = self.plan
        seasoned = self.seasoned[session]
        speakers = self.speakers[session]
        after_seasoned = (
            seasoned
            - self.experienced[plan.volunteer_of[leaving]]
            + self.experienced[plan.volunteer_of[coming]]
        )
        after_speakers = speakers - self.speaks[leaving] + self.speaks[coming]
        return self.penalty(session, seasoned, speakers) - self.penalty(
            session, after_seasoned, after_speakers
        )

    def swap_counts(self, session: int, leaving: int, coming: int) -> None:
        volunteer_of = self.plan.volunteer_of
        self.seasoned[session] += (
            self.experienced[volunteer_of[coming]] - self.experienced[volunteer_of[leaving]]
        )
        self.speakers[session] += self.speaks[coming] - self.speaks[leaving]


def improve_soft_rules(
    index: PlanningIndex, locks: LockState, chosen: IntArray, deadline: float
) -> IntArray:
    """Return the chosen candidates after replacements and swaps that raise the objective.

    `chosen` must be a valid plan: the result keeps it valid and scores at least as much.
    """
    state = _SoftRules(index, locks, chosen)
    for _ in range(MAX_PASSES):
        moved = 0
        for session in range(index.session_count):
            if time.perf_counter() >= deadline:
                return np.flatnonzero(state.plan.chosen).astype(np.int64)
            if state.is_short(session):
                moved += _mend_session(state, session)
        if not moved:
            break
    return np.flatnonzero(state.plan.chosen).astype(np.int64)


def _mend_session(state: _SoftRules, session: int) -> int:
    """Make the best improving move into the session, if any; return the moves made."""
    plan = state.plan
    best: _Move | None = None
    members = [c for c in plan.members.get(session, ()) if state.movable[c]]
    low, high = plan.session_start[session], plan.session_start[session + 1]
    for coming in plan.by_session[low:high].tolist():
        if plan.chosen[coming] or not state.movable[coming]:
            continue
        brings = (state.experienced[plan.volunteer_of[coming]], state.speaks[coming])
        for leaving in members:
            if brings == (state.experienced[plan.volunteer_of[leaving]], state.speaks[leaving]):
                continue
            gain = state.gain_in(session, leaving, coming)
            if gain <= 0:
                continue
            move = _best_move(state, _Move(gain, leaving, coming))
            if move is not None and (best is None or move.gain > best.gain):
                best = move
    if best is None:
        return 0
    _apply(state, session, best)
    return 1


def _best_move(state: _SoftRules, step: _Move) -> _Move | None:
    """Return the best improving move that brings `step.coming` in for `step.leaving`.

    `step.gain` is what the session gains by the soft rules alone. The move is a
    replacement when the coming volunteer is free, or a swap with one of their places.
    """
    plan = state.plan
    points = state.points
    leaving, coming = step.leaving, step.coming
    volunteer = plan.volunteer_of[coming]
    leaving_volunteer = plan.volunteer_of[leaving]
    base = step.gain + points[coming] - points[leaving]
    best: _Move | None = None
    # Replace: the volunteer joins, the member leaves the plan's session.
    if plan.fits(coming):
        fairness = state.fairness * (plan.load[leaving_volunteer] - 1 - plan.load[volunteer])
        if base + fairness > 0:
            best = _Move(base + fairness, leaving, coming)
    # Swap: the volunteer leaves a session of theirs, where the member takes their place.
    for given_up in list(plan.sessions_of.get(volunteer, ())):
        if not state.movable[given_up]:
            continue
        other = plan.session_of[given_up]
        taken_up = _candidate(state, leaving_volunteer, other)
        if taken_up is None or plan.chosen[taken_up] or not state.movable[taken_up]:
            continue
        total = (
            base + points[taken_up] - points[given_up] + state.gain_in(other, given_up, taken_up)
        )
        if total <= 0 or (best is not None and total <= best.gain):
            continue
        if plan.fits(coming, without=given_up) and plan.fits(taken_up, without=leaving):
            best = _Move(total, leaving, coming, given_up, taken_up)
    return best


def _candidate(state: _SoftRules, volunteer: int, session: int) -> int | None:
    """Return the candidate pairing the volunteer with the session, None if there is none."""
    # A volunteer has a handful of candidates, so a plain scan beats any NumPy call.
    session_of = state.plan.session_of
    for c in range(state.volunteer_start[volunteer], state.volunteer_start[volunteer + 1]):
        if session_of[c] == session:
            return c
    return None


def _apply(state: _SoftRules, session: int, move: _Move) -> None:
    plan = state.plan
    plan.remove(move.leaving)
    if move.given_up is not None and move.taken_up is not None:
        plan.remove(move.given_up)
        state.swap_counts(plan.session_of[move.given_up], move.given_up, move.taken_up)
        plan.add(move.taken_up)
    state.swap_counts(session, move.leaving, move.coming)
    plan.add(move.coming)
