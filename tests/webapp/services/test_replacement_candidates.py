"""The volunteers read for a freed place of session 1, and the one it is offered to.

Session 1 runs on Saturday 13 March 2027, 09:30-11:30 in Paris, at (2.4826, 48.9022).
Hugo fits it; Ines is on an overlapping session, Jules agreed to no message, and Kim is
free in the afternoon only (see `seed_team`). The query reads those whose hours and home
could fit; the planner's index then decides, so Ines and Jules are read but not offered.
"""

import math
from dataclasses import dataclass
from datetime import timedelta
from typing import NamedTuple

import pytest
from flask import Flask
from sqlalchemy.orm import Session

from routing.geo import EARTH_RADIUS_M, GeoPoint, haversine_m
from tests.factories import make_assignment, make_availability_exception, make_weekly_slot
from tests.webapp.services.test_reminders_changes import (
    FIRST_DAY,
    SATURDAY,
    Team,
    seed_team,
    user_named,
)
from tests.webapp.services.test_replacement import (
    MEETING_LON,
    clear_weekly_slots,
    move_home_east,
    offered,
    profile_of,
)
from webapp.models import VolunteerProfile
from webapp.models.planning import AssignmentStatus
from webapp.services.replacement_candidates import (
    LONGITUDE_FILTER_MAX_M,
    METRES_PER_DEGREE,
    longitude_metres_per_degree,
    read_candidates,
)
from webapp.settings_access import get_settings

MEETING_LAT = 48.9022
# Rounding in the destination formula, far below the 1 m per km the query adds.
TOLERANCE_M = 1e-6


class Outcome(NamedTuple):
    """The first names read for the place, by id, and the one it is offered to."""

    read: list[str]
    offered: str | None


FITS = Outcome(["Hugo", "Ines", "Jules"], "Hugo")
NOT_READ = Outcome(["Ines", "Jules"], None)
# Read, but the planner's index finds that Hugo does not fit.
LEFT_TO_INDEX = Outcome(["Hugo", "Ines", "Jules"], None)


@dataclass(frozen=True)
class FreedPlace:
    """Session 1's place freed by Alice, with the app and database session that judge it."""

    app: Flask
    db_session: Session
    team: Team

    def outcome(self) -> Outcome:
        """Commit, then read the candidates and find the volunteer offered the place."""
        self.db_session.commit()
        with self.app.app_context():
            default_distance_m = get_settings().max_distance_m
        canvass = self.team.crew.sessions[0]
        users = read_candidates(self.db_session, canvass, default_distance_m)
        return Outcome(
            [user.first_name for user in users], offered(self.app, self.db_session, self.team)
        )

    def hugo(self) -> VolunteerProfile:
        return profile_of(self.db_session, "hugo")


@pytest.fixture
def place(app: Flask, db_session: Session) -> FreedPlace:
    return FreedPlace(app, db_session, seed_team(db_session, FIRST_DAY))


def test_seeded_volunteers(place: FreedPlace) -> None:
    # Alice and Bruno are on session 1, Kim is free from 13:30, the others have no slot.
    assert place.outcome() == FITS


@pytest.mark.parametrize(
    ("north_m", "east_m", "expected"),
    [
        (0, 2_900, FITS),
        (2_900, 0, FITS),
        (0, 3_500, NOT_READ),
        (3_100, 0, NOT_READ),
        # Lyon, 391 km away.
        (-348_950, 172_250, NOT_READ),
    ],
)
def test_home_within_default_distance(
    place: FreedPlace, north_m: int, east_m: int, expected: Outcome
) -> None:
    place.hugo().home_lat = MEETING_LAT + north_m / METRES_PER_DEGREE
    move_home_east(place.db_session, "hugo", east_m)

    assert place.outcome() == expected


@pytest.mark.parametrize(
    ("max_distance_m", "east_m", "expected"),
    [(150_000, 140_000, FITS), (150_000, 160_000, NOT_READ)],
)
def test_home_within_own_distance(
    place: FreedPlace, max_distance_m: int, east_m: int, expected: Outcome
) -> None:
    place.hugo().max_distance_m = max_distance_m
    move_home_east(place.db_session, "hugo", east_m)

    assert place.outcome() == expected


def test_limit_beyond_the_longitude_filter(place: FreedPlace) -> None:
    # 2,717 km away, 39 degrees east: the longitude window, worked out for trips up to
    # LONGITUDE_FILTER_MAX_M, would take that for 2,746 km.
    profile = place.hugo()
    profile.max_distance_m = 2_720_000
    profile.home_lat = 56.0
    profile.home_lon = MEETING_LON + 39

    assert place.outcome() == FITS


@pytest.mark.parametrize(
    ("mode", "east_m", "expected"),
    [
        # 20 minutes at 15 km/h: 5,000 m on the straight line.
        ("transit", 4_900, FITS),
        ("transit", 5_500, NOT_READ),
        # 20 minutes at 70 m/min: 1,400 m along the streets, 1,076 m on the straight line.
        ("walk", 1_000, FITS),
        ("walk", 1_600, NOT_READ),
    ],
)
def test_home_within_travel_time(
    place: FreedPlace, mode: str, east_m: int, expected: Outcome
) -> None:
    profile = place.hugo()
    profile.max_travel_minutes = 20
    profile.travel_mode = mode
    move_home_east(place.db_session, "hugo", east_m)

    assert place.outcome() == expected


@pytest.mark.parametrize(
    ("start_minute", "end_minute", "expected"),
    [
        (570, 690, FITS),
        # Ends as the session starts.
        (480, 570, NOT_READ),
        # Starts after the session does.
        (600, 750, NOT_READ),
        # Holds the start, but ends before the session does.
        (540, 600, LEFT_TO_INDEX),
    ],
)
def test_weekly_slot_hours(
    place: FreedPlace, start_minute: int, end_minute: int, expected: Outcome
) -> None:
    hugo = clear_weekly_slots(place.db_session, "hugo")
    make_weekly_slot(
        place.db_session,
        user=hugo,
        weekday=SATURDAY,
        start_minute=start_minute,
        end_minute=end_minute,
    )

    assert place.outcome() == expected


@pytest.mark.parametrize(("days_later", "expected"), [(0, FITS), (1, NOT_READ)])
def test_whole_day_extra_hours(place: FreedPlace, days_later: int, expected: Outcome) -> None:
    hugo = clear_weekly_slots(place.db_session, "hugo")
    on_date = FIRST_DAY + timedelta(days=days_later)
    make_availability_exception(place.db_session, user=hugo, on_date=on_date, is_available=True)

    assert place.outcome() == expected


def test_day_off_is_left_to_the_index(place: FreedPlace) -> None:
    hugo = user_named(place.db_session, "hugo")
    make_availability_exception(place.db_session, user=hugo, on_date=FIRST_DAY)

    assert place.outcome() == LEFT_TO_INDEX


def test_declined_on_the_session(place: FreedPlace) -> None:
    make_assignment(
        place.db_session,
        canvass_session=place.team.crew.sessions[0],
        user=user_named(place.db_session, "hugo"),
        status=AssignmentStatus.DECLINED,
    )

    assert place.outcome() == NOT_READ


def destination(start: GeoPoint, metres: float, bearing_deg: float) -> GeoPoint:
    """Return the point `metres` from `start` along the great circle at `bearing_deg`."""
    lat, lon = math.radians(start.lat), math.radians(start.lon)
    angle, bearing = metres / EARTH_RADIUS_M, math.radians(bearing_deg)
    end_lat = math.asin(
        math.sin(lat) * math.cos(angle) + math.cos(lat) * math.sin(angle) * math.cos(bearing)
    )
    end_lon = lon + math.atan2(
        math.sin(bearing) * math.sin(angle) * math.cos(lat),
        math.cos(angle) - math.sin(lat) * math.sin(end_lat),
    )
    return GeoPoint(math.degrees(end_lon), math.degrees(end_lat))


@pytest.mark.parametrize("lat", [-45.0, 0.0, 42.3, MEETING_LAT, 51.1, 70.0])
@pytest.mark.parametrize("metres", [1.0, 3_000.0, 50_000.0, float(LONGITUDE_FILTER_MAX_M)])
def test_window_holds_every_bearing(lat: float, metres: float) -> None:
    centre = GeoPoint(MEETING_LON, lat)
    scale = longitude_metres_per_degree(lat, MEETING_LON)
    assert scale is not None

    for bearing in range(0, 360, 3):
        home = destination(centre, metres, bearing)
        assert haversine_m(centre, home) == pytest.approx(metres, rel=1e-9, abs=1e-6)
        assert abs(home.lat - lat) * METRES_PER_DEGREE <= metres + TOLERANCE_M
        assert abs(home.lon - MEETING_LON) * scale <= metres + TOLERANCE_M


def test_window_at_meeting_point() -> None:
    # A degree of longitude spans 73,094 m at the meeting point's latitude, and the scale
    # takes that of 1.8 degrees further north, up to LONGITUDE_FILTER_MAX_M away.
    assert longitude_metres_per_degree(MEETING_LAT, MEETING_LON) == pytest.approx(70_420, abs=1)


@pytest.mark.parametrize(("lat", "lon"), [(88.5, 0.0), (-88.5, 0.0), (0.0, 179.0)])
def test_no_window_near_pole_or_antimeridian(lat: float, lon: float) -> None:
    assert longitude_metres_per_degree(lat, lon) is None
