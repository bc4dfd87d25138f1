"""OR-Tools routing model that orders doors into one walk per team.

Node 0 is the meeting point, where every team starts and ends; nodes 1..n are doors.
Arc cost is walked metres. A time dimension in whole seconds (walk at the team's speed
plus the time spent at the door being left) caps each walk at the session's length,
and a global span cost on it evens the walks out.

Every door is optional. Dropping one costs, per household behind it, more than its visit
could add to walking and balance, so the solver reaches as many households as fit before
it saves metres. Counting households rather than doors keeps a block of flats from losing
to a few houses that take the same time.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from routing.ortools_api import pywrapcp, routing_enums_pb2, routing_status
from routing.status import SolveStatus
from routing.streets import UNREACHABLE_M

TIME_DIMENSION = "time"

# Cost of one second of the longest walk, in the unit of arc costs (metres). At 70 m per
# minute a second is about 1.2 m, so a balanced plan may walk somewhat more in total
# when that shortens its longest route.
SPAN_COST_PER_SECOND = 2


@dataclass(frozen=True, slots=True)
class TurfModelInput:
    """Numbers the routing model needs, already in solver units.

    ``service_s`` and ``households`` are per node, node 0 (the meeting point) included.
    """

    distance_m: NDArray[np.int32]
    service_s: tuple[int, ...]
    households: tuple[int, ...]
    team_count: int
    capacity_s: int
    walking_speed_m_per_min: float
    time_limit_s: float


@dataclass(frozen=True, slots=True)
class TurfModelOutcome:
    """Node sequences per team, without the meeting point, and the solver's status."""

    status: SolveStatus
    team_nodes: tuple[tuple[int, ...], ...]


def walking_seconds(distance_m: NDArray[np.int32], speed_m_per_min: float) -> NDArray[np.int64]:
    """Return walking times in whole seconds, rounded up so no walk is underestimated."""
    seconds: NDArray[np.int64] = np.ceil(distance_m.astype(np.float64) * 60.0 / speed_m_per_min)
    return seconds.astype(np.int64)


def solve_turf_model(data: TurfModelInput) -> TurfModelOutcome:
    """Build and solve the routing model; return each team's doors in walking order."""
    node_count = data.distance_m.shape[0]
    manager = pywrapcp.RoutingIndexManager(node_count, data.team_count, 0)
    model = pywrapcp.RoutingModel(manager)

    distance_cb = model.RegisterTransitMatrix(_as_lists(data.distance_m))
    model.SetArcCostEvaluatorOfAllVehicles(distance_cb)

    transit_s = walking_seconds(data.distance_m, data.walking_speed_m_per_min)
    transit_s += np.asarray(data.service_s, dtype=np.int64)[:, None]
    np.fill_diagonal(transit_s, 0)
    time_cb = model.RegisterTransitMatrix(_as_lists(transit_s))
    model.AddDimension(time_cb, 0, data.capacity_s, True, TIME_DIMENSION)
    model.GetDimensionOrDie(TIME_DIMENSION).SetGlobalSpanCostCoefficient(SPAN_COST_PER_SECOND)

    unit_penalty = _drop_penalty(data.distance_m, data.capacity_s)
    for node in range(1, node_count):
        model.AddDisjunction([manager.NodeToIndex(node)], unit_penalty * data.households[node])

    solution = model.SolveWithParameters(_search_parameters(data.time_limit_s))
    status = routing_status(model, solution is not None)
    if solution is None:
        return TurfModelOutcome(status=status, team_nodes=())
    team_nodes = []
    for team in range(data.team_count):
        nodes = []
        index = solution.Value(model.NextVar(model.Start(team)))
        while not model.IsEnd(index):
            nodes.append(manager.IndexToNode(index))
            index = solution.Value(model.NextVar(index))
        team_nodes.append(tuple(nodes))
    return TurfModelOutcome(status=status, team_nodes=tuple(team_nodes))


def _drop_penalty(distance_m: NDArray[np.int32], capacity_s: int) -> int:
    """Return a per-household penalty above anything a visit can add to the cost.

    A visit lengthens its walk by at most two of the longest reachable arcs, and the
    longest walk by at most the whole session.
    """
    reachable = distance_m[distance_m < UNREACHABLE_M]
    longest = int(reachable.max()) if reachable.size else 0
    return 2 * longest + SPAN_COST_PER_SECOND * capacity_s + 1


def _search_parameters(time_limit_s: float) -> pywrapcp.RoutingSearchParameters:
    """Return the search settings: cheapest arc first, guided local search, time-bounded."""
    parameters = pywrapcp.DefaultRoutingSearchParameters()
    parameters.first_solution_strategy = routing_enums_pb2.FirstSolutionStrategy.PATH_CHEAPEST_ARC
    parameters.local_search_metaheuristic = (
        routing_enums_pb2.LocalSearchMetaheuristic.GUIDED_LOCAL_SEARCH
    )
    parameters.time_limit.FromMilliseconds(max(1, math.ceil(time_limit_s * 1000)))
    return parameters


def _as_lists(matrix: NDArray[np.integer]) -> list[list[int]]:
    """Convert a square integer array to the nested lists the solver's matrix API takes."""
    rows: list[list[int]] = matrix.astype(np.int64).tolist()
    return rows

