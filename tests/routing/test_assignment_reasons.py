"""Reasons for volunteers left out, checked on plans the solver did not make."""

from routing.assignment_eligibility import all_options
from routing.assignment_reasons import left_out_volunteers, opening_size, short_sessions
from routing.assignment_types import (
    AssignmentProblem,
    LeftOut,
    LeftOutReason,
    SessionShortfall,
    ShortfallReason,
)
from tests.routing.test_assignment import session, volunteer


def problem_of(
    volunteer_count: int, *, min_volunteers: int = 2, max_volunteers: int = 10
) -> AssignmentProblem:
    return AssignmentProblem(
        volunteers=tuple(volunteer(i) for i in range(1, volunteer_count + 1)),
        sessions=(session(10, min_volunteers=min_volunteers, max_volunteers=max_volunteers),),
    )


def test_missed_team_means_not_selected() -> None:
    problem = problem_of(2)

    left = left_out_volunteers(problem, all_options(problem), placed_ids=set(), counts={})

    assert left == [LeftOut(1, LeftOutReason.NOT_SELECTED), LeftOut(2, LeftOutReason.NOT_SELECTED)]


def test_room_for_a_team_without_partner() -> None:
    problem = problem_of(3)

    left = left_out_volunteers(problem, all_options(problem), placed_ids={1, 2}, counts={10: 2})

    assert left == [LeftOut(3, LeftOutReason.NO_PARTNER)]


def test_open_session_without_room_full() -> None:
    problem = problem_of(4, max_volunteers=3)

    left = left_out_volunteers(problem, all_options(problem), placed_ids={1, 2}, counts={10: 2})

    assert left == [
        LeftOut(3, LeftOutReason.SESSIONS_FULL),
        LeftOut(4, LeftOutReason.SESSIONS_FULL),
    ]


def test_session_that_cannot_open_is_full() -> None:
    problem = problem_of(2, min_volunteers=1, max_volunteers=1)

    left = left_out_volunteers(problem, all_options(problem), placed_ids=set(), counts={})

    assert [item.reason for item in left] == [LeftOutReason.SESSIONS_FULL] * 2
    assert short_sessions(problem, all_options(problem), {}) == [
        SessionShortfall(10, ShortfallReason.BELOW_MINIMUM)
    ]


def test_opening_size_rounds_up_to_teams() -> None:
    assert opening_size(session(1, min_volunteers=0), 2) == 2
    assert opening_size(session(1, min_volunteers=3), 2) == 4
    assert opening_size(session(1, min_volunteers=4), 2) == 4
    assert opening_size(session(1, min_volunteers=5), 3) == 6
    assert opening_size(session(1, min_volunteers=0), 1) == 1
