"""Walks keep a street's doors together when a change of street costs a little."""

import math

import numpy as np

from routing.geo import EARTH_RADIUS_M, GeoPoint
from routing.route_types import Door, TurfProblem
from routing.street_changes import street_change_penalties
from routing.streets import StreetWay, build_street_graph
from routing.turf import plan_turf

DEG_PER_M = 180.0 / (math.pi * EARTH_RADIUS_M)


def at(x_m: float, y_m: float) -> GeoPoint:
    """Return the point x metres east and y metres north of (0, 0), on the equator."""
    return GeoPoint(x_m * DEG_PER_M, y_m * DEG_PER_M)


def test_penalty_between_named_streets_only() -> None:
    penalties = street_change_penalties([None, "Rue A", "Rue B", "Rue A", None], 20)

    assert penalties.tolist() == [
        [0, 0, 0, 0, 0],
        [0, 0, 20, 0, 0],
        [0, 20, 0, 20, 0],
        [0, 0, 20, 0, 0],
        [0, 0, 0, 0, 0],
    ]
    assert penalties.dtype == np.int64


def test_walk_keeps_each_street_together() -> None:
    # Three corner buildings stand 50 m apart along one street. Each has a door on Rue A
    # and one on Rue B at the same point, and the meeting point is 100 m west of the
    # first. Out and back, the walk is 2 x 205 m in any order, so the price decides the
    # order: one street's doors on the way out, the other's on the way back.
    graph = build_street_graph(
        [StreetWay("w1", "Rue A", "residential", ((at(-150, 0).lon, 0.0), (at(150, 0).lon, 0.0)))]
    )
    doors = tuple(
        Door(10 * k + side, at(50 * k, 5), street, str(k), 1)
        for k in range(3)
        for side, street in ((1, "Rue A"), (2, "Rue B"))
    )
    problem = TurfProblem(
        at(-100, 0),
        doors,
        team_count=1,
        max_minutes=60,
        time_limit_s=2.0,
        solution_limit=50,
        street_change_m=20,
    )

    (route,) = plan_turf(graph, problem).routes

    streets = [next(d.street for d in doors if d.address_id == i) for i in route.door_ids]
    changes = sum(1 for a, b in zip(streets, streets[1:], strict=False) if a != b)
    assert changes == 1
    assert len(route.door_ids) == 6
    assert route.length_m == 410
