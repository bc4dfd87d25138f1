"""Walking distances and paths between points along the street network.

A point reaches the network at its projection on the nearest edge (see
``routing.snapping``). The walk from one door to another is the first door's offset to
its street, the distance along that edge to one of its end vertices, the shortest path
between vertices, the distance along the second edge, and the second door's offset.

Two points on the same edge walk along it. Two points on the same side of one way (one
edge or several edges of the same OSM way) walk along the pavement without going back to
the centre line: their distance is the longer of the straight line between them and the
distance between their projections, when that is shorter than the walk through the
offsets. Requiring the same way keeps back-to-back houses on parallel streets apart.

Distances are symmetric: walking ignores one-way streets.

The shortest paths run on the graph's junctions only (``routing.street_chains``), and
one search gives both the distances and the paths (``street_walks``). The walks from a
few points to many (``street_walks_from``, meeting points to homes) follow the same
rules, which ``routing.walk_rules`` applies for both.

NOTE: pedestrian crossings are not modelled. Doors facing each other across an avenue
are joined straight through their offsets, which underestimates the walk where a
crossing is far away.

NOTE: the pavement walk runs straight from door point to door point. Where the points of
one side lie in two rows, some near the street and some further back, a walk that passes
the stretch twice is shorter going out along one row and back along the other. It then
knocks that side on both passes (``benchmarks/README.md`` gives the lengths measured on
Bondy).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from numpy.typing import NDArray

from routing.geo import GeoPoint
from routing.snapping import Side, SnapResult
from routing.street_graph import StreetGraph, StreetWay, build_street_graph
from routing.street_walks import UNREACHABLE_M, StreetWalks, street_walks, street_walks_from

__all__ = [
    "UNREACHABLE_M",
    "Side",
    "SnapResult",
    "StreetGraph",
    "StreetWalks",
    "StreetWay",
    "build_street_graph",
    "snapped_distance_matrix",
    "snapped_paths",
    "street_walks",
    "street_walks_from",
    "walking_distance_matrix",
    "walking_path",
]


def walking_distance_matrix(
    graph: StreetGraph, points: Sequence[GeoPoint], *, main_component_only: bool = True
) -> NDArray[np.int32]:
    """Return walking distances in whole metres between every pair of points."""
    snaps = graph.snap(points, main_component_only=main_component_only)
    return snapped_distance_matrix(graph, snaps)


def walking_path(graph: StreetGraph, a: GeoPoint, b: GeoPoint) -> tuple[GeoPoint, ...]:
    """Return the polyline of the shortest walk from ``a`` to ``b`` along the streets."""
    return snapped_paths(graph, graph.snap([a, b]), [(0, 1)])[0]


def snapped_distance_matrix(graph: StreetGraph, snaps: SnapResult) -> NDArray[np.int32]:
    """Return walking distances in whole metres between every pair of snapped points.

    Pairs without a street path between them get ``UNREACHABLE_M``. Use ``street_walks``
    to draw some of these walks as well.
    """
    if len(snaps) == 0:
        return np.zeros((0, 0), dtype=np.int32)
    return street_walks(graph, snaps, keep_paths=False).distance_m


def snapped_paths(
    graph: StreetGraph, snaps: SnapResult, legs: Sequence[tuple[int, int]]
) -> list[tuple[GeoPoint, ...]]:
    """Return the walking polyline of each leg (from point ``i`` to point ``j``).

    See ``StreetWalks.paths``; only the legs' points enter the search.
    Raises ValueError for a leg whose points lie on different connected components.
    """
    if not legs:
        return []
    points, position = np.unique(np.asarray(legs, dtype=np.int64), return_inverse=True)
    local = position.reshape(-1, 2).tolist()
    walks = street_walks(graph, snaps.subset(points))
    return walks.paths([(a, b) for a, b in local])
