"""OR-Tools routing model that orders stops into one walk per team.

Node 0 is the meeting point, where every team starts and ends; nodes 1..n are visits (a
door, or a stretch of street walked in one direction, see ``routing.segments``). Nodes
come in groups of alternatives (the two directions of one stretch), of which at most one
is visited. Arc cost is walked metres. A time dimension in whole seconds (walk at the
team's speed plus the time spent at the node being left) caps each walk at the session's
length, an optional count dimension caps its doors, and a global span cost on time can
even the walks out.

Every group is optional. Dropping one costs, per household behind it, more than its
visit could add to walking and balance, so the solver reaches as many households as fit
before it saves metres. Counting households rather than doors keeps a block of flats
from losing to a few houses that take the same time. On a re-planning, a door taken
from the team that had it is priced too (``routing.turf_moves``).
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, replace

import numpy as np
from numpy.typing import NDArray

from routing.ortools_api import pywrapcp, routing_enums_pb2, routing_status
from routing.status import SolveStatus
from routing.streets import UNREACHABLE_M
from routing.turf_moves import ask_fair_share, price_moves

TIME_DIMENSION = "time"
DOOR_DIMENSION = "doors"
VISIT_DIMENSION = "visits"

# Cost of one second of the longest walk, in the unit of arc costs (metres). At 70 m per
# minute a second is about 1.2 m, so a balanced plan may walk somewhat more in total
# when that shortens its longest route.
SPAN_COST_PER_SECOND = 2

# Matrices of at least this many entries reach the solver through shared Python ints
# (see ``_as_lists``).
SHARED_INTS_MIN_ENTRIES = 100_000

FIRST_SOLUTIONS = {
    "path_cheapest_arc": routing_enums_pb2.FirstSolutionStrategy.PATH_CHEAPEST_ARC,
    "savings": routing_enums_pb2.FirstSolutionStrategy.SAVINGS,
    "parallel_cheapest_insertion": (
        routing_enums_pb2.FirstSolutionStrategy.PARALLEL_CHEAPEST_INSERTION
    ),
    "local_cheapest_insertion": routing_enums_pb2.FirstSolutionStrategy.LOCAL_CHEAPEST_INSERTION,
    "christofides": routing_enums_pb2.FirstSolutionStrategy.CHRISTOFIDES,
}


@dataclass(frozen=True, slots=True)
class TurfModelInput:
    """Numbers the routing model needs, already in solver units.

    ``arc_m`` is square over the nodes, node 0 the meeting point. ``service_s``,
    ``households`` and ``door_counts`` are per node, node 0 included. ``groups`` lists
    the alternatives of each visit; empty means every door node is its own group.
    ``solution_limit`` stops the search after that many improving solutions, which makes
    a run reproducible whatever the machine's speed (the time limit still applies).
    ``initial_routes`` (node sequences per team, without node 0) replaces the first
    solution heuristic. ``arc_penalty_m``, square like ``arc_m``, adds to the cost of
    each arc without adding to its time (crossing a busy road, ``routing.crossings``).
    ``previous_teams``, per node, is the team that had the node's door before a
    re-planning, or None. When one is set, a door taken from its team is priced, and
    each team without such doors is asked to walk at least ``share_s`` seconds
    (``routing.turf_moves``).
    """

    arc_m: NDArray[np.int64]
    service_s: tuple[int, ...]
    households: tuple[int, ...]
    team_count: int
    capacity_s: int
    walking_speed_m_per_min: float
    time_limit_s: float
    door_counts: tuple[int, ...] = ()
    groups: tuple[tuple[int, ...], ...] = ()
    max_doors: int | None = None
    balance_cost_per_second: int = SPAN_COST_PER_SECOND
    first_solution: str = "path_cheapest_arc"
    solution_limit: int | None = None
    initial_routes: tuple[tuple[int, ...], ...] | None = None
    arc_penalty_m: NDArray[np.int64] | None = None
    previous_teams: tuple[int | None, ...] = ()
    share_s: int = 0


@dataclass(frozen=True, slots=True)
class TurfModelOutcome:
    """Node sequences per team, without the meeting point, and the solver's status."""

    status: SolveStatus
    team_nodes: tuple[tuple[int, ...], ...]
    objective: int = 0


def walking_seconds(distance_m: NDArray[np.integer], speed_m_per_min: float) -> NDArray[np.int64]:
    """Return walking times in whole seconds, rounded up so no walk is underestimated."""
    # In place, to hold one float copy of a large matrix rather than three.
    seconds = distance_m.astype(np.float64)
    seconds *= 60.0
    seconds /= speed_m_per_min
    np.ceil(seconds, out=seconds)
    return seconds.astype(np.int64)


def solve_turf_model(data: TurfModelInput) -> TurfModelOutcome:
    """Build and solve the routing model; return each team's nodes in walking order."""
    node_count = data.arc_m.shape[0]
    manager = pywrapcp.RoutingIndexManager(node_count, data.team_count, 0)
    model = pywrapcp.RoutingModel(manager)

    distance_cb = model.RegisterTransitMatrix(_as_lists(arc_costs(data)))
    model.SetArcCostEvaluatorOfAllVehicles(distance_cb)

    # The array is freed once converted to lists, before the solver copies them.
    time_cb = model.RegisterTransitMatrix(_as_lists(transit_seconds(data)))
    model.AddDimension(time_cb, 0, data.capacity_s, True, TIME_DIMENSION)
    if data.balance_cost_per_second:
        time_dimension = model.GetDimensionOrDie(TIME_DIMENSION)
        time_dimension.SetGlobalSpanCostCoefficient(data.balance_cost_per_second)
        ask_fair_share(
            model,
            time_dimension,
            data.previous_teams,
            team_count=data.team_count,
            share_s=data.share_s,
            cost_per_second=data.balance_cost_per_second,
        )
    if data.max_doors is not None:
        door_cb = model.RegisterUnaryTransitVector(list(_door_counts(data)))
        model.AddDimension(door_cb, 0, data.max_doors, True, DOOR_DIMENSION)

    unit_penalty = _drop_penalty(data)
    drop_penalty = unit_penalty
    if price_moves(model, data.previous_teams, team_count=data.team_count, penalty=unit_penalty):
        # Moving a door to another team must cost less than dropping it.
        drop_penalty += unit_penalty
    if data.team_count > 1 and data.balance_cost_per_second:
        _ask_every_team_to_walk(model, data, unit_penalty)
    for group in _groups(data):
        indices = [manager.NodeToIndex(node) for node in group]
        model.AddDisjunction(indices, drop_penalty * data.households[group[0]], 1)

    parameters = _search_parameters(data)
    if data.initial_routes is not None:
        model.CloseModelWithParameters(parameters)
        start = model.ReadAssignmentFromRoutes([list(r) for r in data.initial_routes], True)
        # Routes that break a limit of the model give no assignment: search from scratch.
        solution = (
            model.SolveWithParameters(parameters)
            if start is None
            else model.SolveFromAssignmentWithParameters(start, parameters)
        )
    else:
        solution = model.SolveWithParameters(parameters)
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
    return TurfModelOutcome(status, tuple(team_nodes), int(solution.ObjectiveValue()))


def solve_from_best_start(data: TurfModelInput, strategies: tuple[str, ...]) -> TurfModelOutcome:
    """Build a first plan with each strategy, then search from the one of least cost.

    Which first solution leads to the shorter plan depends on the streets: on the Bondy
    sample ``SAVINGS`` gave the shorter first walk and the shorter walk after search, on
    the benchmark grids ``PATH_CHEAPEST_ARC`` did (``benchmarks/README.md``). The first
    plans come without local search, and the search gets what is left of the time limit.
    """
    started = time.perf_counter()
    firsts = [
        solve_turf_model(replace(data, first_solution=strategy, solution_limit=1))
        for strategy in strategies
    ]
    found = [outcome for outcome in firsts if outcome.team_nodes]
    if not found:
        return solve_turf_model(data)
    best = min(found, key=lambda outcome: outcome.objective)
    left_s = max(0.01, data.time_limit_s - (time.perf_counter() - started))
    return solve_turf_model(replace(data, time_limit_s=left_s, initial_routes=best.team_nodes))


def arc_costs(data: TurfModelInput) -> NDArray[np.int64]:
    """Return the arcs' costs: walked metres plus any penalty."""
    if data.arc_penalty_m is None:
        return data.arc_m
    return data.arc_m + data.arc_penalty_m


def transit_seconds(data: TurfModelInput) -> NDArray[np.int64]:
    """Return each arc's time: the walk in whole seconds plus the time at the node left."""
    transit_s = walking_seconds(data.arc_m, data.walking_speed_m_per_min)
    transit_s += np.asarray(data.service_s, dtype=np.int64)[:, None]
    np.fill_diagonal(transit_s, 0)
    return transit_s


def _groups(data: TurfModelInput) -> tuple[tuple[int, ...], ...]:
    if data.groups:
        return data.groups
    return tuple((node,) for node in range(1, data.arc_m.shape[0]))


def _door_counts(data: TurfModelInput) -> tuple[int, ...]:
    if data.door_counts:
        return data.door_counts
    return (0, *([1] * (data.arc_m.shape[0] - 1)))


def _ask_every_team_to_walk(
    model: pywrapcp.RoutingModel, data: TurfModelInput, penalty: int
) -> None:
    """Charge `penalty` for each team left without a visit.

    A balanced plan has no idle team: a team that turned up and gets no door is a poor
    plan. Yet the walk to a first door can cost more than the balance gains at once,
    most of all when routes end at a stop far from the meeting point, and local search
    then keeps a team idle. `penalty` exceeds anything a visit adds, so a plan gives
    every team a visit whenever there are doors enough.
    """
    visits = model.RegisterUnaryTransitVector([0, *([1] * (data.arc_m.shape[0] - 1))])
    model.AddDimension(visits, 0, data.arc_m.shape[0], True, VISIT_DIMENSION)
    dimension = model.GetDimensionOrDie(VISIT_DIMENSION)
    for team in range(data.team_count):
        # The costs of a route left empty count only on a vehicle "used when empty".
        model.SetVehicleUsedWhenEmpty(True, team)
        dimension.SetCumulVarSoftLowerBound(model.End(team), 1, penalty)


def _drop_penalty(data: TurfModelInput) -> int:
    """Return a per-household penalty above anything a visit can add to the cost.

    A visit lengthens its walk by at most two of the longest reachable arcs, and the
    longest walk by at most the whole session.
    """
    reachable = data.arc_m[data.arc_m < UNREACHABLE_M]
    longest = int(reachable.max()) if reachable.size else 0
    if data.arc_penalty_m is not None and data.arc_penalty_m.size:
        longest += int(data.arc_penalty_m.max())
    return 2 * longest + data.balance_cost_per_second * data.capacity_s + 1


def _search_parameters(data: TurfModelInput) -> pywrapcp.RoutingSearchParameters:
    """Return the search settings: the chosen first solution, then guided local search.

    NOTE: operators keep every node as a neighbour. Restricting them to the nearest
    nodes (``ls_operator_neighbors_ratio``) stalled the search on street grids, where
    many doors are equally near; large turfs are cut into sectors instead.
    """
    parameters = pywrapcp.DefaultRoutingSearchParameters()
    parameters.first_solution_strategy = FIRST_SOLUTIONS[data.first_solution]
    parameters.local_search_metaheuristic = (
        routing_enums_pb2.LocalSearchMetaheuristic.GUIDED_LOCAL_SEARCH
    )
    parameters.time_limit.FromMilliseconds(max(1, math.ceil(data.time_limit_s * 1000)))
    if data.solution_limit is not None:
        parameters.solution_limit = data.solution_limit
    return parameters


def _as_lists(matrix: NDArray[np.integer]) -> list[list[int]]:
    """Convert a square integer array to the nested lists the solver's matrix API takes.

    ``tolist`` makes a new Python int of 28 bytes per entry. On large matrices every
    entry of one value refers to one shared int instead, when the values span a range
    no wider than a quarter of the entries. The lists of a 3,001-node walk then take
    72 MB (one pointer per entry) in place of 330 MB, built in 0.12 s against 0.23 s.
    """
    values = matrix.astype(np.int64, copy=False)
    if values.size < SHARED_INTS_MIN_ENTRIES:
        rows: list[list[int]] = values.tolist()
        return rows
    low, high = int(values.min()), int(values.max())
    if high - low + 1 > values.size // 4:
        rows = values.tolist()
        return rows
    shared = np.arange(low, high + 1, dtype=np.int64).astype(object)
    return [shared[row - low].tolist() for row in values]
