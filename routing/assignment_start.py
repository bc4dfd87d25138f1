"""The first plan and the bound: a plain flow, then the decomposition.

The plain flow's optimum bounds every plan, and its solution, repaired, is the first
plan. The flow spreads volunteers over more sessions than can reach their minimum. The
decomposition (`routing.assignment_lagrangian`) then lowers the bound well below the
flow's, and the sessions it opens, forced open in the flow, give a second plan. Every
solution is repaired into a valid plan, and each part keeps its best plan and lowest
bound. Last, volunteers are moved so that more teams have an experienced member or a
speaker of the language their IRIS needs, which the flow and the repair leave aside.
"""

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
from routing.assignment_soft_rules import improve_soft_rules

IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]

# The decomposition bound (`routing.assignment_lagrangian`) runs until this share of the
# time limit, or until its steps have shrunk, whichever comes first. The soft team rules
# are then mended (`routing.assignment_soft_rules`) until the second share at the latest,
# and CP-SAT gets the rest. On a national weekend the sessions the decomposition opens
# give a far better plan than CP-SAT finds in the same time, and so does mending the soft
# rules: about 3 s for 0.65 M points on the benchmark's weekend, where CP-SAT's
# neighbourhoods gained about 0.1 M in 12 s.
LAGRANGIAN_SHARE = 0.7
SOFT_RULES_SHARE = 0.9


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
    """Run the plain flow, then the decomposition and the soft rules' pass within their
    shares of the time limit."""
    limit = index.problem.time_limit_s
    flow = solve_flow(index, locks, parts)
    if not flow.is_solved:
        outcome = repair(index, locks, flow.chosen)
        scores = score_by_part(index, outcome.chosen, parts.of_candidate, parts.count)
        failed = _failed_parts(index, parts, outcome.failed_sessions)
        return StartingPoint(outcome.chosen, scores, failed, None)
    best = _Best.from_round(index, locks, parts, flow, relaxed_bounds(index, flow.chosen, parts))
    _decompose(index, locks, parts, best, started + LAGRANGIAN_SHARE * limit)
    _mend_soft_rules(index, locks, parts, best, started + SOFT_RULES_SHARE * limit)
    return StartingPoint(
        chosen=np.flatnonzero(best.chosen).astype(np.int64),
        scores=best.scores,
        failed_parts=frozenset(np.flatnonzero(best.failed).tolist()),
        bounds=best.bounds,
    )


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


def _mend_soft_rules(
    index: PlanningIndex, locks: LockState, parts: Components, best: "_Best", deadline: float
) -> None:
    """Move volunteers so that more teams have an experienced member or a speaker."""
    chosen = np.flatnonzero(best.chosen).astype(np.int64)
    mended = improve_soft_rules(index, locks, chosen, deadline)
    best.merge(best.with_plan(index, mended))


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

    def with_plan(self, index: PlanningIndex, chosen: IntArray) -> "_Best":
        """Return a plan with the same failed parts and no bound, of the given candidates."""
        mask = np.zeros(len(index.candidates), dtype=np.bool_)
        mask[chosen] = True
        scores = score_by_part(index, chosen, self.parts.of_candidate, self.parts.count)
        no_bound = np.full(self.parts.count, NO_BOUND, dtype=np.int64)
        return _Best(self.parts, mask, scores, self.failed.copy(), no_bound)

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
