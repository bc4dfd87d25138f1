"""Single walks through every door, door by door and through street stops."""

import math

import pytest

from routing import tour
from routing.geo import EARTH_RADIUS_M, GeoPoint
from routing.streets import StreetGraph, StreetWay, build_street_graph, snapped_distance_matrix

DEG_PER_M = 180.0 / (math.pi * EARTH_RADIUS_M)


def at(x_m: float, y_m: float) -> GeoPoint:
    return GeoPoint(x_m * DEG_PER_M, y_m * DEG_PER_M)


@pytest.fixture(scope="module")
def ladder() -> StreetGraph:
    """Two parallel 300 m streets 100 m apart, joined at both ends and in the middle."""
    ways = [
        ("sud", ((0, 0), (150, 0), (300, 0))),
        ("nord", ((0, 100), (150, 100), (300, 100))),
        ("ouest", ((0, 0), (0, 100))),
        ("milieu", ((150, 0), (150, 100))),
        ("est", ((300, 0), (300, 100))),
    ]
    return build_street_graph(
        [
            StreetWay(name, name, "residential", tuple((at(x, y).lon, at(x, y).lat) for x, y in xy))
            for name, xy in ways
        ]
    )


def houses() -> list[GeoPoint]:
    """Houses every 25 m along the inner side of both long streets."""
    return [at(x, 8) for x in range(15, 300, 25)] + [at(x, 92) for x in range(15, 300, 25)]


def walk_length(distance_m: object, walk: tuple[int, ...]) -> int:
    stops = [0, *walk, 0]
    return sum(int(distance_m[a, b]) for a, b in zip(stops, stops[1:], strict=False))  # type: ignore[index]


@pytest.mark.parametrize("min_doors", [1000, 1])
def test_order_walk_goes_round_the_block(
    ladder: StreetGraph, min_doors: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(tour, "STREET_STOPS_MIN_DOORS", min_doors)
    snaps = ladder.snap([at(0, 0), *houses()])
    distance_m = snapped_distance_matrix(ladder, snaps)
    walk = tour.order_walk(ladder, snaps, distance_m, time_limit_s=1.0, solution_limit=100)
    assert sorted(walk) == list(range(1, 25))
    # Round the block: 23 m to the first house, 275 m along the south side, 136 m
    # round the east end (8 + 10 + 100 + 10 + 8), 275 m back along the north side, and
    # 123 m home (8 + 15 + 100).
    assert walk_length(distance_m, walk) == 23 + 275 + 136 + 275 + 123


def test_order_walk_of_no_doors_is_empty(ladder: StreetGraph) -> None:
    snaps = ladder.snap([at(0, 0)])
    assert (
        tour.order_walk(ladder, snaps, snapped_distance_matrix(ladder, snaps), time_limit_s=1) == ()
    )


def test_polish_walk_mends_a_zigzag(ladder: StreetGraph) -> None:
    snaps = ladder.snap([at(0, 0), *houses()])
    distance_m = snapped_distance_matrix(ladder, snaps)
    # Alternate between the two streets: every step crosses the block.
    zigzag = tuple(node for pair in zip(range(1, 13), range(13, 25), strict=True) for node in pair)
    polished = tour.polish_walk(distance_m, zigzag, time_limit_s=1.0, solution_limit=100)
    assert sorted(polished) == list(range(1, 25))
    assert walk_length(distance_m, polished) == 23 + 275 + 136 + 275 + 123
    assert walk_length(distance_m, polished) < walk_length(distance_m, zigzag)


def test_polish_walk_keeps_short_walks(ladder: StreetGraph) -> None:
    snaps = ladder.snap([at(0, 0), *houses()])
    distance_m = snapped_distance_matrix(ladder, snaps)
    assert tour.polish_walk(distance_m, (), time_limit_s=1.0, solution_limit=None) == ()
    assert tour.polish_walk(distance_m, (5, 2), time_limit_s=1.0, solution_limit=None) == (5, 2)
