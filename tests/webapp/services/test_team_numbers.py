"""A planning run keeps the team numbers of teams whose members stay together."""

from routing.assignment_types import AssignmentPlan, Placement
from routing.status import SolveStatus
from webapp.services.assignment_store import TeamSeat
from webapp.services.team_numbers import keep_team_numbers

SESSION = 7


def seat(user: int, team: int, *, declined: bool = False) -> TeamSeat:
    return TeamSeat(
        session_id=SESSION, user_id=user, team=team, is_locked=False, has_declined=declined
    )


def plan_of(teams: dict[int, tuple[int, ...]], session_id: int = SESSION) -> AssignmentPlan:
    placements = tuple(
        Placement(volunteer_id=user, session_id=session_id, team=team)
        for team, users in teams.items()
        for user in users
    )
    return AssignmentPlan(SolveStatus.OPTIMAL, placements, (), (), 0.0, 0.0)


def teams_of(plan: AssignmentPlan) -> dict[int, set[int]]:
    found: dict[int, set[int]] = {}
    for placement in plan.placements:
        found.setdefault(placement.team, set()).add(placement.volunteer_id)
    return found


def test_unchanged_pairs_keep_their_numbers() -> None:
    # Before: 1 {10, 11}, 2 {20, 21}, 3 {30, 31}. Volunteer 10 left, so the planner dealt
    # the rest again from number 1.
    seats = [seat(10, 1), seat(11, 1), seat(20, 2), seat(21, 2), seat(30, 3), seat(31, 3)]
    dealt = plan_of({1: (20, 21), 2: (30, 31), 3: (11, 40)})

    kept = keep_team_numbers(seats, dealt)

    assert teams_of(kept) == {2: {20, 21}, 3: {30, 31}, 1: {11, 40}}


def test_new_team_takes_lowest_free_number() -> None:
    seats = [seat(10, 1), seat(11, 1), seat(20, 2), seat(21, 2)]
    dealt = plan_of({1: (20, 21), 2: (50, 51), 3: (10, 11)})

    kept = keep_team_numbers(seats, dealt)

    assert teams_of(kept) == {2: {20, 21}, 1: {10, 11}, 3: {50, 51}}


def test_split_team_keeps_number_for_larger_share() -> None:
    # Team 1 had three members; two stay together, one joins a newcomer.
    seats = [seat(1, 1), seat(2, 1), seat(3, 1), seat(4, 2), seat(5, 2)]
    dealt = plan_of({1: (3, 9), 2: (1, 2), 3: (4, 5)})

    kept = keep_team_numbers(seats, dealt)

    assert teams_of(kept) == {1: {1, 2}, 2: {4, 5}, 3: {3, 9}}


def test_declined_seats_count_for_nothing() -> None:
    seats = [seat(10, 1, declined=True), seat(11, 1, declined=True), seat(20, 2), seat(21, 2)]
    dealt = plan_of({1: (20, 21), 2: (10, 11)})

    kept = keep_team_numbers(seats, dealt)

    assert teams_of(kept) == {2: {20, 21}, 1: {10, 11}}


def test_sessions_numbered_apart() -> None:
    seats = [seat(10, 2), seat(11, 2)]
    dealt = plan_of({1: (10, 11)})
    other = plan_of({1: (10, 11)}, session_id=SESSION + 1)
    both = AssignmentPlan(
        SolveStatus.OPTIMAL, dealt.placements + other.placements, (), (), 0.0, 0.0
    )

    kept = keep_team_numbers(seats, both)

    assert sorted((p.session_id, p.team, p.volunteer_id) for p in kept.placements) == [
        (SESSION, 2, 10),
        (SESSION, 2, 11),
        (SESSION + 1, 1, 10),
        (SESSION + 1, 1, 11),
    ]
