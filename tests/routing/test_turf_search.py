"""Sector search through street stops: every door once, limits kept, doors filled in."""

import math

import numpy as np
import pytest

from routing import turf_search
from routing.geo import EARTH_RADIUS_M, GeoPoint
from routing.plan_check import check_plan
from routing.route_types import Door, TurfPlan, TurfProblem
from routing.status import SolveStatus
from routing.streets import StreetGraph, StreetWay, build_street_graph
from routing.turf import plan_turf
from routing.turf_search import trim_to_capacity

DEG_PER_M = 180.0 / (math.pi * EARTH_RADIUS_M)


def at(x_m: float, y_m: float) -> GeoPoint:
    """Return the point x metres east and y metres north of (0, 0), on the equator."""
    return GeoPoint(x_m * DEG_PER_M, y_m * DEG_PER_M)


@pytest.fixture(autouse=True)
def stops_from_ten_doors(monkeypatch: pytest.MonkeyPatch) -> None:
    """Send these small turfs through the street-stop phases."""
    monkeypatch.setattr(turf_search, "STREET_STOPS_MIN_DOORS", 10)


def block_grid() -> StreetGraph:
    """Four streets each way, 100 m apart, all residential."""
    ways = []
    for line in range(4):
        east = tuple((at(x, 100 * line).lon, at(x, 100 * line).lat) for x in (0, 100, 200, 300))
        north = tuple((at(100 * line, y).lon, at(100 * line, y).lat) for y in (0, 100, 200, 300))
        ways.append(StreetWay(f"h{line}", f"Rue H{line}", "residential", east))
        ways.append(StreetWay(f"v{line}", f"Rue V{line}", "residential", north))
    return build_street_graph(ways)


def grid_doors() -> tuple[Door, ...]:
    """Houses every 20 m on both sides of the four east-west streets; every 7th is flats."""
    doors: list[Door] = []
    for line in range(4):
        for x in range(10, 300, 20):
            for side in (-8, 8):
                number = len(doors) + 1
                dwellings = 3 if number % 7 == 0 else 1
                point = at(x, 100 * line + side)
                doors.append(Door(number, point, f"Rue H{line}", str(number), dwellings))
    return tuple(doors)


def grid_problem(**changes: object) -> TurfProblem:
    settings: dict[str, object] = {
        "team_count": 4,
        "max_minutes": 90,
        "max_doors_per_route": 40,
        "balance_cost_per_second": 0,
        "time_limit_s": 20.0,
        "solution_limit": 40,
    }
    settings.update(changes)
    return TurfProblem(at(100, 100), grid_doors(), **settings)  # type: ignore[arg-type]


def total_length(plan: TurfPlan) -> int:
    return sum(route.length_m for route in plan.routes)


def test_stop_search_routes_every_door_once() -> None:
    problem = grid_problem()
    plan = plan_turf(block_grid(), problem)
    check_plan(problem, plan)
    assert plan.status is SolveStatus.FEASIBLE
    assert plan.unvisited_door_ids == ()
    routed = sorted(door_id for route in plan.routes for door_id in route.door_ids)
    assert routed == list(range(1, 121))
    assert all(len(route.door_ids) <= 40 for route in plan.routes)
    assert all(route.total_minutes <= 90 for route in plan.routes)


# Regression values: every phase stops after a fixed number of improving solutions, so
# these lengths do not depend on the machine's speed. A change of model or search
# settings that moves them must be checked against benchmarks/routes_peers.py.
@pytest.mark.parametrize(
    ("changes", "expected_m", "expected_unvisited"),
    [
        ({}, 3232, 0),
        ({"team_count": 2, "max_minutes": 45}, 1176, 82),
    ],
)
def test_stop_search_keeps_its_recorded_length(
    changes: dict[str, object], expected_m: int, expected_unvisited: int
) -> None:
    problem = grid_problem(**changes)
    plan = plan_turf(block_grid(), problem)
    check_plan(problem, plan)
    assert (total_length(plan), len(plan.unvisited_door_ids)) == (expected_m, expected_unvisited)


def test_door_model_fills_a_walk_after_stops(monkeypatch: pytest.MonkeyPatch) -> None:
    # One stop of three doors 100 m apart does not fit in 5 minutes, but its first door
    # does: 210 m (3 min) and 1.5 min at the door.
    coords = ((at(-1000, 0).lon, 0.0), (at(1000, 0).lon, 0.0))
    graph = build_street_graph([StreetWay("w1", "Grande Rue", "residential", coords)])
    doors = tuple(Door(k, at(100 * k, 5), "Grande Rue", str(k)) for k in (1, 2, 3))
    problem = TurfProblem(at(0, 0), doors, 1, 5, time_limit_s=0.3)
    monkeypatch.setattr(turf_search, "STREET_STOPS_MIN_DOORS", 3)
    plan = plan_turf(graph, problem)
    check_plan(problem, plan)
    assert plan.routes[0].door_ids == (1,)
    assert plan.unvisited_door_ids == (2, 3)


def test_trim_drops_last_doors_until_the_walk_fits() -> None:
    # Steps of 10 s between any two nodes, 5 s at every door.
    seconds = np.full((4, 4), 10, dtype=np.int64)
    seconds[1:, :] += 5
    np.fill_diagonal(seconds, 0)
    # Through doors 1, 2 and 3: 10 + 15 + 15 + 15 s.
    assert trim_to_capacity(seconds, (1, 2, 3), 55) == (1, 2, 3)
    assert trim_to_capacity(seconds, (1, 2, 3), 54) == (1, 2)
    assert trim_to_capacity(seconds, (1, 2, 3), 25) == (1,)
    assert trim_to_capacity(seconds, (1, 2, 3), 24) == ()
