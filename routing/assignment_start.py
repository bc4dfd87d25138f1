"""The first plan and the bound: a plain flow, dive rounds, then the decomposition.

Round 0 is the plain flow: its optimum bounds every plan, and its answer, repaired, is
the first plan. The flow spreads volunteers over more sessions than can reach their
minimum, so dive rounds (see `_Dive`) force sessions open step by step. The
decomposition (`routing.assignment_lagrangian`) then lowers the bound well below the
flow's, and the sessions it opens give one more plan. Every answer is repaired into a
valid plan, and each part keeps its best plan and lowest bound.
"""

import time
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from routing.assignment_components import Components
from routing.assignment_flow import FlowAnswer, FlowOptions, relaxed_bounds, solve_flow
from routing.assignment_index import PlanningIndex
from routing.assignment_lagrangian import NO_BOUND, lagrangian_bounds
from routing.assignment_locks import LockState
from routing.assignment_objective import score_by_part
from routing.assignment_repair import repair

IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]

DIVE_ROUNDS = 8
# Dive rounds stop once this share of the time limit is spent. The plain flow always runs.
DIVE_SHARE = 0.3
# The decomposition bound (`routing.assignment_lagrangian`) runs until this share of the
# time limit, or until its steps have shrunk, whichever comes first. CP-SAT gets the rest.
LAGRANGIAN_SHARE = 0.5


@dataclass(frozen=True, slots=True)
class StartingPoint:
    """A valid plan to improve and what is known about each part.

    `failed_parts` could not be completed around their locks, and `bounds` contains the lowest
    flow bound of each part, None if the flow failed.
    """

    chosen: IntArray
    scores: IntArray
    failed_parts: frozenset[int]
    bounds: IntArray | None


def first_plan(
    index: PlanningIndex, locks: LockState, parts: Components, started: float
) -> StartingPoint:
    """Run the plain flow, dive rounds, then the decomposition, each within its share."""
    limit = index.problem.time_limit_s
    flow = solve_flow(index, locks, parts)
    if not flow.is_solved:
        outcome = repair(index, locks, flow.chosen)
        scores = score_by_part(index, outcome.chosen, parts.of_candidate, parts.count)
        failed = _failed_parts(index, parts, outcome.failed_sessions)
        return StartingPoint(outcome.chosen, scores, failed, None)
    best = _Best.from_round(index, locks, parts, flow, relaxed_bounds(index, flow.chosen, parts))
    dive = _Dive(index, flow.chosen)
    for _ in range(DIVE_ROUNDS):
        if time.perf_counter() >= started + DIVE_SHARE * limit or not dive.has_partial():
            break
        answer = solve_flow(index, locks, parts, dive.options())
        if answer.is_solved:
            dive.chosen = answer.chosen
            best.merge(_Best.without_bound(index, locks, parts, answer))
    _decompose(index, locks, parts, best, started + LAGRANGIAN_SHARE * limit)
    return StartingPoint(
        chosen=np.flatnonzero(best.chosen).astype(np.int64),
        scores=best.scores,
        failed_parts=frozenset(np.flatnonzero(best.failed).tolist()),
        bounds=best.bounds,
    )


class _Dive:
    """Open sessions step by step: force the fullest partial sessions, drop stuck ones.

    The flow leaves many sessions partly filled, below their opening size. Each round
    forces every full session and the better-filled half of the partial ones to open,
    and bans the sessions that stayed partial although forced. The flow then moves the
    volunteers of the weakest sessions to those that can open.
    """

    def __init__(self, index: PlanningIndex, chosen: IntArray) -> None:
        self.index = index
        self.chosen = chosen
        self.forced = np.zeros(index.session_count, dtype=np.bool_)
        self.banned = np.zeros(index.session_count, dtype=np.bool_)

    def counts(self) -> IntArray:
        counts: IntArray = np.bincount(
            self.index.candidates.session[self.chosen], minlength=self.index.session_count
        )
        return counts

    def has_partial(self) -> bool:
        counts = self.counts()
        return bool(((counts > 0) & (counts < self.index.opening)).any())

    def options(self) -> FlowOptions:
        """Return the next round's flow: force, ban, and keep the prices."""
        index = self.index
        counts = self.counts()
        full = counts >= index.opening
        partial = (counts > 0) & ~full
        self.banned |= self.forced & partial
        fill = np.where(partial & ~self.banned, counts / index.opening, -1.0)
        order = np.lexsort((-index.team_points, -fill))
        promoted = order[: (int((fill >= 0).sum()) + 1) // 2]
        self.forced = full.copy()
        self.forced[promoted] = True
        self.forced &= ~self.banned
        return FlowOptions(only_sessions=~self.banned, force_opening=self.forced)


def _decompose(
    index: PlanningIndex, locks: LockState, parts: Components, best: "_Best", deadline: float
) -> None:
    """Lower the bounds by the decomposition, and try the sessions it opens."""
    outcome = lagrangian_bounds(index, locks, parts, best.scores, deadline)
    best.bounds = np.minimum(best.bounds, outcome.bounds)
    if not outcome.opened.any():
        return
    options = FlowOptions(only_sessions=outcome.opened, force_opening=outcome.opened)
    answer = solve_flow(index, locks, parts, options)
    if answer.is_solved:
        best.merge(_Best.without_bound(index, locks, parts, answer))


def _failed_parts(
    index: PlanningIndex, parts: Components, failed_sessions: IntArray
) -> frozenset[int]:
    session_part = np.full(index.session_count, -1, dtype=np.int64)
    session_part[index.candidates.session] = parts.of_candidate
    found = session_part[failed_sessions]
    return frozenset(found[found >= 0].tolist())


@dataclass(slots=True)
class _Best:
    """Per part: the best repaired plan, its score, whether it failed, the lowest bound."""

    parts: Components
    chosen: BoolArray
    scores: IntArray
    failed: BoolArray
    bounds: IntArray

    @classmethod
    def from_round(
        cls,
        index: PlanningIndex,
        locks: LockState,
        parts: Components,
        flow: FlowAnswer,
        bounds: IntArray,
    ) -> "_Best":
        outcome = repair(index, locks, flow.chosen)
        chosen = np.zeros(len(index.candidates), dtype=np.bool_)
        chosen[outcome.chosen] = True
        failed = np.zeros(parts.count, dtype=np.bool_)
        failed[list(_failed_parts(index, parts, outcome.failed_sessions))] = True
        scores = score_by_part(index, outcome.chosen, parts.of_candidate, parts.count)
        return cls(parts, chosen, scores, failed, bounds)

    @classmethod
    def without_bound(
        cls, index: PlanningIndex, locks: LockState, parts: Components, flow: FlowAnswer
    ) -> "_Best":
        """Repair a flow solution whose optimum bounds nothing (forced or banned sessions)."""
        no_bound = np.full(parts.count, NO_BOUND, dtype=np.int64)
        return cls.from_round(index, locks, parts, flow, no_bound)

    def merge(self, other: "_Best") -> None:
        """Keep, per part, the better plan (a complete one first) and the lower bound."""
        better = (self.failed & ~other.failed) | (
            (self.failed == other.failed) & (other.scores > self.scores)
        )
        take = better[self.parts.of_candidate]
        self.chosen = np.where(take, other.chosen, self.chosen)
        self.scores = np.where(better, other.scores, self.scores)
        self.failed = np.where(better, other.failed, self.failed)
        self.bounds = np.minimum(self.bounds, other.bounds)
