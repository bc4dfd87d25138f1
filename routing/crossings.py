"""The cost of crossing a busy road, added to a walk's metres in the objective.

Both sides of a wide road are canvassed as separate stops (``routing.segments``), so a
walk crosses it when it moves from a door on one side to a door on the other. A walk
also crosses one when it turns, at a junction, from a street on one side of it into a
street on the other (``routing.junction_crossings``). Each crossing costs
``CROSSING_PENALTY_M`` in the solver's objective. A walk therefore does one side, then
crosses once, unless zig-zagging saves more than the penalty. The penalty never counts
in a route's length or time.

NOTE: a walk along a wide road that turns off it into a side street crosses for free,
as does a walk from a side street to a door on the far side of the wide road
(``routing.junction_crossings`` says why).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from routing.junction_crossings import junction_crossings
from routing.segments import WIDE_HIGHWAYS
from routing.snapping import SnapResult
from routing.street_graph import StreetGraph
from routing.street_walks import StreetWalks

# About a minute waiting for a gap or a green light, in metres walked at 70 m/min.
CROSSING_PENALTY_M = 70


def crossing_counts(walks: StreetWalks) -> NDArray[np.int32]:
    """Return how many busy roads the walk between each pair of the walks' points crosses.

    Moves between two points on opposite sides of one wide road count one, and so does
    each wide road crossed at a junction on the way.
    """
    counts = junction_crossings(walks)
    counts += same_road_crossings(walks.graph, walks.snaps)
    return counts


def crossing_penalties(walks: StreetWalks) -> NDArray[np.int64]:
    """Return the objective's penalty for each move between the walks' points."""
    penalties: NDArray[np.int64] = crossing_counts(walks).astype(np.int64) * CROSSING_PENALTY_M
    return penalties


def same_road_crossings(graph: StreetGraph, snaps: SnapResult) -> NDArray[np.int32]:
    """Return 1 for each pair of points on opposite sides of the same wide road, else 0."""
    count = len(snaps)
    crossings = np.zeros((count, count), dtype=np.int32)
    edges = snaps.edge
    is_wide = np.array([graph.edge_highway[e] in WIDE_HIGHWAYS for e in edges], dtype=bool)
    wide = np.flatnonzero(is_wide & (snaps.side != 0))
    if wide.size < 2:
        return crossings
    way = graph.edge_way[edges[wide]]
    side = snaps.side[wide]
    across = (way[:, None] == way[None, :]) & (side[:, None] != side[None, :])
    rows, cols = np.nonzero(across)
    crossings[wide[rows], wide[cols]] = 1
    return crossings
