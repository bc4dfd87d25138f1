"""Improve a valid plan part by part with CP-SAT, started from that plan.

A part whose plan already scores its bound is optimal and is skipped. The others go
to CP-SAT, parts whose locks the repair could not complete first, then by decreasing
gap, each with a share of the remaining time in proportion to its size. With several
workers, several parts are searched at once. A small part
is solved whole, and CP-SAT's bound then tightens the part's bound. A large part is
improved a neighbourhood at a time (see `routing.assignment_neighbourhoods`).
"""

import math
import threading
import time
from collections import deque
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from routing.assignment_components import Components
from routing.assignment_conflicts import conflicting_locks
from routing.assignment_index import PlanningIndex
from routing.assignment_locks import LockState
from routing.assignment_model import build_model, solver_for
from routing.assignment_neighbourhoods import Reservations, SessionGraph, search_neighbourhoods
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
    """Run CP-SAT on the parts that may improve, within the deadline.

    Parts share nothing, so several are searched at once, one thread each with an equal
    share of the CP-SAT workers: with two workers, one thread can search a large part
    while the other goes through the small ones. A single part gets every worker.
    """
    queue = _queue(parts, start)
    threads = max(1, min(index.problem.workers, len(queue)))
    search = _PartSearch(index, locks, parts, start, deadline)
    search.line_up(queue, split=threads > 1)
    if threads == 1:
        search.work(0, workers=index.problem.workers, per_line=1)
    else:
        per_line = max(1, threads // len(search.lines))
        workers_each = max(1, index.problem.workers // threads)
        with ThreadPoolExecutor(threads) as pool:
            futures = [
                pool.submit(search.work, k, workers=workers_each, per_line=per_line)
                for k in range(threads)
            ]
            for future in futures:
                future.result()
    if search.infeasible is not None:
        left = max(deadline - time.perf_counter(), MIN_DIAGNOSIS_TIME_S)
        conflicts = conflicting_locks(index, locks, search.infeasible, left)
        return SearchOutcome(np.zeros(0, dtype=np.int64), SolveStatus.INFEASIBLE, None, conflicts)
    if search.missing:
        return SearchOutcome(np.zeros(0, dtype=np.int64), SolveStatus.NO_SOLUTION_FOUND, None)
    status = SolveStatus.OPTIMAL if search.proven == parts.count else SolveStatus.FEASIBLE
    bounds = search.bounds
    total = None if bounds is None else int(bounds.sum())
    return SearchOutcome(np.flatnonzero(search.chosen).astype(np.int64), status, total)


@dataclass(slots=True)
class _Line:
    """Parts waiting for a search, in order, and the sum of their sizes."""

    parts: deque[int]
    waiting: int


class _PartSearch:
    """The parts waiting for a search and what the searches found, shared by threads.

    With several threads, large parts (searched a neighbourhood at a time) and small
    ones (solved whole) wait in two lines. Each thread serves one line first, so large
    parts cannot take all the time while hundreds of small ones wait. A thread takes
    the next part of its line with a share of the time left in proportion to the
    part's size among those waiting in that line. A thread with no part left joins the
    neighbourhood search of a large part under way, until that part's deadline.
    """

    def __init__(
        self,
        index: PlanningIndex,
        locks: LockState,
        parts: Components,
        start: StartingPoint,
        deadline: float,
    ) -> None:
        self.index = index
        self.locks = locks
        self.parts = parts
        self.start = start
        self.deadline = deadline
        self.chosen = np.zeros(len(index.candidates), dtype=np.bool_)
        self.chosen[start.chosen] = True
        self.bounds = None if start.bounds is None else start.bounds.copy()
        self.lines: list[_Line] = []
        self.proven = parts.count
        self.missing = False
        self.infeasible: IntArray | None = None  # the candidates of an infeasible part
        self.sizes = np.diff(parts.start)
        large = bool((self.sizes > WHOLE_PART_CANDIDATES).any())
        self.graph = SessionGraph(index) if large else None
        self.lock = threading.Lock()
        self.reservations = Reservations()
        # The deadline of each large part's search under way.
        self.under_way: dict[int, float] = {}

    def line_up(self, queue: list[int], *, split: bool) -> None:
        """Put the parts to search in one line, or in a large and a small line."""
        self.proven -= len(queue)
        groups = [queue]
        if split:
            large = [part for part in queue if self.sizes[part] > WHOLE_PART_CANDIDATES]
            small = [part for part in queue if self.sizes[part] <= WHOLE_PART_CANDIDATES]
            groups = [large, small]
        for group in groups:
            if group:
                self.lines.append(_Line(deque(group), int(self.sizes[group].sum())))

    def work(self, first_line: int, *, workers: int, per_line: int) -> None:
        """Search parts one after another until none is left or one is infeasible, then
        help with the large parts under way."""
        while True:
            with self.lock:
                line = self._next_line(first_line)
                if line is None or self.infeasible is not None:
                    break
                part = line.parts.popleft()
                size = int(self.sizes[part])
                remaining = self.deadline - time.perf_counter()
                share = min(remaining, remaining * per_line * size / max(line.waiting, 1))
                line.waiting -= size
                if self._by_neighbourhoods(part):
                    # Registered with the pop, so a thread that runs out of parts finds it.
                    self.under_way[part] = time.perf_counter() + share
            self._search(part, share, remaining, workers)
        self._join(first_line + 1, workers)

    def _join(self, thread: int, workers: int) -> None:
        """Search the large parts under way alongside their own threads, one after another."""
        joined: set[int] = set()
        while self.infeasible is None:
            with self.lock:
                now = time.perf_counter()
                open_parts = [
                    part
                    for part, deadline in self.under_way.items()
                    if part not in joined and deadline - now > MIN_PART_TIME_S
                ]
                if not open_parts:
                    return
                part = open_parts[0]
                deadline = self.under_way[part]
            joined.add(part)
            self._neighbourhoods(part, deadline, workers, thread)

    def _next_line(self, first_line: int) -> _Line | None:
        """Return the thread's own line, or another one when its own is empty."""
        count = len(self.lines)
        for step in range(count):
            line = self.lines[(first_line + step) % count]
            if line.parts:
                return line
        return None

    def _search(self, part: int, share: float, remaining: float, workers: int) -> None:
        if self._by_neighbourhoods(part):
            if remaining >= MIN_PART_TIME_S:
                self._neighbourhoods(part, self.under_way[part], workers, thread=0)
            with self.lock:
                del self.under_way[part]
            return
        must_solve = part in self.start.failed_parts
        if not must_solve and remaining < MIN_PART_TIME_S:
            return
        index = self.index
        cands = self.parts.candidates(part)
        result = _solve_part(
            index,
            self.locks,
            cands,
            self.chosen,
            time_limit_s=max(share, MIN_PART_TIME_S),
            workers=workers,
        )
        with self.lock:
            self._keep(part, cands, result, must_solve)

    def _by_neighbourhoods(self, part: int) -> bool:
        """Tell whether the part is searched a neighbourhood at a time."""
        is_large = int(self.sizes[part]) > WHOLE_PART_CANDIDATES
        return is_large and self.graph is not None and part not in self.start.failed_parts

    def _neighbourhoods(self, part: int, deadline: float, workers: int, thread: int) -> None:
        assert self.graph is not None
        cands = self.parts.candidates(part)
        search_neighbourhoods(
            self.index,
            self.locks,
            self.graph,
            np.unique(self.index.candidates.session[cands]).tolist(),
            chosen=self.chosen,
            deadline=deadline,
            workers=workers,
            reservations=self.reservations,
            thread=thread,
        )

    def _keep(self, part: int, cands: IntArray, result: _PartResult, must_solve: bool) -> None:
        if result.status is SolveStatus.INFEASIBLE:
            self.infeasible = cands
            return
        if self.bounds is not None and math.isfinite(result.bound):
            self.bounds[part] = min(int(self.bounds[part]), math.floor(result.bound + 1e-6))
        if result.chosen is None:
            self.missing |= must_solve
            return
        self.proven += int(result.status is SolveStatus.OPTIMAL)
        if not must_solve and result.objective < self.start.scores[part]:
            return
        self.chosen[cands] = False
        self.chosen[result.chosen] = True


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
    *,
    time_limit_s: float,
    workers: int,
) -> _PartResult:
    """Solve one part from the current plan."""
    hint = candidates[chosen[candidates]]
    built = build_model(index, locks, candidates, hint=hint)
    problem = index.problem
    solver = solver_for(time_limit_s, workers, problem.conflict_limit)
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
