"""Turf cutting on the real streets and addresses of Bondy."""

from itertools import pairwise

import numpy as np
import pytest

from routing.geo import GeoPoint, haversine_m
from routing.route_types import Door, TurfPlan, TurfProblem
from routing.status import SolveStatus
from routing.streets import walking_distance_matrix
from routing.turf import plan_turf, walk_list
from tests.routing.test_streets_bondy import ban_point, ban_rows, bondy_graph

# Place de la Division Leclerc area, in the centre of the commune.
MEETING_POINT = GeoPoint(2.4835, 48.9035)


def doors_near(point: GeoPoint, count: int) -> tuple[Door, ...]:
    """Return the ``count`` BAN addresses nearest to a point; every 25th has 3 dwellings."""
    rows = sorted(ban_rows(), key=lambda row: haversine_m(point, ban_point(row)))[:count]
    return tuple(
        Door(
            address_id=i + 1,
            point=ban_point(row),
            street=row["nom_voie"],
            number=row["numero"] + row["rep"],
            dwellings=3 if i % 25 == 0 else 1,
        )
        for i, row in enumerate(rows)
    )


def check_plan(plan: TurfPlan, problem: TurfProblem) -> None:
    """Check the plan against the problem, recomputing each route's time from scratch."""
    assert plan.status is SolveStatus.FEASIBLE
    assert len(plan.routes) == problem.team_count
    visited = [door_id for route in plan.routes for door_id in route.door_ids]
    assert len(visited) == len(set(visited))
    all_ids = {door.address_id for door in problem.doors}
    assert set(visited) | set(plan.unvisited_door_ids) == all_ids
    assert not set(visited) & set(plan.unvisited_door_ids)

    index = {door.address_id: i + 1 for i, door in enumerate(problem.doors)}
    points = [problem.meeting_point, *(door.point for door in problem.doors)]
    matrix = walking_distance_matrix(bondy_graph(), points)
    for route in plan.routes:
        if not route.door_ids:
            continue
        stops = [0, *(index[door_id] for door_id in route.door_ids), 0]
        length_m = sum(int(matrix[a, b]) for a, b in pairwise(stops))
        dwellings = sum(problem.doors[stop - 1].dwellings for stop in stops[1:-1])
        walking = length_m / problem.walking_speed_m_per_min
        total = walking + dwellings * problem.minutes_per_dwelling
        assert route.length_m == length_m
        assert route.total_minutes == pytest.approx(total)
        assert total <= problem.max_minutes + 1e-9
        assert route.path[0] == problem.meeting_point
        assert route.path[-1] == problem.meeting_point


def test_three_teams_share_150_doors_in_two_hours() -> None:
    doors = doors_near(MEETING_POINT, 150)
    problem = TurfProblem(MEETING_POINT, doors, team_count=3, max_minutes=120, time_limit_s=2.0)
    plan = plan_turf(bondy_graph(), problem)
    check_plan(plan, problem)
    assert all(route.door_ids for route in plan.routes)
    # 162 households take 243 of the 360 team-minutes at the doors: all fit.
    assert plan.unvisited_door_ids == ()
    stretches = walk_list(plan.routes[0], doors)
    assert sum(len(stretch.numbers) for stretch in stretches) == len(plan.routes[0].door_ids)


def test_more_doors_than_time_leaves_doors_unvisited() -> None:
    doors = doors_near(MEETING_POINT, 300)
    problem = TurfProblem(MEETING_POINT, doors, team_count=2, max_minutes=45, time_limit_s=1.5)
    plan = plan_turf(bondy_graph(), problem)
    check_plan(plan, problem)
    assert len(plan.unvisited_door_ids) > 200
    minutes = np.array([route.total_minutes for route in plan.routes])
    # Both teams work most of the session: dropping doors is the last resort.
    assert np.all(minutes > 35)
