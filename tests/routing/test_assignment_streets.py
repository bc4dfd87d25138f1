"""Walking-time limits checked along the streets of the river town.

The town is the one of tests/routing/test_street_reach.py: one meeting point at (0, 0)
on the south street, a north quay 400 m away across a river, one bridge at x = 350 m.
A 10-minute walk is 700 m along the streets; the straight-line estimate allows
700 / 1.3 = 538 m.
"""

from dataclasses import replace

import numpy as np
import pytest

from routing.assignment import assign_volunteers
from routing.assignment_index import build_index
from routing.assignment_types import (
    AssignmentProblem,
    LeftOutReason,
    TravelMode,
    VolunteerInput,
)
from routing.geo import GeoPoint
from routing.street_reach import build_walking_table
from routing.streets import StreetGraph, build_street_graph
from routing.walking_table import WalkingTable
from tests.routing.assignment_checks import (
    make_problem,
    pairs,
    reasons,
    session,
    solve,
    volunteer,
)
from tests.routing.test_street_reach import (
    BRIDGE_HOME,
    EAST_HOME,
    FIELD_HOME,
    MEETING,
    NORTH_HOME,
    river_ways,
)
from tests.routing.test_streets import at


@pytest.fixture(scope="module")
def river() -> StreetGraph:
    return build_street_graph(river_ways())


def living_at(vid: int, home: GeoPoint, **limits: object) -> VolunteerInput:
    return replace(volunteer(vid, **limits), home=home)  # type: ignore[arg-type]


def on_streets(graph: StreetGraph, volunteers: list[VolunteerInput]) -> AssignmentProblem:
    sessions = [session(10, meeting_point=MEETING)]
    table = build_walking_table(graph, volunteers, sessions)
    return make_problem(volunteers, sessions, walking_table=table)


def candidate_metres(problem: AssignmentProblem) -> dict[int, int]:
    """Return the candidate distance of each volunteer to the only session, by id."""
    candidates = build_index(problem).candidates
    return {
        problem.volunteers[int(v)].id: int(d)
        for v, d in zip(candidates.volunteer, candidates.distance_m, strict=True)
    }


def test_river_refuses_the_north_home(river: StreetGraph) -> None:
    walker = [living_at(1, NORTH_HOME, max_travel_minutes=10)]

    # As the crow flies, 400 m fits in the 538 m estimate.
    assert candidate_metres(make_problem(walker, [session(10, meeting_point=MEETING)])) == {1: 400}
    assert candidate_metres(on_streets(river, walker)) == {}


def test_walk_within_time_counts_street_metres(river: StreetGraph) -> None:
    walkers = [
        living_at(1, BRIDGE_HOME, max_travel_minutes=10),  # 421 m straight, 570 m walked
        living_at(2, EAST_HOME, max_travel_minutes=10),  # 650 m both ways, beyond 538 m
    ]

    assert candidate_metres(on_streets(river, walkers)) == {1: 570, 2: 650}
    assert candidate_metres(make_problem(walkers, [session(10, meeting_point=MEETING)])) == {1: 421}


def test_home_off_streets_uses_estimate(river: StreetGraph) -> None:
    walkers = [
        living_at(1, FIELD_HOME, max_travel_minutes=10),  # 520 m straight, off the streets
        living_at(2, at(-560, 0), max_travel_minutes=10),  # 560 m straight: beyond 538 m
    ]
    problem = on_streets(river, walkers)

    assert problem.walking_table is not None
    assert np.isnan(problem.walking_table.metres).all()
    assert candidate_metres(problem) == {1: 520}


def test_distance_limit_stays_straight(river: StreetGraph) -> None:
    volunteers = [
        living_at(1, NORTH_HOME, max_travel_minutes=10),  # makes the table
        living_at(2, NORTH_HOME, max_distance_m=500),
        living_at(3, NORTH_HOME, max_distance_m=399),
        living_at(4, NORTH_HOME, max_travel_minutes=10, travel_mode=TravelMode.TRANSIT),
        living_at(5, NORTH_HOME),  # the problem's 3,000 m
    ]

    assert candidate_metres(on_streets(river, volunteers)) == {2: 400, 4: 400, 5: 400}


def test_distance_limit_still_applies_to_walkers(river: StreetGraph) -> None:
    volunteers = [
        # 650 m walked fits 10 minutes, but the home is 650 m away, beyond 600 m.
        living_at(1, EAST_HOME, max_travel_minutes=10, max_distance_m=600),
        living_at(2, EAST_HOME, max_travel_minutes=10, max_distance_m=650),
        living_at(3, BRIDGE_HOME, max_travel_minutes=10, max_distance_m=450),
    ]

    assert candidate_metres(on_streets(river, volunteers)) == {2: 650, 3: 570}


def test_reasons_name_the_travel_time(river: StreetGraph) -> None:
    volunteers = [
        living_at(1, BRIDGE_HOME, max_travel_minutes=10),
        living_at(2, EAST_HOME, max_travel_minutes=10),
        living_at(3, NORTH_HOME, max_travel_minutes=10),
        # The distance limit is the shorter radius, but the streets refused the pair.
        living_at(4, NORTH_HOME, max_travel_minutes=10, max_distance_m=500),
        living_at(5, EAST_HOME, max_travel_minutes=10, max_distance_m=600),
        living_at(6, at(-560, 0), max_travel_minutes=10),
    ]
    sessions = [session(10, meeting_point=MEETING)]
    plan = solve(
        volunteers, sessions, walking_table=build_walking_table(river, volunteers, sessions)
    )

    assert pairs(plan) == {(1, 10), (2, 10)}
    assert reasons(plan) == {
        3: LeftOutReason.TRAVEL_TOO_LONG,
        4: LeftOutReason.TRAVEL_TOO_LONG,
        5: LeftOutReason.TOO_FAR,
        6: LeftOutReason.TRAVEL_TOO_LONG,
    }


def test_objective_counts_street_metres(river: StreetGraph) -> None:
    volunteers = [
        living_at(1, BRIDGE_HOME, max_travel_minutes=10),
        living_at(2, EAST_HOME, max_travel_minutes=10),
    ]
    plan = assign_volunteers(on_streets(river, volunteers))

    travel = next(t for t in plan.terms if t.name.value == "travel")
    assert travel.amount == 570 + 650


def test_lock_beyond_the_walk_counts_street_metres(river: StreetGraph) -> None:
    volunteers = [
        living_at(1, BRIDGE_HOME, max_travel_minutes=10),
        living_at(2, NORTH_HOME, max_travel_minutes=10, locks=(10,)),
    ]
    problem = on_streets(river, volunteers)

    assert candidate_metres(problem) == {1: 570, 2: 1100}
    assert pairs(
        solve(volunteers, list(problem.sessions), walking_table=problem.walking_table)
    ) == {
        (1, 10),
        (2, 10),
    }


def test_table_shape_must_match() -> None:
    with pytest.raises(ValueError, match=r"walking_table must have shape \(1, 1\)"):
        AssignmentProblem(
            volunteers=(volunteer(1),),
            sessions=(session(10),),
            walking_table=WalkingTable(np.zeros((2, 1), dtype=np.float32)),
        )


def test_table_rejects_negative_metres() -> None:
    with pytest.raises(ValueError, match="negative"):
        WalkingTable(np.full((1, 1), -1.0, dtype=np.float32))
