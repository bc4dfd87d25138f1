"""A re-planning that cuts again only the walks of the teams a change concerns.

When a street closes or reopens, or a team comes back, most teams' doors need not
change. Sharing every door again would let the search swap a door or two between
teams the change did not concern, and each such team would be notified of a change.
Here only the changing teams' doors, with the doors of no team, are cut into walks
(``routing.turf``). Every other team keeps the doors it had, walked again over the
streets as they are now, from where it is (``routing.resume``): a closed way may change
its path, not its doors. A door a walk has no time for is offered to the other walks.
When that leaves out a door some team had, every door is cut again as well, and the
plan that visits more doors is kept, the one that holds the walks on a tie.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from routing.geo import GeoPoint
from routing.resume import resume_walks
from routing.route_types import PlannedRoute, TurfProblem
from routing.status import SolveStatus
from routing.street_graph import StreetGraph
from routing.turf import plan_turf

Walks = tuple[SolveStatus, list[PlannedRoute], tuple[int, ...]]


def replan_walks(
    graph: StreetGraph,
    problem: TurfProblem,
    starts: Sequence[GeoPoint | None],
    changing: Sequence[bool],
) -> Walks:
    """Hold the walks of the teams not changing, unless cutting every door visits more.

    Arguments and result as ``plan_changed_walks``; no walk at all when neither plan
    finds a solution.
    """
    held = plan_changed_walks(graph, problem, starts, changing)
    _, walks, late = held
    had = {i for address_ids in problem.previous_routes for i in address_ids}
    if len(walks) == problem.team_count and had.isdisjoint(late):
        return held
    cut = cut_every_walk(graph, problem, starts)
    if len(walks) == problem.team_count and _door_count(held) >= _door_count(cut):
        return held
    return cut


def cut_every_walk(
    graph: StreetGraph, problem: TurfProblem, starts: Sequence[GeoPoint | None]
) -> Walks:
    """Cut every door into walks from the meeting point, each walked from where its team is.

    Returns as ``plan_changed_walks`` does.
    """
    plan = plan_turf(graph, problem)
    if len(plan.routes) != problem.team_count:
        return plan.status, [], ()
    walks, late = resume_walks(graph, problem, starts, plan.routes, plan.unvisited_door_ids)
    return plan.status, walks, late


def _door_count(walks: Walks) -> int:
    return sum(len(walk.door_ids) for walk in walks[1])


def plan_changed_walks(
    graph: StreetGraph,
    problem: TurfProblem,
    starts: Sequence[GeoPoint | None],
    changing: Sequence[bool],
) -> Walks:
    """Cut the doors of the teams with ``changing[k]`` set, and walk the others' own doors.

    ``problem.previous_routes`` contains every team's doors before the change, as
    ``routing.resume.resume_walks`` expects, and ``starts[k]`` is where team ``k`` is,
    None before it starts. Returns the plan's status, the walks in team order and the
    address ids of the doors that fit no walk, as ``resume_walks`` does; no walk at all
    when the cut finds no solution.
    """
    kept = {
        address_id
        for team, address_ids in enumerate(problem.previous_routes)
        if not changing[team]
        for address_id in address_ids
    }
    free_doors = tuple(door for door in problem.doors if door.address_id not in kept)
    cut_teams = [team for team in range(problem.team_count) if changing[team]]
    status = SolveStatus.EMPTY
    unplanned = tuple(door.address_id for door in free_doors)
    cut: dict[int, PlannedRoute] = {}
    if cut_teams:
        sub = replace(
            problem,
            doors=free_doors,
            team_count=len(cut_teams),
            previous_routes=tuple(problem.previous_routes[team] for team in cut_teams),
        )
        plan = plan_turf(graph, sub)
        if len(plan.routes) != len(cut_teams):
            return plan.status, [], ()
        status, unplanned = plan.status, plan.unvisited_door_ids
        cut = {
            team: replace(route, team=team)
            for team, route in zip(cut_teams, plan.routes, strict=True)
        }
    present = {door.address_id for door in problem.doors}
    routes = [
        cut[team] if team in cut else _unwalked(team, problem.previous_routes[team], present)
        for team in range(problem.team_count)
    ]
    # A kept team not out yet walks its doors from the meeting point, as a plan would.
    walk_starts = [
        problem.meeting_point if start is None and not changing[team] else start
        for team, start in enumerate(starts)
    ]
    walks, late = resume_walks(graph, problem, walk_starts, routes, unplanned)
    return status, walks, late


def _unwalked(team: int, previous: tuple[int, ...], present: set[int]) -> PlannedRoute:
    """Return the team's previous doors that are `present`, as a route not walked yet."""
    door_ids = tuple(i for i in previous if i in present)
    return PlannedRoute(team, door_ids, 0, 0.0, 0.0, 0.0, ())
