"""Turf cutting: share a session's doors among its teams as walks along the streets."""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Sequence
from itertools import pairwise

import numpy as np
from numpy.typing import NDArray

from routing.geo import GeoPoint
from routing.route_types import Door, PlannedRoute, StreetStretch, TurfPlan, TurfProblem
from routing.status import SolveStatus
from routing.street_graph import StreetGraph
from routing.streets import snapped_distance_matrix, snapped_paths
from routing.turf_model import TurfModelInput, solve_turf_model

logger = logging.getLogger(__name__)


def plan_turf(graph: StreetGraph, problem: TurfProblem) -> TurfPlan:
    """Cut the problem's doors into one walk per team from and back to the meeting point.

    Doors that do not fit in the session's time are returned as unvisited. Route figures
    come from the walking distances (not the solver's rounded seconds), so a route's
    ``total_minutes`` never exceeds ``max_minutes``.

    NOTE: the search stops at ``time_limit_s``, so on a busy or slower machine the same
    problem can give a different plan.
    """
    started = time.perf_counter()
    doors = problem.doors
    if not doors:
        empty = tuple(_empty_route(team) for team in range(problem.team_count))
        return TurfPlan(SolveStatus.EMPTY, empty, (), time.perf_counter() - started)

    snaps = graph.snap([problem.meeting_point, *(door.point for door in doors)])
    distance_m = snapped_distance_matrix(graph, snaps)
    service_s = [0, *(_door_seconds(door, problem) for door in doors)]
    outcome = solve_turf_model(
        TurfModelInput(
            distance_m=distance_m,
            service_s=tuple(service_s),
            households=(0, *(door.dwellings for door in doors)),
            team_count=problem.team_count,
            capacity_s=problem.max_minutes * 60,
            walking_speed_m_per_min=problem.walking_speed_m_per_min,
            time_limit_s=problem.time_limit_s,
        )
    )
    if not outcome.team_nodes:
        unvisited = tuple(door.address_id for door in doors)
        return TurfPlan(outcome.status, (), unvisited, time.perf_counter() - started)

    stops = [[0, *nodes, 0] for nodes in outcome.team_nodes]
    legs = [(a, b) for route in stops if len(route) > 2 for a, b in pairwise(route)]
    leg_paths = dict(zip(legs, snapped_paths(graph, snaps, legs), strict=True))
    routes = tuple(
        _planned_route(
            team,
            route,
            doors=doors,
            distance_m=distance_m,
            leg_paths=leg_paths,
            problem=problem,
        )
        for team, route in enumerate(stops)
    )
    visited = {door_id for route in routes for door_id in route.door_ids}
    unvisited = tuple(door.address_id for door in doors if door.address_id not in visited)
    wall_time_s = time.perf_counter() - started
    logger.info(
        "Planned turf: %s doors, %s teams, %s visited, status %s, %.2f s",
        len(doors),
        problem.team_count,
        len(visited),
        outcome.status,
        wall_time_s,
    )
    return TurfPlan(outcome.status, routes, unvisited, wall_time_s)


def walk_list(route: PlannedRoute, doors: Sequence[Door]) -> tuple[StreetStretch, ...]:
    """Group the route's consecutive doors of one street, in walking order."""
    by_id = {door.address_id: door for door in doors}
    missing = [door_id for door_id in route.door_ids if door_id not in by_id]
    if missing:
        raise ValueError(f"route {route.team} visits unknown address ids: {missing}")
    stretches: list[StreetStretch] = []
    for door_id in route.door_ids:
        door = by_id[door_id]
        if stretches and stretches[-1].street == door.street:
            last = stretches[-1]
            stretches[-1] = StreetStretch(last.street, (*last.numbers, door.number))
        else:
            stretches.append(StreetStretch(door.street, (door.number,)))
    return tuple(stretches)


def _door_seconds(door: Door, problem: TurfProblem) -> int:
    """Return the whole seconds spent at a door, rounded up."""
    return math.ceil(door.dwellings * problem.minutes_per_dwelling * 60)


def _planned_route(
    team: int,
    stops: list[int],
    *,
    doors: tuple[Door, ...],
    distance_m: NDArray[np.int32],
    leg_paths: dict[tuple[int, int], tuple[GeoPoint, ...]],
    problem: TurfProblem,
) -> PlannedRoute:
    """Describe one team's walk through the given matrix nodes (0 is the meeting point)."""
    if len(stops) <= 2:
        return _empty_route(team)
    visited = [doors[node - 1] for node in stops[1:-1]]
    length_m = int(sum(int(distance_m[a, b]) for a, b in pairwise(stops)))
    walking_minutes = length_m / problem.walking_speed_m_per_min
    door_minutes = sum(door.dwellings for door in visited) * problem.minutes_per_dwelling
    path: list[GeoPoint] = []
    for leg in pairwise(stops):
        piece = leg_paths[leg]
        path.extend(piece[1:] if path and piece and piece[0] == path[-1] else piece)
    return PlannedRoute(
        team=team,
        door_ids=tuple(door.address_id for door in visited),
        length_m=length_m,
        walking_minutes=walking_minutes,
        door_minutes=door_minutes,
        total_minutes=walking_minutes + door_minutes,
        path=tuple(path),
    )


def _empty_route(team: int) -> PlannedRoute:
    """Return the route of a team that stays at the meeting point."""
    return PlannedRoute(team, (), 0, 0.0, 0.0, 0.0, ())
