"""Walking distances between snapped points, and the paths behind them, through chains.

A point lies on one chain of the street graph (``routing.street_chains``). A walk to a
point of another chain leaves along its chain to one of the chain's two end junctions,
follows the shortest path between junctions and comes in along the other chain. Two
points of one chain may also walk straight along it, and two points of one edge always
do. Module ``routing.streets`` states the pavement and offset rules this module applies.

One Dijkstra search per end junction of the points, on the junction graph, gives both
the matrix and, through its predecessors, the paths, so drawing the plan's walks needs no
second search.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from itertools import pairwise

import numpy as np
from numpy.typing import NDArray
from scipy.sparse.csgraph import dijkstra

from routing.geo import GeoPoint, haversine_m
from routing.snapping import SnapResult
from routing.street_chains import StreetChains, street_chains
from routing.street_graph import StreetGraph, haversine_m_array

# Distance given to pairs of points with no street path between them (points snapped on
# different connected components). 10,000 km is far beyond any session's time budget,
# and a sum of a few such values still fits in int32.
UNREACHABLE_M = 10_000_000

# Dijkstra runs from this many source junctions at a time, to bound the memory of its
# (sources x junctions) result on large graphs.
_DIJKSTRA_BATCH = 64

# Rows of the distance matrix computed at once, to bound the work arrays' memory.
_ROW_BLOCK = 256

# The matrix's search keeps its predecessors for drawing paths while they take at most
# this many entries (4 bytes each). Past that, ``StreetWalks.paths`` runs its own search.
KEPT_PREDECESSORS_MAX = 16_000_000


@dataclass(frozen=True, eq=False)
class _Placement:
    """The position of each point on its chain.

    ``exits`` contains the rows of ``between`` for the chain's start and end junctions, and
    ``along`` the metres from the point's projection to each. ``position_m`` is the
    projection's metres from the chain's start, ``to_u_m`` from its edge's first vertex.
    """

    chain: NDArray[np.int32]
    slot: NDArray[np.int32]
    position_m: NDArray[np.float64]
    to_u_m: NDArray[np.float64]
    exits: NDArray[np.int64]
    along: NDArray[np.float64]


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
    placement: _Placement
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
        for first in range(0, len(exits), _DIJKSTRA_BATCH):
            batch = exits[first : first + _DIJKSTRA_BATCH]
            rows = self._predecessor_rows(np.asarray(batch, dtype=np.int64))
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
        """Choose the exits of both chains that give the shortest walk through junctions."""
        best, choice = np.inf, (0, 0)
        for x in (0, 1):
            for y in (0, 1):
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

    def _predecessor_rows(self, exit_rows: NDArray[np.int64]) -> NDArray[np.int32]:
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
    placement, sources = _place(graph, chains, snaps)
    keep = keep_paths and sources.shape[0] * chains.junction_count <= KEPT_PREDECESSORS_MAX
    between, predecessors = _junction_distances(chains, sources, keep_predecessors=keep)
    distance_m = _distance_matrix(graph, snaps, placement, between)
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


def _place(
    graph: StreetGraph, chains: StreetChains, snaps: SnapResult
) -> tuple[_Placement, NDArray[np.int32]]:
    """Place each point on its chain; return the placement and the exit junctions.

    The exits' rows in ``between`` are positions in the returned junction array.
    """
    edge = snaps.edge.astype(np.int64)
    edge_m = graph.edge_length_m[edge]
    to_u = snaps.fraction * edge_m
    chain = chains.edge_chain[edge]
    slot = chains.edge_slot[edge]
    slot_m = chains.vertex_m[chains.chain_first[chain] + slot]
    position = slot_m + np.where(chains.edge_forward[edge], to_u, edge_m - to_u)
    length = chains.chain_length_m(chain.astype(np.int64))
    sources, exits = np.unique(chains.chain_ends[chain], return_inverse=True)
    placement = _Placement(
        chain=chain,
        slot=slot,
        position_m=position,
        to_u_m=to_u,
        exits=exits.reshape(-1, 2).astype(np.int64),
        along=np.column_stack([position, length - position]),
    )
    return placement, sources.astype(np.int32)


def _junction_distances(
    chains: StreetChains, sources: NDArray[np.int32], *, keep_predecessors: bool
) -> tuple[NDArray[np.float64], NDArray[np.int32] | None]:
    """Return shortest-path metres between the given junctions, and the predecessors."""
    count = sources.shape[0]
    between = np.empty((count, count), dtype=np.float64)
    kept = np.empty((count, chains.junction_count), dtype=np.int32) if keep_predecessors else None
    for start in range(0, count, _DIJKSTRA_BATCH):
        batch = sources[start : start + _DIJKSTRA_BATCH]
        # The adjacency matrix is symmetric, so the directed search is the undirected one
        # without scipy building the transpose.
        if kept is None:
            distances = dijkstra(chains.junction_adjacency, directed=True, indices=batch)
        else:
            distances, predecessors = dijkstra(
                chains.junction_adjacency, directed=True, indices=batch, return_predecessors=True
            )
            kept[start : start + batch.shape[0]] = predecessors
        between[start : start + batch.shape[0]] = distances[:, sources]
    return between, kept


def _distance_matrix(
    graph: StreetGraph,
    snaps: SnapResult,
    placement: _Placement,
    between: NDArray[np.float64],
) -> NDArray[np.int32]:
    """Return the whole-metre walks between every pair of points, a block of rows at a time.

    A row point's walk to each exit junction, through the better of its own two exits,
    is worked out first over the few junctions. Each pair then only adds the walk in from
    the better exit of the second point.
    """
    count = len(snaps)
    exits, along = placement.exits, placement.along
    lon = np.array([p.lon for p in snaps.points])
    lat = np.array([p.lat for p in snaps.points])
    way = graph.edge_way[snaps.edge]
    result = np.empty((count, count), dtype=np.int32)
    for first in range(0, count, _ROW_BLOCK):
        rows = np.arange(first, min(first + _ROW_BLOCK, count))
        out = np.minimum(
            along[rows, 0][:, None] + between[exits[rows, 0]],
            along[rows, 1][:, None] + between[exits[rows, 1]],
        )
        best = out[:, exits[:, 0]]
        best += along[:, 0][None, :]
        into = out[:, exits[:, 1]]
        into += along[:, 1][None, :]
        np.minimum(best, into, out=best)
        del out, into
        _walk_along_chains(snaps, placement, rows, best)
        total = snaps.offset_m[rows][:, None] + best
        total += snaps.offset_m[None, :]
        _walk_along_pavements(way, snaps.side, (lon, lat), rows, best=best, total=total)
        total[np.arange(rows.shape[0]), rows] = 0.0
        np.rint(total, out=total)
        np.minimum(total, UNREACHABLE_M, out=total)
        result[rows] = total
    return result


def _walk_along_chains(
    snaps: SnapResult, placement: _Placement, rows: NDArray[np.int64], best: NDArray[np.float64]
) -> None:
    """Let pairs of one chain walk straight along it, and pairs of one edge always do.

    ``best`` holds the walks between projections of the block's rows; it is updated in
    place.
    """
    row, col = np.nonzero(placement.chain[rows][:, None] == placement.chain[None, :])
    i = rows[row]
    direct = np.abs(placement.position_m[i] - placement.position_m[col])
    walk = np.minimum(best[row, col], direct)
    same_edge = snaps.edge[i] == snaps.edge[col]
    along_edge = np.abs(placement.to_u_m[i] - placement.to_u_m[col])
    best[row, col] = np.where(same_edge, along_edge, walk)


def _walk_along_pavements(
    way: NDArray[np.int32],
    side: NDArray[np.int8],
    lonlat: tuple[NDArray[np.float64], NDArray[np.float64]],
    rows: NDArray[np.int64],
    *,
    best: NDArray[np.float64],
    total: NDArray[np.float64],
) -> None:
    """Let pairs on one side of one way walk along the pavement when that is shorter.

    ``best`` contains the walks between projections and ``total`` the walks between the
    points. ``total`` is updated in place. Such pairs are a few per row, so only they
    get a straight-line distance.
    """
    same_side = (way[rows][:, None] == way[None, :]) & (side[rows][:, None] == side[None, :])
    row, col = np.nonzero(same_side)
    lon, lat = lonlat
    straight = haversine_m_array(lon[rows[row]], lat[rows[row]], lon[col], lat[col])
    pavement = np.maximum(straight, best[row, col])
    total[row, col] = np.minimum(total[row, col], pavement)


def _dedupe(points: list[GeoPoint]) -> tuple[GeoPoint, ...]:
    """Drop consecutive repeated points."""
    result = [points[0]]
    for point in points[1:]:
        if point != result[-1]:
            result.append(point)
    return tuple(result)
