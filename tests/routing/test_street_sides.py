"""Walks knock each side of a street in one pass, unless two passes are shorter."""

import math
from collections.abc import Sequence

import pytest

from routing import tour, turf_search
from routing.geo import EARTH_RADIUS_M, GeoPoint
from routing.plan_check import check_plan
from routing.route_types import Door, TurfProblem
from routing.streets import StreetGraph, StreetWay, build_street_graph, snapped_distance_matrix
from routing.turf import plan_turf

DEG_PER_M = 180.0 / (math.pi * EARTH_RADIUS_M)
MEETING_POINT_XY = (-8.0, 8.0)
FLATS_XY = (308.0, 55.0)
FLAT_DOORS = 10
HOUSE_X = range(10, 290, 12)


def at(x_m: float, y_m: float) -> GeoPoint:
    """Return the point x metres east and y metres north of (0, 0), on the equator."""
    return GeoPoint(x_m * DEG_PER_M, y_m * DEG_PER_M)


@pytest.fixture(scope="module")
def dead_end() -> StreetGraph:
    """Rue A runs 300 m east from Rue B and turns into a 60 m cul-de-sac, Allée C."""
    ways = [
        ("b", "Rue B", ((0, -100), (0, 0), (0, 100))),
        ("a", "Rue A", ((0, 0), (300, 0))),
        ("c", "Allée C", ((300, 0), (300, 60))),
    ]
    return build_street_graph(
        [
            StreetWay(way_id, name, "residential", tuple(_lonlat(x, y) for x, y in xy))
            for way_id, name, xy in ways
        ]
    )


def _lonlat(x_m: float, y_m: float) -> tuple[float, float]:
    point = at(x_m, y_m)
    return (point.lon, point.lat)


def street_doors(*, both_sides: bool) -> tuple[Door, ...]:
    """Return the houses along Rue A, 8 m from its centre line, then flats at Allée C's end.

    Even numbers are on the north side, odd numbers on the south side. Every walk has
    to go out along Rue A to the flats and back.
    """
    doors: list[Door] = []
    for k, x in enumerate(HOUSE_X):
        doors.append(Door(len(doors) + 1, at(x, 8), "Rue A", str(2 * k + 2)))
        if both_sides:
            doors.append(Door(len(doors) + 1, at(x + 6, -8), "Rue A", str(2 * k + 1)))
    for k in range(FLAT_DOORS):
        doors.append(Door(len(doors) + 1, at(*FLATS_XY), "Allée C", str(k + 1)))
    return tuple(doors)


def side_passes(walk: Sequence[Door]) -> dict[int, list[list[int]]]:
    """Return the house numbers of each side of Rue A (0 even, 1 odd) knocked in each pass.

    A pass is a run of consecutive doors of Rue A in the walk, both sides together, so
    crossing back and forth between the sides stays one pass.
    """
    by_pass: dict[int, dict[int, list[int]]] = {}
    current_pass = 0
    previous_street = ""
    for door in walk:
        if door.street == "Rue A":
            if previous_street != "Rue A":
                current_pass += 1
            number = int(door.number)
            by_pass.setdefault(number % 2, {}).setdefault(current_pass, []).append(number)
        previous_street = door.street
    return {side: list(runs.values()) for side, runs in by_pass.items()}


def planned_walk(graph: StreetGraph, doors: tuple[Door, ...], planner: str) -> list[Door]:
    """Return the doors in the order one team's turf plan or a single walk knocks them."""
    meeting_point = at(*MEETING_POINT_XY)
    if planner == "turf":
        problem = TurfProblem(
            meeting_point,
            doors,
            team_count=1,
            max_minutes=240,
            time_limit_s=10.0,
            solution_limit=50,
        )
        plan = plan_turf(graph, problem)
        check_plan(problem, plan)
        by_id = {door.address_id: door for door in doors}
        return [by_id[door_id] for door_id in plan.routes[0].door_ids]
    snaps = graph.snap([meeting_point, *(door.point for door in doors)])
    distance_m = snapped_distance_matrix(graph, snaps)
    walk = tour.order_walk(graph, snaps, distance_m, time_limit_s=10.0, solution_limit=50)
    return [doors[node - 1] for node in walk]


@pytest.mark.parametrize("both_sides", [False, True])
@pytest.mark.parametrize("stops_min_doors", [1000, 10], ids=["door-by-door", "street-stops"])
@pytest.mark.parametrize("planner", ["turf", "tour"])
def test_each_side_knocked_in_one_pass(
    dead_end: StreetGraph,
    planner: str,
    stops_min_doors: int,
    both_sides: bool,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(turf_search, "STREET_STOPS_MIN_DOORS", stops_min_doors)
    monkeypatch.setattr(tour, "STREET_STOPS_MIN_DOORS", stops_min_doors)
    doors = street_doors(both_sides=both_sides)
    walk = planned_walk(dead_end, doors, planner)

    assert sorted(door.address_id for door in walk) == list(range(1, len(doors) + 1))
    passes = side_passes(walk)
    assert sorted(passes) == ([0, 1] if both_sides else [0])
    for side, runs in passes.items():
        assert len(runs) == 1, f"side {side} knocked in {len(runs)} passes: {runs}"
        numbers = runs[0]
        assert numbers in (sorted(numbers), sorted(numbers, reverse=True)), numbers


def test_setback_rows_make_two_passes_shorter(dead_end: StreetGraph) -> None:
    # Every third house of the north side is 4 m from the centre line, the others 14 m.
    # The pavement rule walks straight between two doors of one side, so going out along
    # the near row and back along the far row saves the steps between rows.
    houses = [at(x, 4 if k % 3 == 0 else 14) for k, x in enumerate(HOUSE_X)]
    points = [at(*MEETING_POINT_XY), *houses, at(*FLATS_XY)]
    distance_m = snapped_distance_matrix(dead_end, dead_end.snap(points))
    flats = len(points) - 1
    near = [k + 1 for k in range(len(houses)) if k % 3 == 0]
    far = [k + 1 for k in range(len(houses)) if k % 3 != 0]

    def length(walk: list[int]) -> int:
        stops = [0, *walk, 0]
        return sum(int(distance_m[a, b]) for a, b in zip(stops, stops[1:], strict=False))

    one_pass = length([*range(1, len(houses) + 1), flats])
    two_passes = length([*near, flats, *far[::-1]])
    assert (one_pass, two_passes) == (836, 794)
