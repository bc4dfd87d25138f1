"""Check a turf plan against the rules of its problem before anyone walks it.

The routing solver works in rounded seconds over its own copy of the numbers; this check
recomputes every figure from the problem and the route's length so a bug in the model,
the rounding or the bookkeeping fails loudly instead of sending a team out on a walk it
cannot finish.
"""

from __future__ import annotations

import math
from collections import Counter

from routing.route_types import PlannedRoute, TurfPlan, TurfProblem

# Float slack when comparing minutes computed in different orders.
MINUTES_TOLERANCE = 1e-6


class PlanError(ValueError):
    """A plan breaks a rule of its problem; the message names the rule and the route."""


def check_plan(problem: TurfProblem, plan: TurfPlan) -> None:
    """Raise PlanError unless the plan keeps every rule of the problem."""
    if len(plan.routes) != problem.team_count and plan.routes:
        raise PlanError(f"plan has {len(plan.routes)} routes for {problem.team_count} teams")
    teams = [route.team for route in plan.routes]
    if teams != list(range(len(plan.routes))):
        raise PlanError(f"routes must be in team order 0..n-1, got teams {teams}")
    _check_doors(problem, plan)
    dwellings = {door.address_id: door.dwellings for door in problem.doors}
    for route in plan.routes:
        _check_route(problem, route, dwellings)


def _check_doors(problem: TurfProblem, plan: TurfPlan) -> None:
    """Check that each door is in exactly one route or listed as unvisited."""
    known = {door.address_id for door in problem.doors}
    seen = Counter(door_id for route in plan.routes for door_id in route.door_ids)
    seen.update(plan.unvisited_door_ids)
    repeated = sorted(door_id for door_id, count in seen.items() if count > 1)
    if repeated:
        raise PlanError(f"doors planned more than once: {repeated}")
    unknown = sorted(set(seen) - known)
    if unknown:
        raise PlanError(f"plan names doors that are not in the problem: {unknown}")
    missing = sorted(known - set(seen))
    if missing:
        raise PlanError(f"doors neither routed nor listed as unvisited: {missing}")


def _check_route(problem: TurfProblem, route: PlannedRoute, dwellings: dict[int, int]) -> None:
    """Check one route's door count, figures and duration against the session."""
    team = route.team
    if not route.door_ids:
        if route.length_m or route.total_minutes or route.path:
            raise PlanError(f"route {team} has no doors but a walk")
        return
    cap = problem.max_doors_per_route
    if cap is not None and len(route.door_ids) > cap:
        raise PlanError(f"route {team} has {len(route.door_ids)} doors, more than {cap}")
    if route.length_m < 0:
        raise PlanError(f"route {team} has a negative length {route.length_m} m")
    walking = route.length_m / problem.walking_speed_m_per_min
    door_minutes = sum(dwellings[d] for d in route.door_ids) * problem.minutes_per_dwelling
    expected = {
        "walking_minutes": (route.walking_minutes, walking),
        "door_minutes": (route.door_minutes, door_minutes),
        "total_minutes": (route.total_minutes, walking + door_minutes),
    }
    for name, (stated, computed) in expected.items():
        if not math.isclose(stated, computed, rel_tol=1e-9, abs_tol=MINUTES_TOLERANCE):
            raise PlanError(f"route {team}: {name} is {stated:.4f}, expected {computed:.4f}")
    if walking + door_minutes > problem.max_minutes + MINUTES_TOLERANCE:
        raise PlanError(
            f"route {team} takes {walking + door_minutes:.2f} min, "
            f"more than the session's {problem.max_minutes} min"
        )
    if route.path and route.path[0] != problem.meeting_point:
        raise PlanError(f"route {team} does not start at the meeting point")
    if route.path and route.path[-1] != problem.finish:
        raise PlanError(f"route {team} does not end where the session's routes end")
