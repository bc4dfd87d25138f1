"""One walk through every door: the order of a single walk list, with no time limit.

The walk is built in two steps. OR-Tools gives a first walk: from
``STREET_STOPS_MIN_DOORS`` doors on it orders street stops (see ``routing.segments``)
for a short share of the time, which lays the walk along the streets; below that it
takes the routing model's first solution door by door. The walk search
(``routing.walk_search``: 2-opt and Or-opt moves with small kicks) then reorders the
doors one by one for the rest of the time.
"""

from __future__ import annotations

import time
from dataclasses import replace

import numpy as np
from numpy.typing import NDArray

from routing.open_walk import improve_walk_to_end
from routing.segments import VisitOptions, single_door_stops, street_stops, visit_options
from routing.snapping import SnapResult
from routing.status import SolveStatus
from routing.street_graph import StreetGraph
from routing.turf_model import TurfModelInput, solve_from_best_start, solve_turf_model
from routing.walk_search import improve_walk

STREET_STOPS_MIN_DOORS = 300
# Share of the time limit spent ordering street stops, and the walk search gets the rest.
# A tenth of the time on stops led to shorter walks than a walk search started from the
# nearest-neighbour walk. One run each with the full budget gave 16,021 m against
# 16,054 m on the 1,000-door grid, 25,101 m against 25,274 m on 1,000 Bondy doors and
# 49,382 m against 49,615 m on the 3,000-door grid (kicks of at most 50 nodes then).
STOPS_TIME_SHARE = 0.1

# Doors in one street stop: a whole block face of houses on a narrow street.
STOP_MAX_DOORS = 16

# First solutions tried on street stops before the search, which starts from the shorter
# one. Door by door, ``PATH_CHEAPEST_ARC`` alone gave the shorter 100-door walks in 1 s.
STOP_FIRST_SOLUTIONS = ("path_cheapest_arc", "savings")


def order_walk(
    graph: StreetGraph,
    snaps: SnapResult,
    distance_m: NDArray[np.int32],
    *,
    time_limit_s: float,
    solution_limit: int | None = None,
) -> tuple[int, ...]:
    """Return every door's matrix node in walking order, starting after node 0.

    ``snaps`` and ``distance_m`` cover the meeting point (node 0) then the doors.
    Raises RuntimeError if the solver finds no walk within its limits.
    """
    started = time.perf_counter()
    count = distance_m.shape[0] - 1
    if count == 0:
        return ()
    by_stops = count >= STREET_STOPS_MIN_DOORS
    door_snaps = snaps.subset(np.arange(1, count + 1))
    stops = (
        street_stops(graph, door_snaps, max_doors=STOP_MAX_DOORS)
        if by_stops
        else single_door_stops(count)
    )
    options = visit_options(stops, distance_m)
    model = walk_model_input(
        options, time_limit_s=time_limit_s * STOPS_TIME_SHARE, solution_limit=solution_limit
    )
    outcome = (
        solve_from_best_start(model, STOP_FIRST_SOLUTIONS)
        if by_stops
        else solve_turf_model(replace(model, solution_limit=1))
    )
    if outcome.status is not SolveStatus.FEASIBLE or not outcome.team_nodes:
        raise RuntimeError(f"no walk found through {count} doors: {outcome.status}")
    walk = tuple(door for node in outcome.team_nodes[0] for door in options.sequences[node - 1])
    # Door by door from the first walk: it may now leave a street stop half-way.
    walk = polish_walk(
        distance_m,
        walk,
        time_limit_s=time_limit_s - (time.perf_counter() - started),
        solution_limit=solution_limit,
    )
    if sorted(walk) != list(range(1, count + 1)):
        raise RuntimeError("the walk does not visit every door exactly once")
    return walk


def polish_walk(
    distance_m: NDArray[np.integer],
    walk: tuple[int, ...],
    *,
    time_limit_s: float,
    solution_limit: int | None,
    is_round_trip: bool = True,
) -> tuple[int, ...]:
    """Reorder a walk's matrix nodes door by door, starting from their current order.

    The walk search (``routing.walk_search``) keeps a change only when it does not
    lengthen the walk, so the result is never longer than ``walk``. ``solution_limit``
    caps its kicks, which makes the result independent of the machine's speed. When
    not ``is_round_trip``, arcs into node 0 lead to the walk's end point
    (``routing.open_walk``).
    """
    improve = improve_walk if is_round_trip else improve_walk_to_end
    return improve(distance_m, walk, time_limit_s=max(0.0, time_limit_s), max_kicks=solution_limit)


def walk_model_input(
    options: VisitOptions, *, time_limit_s: float, solution_limit: int | None
) -> TurfModelInput:
    """Return a one-team model that must visit every stop, minimising the walk."""
    node_count = options.arc_m.shape[0]
    return TurfModelInput(
        arc_m=options.arc_m,
        service_s=(0,) * node_count,
        households=(0, *([1] * (node_count - 1))),
        team_count=1,
        # No session limit: at one metre a second, no walk is longer than the sum of the
        # longest arc out of each node.
        capacity_s=int(options.arc_m.max(axis=1).sum()) + 1,
        walking_speed_m_per_min=60.0,
        time_limit_s=time_limit_s,
        groups=options.groups,
        balance_cost_per_second=0,
        first_solution="path_cheapest_arc",
        solution_limit=solution_limit,
    )
