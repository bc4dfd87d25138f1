"""Walks for teams already out: which new route each takes, and its walk from there.

A re-planning cuts the doors left into routes from the meeting point (``routing.turf``).
When teams had doors before, each route of the plan is already its team's, because the
plan keeps each team's doors while it can. Otherwise a team that has started takes the
route whose nearest door is closest to it: teams are matched to routes by the smallest
total walk to each route's nearest door (``scipy.optimize.linear_sum_assignment``), and
teams that have not started take the routes left, in plan order. A team out is at its
last visited door, so its route's doors are reordered as a walk from that door to the
session's finish. Doors a walk has no time for are offered to every walk
(``routing.resume_offer``), and so are the doors the plan left out, when a team is out:
its walk from where it is may have time the plan from the meeting point did not see.
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import pairwise

import numpy as np
from numpy.typing import NDArray
from scipy.optimize import linear_sum_assignment

from routing.geo import GeoPoint, haversine_m
from routing.resume_offer import offer_dropped
from routing.resume_search import polish_resumed, team_problem
from routing.route_types import Door, PlannedRoute, TurfProblem
from routing.street_changes import move_penalties
from routing.street_graph import StreetGraph
from routing.street_walks import UNREACHABLE_M, street_walks, street_walks_from
from routing.turf import arrivals_at_end, planned_route

# Cost of matching a team already out to a route without doors: more than the walk to
# any door, so such a team gets a route with doors whenever one is left.
EMPTY_ROUTE_COST_M = 2 * UNREACHABLE_M

# Doors the plan left out offered to the walks when a team is out, nearest to such a
# team first. The offer measures every pair of its doors along the streets, so a large
# IRIS would make it slow.
# NOTE: 200 doors is a guess; a door further out could fit a walk with a long reach.
UNPLANNED_OFFER_MAX = 200


def resume_walks(
    graph: StreetGraph,
    problem: TurfProblem,
    starts: Sequence[GeoPoint | None],
    routes: Sequence[PlannedRoute],
    unplanned: Sequence[int] = (),
) -> tuple[list[PlannedRoute], tuple[int, ...]]:
    """Give each team a route of the plan, walked from where it is when it is out.

    ``routes`` come from ``plan_turf`` on ``problem``, one per team, and ``starts[i]`` is
    where team ``i`` is (None before it starts). Route ``i`` is team ``i``'s when the
    problem has previous teams, and routes are matched to teams otherwise
    (``match_routes``). A team out walks its route's doors
    from there to the problem's finish within ``max_minutes``, and a team not started
    keeps the planned walk. A door a walk has no time for goes to the walk, of any team,
    where it adds least and still fits (``routing.resume_offer``). When a team is out,
    the doors ``plan_turf`` left out (``unplanned``, address ids) are offered too, the
    ``UNPLANNED_OFFER_MAX`` nearest to a team out. Returns the walks in team order and
    the address ids of the doors that fit no walk: those a walk had no time for, then
    the unplanned ones.

    NOTE: ``plan_turf`` plans every walk from the meeting point. It may therefore give a
    team out doors that its walk from its last door has no time for, or keep from it
    doors that walk has time for. A door goes into a walk as that walk is: no door moves
    from one walk to another to make room, so a joint search of all the walks could fit
    more doors.
    """
    if problem.has_previous_teams:
        matched = list(routes)
    else:
        matched = match_routes(graph, starts, routes, problem.doors)
    walks, dropped = _walk_each(graph, problem, starts, matched)
    offered = _nearest_to_teams_out(problem, starts, unplanned)
    walks, left = offer_dropped(graph, problem, starts, walks, [*dropped, *offered])
    not_offered = set(unplanned) - set(offered)
    return walks, (*left, *(i for i in unplanned if i in not_offered))


def _nearest_to_teams_out(
    problem: TurfProblem, starts: Sequence[GeoPoint | None], unplanned: Sequence[int]
) -> list[int]:
    """Return the unplanned doors to offer: none when no team is out, else the nearest."""
    out = [start for start in starts if start is not None]
    if not out or not unplanned:
        return []
    point = {door.address_id: door.point for door in problem.doors}
    reach = {i: min(haversine_m(point[i], start) for start in out) for i in unplanned}
    nearest = sorted(unplanned, key=lambda i: (reach[i], i))[:UNPLANNED_OFFER_MAX]
    chosen = set(nearest)
    return [i for i in unplanned if i in chosen]


def _walk_each(
    graph: StreetGraph,
    problem: TurfProblem,
    starts: Sequence[GeoPoint | None],
    routes: Sequence[PlannedRoute],
) -> tuple[list[PlannedRoute], list[int]]:
    """Walk each team's route from where it is, and return the walks and the doors dropped."""
    by_id = {door.address_id: door for door in problem.doors}
    walks: list[PlannedRoute] = []
    dropped: list[int] = []
    for start, route in zip(starts, routes, strict=True):
        if start is None or not route.door_ids:
            walks.append(route)
            continue
        doors = tuple(by_id[door_id] for door_id in route.door_ids)
        walk, late = walk_from(team_problem(problem, start, doors), graph, team=route.team)
        walks.append(walk)
        dropped.extend(late)
    return walks, dropped


def match_routes(
    graph: StreetGraph,
    starts: Sequence[GeoPoint | None],
    routes: Sequence[PlannedRoute],
    doors: Sequence[Door],
) -> list[PlannedRoute]:
    """Return the route of each team: ``starts[i]`` is where team ``i`` is, or None.

    There must be one route per team. ``doors`` contains at least every door of the routes.
    """
    if len(starts) != len(routes):
        raise ValueError(f"{len(starts)} teams for {len(routes)} routes")
    started = [team for team, start in enumerate(starts) if start is not None]
    if not started:
        return list(routes)
    points = [start for start in starts if start is not None]
    cost = _nearest_door_m(graph, points, routes, doors)
    rows, columns = linear_sum_assignment(cost)
    chosen = dict(zip((started[row] for row in rows), columns.tolist(), strict=True))
    taken_routes = set(chosen.values())
    left = iter(k for k in range(len(routes)) if k not in taken_routes)
    return [
        routes[chosen[team]] if team in chosen else routes[next(left)]
        for team in range(len(starts))
    ]


def walk_from(
    problem: TurfProblem, graph: StreetGraph, *, team: int
) -> tuple[PlannedRoute, tuple[int, ...]]:
    """Walk the problem's doors from its meeting point, where the team is, to its end.

    ``problem.doors`` are one route's doors in their planned order, which the walk search
    starts from; ``problem.end_point`` is the session's finish. When the walk takes more
    than ``max_minutes``, doors are dropped from its end until it fits. Returns the walk
    and the address ids of the dropped doors, in walking order.
    """
    doors = problem.doors
    if not doors:
        return PlannedRoute(team, (), 0, 0.0, 0.0, 0.0, ()), ()
    finish = len(doors) + 1
    walks = street_walks(
        graph, graph.snap([problem.meeting_point, *(d.point for d in doors), problem.finish])
    )
    distance_m = walks.distance_m
    streets = [None, *(door.street for door in doors), None]
    penalties = move_penalties(walks, streets, problem.street_change_m)
    cost = arrivals_at_end(distance_m.astype(np.int64) + penalties)
    order = polish_resumed(cost, tuple(range(1, finish)), problem)
    kept_count = _fitting_count(order, doors, distance_m, problem)
    stops = [0, *order[:kept_count], finish]
    legs = list(pairwise(stops)) if kept_count else []
    leg_paths = dict(zip(legs, walks.paths(legs), strict=True))
    walk = planned_route(
        team, stops, doors=doors, distance_m=distance_m, leg_paths=leg_paths, problem=problem
    )
    return walk, tuple(doors[node - 1].address_id for node in order[kept_count:])


def _fitting_count(
    order: tuple[int, ...],
    doors: Sequence[Door],
    distance_m: NDArray[np.int32],
    problem: TurfProblem,
) -> int:
    """Return how many of the walk's first doors fit in the time, with the walk to the end."""
    finish = len(doors) + 1
    walked_m = 0
    dwellings = 0
    kept_count = 0
    for count, (a, b) in enumerate(pairwise([0, *order]), start=1):
        walked_m += int(distance_m[a, b])
        dwellings += doors[b - 1].dwellings
        minutes = (walked_m + int(distance_m[b, finish])) / problem.walking_speed_m_per_min
        if minutes + dwellings * problem.minutes_per_dwelling <= problem.max_minutes:
            kept_count = count
    return kept_count


def _nearest_door_m(
    graph: StreetGraph,
    starts: Sequence[GeoPoint],
    routes: Sequence[PlannedRoute],
    doors: Sequence[Door],
) -> NDArray[np.float64]:
    """Return the walk from each start (rows) to each route's nearest door (columns)."""
    column = {door.address_id: k for k, door in enumerate(doors)}
    walks = street_walks_from(graph, graph.snap(starts), graph.snap([d.point for d in doors]))
    walks = np.where(np.isfinite(walks), walks, float(UNREACHABLE_M))
    cost = np.full((len(starts), len(routes)), float(EMPTY_ROUTE_COST_M))
    for k, route in enumerate(routes):
        if route.door_ids:
            cost[:, k] = walks[:, [column[door_id] for door_id in route.door_ids]].min(axis=1)
    return cost
