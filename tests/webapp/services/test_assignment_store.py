"""The teams a plan leaves each session, predicted before the plan is stored."""

from routing.assignment_types import AssignmentPlan, Placement
from routing.status import SolveStatus
from webapp.services.assignment_store import TeamSeat, teams_after_plan


def plan_of(*placements: tuple[int, int, int]) -> AssignmentPlan:
    """Return an optimal plan of (volunteer, session, team) placements."""
    return AssignmentPlan(
        status=SolveStatus.OPTIMAL,
        placements=tuple(Placement(*placement) for placement in placements),
        left_out=(),
        short_sessions=(),
        objective=0.0,
        wall_time_s=0.1,
    )


def seat(
    session_id: int, user_id: int, team: int, *, locked: bool = False, declined: bool = False
) -> TeamSeat:
    return TeamSeat(session_id, user_id, team, is_locked=locked, has_declined=declined)


def test_placements_form_the_teams() -> None:
    plan = plan_of((1, 10, 1), (2, 10, 1), (3, 10, 2), (4, 10, 2), (5, 20, 1))

    assert teams_after_plan((), plan, [10, 20, 30]) == {10: [1, 2], 20: [1], 30: []}


def test_old_rows_leave_their_teams() -> None:
    # Volunteer 7 was in team 3 without a lock: the plan moves them, and team 3 is gone.
    seats = (seat(10, 7, 3), seat(10, 8, 3))
    plan = plan_of((7, 10, 1), (8, 10, 1))

    assert teams_after_plan(seats, plan, [10]) == {10: [1]}


def test_lock_not_placed_keeps_its_team() -> None:
    # A locked volunteer the solver did not see (disabled since) stays in team 4.
    seats = (seat(10, 9, 4, locked=True), seat(10, 7, 2))
    plan = plan_of((1, 10, 1), (2, 10, 1))

    assert teams_after_plan(seats, plan, [10]) == {10: [1, 4]}


def test_declined_row_placed_stays_out() -> None:
    # A placement on a declined row keeps the row declined, so it forms no team.
    seats = (seat(10, 5, 2, declined=True), seat(10, 6, 2, locked=True, declined=True))
    plan = plan_of((1, 10, 1), (2, 10, 1), (5, 10, 2))

    assert teams_after_plan(seats, plan, [10]) == {10: [1]}


def test_other_sessions_are_left_out() -> None:
    # Session 20 has begun, so its rows and placements count among no teams to route.
    seats = (seat(20, 3, 5, locked=True),)
    plan = plan_of((1, 10, 1), (3, 20, 5))

    assert teams_after_plan(seats, plan, [10]) == {10: [1]}
