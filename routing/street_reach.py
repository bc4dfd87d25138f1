"""Walking distances along the streets from many homes to a few meeting points.

Dijkstra runs from the end vertices of the meeting points' edges only (two per meeting
point), a block of meeting points at a time, and stops at the largest walking budget.
Each run's rows are read at the homes' end vertices, so memory grows with (meeting
points in a block × graph vertices), never with homes × vertices. A walk is measured as
in ``routing.streets.snapped_distance_matrix``: offsets to the streets, the walk along
both edges and the shortest path between them, or the pavement for two points on the
same side of one way.

A home or a meeting point farther than ``max_offset_m`` from the main street network
gets NaN, so that the caller can fall back to the straight line.
"""

from collections.abc import Sequence

import numpy as np
from numpy.typing import NDArray
from scipy.sparse.csgraph import dijkstra

from routing.assignment_travel import walking_budget_m
from routing.assignment_types import SessionInput, VolunteerInput
from routing.geo import GeoPoint
from routing.snapping import SnapResult
from routing.street_graph import StreetGraph, haversine_m_array
from routing.streets import edge_ends
from routing.walking_table import WalkingTable

# Beyond this the home or meeting point is taken to be off the mapped streets (a new
# estate, a park, a bad geocode), and the straight-line estimate is safer.
MAX_OFFSET_M = 500.0

# Meeting points per Dijkstra run: at most twice as many sources, whose rows of
# float64 over every vertex are the largest array (64 rows for 100,000 vertices: 51 MB).
_POINT_BLOCK = 32


def build_walking_table(
    graph: StreetGraph,
    volunteers: Sequence[VolunteerInput],
    sessions: Sequence[SessionInput],
    *,
    max_offset_m: float = MAX_OFFSET_M,
) -> WalkingTable | None:
    """Measure the walk from each walking volunteer's home to each meeting point.

    Only volunteers with a walking-time limit and a home get a row, the others NaN.
    Returns None when no volunteer has such a limit or there is no session.
    """
    budgets = [walking_budget_m(v) for v in volunteers]
    homes = [
        v.home if budget is not None else None
        for v, budget in zip(volunteers, budgets, strict=True)
    ]
    if not sessions or all(home is None for home in homes):
        return None
    limit_m = max(budget for budget in budgets if budget is not None)
    metres = walking_metres(
        graph,
        homes,
        [s.meeting_point for s in sessions],
        limit_m=float(limit_m),
        max_offset_m=max_offset_m,
    )
    return WalkingTable(metres.astype(np.float32))


def walking_metres(
    graph: StreetGraph,
    homes: Sequence[GeoPoint | None],
    points: Sequence[GeoPoint],
    *,
    limit_m: float,
    max_offset_m: float = MAX_OFFSET_M,
) -> NDArray[np.float64]:
    """Return the walk in metres from each home (rows) to each point (columns).

    Walks whose path between vertices exceeds ``limit_m`` are infinite. Rows of homes
    that are None and cells involving a home or point off the streets are NaN.
    """
    result = np.full((len(homes), len(points)), np.nan)
    present = [(i, home) for i, home in enumerate(homes) if home is not None]
    if not present or not points:
        return result
    home_rows = np.array([i for i, _ in present], dtype=np.int64)
    home_snaps = graph.snap([home for _, home in present])
    point_snaps = graph.snap(points)
    home_kept = np.flatnonzero(home_snaps.offset_m <= max_offset_m)
    point_kept = np.flatnonzero(point_snaps.offset_m <= max_offset_m)
    if home_kept.shape[0] == 0 or point_kept.shape[0] == 0:
        return result
    homes_on = home_snaps.subset(home_kept)
    rows = home_rows[home_kept]
    for start in range(0, point_kept.shape[0], _POINT_BLOCK):
        columns = point_kept[start : start + _POINT_BLOCK]
        block = _block_metres(graph, point_snaps.subset(columns), homes_on, limit_m)
        result[np.ix_(rows, columns)] = block.T
    return result


def _block_metres(
    graph: StreetGraph, points: SnapResult, homes: SnapResult, limit_m: float
) -> NDArray[np.float64]:
    """Return walks from a block of snapped points (rows) to snapped homes (columns)."""
    point_ends, point_along = edge_ends(graph, points)
    home_ends, home_along = edge_ends(graph, homes)
    sources, source_row = np.unique(point_ends, return_inverse=True)
    source_row = source_row.reshape(point_ends.shape)

    # The adjacency matrix is symmetric, so the directed search is the undirected one
    # without scipy building the transpose.
    from_sources = dijkstra(graph.adjacency, directed=True, indices=sources, limit=limit_m)
    at_homes = from_sources[:, home_ends]  # sources x homes x 2 end vertices
    best = np.full((len(points), len(homes)), np.inf)
    for x in (0, 1):
        for y in (0, 1):
            walk = (
                point_along[:, x][:, None]
                + at_homes[source_row[:, x], :, y]
                + home_along[:, y][None, :]
            )
            np.minimum(best, walk, out=best)

    same_edge = points.edge[:, None] == homes.edge[None, :]
    along_edge = np.abs(point_along[:, 0][:, None] - home_along[:, 0][None, :])
    best = np.where(same_edge, along_edge, best)
    total = points.offset_m[:, None] + best + homes.offset_m[None, :]

    straight = haversine_m_array(
        np.array([p.lon for p in points.points])[:, None],
        np.array([p.lat for p in points.points])[:, None],
        np.array([h.lon for h in homes.points])[None, :],
        np.array([h.lat for h in homes.points])[None, :],
    )
    same_side = (graph.edge_way[points.edge][:, None] == graph.edge_way[homes.edge][None, :]) & (
        points.side[:, None] == homes.side[None, :]
    )
    pavement = np.maximum(straight, best)
    result: NDArray[np.float64] = np.where(same_side, np.minimum(total, pavement), total)
    return result
