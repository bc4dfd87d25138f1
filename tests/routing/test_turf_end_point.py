"""Walks that end at a stop of their own instead of coming back to the meeting point."""

import math

import pytest

from benchmarks.grids import street_grid
from routing.geo import GeoPoint
from routing.plan_check import check_plan
from routing.route_types import TurfProblem
from routing.streets import StreetGraph, build_street_graph
from routing.turf import plan_turf
from tests.routing.test_turf import at, door, high_street, problem

__all__ = ["high_street"]


def test_walk_ends_at_the_stop(high_street: StreetGraph) -> None:
    doors = (door(1, 100), door(2, 200), door(3, 300))

    plan = plan_turf(high_street, problem(doors, end_point=at(500, 0)))

    (route,) = plan.routes
    assert route.door_ids == (1, 2, 3)
    # 105 to the first door, 100 and 100 along the pavement, 5 + 200 to the stop.
    assert route.length_m == 510
    assert route.path[0] == at(0, 0)
    assert route.path[-1] == at(500, 0)
    check_plan(problem(doors, end_point=at(500, 0)), plan)


def test_walk_to_the_stop_counts_in_the_session(high_street: StreetGraph) -> None:
    doors = (door(1, 100),)

    back = plan_turf(high_street, problem(doors, max_minutes=10))
    far = plan_turf(high_street, problem(doors, max_minutes=10, end_point=at(1000, 0)))

    # Back to the meeting point: 210 m (3 min) + 1.5 min. To the stop: 105 + 905 m
    # (14.4 min) + 1.5 min, more than the session's 10 minutes.
    assert back.routes[0].door_ids == (1,)
    assert far.unvisited_door_ids == (1,)


def test_every_team_ends_at_the_stop(high_street: StreetGraph) -> None:
    doors = (door(1, 100), door(2, 200), door(3, -100), door(4, -200))
    stop = at(50, 0)
    turf = problem(doors, team_count=2, end_point=stop)

    plan = plan_turf(high_street, turf)

    assert sorted(d for route in plan.routes for d in route.door_ids) == [1, 2, 3, 4]
    assert {route.path[-1] for route in plan.routes if route.door_ids} == {stop}
    # East: 105 + 100 + (5 + 150) to the stop. West: 105 + 100 + (5 + 250).
    assert sorted(route.length_m for route in plan.routes) == [360, 460]
    check_plan(turf, plan)


def test_turf_with_a_far_stop_leaves_no_team_idle(high_street: StreetGraph) -> None:
    doors = (door(1, 100), door(2, 200))
    stop = at(-900, 0)
    turf = problem(doors, team_count=2, end_point=stop)

    plan = plan_turf(high_street, turf)
    shortest = plan_turf(
        high_street, problem(doors, team_count=2, end_point=stop, balance_cost_per_second=0)
    )

    # Each team walks to one door, then west to the stop: 105 + 1,005 and 205 + 1,105.
    # One team through both doors would walk 1,310 m and leave the other idle.
    assert sorted(route.door_ids for route in plan.routes) == [(1,), (2,)]
    assert sorted(route.length_m for route in plan.routes) == [1110, 1310]
    check_plan(turf, plan)
    # Without a balance cost the plan walks least: one team, the other left idle.
    assert sorted(route.door_ids for route in shortest.routes) == [(), (1, 2)]
    assert sorted(route.length_m for route in shortest.routes) == [0, 1310]


def test_stop_off_the_map_is_refused(high_street: StreetGraph) -> None:
    with pytest.raises(ValueError, match="end_point"):
        TurfProblem(at(0, 0), (door(1, 100),), 1, 60, end_point=GeoPoint(math.nan, 0.0))


def test_finish_is_the_meeting_point_without_a_stop() -> None:
    assert problem((door(1, 100),)).finish == at(0, 0)
    assert problem((door(1, 100),), end_point=at(9, 0)).finish == at(9, 0)


def test_large_turf_ends_at_stop() -> None:
    grid = street_grid(400, seed=7)
    graph = build_street_graph(grid.ways)
    stop = grid.doors[-1].point
    turf = TurfProblem(
        grid.meeting_point,
        grid.doors,
        team_count=8,
        max_minutes=150,
        time_limit_s=3.0,
        max_doors_per_route=60,
        solution_limit=50,
        end_point=stop,
    )

    plan = plan_turf(graph, turf)

    check_plan(turf, plan)
    assert {route.path[-1] for route in plan.routes if route.door_ids} == {stop}
    assert plan.unvisited_door_ids == ()
