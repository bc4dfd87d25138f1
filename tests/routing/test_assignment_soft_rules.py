"""Replacements and swaps that give teams an experienced member or a speaker.

Sessions 10 and 11 run at the same time, so a volunteer is on one of them at most. All
volunteers live at the town hall, so every pair earns the same points.
"""

import time

import numpy as np
import pytest

from routing.assignment_index import build_index
from routing.assignment_locks import lock_state
from routing.assignment_objective import score
from routing.assignment_repair import PlanState, repair
from routing.assignment_soft_rules import improve_soft_rules
from routing.assignment_types import AssignmentProblem, SessionInput, VolunteerInput
from tests.routing.assignment_checks import (
    TOWN_HALL,
    WHOLE_MONDAY,
    make_problem,
    north_of,
    session,
    volunteer,
)
from tests.routing.test_assignment_random import random_problem

EXPERIENCED_POINTS = 400
LANGUAGE_POINTS = 400
FAR_POINT = north_of(TOWN_HALL, 2_000)


def two_sessions(second: SessionInput | None = None) -> list[SessionInput]:
    return [session(10), second or session(11)]


def mended(
    volunteers: list[VolunteerInput],
    sessions: list[SessionInput],
    placed: dict[int, int] | list[tuple[int, int]],
) -> tuple[set[tuple[int, int]], int, int]:
    """Run the pass from the placed (volunteer id, session id) pairs; return the pairs
    after it, and the scores before and after."""
    problem: AssignmentProblem = make_problem(volunteers, sessions)
    index = build_index(problem)
    volunteer_at = {v.id: k for k, v in enumerate(problem.volunteers)}
    session_at = {s.id: k for k, s in enumerate(problem.sessions)}
    pairs_before = list(placed.items()) if isinstance(placed, dict) else placed
    chosen = index.find(
        np.array([volunteer_at[v] for v, _ in pairs_before]),
        np.array([session_at[s] for _, s in pairs_before]),
    )
    assert (chosen >= 0).all()
    after = improve_soft_rules(index, lock_state(index), chosen, time.perf_counter() + 5.0)
    cand = index.candidates
    pairs = {
        (problem.volunteers[v].id, problem.sessions[s].id)
        for v, s in zip(cand.volunteer[after].tolist(), cand.session[after].tolist(), strict=True)
    }
    return pairs, score(index, chosen), score(index, after)


def test_swap_gives_each_team_an_experienced_member() -> None:
    volunteers = [
        volunteer(1, experienced=True),
        volunteer(2, experienced=True),
        volunteer(3),
        volunteer(4),
    ]

    pairs, before, after = mended(volunteers, two_sessions(), {1: 10, 2: 10, 3: 11, 4: 11})

    # Volunteer 1, first of the experienced, swaps with volunteer 3, first of the others.
    assert pairs == {(2, 10), (3, 10), (1, 11), (4, 11)}
    assert after - before == EXPERIENCED_POINTS


def test_free_experienced_volunteer_replaces_a_member() -> None:
    volunteers = [volunteer(1), volunteer(2), volunteer(3, experienced=True)]

    pairs, before, after = mended(volunteers, [session(10)], {1: 10, 2: 10})

    assert pairs == {(3, 10), (2, 10)}
    assert after - before == EXPERIENCED_POINTS


def test_swap_needs_both_to_be_eligible() -> None:
    # Volunteers 1 and 2 accept 1 km at most, and session 11 meets 2 km away.
    volunteers = [
        volunteer(1, experienced=True, max_distance_m=1_000),
        volunteer(2, experienced=True, max_distance_m=1_000),
        volunteer(3),
        volunteer(4),
    ]
    sessions = two_sessions(session(11, meeting_point=FAR_POINT))

    pairs, before, after = mended(volunteers, sessions, {1: 10, 2: 10, 3: 11, 4: 11})

    assert pairs == {(1, 10), (2, 10), (3, 11), (4, 11)}
    assert after == before


def test_locked_places_stay() -> None:
    volunteers = [
        volunteer(1, experienced=True, locks=(10,)),
        volunteer(2, experienced=True, locks=(10,)),
        volunteer(3),
        volunteer(4),
    ]

    pairs, before, after = mended(volunteers, two_sessions(), {1: 10, 2: 10, 3: 11, 4: 11})

    assert pairs == {(1, 10), (2, 10), (3, 11), (4, 11)}
    assert after == before


def test_no_swap_into_a_clash() -> None:
    # Volunteers 1 and 2 are locked on session 13, which overlaps session 11, so neither
    # can take a place on session 11 while they keep session 13.
    volunteers = [
        volunteer(1, experienced=True, slots=(WHOLE_MONDAY,), locks=(13,)),
        volunteer(2, experienced=True, slots=(WHOLE_MONDAY,), locks=(13,)),
        volunteer(3, slots=(WHOLE_MONDAY,)),
        volunteer(4, slots=(WHOLE_MONDAY,)),
    ]
    sessions = [
        session(10, start="09:00", end="10:00"),
        session(11, start="13:00", end="15:00"),
        session(13, start="14:00", end="16:00"),
    ]
    placed = [(1, 10), (2, 10), (1, 13), (2, 13), (3, 11), (4, 11)]

    pairs, before, after = mended(volunteers, sessions, placed)

    assert pairs == set(placed)
    assert after == before


def test_speaker_fills_language_gap() -> None:
    volunteers = [
        volunteer(1, experienced=True),
        volunteer(2),
        volunteer(3, languages=frozenset({"ar"})),
    ]
    sessions = [session(10, languages=frozenset({"ar"}))]

    pairs, before, after = mended(volunteers, sessions, {1: 10, 2: 10})

    assert pairs == {(1, 10), (3, 10)}
    assert after - before == LANGUAGE_POINTS


@pytest.mark.parametrize("seed", [3, 17, 29])
def test_random_plans_only_improve_and_stay_valid(seed: int) -> None:
    problem = random_problem(seed, volunteer_count=150, session_count=20)
    index = build_index(problem)
    locks = lock_state(index)
    first = repair(index, locks, np.arange(len(index.candidates), dtype=np.int64)).chosen

    after = improve_soft_rules(index, locks, first, time.perf_counter() + 5.0)

    cand = index.candidates
    assert score(index, after) >= score(index, first)
    before_counts = np.bincount(cand.session[first], minlength=index.session_count)
    after_counts = np.bincount(cand.session[after], minlength=index.session_count)
    assert (before_counts == after_counts).all()
    plan = PlanState(index, locks)
    for c in after.tolist():
        assert plan.fits(c)
        plan.add(c)
