"""Walking distances and paths through street chains, on small hand-made networks."""

import numpy as np
import pytest

from routing import street_walks as walks_module
from routing.geo import GeoPoint
from routing.streets import (
    UNREACHABLE_M,
    StreetGraph,
    build_street_graph,
    snapped_distance_matrix,
    street_walks,
    street_walks_from,
)
from tests.routing.test_street_chains import lollipop, lollipop_ways
from tests.routing.test_streets import at, block_ways, way
from tests.routing.test_streets_bondy import ban_point, ban_rows, bondy_graph


def assert_path(path: tuple[GeoPoint, ...], expected: list[GeoPoint]) -> None:
    """Check a polyline point by point, within the 1 cm rounding of graph vertices."""
    assert len(path) == len(expected), path
    for got, want in zip(path, expected, strict=True):
        assert got.lon == pytest.approx(want.lon, abs=2e-7)
        assert got.lat == pytest.approx(want.lat, abs=2e-7)


@pytest.fixture(scope="module")
def loop_street() -> StreetGraph:
    return lollipop()


def test_walk_from_dead_end_into_the_loop(loop_street: StreetGraph) -> None:
    # 5 off Rue A, 70 to the crossing past the bend, 100 east, 50 north, 30 along the
    # loop, 5 off.
    start, end = at(30, -5), at(230, 55)
    walks = street_walks(loop_street, loop_street.snap([start, end]))
    assert walks.distance_m.tolist() == [[0, 260], [260, 0]]
    expected = [
        start,
        at(30, 0),
        at(50, 0),
        at(100, 0),
        at(200, 0),
        at(200, 50),
        at(230, 50),
        end,
    ]
    outward, inward = walks.paths([(0, 1), (1, 0)])
    assert_path(outward, expected)
    assert_path(inward, expected[::-1])


def test_loop_walks_round_through_its_junction(loop_street: StreetGraph) -> None:
    # Both points are on the loop, 40 m and 10 m either side of where it starts: round
    # through that junction (40 + 10) beats the 150 m along the chain.
    first, second = at(240, 45), at(205, 60)
    walks = street_walks(loop_street, loop_street.snap([first, second]))
    assert walks.distance_m[0, 1] == 5 + 40 + 10 + 5
    expected = [first, at(240, 50), at(200, 50), at(200, 60), second]
    assert_path(walks.paths([(0, 1)])[0], expected)


def test_points_of_one_chain_walk_along_it(loop_street: StreetGraph) -> None:
    # Both sides of Rue A, on either side of its bend: 20 + 30 along it, 5 off each.
    first, second = at(30, -5), at(80, 5)
    walks = street_walks(loop_street, loop_street.snap([first, second]))
    assert walks.distance_m[0, 1] == 60
    expected = [first, at(30, 0), at(50, 0), at(80, 0), second]
    assert_path(walks.paths([(0, 1)])[0], expected)
    assert_path(walks.paths([(1, 0)])[0], expected[::-1])


def test_block_without_junction_walks_the_shorter_side() -> None:
    graph = build_street_graph(block_ways()[:4])
    south, north, east = at(30, -10), at(30, 110), at(110, 60)
    walks = street_walks(graph, graph.snap([south, north, east]))
    # South to north: 30 to the south-west corner, 100 up, 30 along, 10 off each.
    # South to east: 70 to the south-east corner, 60 up, 10 off each.
    assert walks.distance_m.tolist() == [[0, 180, 150], [180, 0, 130], [150, 130, 0]]
    expected = [south, at(30, 0), at(0, 0), at(0, 100), at(30, 100), north]
    assert_path(walks.paths([(0, 1)])[0], expected)
    assert_path(walks.paths([(0, 2)])[0], [south, at(30, 0), at(100, 0), at(100, 60), east])


def test_parallel_streets_walk_the_shorter_one() -> None:
    # Rue Sud and a hump over it join (0, 0) and (100, 0); dead ends lie west and east.
    graph = build_street_graph(
        [
            way("west", "Ouest", (-50, 0), (0, 0)),
            way("w1", "Rue Sud", (0, 0), (100, 0)),
            way("hump", "Bosse", (0, 0), (50, 50), (100, 0)),
            way("w5", "Impasse", (100, 0), (200, 0)),
        ]
    )
    start, end = at(-40, 5), at(150, 5)
    walks = street_walks(graph, graph.snap([start, end]))
    assert walks.distance_m[0, 1] == 5 + 190 + 5
    expected = [start, at(-40, 0), at(0, 0), at(100, 0), at(150, 0), end]
    assert_path(walks.paths([(0, 1)])[0], expected)


def test_paths_without_kept_predecessors_are_the_same(
    loop_street: StreetGraph, monkeypatch: pytest.MonkeyPatch
) -> None:
    points = [at(30, -5), at(230, 55), at(240, 45), at(205, 60), at(95, 80), at(80, 5)]
    snaps = loop_street.snap(points)
    legs = [(i, j) for i in range(len(points)) for j in range(len(points)) if i != j]
    kept = street_walks(loop_street, snaps)
    monkeypatch.setattr(walks_module, "KEPT_PREDECESSORS_MAX", 0)
    searched = street_walks(loop_street, snaps)
    assert kept.predecessors is not None
    assert searched.predecessors is None
    np.testing.assert_array_equal(kept.distance_m, searched.distance_m)
    assert kept.paths(legs) == searched.paths(legs)


def test_bondy_paths_without_kept_predecessors_are_the_same(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    graph = bondy_graph()
    rows = ban_rows()
    points = [ban_point(rows[k * 37]) for k in range(120)]
    snaps = graph.snap(points)
    legs = [(k, (k * 7 + 3) % len(points)) for k in range(len(points))]
    kept_paths = street_walks(graph, snaps).paths(legs)
    monkeypatch.setattr(walks_module, "KEPT_PREDECESSORS_MAX", 0)
    assert street_walks(graph, snaps).paths(legs) == kept_paths


def test_walks_of_no_points_are_empty(loop_street: StreetGraph) -> None:
    walks = street_walks(loop_street, loop_street.snap([]))
    assert walks.distance_m.shape == (0, 0)
    assert walks.paths([]) == []


def test_walks_from_equal_the_matrix() -> None:
    """Both sides of one street, one edge, a bend, the loop, a side street and an island."""
    graph = build_street_graph([*lollipop_ways(), way("e", "Île", (400, 0), (500, 0))])
    points = [
        at(30, -5),
        at(80, 5),
        at(40, -3),
        at(230, 55),
        at(205, 60),
        at(95, 80),
        at(150, -4),
        at(450, 5),
    ]
    snaps = graph.snap(points, main_component_only=False)
    sources = [0, 3, 7, 2]
    matrix = snapped_distance_matrix(graph, snaps)[sources]

    walks = street_walks_from(graph, snaps.subset(sources), snaps)

    assert walks.shape == (4, 8)
    # The walk into the loop, 260 m, and along the pavement, the 10.2 m straight line.
    assert walks[0, 3] == pytest.approx(260.0, abs=0.01)
    assert walks[0, 2] == pytest.approx(np.hypot(10, 2), abs=0.01)
    assert walks[[0, 1, 2, 3], [0, 3, 7, 2]].tolist() == [0.0, 0.0, 0.0, 0.0]
    unreachable = np.isinf(walks)
    assert unreachable.sum() == 3 * 1 + 1 * 7
    np.testing.assert_array_equal(matrix[unreachable], UNREACHABLE_M)
    np.testing.assert_array_equal(
        np.rint(walks[~unreachable]).astype(np.int32), matrix[~unreachable]
    )


def test_walks_from_beyond_the_limit(loop_street: StreetGraph) -> None:
    # Rue C's edge is 50 m beyond the start's edge, so its 129 m walk is kept. The loop
    # lies 150 m beyond it, so its walk is inf.
    start = loop_street.snap([at(30, -5)])
    targets = loop_street.snap([at(80, 5), at(150, -4), at(230, 55)])

    walks = street_walks_from(loop_street, start, targets, limit_m=60.0)

    assert walks[0, :2] == pytest.approx([60.0, 129.0], abs=0.01)
    assert np.isinf(walks[0, 2])
    unlimited = street_walks_from(loop_street, start, targets)
    assert unlimited[0] == pytest.approx([60.0, 129.0, 260.0], abs=0.01)


def test_walks_from_no_points(loop_street: StreetGraph) -> None:
    some = loop_street.snap([at(30, -5), at(80, 5)])
    none = loop_street.snap([])

    assert street_walks_from(loop_street, none, some).shape == (0, 2)
    assert street_walks_from(loop_street, some, none).shape == (2, 0)
