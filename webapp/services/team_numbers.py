"""Keep the team numbers of a session when a planning run forms its teams again.

The planner deals each session's volunteers into teams 1..k afresh, so one volunteer
more or less can shift the numbers of teams whose members did not change. A route, its
link and its doors belong to a team number, so a shifted number would replace the links
of unchanged pairs and tell them they have a new team. Before anything is stored, each
new team takes the number of the previous team it shares most members with, and the
teams left take the lowest numbers still free.
"""

from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import replace

from routing.assignment_types import AssignmentPlan, Placement
from webapp.services.assignment_store import TeamSeat


def keep_team_numbers(seats: Iterable[TeamSeat], plan: AssignmentPlan) -> AssignmentPlan:
    """Return the plan with each session's teams numbered after the teams `seats` held.

    `seats` are the assignments read before the solve; declined ones count for nothing.
    Teams and members are unchanged, only their numbers.
    """
    previous: dict[int, dict[int, int]] = defaultdict(dict)
    for seat in seats:
        if not seat.has_declined:
            previous[seat.session_id][seat.user_id] = seat.team
    by_session: dict[int, list[Placement]] = defaultdict(list)
    for placement in plan.placements:
        by_session[placement.session_id].append(placement)
    renumbered: list[Placement] = []
    for session_id, placements in by_session.items():
        numbers = _numbers(placements, previous[session_id])
        renumbered.extend(replace(p, team=numbers[p.team]) for p in placements)
    renumbered.sort(key=lambda p: (p.session_id, p.team, p.volunteer_id))
    return replace(plan, placements=tuple(renumbered))


def _numbers(placements: list[Placement], previous: dict[int, int]) -> dict[int, int]:
    """Return the number each new team of one session takes, by its new number.

    Pairs of a new and a previous team are matched by members shared, most first, then
    by the lower numbers. The teams left take the lowest numbers no matched team took.
    """
    shared: Counter[tuple[int, int]] = Counter(
        (p.team, previous[p.volunteer_id]) for p in placements if p.volunteer_id in previous
    )
    numbers: dict[int, int] = {}
    used: set[int] = set()
    for (new, old), _count in sorted(shared.items(), key=lambda item: (-item[1], item[0])):
        if new not in numbers and old not in used:
            numbers[new] = old
            used.add(old)
    free = (n for n in range(1, len(placements) + len(used) + 2) if n not in used)
    for new in sorted({p.team for p in placements}):
        if new not in numbers:
            numbers[new] = next(free)
    return numbers
