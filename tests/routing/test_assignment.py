"""Assignment of volunteers to sessions: small hand-checked cases of the first planner's rules.

Later rules (dated exceptions, rest, weekly caps, travel time, soft team rules, the
objective terms) are in `test_assignment_rules.py`; random and regression instances in
`test_assignment_random.py`.
"""

import logging
from datetime import datetime

import pytest

from routing.assignment_index import team_points, travel_points
from routing.assignment_timing import build_timeline
from routing.assignment_types import (
    AssignmentProblem,
    LeftOut,
    LeftOutReason,
    Placement,
    SessionInput,
    SessionLock,
    SessionShortfall,
    ShortfallReason,
    WeeklySlot,
)
from routing.assignment_weights import PlanningWeights
from routing.status import SolveStatus
from tests.routing.assignment_checks import (
    MONDAY,
    PLAIN,
    TOWN_HALL,
    north_of,
    pairs,
    reasons,
    session,
    solve,
    volunteer,
)

# Availability


def test_covering_slot_places_volunteers() -> None:
    plan = solve([volunteer(1), volunteer(2)], [session(10)])

    assert plan.status is SolveStatus.OPTIMAL
    assert plan.placements == (Placement(1, 10, 1), Placement(2, 10, 1))
    assert plan.left_out == ()
    assert plan.short_sessions == ()


def test_slot_ending_one_minute_early_excludes() -> None:
    early = (WeeklySlot(weekday=0, start_minute=9 * 60, end_minute=11 * 60 + 59),)
    plan = solve([volunteer(1), volunteer(2), volunteer(3, slots=early)], [session(10)])

    assert pairs(plan) == {(1, 10), (2, 10)}
    assert plan.left_out == (LeftOut(3, LeftOutReason.NO_AVAILABILITY),)


def test_exact_slot_covers_session() -> None:
    exact = (WeeklySlot(weekday=0, start_minute=10 * 60, end_minute=12 * 60),)
    plan = solve([volunteer(1, slots=exact), volunteer(2, slots=exact)], [session(10)])

    assert pairs(plan) == {(1, 10), (2, 10)}


def test_other_weekday_slot_excludes() -> None:
    tuesday = (WeeklySlot(weekday=1, start_minute=0, end_minute=1440),)
    plan = solve([volunteer(1, slots=tuesday), volunteer(2, slots=tuesday)], [session(10)])

    assert plan.placements == ()
    assert reasons(plan) == {1: LeftOutReason.NO_AVAILABILITY, 2: LeftOutReason.NO_AVAILABILITY}
    assert plan.short_sessions == (SessionShortfall(10, ShortfallReason.NO_ELIGIBLE_VOLUNTEER),)


def test_session_window_rounds_seconds_outwards() -> None:
    s = SessionInput(
        id=1,
        starts_at=datetime(2024, 6, 3, 10, 0, 30),
        ends_at=datetime(2024, 6, 3, 11, 59, 30),
        meeting_point=TOWN_HALL,
        min_volunteers=0,
        max_volunteers=2,
        weight=0.0,
    )
    timeline = build_timeline([s])

    assert (int(timeline.start[0]), int(timeline.end[0])) == (600, 720)


def test_slot_ending_at_midnight_covers() -> None:
    to_midnight = SessionInput(
        id=2,
        starts_at=datetime(2024, 6, 3, 21, 0),
        ends_at=datetime(2024, 6, 4, 0, 0),
        meeting_point=TOWN_HALL,
        min_volunteers=0,
        max_volunteers=2,
        weight=0.0,
    )
    past_midnight = SessionInput(
        id=3,
        starts_at=datetime(2024, 6, 3, 23, 0),
        ends_at=datetime(2024, 6, 4, 0, 30),
        meeting_point=TOWN_HALL,
        min_volunteers=0,
        max_volunteers=2,
        weight=0.0,
    )
    slots = (
        WeeklySlot(weekday=0, start_minute=18 * 60, end_minute=1440),
        WeeklySlot(weekday=1, start_minute=0, end_minute=1440),
    )
    plan = solve(
        [volunteer(1, slots=slots), volunteer(2, slots=slots)],
        [to_midnight, past_midnight],
        rest_minutes=0,
    )

    # Two back-to-back slots on consecutive days never cover a session past midnight.
    assert pairs(plan) == {(1, 2), (2, 2)}
    assert plan.short_sessions == (SessionShortfall(3, ShortfallReason.NO_ELIGIBLE_VOLUNTEER),)


# Time overlap


def test_overlapping_sessions_take_volunteer_once() -> None:
    volunteers = [
        volunteer(1, slots=(WeeklySlot(0, 8 * 60, 14 * 60),)),
        volunteer(2, slots=(WeeklySlot(0, 8 * 60, 14 * 60),)),
    ]
    sessions = [
        session(10, start="10:00", end="12:00", weight=60.0),
        session(11, start="11:00", end="13:00", weight=50.0),
    ]
    plan = solve(volunteers, sessions)

    assert pairs(plan) == {(1, 10), (2, 10)}
    # Both volunteers could open it, but they are on session 10 at the same time.
    assert plan.short_sessions == (SessionShortfall(11, ShortfallReason.VOLUNTEERS_BUSY),)


def test_back_to_back_sessions_share_volunteers() -> None:
    day = (WeeklySlot(weekday=0, start_minute=8 * 60, end_minute=14 * 60),)
    sessions = [session(10, start="10:00", end="12:00"), session(11, start="12:00", end="14:00")]
    plan = solve([volunteer(1, slots=day), volunteer(2, slots=day)], sessions, rest_minutes=0)

    assert pairs(plan) == {(1, 10), (2, 10), (1, 11), (2, 11)}


# Capacity and minimum


def test_capacity_keeps_four_closest() -> None:
    volunteers = [volunteer(i, metres=200.0 * i) for i in range(1, 8)]
    plan = solve(volunteers, [session(10, max_volunteers=4)])

    assert pairs(plan) == {(1, 10), (2, 10), (3, 10), (4, 10)}
    assert plan.left_out == tuple(LeftOut(i, LeftOutReason.SESSIONS_FULL) for i in (5, 6, 7))


def test_session_below_minimum_stays_empty() -> None:
    far = session(11, meeting_point=north_of(TOWN_HALL, 20_000.0))
    plan = solve([volunteer(1), volunteer(2)], [session(10, min_volunteers=4), far])

    assert plan.status is SolveStatus.OPTIMAL
    assert plan.placements == ()
    assert plan.left_out == (
        LeftOut(1, LeftOutReason.SESSIONS_FULL),
        LeftOut(2, LeftOutReason.SESSIONS_FULL),
    )
    assert plan.short_sessions == (
        SessionShortfall(10, ShortfallReason.BELOW_MINIMUM),
        SessionShortfall(11, ShortfallReason.NO_ELIGIBLE_VOLUNTEER),
    )
    assert plan.objective == 0.0


def test_minimum_rounds_up_to_whole_teams() -> None:
    volunteers = [volunteer(i, metres=100.0 * i) for i in range(1, 4)]
    plan = solve(volunteers, [session(10, min_volunteers=3)])

    assert plan.placements == ()
    assert plan.short_sessions == (SessionShortfall(10, ShortfallReason.BELOW_MINIMUM),)


# Distance


def test_volunteer_beyond_limit_too_far() -> None:
    plan = solve([volunteer(1), volunteer(2, metres=5000.0)], [session(10)])

    assert plan.placements == ()
    assert reasons(plan) == {1: LeftOutReason.NO_PARTNER, 2: LeftOutReason.TOO_FAR}


def test_own_distance_limit_overrides_default() -> None:
    plan = solve([volunteer(1), volunteer(2, metres=5000.0, max_distance_m=6000)], [session(10)])

    assert pairs(plan) == {(1, 10), (2, 10)}
    assert plan.objective == 2000 + 20 * 50 + 500 - 400 - 50


def test_own_distance_limit_stricter() -> None:
    plan = solve(
        [volunteer(1), volunteer(2, metres=1500.0, max_distance_m=1000)],
        [session(10)],
        max_distance_m=3000,
    )

    assert reasons(plan) == {1: LeftOutReason.NO_PARTNER, 2: LeftOutReason.TOO_FAR}


def test_distance_limit_boundary() -> None:
    volunteers = [volunteer(1, metres=2990.0), volunteer(2, metres=3010.0), volunteer(3)]
    plan = solve(volunteers, [session(10)])

    assert pairs(plan) == {(1, 10), (3, 10)}
    assert reasons(plan) == {2: LeftOutReason.TOO_FAR}


def test_volunteer_without_home_left_out() -> None:
    plan = solve([volunteer(1), volunteer(2), volunteer(3, has_home=False)], [session(10)])

    assert pairs(plan) == {(1, 10), (2, 10)}
    assert plan.left_out == (LeftOut(3, LeftOutReason.NO_HOME),)


# Teams


def test_odd_volunteer_has_no_partner() -> None:
    volunteers = [
        volunteer(1, metres=1000.0),
        volunteer(2, metres=500.0),
        volunteer(3, experienced=True),
    ]
    plan = solve(volunteers, [session(10, max_volunteers=10)])

    assert plan.placements == (Placement(2, 10, 1), Placement(3, 10, 1))
    assert plan.left_out == (LeftOut(1, LeftOutReason.NO_PARTNER),)


def test_teams_mix_experience_by_id() -> None:
    volunteers = [
        volunteer(1),
        volunteer(2),
        volunteer(3, experienced=True),
        volunteer(4, experienced=True),
    ]
    plan = solve(volunteers, [session(10)])

    assert plan.placements == (
        Placement(1, 10, 1),
        Placement(3, 10, 1),
        Placement(2, 10, 2),
        Placement(4, 10, 2),
    )


def test_teams_of_three_spread_experience() -> None:
    volunteers = [volunteer(i, metres=100.0 * i) for i in range(1, 6)] + [
        volunteer(6, experienced=True),
        volunteer(7, experienced=True),
    ]
    plan = solve(volunteers, [session(10)], team_size=3)

    assert plan.placements == (
        Placement(1, 10, 1),
        Placement(3, 10, 1),
        Placement(6, 10, 1),
        Placement(2, 10, 2),
        Placement(4, 10, 2),
        Placement(7, 10, 2),
    )
    assert plan.left_out == (LeftOut(5, LeftOutReason.NO_PARTNER),)


def test_single_volunteer_teams_need_no_partner() -> None:
    plan = solve([volunteer(1)], [session(10, min_volunteers=1)], team_size=1)

    assert plan.placements == (Placement(1, 10, 1),)


# Weight


def test_pair_goes_to_higher_weight() -> None:
    sessions = [session(10, weight=10.0), session(11, weight=90.0)]
    plan = solve([volunteer(1), volunteer(2)], sessions)

    assert pairs(plan) == {(1, 11), (2, 11)}
    assert plan.objective == 2000 + 20 * 90 + 500 - 400
    assert plan.short_sessions == (SessionShortfall(10, ShortfallReason.VOLUNTEERS_BUSY),)


def test_team_and_travel_points_scale() -> None:
    weights = PlanningWeights()

    assert team_points(session(1, weight=0.0), weights) == 2000
    assert team_points(session(1, weight=100.0), weights) == 4000
    assert team_points(session(1, weight=72.35), weights) == 3447
    assert travel_points(250, weights) == 2
    assert travel_points(999, weights) == 9
    assert travel_points(10_000, PlanningWeights(travel=3)) == 30


def test_plain_weights_score_like_the_first_planner() -> None:
    # Teams of two, no bonus or penalty: 1,000 points a volunteer, 10 a score point.
    plan = solve(
        [volunteer(1), volunteer(2, metres=250.0)], [session(10, weight=72.0)], weights=PLAIN
    )

    assert plan.objective == 2 * (1000 + 720) - 2


# Locks


def test_lock_overrides_session_weight() -> None:
    sessions = [session(10, weight=90.0), session(11, weight=10.0)]
    plan = solve([volunteer(1, locks=(11,)), volunteer(2)], sessions)

    assert pairs(plan) == {(1, 11), (2, 11)}


def test_lock_overrides_eligibility() -> None:
    volunteers = [
        volunteer(1, slots=(), locks=(10,)),
        volunteer(2, metres=9000.0, locks=(10,)),
        volunteer(3, has_home=False, locks=(10,)),
        volunteer(4),
    ]
    plan = solve(volunteers, [session(10)])

    assert pairs(plan) == {(1, 10), (2, 10), (3, 10), (4, 10)}


def test_overlapping_locks_infeasible() -> None:
    day = (WeeklySlot(weekday=0, start_minute=8 * 60, end_minute=14 * 60),)
    volunteers = [
        volunteer(1, slots=day, locks=(10, 11)),
        volunteer(2, slots=day),
        volunteer(3, slots=day),
        volunteer(4, slots=day, locks=(12,)),
        volunteer(5, slots=day),
    ]
    sessions = [
        session(10, start="10:00", end="12:00"),
        session(11, start="11:00", end="13:00"),
        session(12, start="08:00", end="09:00"),
    ]
    plan = solve(volunteers, sessions)

    assert plan.status is SolveStatus.INFEASIBLE
    assert plan.placements == ()
    assert plan.left_out == ()
    assert plan.conflicting_locks == (SessionLock(1, 10), SessionLock(1, 11))


def test_locks_beyond_capacity_infeasible() -> None:
    volunteers = [volunteer(i, locks=(10,)) for i in range(1, 5)] + [volunteer(5), volunteer(6)]
    plan = solve(volunteers, [session(10, max_volunteers=2), session(11)])

    assert plan.status is SolveStatus.INFEASIBLE
    # Session 10 takes at most two volunteers, so any three of its four locks conflict.
    assert len(plan.conflicting_locks) == 3
    assert {lock.session_id for lock in plan.conflicting_locks} == {10}


def test_lone_lock_without_partner_infeasible() -> None:
    plan = solve([volunteer(1, locks=(10,)), volunteer(2, metres=9000.0)], [session(10)])

    assert plan.status is SolveStatus.INFEASIBLE
    assert plan.conflicting_locks == (SessionLock(1, 10),)


# Empty problems and bad input


def test_no_sessions_is_empty() -> None:
    plan = solve([volunteer(1), volunteer(2, has_home=False)], [])

    assert plan.status is SolveStatus.EMPTY
    assert plan.bound == 0.0
    assert plan.placements == ()
    assert plan.left_out == (
        LeftOut(1, LeftOutReason.NO_AVAILABILITY),
        LeftOut(2, LeftOutReason.NO_HOME),
    )
    assert plan.objective == 0.0


def test_no_volunteers_is_empty() -> None:
    plan = solve([], [session(10), session(11)])

    assert plan.status is SolveStatus.EMPTY
    assert plan.short_sessions == (
        SessionShortfall(10, ShortfallReason.NO_ELIGIBLE_VOLUNTEER),
        SessionShortfall(11, ShortfallReason.NO_ELIGIBLE_VOLUNTEER),
    )


def test_nobody_eligible_solves_trivially() -> None:
    plan = solve([volunteer(1, slots=())], [session(10)])

    assert plan.status is SolveStatus.OPTIMAL
    assert plan.left_out == (LeftOut(1, LeftOutReason.NO_AVAILABILITY),)


@pytest.mark.parametrize(
    ("weekday", "start", "end"),
    [(7, 0, 60), (-1, 0, 60), (0, 60, 60), (0, 120, 60), (0, -1, 60), (0, 0, 1441)],
)
def test_bad_slot_is_rejected(weekday: int, start: int, end: int) -> None:
    with pytest.raises(ValueError, match="weekday|minutes"):
        WeeklySlot(weekday=weekday, start_minute=start, end_minute=end)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"ends_at": MONDAY}, "after starts_at"),
        ({"min_volunteers": 5, "max_volunteers": 4}, "min_volunteers"),
        ({"min_volunteers": -1}, "min_volunteers"),
        ({"weight": 100.5}, "weight"),
        ({"weight": float("nan")}, "weight"),
        ({"starts_at": datetime(2024, 6, 3, 10).astimezone()}, "naive"),
    ],
)
def test_bad_session_is_rejected(changes: dict[str, object], message: str) -> None:
    fields: dict[str, object] = {
        "id": 1,
        "starts_at": datetime(2024, 6, 3, 10),
        "ends_at": datetime(2024, 6, 3, 12),
        "meeting_point": TOWN_HALL,
        "min_volunteers": 2,
        "max_volunteers": 4,
        "weight": 50.0,
    }
    fields.update(changes)
    with pytest.raises(ValueError, match=message):
        SessionInput(**fields)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"volunteers": (volunteer(1), volunteer(1))}, "duplicate volunteer id 1"),
        ({"sessions": (session(10), session(10))}, "duplicate session id 10"),
        ({"volunteers": (volunteer(1, locks=(99,)),)}, "unknown sessions"),
        ({"time_limit_s": 0.0}, "time_limit_s"),
        ({"time_limit_s": float("inf")}, "time_limit_s"),
        ({"team_size": 0}, "team_size"),
        ({"workers": 0}, "workers"),
        ({"max_distance_m": -1}, "max_distance_m"),
        ({"rest_minutes": -1}, "rest_minutes"),
        ({"max_sessions_per_week": -1}, "max_sessions_per_week"),
        ({"conflict_limit": -1}, "conflict_limit"),
        ({"volunteers": (volunteer(1, partner_id=2),)}, "unknown partner 2"),
        ({"volunteers": (volunteer(1, previous=(99,)),)}, "previously on unknown sessions"),
    ],
)
def test_bad_problem_is_rejected(changes: dict[str, object], message: str) -> None:
    fields: dict[str, object] = {"volunteers": (volunteer(1),), "sessions": (session(10),)}
    fields.update(changes)
    with pytest.raises(ValueError, match=message):
        AssignmentProblem(**fields)  # type: ignore[arg-type]


def test_negative_own_distance_limit_is_rejected() -> None:
    with pytest.raises(ValueError, match="max_distance_m"):
        volunteer(1, max_distance_m=-5)


# Logging


def test_one_info_line_without_ids(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.INFO, logger="routing.assignment"):
        solve([volunteer(101), volunteer(202), volunteer(303)], [session(4040)])

    records = [r for r in caplog.records if r.name == "routing.assignment"]
    assert len(records) == 1
    message = records[0].getMessage()
    assert message.startswith("assignment optimal: volunteers=3 sessions=1")
    assert "objective=3100 bound=3100" in message
    assert "placed=2 left_out=1" in message
    for identifier in ("101", "202", "303", "4040"):
        assert identifier not in message
