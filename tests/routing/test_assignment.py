"""Assignment of volunteers to sessions: small hand-checked cases and a brute-force check."""

import logging
import math
import random
from collections import Counter, defaultdict
from datetime import datetime, timedelta

import pytest

from routing.assignment import assign_volunteers
from routing.assignment_eligibility import session_window, slots_cover
from routing.assignment_model import placement_points
from routing.assignment_types import (
    AssignmentPlan,
    AssignmentProblem,
    LeftOut,
    LeftOutReason,
    Placement,
    SessionInput,
    SessionLock,
    SessionShortfall,
    ShortfallReason,
    VolunteerInput,
    WeeklySlot,
)
from routing.geo import EARTH_RADIUS_M, GeoPoint, haversine_m
from routing.status import SolveStatus

MONDAY = datetime(2024, 6, 3)  # a Monday
TOWN_HALL = GeoPoint(lon=2.4825, lat=48.9027)
MORNING = WeeklySlot(weekday=0, start_minute=9 * 60, end_minute=13 * 60)
TIME_LIMIT_S = 5.0


def north_of(point: GeoPoint, metres: float) -> GeoPoint:
    """Return the point `metres` due north, an exact haversine distance."""
    return GeoPoint(lon=point.lon, lat=point.lat + math.degrees(metres / EARTH_RADIUS_M))


def volunteer(
    vid: int,
    *,
    metres: float = 0.0,
    slots: tuple[WeeklySlot, ...] = (MORNING,),
    experienced: bool = False,
    max_distance_m: int | None = None,
    locks: tuple[int, ...] = (),
    has_home: bool = True,
) -> VolunteerInput:
    return VolunteerInput(
        id=vid,
        home=north_of(TOWN_HALL, metres) if has_home else None,
        availability=slots,
        is_experienced=experienced,
        max_distance_m=max_distance_m,
        locked_session_ids=locks,
    )


def session(
    sid: int,
    *,
    start: str = "10:00",
    end: str = "12:00",
    day: int = 0,
    min_volunteers: int = 2,
    max_volunteers: int = 10,
    weight: float = 50.0,
    meeting_point: GeoPoint = TOWN_HALL,
) -> SessionInput:
    date = MONDAY + timedelta(days=day)
    return SessionInput(
        id=sid,
        starts_at=datetime.combine(date, datetime.strptime(start, "%H:%M").time()),
        ends_at=datetime.combine(date, datetime.strptime(end, "%H:%M").time()),
        meeting_point=meeting_point,
        min_volunteers=min_volunteers,
        max_volunteers=max_volunteers,
        weight=weight,
    )


def solve(
    volunteers: list[VolunteerInput], sessions: list[SessionInput], **kwargs: int
) -> AssignmentPlan:
    problem = AssignmentProblem(
        volunteers=tuple(volunteers),
        sessions=tuple(sessions),
        time_limit_s=TIME_LIMIT_S,
        **kwargs,
    )
    plan = assign_volunteers(problem)
    if plan.status.has_solution:
        assert_plan_valid(problem, plan)
    return plan


def pairs(plan: AssignmentPlan) -> set[tuple[int, int]]:
    return {(p.volunteer_id, p.session_id) for p in plan.placements}


def reasons(plan: AssignmentPlan) -> dict[int, LeftOutReason]:
    return {item.volunteer_id: item.reason for item in plan.left_out}


# Brute-force checker, written independently of the library's own helpers.


def covers(v: VolunteerInput, s: SessionInput) -> bool:
    midnight = datetime.combine(s.starts_at.date(), datetime.min.time())
    start_minute = (s.starts_at - midnight).total_seconds() // 60
    end_minute = -(-(s.ends_at - midnight).total_seconds() // 60)
    return end_minute <= 1440 and any(
        slot.weekday == s.starts_at.weekday()
        and slot.start_minute <= start_minute
        and end_minute <= slot.end_minute
        for slot in v.availability
    )


def within_reach(v: VolunteerInput, s: SessionInput, default_m: int) -> bool:
    limit = default_m if v.max_distance_m is None else v.max_distance_m
    return v.home is not None and haversine_m(v.home, s.meeting_point) <= limit


def eligible_pairs(problem: AssignmentProblem) -> set[tuple[int, int]]:
    return {
        (v.id, s.id)
        for v in problem.volunteers
        for s in problem.sessions
        if covers(v, s) and within_reach(v, s, problem.max_distance_m)
    }


def assert_plan_valid(problem: AssignmentProblem, plan: AssignmentPlan) -> None:
    """Check every rule of the model on a plan, by brute force."""
    eligible = eligible_pairs(problem)
    counts = Counter(p.session_id for p in plan.placements)
    check_placements(problem, plan, eligible)
    check_teams(problem, plan, counts)
    check_left_out(problem, plan, eligible)
    check_short_sessions(problem, plan, eligible, counts)
    if plan.status is not SolveStatus.EMPTY:
        check_objective(problem, plan)
    if plan.status is SolveStatus.OPTIMAL:
        assert_no_easy_improvement(problem, plan, eligible, counts)


def check_placements(
    problem: AssignmentProblem, plan: AssignmentPlan, eligible: set[tuple[int, int]]
) -> None:
    """Placed pairs are eligible or locked, unique, and never overlap in time."""
    sessions = {s.id: s for s in problem.sessions}
    locked = {(v.id, s) for v in problem.volunteers for s in v.locked_session_ids}
    placed = pairs(plan)
    assert len(placed) == len(plan.placements)
    assert locked <= placed
    assert placed <= eligible | locked
    for vid_a, a in placed:
        for vid_b, b in placed:
            if vid_a == vid_b and a != b:
                sa, sb = sessions[a], sessions[b]
                overlap = sa.starts_at < sb.ends_at and sb.starts_at < sa.ends_at
                assert not overlap, vid_a


def check_teams(problem: AssignmentProblem, plan: AssignmentPlan, counts: Counter[int]) -> None:
    """Counts respect the bounds, teams are whole and spread the experienced."""
    sessions = {s.id: s for s in problem.sessions}
    experienced = {v.id: v.is_experienced for v in problem.volunteers}
    size = problem.team_size
    for sid, count in counts.items():
        assert sessions[sid].min_volunteers <= count <= sessions[sid].max_volunteers
        assert count % size == 0
        teams: dict[int, list[int]] = defaultdict(list)
        for p in plan.placements:
            if p.session_id == sid:
                teams[p.team].append(p.volunteer_id)
        assert sorted(teams) == list(range(1, count // size + 1))
        assert all(len(members) == size for members in teams.values())
        seasoned = [sum(experienced[v] for v in members) for members in teams.values()]
        # No team lacks an experienced member while another team has two.
        assert not (0 in seasoned and any(n > 1 for n in seasoned))


def check_left_out(
    problem: AssignmentProblem, plan: AssignmentPlan, eligible: set[tuple[int, int]]
) -> None:
    """Everyone not placed is left out once, with the reason eligibility implies."""
    left = reasons(plan)
    assert len(left) == len(plan.left_out)
    placed = {p.volunteer_id for p in plan.placements}
    assert set(left) == {v.id for v in problem.volunteers} - placed
    for v in problem.volunteers:
        if v.id not in left:
            continue
        available = [s for s in problem.sessions if covers(v, s)]
        if v.home is None:
            expected = {LeftOutReason.NO_HOME}
        elif not available:
            expected = {LeftOutReason.NO_AVAILABILITY}
        elif not any((v.id, s.id) in eligible for s in available):
            expected = {LeftOutReason.TOO_FAR}
        else:
            expected = {
                LeftOutReason.NO_PARTNER,
                LeftOutReason.SESSIONS_FULL,
                LeftOutReason.NOT_SELECTED,
            }
        assert left[v.id] in expected, v.id


def check_short_sessions(
    problem: AssignmentProblem,
    plan: AssignmentPlan,
    eligible: set[tuple[int, int]],
    counts: Counter[int],
) -> None:
    """Exactly the empty sessions are short, with the right reason."""
    reachable = {sid for _, sid in eligible}
    expected = {
        s.id: (
            ShortfallReason.BELOW_MINIMUM
            if s.id in reachable
            else ShortfallReason.NO_ELIGIBLE_VOLUNTEER
        )
        for s in problem.sessions
        if counts[s.id] == 0
    }
    assert {s.session_id: s.reason for s in plan.short_sessions} == expected


def check_objective(problem: AssignmentProblem, plan: AssignmentPlan) -> None:
    """The objective equals the documented points summed over placements."""
    sessions = {s.id: s for s in problem.sessions}
    volunteers = {v.id: v for v in problem.volunteers}
    objective = 0
    for vid, sid in pairs(plan):
        home, s = volunteers[vid].home, sessions[sid]
        metres = 0 if home is None else round(haversine_m(home, s.meeting_point))
        objective += 1000 + round(s.weight * 10) - min(metres // 100, 999)
    assert plan.objective == objective


def assert_no_easy_improvement(
    problem: AssignmentProblem,
    plan: AssignmentPlan,
    eligible: set[tuple[int, int]],
    counts: Counter[int],
) -> None:
    """At the optimum, no team of left-out volunteers fits into any session."""
    size = problem.team_size
    left = {item.volunteer_id for item in plan.left_out}
    for s in problem.sessions:
        free = sum((vid, s.id) in eligible for vid in left)
        count = counts[s.id]
        needed = size if count else -(-max(s.min_volunteers, 1) // size) * size
        fits = free >= needed and count + needed <= s.max_volunteers
        assert not fits, s.id
    assert LeftOutReason.NOT_SELECTED not in {item.reason for item in plan.left_out}


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
    window = session_window(s)

    assert (window.weekday, window.start_minute, window.end_minute) == (0, 600, 720)


def test_slot_ending_at_midnight_covers() -> None:
    evening = session(1, start="20:00", end="23:00")
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

    assert slots_cover(slots, session_window(evening))
    assert slots_cover(slots, session_window(to_midnight))
    assert not slots_cover(slots, session_window(past_midnight))


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
    assert plan.short_sessions == (SessionShortfall(11, ShortfallReason.BELOW_MINIMUM),)


def test_back_to_back_sessions_share_volunteers() -> None:
    day = (WeeklySlot(weekday=0, start_minute=8 * 60, end_minute=14 * 60),)
    sessions = [session(10, start="10:00", end="12:00"), session(11, start="12:00", end="14:00")]
    plan = solve([volunteer(1, slots=day), volunteer(2, slots=day)], sessions)

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
    assert plan.objective == 2 * (1000 + 500) - 50


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
    assert plan.objective == 2 * (1000 + 900)
    assert plan.short_sessions == (SessionShortfall(10, ShortfallReason.BELOW_MINIMUM),)


def test_placement_points_scale() -> None:
    assert placement_points(0.0, 0) == 1000
    assert placement_points(100.0, 0) == 2000
    assert placement_points(72.35, 0) == 1724
    assert placement_points(90.0, 250) == 1898
    assert placement_points(0.0, 10_000_000) == 1


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
    assert "placed=2 left_out=1" in message
    for identifier in ("101", "202", "303", "4040"):
        assert identifier not in message


# Larger random instance


def random_problem(seed: int, volunteer_count: int, session_count: int) -> AssignmentProblem:
    rng = random.Random(seed)
    sessions = []
    for sid in range(1, session_count + 1):
        start = rng.choice([9, 10, 14, 17]) * 60 + rng.choice([0, 30])
        length = rng.choice([90, 120, 180])
        starts_at = MONDAY + timedelta(days=rng.randrange(2), minutes=start)
        low = rng.choice([0, 2, 3, 4])
        sessions.append(
            SessionInput(
                id=sid,
                starts_at=starts_at,
                ends_at=starts_at + timedelta(minutes=length),
                meeting_point=north_of(TOWN_HALL, rng.uniform(-2000.0, 2000.0)),
                min_volunteers=low,
                max_volunteers=rng.randint(max(low, 2), 12),
                weight=round(rng.uniform(0.0, 100.0), 1),
            )
        )
    volunteers = []
    for vid in range(1, volunteer_count + 1):
        slots = tuple(
            WeeklySlot(weekday=day, start_minute=begin, end_minute=min(begin + span, 1440))
            for day, begin, span in (
                (rng.randrange(2), rng.choice([8, 9, 13, 16]) * 60, rng.choice([240, 360, 600]))
                for _ in range(rng.randint(0, 3))
            )
        )
        volunteers.append(
            VolunteerInput(
                id=vid,
                home=None
                if rng.random() < 0.05
                else north_of(TOWN_HALL, rng.uniform(-4500.0, 4500.0)),
                availability=slots,
                is_experienced=rng.random() < 0.3,
                max_distance_m=rng.choice([None, None, None, 1500, 5000]),
            )
        )
    return AssignmentProblem(
        volunteers=tuple(volunteers),
        sessions=tuple(sessions),
        time_limit_s=TIME_LIMIT_S,
    )


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_random_instance_respects_rules(seed: int) -> None:
    problem = random_problem(seed, volunteer_count=60, session_count=8)
    plan = assign_volunteers(problem)

    # The default LP worker ran some of these instances into the time limit.
    assert plan.status is SolveStatus.OPTIMAL
    assert len(plan.placements) > 30
    assert_plan_valid(problem, plan)


def test_random_instance_keeps_locks() -> None:
    base = random_problem(4, volunteer_count=60, session_count=8)
    plan = assign_volunteers(base)
    chosen = sorted({p.session_id for p in plan.placements})[:1]
    members = [p.volunteer_id for p in plan.placements if p.session_id in chosen][:2]
    volunteers = tuple(
        VolunteerInput(
            id=v.id,
            home=v.home,
            availability=v.availability,
            is_experienced=v.is_experienced,
            max_distance_m=v.max_distance_m,
            locked_session_ids=tuple(chosen) if v.id in members else (),
        )
        for v in base.volunteers
    )
    problem = AssignmentProblem(
        volunteers=volunteers, sessions=base.sessions, time_limit_s=TIME_LIMIT_S
    )
    locked_plan = assign_volunteers(problem)

    assert len(members) == 2
    assert locked_plan.status in (SolveStatus.OPTIMAL, SolveStatus.FEASIBLE)
    assert_plan_valid(problem, locked_plan)


def best_objective_by_enumeration(problem: AssignmentProblem) -> int:
    """Try every subset of eligible pairs and return the best valid objective."""
    sessions = {s.id: s for s in problem.sessions}
    volunteers = {v.id: v for v in problem.volunteers}
    candidates = sorted(eligible_pairs(problem))
    assert len(candidates) <= 16
    best = 0
    for mask in range(1 << len(candidates)):
        chosen = [pair for bit, pair in enumerate(candidates) if mask >> bit & 1]
        counts = Counter(sid for _, sid in chosen)
        if any(
            not sessions[sid].min_volunteers <= n <= sessions[sid].max_volunteers
            or n % problem.team_size
            for sid, n in counts.items()
        ):
            continue
        busy: dict[int, list[SessionInput]] = defaultdict(list)
        for vid, sid in chosen:
            busy[vid].append(sessions[sid])
        if any(
            a.id < b.id and a.starts_at < b.ends_at and b.starts_at < a.ends_at
            for mine in busy.values()
            for a in mine
            for b in mine
        ):
            continue
        value = 0
        for vid, sid in chosen:
            home = volunteers[vid].home
            assert home is not None
            metres = round(haversine_m(home, sessions[sid].meeting_point))
            value += 1000 + round(sessions[sid].weight * 10) - min(metres // 100, 999)
        best = max(best, value)
    return best


def tiny_problem(seed: int) -> AssignmentProblem:
    rng = random.Random(seed)
    sessions = []
    for sid, hour in ((10, rng.choice([9, 10])), (11, rng.choice([10, 11])), (12, 11)):
        top = rng.choice([2, 3, 4])
        sessions.append(
            session(
                sid,
                start=f"{hour}:00",
                end=f"{hour + rng.choice([1, 2])}:00",
                min_volunteers=min(rng.choice([0, 2, 3, 4]), top),
                max_volunteers=top,
                weight=rng.choice([10.0, 50.0, 90.0]),
            )
        )
    volunteers = tuple(
        volunteer(
            vid,
            metres=rng.uniform(0.0, 2500.0),
            slots=(WeeklySlot(0, rng.choice([8, 9, 10, 11]) * 60, rng.choice([12, 13]) * 60),),
            experienced=rng.random() < 0.5,
        )
        for vid in range(1, 6)
    )
    return AssignmentProblem(
        volunteers=volunteers, sessions=tuple(sessions), time_limit_s=TIME_LIMIT_S
    )


@pytest.mark.parametrize("seed", range(12))
def test_tiny_instances_match_enumeration(seed: int) -> None:
    problem = tiny_problem(seed)
    plan = assign_volunteers(problem)

    assert plan.status is SolveStatus.OPTIMAL
    assert plan.objective == best_objective_by_enumeration(problem)
    assert_plan_valid(problem, plan)
