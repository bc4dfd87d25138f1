"""The walk search on one walk of a team already out, and the limits it runs within.

A team already out walks from where it is to the session's finish. Each such walk is
ordered on its own (``routing.resume``), and again after it takes doors dropped from
another walk (``routing.resume_offer``), with the same limits.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
from numpy.typing import NDArray

from routing.geo import GeoPoint
from routing.route_types import Door, TurfProblem
from routing.tour import polish_walk

# Minimum search time given to one team's walk, however small its share of the doors.
MIN_WALK_TIME_S = 0.05
# Kicks of the walk search on one team's walk when the problem sets no solution limit.
# Stopping on kicks rather than time makes the walk the same on any machine. On the
# Bondy test case, two walks of 17 and 18 doors came out at 1,659 and 2,770 m after 20,
# 500 or 5,000 kicks and after 3 s of kicks; 500 kicks took 0.03 s each (one run).
WALK_MAX_KICKS = 500


def team_problem(problem: TurfProblem, start: GeoPoint, doors: tuple[Door, ...]) -> TurfProblem:
    """Return the problem of one team's walk through ``doors`` from ``start`` to the finish.

    The walk gets its share of the problem's search time, in proportion to its doors.
    """
    share = problem.time_limit_s * len(doors) / len(problem.doors)
    return replace(
        problem,
        meeting_point=start,
        doors=doors,
        team_count=1,
        time_limit_s=max(MIN_WALK_TIME_S, share),
        end_point=problem.finish,
        previous_routes=(),
    )


def polish_resumed(
    cost: NDArray[np.integer], walk: tuple[int, ...], problem: TurfProblem
) -> tuple[int, ...]:
    """Reorder a walk to the finish, from its current order, within the problem's limits.

    ``cost`` is folded as ``routing.turf.arrivals_at_end`` folds it: arcs into node 0
    lead to the finish.
    """
    return polish_walk(
        cost,
        walk,
        time_limit_s=problem.time_limit_s,
        solution_limit=problem.solution_limit or WALK_MAX_KICKS,
        is_round_trip=False,
    )
