"""Large-neighbourhood search: CP-SAT on a few neighbouring sessions at a time.

A part of a national weekend may hold hundreds of thousands of candidates, too many for
one CP-SAT model in a few seconds. A neighbourhood is a group of sessions that share
volunteers, grown from a random session; CP-SAT re-plans all of its candidates while
every placement outside stays fixed, and its answer replaces the current plan when it
scores more. Small models solve to optimality in a fraction of a second, so many
neighbourhoods fit in the time a run has.

Several threads may search one part at once. Each reserves the volunteers of its
neighbourhood first (`Reservations`). A neighbourhood holds every candidate of its
sessions and every placement of its volunteers, and friends count only within it, so
two neighbourhoods without a common volunteer never read what the other changes.
"""

import random
import threading
import time
from collections import deque

import numpy as np
import numpy.typing as npt

from routing.assignment_index import PlanningIndex
from routing.assignment_locks import LockState
from routing.assignment_model import build_model, solver_for
from routing.ortools_api import sat_status

IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]

NEIGHBOURHOOD_CANDIDATES = 1200
NEIGHBOURHOOD_TIME_S = 0.5
# Fixed so that runs are comparable.
NEIGHBOURHOOD_SEED = 93_010


class SessionGraph:
    """Candidates by session, to grow neighbourhoods through shared volunteers."""

    def __init__(self, index: PlanningIndex) -> None:
        cand = index.candidates
        self.index = index
        order = np.argsort(cand.session, kind="stable")
        self.by_session = order.astype(np.int64)
        self.session_start = np.searchsorted(
            cand.session[order], np.arange(index.session_count + 1)
        ).astype(np.int64)

    def candidates_of(self, session: int) -> IntArray:
        return self.by_session[self.session_start[session] : self.session_start[session + 1]]

    def grow(self, seed: int, limit: int) -> list[int]:
        """Return sessions reached from `seed` through shared volunteers, breadth first,
        until their candidates would exceed `limit`."""
        cand = self.index.candidates
        starts = self.index.volunteer_start
        chosen = [seed]
        total = len(self.candidates_of(seed))
        seen = {seed}
        queue = deque([seed])
        while queue:
            session = queue.popleft()
            for v in np.unique(cand.volunteer[self.candidates_of(session)]).tolist():
                for other in cand.session[starts[v] : starts[v + 1]].tolist():
                    if other in seen:
                        continue
                    seen.add(other)
                    size = len(self.candidates_of(other))
                    if total + size > limit:
                        continue
                    total += size
                    chosen.append(other)
                    queue.append(other)
        return chosen


class Reservations:
    """The volunteers whose candidates a search thread is re-planning."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._taken: set[int] = set()

    def take(self, volunteers: list[int]) -> bool:
        """Reserve every volunteer given, or none if another thread has reserved one of them."""
        with self._lock:
            if not self._taken.isdisjoint(volunteers):
                return False
            self._taken.update(volunteers)
            return True

    def release(self, volunteers: list[int]) -> None:
        with self._lock:
            self._taken.difference_update(volunteers)


def search_neighbourhoods(
    index: PlanningIndex,
    locks: LockState,
    graph: SessionGraph,
    sessions: list[int],
    *,
    chosen: BoolArray,
    deadline: float,
    workers: int,
    reservations: Reservations | None = None,
    thread: int = 0,
) -> int:
    """Improve `chosen` in place over the given sessions until the deadline.

    With `reservations`, other threads may search the same sessions: each gives its own
    `thread` number, which varies the random seeds. Return the number of neighbourhoods
    whose new plan was kept.
    """
    cand = index.candidates
    seed = NEIGHBOURHOOD_SEED + len(sessions) + 7_919 * thread
    rng = random.Random(seed)  # noqa: S311 - not a secret
    reserved = reservations or Reservations()
    kept = 0
    while sessions and time.perf_counter() + 0.05 < deadline:
        group = graph.grow(rng.choice(sessions), NEIGHBOURHOOD_CANDIDATES)
        inside = np.concatenate([graph.candidates_of(s) for s in group])
        volunteers = np.unique(cand.volunteer[inside]).tolist()
        if not reserved.take(volunteers):
            continue
        try:
            kept += _improve(
                index,
                locks,
                (group, inside, volunteers),
                chosen,
                deadline=deadline,
                workers=workers,
            )
        finally:
            reserved.release(volunteers)
    return kept


def _improve(
    index: PlanningIndex,
    locks: LockState,
    neighbourhood: tuple[list[int], IntArray, list[int]],
    chosen: BoolArray,
    *,
    deadline: float,
    workers: int,
) -> int:
    """Re-plan one neighbourhood's candidates, and return 1 if a better plan was kept."""
    group, inside, volunteers = neighbourhood
    cand = index.candidates
    in_group = np.zeros(index.session_count, dtype=np.bool_)
    in_group[group] = True
    outside: dict[int, list[int]] = {}
    for v in volunteers:
        own = np.arange(index.volunteer_start[v], index.volunteer_start[v + 1])
        fixed = own[chosen[own] & ~in_group[cand.session[own]]]
        if len(fixed):
            outside[v] = fixed.tolist()
    built = build_model(index, locks, np.sort(inside), hint=inside[chosen[inside]], outside=outside)
    limit = min(NEIGHBOURHOOD_TIME_S, deadline - time.perf_counter())
    solver = solver_for(max(limit, 0.01), workers, index.problem.conflict_limit)
    status = sat_status(solver.solve(built.model))
    if not status.has_solution or built.hint_objective is None:
        return 0
    if round(solver.objective_value) <= built.hint_objective:
        return 0
    chosen[inside] = False
    for c, var in built.placed.items():
        if solver.boolean_value(var):
            chosen[c] = True
    return 1
