"""Builders for assignment problems and a brute-force checker of every planning rule.

The checker is written independently of the library: availability as sets of minutes,
distances with `haversine_m`, clashes from the datetimes, the objective term by term.
"""

import math
from collections import Counter, defaultdict
from datetime import date, datetime, timedelta

from routing.assignment import assign_volunteers
from routing.assignment_types import (
    AssignmentPlan,
    AssignmentProblem,
    Commitment,
    DatedException,
    LeftOutReason,
    SessionInput,
    ShortfallReason,
    TravelMode,
    VolunteerInput,
    WeeklySlot,
)
from routing.assignment_weights import PlanningWeights, WeightName
from routing.geo import EARTH_RADIUS_M, GeoPoint, haversine_m
from routing.status import SolveStatus

MONDAY = datetime(2024, 6, 3)  # a Monday
TOWN_HALL = GeoPoint(lon=2.4825, lat=48.9027)
MORNING = WeeklySlot(weekday=0, start_minute=9 * 60, end_minute=13 * 60)
WHOLE_MONDAY = WeeklySlot(weekday=0, start_minute=0, end_minute=1440)
TIME_LIMIT_S = 5.0
# Weights that keep only the terms of the first planner: teams, score and travel.
PLAIN = PlanningWeights(
    session_opened=0, fairness=0, stability=0, experienced=0, partner=0, language=0
)


def north_of(point: GeoPoint, metres: float) -> GeoPoint:
    """Return the point `metres` due north, an exact haversine distance."""
    return GeoPoint(lon=point.lon, lat=point.lat + math.degrees(metres / EARTH_RADIUS_M))


NORTH_1000 = GeoPoint(lon=TOWN_HALL.lon, lat=TOWN_HALL.lat + math.degrees(1000.0 / EARTH_RADIUS_M))


def volunteer(
    vid: int,
    *,
    metres: float = 0.0,
    slots: tuple[WeeklySlot, ...] = (MORNING,),
    experienced: bool = False,
    max_distance_m: int | None = None,
    locks: tuple[int, ...] = (),
    has_home: bool = True,
    exceptions: tuple[DatedException, ...] = (),
    max_travel_minutes: int | None = None,
    travel_mode: TravelMode = TravelMode.WALK,
    max_sessions_per_week: int | None = None,
    languages: frozenset[str] = frozenset(),
    partner_id: int | None = None,
    previous: tuple[int, ...] = (),
    commitments: tuple[Commitment, ...] = (),
) -> VolunteerInput:
    return VolunteerInput(
        id=vid,
        home=north_of(TOWN_HALL, metres) if has_home else None,
        availability=slots,
        is_experienced=experienced,
        max_distance_m=max_distance_m,
        locked_session_ids=locks,
        exceptions=exceptions,
        max_travel_minutes=max_travel_minutes,
        travel_mode=travel_mode,
        max_sessions_per_week=max_sessions_per_week,
        languages=languages,
        partner_id=partner_id,
        previous_session_ids=previous,
        commitments=commitments,
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
    languages: frozenset[str] = frozenset(),
) -> SessionInput:
    on = MONDAY + timedelta(days=day)
    return SessionInput(
        id=sid,
        starts_at=datetime.combine(on, datetime.strptime(start, "%H:%M").time()),
        ends_at=datetime.combine(on, datetime.strptime(end, "%H:%M").time()),
        meeting_point=meeting_point,
        min_volunteers=min_volunteers,
        max_volunteers=max_volunteers,
        weight=weight,
        languages=languages,
    )


def make_problem(
    volunteers: list[VolunteerInput], sessions: list[SessionInput], **kwargs: object
) -> AssignmentProblem:
    fields: dict[str, object] = {"time_limit_s": TIME_LIMIT_S}
    fields.update(kwargs)
    return AssignmentProblem(
        volunteers=tuple(volunteers),
        sessions=tuple(sessions),
        **fields,  # type: ignore[arg-type]
    )


def solve(
    volunteers: list[VolunteerInput], sessions: list[SessionInput], **kwargs: object
) -> AssignmentPlan:
    problem = make_problem(volunteers, sessions, **kwargs)
    plan = assign_volunteers(problem)
    if plan.status.has_solution:
        assert_plan_valid(problem, plan)
    return plan


def pairs(plan: AssignmentPlan) -> set[tuple[int, int]]:
    return {(p.volunteer_id, p.session_id) for p in plan.placements}


def reasons(plan: AssignmentPlan) -> dict[int, LeftOutReason]:
    return {item.volunteer_id: item.reason for item in plan.left_out}


def term(plan: AssignmentPlan, name: WeightName) -> tuple[int, int]:
    """Return (amount, points) of one objective term."""
    found = [t for t in plan.terms if t.name is name]
    assert len(found) == 1
    return found[0].amount, found[0].points


# Brute-force rules


def free_minutes(v: VolunteerInput, day: date, *, with_exceptions: bool = True) -> set[int]:
    minutes: set[int] = set()
    for slot in v.availability:
        if slot.weekday == day.weekday():
            minutes |= set(range(slot.start_minute, slot.end_minute))
    if with_exceptions:
        for e in v.exceptions:
            if e.on_date == day and e.is_available:
                minutes |= set(range(*e.minutes))
        for e in v.exceptions:
            if e.on_date == day and not e.is_available:
                minutes -= set(range(*e.minutes))
    return minutes


def covers(v: VolunteerInput, s: SessionInput, *, with_exceptions: bool = True) -> bool:
    midnight = datetime.combine(s.starts_at.date(), datetime.min.time())
    start = int((s.starts_at - midnight).total_seconds() // 60)
    end = -int(-(s.ends_at - midnight).total_seconds() // 60)
    free = free_minutes(v, s.starts_at.date(), with_exceptions=with_exceptions)
    return end <= 1440 and set(range(start, end)) <= free


def radius_m(v: VolunteerInput, default_m: int) -> tuple[float, bool]:
    """Return the radius and whether a travel time sets it."""
    limits: list[tuple[float, bool]] = []
    if v.max_distance_m is not None:
        limits.append((v.max_distance_m, False))
    if v.max_travel_minutes is not None:
        speed = 250.0 if v.travel_mode is TravelMode.TRANSIT else 70.0 / 1.3
        limits.append((math.floor(v.max_travel_minutes * speed + 1e-9), True))
    if not limits:
        return float(default_m), False
    return min(limits, key=lambda item: (item[0], item[1]))


def street_walk(problem: AssignmentProblem, v: VolunteerInput, s: SessionInput) -> float | None:
    """Return the table's walk for a walker with a time limit, None where it has none."""
    table = problem.walking_table
    if table is None or v.max_travel_minutes is None or v.travel_mode is not TravelMode.WALK:
        return None
    metres = float(table.metres[problem.volunteers.index(v), problem.sessions.index(s)])
    return None if math.isnan(metres) else metres


def transit_ride(problem: AssignmentProblem, v: VolunteerInput, s: SessionInput) -> float | None:
    """Return the table's minutes for a rider with a time limit, None where it has none."""
    table = problem.transit_table
    if table is None or v.max_travel_minutes is None or v.travel_mode is not TravelMode.TRANSIT:
        return None
    minutes = float(table.minutes[problem.volunteers.index(v), problem.sessions.index(s)])
    return None if math.isnan(minutes) else minutes


def within_reach(problem: AssignmentProblem, v: VolunteerInput, s: SessionInput) -> bool:
    if v.home is None:
        return False
    straight = haversine_m(v.home, s.meeting_point)
    ride = transit_ride(problem, v, s)
    if ride is not None:
        assert v.max_travel_minutes is not None
        within_distance = v.max_distance_m is None or straight <= v.max_distance_m
        return within_distance and ride <= v.max_travel_minutes
    walk = street_walk(problem, v, s)
    if walk is None:
        limit, _ = radius_m(v, problem.max_distance_m)
        return straight <= limit
    assert v.max_travel_minutes is not None
    within_distance = v.max_distance_m is None or straight <= v.max_distance_m
    return within_distance and walk <= v.max_travel_minutes * 70


def eligible_pairs(problem: AssignmentProblem) -> set[tuple[int, int]]:
    return {
        (v.id, s.id)
        for v in problem.volunteers
        for s in problem.sessions
        if is_free(problem, v, s) and within_reach(problem, v, s)
    }


def is_free(problem: AssignmentProblem, v: VolunteerInput, s: SessionInput) -> bool:
    """Tell whether the volunteer's grid covers the session and no commitment clashes."""
    return covers(v, s) and not any(clashes(s, c, problem.rest_minutes) for c in v.commitments)


def clashes(a: SessionInput | Commitment, b: SessionInput | Commitment, rest_minutes: int) -> bool:
    rest = timedelta(minutes=rest_minutes)
    return a.starts_at < b.ends_at + rest and b.starts_at < a.ends_at + rest


def overlaps(a: SessionInput, b: SessionInput) -> bool:
    return a.starts_at < b.ends_at and b.starts_at < a.ends_at


def weekly_cap(v: VolunteerInput, problem: AssignmentProblem) -> int:
    own = v.max_sessions_per_week
    return problem.max_sessions_per_week if own is None else min(own, problem.max_sessions_per_week)


def cap_left(v: VolunteerInput, problem: AssignmentProblem, week: tuple[int, int]) -> int:
    """Return the volunteer's weekly cap less their commitments in that ISO week."""
    used = sum(c.starts_at.isocalendar()[:2] == week for c in v.commitments)
    return max(weekly_cap(v, problem) - used, 0)


def opening(s: SessionInput, size: int) -> int:
    return -(-max(s.min_volunteers, 1) // size) * size


def distance_m(problem: AssignmentProblem, vid: int, sid: int) -> int:
    v = next(x for x in problem.volunteers if x.id == vid)
    s = next(x for x in problem.sessions if x.id == sid)
    if v.home is None:
        return 0
    walk = street_walk(problem, v, s)
    if walk is not None and math.isfinite(walk):
        return round(walk)
    ride = transit_ride(problem, v, s)
    if ride is not None:
        return round(ride * 250)
    return round(haversine_m(v.home, s.meeting_point))


def objective_of(
    problem: AssignmentProblem,
    chosen: set[tuple[int, int]],
    teams_of: dict[tuple[int, int], int] | None = None,
) -> int:
    """Score a plan term by term; without teams, count max(0, teams - experienced)."""
    w = problem.weights
    size = problem.team_size
    volunteers = {v.id: v for v in problem.volunteers}
    sessions = {s.id: s for s in problem.sessions}
    counts = Counter(sid for _, sid in chosen)
    total = 0
    for sid, count in counts.items():
        s = sessions[sid]
        teams = count // size
        total += teams * (w.team + round(w.target_score * s.weight)) + w.session_opened
        members = [vid for vid, other in chosen if other == sid]
        speakers = [vid for vid in members if volunteers[vid].languages & s.languages]
        seasoned = [vid for vid in members if volunteers[vid].is_experienced]
        if teams_of is None:
            total -= w.experienced * max(0, teams - len(seasoned))
            if s.languages:
                total -= w.language * max(0, teams - len(speakers))
            continue
        for team in range(1, teams + 1):
            in_team = [vid for vid in members if teams_of[vid, sid] == team]
            if not any(vid in seasoned for vid in in_team):
                total -= w.experienced
            if s.languages and not any(vid in speakers for vid in in_team):
                total -= w.language
    per_volunteer = Counter(vid for vid, _ in chosen)
    for vid, sid in chosen:
        total -= w.travel * distance_m(problem, vid, sid) // 1000
        if sid in volunteers[vid].previous_session_ids:
            total += w.stability
    total -= w.fairness * sum(k * (k - 1) // 2 for k in per_volunteer.values())
    friends = {
        tuple(sorted((v.id, v.partner_id))) for v in problem.volunteers if v.partner_id is not None
    }
    reachable = eligible_pairs(problem) | {
        (v.id, sid) for v in problem.volunteers for sid in v.locked_session_ids
    }
    for a, b in friends:
        of_a = {sid for vid, sid in chosen if vid == a}
        of_b = {sid for vid, sid in chosen if vid == b}
        shared = {
            s.id for s in problem.sessions if (a, s.id) in reachable and (b, s.id) in reachable
        }
        total -= w.partner * len((of_a ^ of_b) & shared)
    return total


def assert_plan_valid(problem: AssignmentProblem, plan: AssignmentPlan) -> None:
    """Check every rule of the model on a plan, by brute force."""
    eligible = eligible_pairs(problem)
    counts = Counter(p.session_id for p in plan.placements)
    check_placements(problem, plan, eligible)
    check_teams(problem, plan, counts)
    check_left_out(problem, plan, eligible)
    check_short_sessions(problem, plan, eligible, counts)
    teams_of = {(p.volunteer_id, p.session_id): p.team for p in plan.placements}
    assert plan.objective == objective_of(problem, pairs(plan), teams_of)
    assert plan.objective == sum(t.points for t in plan.terms)
    assert [t.name for t in plan.terms] == list(WeightName)
    if plan.bound is not None:
        assert plan.objective <= plan.bound
    if plan.status is SolveStatus.OPTIMAL:
        assert_no_easy_improvement(problem, plan, eligible, counts)


def check_placements(
    problem: AssignmentProblem, plan: AssignmentPlan, eligible: set[tuple[int, int]]
) -> None:
    """Placed pairs are eligible or locked, unique, never clash, and keep weekly caps."""
    sessions = {s.id: s for s in problem.sessions}
    locked = {(v.id, s) for v in problem.volunteers for s in v.locked_session_ids}
    placed = pairs(plan)
    assert len(placed) == len(plan.placements)
    assert locked <= placed
    assert placed <= eligible | locked
    for vid_a, a in placed:
        for vid_b, b in placed:
            if vid_a != vid_b or a >= b:
                continue
            both_locked = (vid_a, a) in locked and (vid_b, b) in locked
            if both_locked:
                assert not overlaps(sessions[a], sessions[b]), vid_a
            else:
                assert not clashes(sessions[a], sessions[b], problem.rest_minutes), vid_a
    for v in problem.volunteers:
        weeks = Counter(
            sessions[sid].starts_at.isocalendar()[:2] for vid, sid in placed if vid == v.id
        )
        pinned = Counter(
            sessions[sid].starts_at.isocalendar()[:2] for vid, sid in locked if vid == v.id
        )
        for week, count in weeks.items():
            assert count <= max(cap_left(v, problem, week), pinned[week]), v.id


def check_teams(problem: AssignmentProblem, plan: AssignmentPlan, counts: Counter[int]) -> None:
    """Counts respect the bounds and teams are whole."""
    sessions = {s.id: s for s in problem.sessions}
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


def check_left_out(
    problem: AssignmentProblem, plan: AssignmentPlan, eligible: set[tuple[int, int]]
) -> None:
    """Everyone not placed is left out once, with the reason eligibility implies."""
    left = reasons(plan)
    assert len(left) == len(plan.left_out)
    placed = {p.volunteer_id for p in plan.placements}
    assert set(left) == {v.id for v in problem.volunteers} - placed
    for v in problem.volunteers:
        if v.id in left:
            assert left[v.id] in expected_reasons(problem, v, eligible), v.id


def expected_reasons(
    problem: AssignmentProblem, v: VolunteerInput, eligible: set[tuple[int, int]]
) -> set[LeftOutReason]:
    available = [s for s in problem.sessions if is_free(problem, v, s)]
    if v.home is None:
        return {LeftOutReason.NO_HOME}
    if not available:
        return {unavailable_reason(problem, v)}
    own = [s for s in available if (v.id, s.id) in eligible]
    if not own:
        return {too_far_reason(problem, v, available)}
    if not any(cap_left(v, problem, s.starts_at.isocalendar()[:2]) for s in own):
        return {LeftOutReason.WEEKLY_CAP}
    return {
        LeftOutReason.NO_PARTNER,
        LeftOutReason.SESSIONS_FULL,
        LeftOutReason.NOT_SELECTED,
        LeftOutReason.PARTNER_ELSEWHERE,
    }


def unavailable_reason(problem: AssignmentProblem, v: VolunteerInput) -> LeftOutReason:
    """Return the reason of a volunteer free for no session, by brute force."""
    if any(covers(v, s) for s in problem.sessions):
        return LeftOutReason.COMMITTED
    if any(covers(v, s, with_exceptions=False) for s in problem.sessions):
        return LeftOutReason.DAY_OFF
    return LeftOutReason.NO_AVAILABILITY


def too_far_reason(
    problem: AssignmentProblem, v: VolunteerInput, available: list[SessionInput]
) -> LeftOutReason:
    """Name the limit that keeps a volunteer from every session they are free for.

    With a walking table, a session within the distance limit was lost to the time.
    Otherwise the stricter limit is named: the walk allowed along a straight street
    when the time is checked on the table, the straight-line estimate without one.
    """
    if problem.walking_table is not None and v.max_travel_minutes is not None:
        if v.travel_mode is TravelMode.WALK:
            assert v.home is not None
            home = v.home
            by_distance = v.max_distance_m
            walk_m = v.max_travel_minutes * 70
            widest = walk_m if by_distance is None else min(walk_m, by_distance)
            if any(haversine_m(home, s.meeting_point) <= widest for s in available):
                return LeftOutReason.TRAVEL_TOO_LONG
            is_time = by_distance is None or walk_m < by_distance
            return LeftOutReason.TRAVEL_TOO_LONG if is_time else LeftOutReason.TOO_FAR
    _, is_time = radius_m(v, problem.max_distance_m)
    return LeftOutReason.TRAVEL_TOO_LONG if is_time else LeftOutReason.TOO_FAR


def check_short_sessions(
    problem: AssignmentProblem,
    plan: AssignmentPlan,
    eligible: set[tuple[int, int]],
    counts: Counter[int],
) -> None:
    """Exactly the empty sessions are short, with a reason eligibility allows."""
    short = {s.session_id: s.reason for s in plan.short_sessions}
    assert set(short) == {s.id for s in problem.sessions if counts[s.id] == 0}
    for s in problem.sessions:
        if s.id not in short:
            continue
        reachable = sum((v.id, s.id) in eligible for v in problem.volunteers)
        if reachable == 0:
            assert short[s.id] is ShortfallReason.NO_ELIGIBLE_VOLUNTEER
        elif reachable < opening(s, problem.team_size):
            assert short[s.id] is ShortfallReason.BELOW_MINIMUM
        else:
            assert short[s.id] is not ShortfallReason.NO_ELIGIBLE_VOLUNTEER


def assert_no_easy_improvement(
    problem: AssignmentProblem,
    plan: AssignmentPlan,
    eligible: set[tuple[int, int]],
    counts: Counter[int],
) -> None:
    """At the optimum, no team of left-out volunteers fits into any session."""
    size = problem.team_size
    left = {item.volunteer_id for item in plan.left_out}
    # A volunteer whose friend is elsewhere may be worth less than nothing.
    with_friends = {v.id for v in problem.volunteers if v.partner_id is not None} | {
        v.partner_id for v in problem.volunteers if v.partner_id is not None
    }
    for s in problem.sessions:
        week = s.starts_at.isocalendar()[:2]
        capped = {v.id for v in problem.volunteers if cap_left(v, problem, week) == 0}
        free = sum((vid, s.id) in eligible for vid in left - capped - with_friends)
        count = counts[s.id]
        needed = size if count else opening(s, size)
        fits = free >= needed and count + needed <= s.max_volunteers
        assert not fits, s.id
    assert LeftOutReason.NOT_SELECTED not in {item.reason for item in plan.left_out}
