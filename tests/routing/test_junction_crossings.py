"""Wide roads crossed at junctions, on hand-made crossroads and on the streets of Bondy."""

import math

import numpy as np
import pytest

from routing import street_walks as walks_module
from routing.geo import GeoPoint
from routing.junction_crossings import junction_crossings
from routing.segments import WIDE_HIGHWAYS
from routing.streets import StreetGraph, StreetWalks, StreetWay, build_street_graph, street_walks
from tests.routing.test_streets import at
from tests.routing.test_streets_bondy import ban_point, ban_rows, bondy_graph


def road(way_id: str, highway: str, *xy: tuple[float, float]) -> StreetWay:
    """Return a way through the given points, in metres east and north of (0, 0)."""
    coords = tuple((at(x, y).lon, at(x, y).lat) for x, y in xy)
    return StreetWay(way_id, way_id, highway, coords)


def counts(graph: StreetGraph, points: list[GeoPoint]) -> list[list[int]]:
    result: list[list[int]] = junction_crossings(street_walks(graph, graph.snap(points))).tolist()
    return result


@pytest.fixture(scope="module")
def crossroads() -> StreetGraph:
    """A primary road running east through (0, 0), crossed by a residential street.

    A second residential street leaves the crossroads north-east, on the north side.
    """
    return build_street_graph(
        [
            road("Avenue Gallieni", "primary", (-300, 0), (0, 0), (300, 0)),
            road("Rue Roger Salengro", "residential", (0, -300), (0, 0), (0, 300)),
            road("Rue Blanqui", "residential", (0, 0), (200, 200)),
        ]
    )


def test_crossroads_both_sides_cross_once(crossroads: StreetGraph) -> None:
    # North of the avenue, south of it, north again on the other pavement.
    points = [at(5, 100), at(5, -100), at(-5, 150)]

    assert counts(crossroads, points) == [[0, 1, 0], [1, 0, 1], [0, 1, 0]]


def test_crossroads_same_side_turn_is_free(crossroads: StreetGraph) -> None:
    # Rue Roger Salengro north, Rue Blanqui (north-east), Rue Roger Salengro south.
    points = [at(5, 100), at(105, 95), at(-5, -80)]

    assert counts(crossroads, points) == [[0, 0, 1], [0, 0, 1], [1, 1, 0]]


def test_t_junction_stem_is_not_crossed() -> None:
    # The primary comes up from the south, across a secondary, and ends on the
    # residential street.
    graph = build_street_graph(
        [
            road("Rue de Varsovie", "residential", (-300, 0), (0, 0), (300, 0)),
            road("Route de Villemomble", "primary", (0, -300), (0, -200), (0, 0)),
            road("Rue Jules Guesde", "secondary", (-300, -200), (0, -200), (300, -200)),
        ]
    )
    points = [at(-100, 5), at(100, 5), at(100, -5), at(-5, -100)]

    assert not np.any(counts(graph, points))


def test_narrow_streets_cross_nothing() -> None:
    graph = build_street_graph(
        [
            road("Rue de Varsovie", "residential", (-300, 0), (0, 0), (300, 0)),
            road("Rue Roger Salengro", "residential", (0, -300), (0, 0), (0, 300)),
        ]
    )
    points = [at(5, 100), at(5, -100), at(-100, 5)]

    assert counts(graph, points) == [[0, 0, 0], [0, 0, 0], [0, 0, 0]]
    assert counts(graph, []) == []


def test_two_wide_roads_cross_twice() -> None:
    # A primary at y = 0 and a secondary at y = 200, both crossed by one street.
    graph = build_street_graph(
        [
            road("Avenue Gallieni", "primary", (-300, 0), (0, 0), (300, 0)),
            road("Rue Jules Guesde", "secondary", (-300, 200), (0, 200), (300, 200)),
            road("Rue Roger Salengro", "residential", (0, -300), (0, 0), (0, 200), (0, 500)),
        ]
    )
    points = [at(5, -100), at(5, 100), at(5, 300)]

    assert counts(graph, points) == [[0, 1, 2], [1, 0, 1], [2, 1, 0]]


def test_opposite_corners_cross_twice() -> None:
    graph = build_street_graph(
        [
            road("Avenue Gallieni", "primary", (-300, 0), (0, 0), (300, 0)),
            road("Rue Jules Guesde", "secondary", (0, -300), (0, 0), (0, 300)),
            road("Allée nord-est", "residential", (0, 0), (200, 200)),
            road("Allée sud-ouest", "residential", (0, 0), (-200, -200)),
            road("Allée nord-ouest", "residential", (0, 0), (-200, 200)),
        ]
    )
    points = [at(100, 95), at(-100, -95), at(-100, 95)]

    assert counts(graph, points) == [[0, 2, 1], [2, 0, 1], [1, 1, 0]]


def test_turning_off_the_wide_road_is_free(crossroads: StreetGraph) -> None:
    # A door on the north pavement of the avenue, then one down the street south of it:
    # the walk crosses the avenue, but the pavement it walks on is not known.
    points = [at(100, 8), at(5, -100)]

    assert counts(crossroads, points) == [[0, 0], [0, 0]]


def test_counts_without_kept_predecessors(
    crossroads: StreetGraph, monkeypatch: pytest.MonkeyPatch
) -> None:
    points = [at(5, 100), at(5, -100), at(-5, 150), at(105, 95), at(100, 8), at(-150, -8)]
    snaps = crossroads.snap(points)
    kept = junction_crossings(street_walks(crossroads, snaps))
    monkeypatch.setattr(walks_module, "KEPT_PREDECESSORS_MAX", 0)
    searched = street_walks(crossroads, snaps)

    assert searched.predecessors is None
    np.testing.assert_array_equal(junction_crossings(searched), kept)
    assert kept.sum() == 6


def test_bondy_counts_match_the_drawn_walks() -> None:
    """Each count equals the wide roads swept by the turns of the walk the plan draws."""
    graph = bondy_graph()
    rows = ban_rows()
    points = [ban_point(rows[k * 53]) for k in range(150)]
    walks = street_walks(graph, graph.snap(points))
    crossings = junction_crossings(walks)
    legs = [(i, (i * 7 + 3) % len(points)) for i in range(len(points))]
    legs += [(int(i), int(j)) for i, j in zip(*np.nonzero(crossings), strict=True)][::5]

    vertex_of = {graph.node_point(v): v for v in range(graph.node_count)}
    expected = [_swept_by_drawn_walk(walks, vertex_of, leg) for leg in legs]

    assert [int(crossings[leg]) for leg in legs] == expected
    assert sum(expected) > 20


def _swept_by_drawn_walk(
    walks: StreetWalks, vertex_of: dict[GeoPoint, int], leg: tuple[int, int]
) -> int:
    """Count the wide roads crossed at the vertices of one drawn walk, turn by turn."""
    graph, snaps = walks.graph, walks.snaps
    i, j = leg
    line = list(walks.paths([leg])[0][1:-1])
    if not line:
        return 0
    # Walks along a pavement skip the projections: put them back.
    if line[0] != snaps.snapped_point(i):
        line.insert(0, snaps.snapped_point(i))
    if line[-1] != snaps.snapped_point(j):
        line.append(snaps.snapped_point(j))
    total = 0
    for before, point, after in zip(line, line[1:], line[2:], strict=False):
        vertex = vertex_of[point]
        rays = sorted(_rays(graph, vertex))
        inward = _nearest_ray(rays, _bearing(point, before))
        outward = _nearest_ray(rays, _bearing(point, after))
        if inward == outward:
            continue
        low, high = min(inward, outward), max(inward, outward)
        between = sum(wide for _, wide in rays[low + 1 : high])
        around = sum(wide for _, wide in rays) - between - rays[inward][1] - rays[outward][1]
        total += min(between, around)
    return total


def _rays(graph: StreetGraph, vertex: int) -> list[tuple[float, bool]]:
    """Return the bearing of each edge leaving the vertex and whether its road is wide."""
    rays = []
    for edge in np.flatnonzero((graph.edge_u == vertex) | (graph.edge_v == vertex)):
        other = graph.edge_v[edge] if graph.edge_u[edge] == vertex else graph.edge_u[edge]
        bearing = _bearing(graph.node_point(vertex), graph.node_point(int(other)))
        rays.append((bearing, graph.edge_highway[edge] in WIDE_HIGHWAYS))
    return rays


def _bearing(origin: GeoPoint, target: GeoPoint) -> float:
    east = (target.lon - origin.lon) * math.cos(math.radians(origin.lat))
    return math.atan2(target.lat - origin.lat, east)


def _nearest_ray(rays: list[tuple[float, bool]], bearing: float) -> int:
    def gap(k: int) -> float:
        turn = abs(rays[k][0] - bearing) % (2 * math.pi)
        return min(turn, 2 * math.pi - turn)

    return min(range(len(rays)), key=gap)
