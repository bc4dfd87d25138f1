"""The walk between two snapped points, worked out from distances between junctions.

Module ``routing.streets`` states the rules. A point reaches its street through its
offset and walks along its chain (``routing.street_chains``) to one of the chain's two
end junctions. Two points of one chain may also walk straight along it, and two points
of one edge always do. Two points on one side of one way may walk along the pavement.

The square matrix between doors and the walks from a few meeting points to many homes
(both in ``routing.street_walks``) apply these rules through ``walk_metres``, so that
both give the same metres for the same two points.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, fields, replace

import numpy as np
from numpy.typing import NDArray
from scipy.sparse.csgraph import dijkstra

from routing.snapping import SnapResult
from routing.street_chains import StreetChains
from routing.street_graph import StreetGraph, haversine_m_array

# Dijkstra runs from this many source junctions at a time, to bound the memory of its
# (sources x junctions) result on large graphs.
DIJKSTRA_BATCH = 64


@dataclass(frozen=True, eq=False)
class Placement:
    """The position of each snapped point on its chain, and what the walk rules read of it.

    ``exits`` contains the positions, in the junction array returned with the placement,
    of the chain's start and end junctions, and ``along`` the metres from the point's
    projection to each. ``position_m`` is the projection's metres from the chain's start,
    ``to_u_m`` from its edge's first vertex. ``edge_ends_m`` gives the chain metres of
    both ends of the point's edge, in chain order, and ``beyond_m`` the metres from
    those ends out to the chain's start and end junctions. The other fields come from the
    snap: ``way`` is the edge's way, ``lon`` and ``lat`` the point itself.
    """

    chain: NDArray[np.int32]
    slot: NDArray[np.int32]
    position_m: NDArray[np.float64]
    to_u_m: NDArray[np.float64]
    exits: NDArray[np.int64]
    along: NDArray[np.float64]
    edge_ends_m: NDArray[np.float64]
    beyond_m: NDArray[np.float64]
    edge: NDArray[np.int32]
    way: NDArray[np.int32]
    side: NDArray[np.int8]
    offset_m: NDArray[np.float64]
    lon: NDArray[np.float64]
    lat: NDArray[np.float64]

    def __len__(self) -> int:
        return int(self.chain.shape[0])

    def take(self, rows: NDArray[np.int64]) -> Placement:
        """Return the placement of the given points; their exits keep their positions."""
        return replace(
            self, **{field.name: getattr(self, field.name)[rows] for field in fields(self)}
        )


def place_points(
    graph: StreetGraph, chains: StreetChains, snaps: SnapResult
) -> tuple[Placement, NDArray[np.int32]]:
    """Place each point on its chain; return the placement and its exit junctions."""
    edge = snaps.edge.astype(np.int64)
    edge_m = graph.edge_length_m[edge]
    to_u = snaps.fraction * edge_m
    chain = chains.edge_chain[edge]
    slot = chains.edge_slot[edge]
    slot_m = chains.vertex_m[chains.chain_first[chain] + slot]
    position = slot_m + np.where(chains.edge_forward[edge], to_u, edge_m - to_u)
    length = chains.chain_length_m(chain.astype(np.int64))
    junctions, exits = np.unique(chains.chain_ends[chain], return_inverse=True)
    placement = Placement(
        chain=chain,
        slot=slot,
        position_m=position,
        to_u_m=to_u,
        exits=exits.reshape(-1, 2).astype(np.int64),
        along=np.column_stack([position, length - position]),
        edge_ends_m=np.column_stack([slot_m, slot_m + edge_m]),
        beyond_m=np.column_stack([slot_m, np.maximum(length - slot_m - edge_m, 0.0)]),
        edge=snaps.edge,
        way=graph.edge_way[snaps.edge],
        side=snaps.side,
        offset_m=snaps.offset_m,
        lon=np.array([p.lon for p in snaps.points], dtype=np.float64),
        lat=np.array([p.lat for p in snaps.points], dtype=np.float64),
    )
    return placement, junctions.astype(np.int32)


def junction_distances(
    chains: StreetChains,
    sources: NDArray[np.int32],
    targets: NDArray[np.int32],
    *,
    keep_predecessors: bool = False,
    limit_m: float = math.inf,
) -> tuple[NDArray[np.float64], NDArray[np.int32] | None]:
    """Return shortest-path metres from the source junctions to the target junctions.

    One search runs per source junction, and stops at ``limit_m``: farther targets get
    inf. With ``keep_predecessors`` the searches' predecessors are returned as well.
    """
    count = sources.shape[0]
    between = np.empty((count, targets.shape[0]), dtype=np.float64)
    kept = np.empty((count, chains.junction_count), dtype=np.int32) if keep_predecessors else None
    for start in range(0, count, DIJKSTRA_BATCH):
        batch = sources[start : start + DIJKSTRA_BATCH]
        # The adjacency matrix is symmetric, so the directed search is the undirected one
        # without scipy building the transpose.
        if kept is None:
            distances = dijkstra(
                chains.junction_adjacency, directed=True, indices=batch, limit=limit_m
            )
        else:
            distances, predecessors = dijkstra(
                chains.junction_adjacency,
                directed=True,
                indices=batch,
                return_predecessors=True,
                limit=limit_m,
            )
            kept[start : start + batch.shape[0]] = predecessors
        between[start : start + batch.shape[0]] = distances[:, targets]
    return between, kept


def walk_metres(
    rows: Placement, columns: Placement, between: NDArray[np.float64]
) -> NDArray[np.float64]:
    """Return the walk in metres from each row point to each column point.

    ``between[r, c]`` contains the metres from the rows' junction ``r`` to the columns'
    junction ``c``, inf when there is no path. Walks without a street path are inf.
    """
    best = through_junctions(rows.exits, rows.along, columns.exits, columns.along, between)
    _walk_along_chains(rows, columns, best)
    total = rows.offset_m[:, None] + best
    total += columns.offset_m[None, :]
    _walk_along_pavements(rows, columns, best=best, total=total)
    return total


def through_junctions(
    row_exits: NDArray[np.int64],
    row_along: NDArray[np.float64],
    column_exits: NDArray[np.int64],
    column_along: NDArray[np.float64],
    between: NDArray[np.float64],
) -> NDArray[np.float64]:
    """Return the shortest walk from each row to each column out and in through exits.

    A row's walk to each column junction, through the better of its own two exits, is
    worked out first over the few junctions. Each pair then only adds the walk in from
    the better exit of the column.
    """
    out = np.minimum(
        row_along[:, 0][:, None] + between[row_exits[:, 0]],
        row_along[:, 1][:, None] + between[row_exits[:, 1]],
    )
    best = out[:, column_exits[:, 0]]
    best += column_along[:, 0][None, :]
    into = out[:, column_exits[:, 1]]
    into += column_along[:, 1][None, :]
    np.minimum(best, into, out=best)
    return best


def _walk_along_chains(rows: Placement, columns: Placement, best: NDArray[np.float64]) -> None:
    """Let pairs of one chain walk straight along it, and pairs of one edge always do.

    ``best`` contains the walks between the projections and is updated in place.
    """
    row, col = np.nonzero(rows.chain[:, None] == columns.chain[None, :])
    direct = np.abs(rows.position_m[row] - columns.position_m[col])
    walk = np.minimum(best[row, col], direct)
    same_edge = rows.edge[row] == columns.edge[col]
    along_edge = np.abs(rows.to_u_m[row] - columns.to_u_m[col])
    best[row, col] = np.where(same_edge, along_edge, walk)


def _walk_along_pavements(
    rows: Placement,
    columns: Placement,
    *,
    best: NDArray[np.float64],
    total: NDArray[np.float64],
) -> None:
    """Let pairs on one side of one way walk along the pavement when that is shorter.

    ``best`` contains the walks between projections and ``total`` the walks between the
    points. ``total`` is updated in place. Such pairs are a few per row, so only they
    get a straight-line distance.
    """
    same_way = rows.way[:, None] == columns.way[None, :]
    same_side = same_way & (rows.side[:, None] == columns.side[None, :])
    row, col = np.nonzero(same_side)
    straight = haversine_m_array(rows.lon[row], rows.lat[row], columns.lon[col], columns.lat[col])
    pavement = np.maximum(straight, best[row, col])
    total[row, col] = np.minimum(total[row, col], pavement)
