"""Doors a resumed walk has no time for, offered to the walks of every team.

A team already out walks its new route from its last door, and the doors that no longer
fit its time are cut from the end of its walk (``routing.resume``). Each of them goes
to the walk where it adds least and still fits, cheapest first
(``routing.walk_insertion``). That walk may be another team's, from its last door or
from the meeting point, or the cut walk itself when it passes close by. A walk that took
doors is then reordered by the walk search from its new order, and keeps the new order
only if it still fits. Doors that fit no walk are left out of time.

Insertion leaves every other walk as it was, needs one distance matrix, and gives the
same walks on any machine.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from itertools import pairwise

import numpy as np
from numpy.typing import NDArray

from routing.geo import GeoPoint
from routing.resume_search import polish_resumed, team_problem
from routing.route_types import Door, PlannedRoute, TurfProblem
from routing.street_changes import move_penalties
from routing.street_graph import StreetGraph
from routing.street_walks import StreetWalks, street_walks
from routing.turf import arrivals_at_end, planned_route
from routing.walk_insertion import InsertionProblem, OpenWalk, insert_doors, walk_minutes

# Matrix node of the session's finish. The receiving walks' starts follow, then the doors.
FINISH_NODE = 0


@dataclass(frozen=True, eq=False)
class _Offer:
    """The walks that may take doors, on one matrix: the finish, their starts, the doors.

    Walk ``insertion.walks[k]`` starts at node ``k + 1``, ``starts[k]``. Door
    ``doors[j]`` is node ``1 + len(starts) + j``, and the offered doors come last, as
    nodes ``offered``.
    """

    starts: tuple[GeoPoint, ...]
    doors: tuple[Door, ...]
    offered: tuple[int, ...]
    street: StreetWalks
    cost: NDArray[np.int64]
    insertion: InsertionProblem

    def door_at(self, node: int) -> Door:
        return self.doors[node - 1 - len(self.starts)]


def offer_dropped(
    graph: StreetGraph,
    problem: TurfProblem,
    starts: Sequence[GeoPoint | None],
    walks: Sequence[PlannedRoute],
    dropped: Sequence[int],
) -> tuple[list[PlannedRoute], tuple[int, ...]]:
    """Put each dropped door in the walk where it adds least and still fits.

    ``walks[i]`` is team ``i``'s walk, from ``starts[i]`` (the meeting point when None)
    to the problem's finish, and ``dropped`` are address ids of ``problem.doors`` on no
    walk. Returns the walks in the same order and the doors that fit none, in the order
    given.
    """
    by_id = {door.address_id: door for door in problem.doors}
    offered = tuple(by_id[address_id] for address_id in dict.fromkeys(dropped))
    receivers = _receivers(problem, walks, offered)
    if not receivers:
        return list(walks), tuple(door.address_id for door in offered)
    points = [_start_point(problem, starts[k]) for k in receivers]
    offer = _offer(graph, problem, points, [walks[k] for k in receivers], offered)
    taken, left = insert_doors(offer.insertion, offer.offered)
    result = list(walks)
    for k, before, after in zip(receivers, offer.insertion.walks, taken, strict=True):
        if after != before:
            result[k] = _walk_of(offer, problem, after, team=walks[k].team)
    return result, tuple(offer.door_at(node).address_id for node in left)


def _receivers(
    problem: TurfProblem, walks: Sequence[PlannedRoute], offered: Sequence[Door]
) -> tuple[int, ...]:
    """Return the walks with time left for the door that takes least time at it.

    Walk figures come from other matrices than the offer's, so a walk that a door would
    fit by a metre's rounding may be passed over.
    """
    if not offered:
        return ()
    least_minutes = min(door.dwellings for door in offered) * problem.minutes_per_dwelling
    return tuple(
        k
        for k, walk in enumerate(walks)
        if walk.total_minutes + least_minutes <= problem.max_minutes
    )


def _start_point(problem: TurfProblem, start: GeoPoint | None) -> GeoPoint:
    return problem.meeting_point if start is None else start


def _offer(
    graph: StreetGraph,
    problem: TurfProblem,
    starts: Sequence[GeoPoint],
    walks: Sequence[PlannedRoute],
    offered: Sequence[Door],
) -> _Offer:
    """Measure the walks between the finish, the walks' starts, their doors and the offered."""
    by_id = {door.address_id: door for door in problem.doors}
    doors = (*(by_id[i] for walk in walks for i in walk.door_ids), *offered)
    snaps = graph.snap([problem.finish, *starts, *(door.point for door in doors)])
    street = street_walks(graph, snaps)
    streets = [*(None for _ in range(1 + len(starts))), *(door.street for door in doors)]
    cost = street.distance_m.astype(np.int64) + move_penalties(
        street, streets, problem.street_change_m
    )
    first_door = 1 + len(starts)
    node = {door.address_id: first_door + j for j, door in enumerate(doors)}
    dwellings = np.array([0] * first_door + [door.dwellings for door in doors], dtype=np.int64)
    insertion = InsertionProblem(
        distance_m=street.distance_m,
        cost=cost,
        dwellings=dwellings,
        walks=tuple(
            OpenWalk(1 + k, tuple(node[i] for i in walk.door_ids), FINISH_NODE)
            for k, walk in enumerate(walks)
        ),
        max_minutes=problem.max_minutes,
        walking_speed_m_per_min=problem.walking_speed_m_per_min,
        minutes_per_dwelling=problem.minutes_per_dwelling,
    )
    offered_nodes = tuple(node[door.address_id] for door in offered)
    return _Offer(tuple(starts), doors, offered_nodes, street, cost, insertion)


def _walk_of(offer: _Offer, problem: TurfProblem, walk: OpenWalk, *, team: int) -> PlannedRoute:
    """Reorder a walk that took doors, if it still fits that way, and describe it."""
    walk = _polished(offer, problem, walk)
    nodes = walk.stops()
    doors = tuple(offer.door_at(node) for node in walk.doors)
    stops = list(range(len(nodes)))
    legs = list(pairwise(stops))
    paths = offer.street.paths([(int(nodes[a]), int(nodes[b])) for a, b in legs])
    return planned_route(
        team,
        stops,
        doors=doors,
        distance_m=offer.street.distance_m[np.ix_(nodes, nodes)],
        leg_paths=dict(zip(legs, paths, strict=True)),
        problem=problem,
    )


def _polished(offer: _Offer, problem: TurfProblem, walk: OpenWalk) -> OpenWalk:
    """Return the walk reordered by the walk search, or as it is if that no longer fits.

    The search shortens the objective, which counts crossings, so the walk in metres
    may come out longer.
    """
    nodes = walk.stops()
    doors = tuple(offer.door_at(node) for node in walk.doors)
    start = offer.starts[walk.start - 1]
    order = polish_resumed(
        arrivals_at_end(offer.cost[np.ix_(nodes, nodes)]),
        tuple(range(1, len(nodes) - 1)),
        team_problem(problem, start, doors),
    )
    polished = OpenWalk(walk.start, tuple(int(nodes[k]) for k in order), walk.end)
    if walk_minutes(offer.insertion, polished) <= problem.max_minutes:
        return polished
    return walk
