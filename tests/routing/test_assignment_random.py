"""Random instances checked rule by rule, tiny ones against enumeration, and a regression."""

import random
from collections import Counter, defaultdict
from dataclasses import replace
from datetime import date, timedelta

import numpy as np
import pytest

from routing.assignment import assign_volunteers
from routing.assignment_index import build_index
from routing.assignment_types import (
    AssignmentProblem,
    DatedException,
    SessionInput,
    TravelMode,
    VolunteerInput,
    WeeklySlot,
)
from routing.assignment_weights import PlanningWeights
from routing.geo import haversine_m
from routing.status import SolveStatus
from routing.walking_table import WalkingTable
from tests.routing.assignment_checks import (
    MONDAY,
    TIME_LIMIT_S,
    TOWN_HALL,
    assert_plan_valid,
    clashes,
    eligible_pairs,
    north_of,
    objective_of,
    overlaps,
    session,
    volunteer,
    weekly_cap,
)

LANGUAGES = ("ar", "tr", "ta", "pt")


def random_sessions(rng: random.Random, count: int, days: int) -> list[SessionInput]:
    sessions = []
    for sid in range(1, count + 1):
        start = rng.choice([9, 10, 14, 17]) * 60 + rng.choice([0, 30])
        length = rng.choice([90, 120, 180])
        starts_at = MONDAY + timedelta(days=rng.randrange(days), minutes=start)
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
                languages=frozenset(rng.sample(LANGUAGES, 1))
                if rng.random() < 0.25
                else frozenset(),
            )
        )
    return sessions


def random_exception(rng: random.Random, days: int) -> DatedException:
    on_date = MONDAY.date() + timedelta(days=rng.randrange(days))
    if rng.random() < 0.5:
        return DatedException(on_date=on_date, is_available=rng.random() < 0.5)
    start = rng.choice([9, 11, 14]) * 60
    return DatedException(
        on_date=on_date,
        is_available=rng.random() < 0.5,
        start_minute=start,
        end_minute=start + rng.choice([60, 180, 300]),
    )


def random_volunteer(rng: random.Random, vid: int, count: int, days: int) -> VolunteerInput:
    slots = tuple(
        WeeklySlot(weekday=day, start_minute=begin, end_minute=min(begin + span, 1440))
        for day, begin, span in (
            (rng.randrange(days) % 7, rng.choice([8, 9, 13, 16]) * 60, rng.choice([240, 360, 600]))
            for _ in range(rng.randint(0, 3))
        )
    )
    exceptions = tuple(random_exception(rng, days) for _ in range(rng.choice([0, 0, 0, 1, 2])))
    partner = rng.randint(1, count) if rng.random() < 0.15 else None
    return VolunteerInput(
        id=vid,
        home=None if rng.random() < 0.05 else north_of(TOWN_HALL, rng.uniform(-4500.0, 4500.0)),
        availability=slots,
        is_experienced=rng.random() < 0.3,
        max_distance_m=rng.choice([None, None, None, 1500, 5000]),
        exceptions=exceptions,
        max_travel_minutes=rng.choice([None, None, None, 25, 40]),
        travel_mode=rng.choice([TravelMode.WALK, TravelMode.WALK, TravelMode.TRANSIT]),
        max_sessions_per_week=rng.choice([None, None, 1, 2]),
        languages=frozenset(rng.sample(LANGUAGES, 1)) if rng.random() < 0.2 else frozenset(),
        partner_id=partner if partner != vid else None,
    )


def random_problem(
    seed: int, volunteer_count: int, session_count: int, days: int = 2, **kwargs: object
) -> AssignmentProblem:
    rng = random.Random(seed)
    sessions = random_sessions(rng, session_count, days)
    volunteers = [
        random_volunteer(rng, vid, volunteer_count, days) for vid in range(1, volunteer_count + 1)
    ]
    previous = {
        v.id: tuple(s.id for s in rng.sample(sessions, 1)) for v in volunteers if rng.random() < 0.2
    }
    volunteers = [replace(v, previous_session_ids=previous.get(v.id, ())) for v in volunteers]
    fields: dict[str, object] = {
        "time_limit_s": TIME_LIMIT_S,
        "rest_minutes": rng.choice([0, 30, 60]),
    }
    fields.update(kwargs)
    return AssignmentProblem(
        volunteers=tuple(volunteers),
        sessions=tuple(sessions),
        **fields,  # type: ignore[arg-type]
    )


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_random_instance_respects_rules(seed: int) -> None:
    problem = random_problem(seed, volunteer_count=60, session_count=8)
    plan = assign_volunteers(problem)

    assert plan.status is SolveStatus.OPTIMAL
    assert len(plan.placements) > 20
    assert_plan_valid(problem, plan)


def random_walking_table(seed: int, problem: AssignmentProblem) -> WalkingTable:
    """Walks 1 to 2 times the straight line, some unknown (NaN), some out of reach."""
    rng = random.Random(seed)
    metres = np.full((len(problem.volunteers), len(problem.sessions)), np.nan, dtype=np.float32)
    for i, v in enumerate(problem.volunteers):
        for j, s in enumerate(problem.sessions):
            draw = rng.random()
            if v.home is None or draw < 0.1:
                continue
            if draw < 0.15:
                metres[i, j] = np.inf
            else:
                metres[i, j] = haversine_m(v.home, s.meeting_point) * rng.uniform(1.0, 2.0)
    return WalkingTable(metres)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_random_instance_with_walking_table(seed: int) -> None:
    base = random_problem(seed, volunteer_count=60, session_count=8)
    problem = replace(base, walking_table=random_walking_table(seed, base))
    candidates = build_index(problem).candidates
    found = {
        (problem.volunteers[v].id, problem.sessions[s].id)
        for v, s in zip(candidates.volunteer.tolist(), candidates.session.tolist(), strict=True)
    }
    plan = assign_volunteers(problem)

    assert found == eligible_pairs(problem)
    assert found != eligible_pairs(base)
    assert plan.status is SolveStatus.OPTIMAL
    assert len(plan.placements) > 20
    assert_plan_valid(problem, plan)


def test_random_instance_over_two_weeks() -> None:
    problem = random_problem(5, volunteer_count=80, session_count=14, days=10)
    plan = assign_volunteers(problem)

    assert plan.status in (SolveStatus.OPTIMAL, SolveStatus.FEASIBLE)
    assert_plan_valid(problem, plan)


def test_random_instance_keeps_locks() -> None:
    base = random_problem(4, volunteer_count=60, session_count=8)
    plan = assign_volunteers(base)
    chosen = sorted({p.session_id for p in plan.placements})[:1]
    members = [p.volunteer_id for p in plan.placements if p.session_id in chosen][:2]
    problem = replace(
        base,
        volunteers=tuple(
            replace(v, locked_session_ids=tuple(chosen) if v.id in members else ())
            for v in base.volunteers
        ),
    )
    locked_plan = assign_volunteers(problem)

    assert len(members) == 2
    assert locked_plan.status in (SolveStatus.OPTIMAL, SolveStatus.FEASIBLE)
    assert_plan_valid(problem, locked_plan)


# Enumeration of tiny instances


def valid_by_rules(problem: AssignmentProblem, chosen: list[tuple[int, int]]) -> bool:
    sessions = {s.id: s for s in problem.sessions}
    volunteers = {v.id: v for v in problem.volunteers}
    counts = Counter(sid for _, sid in chosen)
    if any(
        not sessions[sid].min_volunteers <= n <= sessions[sid].max_volunteers
        or n % problem.team_size
        for sid, n in counts.items()
    ):
        return False
    busy: dict[int, list[SessionInput]] = defaultdict(list)
    for vid, sid in chosen:
        busy[vid].append(sessions[sid])
    for vid, mine in busy.items():
        if len(mine) > weekly_cap(volunteers[vid], problem):
            return False
        for a in mine:
            for b in mine:
                if a.id < b.id and clashes(a, b, problem.rest_minutes):
                    return False
    return True


def best_objective_by_enumeration(problem: AssignmentProblem) -> int:
    """Try every subset of eligible pairs and return the best valid objective."""
    candidates = sorted(eligible_pairs(problem))
    assert len(candidates) <= 16
    best = 0
    for mask in range(1 << len(candidates)):
        chosen = [pair for bit, pair in enumerate(candidates) if mask >> bit & 1]
        if valid_by_rules(problem, chosen):
            best = max(best, objective_of(problem, set(chosen)))
    return best


def tiny_problem(seed: int, weights: PlanningWeights) -> AssignmentProblem:
    """Build 5 volunteers and 3 Monday sessions, some overlapping, some within the rest."""
    rng = random.Random(seed)
    sessions = []
    for sid, hour in ((10, rng.choice([9, 10])), (11, rng.choice([11, 12])), (12, 13)):
        top = rng.choice([2, 3, 4])
        sessions.append(
            session(
                sid,
                start=f"{hour}:00",
                end=f"{hour + rng.choice([1, 2])}:00",
                min_volunteers=min(rng.choice([0, 2, 3, 4]), top),
                max_volunteers=top,
                weight=rng.choice([10.0, 50.0, 90.0]),
                languages=frozenset({"ar"}) if rng.random() < 0.4 else frozenset(),
            )
        )
    volunteers = [
        volunteer(
            vid,
            metres=rng.uniform(0.0, 2500.0),
            slots=(WeeklySlot(0, rng.choice([8, 9, 10, 11]) * 60, rng.choice([13, 15]) * 60),),
            experienced=rng.random() < 0.5,
            max_sessions_per_week=rng.choice([None, 1, 2]),
            languages=frozenset({"ar"}) if rng.random() < 0.4 else frozenset(),
            previous=(rng.choice([10, 11, 12]),) if rng.random() < 0.3 else (),
        )
        for vid in range(1, 6)
    ]
    return AssignmentProblem(
        volunteers=tuple(volunteers),
        sessions=tuple(sessions),
        time_limit_s=TIME_LIMIT_S,
        rest_minutes=rng.choice([0, 30, 60]),
        weights=weights,
    )


@pytest.mark.parametrize("seed", range(10))
@pytest.mark.parametrize(
    "weights",
    [PlanningWeights(language=0), PlanningWeights(experienced=0)],
    ids=["experienced", "language"],
)
def test_tiny_instances_match_enumeration(seed: int, weights: PlanningWeights) -> None:
    problem = tiny_problem(seed, weights)
    plan = assign_volunteers(problem)

    assert plan.status is SolveStatus.OPTIMAL
    assert plan.objective == best_objective_by_enumeration(problem)
    assert_plan_valid(problem, plan)


def test_enumeration_rules_match_the_checker() -> None:
    # Two sessions 30 minutes apart clash with a 60-minute rest but not with none.
    a, b = session(1, start="10:00", end="11:00"), session(2, start="11:30", end="12:30")

    assert clashes(a, b, 60) and not clashes(a, b, 0) and not overlaps(a, b)
    assert date(2024, 6, 3).weekday() == 0


# Regression: fixed instances, one worker, a conflict limit instead of a time limit.


@pytest.mark.parametrize(
    ("seed", "volunteer_count", "session_count", "expected"),
    [
        (21, 50, 7, (SolveStatus.OPTIMAL, 54885.0, 54885.0)),
        (22, 90, 12, (SolveStatus.OPTIMAL, 92274.0, 92274.0)),
    ],
)
def test_regression_objective(
    seed: int,
    volunteer_count: int,
    session_count: int,
    expected: tuple[SolveStatus, float, float],
) -> None:
    problem = random_problem(
        seed,
        volunteer_count,
        session_count,
        time_limit_s=60.0,
        workers=1,
        conflict_limit=20_000,
    )
    plan = assign_volunteers(problem)

    assert_plan_valid(problem, plan)
    assert (plan.status, plan.objective, plan.bound) == expected
