"""Street stops on hand-made streets: grouping, sides, cutting and walking options."""

import math

import numpy as np
import pytest

from routing.geo import EARTH_RADIUS_M, GeoPoint
from routing.segments import StreetStop, single_door_stops, street_stops, visit_options
from routing.streets import StreetGraph, StreetWay, build_street_graph, snapped_distance_matrix

DEG_PER_M = 180.0 / (math.pi * EARTH_RADIUS_M)


def at(x_m: float, y_m: float) -> GeoPoint:
    """Return the point x metres east and y metres north of (0, 0), on the equator."""
    return GeoPoint(x_m * DEG_PER_M, y_m * DEG_PER_M)


def way(way_id: str, highway: str, *xy: tuple[float, float]) -> StreetWay:
    coords = tuple((at(x, y).lon, at(x, y).lat) for x, y in xy)
    return StreetWay(way_id, way_id, highway, coords)


@pytest.fixture(scope="module")
def crossing() -> StreetGraph:
    """A narrow street west-east (0..200 m, two edges before the crossing), a crossing
    street at x = 200, and a wide avenue going on east from there."""
    return build_street_graph(
        [
            way("rue", "residential", (0, 0), (100, 0), (200, 0)),
            way("traverse", "residential", (200, -100), (200, 0), (200, 100)),
            way("avenue", "primary", (200, 0), (400, 0)),
        ]
    )


def stops_of(graph: StreetGraph, points: list[GeoPoint], max_doors: int = 16) -> list[StreetStop]:
    return list(street_stops(graph, graph.snap(points), max_doors=max_doors))


def test_doors_of_one_segment_form_one_stop_in_street_order(crossing: StreetGraph) -> None:
    # Both edges of the narrow street lie between a dead end and the crossing.
    points = [at(150, 5), at(20, 5), at(120, 5), at(60, 5)]
    (stop,) = stops_of(crossing, points)
    assert stop.doors == (1, 3, 2, 0)
    assert stop.side == 0


def test_a_narrow_street_groups_both_sides(crossing: StreetGraph) -> None:
    points = [at(20, 6), at(40, -6), at(60, 6)]
    (stop,) = stops_of(crossing, points)
    assert stop.doors == (0, 1, 2)
    assert stop.side == 0
    assert stop.door_sides == (1, -1, 1)


def test_a_wide_road_has_one_stop_per_side(crossing: StreetGraph) -> None:
    points = [at(250, 15), at(300, -15), at(350, 15)]
    stops = stops_of(crossing, points)
    assert sorted((stop.side, stop.doors) for stop in stops) == [(-1, (1,)), (1, (0, 2))]


def test_a_crossing_separates_segments(crossing: StreetGraph) -> None:
    points = [at(150, 5), at(205, 50), at(205, -50), at(250, 15)]
    stops = stops_of(crossing, points)
    assert sorted(stop.doors for stop in stops) == [(0,), (1,), (2,), (3,)]


def test_long_segments_are_cut_into_even_stops(crossing: StreetGraph) -> None:
    points = [at(10 + 20 * k, 5) for k in range(7)]
    stops = stops_of(crossing, points, max_doors=3)
    assert [stop.doors for stop in stops] == [(0, 1), (2, 3, 4), (5, 6)]


def test_max_doors_must_be_positive(crossing: StreetGraph) -> None:
    with pytest.raises(ValueError, match="max_doors must be at least 1, got 0"):
        street_stops(crossing, crossing.snap([at(10, 5)]), max_doors=0)


def test_one_sided_stop_walks_forward_or_backward() -> None:
    distance_m = np.array(
        [[0, 10, 20, 30], [10, 0, 10, 20], [20, 10, 0, 10], [30, 20, 10, 0]], dtype=np.int32
    )
    options = visit_options((StreetStop(0, 1, (0, 1, 2)),), distance_m)
    assert options.sequences == ((1, 2, 3), (3, 2, 1))
    assert options.groups == ((1, 2),)
    # Into the forward walk: 10 m to door 1, then 20 m along the stop.
    assert options.arc_m[0].tolist() == [0, 30, 50]
    assert options.arc_m[:, 0].tolist() == [0, 30, 10]


def test_two_sided_stop_crosses_where_it_is_shortest() -> None:
    # Doors 0 and 2 on one side, 1 and 3 facing them: crossing costs 16 m, 12 m along.
    sides = (1, -1, 1, -1)
    along = np.array([0, 0, 12, 12])
    side = np.array(sides)
    doors = np.abs(along[:, None] - along[None, :]) + 16 * (side[:, None] != side[None, :])
    distance_m = np.zeros((5, 5), dtype=np.int32)
    distance_m[1:, 1:] = doors
    distance_m[0, 1:] = distance_m[1:, 0] = 50
    options = visit_options((StreetStop(0, 0, (0, 1, 2, 3), sides),), distance_m)
    # Through: down one side's first door, across, along, across back (16+12+16).
    through = options.sequences[0]
    inside = sum(int(distance_m[a, b]) for a, b in zip(through, through[1:], strict=False))
    assert inside == 44
    assert (1, 3, 4, 2) in options.sequences  # out along one side, back along the other
    assert len(options.groups[0]) == len(options.sequences) == 4


def test_single_door_stops_keep_door_order() -> None:
    assert single_door_stops(3) == (
        StreetStop(-1, 0, (0,)),
        StreetStop(-1, 0, (1,)),
        StreetStop(-1, 0, (2,)),
    )


def test_stops_and_matrix_agree_on_a_real_walk(crossing: StreetGraph) -> None:
    points = [at(100, 0), at(20, 6), at(40, -6), at(60, 6)]
    snaps = crossing.snap(points)
    distance_m = snapped_distance_matrix(crossing, snaps)
    stops = street_stops(crossing, snaps.subset([1, 2, 3]), max_doors=16)
    options = visit_options(stops, distance_m)
    for node, walk in enumerate(options.sequences, start=1):
        inside = sum(int(distance_m[a, b]) for a, b in zip(walk, walk[1:], strict=False))
        assert options.arc_m[0, node] == distance_m[0, walk[0]] + inside
