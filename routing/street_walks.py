"""Walking distances between snapped points, and the paths behind them, through chains.

A point lies on one chain of the street graph (``routing.street_chains``). A walk to a
point of another chain leaves along its chain to one of the chain's two end junctions,
follows the shortest path between junctions and comes in along the other chain. Two
points of one chain may also walk straight along it, and two points of one edge always
do. Module ``routing.streets`` states the pavement and offset rules, and
``routing.walk_rules`` applies them all.

One Dijkstra search per end junction of the points, on the junction graph, gives both
the matrix and, through its predecessors, the paths, so drawing the plan's walks needs no
second search. ``street_walks_from`` measures the walks from a few points to many others
(meeting points to homes) with the same rules, searching from the few points only.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import pairwise

import numpy as np
from numpy.typing import NDArray
from scipy.sparse.csgraph import dijkstra

from routing.geo import GeoPoint, haversine_m
from routing.snapping import SnapResult
from routing.street_chains import StreetChains, street_chains
from routing.street_graph import StreetGraph
from routing.walk_rules import (
    DIJKSTRA_BATCH,
    Placement,
    junction_distances,
    place_points,
    through_junctions,
    walk_metres,
)

# Distance given to pairs of points with no street path between them (points snapped on
# different connected components). 10,000 km is far beyond any session's time budget,
# and a sum of a few such values still fits in int32.
UNREACHABLE_M = 10_000_000

# Rows of the distance matrix computed at once, to bound the work arrays' memory.
_ROW_BLOCK = 256

# Sources of ``street_walks_from`` measured at once: their searches' rows over the
# junctions (two per source) and their walks to every target bound the memory.
_SOURCE_BLOCK = 32

# The matrix's search keeps its predecessors for drawing paths while they take at most
# this many entries (4 bytes each). Past that, ``StreetWalks.paths`` runs its own search.
KEPT_PREDECESSORS_MAX = 16_000_000


@dataclass(frozen=True, eq=False)
class StreetWalks:
    """Walking distances between snapped points, and the walks behind them.

    ``distance_m[i, j]`` is the walk in whole metres from point ``i`` to point ``j``
    (``UNREACHABLE_M`` without a street path). ``paths`` draws any of these walks.
    """

    distance_m: NDArray[np.int32]
    graph: StreetGraph
    chains: StreetChains
    snaps: SnapResult
    placement: Placement
    sources: NDArray[np.int32]
    between: NDArray[np.float64]
    predecessors: NDArray[np.int32] | None

    def paths(self, legs: Sequence[tuple[int, int]]) -> list[tuple[GeoPoint, ...]]:
        """Return the walking polyline of each leg (from point ``i`` to point ``j``).

        Each polyline starts at the first point, joins the street at its projection,
        follows the vertices of the shortest walk and leaves the street towards the
        second point. A walk along the pavement skips the two projections.
        Raises ValueError for a leg whose points lie on different connected components.
        """
        paths: list[tuple[GeoPoint, ...]] = [()] * len(legs)
        by_exit: dict[int, list[tuple[int, int, int]]] = {}
        for k, leg in enumerate(legs):
            direct_m = self._direct_m(leg)
            x, y, via_m = self._best_exits(leg)
            # Like the matrix, two points of one edge always walk along it.
            same_edge = self.snaps.edge[leg[0]] == self.snaps.edge[leg[1]]
            if direct_m is not None and (same_edge or direct_m <= via_m):
                middle = self._direct_vertices(leg)
                paths[k] = self._leg_path(leg, street_m=direct_m, middle=middle)
            elif not np.isfinite(via_m):
                raise ValueError(f"no street path between points {leg[0]} and {leg[1]}")
            else:
                by_exit.setdefault(int(self.placement.exits[leg[0], x]), []).append((k, x, y))
        exits = sorted(by_exit)
        for first in range(0, len(exits), DIJKSTRA_BATCH):
            batch = exits[first : first + DIJKSTRA_BATCH]
            rows = self.predecessor_rows(np.asarray(batch, dtype=np.int64))
            for row, exit_row in zip(rows, batch, strict=True):
                for k, x, y in by_exit[exit_row]:
                    leg = legs[k]
                    middle = self._via_vertices(leg, x, y, row)
                    street_m = self._via_m(leg, x, y)
                    paths[k] = self._leg_path(leg, street_m=street_m, middle=middle)
        return paths

    def _direct_m(self, leg: tuple[int, int]) -> float | None:
        """Return the walk straight along the chain between the leg's projections.

        None when the points lie on different chains.
        """
        i, j = leg
        place = self.placement
        if self.snaps.edge[i] == self.snaps.edge[j]:
            return abs(float(place.to_u_m[i] - place.to_u_m[j]))
        if place.chain[i] != place.chain[j]:
            return None
        return abs(float(place.position_m[i] - place.position_m[j]))

    def _via_m(self, leg: tuple[int, int], x: int, y: int) -> float:
        i, j = leg
        place = self.placement
        middle = self.between[place.exits[i, x], place.exits[j, y]]
        return float(place.along[i, x] + middle + place.along[j, y])

    def _best_exits(self, leg: tuple[int, int]) -> tuple[int, int, float]:
        """Choose the exits of both chains that give the shortest walk through junctions.

        Of equal walks, the first exit into the second chain wins, then the first out
        of the first chain, as ``routing.junction_crossings`` picks them.
        """
        best, choice = np.inf, (0, 0)
        for y in (0, 1):
            for x in (0, 1):
                length = self._via_m(leg, x, y)
                if length < best:
                    best, choice = length, (x, y)
        return choice[0], choice[1], best

    def _direct_vertices(self, leg: tuple[int, int]) -> NDArray[np.int32]:
        """Return the chain's vertices between two points of one chain, in walking order."""
        i, j = leg
        place = self.placement
        chain, slot_i, slot_j = int(place.chain[i]), int(place.slot[i]), int(place.slot[j])
        if self.snaps.edge[i] == self.snaps.edge[j]:
            return np.zeros(0, dtype=np.int32)
        if slot_i < slot_j:
            return self.chains.vertices(chain, slot_i + 1, slot_j)
        return self.chains.vertices(chain, slot_i, slot_j + 1)

    def _via_vertices(
        self, leg: tuple[int, int], x: int, y: int, predecessors: NDArray[np.int32]
    ) -> NDArray[np.int32]:
        """Return the vertices walked from point i out through exit x and in through exit y.

        ``predecessors`` is the search's row for the junction of exit ``x``.
        """
        i, j = leg
        place, chains = self.placement, self.chains
        chain_i, chain_j = int(place.chain[i]), int(place.chain[j])
        slot_i, slot_j = int(place.slot[i]), int(place.slot[j])
        if x == 0:
            out = chains.vertices(chain_i, slot_i, 0)
        else:
            out = chains.vertices(chain_i, slot_i + 1, chains.slot_count(chain_i) - 1)
        start = int(chains.chain_ends[chain_i, x])
        junctions = [int(chains.chain_ends[chain_j, y])]
        while junctions[-1] != start:
            junctions.append(int(predecessors[junctions[-1]]))
        junctions.reverse()
        hops = [chains.hop_vertices(a, b)[1:] for a, b in pairwise(junctions)]
        if y == 0:
            into = chains.vertices(chain_j, 0, slot_j)
        else:
            into = chains.vertices(chain_j, chains.slot_count(chain_j) - 1, slot_j + 1)
        return np.concatenate([out, *hops, into]).astype(np.int32)

    def predecessor_rows(self, exit_rows: NDArray[np.int64]) -> NDArray[np.int32]:
        """Return the search's predecessor rows from the junctions of the given exits."""
        if self.predecessors is not None:
            return self.predecessors[exit_rows]
        _, predecessors = dijkstra(
            self.chains.junction_adjacency,
            directed=True,
            indices=self.sources[exit_rows],
            return_predecessors=True,
        )
        rows: NDArray[np.int32] = predecessors.astype(np.int32)
        return rows

    def _leg_path(
        self, leg: tuple[int, int], *, street_m: float, middle: NDArray[np.int32]
    ) -> tuple[GeoPoint, ...]:
        """Return the polyline of one leg, given the vertices walked between projections.

        ``street_m`` is the walk between the two projections; the rule that picks the
        pavement is the one the matrix applies.
        """
        i, j = leg
        graph, snaps = self.graph, self.snaps
        a, b = snaps.points[i], snaps.points[j]
        lon, lat = graph.node_lon[middle].tolist(), graph.node_lat[middle].tolist()
        inner = [GeoPoint(x, y) for x, y in zip(lon, lat, strict=True)]
        same_way = graph.edge_way[snaps.edge[i]] == graph.edge_way[snaps.edge[j]]
        if same_way and snaps.side[i] == snaps.side[j]:
            pavement = max(haversine_m(a, b), street_m)
            if pavement < snaps.offset_m[i] + street_m + snaps.offset_m[j]:
                return _dedupe([a, *inner, b])
        return _dedupe([a, snaps.snapped_point(i), *inner, snaps.snapped_point(j), b])


def street_walks(graph: StreetGraph, snaps: SnapResult, *, keep_paths: bool = True) -> StreetWalks:
    """Return the walking distances between every pair of snapped points.

    With ``keep_paths`` the search's predecessors are kept (up to
    ``KEPT_PREDECESSORS_MAX`` entries), so that ``StreetWalks.paths`` needs no new search.
    NOTE: the matrix grows with the square of the point count (4 bytes a pair, 100 MB
    for 5,000 points). The work arrays stay bounded because rows are computed in blocks.
    """
    chains = street_chains(graph)
    placement, sources = place_points(graph, chains, snaps)
    keep = keep_paths and sources.shape[0] * chains.junction_count <= KEPT_PREDECESSORS_MAX
    between, predecessors = junction_distances(chains, sources, sources, keep_predecessors=keep)
    distance_m = _distance_matrix(placement, between)
    return StreetWalks(
        distance_m=distance_m,
        graph=graph,
        chains=chains,
        snaps=snaps,
        placement=placement,
        sources=sources,
        between=between,
        predecessors=predecessors,
    )


def _distance_matrix(placement: Placement, between: NDArray[np.float64]) -> NDArray[np.int32]:
    """Return the whole-metre walks between every pair of points, a block of rows at a time."""
    count = len(placement)
    result = np.empty((count, count), dtype=np.int32)
    for first in range(0, count, _ROW_BLOCK):
        rows = np.arange(first, min(first + _ROW_BLOCK, count))
        total = walk_metres(placement.take(rows), placement, between)
        total[np.arange(rows.shape[0]), rows] = 0.0
        np.rint(total, out=total)
        np.minimum(total, UNREACHABLE_M, out=total)
        result[rows] = total
    return result


def street_walks_from(
    graph: StreetGraph, sources: SnapResult, targets: SnapResult, *, limit_m: float = math.inf
) -> NDArray[np.float64]:
    """Return the walk in metres from each source point (rows) to each target point.

    Meant for a few sources and many targets, such as meeting points and homes: the
    searches run from the sources' chain ends only and stop at ``limit_m``. The walks
    follow the rules of ``street_walks``, unrounded, and are inf without a street path.
    Walks of at most ``limit_m`` are exact. A longer walk is inf when the edges of its
    two points lie more than ``limit_m`` apart along the streets. Otherwise it may come
    out longer than it is, because the search stopped before its shortest path.
    """
    chains = street_chains(graph)
    columns, column_junctions = place_points(graph, chains, targets)
    result = np.empty((len(sources), len(targets)), dtype=np.float64)
    for first in range(0, len(sources), _SOURCE_BLOCK):
        block = sources.subset(np.arange(first, min(first + _SOURCE_BLOCK, len(sources))))
        rows, row_junctions = place_points(graph, chains, block)
        between, _ = junction_distances(chains, row_junctions, column_junctions, limit_m=limit_m)
        walks = walk_metres(rows, columns, between)
        if math.isfinite(limit_m):
            walks[_edge_gap_m(rows, columns, between) > limit_m] = np.inf
        result[first : first + len(block)] = walks
    return result


def _edge_gap_m(
    rows: Placement, columns: Placement, between: NDArray[np.float64]
) -> NDArray[np.float64]:
    """Return the shortest walk from each row point's edge to each column point's edge.

    The walk runs from either end of one edge to either end of the other: through the
    junctions, or straight along a chain both edges belong to (zero for one edge).
    """
    gap = through_junctions(rows.exits, rows.beyond_m, columns.exits, columns.beyond_m, between)
    row, col = np.nonzero(rows.chain[:, None] == columns.chain[None, :])
    forward = columns.edge_ends_m[col, 0] - rows.edge_ends_m[row, 1]
    backward = rows.edge_ends_m[row, 0] - columns.edge_ends_m[col, 1]
    direct = np.maximum(np.maximum(forward, backward), 0.0)
    gap[row, col] = np.minimum(gap[row, col], direct)
    return gap


def _dedupe(points: list[GeoPoint]) -> tuple[GeoPoint, ...]:
    """Drop consecutive repeated points."""
    result = [points[0]]
    for point in points[1:]:
        if point != result[-1]:
            result.append(point)
    return tuple(result)
