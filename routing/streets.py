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

NOTE: pedestrian crossings are not modelled. Doors facing each other across an avenue
are joined straight through their offsets, which underestimates the walk where a
crossing is far away.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from numpy.typing import NDArray
from scipy.sparse.csgraph import dijkstra

from routing.geo import GeoPoint, haversine_m
from routing.snapping import Side, SnapResult
from routing.street_graph import StreetGraph, StreetWay, build_street_graph, haversine_m_array

__all__ = [
    "UNREACHABLE_M",
    "Side",
    "SnapResult",
    "StreetGraph",
    "StreetWay",
    "build_street_graph",
    "edge_ends",
    "snapped_distance_matrix",
    "snapped_paths",
    "walking_distance_matrix",
    "walking_path",
]

# Distance given to pairs of points with no street path between them (points snapped on
# different connected components). 10,000 km is far beyond any session's time budget,
# and a sum of a few such values still fits in int32.
UNREACHABLE_M = 10_000_000

# Dijkstra runs from this many source vertices at a time, to bound the memory of its
# (sources x vertices) result on large graphs.
_DIJKSTRA_BATCH = 64

# Rows of the distance matrix computed at once, to bound the work arrays' memory.
_ROW_BLOCK = 256


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

    Pairs without a street path between them get ``UNREACHABLE_M``.
    NOTE: the result grows with the square of the point count (4 bytes a pair, 100 MB
    for 5,000 points); the work arrays are bounded by computing a block of rows at a time.
    """
    count = len(snaps)
    if count == 0:
        return np.zeros((0, 0), dtype=np.int32)
    ends, along = edge_ends(graph, snaps)
    nodes, position = np.unique(ends, return_inverse=True)
    position = position.reshape(count, 2)
    between = _node_distances(graph, nodes)
    lon = np.array([p.lon for p in snaps.points])
    lat = np.array([p.lat for p in snaps.points])
    way = graph.edge_way[snaps.edge]
    result = np.empty((count, count), dtype=np.int32)
    for first in range(0, count, _ROW_BLOCK):
        rows = np.arange(first, min(first + _ROW_BLOCK, count))
        best = np.full((rows.shape[0], count), np.inf)
        for x in (0, 1):
            for y in (0, 1):
                candidate = (
                    along[rows, x][:, None]
                    + between[np.ix_(position[rows, x], position[:, y])]
                    + along[:, y][None, :]
                )
                np.minimum(best, candidate, out=best)
        same_edge = snaps.edge[rows][:, None] == snaps.edge[None, :]
        along_edge = np.abs(along[rows, 0][:, None] - along[:, 0][None, :])
        best = np.where(same_edge, along_edge, best)
        total = snaps.offset_m[rows][:, None] + best + snaps.offset_m[None, :]
        straight = haversine_m_array(
            lon[rows][:, None], lat[rows][:, None], lon[None, :], lat[None, :]
        )
        pavement = np.maximum(straight, best)
        same_side = (way[rows][:, None] == way[None, :]) & (
            snaps.side[rows][:, None] == snaps.side[None, :]
        )
        total = np.where(same_side, np.minimum(total, pavement), total)
        total[np.arange(rows.shape[0]), rows] = 0.0
        total = np.where(np.isfinite(total), np.rint(total), UNREACHABLE_M)
        result[rows] = np.minimum(total, UNREACHABLE_M).astype(np.int32)
    return result


def snapped_paths(
    graph: StreetGraph, snaps: SnapResult, legs: Sequence[tuple[int, int]]
) -> list[tuple[GeoPoint, ...]]:
    """Return the walking polyline of each leg (from point ``i`` to point ``j``).

    Each polyline starts at the first point, joins the street at its projection, follows
    the vertices of the shortest path and leaves the street towards the second point. A
    walk along the pavement (see the module docstring) skips the two projections.
    Raises ValueError for a leg whose points lie on different connected components.
    """
    ends, along = edge_ends(graph, snaps)
    paths: list[tuple[GeoPoint, ...]] = [()] * len(legs)
    pending: list[int] = []
    for k, (i, j) in enumerate(legs):
        if snaps.edge[i] == snaps.edge[j]:
            street_m = abs(float(along[i, 0] - along[j, 0]))
            paths[k] = _leg_path(graph, snaps, (i, j), street_m=street_m, middle=[])
        else:
            pending.append(k)
    batch = _DIJKSTRA_BATCH // 2
    for start in range(0, len(pending), batch):
        chunk = pending[start : start + batch]
        sources = np.unique(ends[[legs[k][0] for k in chunk]])
        distances, predecessors = dijkstra(
            graph.adjacency, directed=True, indices=sources, return_predecessors=True
        )
        row_of = {int(node): row for row, node in enumerate(sources)}
        for k in chunk:
            i, j = legs[k]
            x_node, y_node, street_m = _best_ends(ends, along, distances, row_of, leg=(i, j))
            chain = _node_chain(predecessors[row_of[x_node]], x_node, y_node)
            middle = [graph.node_point(node) for node in chain]
            paths[k] = _leg_path(graph, snaps, (i, j), street_m=street_m, middle=middle)
    return paths


def _leg_path(
    graph: StreetGraph,
    snaps: SnapResult,
    leg: tuple[int, int],
    *,
    street_m: float,
    middle: list[GeoPoint],
) -> tuple[GeoPoint, ...]:
    """Return the polyline of one leg, given the vertices walked between its projections.

    ``street_m`` is the walk between the two projections; the rule that picks the
    pavement is the one ``snapped_distance_matrix`` applies.
    """
    i, j = leg
    a, b = snaps.points[i], snaps.points[j]
    same_way = graph.edge_way[snaps.edge[i]] == graph.edge_way[snaps.edge[j]]
    if same_way and snaps.side[i] == snaps.side[j]:
        pavement = max(haversine_m(a, b), street_m)
        if pavement < snaps.offset_m[i] + street_m + snaps.offset_m[j]:
            return _dedupe([a, *middle, b])
    return _dedupe([a, snaps.snapped_point(i), *middle, snaps.snapped_point(j), b])


def edge_ends(
    graph: StreetGraph, snaps: SnapResult
) -> tuple[NDArray[np.int32], NDArray[np.float64]]:
    """Return each point's edge end vertices and its distances along the edge to them."""
    edge = snaps.edge
    ends = np.column_stack([graph.edge_u[edge], graph.edge_v[edge]])
    to_u = snaps.fraction * graph.edge_length_m[edge]
    along = np.column_stack([to_u, graph.edge_length_m[edge] - to_u])
    return ends, along


def _node_distances(graph: StreetGraph, nodes: NDArray[np.int32]) -> NDArray[np.float64]:
    """Return shortest-path metres between every pair of the given vertices."""
    result = np.empty((nodes.shape[0], nodes.shape[0]), dtype=np.float64)
    for start in range(0, nodes.shape[0], _DIJKSTRA_BATCH):
        sources = nodes[start : start + _DIJKSTRA_BATCH]
        # The adjacency matrix is symmetric, so the directed search is the undirected one
        # without scipy building the transpose.
        distances = dijkstra(graph.adjacency, directed=True, indices=sources)
        result[start : start + sources.shape[0]] = distances[:, nodes]
    return result


def _best_ends(
    ends: NDArray[np.int32],
    along: NDArray[np.float64],
    distances: NDArray[np.float64],
    row_of: dict[int, int],
    *,
    leg: tuple[int, int],
) -> tuple[int, int, float]:
    """Choose the end vertices of both edges that give the shortest walk of the leg.

    Return both vertices and the walk's length in metres between the two projections.
    """
    i, j = leg
    best = np.inf
    choice: tuple[int, int] | None = None
    for x in (0, 1):
        x_node = int(ends[i, x])
        for y in (0, 1):
            y_node = int(ends[j, y])
            length = along[i, x] + distances[row_of[x_node], y_node] + along[j, y]
            if length < best:
                best, choice = float(length), (x_node, y_node)
    if choice is None:
        raise ValueError(f"no street path between points {i} and {j}")
    return choice[0], choice[1], best


def _node_chain(predecessors: NDArray[np.int32], source: int, target: int) -> list[int]:
    """Follow a Dijkstra predecessor row back from target to source."""
    chain = [target]
    while chain[-1] != source:
        chain.append(int(predecessors[chain[-1]]))
    chain.reverse()
    return chain


def _dedupe(points: list[GeoPoint]) -> tuple[GeoPoint, ...]:
    """Drop consecutive repeated points."""
    result = [points[0]]
    for point in points[1:]:
        if point != result[-1]:
            result.append(point)
    return tuple(result)
