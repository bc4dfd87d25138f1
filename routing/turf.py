"""Turf cutting: share a session's doors among its teams as walks along the streets."""

from __future__ import annotations

import logging
import math
import re
import time
from collections.abc import Sequence
from itertools import pairwise
from typing import TypeVar

import numpy as np
from numpy.typing import NDArray

from routing.geo import GeoPoint
from routing.plan_check import check_plan
from routing.route_types import Door, PlannedRoute, StreetStretch, TurfPlan, TurfProblem
from routing.sectors import TeamSector, keep_previous_teams, number_teams, split_sectors
from routing.snapping import SnapResult
from routing.status import SolveStatus
from routing.street_changes import move_penalties
from routing.street_graph import StreetGraph
from routing.streets import street_walks
from routing.turf_keep import search_from_previous
from routing.turf_search import SectorSearch, search_sector

logger = logging.getLogger(__name__)

# Larger turfs are cut into sectors of at most this many doors. Through street stops
# (``routing.turf_search``) 1,500 grid doors make a model of about 500 nodes. On the
# 5,000-door benchmark grid, sectors of 1,500 doors gave a shorter plan in 15 s than
# sectors of 800 doors or one model of 5,000 (one run each).
SECTOR_MAX_DOORS = 1500

_Cell = TypeVar("_Cell", bound=np.generic)


def plan_turf(graph: StreetGraph, problem: TurfProblem) -> TurfPlan:
    """Cut the problem's doors into one walk per team from the meeting point to the finish.

    Doors that do not fit in the session's time are returned as unvisited. Route figures
    come from the walking distances (not the solver's rounded seconds), so a route's
    ``total_minutes`` never exceeds ``max_minutes``; the plan is checked against every
    rule of the problem before it is returned (``routing.plan_check``).
    A turf of more than ``SECTOR_MAX_DOORS`` doors is cut into sectors planned one by
    one (see ``routing.sectors``), each searched for its share of ``time_limit_s``
    (see ``routing.turf_search``). When the problem has previous routes, each team keeps
    its previous doors while its walk has time for them: the search starts from those
    walks (``routing.turf_keep``), and each team plans in the sector of most of its
    previous doors.

    NOTE: the search stops at ``time_limit_s``, so on a busy or slower machine the same
    problem can give a different plan unless ``solution_limit`` stops it first.
    """
    started = time.perf_counter()
    doors = problem.doors
    if not doors:
        empty = tuple(_empty_route(team) for team in range(problem.team_count))
        return TurfPlan(SolveStatus.EMPTY, empty, (), time.perf_counter() - started)

    ends = [] if problem.end_point is None else [problem.end_point]
    snaps = graph.snap([problem.meeting_point, *(door.point for door in doors), *ends])
    service_s = [_door_seconds(door, problem) for door in doors]
    sectors = split_sectors(
        problem.meeting_point,
        [door.point for door in doors],
        service_s,
        team_count=problem.team_count,
        max_doors=SECTOR_MAX_DOORS,
    )
    previous = problem.previous_teams()
    keeps_teams = any(team is not None for team in previous)
    team_sectors = (
        keep_previous_teams(sectors, previous, team_count=problem.team_count)
        if keeps_teams
        else number_teams(sectors)
    )
    by_team: dict[int, PlannedRoute] = {}
    statuses: list[SolveStatus] = []
    for sector in team_sectors:
        if not sector.doors:
            by_team.update((team, _empty_route(team)) for team in sector.teams)
            continue
        share = problem.time_limit_s * len(sector.doors) / len(doors)
        status, sector_routes = _plan_sector(
            graph,
            snaps,
            problem,
            sector,
            time_limit_s=share,
            previous_walks=_previous_walks(problem, sector) if keeps_teams else (),
        )
        statuses.append(status)
        by_team.update((route.team, route) for route in sector_routes)
    routes = [by_team[team] for team in range(problem.team_count)]
    if len(sectors) > 1:
        routes = _plan_leftovers(graph, snaps, problem, routes)
    solved = [status for status in statuses if status.has_solution]
    if not solved:
        unvisited = tuple(door.address_id for door in doors)
        return TurfPlan(statuses[0], (), unvisited, time.perf_counter() - started)
    visited = {door_id for route in routes for door_id in route.door_ids}
    unvisited = tuple(door.address_id for door in doors if door.address_id not in visited)
    plan = TurfPlan(solved[0], tuple(routes), unvisited, time.perf_counter() - started)
    check_plan(problem, plan)
    logger.info(
        "Planned turf: %s doors, %s teams, %s sectors, %s visited, status %s, %.2f s",
        len(doors),
        problem.team_count,
        len(sectors),
        len(visited),
        plan.status,
        plan.wall_time_s,
    )
    return plan


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


def _previous_walks(problem: TurfProblem, sector: TeamSector) -> tuple[tuple[int, ...], ...]:
    """Return the door nodes each team of the sector had, in their previous walking order.

    Node ``k + 1`` is the door at position ``k`` of ``sector.doors``.
    """
    node_of = {problem.doors[d].address_id: k + 1 for k, d in enumerate(sector.doors)}
    return tuple(
        tuple(node_of[i] for i in problem.previous_routes[team] if i in node_of)
        for team in sector.teams
    )


def _plan_sector(
    graph: StreetGraph,
    snaps: SnapResult,
    problem: TurfProblem,
    sector: TeamSector,
    *,
    time_limit_s: float,
    previous_walks: tuple[tuple[int, ...], ...] = (),
) -> tuple[SolveStatus, list[PlannedRoute]]:
    """Plan one sector's doors with its teams; return its status and routes.

    ``snaps`` holds the meeting point, every door of the problem, then its end point if
    it has one. ``previous_walks``, one per team of the sector, start the search when a
    door of the sector had a team (``routing.turf_keep``). A sector without a solution
    gets empty routes, so its doors end up unvisited.
    """
    doors = tuple(problem.doors[d] for d in sector.doors)
    ends = [] if problem.end_point is None else [len(problem.doors) + 1]
    local = snaps.subset([0, *(d + 1 for d in sector.doors), *ends])
    walks = street_walks(graph, local)
    distance_m = walks.distance_m
    streets = [None, *(door.street for door in doors), *(None for _ in ends)]
    crossing_m = move_penalties(walks, streets, problem.street_change_m)
    search = SectorSearch(
        distance_m=arrivals_at_end(distance_m) if ends else distance_m,
        crossing_m=arrivals_at_end(crossing_m) if ends else crossing_m,
        door_snaps=local.subset(np.arange(1, len(doors) + 1)),
        service_s=tuple(_door_seconds(door, problem) for door in doors),
        dwellings=tuple(door.dwellings for door in doors),
        team_count=len(sector.teams),
        capacity_s=problem.max_minutes * 60,
        walking_speed_m_per_min=problem.walking_speed_m_per_min,
        time_limit_s=time_limit_s,
        max_doors=problem.max_doors_per_route,
        balance_cost_per_second=problem.balance_cost_per_second,
        solution_limit=problem.solution_limit,
        is_round_trip=not ends,
    )
    outcome = (
        search_from_previous(graph, search, previous_walks)
        if any(previous_walks)
        else search_sector(graph, search)
    )
    teams = sector.teams
    if not outcome.team_nodes:
        logger.warning("No walk found for a sector of %s doors: %s", len(doors), outcome.status)
        return outcome.status, [_empty_route(team) for team in teams]
    finish = len(doors) + 1 if ends else 0
    stops = [[0, *nodes, finish] for nodes in outcome.team_nodes]
    legs = [(a, b) for route in stops if len(route) > 2 for a, b in pairwise(route)]
    leg_paths = dict(zip(legs, walks.paths(legs), strict=True))
    routes = [
        planned_route(
            team, route, doors=doors, distance_m=distance_m, leg_paths=leg_paths, problem=problem
        )
        for team, route in zip(teams, stops, strict=True)
    ]
    return outcome.status, routes


def arrivals_at_end(matrix: NDArray[_Cell]) -> NDArray[_Cell]:
    """Fold the last point (the end point) into the meeting point's column.

    The solvers return to node 0; with arcs into it costing the walk to the end point,
    a walk's length is that of the walk from the meeting point to the end point. Arcs
    out of node 0 keep the walks from the meeting point. The same holds for the
    crossings priced on each walk.
    """
    last = matrix.shape[0] - 1
    folded = matrix[:last, :last].copy()
    folded[1:, 0] = matrix[1:last, last]
    return folded


def _plan_leftovers(
    graph: StreetGraph, snaps: SnapResult, problem: TurfProblem, routes: list[PlannedRoute]
) -> list[PlannedRoute]:
    """Give doors a sector could not fit to the teams another sector left idle.

    Sectors share teams in proportion to their work, so a sector can run out of teams
    while another has one to spare; one more model over those doors and teams fixes it.
    """
    visited = {door_id for route in routes for door_id in route.door_ids}
    left = [k for k, door in enumerate(problem.doors) if door.address_id not in visited]
    idle = [route.team for route in routes if not route.door_ids]
    if not left or not idle:
        return routes
    share = max(0.1, problem.time_limit_s * len(left) / len(problem.doors))
    _, extra = _plan_sector(
        graph, snaps, problem, TeamSector(tuple(left), tuple(idle)), time_limit_s=share
    )
    merged = list(routes)
    for route in extra:
        merged[route.team] = route
    return merged


def planned_route(
    team: int,
    stops: list[int],
    *,
    doors: tuple[Door, ...],
    distance_m: NDArray[np.int32],
    leg_paths: dict[tuple[int, int], tuple[GeoPoint, ...]],
    problem: TurfProblem,
) -> PlannedRoute:
    """Describe one team's walk through the given matrix nodes, from node 0 to the last.

    Node 0 is where the walk starts (the meeting point, or where a team already out
    is) and node ``k`` is ``doors[k - 1]``. Figures come from ``distance_m``.
    """
    if len(stops) <= 2:
        return _empty_route(team)
    visited = tidy_same_point_runs([doors[node - 1] for node in stops[1:-1]])
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


def tidy_same_point_runs(doors: Sequence[Door]) -> list[Door]:
    """Sort each run of consecutive doors at one point by street, then house number.

    The address data gives some residences one point for many doors, on several
    streets. Walking among them costs nothing, so the solver lists them in any order.
    A walk list that jumps between streets at every door is hard to follow. Within a
    run, the street of the door before the run comes first and the street of the door
    after it last, so the run joins its neighbours' groups. Reordering inside a run
    changes no distance.
    """
    tidy: list[Door] = []
    start = 0
    while start < len(doors):
        end = start + 1
        while end < len(doors) and doors[end].point == doors[start].point:
            end += 1
        before = tidy[-1].street if tidy else None
        after = doors[end].street if end < len(doors) else None
        tidy.extend(
            sorted(
                doors[start:end],
                key=lambda door: (_joins(door.street, before, after), *_street_order(door)),
            )
        )
        start = end
    return tidy


def _joins(street: str, before: str | None, after: str | None) -> int:
    """Rank a street within a run: that of the door before first, of the door after last."""
    if street == before:
        return 0
    return 2 if street == after else 1


def _street_order(door: Door) -> tuple[str, int, str]:
    """Return a key that orders doors by street, then by house number (« 3 bis » after 3)."""
    digits = re.match(r"\d+", door.number)
    return (door.street, int(digits.group()) if digits else 0, door.number)


def _empty_route(team: int) -> PlannedRoute:
    """Return the route of a team that stays at the meeting point."""
    return PlannedRoute(team, (), 0, 0.0, 0.0, 0.0, ())
