"""Walking-time limits checked along imported streets, through the assignment service.

A river town around the default meeting point, written in metres east (x) and north (y)
of it: a south street, a north quay 400 m away across a river, and one bridge at
x = 350 m. A 10-minute walk is 700 m along the streets.
"""

import logging
import math

import numpy as np
import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from routing.assignment_types import LeftOutReason
from routing.geo import EARTH_RADIUS_M
from routing.status import SolveStatus
from tests.factories import (
    at_utc,
    make_campaign,
    make_canvass_session,
    make_commune,
    make_iris,
)
from tests.webapp.services.test_assignment import IRIS_CODE, LIMITS, volunteer
from webapp.models import Campaign, CanvassSession, LeftOutVolunteer, StreetWay, User
from webapp.services.assignment import build_problem, plan_assignments

MEETING_LON, MEETING_LAT = 2.4826, 48.9022


def lonlat(x_m: float, y_m: float) -> tuple[float, float]:
    """Return the point x metres east and y metres north of the meeting point."""
    lat = MEETING_LAT + math.degrees(y_m / EARTH_RADIUS_M)
    lon = MEETING_LON + math.degrees(x_m / (EARTH_RADIUS_M * math.cos(math.radians(MEETING_LAT))))
    return lon, lat


def add_river_streets(session: Session) -> None:
    lines = {
        "Rue du Sud": [(0, 0), (350, 0), (700, 0)],
        "Pont": [(350, 0), (350, 400)],
        "Quai Nord": [(350, 400), (0, 400)],
    }
    for number, (name, points) in enumerate(lines.items(), 1):
        coordinates = [list(lonlat(x, y)) for x, y in points]
        session.add(
            StreetWay(
                osm_id=f"way/{number}", name=name, highway="residential", coordinates=coordinates
            )
        )
    session.flush()


def resident(
    session: Session, campaign: Campaign, name: str, x_m: float, y_m: float, **limits: object
) -> User:
    lon, lat = lonlat(x_m, y_m)
    return volunteer(session, campaign, name, lon=lon, lat=lat, **limits)


@pytest.fixture
def town(db_session: Session) -> tuple[Campaign, CanvassSession, dict[str, User]]:
    campaign = make_campaign(db_session)
    make_commune(db_session)
    make_iris(db_session, code=IRIS_CODE)
    canvass = make_canvass_session(
        db_session,
        campaign=campaign,
        iris_code=IRIS_CODE,
        starts_at=at_utc(2027, 3, 6, 9, 0),
        meeting_lon=MEETING_LON,
        meeting_lat=MEETING_LAT,
    )
    people = {
        # 400 m as the crow flies, 1,100 m over the bridge.
        "nora": resident(db_session, campaign, "nora", 0, 400, max_travel_minutes=10),
        # 20 m off the bridge: 421 m straight, 570 m walked.
        "paul": resident(db_session, campaign, "paul", 370, 200, max_travel_minutes=10),
        # On the south street: 650 m both ways, beyond the 538 m straight-line estimate.
        "rose": resident(db_session, campaign, "rose", 650, 0, max_travel_minutes=10),
        # Nora's neighbours with limits the streets do not change.
        "sami": resident(db_session, campaign, "sami", 0, 400, max_distance_m=500),
        "tina": resident(
            db_session, campaign, "tina", 0, 400, max_travel_minutes=10, travel_mode="transit"
        ),
    }
    db_session.flush()
    return campaign, canvass, people


def test_problem_reads_walks_along_the_streets(
    town: tuple[Campaign, CanvassSession, dict[str, User]], db_session: Session
) -> None:
    campaign, _, people = town
    add_river_streets(db_session)

    problem = build_problem(db_session, campaign, LIMITS)

    table = problem.walking_table
    assert table is not None
    assert table.shape == (5, 1)
    row = {v.id: i for i, v in enumerate(problem.volunteers)}
    assert table.metres[row[people["nora"].id], 0] == pytest.approx(1100.0, abs=0.5)
    assert table.metres[row[people["paul"].id], 0] == pytest.approx(570.0, abs=0.5)
    assert table.metres[row[people["rose"].id], 0] == pytest.approx(650.0, abs=0.5)
    assert np.isnan(table.metres[row[people["sami"].id], 0])
    assert np.isnan(table.metres[row[people["tina"].id], 0])


def test_plan_refuses_the_walk_across_the_river(
    town: tuple[Campaign, CanvassSession, dict[str, User]], db_session: Session
) -> None:
    campaign, canvass, people = town
    add_river_streets(db_session)

    plan = plan_assignments(db_session, campaign.id, LIMITS)

    assert plan.status is SolveStatus.OPTIMAL
    placed = {p.volunteer_id for p in plan.placements}
    assert placed == {people[name].id for name in ("paul", "rose", "sami", "tina")}
    assert {p.session_id for p in plan.placements} == {canvass.id}
    travel = next(t for t in plan.terms if t.name.value == "travel")
    assert travel.amount == 570 + 650 + 400 + 400
    left = dict(db_session.execute(select(LeftOutVolunteer.user_id, LeftOutVolunteer.reason)).all())
    assert left == {people["nora"].id: LeftOutReason.TRAVEL_TOO_LONG.value}


def test_without_streets_the_straight_line_applies(
    town: tuple[Campaign, CanvassSession, dict[str, User]], db_session: Session
) -> None:
    campaign, _, people = town

    problem = build_problem(db_session, campaign, LIMITS)
    plan = plan_assignments(db_session, campaign.id, LIMITS)

    assert problem.walking_table is None
    placed = {p.volunteer_id for p in plan.placements}
    # Nora's 400 m fit the 538 m estimate, but Rose's 650 m do not.
    assert placed == {people[name].id for name in ("nora", "paul", "sami", "tina")}
    assert dict(
        db_session.execute(select(LeftOutVolunteer.user_id, LeftOutVolunteer.reason)).all()
    ) == {people["rose"].id: LeftOutReason.TRAVEL_TOO_LONG.value}


def test_no_walkers_no_table(
    town: tuple[Campaign, CanvassSession, dict[str, User]], db_session: Session
) -> None:
    campaign, _, people = town
    add_river_streets(db_session)
    for name in ("nora", "paul", "rose"):
        profile = people[name].profile
        assert profile is not None
        profile.max_travel_minutes = None
    db_session.flush()

    assert build_problem(db_session, campaign, LIMITS).walking_table is None


def test_broken_streets_fall_back_to_straight_line(
    town: tuple[Campaign, CanvassSession, dict[str, User]],
    db_session: Session,
    caplog: pytest.LogCaptureFixture,
) -> None:
    campaign, _, _ = town
    # A way with a single coordinate gives the graph no edge.
    db_session.add(
        StreetWay(osm_id="way/9", name="Impasse", highway="residential", coordinates=[[2.48, 48.9]])
    )
    db_session.flush()

    with caplog.at_level(logging.WARNING, logger="webapp.services.walking_limits"):
        problem = build_problem(db_session, campaign, LIMITS)

    assert problem.walking_table is None
    assert "Street graph failed to build" in caplog.text
