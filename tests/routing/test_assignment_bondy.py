"""Assignment on real Bondy addresses: homes and meeting points from the BAN sample."""

import csv
import random
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from routing.assignment import assign_volunteers
from routing.assignment_types import (
    AssignmentProblem,
    LeftOutReason,
    SessionInput,
    VolunteerInput,
    WeeklySlot,
)
from routing.geo import GeoPoint
from routing.status import SolveStatus
from tests.routing.assignment_checks import assert_plan_valid

BAN_CSV = (
    Path(__file__).resolve().parents[2]
    / "data"
    / "samples"
    / "bondy-93010"
    / "ban_adresses_bondy.csv"
)
SATURDAY = datetime(2024, 6, 8)


def ban_points() -> list[GeoPoint]:
    with BAN_CSV.open(encoding="utf-8", newline="") as handle:
        return [
            GeoPoint(lon=float(row["lon"]), lat=float(row["lat"])) for row in csv.DictReader(handle)
        ]


def bondy_problem(max_distance_m: int) -> AssignmentProblem:
    """Build 211 volunteers at every 40th address and 11 weekend sessions at every 800th."""
    points = ban_points()
    rng = random.Random(93010)
    sessions = []
    for index, meeting_point in enumerate(points[::800], start=1):
        day = SATURDAY + timedelta(days=index % 2)
        starts_at = day + timedelta(hours=(10, 14, 17)[index % 3])
        sessions.append(
            SessionInput(
                id=index,
                starts_at=starts_at,
                ends_at=starts_at + timedelta(hours=2),
                meeting_point=meeting_point,
                min_volunteers=4,
                max_volunteers=10,
                weight=float(index * 9 % 100),
            )
        )
    volunteers = []
    for index, home in enumerate(points[::40], start=1):
        slots = tuple(
            WeeklySlot(weekday=rng.choice([5, 6]), start_minute=start, end_minute=start + 300)
            for start in rng.sample([9 * 60, 13 * 60, 16 * 60], k=rng.randint(0, 2))
        )
        volunteers.append(
            VolunteerInput(
                id=index,
                home=home,
                availability=slots,
                is_experienced=index % 4 == 0,
            )
        )
    return AssignmentProblem(
        volunteers=tuple(volunteers),
        sessions=tuple(sessions),
        max_distance_m=max_distance_m,
        time_limit_s=5.0,
    )


@pytest.mark.parametrize("max_distance_m", [1500, 3000])
def test_bondy_plan_respects_every_rule(max_distance_m: int) -> None:
    problem = bondy_problem(max_distance_m)
    plan = assign_volunteers(problem)

    assert len(problem.volunteers) == 211
    assert len(problem.sessions) == 11
    assert plan.status is SolveStatus.OPTIMAL
    assert_plan_valid(problem, plan)


def test_nobody_in_bondy_is_too_far_with_a_5_km_limit() -> None:
    # The address bounding box spans 2.2 km east-west and 3.7 km north-south: a 4.3 km
    # diagonal, so every home is within 5 km of every meeting point.
    plan = assign_volunteers(bondy_problem(5000))

    assert plan.status is SolveStatus.OPTIMAL
    assert LeftOutReason.TOO_FAR not in {item.reason for item in plan.left_out}
