"""Improve a valid plan part by part with CP-SAT, started from that plan.

A part whose plan already scores its bound is optimal and is skipped. The others go
to CP-SAT, parts whose locks the repair could not complete first, then by decreasing
gap, each with a share of the remaining time in proportion to its size. A small part
is solved whole, and CP-SAT's bound then tightens the part's bound. A large part is
improved a neighbourhood at a time (see `routing.assignment_neighbourhoods`).
"""

import math
import time
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from routing.assignment_components import Components
from routing.assignment_conflicts import conflicting_locks
from routing.assignment_index import PlanningIndex
from routing.assignment_locks import LockState
from routing.assignment_model import build_model, solver_for
from routing.assignment_neighbourhoods import SessionGraph, search_neighbourhoods
from routing.assignment_start import StartingPoint
from routing.assignment_types import SessionLock
from routing.ortools_api import sat_status
from routing.status import SolveStatus

IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]

# Parts up to this many candidates are solved whole: CP-SAT usually proves them optimal
# within a second. Larger ones are searched a neighbourhood at a time.
WHOLE_PART_CANDIDATES = 3_000
MIN_PART_TIME_S = 0.05
# Diagnosing conflicting locks gets at least this long, even past the time limit.
MIN_DIAGNOSIS_TIME_S = 1.0


@dataclass(frozen=True, slots=True)
class SearchOutcome:
    """The chosen candidates after the search, how it ended, and the best bound known."""

    chosen: IntArray
    status: SolveStatus
    bound: int | None
    conflicting_locks: tuple[SessionLock, ...] = ()


@dataclass(frozen=True, slots=True)
class _PartResult:
    status: SolveStatus
    chosen: IntArray | None
    objective: int
    bound: float


def improve(
    index: PlanningIndex,
    locks: LockState,
    parts: Components,
    start: StartingPoint,
    deadline: float,
) -> SearchOutcome:
    """Run CP-SAT on the parts that may improve, within the deadline."""
    chosen = np.zeros(len(index.candidates), dtype=np.bool_)
    chosen[start.chosen] = True
    bounds = None if start.bounds is None else start.bounds.copy()
    queue = _queue(parts, start)
    proven = parts.count - len(queue)
    missing = False
    sizes = {part: len(parts.candidates(part)) for part in queue}
    waiting = sum(sizes.values())
    graph: SessionGraph | None = None
    for part in queue:
        remaining = deadline - time.perf_counter()
        share = remaining * sizes[part] / max(waiting, 1)
        waiting -= sizes[part]
        must_solve = part in start.failed_parts
        if not must_solve and remaining < MIN_PART_TIME_S:
            continue
        cands = parts.candidates(part)
        if not must_solve and sizes[part] > WHOLE_PART_CANDIDATES:
            graph = graph or SessionGraph(index)
            sessions = np.unique(index.candidates.session[cands]).tolist()
            search_neighbourhoods(
                index,
                locks,
                graph,
                sessions,
                chosen=chosen,
                deadline=time.perf_counter() + share,
            )
            continue
        result = _solve_part(index, locks, cands, chosen, max(share, MIN_PART_TIME_S))
        if result.status is SolveStatus.INFEASIBLE:
            left = max(deadline - time.perf_counter(), MIN_DIAGNOSIS_TIME_S)
            conflicts = conflicting_locks(index, locks, cands, left)
            return SearchOutcome(np.zeros(0, dtype=np.int64), result.status, None, conflicts)
        if bounds is not None and math.isfinite(result.bound):
            bounds[part] = min(int(bounds[part]), math.floor(result.bound + 1e-6))
        if result.chosen is None:
            missing |= must_solve
            continue
        proven += int(result.status is SolveStatus.OPTIMAL)
        if not must_solve and result.objective < start.scores[part]:
            continue
        chosen[cands] = False
        chosen[result.chosen] = True
    if missing:
        return SearchOutcome(np.zeros(0, dtype=np.int64), SolveStatus.NO_SOLUTION_FOUND, None)
    status = SolveStatus.OPTIMAL if proven == parts.count else SolveStatus.FEASIBLE
    total = None if bounds is None else int(bounds.sum())
    return SearchOutcome(np.flatnonzero(chosen).astype(np.int64), status, total)


def _queue(parts: Components, start: StartingPoint) -> list[int]:
    """Return the parts worth a search: failed ones first, then by decreasing gap."""
    gaps = {}
    for part in range(parts.count):
        gap = -1 if start.bounds is None else int(start.bounds[part] - start.scores[part])
        if part in start.failed_parts or gap != 0:
            gaps[part] = gap
    failed = start.failed_parts
    return sorted(gaps, key=lambda part: (part not in failed, -gaps[part], part))


def _solve_part(
    index: PlanningIndex,
    locks: LockState,
    candidates: IntArray,
    chosen: BoolArray,
    time_limit_s: float,
) -> _PartResult:
    """Solve one part from the current plan."""
    hint = candidates[chosen[candidates]]
    built = build_model(index, locks, candidates, hint=hint)
    problem = index.problem
    solver = solver_for(time_limit_s, problem.workers, problem.conflict_limit)
    status = sat_status(solver.solve(built.model))
    if not status.has_solution:
        return _PartResult(status, None, 0, math.inf)
    found = np.array(
        sorted(c for c, var in built.placed.items() if solver.boolean_value(var)), dtype=np.int64
    )
    if not built.has_objective:
        return _PartResult(status, found, 0, 0.0)
    return _PartResult(
        status, found, round(solver.objective_value), float(solver.best_objective_bound)
    )
