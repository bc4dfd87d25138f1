"""Cheapest insertion of doors into walks that must keep within the session's time.

Each walk goes from its own start through its doors to its end, as nodes of one matrix.
Doors are inserted one at a time, cheapest first: of every door left and every walk, the
insertion that adds least to the objective while the walk still fits ``max_minutes``
goes in, then the walk it changed is priced again. A door that fits no walk stays out.
Walks keep the order of the doors they already had, so their figures only grow by what
the inserted doors add. With a balance cost, an insertion that makes the longest walk
longer also costs that much per minute it adds to it, so doors spread over the walks
as the routing model's balance cost spreads them (``routing.turf_model``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np
from numpy.typing import NDArray


@dataclass(frozen=True, slots=True)
class OpenWalk:
    """A walk from node ``start`` through the ``doors`` nodes, in order, to node ``end``."""

    start: int
    doors: tuple[int, ...]
    end: int

    def stops(self) -> NDArray[np.int64]:
        """Return the walk's nodes from its start to its end."""
        return np.array([self.start, *self.doors, self.end], dtype=np.int64)


@dataclass(frozen=True, slots=True)
class InsertionProblem:
    """Walks sharing one matrix, and the rules a walk must keep.

    ``distance_m`` gives each walk's length and so its walking time. ``cost`` is the
    objective an insertion adds to (the metres plus any crossing penalties). A walk of
    length ``L`` metres through doors of ``D`` dwellings in all takes
    ``L / walking_speed_m_per_min + D * minutes_per_dwelling`` minutes, and must take at
    most ``max_minutes``. ``dwellings[node]`` is 0 for a node that is not a door.
    """

    distance_m: NDArray[np.integer]
    cost: NDArray[np.integer]
    dwellings: NDArray[np.int64]
    walks: tuple[OpenWalk, ...]
    max_minutes: float
    walking_speed_m_per_min: float
    minutes_per_dwelling: float
    # Cost, in the unit of ``cost``, of each minute that an insertion adds to the
    # longest walk. Each door still goes where its walk grows least in ``cost``.
    balance_cost_per_minute: float = 0.0


@dataclass(frozen=True, slots=True)
class _Insertion:
    """The place of one door in one walk, before ``walk.doors[position]``."""

    added_cost: int
    added_m: int
    position: int
    # The walk's minutes with the door in it.
    minutes: float


def insert_doors(
    problem: InsertionProblem, doors: Sequence[int]
) -> tuple[tuple[OpenWalk, ...], tuple[int, ...]]:
    """Insert the door nodes where they cost least and still fit, cheapest first.

    Returns the walks, in the problem's order, and the doors that fit no walk, in the
    order given. Ties go to the door given first, then to the first walk, then to the
    earliest position.
    """
    walks = list(problem.walks)
    left = list(dict.fromkeys(doors))
    best = {
        (door, k): _cheapest(problem, walk, door) for door in left for k, walk in enumerate(walks)
    }
    longest = max((walk_minutes(problem, walk) for walk in walks), default=0.0)
    while (chosen := _cheapest_of_all(problem, best, left, len(walks), longest)) is not None:
        door, k, insertion = chosen
        longest = max(longest, insertion.minutes)
        at = insertion.position
        doors_k = walks[k].doors
        walks[k] = replace(walks[k], doors=(*doors_k[:at], door, *doors_k[at:]))
        left.remove(door)
        for other in left:
            best[other, k] = _cheapest(problem, walks[k], other)
    return tuple(walks), tuple(left)


def walk_minutes(problem: InsertionProblem, walk: OpenWalk) -> float:
    """Return the minutes the walk takes, walking and at its doors."""
    stops = walk.stops()
    length_m = int(problem.distance_m[stops[:-1], stops[1:]].astype(np.int64).sum())
    dwellings = int(problem.dwellings[stops].sum())
    return length_m / problem.walking_speed_m_per_min + dwellings * problem.minutes_per_dwelling


def _cheapest_of_all(
    problem: InsertionProblem,
    best: dict[tuple[int, int], _Insertion | None],
    left: Sequence[int],
    walk_count: int,
    longest: float,
) -> tuple[int, int, _Insertion] | None:
    """Return the door, walk and place of the cheapest insertion, None if none fits.

    ``longest`` is the minutes of the longest walk, which the balance cost weighs.
    """
    balance = problem.balance_cost_per_minute
    chosen: tuple[int, int, _Insertion] | None = None
    chosen_key: tuple[float, int] | None = None
    for door in left:
        for k in range(walk_count):
            insertion = best[door, k]
            if insertion is None:
                continue
            cost: float = insertion.added_cost
            if balance:
                cost += balance * max(0.0, insertion.minutes - longest)
            key = (cost, insertion.added_m)
            if chosen_key is None or key < chosen_key:
                chosen, chosen_key = (door, k, insertion), key
    return chosen


def _cheapest(problem: InsertionProblem, walk: OpenWalk, door: int) -> _Insertion | None:
    """Return the cheapest place for the door in the walk that keeps it in time, if any."""
    stops = walk.stops()
    before, after = stops[:-1], stops[1:]
    added_m = _added(problem.distance_m, before, door, after)
    added_cost = _added(problem.cost, before, door, after)
    length_m = int(problem.distance_m[before, after].astype(np.int64).sum())
    dwellings = int(problem.dwellings[stops].sum() + problem.dwellings[door])
    minutes = (length_m + added_m) / problem.walking_speed_m_per_min
    minutes += dwellings * problem.minutes_per_dwelling
    fits = np.flatnonzero(minutes <= problem.max_minutes)
    if fits.size == 0:
        return None
    # lexsort sorts by its last key first: cost, then metres, then position.
    position = int(fits[np.lexsort((fits, added_m[fits], added_cost[fits]))[0]])
    return _Insertion(
        int(added_cost[position]), int(added_m[position]), position, float(minutes[position])
    )


def _added(
    matrix: NDArray[np.integer], before: NDArray[np.int64], door: int, after: NDArray[np.int64]
) -> NDArray[np.int64]:
    """Return what putting the door between each ``before`` and ``after`` node adds."""
    into = matrix[before, door].astype(np.int64)
    out_of = matrix[door, after].astype(np.int64)
    added: NDArray[np.int64] = into + out_of - matrix[before, after].astype(np.int64)
    return added
