"""The flow relaxation, its prices, the split into parts, the repair and the scoring."""

import numpy as np
import pytest

from routing.assignment_components import split_components
from routing.assignment_flow import FlowOptions, relaxed_bounds, solve_flow
from routing.assignment_index import PlanningIndex, build_index
from routing.assignment_locks import lock_state
from routing.assignment_objective import score, score_by_part, score_terms, total_points
from routing.assignment_repair import repair
from routing.assignment_types import AssignmentProblem, WeeklySlot
from tests.routing.assignment_checks import (
    NORTH_1000,
    PLAIN,
    TOWN_HALL,
    eligible_pairs,
    make_problem,
    north_of,
    session,
    volunteer,
)
from tests.routing.test_assignment_random import random_problem

DAY = (WeeklySlot(weekday=0, start_minute=8 * 60, end_minute=20 * 60),)


def parts_of(problem: AssignmentProblem) -> tuple[PlanningIndex, object, object]:
    index = build_index(problem)
    return index, lock_state(index), split_components(index)


def pairs_of(index: PlanningIndex, chosen: np.ndarray) -> set[tuple[int, int]]:
    volunteers, sessions = index.problem.volunteers, index.problem.sessions
    return {
        (volunteers[v].id, sessions[s].id)
        for v, s in zip(
            index.candidates.volunteer[chosen].tolist(),
            index.candidates.session[chosen].tolist(),
            strict=True,
        )
    }


def test_flow_bound_on_a_hand_checked_case() -> None:
    # Three volunteers, one session: the flow places all three, 1,500 points each (team
    # 2,000 plus score 50 x 20, over 2), the third volunteer 10 points of travel less,
    # plus the opening bonus of 500.
    problem = make_problem([volunteer(1), volunteer(2), volunteer(3, metres=1000.0)], [session(10)])
    index, locks, parts = parts_of(problem)

    flow = solve_flow(index, locks, parts)

    assert flow.is_solved
    assert pairs_of(index, flow.chosen) == {(1, 10), (2, 10), (3, 10)}
    assert flow.bound == 3 * 1500 - 10 + 500
    assert relaxed_bounds(index, flow.chosen, parts).tolist() == [flow.bound]


def test_flow_keeps_one_session_per_clash_group_and_the_fairness_cost() -> None:
    sessions = [
        session(10, start="10:00", end="12:00"),
        session(11, start="11:00", end="13:00"),
        session(12, start="16:00", end="18:00"),
    ]
    problem = make_problem([volunteer(1, slots=DAY)], sessions, weights=PLAIN)
    index, locks, parts = parts_of(problem)

    flow = solve_flow(index, locks, parts)

    # Sessions 10 and 11 clash; 12 does not, and no fairness cost is set.
    placed = pairs_of(index, flow.chosen)
    assert len(placed) == 2 and (1, 12) in placed


def test_forced_opening_concentrates_volunteers() -> None:
    far = north_of(TOWN_HALL, 2000.0)
    sessions = [
        session(10, min_volunteers=4, max_volunteers=4, weight=90.0),
        session(11, min_volunteers=2, max_volunteers=2, meeting_point=far, weight=0.0),
    ]
    volunteers = [volunteer(i, metres=300.0 * i) for i in range(1, 5)]
    index, locks, parts = parts_of(make_problem(volunteers, sessions))
    forced = np.array([True, False])

    flow = solve_flow(index, locks, parts, FlowOptions(force_opening=forced))

    assert pairs_of(index, flow.chosen) == {(i, 10) for i in range(1, 5)}


def test_parts_share_nothing() -> None:
    volunteers = [
        volunteer(1),
        volunteer(2),
        volunteer(3, metres=20_000.0),
        volunteer(4, metres=20_000.0, partner_id=5),
        volunteer(5, metres=40_000.0),
    ]
    sessions = [session(10), session(11, meeting_point=north_of(TOWN_HALL, 20_000.0))]
    index, _, parts = parts_of(make_problem(volunteers, sessions))

    assert parts.count == 2
    assert {tuple(sorted(pairs_of(index, parts.candidates(p)))) for p in range(2)} == {
        ((1, 10), (2, 10)),
        ((3, 11), (4, 11)),
    }


@pytest.mark.parametrize("seed", range(4))
def test_repair_gives_valid_plans_and_part_scores_add_up(seed: int) -> None:
    problem = random_problem(seed + 10, volunteer_count=80, session_count=10)
    index, locks, parts = parts_of(problem)
    flow = solve_flow(index, locks, parts)

    outcome = repair(index, locks, flow.chosen)

    chosen = pairs_of(index, outcome.chosen)
    assert chosen <= eligible_pairs(problem)
    counts: dict[int, int] = {}
    for _, sid in chosen:
        counts[sid] = counts.get(sid, 0) + 1
    sessions = {s.id: s for s in problem.sessions}
    for sid, count in counts.items():
        assert (
            count % 2 == 0 and sessions[sid].min_volunteers <= count <= sessions[sid].max_volunteers
        )
    by_part = score_by_part(index, outcome.chosen, parts.of_candidate, parts.count)
    assert int(by_part.sum()) == score(index, outcome.chosen)
    assert total_points(score_terms(index, outcome.chosen)) == score(index, outcome.chosen)


def test_repair_moves_a_remainder_to_complete_a_team() -> None:
    # Three volunteers on session 10 (at most 3), volunteer 4 alone on session 11: moving
    # volunteer 3, who lives at session 11, makes two whole teams.
    volunteers = [
        volunteer(1),
        volunteer(2),
        volunteer(3, metres=1000.0),
        volunteer(4, metres=1000.0, slots=(WeeklySlot(0, 9 * 60, 13 * 60),)),
    ]
    sessions = [
        session(10, weight=90.0, max_volunteers=3),
        session(11, meeting_point=NORTH_1000, weight=0.0),
    ]
    index, locks, _ = parts_of(make_problem(volunteers, sessions))
    flow_like = index.find(np.array([0, 1, 2, 3]), np.array([0, 0, 0, 1]))

    outcome = repair(index, locks, np.sort(flow_like))

    assert pairs_of(index, outcome.chosen) == {(1, 10), (2, 10), (3, 11), (4, 11)}
