"""Count how often the walks of a Bondy turf change street, with and without a price on it.

    .venv/bin/python -m benchmarks.street_groups                  # bondy-300 and bondy-1000
    .venv/bin/python -m benchmarks.street_groups --penalties 0 20 40

A walk sheet groups a route's doors by street in walking order. Each change of street
starts a new group, and a street met again in the same walk is a group more than the
streets visited ("extra groups"). For each instance and street-change price
(`routing.street_changes`), the script plans the turf with the product's rules (balance
cost, two hours, a time limit) and prints the doors visited, the total length, the
changes of street and the extra groups.
"""

import argparse
import time
from collections.abc import Sequence

from benchmarks.routes_peers import instance
from routing.route_types import PlannedRoute, TurfProblem
from routing.street_changes import STREET_CHANGE_M
from routing.turf import plan_turf

CASES = (("bondy-300", 4), ("bondy-1000", 8))
SESSION_MINUTES = 120
TIME_LIMIT_S = 5.0


def groups_of(routes: Sequence[PlannedRoute], street_of: dict[int, str]) -> tuple[int, int]:
    """Return the changes of street and the extra groups over every route."""
    changes = extra = 0
    for route in routes:
        streets = [street_of[door_id] for door_id in route.door_ids]
        runs = sum(1 for k, street in enumerate(streets) if k == 0 or street != streets[k - 1])
        changes += max(runs - 1, 0)
        extra += runs - len(set(streets))
    return changes, extra


def run(name: str, teams: int, penalty_m: int) -> None:
    graph, meeting_point, doors = instance(name)
    problem = TurfProblem(
        meeting_point,
        doors,
        team_count=teams,
        max_minutes=SESSION_MINUTES,
        time_limit_s=TIME_LIMIT_S,
        street_change_m=penalty_m,
    )
    started = time.perf_counter()
    plan = plan_turf(graph, problem)
    wall_s = time.perf_counter() - started
    changes, extra = groups_of(plan.routes, {door.address_id: door.street for door in doors})
    visited = sum(len(route.door_ids) for route in plan.routes)
    length_m = sum(route.length_m for route in plan.routes)
    print(
        f"{name:<11} teams {teams}  price {penalty_m:>3} m  wall {wall_s:5.2f} s  "
        f"doors {visited:>4}  length {length_m:>6,} m  "
        f"changes {changes:>3}  extra groups {extra:>3}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--penalties", type=int, nargs="+", default=[0, STREET_CHANGE_M])
    args = parser.parse_args()
    for name, teams in CASES:
        for penalty_m in args.penalties:
            run(name, teams, penalty_m)


if __name__ == "__main__":
    main()
