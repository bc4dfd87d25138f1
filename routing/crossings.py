"""The cost of crossing a busy road, added to a walk's metres in the objective.

Both sides of a wide road are canvassed as separate stops (``routing.segments``), so a
walk crosses it when it moves from a door on one side to a door on the other. Each such
move costs ``CROSSING_PENALTY_M`` in the solver's objective. A walk therefore does one
side, then crosses once, unless zig-zagging saves more than the penalty. The penalty never counts
in a route's length or time.

NOTE: only moves between doors of the same wide road are priced. A walk that crosses a
wide road at a junction on its way to another street crosses for free.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from routing.segments import WIDE_HIGHWAYS
from routing.snapping import SnapResult
from routing.street_graph import StreetGraph

# About a minute waiting for a gap or a green light, in metres walked at 70 m/min.
CROSSING_PENALTY_M = 70


def crossing_penalties(graph: StreetGraph, door_snaps: SnapResult) -> NDArray[np.int64]:
    """Return the penalty of each move between matrix nodes; node 0 is the meeting point.

    Node ``d + 1`` is door ``d`` of ``door_snaps``. A move costs ``CROSSING_PENALTY_M``
    when both doors stand on the same wide road, on opposite sides.
    """
    count = len(door_snaps) + 1
    penalties = np.zeros((count, count), dtype=np.int64)
    edges = door_snaps.edge
    is_wide = np.array([graph.edge_highway[e] in WIDE_HIGHWAYS for e in edges], dtype=bool)
    wide = np.flatnonzero(is_wide & (door_snaps.side != 0))
    if wide.size < 2:
        return penalties
    way = graph.edge_way[edges[wide]]
    side = door_snaps.side[wide]
    across = (way[:, None] == way[None, :]) & (side[:, None] != side[None, :])
    rows, cols = np.nonzero(across)
    penalties[wide[rows] + 1, wide[cols] + 1] = CROSSING_PENALTY_M
    return penalties
