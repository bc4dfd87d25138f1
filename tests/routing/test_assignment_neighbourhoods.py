"""CP-SAT on neighbourhoods with the rest of the plan fixed."""

import time
from dataclasses import replace
from typing import Any

import numpy as np
import pytest

import routing.assignment_search as search
from routing.assignment import assign_volunteers
from routing.assignment_index import build_index
from routing.assignment_locks import lock_state
from routing.assignment_model import build_model, solver_for
from routing.assignment_neighbourhoods import Reservations, SessionGraph, search_neighbourhoods
from routing.assignment_objective import score
from routing.assignment_types import WeeklySlot
from routing.ortools_api import cp_model
from tests.routing.assignment_checks import (
    TOWN_HALL,
    assert_plan_valid,
    make_problem,
    north_of,
    session,
    volunteer,
)
from tests.routing.test_assignment_random import random_problem

DAY = (WeeklySlot(weekday=0, start_minute=8 * 60, end_minute=20 * 60),)


def test_fixed_session_outside_blocks_clashes_and_counts_for_fairness() -> None:
    sessions = [
        session(10, start="09:00", end="10:00"),
        session(11, start="10:30", end="11:30"),
        session(12, start="15:00", end="17:00"),
    ]
    volunteers = [volunteer(1, slots=DAY), volunteer(2, slots=DAY)]
    index = build_index(make_problem(volunteers, sessions))
    locks = lock_state(index)
    # Both volunteers are fixed on session 10; the model holds sessions 11 and 12 only.
    fixed = index.find(np.array([0, 1]), np.array([0, 0]))
    inside = index.find(np.array([0, 0, 1, 1]), np.array([1, 2, 1, 2]))
    outside = {0: [int(fixed[0])], 1: [int(fixed[1])]}

    built = build_model(index, locks, np.sort(inside), outside=outside)
    solver = solver_for(5.0, 1)

    assert solver.solve(built.model) == cp_model.OPTIMAL
    # Session 11 starts 30 minutes after session 10 ends, within the 60-minute rest.
    assert sorted(int(index.candidates.session[c]) for c in built.placed) == [2, 2]
    # Session 12 as a second session: one team, 500 opening, 300 fairness each.
    assert round(solver.objective_value) == 3000 + 500 - 400 - 2 * 300


def test_neighbourhoods_only_improve(monkeypatch: pytest.MonkeyPatch) -> None:
    problem = random_problem(31, volunteer_count=120, session_count=16, time_limit_s=3.0)
    index = build_index(problem)
    locks = lock_state(index)
    chosen = np.zeros(len(index.candidates), dtype=np.bool_)
    before = score(index, np.flatnonzero(chosen))
    sessions = np.unique(index.candidates.session).tolist()

    monkeypatch.setattr("routing.assignment_neighbourhoods.NEIGHBOURHOOD_CANDIDATES", 60)
    kept = search_neighbourhoods(
        index,
        locks,
        SessionGraph(index),
        sessions,
        chosen=chosen,
        deadline=time.perf_counter() + 1.0,
        workers=1,
    )

    assert kept > 0
    assert score(index, np.flatnonzero(chosen)) > before


def test_large_parts_go_through_neighbourhoods(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(search, "WHOLE_PART_CANDIDATES", 20)
    problem = random_problem(32, volunteer_count=100, session_count=12, time_limit_s=2.0)

    plan = assign_volunteers(problem)

    assert plan.status.has_solution
    assert_plan_valid(problem, plan)


def test_reservations_keep_volunteers_apart() -> None:
    reservations = Reservations()

    assert reservations.take([1, 2, 3])
    assert not reservations.take([3, 4])
    assert reservations.take([4, 5])
    reservations.release([1, 2, 3])
    assert reservations.take([3])


def test_idle_thread_joins_large_part(monkeypatch: pytest.MonkeyPatch) -> None:
    """One large part and two threads: the second helps with it, and the plan stays valid."""
    monkeypatch.setattr(search, "WHOLE_PART_CANDIDATES", 20)
    monkeypatch.setattr("routing.assignment_neighbourhoods.NEIGHBOURHOOD_CANDIDATES", 40)
    threads: set[int] = set()
    real_search = search.search_neighbourhoods

    def recording(*args: Any, **kwargs: Any) -> int:
        threads.add(kwargs["thread"])
        return real_search(*args, **kwargs)

    monkeypatch.setattr(search, "search_neighbourhoods", recording)
    # Every part is searched, even one whose plan already meets its bound.
    monkeypatch.setattr(search, "_queue", lambda parts, start: list(range(parts.count)))
    problem = random_problem(33, volunteer_count=150, session_count=14, time_limit_s=2.0)
    # A session 100 km away with its own two volunteers: a small part of its own.
    far = north_of(TOWN_HALL, 100_000.0)
    problem = replace(
        problem,
        volunteers=(
            *problem.volunteers,
            volunteer(901, metres=100_000.0),
            volunteer(902, metres=100_000.0),
        ),
        sessions=(*problem.sessions, session(990, meeting_point=far)),
    )

    plan = assign_volunteers(problem)

    # The part's own thread searches as thread 0, the one that joins under another number.
    assert 0 in threads
    assert len(threads) == 2
    assert plan.status.has_solution
    assert_plan_valid(problem, plan)
