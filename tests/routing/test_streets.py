"""Street graph, snapping and walking distances on small hand-made networks.

The networks sit on the equator, where a degree of latitude or longitude is the same
length, so coordinates are written in metres east (x) and north (y) of (0, 0).
"""

import math

import numpy as np
import pytest

from routing.geo import EARTH_RADIUS_M, GeoPoint
from routing.snapping import Side
from routing.streets import (
    UNREACHABLE_M,
    StreetGraph,
    StreetWay,
    build_street_graph,
    snapped_distance_matrix,
    snapped_paths,
    walking_distance_matrix,
    walking_path,
)

DEG_PER_M = 180.0 / (math.pi * EARTH_RADIUS_M)


def at(x_m: float, y_m: float) -> GeoPoint:
    """Return the point x metres east and y metres north of (0, 0)."""
    return GeoPoint(x_m * DEG_PER_M, y_m * DEG_PER_M)


def way(way_id: str, name: str | None, *xy: tuple[float, float]) -> StreetWay:
    coords = tuple((at(x, y).lon, at(x, y).lat) for x, y in xy)
    return StreetWay(way_id, name, "residential", coords)


def block_ways() -> list[StreetWay]:
    """A 100 m square block (corners A, B, C, D) and a 100 m dead end east of B."""
    return [
        way("w1", "Rue Sud", (0, 0), (100, 0)),
        way("w2", "Rue Est", (100, 0), (100, 100)),
        way("w3", "Rue Nord", (100, 100), (0, 100)),
        way("w4", "Rue Ouest", (0, 100), (0, 0)),
        way("w5", "Impasse", (100, 0), (200, 0)),
    ]


@pytest.fixture(scope="module")
def block() -> StreetGraph:
    return build_street_graph(block_ways())


@pytest.fixture(scope="module")
def block_and_island() -> StreetGraph:
    return build_street_graph([*block_ways(), way("w6", "Île", (0, 300), (100, 300))])


def test_build_merges_shared_corners(block: StreetGraph) -> None:
    assert block.node_count == 5
    assert block.edge_count == 5
    assert block.component_count == 1
    assert block.main_component_node_count == 5
    np.testing.assert_allclose(block.edge_length_m, 100.0, atol=0.05)
    assert block.edge_name == ("Rue Sud", "Rue Est", "Rue Nord", "Rue Ouest", "Impasse")
    assert block.edge_way_id == ("w1", "w2", "w3", "w4", "w5")


def test_build_merges_coordinates_within_rounding() -> None:
    nudged_start = (100 * DEG_PER_M + 2e-8, 0.0)
    nudged = StreetWay("w2", "B", "footway", (nudged_start, (200 * DEG_PER_M, 0.0)))
    graph = build_street_graph([way("w1", "A", (0, 0), (100, 0)), nudged])
    assert graph.node_count == 3
    assert walking_distance_matrix(graph, [at(0, 0), at(200, 0)])[0, 1] == 200


def test_build_keeps_one_of_two_identical_ways() -> None:
    graph = build_street_graph(
        [way("w1", "A", (0, 0), (100, 0)), way("w2", "A bis", (0, 0), (100, 0))]
    )
    assert graph.edge_count == 2
    assert walking_distance_matrix(graph, [at(0, 0), at(100, 0)])[0, 1] == 100


def test_build_drops_repeated_coordinates_and_short_ways() -> None:
    graph = build_street_graph(
        [way("w1", "A", (0, 0), (0, 0), (100, 0)), way("w2", "Point", (50, 50))]
    )
    assert graph.edge_count == 1
    assert graph.node_count == 2


def test_build_rejects_no_ways() -> None:
    with pytest.raises(ValueError, match="at least one way"):
        build_street_graph([])


def test_build_keeps_islands_and_picks_the_largest_component(
    block_and_island: StreetGraph,
) -> None:
    assert block_and_island.component_count == 2
    assert block_and_island.main_component_node_count == 5


def test_snap_records_edge_fraction_offset_and_side(block: StreetGraph) -> None:
    snaps = block.snap([at(30, -10), at(80, 10), at(100, 50), at(250, 0)])
    assert list(snaps.edge) == [0, 0, 1, 4]
    # Vertices are rounded to 1e-7 degree (about 1 cm), hence the tolerance.
    np.testing.assert_allclose(snaps.fraction, [0.3, 0.8, 0.5, 1.0], atol=1e-4)
    np.testing.assert_allclose(snaps.offset_m, [10.0, 10.0, 0.0, 50.0], atol=0.05)
    sides = [snaps.side_of(i) for i in range(4)]
    assert sides == [Side.RIGHT, Side.LEFT, Side.ON_EDGE, Side.ON_EDGE]
    assert snaps.snapped_point(0).lon == pytest.approx(at(30, 0).lon)
    assert snaps.snapped_point(0).lat == pytest.approx(0.0)


def test_snap_breaks_ties_towards_the_lowest_edge(block: StreetGraph) -> None:
    corner_b = block.node_point(int(block.edge_v[0]))
    snaps = block.snap([corner_b, at(-10, -10)])
    # B ends Rue Sud (0) and starts Rue Est (1) and the Impasse (4); A ends Rue Ouest (3).
    assert list(snaps.edge) == [0, 0]


def test_snap_prefers_the_main_component(block_and_island: StreetGraph) -> None:
    near_island = [at(30, 310)]
    main = block_and_island.snap(near_island)
    anywhere = block_and_island.snap(near_island, main_component_only=False)
    assert block_and_island.edge_name[int(main.edge[0])] == "Rue Nord"
    assert main.offset_m[0] == pytest.approx(210.0, abs=0.05)
    assert block_and_island.edge_name[int(anywhere.edge[0])] == "Île"
    assert anywhere.offset_m[0] == pytest.approx(10.0, abs=0.05)


def test_snap_rejects_non_finite_points(block: StreetGraph) -> None:
    with pytest.raises(ValueError, match="non-finite"):
        block.snap([GeoPoint(math.nan, 0.0)])


def test_matrix_around_block_and_dead_end(block: StreetGraph) -> None:
    south, north, dead_end = at(30, -10), at(30, 110), at(150, 5)
    matrix = walking_distance_matrix(block, [south, north, dead_end])
    assert matrix.dtype == np.int32
    # south: 10 off Rue Sud, 30 to A, 100 up Rue Ouest, 30 along Rue Nord, 10 off.
    # dead end: 70 from the south foot to B, 50 along the Impasse, 5 off; from the
    # north: 70 to C, 100 down Rue Est, 50 along the Impasse.
    assert matrix.tolist() == [
        [0, 180, 135],
        [180, 0, 235],
        [135, 235, 0],
    ]


def test_matrix_on_one_edge_opposite_and_same_side(block: StreetGraph) -> None:
    right, left, right_again = at(30, -10), at(80, 10), at(80, -10)
    matrix = walking_distance_matrix(block, [right, left, right_again])
    # Opposite sides cross to the centre line and back (10 + 50 + 10). The same side
    # walks straight along the pavement (50), which is shorter.
    assert matrix[0, 1] == 70
    assert matrix[0, 2] == 50
    assert matrix[1, 2] == 20


def test_matrix_along_one_way_and_behind_the_block() -> None:
    graph = build_street_graph(
        [
            way("w1", "Rue Longue", (0, 0), (50, 0), (100, 0)),
            way("w2", "Rue Transversale", (100, 0), (100, 30)),
            way("w3", "Rue Parallèle", (100, 30), (0, 30)),
        ]
    )
    first_edge, second_edge = at(40, -8), at(60, -8)
    front, back = at(40, 10), at(40, 22)
    matrix = walking_distance_matrix(graph, [first_edge, second_edge, front, back])
    # Same side of one way, across a vertex: along the pavement (20), not 8 + 20 + 8.
    assert matrix[0, 1] == 20
    # Back to back across the block, 12 m apart: two streets, so round the block
    # (10 + 60 + 30 + 60 + 8).
    assert matrix[2, 3] == 168
    middle_vertex = graph.node_point(int(graph.edge_v[0]))
    assert middle_vertex.lon == pytest.approx(at(50, 0).lon, abs=1e-7)
    path = walking_path(graph, first_edge, second_edge)
    assert path == (first_edge, middle_vertex, second_edge)


def test_matrix_of_identical_points_is_zero(block: StreetGraph) -> None:
    matrix = walking_distance_matrix(block, [at(30, -10), at(30, -10)])
    assert matrix.tolist() == [[0, 0], [0, 0]]


def test_matrix_of_no_points_is_empty(block: StreetGraph) -> None:
    assert walking_distance_matrix(block, []).shape == (0, 0)


def test_matrix_reaches_door_near_island(
    block_and_island: StreetGraph,
) -> None:
    matrix = walking_distance_matrix(block_and_island, [at(30, -10), at(30, 310)])
    assert matrix[0, 1] == 10 + 30 + 100 + 30 + 210


def test_matrix_marks_points_on_other_components_unreachable(
    block_and_island: StreetGraph,
) -> None:
    matrix = walking_distance_matrix(
        block_and_island, [at(30, -10), at(30, 310), at(60, 310)], main_component_only=False
    )
    assert matrix[0, 1] == UNREACHABLE_M
    assert matrix[1, 0] == UNREACHABLE_M
    assert matrix[1, 2] == 30


def test_path_follows_the_shorter_side_of_the_block(block: StreetGraph) -> None:
    path = walking_path(block, at(30, -10), at(30, 110))
    expected = [at(30, -10), at(30, 0), at(0, 0), at(0, 100), at(30, 100), at(30, 110)]
    assert len(path) == len(expected)
    for got, want in zip(path, expected, strict=True):
        assert got.lon == pytest.approx(want.lon, abs=2e-7)
        assert got.lat == pytest.approx(want.lat, abs=2e-7)


def test_path_on_one_edge(block: StreetGraph) -> None:
    same_side = walking_path(block, at(30, -10), at(80, -10))
    assert same_side == (at(30, -10), at(80, -10))
    across = walking_path(block, at(30, -10), at(80, 10))
    assert len(across) == 4
    assert across[0] == at(30, -10)
    assert across[-1] == at(80, 10)


def test_path_rejects_points_on_other_components(block_and_island: StreetGraph) -> None:
    snaps = block_and_island.snap([at(30, -10), at(30, 310)], main_component_only=False)
    with pytest.raises(ValueError, match="no street path"):
        snapped_paths(block_and_island, snaps, [(0, 1)])


def test_matrix_from_snaps_matches_the_point_version(block: StreetGraph) -> None:
    points = [at(30, -10), at(150, 5), at(100, 50)]
    np.testing.assert_array_equal(
        snapped_distance_matrix(block, block.snap(points)), walking_distance_matrix(block, points)
    )
