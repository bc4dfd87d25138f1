"""Search for one sector's walks: door by door, or through street stops when it is large.

Below ``STREET_STOPS_MIN_DOORS`` doors the routing model's nodes are the doors. From
there on the search runs in three phases:

1. The nodes are street stops (``routing.segments``): a few hundred stops in place of a
   thousand doors let the search converge within seconds, and a stop's walk along its
   street is already a good order for its doors.
2. Each team's doors are reordered one by one (``routing.tour.polish_walk``). That only
   shortens a walk through the same doors, so every limit still holds.
3. A door-by-door model starts from that plan: it moves single doors between walks,
   splits a street stop between two teams and fills spare time with left-out doors.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, replace

import numpy as np
from numpy.typing import NDArray

from routing.segments import VisitOptions, street_stops, visit_options
from routing.snapping import SnapResult
from routing.street_graph import StreetGraph
from routing.tour import STOP_MAX_DOORS, STREET_STOPS_MIN_DOORS, polish_walk
from routing.turf_model import TurfModelInput, TurfModelOutcome, solve_turf_model, walking_seconds

# Shares of the time limit for the street-stop model and for reordering each walk. The
# door-by-door model gets the rest.
STOPS_TIME_SHARE = 0.5
POLISH_TIME_SHARE = 0.1
# Least search time to reorder one walk. The time kept for reordering covers it for every
# team, so the phases end together within the time limit.
POLISH_MIN_S_PER_WALK = 0.01
# The door model runs when its share of the time limit gives it at least this much per
# door, or when the street stops left doors out.
DOOR_MODEL_MIN_S_PER_DOOR = 0.001


@dataclass(frozen=True, slots=True)
class SectorSearch:
    """One sector's doors and limits in solver units.

    Matrix node 0 is the meeting point and node ``d + 1`` the door at position ``d`` of
    ``door_snaps``, ``service_s`` (whole seconds at the door) and ``dwellings``.
    """

    distance_m: NDArray[np.int32]
    door_snaps: SnapResult
    service_s: tuple[int, ...]
    dwellings: tuple[int, ...]
    team_count: int
    capacity_s: int
    walking_speed_m_per_min: float
    time_limit_s: float
    max_doors: int | None
    balance_cost_per_second: int
    solution_limit: int | None
    # Objective cost added to each move, such as crossing a busy road
    # (``routing.crossings``); never walked.
    crossing_m: NDArray[np.int64] | None = None
    # False when arcs into node 0 lead to an end point of their own (``distance_m`` is
    # then not symmetric).
    is_round_trip: bool = True


def search_sector(graph: StreetGraph, search: SectorSearch) -> TurfModelOutcome:
    """Return each team's matrix nodes in walking order, without the meeting point."""
    door_count = len(search.service_s)
    if door_count < STREET_STOPS_MIN_DOORS:
        return solve_turf_model(door_model(search, time_limit_s=search.time_limit_s))
    deadline = time.perf_counter() + search.time_limit_s
    door_share = 1.0 - STOPS_TIME_SHARE - POLISH_TIME_SHARE
    # Below this budget the door model spends its time on being built and on its first
    # pass, so the street-stop model gets that time instead.
    with_door_model = search.time_limit_s * door_share >= DOOR_MODEL_MIN_S_PER_DOOR * door_count
    door_s = search.time_limit_s * door_share if with_door_model else 0.0
    polish_s = max(
        search.time_limit_s * POLISH_TIME_SHARE, POLISH_MIN_S_PER_WALK * search.team_count
    )
    stops = street_stops(graph, search.door_snaps, max_doors=STOP_MAX_DOORS)
    options = visit_options(stops, search.distance_m)
    # Each phase gets its share less the time the previous ones overran.
    stops_s = max(0.05, deadline - door_s - polish_s - time.perf_counter())
    outcome = solve_turf_model(_stop_model(search, options, time_limit_s=stops_s))
    if not outcome.team_nodes:
        return outcome
    walks = [
        tuple(door for node in nodes for door in options.sequences[node - 1])
        for nodes in outcome.team_nodes
    ]
    walks = _polish_walks(search, walks, time_limit_s=deadline - door_s - time.perf_counter())
    left_out = door_count - sum(len(walk) for walk in walks)
    if with_door_model or left_out:
        left_s = max(0.05, deadline - time.perf_counter())
        walks = list(_improve_walks(search, walks, time_limit_s=left_s))
    return TurfModelOutcome(outcome.status, tuple(walks))


def door_model(search: SectorSearch, *, time_limit_s: float) -> TurfModelInput:
    """Return the model whose nodes are the sector's doors."""
    return _sector_model(
        search,
        arc_m=search.distance_m.astype(np.int64),
        arc_penalty_m=_crossings_of(search, None),
        service_s=(0, *search.service_s),
        households=(0, *search.dwellings),
        time_limit_s=time_limit_s,
        first_solution="savings" if search.team_count > 1 else "path_cheapest_arc",
    )


def _stop_model(
    search: SectorSearch, options: VisitOptions, *, time_limit_s: float
) -> TurfModelInput:
    """Return the model whose nodes walk street stops; each node adds up its doors.

    ``PATH_CHEAPEST_ARC`` builds the first plan: on the 1,000-door benchmark grid, after
    0.8 s of search, it led to 24,762 m against 25,010 m from ``SAVINGS`` and 26,755 m
    from ``PARALLEL_CHEAPEST_INSERTION`` (one run each). Starting from the shorter of the
    ``PATH_CHEAPEST_ARC`` and ``SAVINGS`` plans, as single walks do, gave longer plans
    after 30 s on the grid and on Bondy (24,240 m against 23,739 m, 40,196 m against
    39,613 m).
    """
    service = np.asarray(search.service_s, dtype=np.int64)
    dwellings = np.asarray(search.dwellings, dtype=np.int64)
    doors = [np.asarray(sequence, dtype=np.int64) - 1 for sequence in options.sequences]
    return replace(
        _sector_model(
            search,
            arc_m=options.arc_m,
            arc_penalty_m=_crossings_of(search, options),
            service_s=(0, *(int(service[d].sum()) for d in doors)),
            households=(0, *(int(dwellings[d].sum()) for d in doors)),
            time_limit_s=time_limit_s,
            first_solution="path_cheapest_arc",
        ),
        door_counts=(0, *(len(d) for d in doors)),
        groups=options.groups,
    )


def _crossings_of(search: SectorSearch, options: VisitOptions | None) -> NDArray[np.int64] | None:
    """Return the crossing penalties between door nodes, or between stop nodes.

    A stop node's arc runs from the last door of one stop to the first of the next.
    """
    if search.crossing_m is None or not search.crossing_m.any():
        return None
    if options is None:
        return search.crossing_m
    first = np.array([0, *(sequence[0] for sequence in options.sequences)], dtype=np.int64)
    last = np.array([0, *(sequence[-1] for sequence in options.sequences)], dtype=np.int64)
    return search.crossing_m[np.ix_(last, first)]


def _sector_model(
    search: SectorSearch,
    *,
    arc_m: NDArray[np.int64],
    arc_penalty_m: NDArray[np.int64] | None,
    service_s: tuple[int, ...],
    households: tuple[int, ...],
    time_limit_s: float,
    first_solution: str,
) -> TurfModelInput:
    """Return a model over the given nodes with the sector's teams and limits."""
    return TurfModelInput(
        arc_m=arc_m,
        arc_penalty_m=arc_penalty_m,
        service_s=service_s,
        households=households,
        team_count=search.team_count,
        capacity_s=search.capacity_s,
        walking_speed_m_per_min=search.walking_speed_m_per_min,
        time_limit_s=time_limit_s,
        max_doors=search.max_doors,
        balance_cost_per_second=search.balance_cost_per_second,
        first_solution=first_solution,
        solution_limit=search.solution_limit,
    )


def _polish_walks(
    search: SectorSearch, walks: list[tuple[int, ...]], *, time_limit_s: float
) -> list[tuple[int, ...]]:
    """Reorder each walk door by door, sharing the time in proportion to their doors.

    Each walk's share comes from the time left when its turn comes, so the time spent
    building the models of earlier walks is taken from the later ones. The reordering
    weighs busy-road crossings like the models do.
    """
    matrix = search.distance_m
    if search.crossing_m is not None and search.crossing_m.any():
        matrix = search.distance_m + search.crossing_m
    deadline = time.perf_counter() + max(0.05, time_limit_s)
    doors_left = sum(len(walk) for walk in walks)
    polished = []
    for walk in walks:
        share = (deadline - time.perf_counter()) * len(walk) / max(1, doors_left)
        doors_left -= len(walk)
        polished.append(
            polish_walk(
                matrix,
                walk,
                time_limit_s=max(POLISH_MIN_S_PER_WALK, share),
                solution_limit=search.solution_limit,
                is_round_trip=search.is_round_trip,
            )
        )
    return polished


def _improve_walks(
    search: SectorSearch, walks: list[tuple[int, ...]], *, time_limit_s: float
) -> tuple[tuple[int, ...], ...]:
    """Improve the walks with a door-by-door model started from them.

    The stop model rounds the walk inside a stop up to whole seconds once, and the door
    model rounds each step. A walk that fills the session may therefore run a few seconds
    over in the door model, so its last doors are left out first and the search may put
    them back.
    """
    model = door_model(search, time_limit_s=time_limit_s)
    seconds = walking_seconds(model.arc_m, model.walking_speed_m_per_min)
    seconds += np.asarray(model.service_s, dtype=np.int64)[:, None]
    fitting = tuple(trim_to_capacity(seconds, walk, model.capacity_s) for walk in walks)
    outcome = solve_turf_model(replace(model, initial_routes=fitting))
    if not outcome.team_nodes:
        return tuple(walks)
    return outcome.team_nodes


def trim_to_capacity(
    seconds: NDArray[np.int64], walk: tuple[int, ...], capacity_s: int
) -> tuple[int, ...]:
    """Drop the walk's last doors until it fits the session.

    ``seconds[a, b]`` is the door model's step from node ``a`` to node ``b``: the walk in
    whole seconds plus the time spent at ``a``.
    """
    trimmed = list(walk)
    while trimmed:
        stops = np.array([0, *trimmed, 0])
        if int(seconds[stops[:-1], stops[1:]].sum()) <= capacity_s:
            break
        trimmed.pop()
    return tuple(trimmed)
