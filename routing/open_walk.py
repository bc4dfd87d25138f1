"""Reorder a walk that ends somewhere else than it starts, with the closed-walk search.

A walk from the meeting point to a stop of its own is a path with fixed ends. The walk
search (``routing.walk_search``) improves cycles through node 0 on symmetric distances,
so the path is turned into a cycle. The stop is added as one more node, joined to node 0
at no cost, and every other edge of the stop costs ``detour`` more. Any cycle that does
not go straight from the stop back to node 0 pays ``detour`` twice, which is more than
any walk can save. The search never lengthens a cycle, so it keeps the stop next to
node 0.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from routing.walk_search import improve_walk


def improve_walk_to_end(
    distance_m: NDArray[np.integer],
    walk: tuple[int, ...],
    *,
    time_limit_s: float,
    max_kicks: int | None = None,
) -> tuple[int, ...]:
    """Return the walk's nodes in a shorter or equal order, from node 0 to the end point.

    ``distance_m[0, x]`` is the walk from the meeting point to node ``x``, and
    ``distance_m[x, 0]`` the walk from ``x`` to the end point. Distances between other
    nodes must be symmetric.
    """
    if len(walk) < 2:
        return walk
    nodes = np.array([0, *walk], dtype=np.int64)
    local = distance_m[np.ix_(nodes, nodes)].astype(np.int64)
    count = len(walk)
    end = count + 1
    detour = int(local.max()) * (count + 2) + 1
    cycle = np.zeros((count + 2, count + 2), dtype=np.int64)
    cycle[: count + 1, : count + 1] = local
    cycle[1:end, 0] = local[0, 1:]
    cycle[1:end, end] = local[1:, 0] + detour
    cycle[end, 1:end] = local[1:, 0] + detour
    order = improve_walk(
        cycle, tuple(range(1, end + 1)), time_limit_s=time_limit_s, max_kicks=max_kicks
    )
    if order[-1] == end:
        doors = order[:-1]
    else:
        # The cycle came back the other way round: node 0, the end point, then the doors.
        doors = order[1:][::-1]
    return tuple(walk[node - 1] for node in doors)
