"""One walk through every door: the order of a single walk list, with no time limit.

Below ``STREET_STOPS_MIN_DOORS`` doors the model orders doors one by one. From there on
it first orders street stops (see ``routing.segments``), which shrinks the model several
times over and lets the search converge on long lists, then polishes that walk door by
door, starting from it, for the rest of the time.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
from numpy.typing import NDArray

from routing.segments import VisitOptions, single_door_stops, street_stops, visit_options
from routing.snapping import SnapResult
from routing.status import SolveStatus
from routing.street_graph import StreetGraph
from routing.turf_model import TurfModelInput, solve_from_best_start, solve_turf_model

STREET_STOPS_MIN_DOORS = 300
# Share of the time limit spent ordering street stops; the rest polishes door by door.
STOPS_TIME_SHARE = 0.5

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
    count = distance_m.shape[0] - 1
    if count == 0:
        return ()
    door_snaps = snaps.subset(np.arange(1, count + 1))
    stops = (
        street_stops(graph, door_snaps, max_doors=STOP_MAX_DOORS)
        if count >= STREET_STOPS_MIN_DOORS
        else single_door_stops(count)
    )
    options = visit_options(stops, distance_m)
    by_stops = count >= STREET_STOPS_MIN_DOORS
    share = time_limit_s * (STOPS_TIME_SHARE if by_stops else 1.0)
    model = walk_model_input(options, time_limit_s=share, solution_limit=solution_limit)
    outcome = (
        solve_from_best_start(model, STOP_FIRST_SOLUTIONS) if by_stops else solve_turf_model(model)
    )
    if outcome.status is not SolveStatus.FEASIBLE or not outcome.team_nodes:
        raise RuntimeError(f"no walk found through {count} doors: {outcome.status}")
    walk = tuple(door for node in outcome.team_nodes[0] for door in options.sequences[node - 1])
    if by_stops:
        # Door by door from the street-stop walk: it may now leave a stop half-way.
        walk = polish_walk(
            distance_m, walk, time_limit_s=time_limit_s - share, solution_limit=solution_limit
        )
    if sorted(walk) != list(range(1, count + 1)):
        raise RuntimeError("the walk does not visit every door exactly once")
    return walk


def polish_walk(
    distance_m: NDArray[np.int32],
    walk: tuple[int, ...],
    *,
    time_limit_s: float,
    solution_limit: int | None,
) -> tuple[int, ...]:
    """Reorder a walk's matrix nodes door by door, starting from their current order.

    The search keeps the best walk it meets, so the result is never longer than ``walk``.
    """
    if len(walk) < 3:
        return walk
    nodes = np.array([0, *walk], dtype=np.int64)
    local = distance_m[np.ix_(nodes, nodes)]
    doors = visit_options(single_door_stops(len(walk)), local)
    model = walk_model_input(doors, time_limit_s=time_limit_s, solution_limit=solution_limit)
    outcome = solve_turf_model(replace(model, initial_routes=(tuple(range(1, len(nodes))),)))
    if not outcome.team_nodes:
        return walk
    return tuple(int(nodes[node]) for node in outcome.team_nodes[0])


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
