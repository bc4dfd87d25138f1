"""Transit-time limits checked on an imported timetable, through the assignment service.

The made-up feed of `gtfs_sample` runs a bus from stop A, a 5-minute walk from a home
2 km west of the meeting point, to stop C, a 3-minute walk from it, every 15 minutes.
"""

import math
from dataclasses import replace
from datetime import datetime
from pathlib import Path

import numpy as np
import pytest
from sqlalchemy.orm import Session

from routing.assignment_index import build_index
from routing.geo import EARTH_RADIUS_M
from tests.factories import (
    at_utc,
    make_campaign,
    make_canvass_session,
    make_commune,
    make_iris,
    make_weekly_slot,
)
from tests.webapp.services.test_assignment import IRIS_CODE, LIMITS, volunteer
from tests.webapp.services.test_gtfs_import import SAMPLE_DIR, sample_with
from webapp.models import Campaign, CanvassSession, User
from webapp.services.assignment import build_problem
from webapp.services.gtfs_import import import_gtfs
from webapp.services.transit_limits import timetable_transit_table

MEETING_LON, MEETING_LAT = 2.4826, 48.9022
HOME_LON = MEETING_LON - math.degrees(2000 / (EARTH_RADIUS_M * math.cos(math.radians(MEETING_LAT))))
Week = tuple[Campaign, dict[str, CanvassSession], dict[str, User]]


def rider(session: Session, campaign: Campaign, name: str, minutes: int) -> User:
    user = volunteer(
        session,
        campaign,
        name,
        weekly=False,
        lon=HOME_LON,
        lat=MEETING_LAT,
        max_travel_minutes=minutes,
        travel_mode="transit",
    )
    for weekday in range(7):
        make_weekly_slot(session, user=user, weekday=weekday, start_minute=0, end_minute=1440)
    return user


def sessions_at(
    session: Session, campaign: Campaign, starts: dict[str, datetime]
) -> dict[str, CanvassSession]:
    """Create one session at the meeting point per named start time (UTC)."""
    return {
        name: make_canvass_session(
            session,
            campaign=campaign,
            iris_code=IRIS_CODE,
            starts_at=starts_at,
            meeting_lon=MEETING_LON,
            meeting_lat=MEETING_LAT,
        )
        for name, starts_at in starts.items()
    }


@pytest.fixture
def week(db_session: Session) -> Week:
    campaign = make_campaign(db_session)
    make_commune(db_session)
    make_iris(db_session, code=IRIS_CODE)
    # Winter time: Paris is UTC+1.
    starts = {
        "monday": at_utc(2027, 3, 8, 9, 0),  # 10:00, service runs
        "night": at_utc(2027, 3, 9, 0, 0),  # Tuesday 01:00, after Monday's night bus
        "wednesday": at_utc(2027, 3, 10, 9, 0),  # 10:00, service removed that day
        "sunday": at_utc(2027, 3, 14, 9, 0),  # 10:00, no service on Sundays
    }
    sessions = sessions_at(db_session, campaign, starts)
    people = {
        "ines": rider(db_session, campaign, "ines", 10),
        "jules": rider(db_session, campaign, "jules", 20),
    }
    db_session.flush()
    return campaign, sessions, people


def candidate_pairs(session: Session, campaign: Campaign) -> set[tuple[int, int]]:
    problem = build_problem(session, campaign, LIMITS)
    candidates = build_index(problem).candidates
    return {
        (problem.volunteers[v].id, problem.sessions[s].id)
        for v, s in zip(candidates.volunteer.tolist(), candidates.session.tolist(), strict=True)
    }


def test_timetable_changes_candidates(db_session: Session, week: Week) -> None:
    campaign, sessions, people = week
    ines, jules = people["ines"].id, people["jules"].id
    every = {(v, s.id) for v in (ines, jules) for s in sessions.values()}

    # Without a timetable, 10 minutes at 15 km/h reach 2,500 m: every pair is kept.
    assert candidate_pairs(db_session, campaign) == every

    import_gtfs(db_session, SAMPLE_DIR)
    db_session.flush()

    # The bus takes 15 minutes on Monday morning and the night bus 15 minutes, so Ines
    # keeps only the days without service, which still use the estimate.
    assert candidate_pairs(db_session, campaign) == every - {
        (ines, sessions["monday"].id),
        (ines, sessions["night"].id),
    }


def test_table_minutes_per_session(db_session: Session, week: Week) -> None:
    campaign, sessions, _ = week
    import_gtfs(db_session, SAMPLE_DIR)
    db_session.flush()
    problem = build_problem(db_session, campaign, LIMITS)
    table = problem.transit_table
    assert table is not None
    column = {s.id: j for j, s in enumerate(problem.sessions)}

    for row in range(2):
        # Monday: the 09:50 bus, home left at 09:45.
        assert table.minutes[row, column[sessions["monday"].id]] == pytest.approx(15.0, abs=1e-3)
        # Tuesday 01:00: Monday's 24:50 night bus reaches C at 00:56.
        assert table.minutes[row, column[sessions["night"].id]] == pytest.approx(15.0, abs=1e-3)
        assert np.isnan(table.minutes[row, column[sessions["wednesday"].id]])
        assert np.isnan(table.minutes[row, column[sessions["sunday"].id]])


def test_candidate_travel_cost_uses_minutes(db_session: Session, week: Week) -> None:
    campaign, sessions, people = week
    import_gtfs(db_session, SAMPLE_DIR)
    db_session.flush()
    problem = build_problem(db_session, campaign, LIMITS)
    candidates = build_index(problem).candidates
    jules = next(i for i, v in enumerate(problem.volunteers) if v.id == people["jules"].id)
    distances = {
        problem.sessions[s].id: d
        for v, s, d in zip(
            candidates.volunteer.tolist(),
            candidates.session.tolist(),
            candidates.distance_m.tolist(),
            strict=True,
        )
        if v == jules
    }

    # 15 minutes at 250 m/min on service days, the 2 km straight line on the others.
    assert distances == {
        sessions["monday"].id: 3750,
        sessions["night"].id: 3750,
        sessions["wednesday"].id: 2000,
        sessions["sunday"].id: 2000,
    }


def test_no_table_without_riders(db_session: Session, week: Week) -> None:
    campaign, _, _ = week
    import_gtfs(db_session, SAMPLE_DIR)
    db_session.flush()
    problem = build_problem(db_session, campaign, LIMITS)
    walkers = tuple(replace(v, max_travel_minutes=None) for v in problem.volunteers)

    assert timetable_transit_table(db_session, walkers, problem.sessions) is None


def rider_minutes(
    session: Session, week: Week, feed: Path, starts: dict[str, datetime]
) -> dict[str, float]:
    """Import `feed` and return the minutes of a rider with a 60-minute limit (so the
    scan looks back an hour) to extra sessions starting at `starts` (UTC)."""
    campaign, _, _ = week
    extra = sessions_at(session, campaign, starts)
    lea = rider(session, campaign, "lea", 60)
    import_gtfs(session, feed)
    session.flush()
    problem = build_problem(session, campaign, LIMITS)
    assert problem.transit_table is not None
    row = next(i for i, v in enumerate(problem.volunteers) if v.id == lea.id)
    column = {s.id: j for j, s in enumerate(problem.sessions)}
    return {
        name: float(problem.transit_table.minutes[row, column[extra[name].id]]) for name in starts
    }


WALK_MIN = 2000 * 1.3 / 70  # the direct walk from the home, 37.14 minutes


def test_frequency_runs_give_door_to_door_minutes(
    db_session: Session, week: Week, tmp_path: Path
) -> None:
    # Bus F1 (A to C in 6 minutes) runs every 10 minutes from 12:00 until 13:00, 13:00
    # excluded. Its stop_times.txt pattern starts at 05:00, but no bus runs at 05:00.
    files = {
        "trips.txt": "F,WEEK,F1\n",
        "stop_times.txt": "F1,05:00:00,05:00:00,A,1\nF1,05:06:00,05:06:00,C,2\n",
        "frequencies.txt": "trip_id,start_time,end_time,headway_secs\nF1,12:00:00,13:00:00,600\n",
    }
    minutes = rider_minutes(
        db_session,
        week,
        sample_with(tmp_path / "feed", files),
        {
            "13:00": at_utc(2027, 3, 8, 12, 0),  # the 12:50 run: home left at 12:45
            "13:15": at_utc(2027, 3, 8, 12, 15),  # still the 12:50 run, no 13:00 run
            "12:03": at_utc(2027, 3, 8, 11, 3),  # line 1's 11:50 bus, not yet F1 at 12:00
            "12:09": at_utc(2027, 3, 8, 11, 9),  # the 12:00 run, just in time
            "05:15": at_utc(2027, 3, 8, 4, 15),  # no bus before 07:05: walking
        },
    )

    assert minutes == pytest.approx(
        {"13:00": 15.0, "13:15": 30.0, "12:03": 18.0, "12:09": 14.0, "05:15": WALK_MIN},
        abs=1e-3,
    )


@pytest.mark.parametrize(
    ("transfers", "minutes"),
    [
        ("", 20.0),  # T1 then T2, 3 minutes at B
        ("B,B,3,\n", 30.0),  # changing at B forbidden: line 1's 11:50 bus
        ("B,B,2,240\n", 30.0),  # 4 minutes needed at B: the change is missed
        ("B,B,2,180\n", 20.0),
        ("C,B,3,\n", 20.0),  # a rule for other stops changes nothing
    ],
)
def test_transfer_rules_change_door_to_door_minutes(
    db_session: Session, week: Week, tmp_path: Path, transfers: str, minutes: float
) -> None:
    # T1 runs A 12:00 to B 12:03, T2 B 12:06 to C 12:09: for a 12:15 start, home left at
    # 11:55. Line 1's last bus, 11:50 from A, means leaving at 11:45.
    files = {
        "trips.txt": "T,WEEK,T1\nT,WEEK,T2\n",
        "stop_times.txt": (
            "T1,12:00:00,12:00:00,A,1\nT1,12:03:00,12:03:00,B,2\n"
            "T2,12:06:00,12:06:00,B,1\nT2,12:09:00,12:09:00,C,2\n"
        ),
        "transfers.txt": "from_stop_id,to_stop_id,transfer_type,min_transfer_time\n" + transfers,
    }
    feed = sample_with(tmp_path / "feed", files)
    found = rider_minutes(db_session, week, feed, {"12:15": at_utc(2027, 3, 8, 11, 15)})

    assert found["12:15"] == pytest.approx(minutes, abs=1e-3)
