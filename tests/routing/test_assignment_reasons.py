"""Reasons for volunteers left out and sessions left empty, on plans the solver did not make."""

import numpy as np

from routing.assignment_index import PlanningIndex, build_index
from routing.assignment_locks import lock_state
from routing.assignment_reasons import left_out_volunteers, opening_size, short_sessions
from routing.assignment_types import (
    AssignmentProblem,
    LeftOut,
    LeftOutReason,
    SessionShortfall,
    ShortfallReason,
    WeeklySlot,
)
from tests.routing.assignment_checks import session, volunteer

DAY = (WeeklySlot(weekday=0, start_minute=8 * 60, end_minute=20 * 60),)


def problem_of(
    volunteer_count: int, *, min_volunteers: int = 2, max_volunteers: int = 10
) -> AssignmentProblem:
    return AssignmentProblem(
        volunteers=tuple(volunteer(i) for i in range(1, volunteer_count + 1)),
        sessions=(session(10, min_volunteers=min_volunteers, max_volunteers=max_volunteers),),
    )


def chosen_of(index: PlanningIndex, placed: list[tuple[int, int]]) -> np.ndarray:
    """Return the candidate indices of (volunteer id, session id) pairs."""
    vpos = {v.id: i for i, v in enumerate(index.problem.volunteers)}
    spos = {s.id: j for j, s in enumerate(index.problem.sessions)}
    found = index.find(
        np.array([vpos[v] for v, _ in placed], dtype=np.int64),
        np.array([spos[s] for _, s in placed], dtype=np.int64),
    )
    assert (found >= 0).all()
    return np.sort(found)


def explain(
    problem: AssignmentProblem, placed: list[tuple[int, int]]
) -> tuple[list[LeftOut], list[SessionShortfall]]:
    index = build_index(problem)
    locks = lock_state(index)
    chosen = chosen_of(index, placed)
    return left_out_volunteers(index, locks, chosen), short_sessions(index, locks, chosen)


def test_missed_team_means_not_selected() -> None:
    left, short = explain(problem_of(2), [])

    assert left == [LeftOut(1, LeftOutReason.NOT_SELECTED), LeftOut(2, LeftOutReason.NOT_SELECTED)]
    assert short == [SessionShortfall(10, ShortfallReason.NOT_SELECTED)]


def test_room_for_a_team_without_partner() -> None:
    left, _ = explain(problem_of(3), [(1, 10), (2, 10)])

    assert left == [LeftOut(3, LeftOutReason.NO_PARTNER)]


def test_open_session_without_room_full() -> None:
    left, _ = explain(problem_of(4, max_volunteers=3), [(1, 10), (2, 10)])

    assert left == [
        LeftOut(3, LeftOutReason.SESSIONS_FULL),
        LeftOut(4, LeftOutReason.SESSIONS_FULL),
    ]


def test_session_that_cannot_open_is_full() -> None:
    left, short = explain(problem_of(2, min_volunteers=1, max_volunteers=1), [])

    assert [item.reason for item in left] == [LeftOutReason.SESSIONS_FULL] * 2
    assert short == [SessionShortfall(10, ShortfallReason.BELOW_MINIMUM)]


def test_too_few_within_reach_below_minimum() -> None:
    _, short = explain(problem_of(3, min_volunteers=4), [])

    assert short == [SessionShortfall(10, ShortfallReason.BELOW_MINIMUM)]


def two_sessions(start: str, end: str, **kwargs: object) -> AssignmentProblem:
    return AssignmentProblem(
        volunteers=(volunteer(1, slots=DAY), volunteer(2, slots=DAY)),
        sessions=(session(10), session(11, start=start, end=end)),
        **kwargs,  # type: ignore[arg-type]
    )


def test_empty_session_reasons_follow_the_blocking_rule() -> None:
    on_10 = [(1, 10), (2, 10)]

    assert explain(two_sessions("11:00", "13:00"), on_10)[1] == [
        SessionShortfall(11, ShortfallReason.VOLUNTEERS_BUSY)
    ]
    assert explain(two_sessions("12:30", "14:00"), on_10)[1] == [
        SessionShortfall(11, ShortfallReason.REST)
    ]
    assert explain(two_sessions("15:00", "17:00", max_sessions_per_week=1), on_10)[1] == [
        SessionShortfall(11, ShortfallReason.WEEKLY_CAP)
    ]
    assert explain(two_sessions("15:00", "17:00"), on_10)[1] == [
        SessionShortfall(11, ShortfallReason.NOT_SELECTED)
    ]


def test_opening_size_rounds_up_to_teams() -> None:
    assert opening_size(session(1, min_volunteers=0), 2) == 2
    assert opening_size(session(1, min_volunteers=3), 2) == 4
    assert opening_size(session(1, min_volunteers=4), 2) == 4
    assert opening_size(session(1, min_volunteers=5), 3) == 6
    assert opening_size(session(1, min_volunteers=0), 1) == 1
