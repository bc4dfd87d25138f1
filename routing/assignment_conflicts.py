"""Find which locks make an assignment problem infeasible.

Without locks the empty plan is always feasible, so an INFEASIBLE run is always caused
by locks: overlapping sessions, a session over its maximum, or a count that cannot be
split into whole teams.
"""

import time
from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

from routing.assignment_index import PlanningIndex
from routing.assignment_locks import LockState
from routing.assignment_model import AssignmentModel, build_model, solver_for
from routing.assignment_types import SessionLock
from routing.ortools_api import cp_model

IntArray = npt.NDArray[np.int64]


def conflicting_locks(
    index: PlanningIndex, locks: LockState, candidates: IntArray, time_limit_s: float
) -> tuple[SessionLock, ...]:
    """Return a set of locks among the candidates that cannot all hold, usually minimal.

    The solver's infeasibility core is shrunk by dropping one lock at a time and keeping
    the drop when the rest is still infeasible. A check that runs out of time keeps its
    lock, so the result is always a real conflict but may then contain extra locks.
    Returns an empty tuple if not even the first check ends in time.
    """
    deadline = time.perf_counter() + time_limit_s
    built = build_model(index, locks, candidates, fix_locks=False, with_objective=False)
    workers = index.problem.workers
    all_locks = sorted(built.lock_literals, key=lambda lock: (lock.volunteer_id, lock.session_id))
    core = _infeasible_core(built, all_locks, deadline, workers)
    if core is None:
        return ()
    required: list[SessionLock] = []
    while core:
        candidate, core = core[0], core[1:]
        smaller = _infeasible_core(built, required + core, deadline, workers)
        if smaller is None:
            required.append(candidate)
        else:
            # Invariant: required + core stays infeasible, because the new core lies inside it.
            core = [lock for lock in core if lock in smaller]
    return tuple(sorted(required, key=lambda lock: (lock.volunteer_id, lock.session_id)))


def _infeasible_core(
    built: AssignmentModel, locks: Sequence[SessionLock], deadline: float, workers: int
) -> list[SessionLock] | None:
    """Return the locks of an infeasibility core, or None if feasible or out of time."""
    remaining = deadline - time.perf_counter()
    if remaining <= 0:
        return None
    literal_of = {lock: built.lock_literals[lock] for lock in locks}
    lock_of_index = {var.index: lock for lock, var in literal_of.items()}
    built.model.clear_assumptions()
    built.model.add_assumptions(literal_of.values())
    solver = solver_for(remaining, workers)
    if solver.solve(built.model) != cp_model.INFEASIBLE:
        return None
    found = {lock_of_index[i] for i in solver.sufficient_assumptions_for_infeasibility()}
    return [lock for lock in locks if lock in found]
