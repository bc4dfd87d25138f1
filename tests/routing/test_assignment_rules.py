"""The planning rules added to the first planner, each on a small hand-checked case.

Default weights: team 2000, target score 20 a point, session opened 500, travel 10 a km,
fairness 300, stability 500, experienced 400, partner 1500, language 400.
"""

import math
from datetime import date

import pytest

from routing.assignment_types import (
    DatedException,
    LeftOutReason,
    ObjectiveTerm,
    PlanWarning,
    SessionShortfall,
    ShortfallReason,
    TravelMode,
    VolunteerInput,
    WarningCode,
    WeeklySlot,
)
from routing.assignment_weights import PlanningWeights, WeightName, weights_with
from routing.status import SolveStatus
from tests.routing.assignment_checks import (
    TOWN_HALL,
    north_of,
    pairs,
    reasons,
    session,
    solve,
    term,
    volunteer,
)

ON_MONDAY = date(2024, 6, 3)
ON_TUESDAY = date(2024, 6, 4)
LONG_MONDAY = (WeeklySlot(weekday=0, start_minute=8 * 60, end_minute=20 * 60),)
MON_TUE = (
    WeeklySlot(weekday=0, start_minute=9 * 60, end_minute=13 * 60),
    WeeklySlot(weekday=1, start_minute=9 * 60, end_minute=13 * 60),
)
NORTH_1000 = north_of(TOWN_HALL, 1000.0)
MORNING_SLOT = WeeklySlot(weekday=0, start_minute=9 * 60, end_minute=13 * 60)


def off(on: date, start: int | None = None, end: int | None = None) -> DatedException:
    return DatedException(on_date=on, is_available=False, start_minute=start, end_minute=end)


def extra(on: date, start: int | None = None, end: int | None = None) -> DatedException:
    return DatedException(on_date=on, is_available=True, start_minute=start, end_minute=end)


# Dated exceptions


def test_day_off_removes_the_weekly_slot() -> None:
    plan = solve(
        [volunteer(1), volunteer(2), volunteer(3, exceptions=(off(ON_MONDAY),))], [session(10)]
    )

    assert pairs(plan) == {(1, 10), (2, 10)}
    assert reasons(plan) == {3: LeftOutReason.DAY_OFF}


def test_hours_off_inside_the_session_exclude() -> None:
    plan = solve(
        [volunteer(1), volunteer(2, exceptions=(off(ON_MONDAY, 660, 690),))], [session(10)]
    )

    assert plan.placements == ()
    assert reasons(plan) == {1: LeftOutReason.NO_PARTNER, 2: LeftOutReason.DAY_OFF}


def test_hours_off_outside_the_session_keep_it() -> None:
    plan = solve(
        [volunteer(1), volunteer(2, exceptions=(off(ON_MONDAY, 750, 780), off(ON_TUESDAY)))],
        [session(10)],
    )

    assert pairs(plan) == {(1, 10), (2, 10)}


def test_extra_hours_add_availability() -> None:
    volunteers = [
        volunteer(1, slots=(), exceptions=(extra(ON_MONDAY, 9 * 60, 13 * 60),)),
        volunteer(2, slots=(), exceptions=(extra(ON_MONDAY),)),
        volunteer(3, slots=(), exceptions=(extra(ON_TUESDAY),)),
    ]
    plan = solve(volunteers, [session(10)])

    assert pairs(plan) == {(1, 10), (2, 10)}
    assert reasons(plan) == {3: LeftOutReason.NO_AVAILABILITY}


def test_extra_hours_join_a_weekly_slot() -> None:
    early = (WeeklySlot(weekday=0, start_minute=9 * 60, end_minute=11 * 60),)
    plan = solve(
        [volunteer(1), volunteer(2, slots=early, exceptions=(extra(ON_MONDAY, 660, 780),))],
        [session(10)],
    )

    assert pairs(plan) == {(1, 10), (2, 10)}


def test_time_off_wins_over_extra_hours() -> None:
    both = (extra(ON_MONDAY), off(ON_MONDAY, 600, 660))
    plan = solve([volunteer(1), volunteer(2, slots=(), exceptions=both)], [session(10)])

    assert reasons(plan) == {1: LeftOutReason.NO_PARTNER, 2: LeftOutReason.NO_AVAILABILITY}


# Rest between sessions


def rest_case(**kwargs: object) -> set[tuple[int, int]]:
    sessions = [
        session(10, start="10:00", end="12:00", weight=50.0),
        session(11, start="12:30", end="14:30", weight=60.0),
    ]
    plan = solve(
        [volunteer(1, slots=LONG_MONDAY), volunteer(2, slots=LONG_MONDAY)], sessions, **kwargs
    )
    if pairs(plan) == {(1, 11), (2, 11)}:
        assert plan.short_sessions == (SessionShortfall(10, ShortfallReason.REST),)
    return pairs(plan)


def test_rest_keeps_sessions_apart() -> None:
    assert rest_case() == {(1, 11), (2, 11)}
    assert rest_case(rest_minutes=45) == {(1, 11), (2, 11)}


def test_shorter_rest_allows_both() -> None:
    assert rest_case(rest_minutes=30) == {(1, 10), (2, 10), (1, 11), (2, 11)}


# Weekly cap


def test_campaign_cap_one_session_a_week() -> None:
    sessions = [
        session(10, day=0, weight=50.0),
        session(11, day=1, weight=60.0),
        session(12, day=7, weight=40.0),
    ]
    volunteers = [volunteer(1, slots=MON_TUE), volunteer(2, slots=MON_TUE)]
    plan = solve(volunteers, sessions, max_sessions_per_week=1)

    # Session 12 is a week later: the cap starts again.
    assert pairs(plan) == {(1, 11), (2, 11), (1, 12), (2, 12)}
    assert plan.short_sessions == (SessionShortfall(10, ShortfallReason.WEEKLY_CAP),)


def test_volunteer_cap_lower_than_campaign_wins() -> None:
    sessions = [session(10, day=0, weight=50.0), session(11, day=1, weight=60.0)]
    volunteers = [volunteer(1, slots=MON_TUE, max_sessions_per_week=1), volunteer(2, slots=MON_TUE)]
    plan = solve(volunteers, sessions)

    assert pairs(plan) == {(1, 11), (2, 11)}
    assert plan.short_sessions == (SessionShortfall(10, ShortfallReason.WEEKLY_CAP),)


def test_volunteer_cap_higher_than_campaign_does_not_raise_it() -> None:
    sessions = [session(10, day=0, weight=50.0), session(11, day=1, weight=60.0)]
    volunteers = [
        volunteer(1, slots=MON_TUE, max_sessions_per_week=5),
        volunteer(2, slots=MON_TUE, max_sessions_per_week=5),
    ]
    plan = solve(volunteers, sessions, max_sessions_per_week=1)

    assert pairs(plan) == {(1, 11), (2, 11)}


def test_zero_cap_leaves_volunteer_out() -> None:
    volunteers = [volunteer(1), volunteer(2), volunteer(3, max_sessions_per_week=0)]
    plan = solve(volunteers, [session(10)])

    assert pairs(plan) == {(1, 10), (2, 10)}
    assert reasons(plan) == {3: LeftOutReason.WEEKLY_CAP}


# Travel


def test_walking_time_limit() -> None:
    # 30 minutes at 70 m/min along streets 1.3 times the straight line: 1,615 m.
    volunteers = [
        volunteer(1),
        volunteer(2, metres=1600.0, max_travel_minutes=30),
        volunteer(3, metres=1650.0, max_travel_minutes=30),
    ]
    plan = solve(volunteers, [session(10)])

    assert pairs(plan) == {(1, 10), (2, 10)}
    assert reasons(plan) == {3: LeftOutReason.TRAVEL_TOO_LONG}


def test_transit_time_limit_reaches_beyond_the_default() -> None:
    # 30 minutes at 15 km/h door to door: 7,500 m, more than the default 3,000 m.
    volunteers = [
        volunteer(1),
        volunteer(2, metres=7400.0, max_travel_minutes=30, travel_mode=TravelMode.TRANSIT),
        volunteer(3, metres=7600.0, max_travel_minutes=30, travel_mode=TravelMode.TRANSIT),
    ]
    plan = solve(volunteers, [session(10)])

    assert pairs(plan) == {(1, 10), (2, 10)}
    assert reasons(plan) == {3: LeftOutReason.TRAVEL_TOO_LONG}


def test_stricter_of_distance_and_time_applies() -> None:
    volunteers = [
        volunteer(1),
        volunteer(2, metres=1200.0, max_distance_m=1000, max_travel_minutes=30),
        volunteer(3, metres=1200.0, max_distance_m=2000, max_travel_minutes=20),
    ]
    plan = solve(volunteers, [session(10)])

    # Volunteer 3 walks 20 minutes: 1,076 m.
    assert reasons(plan) == {
        1: LeftOutReason.NO_PARTNER,
        2: LeftOutReason.TOO_FAR,
        3: LeftOutReason.TRAVEL_TOO_LONG,
    }


# Experienced volunteer in every team


def experience_case(
    weights: PlanningWeights,
) -> tuple[set[tuple[int, int]], tuple[PlanWarning, ...]]:
    volunteers = [
        volunteer(1, experienced=True),
        volunteer(2, metres=100.0, experienced=True),
        volunteer(3, metres=900.0),
        volunteer(4, metres=1000.0),
    ]
    sessions = [
        session(10, max_volunteers=2),
        session(11, max_volunteers=2, meeting_point=NORTH_1000),
    ]
    plan = solve(volunteers, sessions, weights=weights)
    return pairs(plan), plan.warnings


def test_each_team_gets_an_experienced_volunteer() -> None:
    placed, warnings = experience_case(PlanningWeights())

    # Mixing costs 16 points of travel and saves 400.
    assert placed == {(1, 10), (3, 10), (2, 11), (4, 11)}
    assert warnings == ()


def test_without_the_experienced_weight_travel_decides() -> None:
    placed, warnings = experience_case(PlanningWeights(experienced=0))

    assert placed == {(1, 10), (2, 10), (3, 11), (4, 11)}
    assert warnings == (PlanWarning(WarningCode.TEAM_WITHOUT_EXPERIENCED, 11, 1),)


# Friends who asked to canvass together


def friends_case(
    weights: PlanningWeights, fourth: VolunteerInput | None = None
) -> tuple[set[tuple[int, int]], tuple[PlanWarning, ...], tuple[int, int]]:
    volunteers = [
        volunteer(1, partner_id=4),
        volunteer(2),
        volunteer(3, metres=1000.0),
        fourth or volunteer(4, metres=900.0),
    ]
    sessions = [
        session(10, max_volunteers=2),
        session(11, max_volunteers=2, meeting_point=NORTH_1000),
    ]
    plan = solve(volunteers, sessions, weights=weights)
    return pairs(plan), plan.warnings, term(plan, WeightName.PARTNER)


def test_friends_canvass_together() -> None:
    placed, warnings, partner = friends_case(PlanningWeights())

    assert placed == {(1, 10), (4, 10), (2, 11), (3, 11)}
    assert warnings == tuple(
        PlanWarning(WarningCode.TEAM_WITHOUT_EXPERIENCED, s, 1) for s in (10, 11)
    )
    assert partner == (0, 0)


def test_friends_apart_without_the_weight() -> None:
    placed, warnings, partner = friends_case(PlanningWeights(partner=0))

    assert placed == {(1, 10), (2, 10), (3, 11), (4, 11)}
    # Warnings state facts, whatever the weights.
    assert warnings == (
        PlanWarning(WarningCode.PARTNER_APART, 10, 0, 1),
        PlanWarning(WarningCode.TEAM_WITHOUT_EXPERIENCED, 10, 1),
        PlanWarning(WarningCode.PARTNER_APART, 11, 0, 4),
        PlanWarning(WarningCode.TEAM_WITHOUT_EXPERIENCED, 11, 1),
    )
    assert partner == (2, 0)


def test_friend_unavailable_costs_nothing() -> None:
    absent = volunteer(4, metres=900.0, slots=())
    plan = solve([volunteer(1, partner_id=4), volunteer(2), absent], [session(10)])

    # They could share no session, so canvassing without the friend is not charged.
    assert pairs(plan) == {(1, 10), (2, 10)}
    assert PlanWarning(WarningCode.PARTNER_APART, 10, 0, 1) in plan.warnings
    assert term(plan, WeightName.PARTNER) == (0, 0)


def test_friend_on_a_session_out_of_reach() -> None:
    afternoon = WeeklySlot(weekday=0, start_minute=14 * 60, end_minute=18 * 60)
    volunteers = [
        volunteer(1, partner_id=4),
        volunteer(2),
        volunteer(3),
        volunteer(4, slots=(MORNING_SLOT, afternoon)),
        volunteer(5, slots=(afternoon,)),
    ]
    sessions = [session(10, max_volunteers=2), session(11, start="15:00", end="17:00")]
    plan = solve(volunteers, sessions)

    # Volunteer 1 on session 10 without volunteer 4, who could come, would cost 1,500.
    assert pairs(plan) == {(2, 10), (3, 10), (4, 11), (5, 11)}
    assert reasons(plan) == {1: LeftOutReason.PARTNER_ELSEWHERE}
    assert term(plan, WeightName.PARTNER) == (0, 0)


def test_friends_share_a_team() -> None:
    volunteers = [
        volunteer(1, experienced=True),
        volunteer(2, experienced=True, partner_id=4),
        volunteer(3),
        volunteer(4),
    ]
    plan = solve(volunteers, [session(10)])

    assert {(p.volunteer_id, p.team) for p in plan.placements} == {(2, 1), (4, 1), (1, 2), (3, 2)}
    assert plan.warnings == ()


# Language needed in the IRIS


def language_case(weights: PlanningWeights) -> tuple[set[tuple[int, int]], tuple[PlanWarning, ...]]:
    volunteers = [
        volunteer(1, metres=1000.0, languages=frozenset({"ar", "en"})),
        volunteer(2),
        volunteer(3, metres=100.0, languages=frozenset({"es"})),
    ]
    sessions = [session(10, max_volunteers=2, languages=frozenset({"ar", "tr"}))]
    plan = solve(volunteers, sessions, weights=weights)
    return pairs(plan), tuple(
        w for w in plan.warnings if w.code is WarningCode.TEAM_WITHOUT_LANGUAGE
    )


def test_team_gets_a_speaker() -> None:
    placed, warnings = language_case(PlanningWeights())

    assert placed == {(1, 10), (2, 10)}
    assert warnings == ()


def test_without_the_language_weight_travel_decides() -> None:
    placed, warnings = language_case(PlanningWeights(language=0))

    assert placed == {(2, 10), (3, 10)}
    assert warnings == (PlanWarning(WarningCode.TEAM_WITHOUT_LANGUAGE, 10, 1),)


# Fairness between volunteers


def fairness_case(weights: PlanningWeights) -> tuple[set[tuple[int, int]], tuple[int, int]]:
    volunteers = [
        volunteer(1, slots=LONG_MONDAY),
        volunteer(2, slots=LONG_MONDAY),
        volunteer(3, slots=LONG_MONDAY, metres=2000.0),
        volunteer(4, slots=LONG_MONDAY, metres=2000.0),
    ]
    sessions = [
        session(10, start="10:00", end="12:00", max_volunteers=2),
        session(
            11,
            start="16:00",
            end="18:00",
            max_volunteers=2,
            meeting_point=north_of(TOWN_HALL, 500.0),
        ),
    ]
    plan = solve(volunteers, sessions, weights=weights)
    return pairs(plan), term(plan, WeightName.FAIRNESS)


def test_fairness_shares_sessions_out() -> None:
    placed, fairness = fairness_case(PlanningWeights())

    assert placed == {(1, 10), (2, 10), (3, 11), (4, 11)}
    assert fairness == (0, 0)


def test_without_fairness_the_closest_do_everything() -> None:
    placed, fairness = fairness_case(PlanningWeights(fairness=0))

    assert placed == {(1, 10), (2, 10), (1, 11), (2, 11)}
    assert fairness == (2, 0)


def test_fairness_grows_with_each_session() -> None:
    day = (WeeklySlot(weekday=0, start_minute=0, end_minute=1440),)
    sessions = [
        session(10 + k, start=f"{8 + 4 * k:02d}:00", end=f"{10 + 4 * k:02d}:00") for k in range(3)
    ]
    plan = solve([volunteer(1, slots=day), volunteer(2, slots=day)], sessions)

    # The third session costs 2 steps of 300 points each volunteer: worth it still.
    assert len(plan.placements) == 6
    assert term(plan, WeightName.FAIRNESS) == (6, -1800)


# Stability when planning again


def test_previous_assignment_is_kept() -> None:
    sessions = [session(10, weight=50.0), session(11, weight=51.0)]
    moved = solve([volunteer(1), volunteer(2)], sessions)
    kept = solve([volunteer(1, previous=(10,)), volunteer(2, previous=(10,))], sessions)

    assert pairs(moved) == {(1, 11), (2, 11)}
    assert pairs(kept) == {(1, 10), (2, 10)}
    assert term(kept, WeightName.STABILITY) == (2, 1000)


# Objective terms and the bound


def test_terms_of_a_simple_plan() -> None:
    plan = solve([volunteer(1, experienced=True), volunteer(2, metres=1500.0)], [session(10)])

    assert plan.status is SolveStatus.OPTIMAL
    assert plan.terms == (
        ObjectiveTerm(WeightName.TEAM, 1, 2000),
        ObjectiveTerm(WeightName.TARGET_SCORE, 50, 1000),
        ObjectiveTerm(WeightName.SESSION_OPENED, 1, 500),
        ObjectiveTerm(WeightName.TRAVEL, 1500, -15),
        ObjectiveTerm(WeightName.FAIRNESS, 0, 0),
        ObjectiveTerm(WeightName.STABILITY, 0, 0),
        ObjectiveTerm(WeightName.EXPERIENCED, 0, 0),
        ObjectiveTerm(WeightName.PARTNER, 0, 0),
        ObjectiveTerm(WeightName.LANGUAGE, 0, 0),
    )
    assert plan.objective == 3485
    assert plan.bound == 3485


# Locks


def test_locks_override_rest_and_weekly_cap() -> None:
    sessions = [session(10, start="10:00", end="12:00"), session(11, start="12:30", end="14:30")]
    volunteers = [
        volunteer(1, slots=LONG_MONDAY, locks=(10, 11)),
        volunteer(2, slots=LONG_MONDAY, locks=(10, 11)),
    ]
    plan = solve(volunteers, sessions, max_sessions_per_week=1)

    assert plan.status is SolveStatus.OPTIMAL
    assert pairs(plan) == {(1, 10), (2, 10), (1, 11), (2, 11)}


def test_lock_keeps_its_volunteer_off_clashing_sessions() -> None:
    sessions = [
        session(10, start="10:00", end="12:00", weight=10.0),
        session(11, start="12:30", end="14:30", weight=90.0),
    ]
    volunteers = [
        volunteer(1, slots=LONG_MONDAY, locks=(10,)),
        volunteer(2, slots=LONG_MONDAY, locks=(10,)),
        volunteer(3, slots=LONG_MONDAY),
        volunteer(4, slots=LONG_MONDAY),
    ]
    plan = solve(volunteers, sessions)

    assert pairs(plan) == {(1, 10), (2, 10), (3, 11), (4, 11)}


# Weights and bad input


def test_weights_with_overrides() -> None:
    weights = weights_with(PlanningWeights(), {"travel": 25.4, "partner": 0})

    assert (weights.travel, weights.partner, weights.team) == (25, 0, 2000)
    assert weights.of(WeightName.TRAVEL) == 25


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"speed": 3}, "unknown weight 'speed'"),
        ({"travel": -1}, "within"),
        ({"travel": math.nan}, "within"),
        ({"travel": 2_000_000}, "within"),
        ({"travel": True}, "number"),
        ({"travel": "5"}, "number"),
    ],
)
def test_bad_weight_is_rejected(overrides: dict[str, float], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        weights_with(PlanningWeights(), overrides)


def test_bad_weight_value_in_dataclass_is_rejected() -> None:
    with pytest.raises(ValueError, match="fairness"):
        PlanningWeights(fairness=-3)


@pytest.mark.parametrize(
    ("start", "end"), [(600, None), (None, 600), (600, 600), (-1, 60), (0, 1441)]
)
def test_bad_exception_is_rejected(start: int | None, end: int | None) -> None:
    with pytest.raises(ValueError, match="minutes"):
        DatedException(on_date=ON_MONDAY, is_available=True, start_minute=start, end_minute=end)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"partner_id": 1}, "own partner"),
        ({"max_travel_minutes": -1}, "max_travel_minutes"),
        ({"max_sessions_per_week": -1}, "max_sessions_per_week"),
    ],
)
def test_bad_volunteer_is_rejected(changes: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        volunteer(1, **changes)  # type: ignore[arg-type]
