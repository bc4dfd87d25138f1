"""The decomposition bound: exact where the flow is loose, never below the optimum."""

import time
from dataclasses import replace

import numpy as np
import pytest

from routing.assignment import assign_volunteers
from routing.assignment_components import split_components
from routing.assignment_flow import solve_flow
from routing.assignment_index import build_index
from routing.assignment_lagrangian import NO_BOUND, lagrangian_bounds
from routing.assignment_locks import lock_state
from routing.assignment_types import AssignmentProblem, WeeklySlot
from routing.assignment_weights import PlanningWeights
from routing.status import SolveStatus
from tests.routing.assignment_checks import make_problem, session, volunteer
from tests.routing.test_assignment_random import random_problem

DAY = (WeeklySlot(weekday=0, start_minute=8 * 60, end_minute=20 * 60),)
AFTERNOON = (WeeklySlot(weekday=0, start_minute=13 * 60, end_minute=18 * 60),)
# Far more than the small cases need: they stop when their steps have shrunk.
SECONDS = 30.0


def bounds_of(problem: AssignmentProblem) -> tuple[int, int]:
    """Return the flow bound and the decomposition bound, summed over parts."""
    index = build_index(problem)
    locks = lock_state(index)
    parts = split_components(index)
    flow = solve_flow(index, locks, parts)
    floors = np.zeros(parts.count, dtype=np.int64)
    outcome = lagrangian_bounds(index, locks, parts, floors, time.perf_counter() + SECONDS)
    return flow.bound, int(outcome.bounds.sum())


def test_unopenable_session_earns_nothing() -> None:
    # Session 10 needs four and only three can come. Session 11 takes two in the
    # afternoon. The best plan opens 11 alone: one team (2,000 + 50 x 20) and the
    # opening bonus, 3,500 points. The flow also counts the three volunteers of 10.
    sessions = [
        session(10, min_volunteers=4, max_volunteers=4),
        session(11, start="14:00", end="16:00", max_volunteers=2),
    ]
    volunteers = [volunteer(1, slots=DAY, experienced=True), volunteer(2, slots=DAY), volunteer(3)]

    flow_bound, bound = bounds_of(make_problem(volunteers, sessions))

    assert bound == 3500
    assert flow_bound > 7000


def test_team_without_experience_costs_400() -> None:
    # Two newcomers open the session, so the team lacks an experienced member: 400 less.
    problem = make_problem([volunteer(1), volunteer(2)], [session(10, max_volunteers=2)])

    _, bound = bounds_of(problem)

    assert bound == 3500 - 400


def test_locked_part_left_out() -> None:
    # Session 10 and its locked volunteer form one part, session 11 the other: two
    # afternoon volunteers, one team, 3,500 - 400 points.
    volunteers = [
        volunteer(1, locks=(10,)),
        volunteer(2),
        volunteer(3, slots=AFTERNOON),
        volunteer(4, slots=AFTERNOON),
    ]
    sessions = [session(10, max_volunteers=2), session(11, start="14:00", end="16:00")]
    index = build_index(make_problem(volunteers, sessions))
    parts = split_components(index)
    floors = np.zeros(parts.count, dtype=np.int64)

    outcome = lagrangian_bounds(
        index, lock_state(index), parts, floors, time.perf_counter() + SECONDS
    )

    assert sorted(outcome.bounds.tolist()) == [3100, NO_BOUND]


def test_no_round_bounds_nothing() -> None:
    index = build_index(random_problem(1, volunteer_count=20, session_count=4))
    parts = split_components(index)
    floors = np.zeros(parts.count, dtype=np.int64)

    outcome = lagrangian_bounds(index, lock_state(index), parts, floors, time.perf_counter() - 1.0)

    assert outcome.rounds == 0
    assert (outcome.bounds == NO_BOUND).all()


@pytest.mark.parametrize("seed", range(6))
def test_bound_between_optimum_and_flow(seed: int) -> None:
    problem = random_problem(seed, volunteer_count=40, session_count=6)
    plan = assign_volunteers(problem)

    flow_bound, bound = bounds_of(problem)

    assert plan.status is SolveStatus.OPTIMAL
    assert plan.bound is not None
    assert plan.bound <= bound <= flow_bound


@pytest.mark.parametrize(
    ("team_size", "weights"),
    [
        (1, PlanningWeights()),
        (3, PlanningWeights()),
        (2, PlanningWeights(fairness=0, session_opened=0, experienced=0)),
        (2, PlanningWeights(travel=400, stability=5000, language=5000, experienced=5000)),
    ],
)
def test_bound_holds_for_other_rules(team_size: int, weights: PlanningWeights) -> None:
    problem = random_problem(11, volunteer_count=36, session_count=6)
    problem = replace(problem, team_size=team_size, weights=weights)
    plan = assign_volunteers(problem)

    flow_bound, bound = bounds_of(problem)

    assert plan.status is SolveStatus.OPTIMAL
    assert plan.bound is not None
    assert plan.bound <= bound <= flow_bound


def test_bound_below_flow_when_scarce() -> None:
    problem = random_problem(7, volunteer_count=30, session_count=8)

    flow_bound, bound = bounds_of(problem)

    assert bound < flow_bound
