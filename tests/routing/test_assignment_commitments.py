"""Sessions a volunteer is already on outside the run: clashes, rest and weekly cap."""

import random
from dataclasses import replace
from datetime import datetime, timedelta

import pytest

from routing.assignment import assign_volunteers
from routing.assignment_types import Commitment, LeftOutReason, ShortfallReason, WeeklySlot
from routing.status import SolveStatus
from tests.routing.assignment_checks import (
    MONDAY,
    assert_plan_valid,
    pairs,
    reasons,
    session,
    solve,
    volunteer,
)
from tests.routing.test_assignment_random import random_problem

LONG_MONDAY = (WeeklySlot(weekday=0, start_minute=8 * 60, end_minute=20 * 60),)


def on_monday(start: str, end: str, *, days: int = 0) -> Commitment:
    """Return a commitment on the test week's Monday (or `days` later)."""
    day = (MONDAY + timedelta(days=days)).date()
    return Commitment(
        datetime.combine(day, datetime.strptime(start, "%H:%M").time()),
        datetime.combine(day, datetime.strptime(end, "%H:%M").time()),
    )


def test_commitment_at_same_time_keeps_out() -> None:
    busy = (on_monday("10:30", "11:30"),)
    plan = solve(
        [volunteer(1), volunteer(2), volunteer(3, commitments=busy)],
        [session(10, max_volunteers=4)],
    )

    assert pairs(plan) == {(1, 10), (2, 10)}
    assert reasons(plan) == {3: LeftOutReason.COMMITTED}


def test_commitment_within_rest_keeps_out() -> None:
    # Session 10 runs 10:00 to 12:00, and the commitment starts 45 minutes after it ends.
    busy = (on_monday("12:45", "14:00"),)
    volunteers = [volunteer(1, slots=LONG_MONDAY, commitments=busy), volunteer(2)]

    assert pairs(solve(volunteers, [session(10)], rest_minutes=60)) == set()
    assert pairs(solve(volunteers, [session(10)], rest_minutes=45)) == {(1, 10), (2, 10)}


def test_commitment_leaves_other_sessions_open() -> None:
    busy = (on_monday("09:00", "11:00"),)
    sessions = [
        session(10, start="10:00", end="12:00", weight=90.0),
        session(11, start="14:00", end="16:00", weight=10.0),
    ]
    volunteers = [
        volunteer(1, slots=LONG_MONDAY, commitments=busy),
        volunteer(2, slots=LONG_MONDAY),
    ]
    plan = solve(volunteers, sessions, max_sessions_per_week=3)

    assert pairs(plan) == {(1, 11), (2, 11)}
    assert {s.session_id: s.reason for s in plan.short_sessions} == {
        10: ShortfallReason.BELOW_MINIMUM
    }


def test_commitment_uses_weekly_cap() -> None:
    # Wednesday's commitment counts in Monday's ISO week, not in the next one.
    busy = (on_monday("10:00", "12:00", days=2),)
    sessions = [session(10, weight=50.0), session(12, day=7, weight=40.0)]
    volunteers = [volunteer(1, commitments=busy), volunteer(2)]
    plan = solve(volunteers, sessions, max_sessions_per_week=1)

    assert pairs(plan) == {(1, 12), (2, 12)}
    assert {s.session_id: s.reason for s in plan.short_sessions} == {10: ShortfallReason.WEEKLY_CAP}


def test_commitments_using_whole_cap_give_reason() -> None:
    busy = (on_monday("16:00", "18:00", days=1),)
    volunteers = [volunteer(1), volunteer(2), volunteer(3, commitments=busy)]
    plan = solve(volunteers, [session(10, max_volunteers=4)], max_sessions_per_week=1)

    assert pairs(plan) == {(1, 10), (2, 10)}
    assert reasons(plan) == {3: LeftOutReason.WEEKLY_CAP}


def test_lock_overrides_commitment() -> None:
    busy = (on_monday("10:30", "11:30"),)
    volunteers = [volunteer(1, commitments=busy, locks=(10,)), volunteer(2)]
    plan = solve(volunteers, [session(10)])

    assert pairs(plan) == {(1, 10), (2, 10)}


def test_commitment_outside_horizon_changes_nothing() -> None:
    busy = (on_monday("10:00", "12:00", days=-7),)
    volunteers = [volunteer(1, commitments=busy), volunteer(2)]
    plan = solve(volunteers, [session(10)], max_sessions_per_week=1)

    assert pairs(plan) == {(1, 10), (2, 10)}


@pytest.mark.parametrize("seed", [1, 2])
def test_random_commitments_respect_rules(seed: int) -> None:
    problem = random_problem(seed, volunteer_count=60, session_count=10, days=10)
    rng = random.Random(seed)
    starts = [s.starts_at for s in problem.sessions]
    committed = []
    for v in problem.volunteers:
        busy: tuple[Commitment, ...] = ()
        if rng.random() < 0.4:
            start = rng.choice(starts) + timedelta(minutes=rng.choice([-90, -30, 0, 45, 150]))
            busy = (Commitment(start, start + timedelta(minutes=rng.choice([60, 120]))),)
        committed.append(replace(v, commitments=busy))
    problem = replace(problem, volunteers=tuple(committed))
    plan = assign_volunteers(problem)

    assert plan.status in (SolveStatus.OPTIMAL, SolveStatus.FEASIBLE)
    assert len(plan.placements) > 10
    assert any(r.reason is LeftOutReason.COMMITTED for r in plan.left_out)
    assert_plan_valid(problem, plan)
