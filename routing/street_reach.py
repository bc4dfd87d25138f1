"""Walking distances along the streets from many homes to a few meeting points.

The walks are measured by ``routing.street_walks.street_walks_from``, with the rules of
the walking matrices between doors: its searches run from the meeting points only and
stop at the largest walking budget, so memory grows with meeting points × junctions,
never with homes × junctions.

A home or a meeting point farther than ``max_offset_m`` from the main street network
gets NaN, so that the caller can fall back to the straight line.
"""

from collections.abc import Sequence

import numpy as np
from numpy.typing import NDArray

from routing.assignment_travel import walking_budget_m
from routing.assignment_types import SessionInput, VolunteerInput
from routing.geo import GeoPoint
from routing.street_graph import StreetGraph
from routing.street_walks import street_walks_from
from routing.walking_table import WalkingTable

# Beyond this the home or meeting point is taken to be off the mapped streets (a new
# estate, a park, a bad geocode), and the straight-line estimate is safer.
MAX_OFFSET_M = 500.0


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

    Walks of at most ``limit_m`` are exact. Longer ones may come out longer than they
    are, and are infinite when the home's edge and the point's lie more than ``limit_m``
    apart along the streets. Rows of homes that are None and cells involving a home or
    point off the streets are NaN.
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
    walks = street_walks_from(
        graph, point_snaps.subset(point_kept), home_snaps.subset(home_kept), limit_m=limit_m
    )
    result[np.ix_(home_rows[home_kept], point_kept)] = walks.T
    return result
