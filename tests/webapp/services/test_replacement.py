"""Whom a freed place goes to: the planner's rules for travel, rest and the weekly cap.

Session 1 runs on Saturday 13 March 2027, 09:30-11:30 in Paris, at the town hall. Hugo
fits it; Ines is on an overlapping session, Jules agreed to no message, Kim is free in
the afternoon only (see `seed_team`).
"""

from datetime import date, timedelta

import pytest
from flask import Flask
from sqlalchemy.orm import Session

from tests.factories import (
    make_assignment,
    make_availability_exception,
    make_canvass_session,
    make_weekly_slot,
)
from tests.webapp.broadcasts.crew import MAIRIE, paris
from tests.webapp.services.test_reminders_changes import (
    FIRST_DAY,
    SATURDAY,
    Team,
    seed_team,
    user_named,
)
from webapp.models import User, VolunteerProfile
from webapp.services.replacement import find_replacement

# The meeting point of the seeded sessions, and degrees of longitude per metre there.
MEETING_LON = 2.4826
LON_PER_M = 1 / 73_200


@pytest.fixture
def team(db_session: Session) -> Team:
    return seed_team(db_session, FIRST_DAY)


def offered(app: Flask, db_session: Session, team: Team) -> str | None:
    """Return the first name of the volunteer the freed place of session 1 goes to."""
    db_session.commit()
    with app.app_context():
        user = find_replacement(db_session, team.crew.sessions[0])
    return None if user is None else user.first_name


def profile_of(db_session: Session, name: str) -> VolunteerProfile:
    profile = db_session.get(VolunteerProfile, user_named(db_session, name).id)
    assert profile is not None
    return profile


def move_home_east(db_session: Session, name: str, metres: int) -> None:
    profile = profile_of(db_session, name)
    profile.home_lon = MEETING_LON + metres * LON_PER_M


def place_on_session(
    db_session: Session, team: Team, user: User, starts_on: date, hour: int
) -> None:
    other = make_canvass_session(
        db_session,
        campaign=team.crew.campaign,
        iris_code=MAIRIE,
        starts_at=paris(starts_on, hour),
    )
    make_assignment(db_session, canvass_session=other, user=user)


def test_hugo_fits_as_seeded(app: Flask, db_session: Session, team: Team) -> None:
    assert offered(app, db_session, team) == "Hugo"


@pytest.mark.parametrize(("metres", "expected"), [(2_900, "Hugo"), (3_100, None)])
def test_default_distance_limit(
    app: Flask, db_session: Session, team: Team, metres: int, expected: str | None
) -> None:
    move_home_east(db_session, "hugo", metres)

    assert offered(app, db_session, team) == expected


@pytest.mark.parametrize(("metres", "expected"), [(500, "Hugo"), (600, None)])
def test_walking_time_limit(
    app: Flask, db_session: Session, team: Team, metres: int, expected: str | None
) -> None:
    # 10 minutes at 70 m/min: 700 m along the streets, 1.3 times the straight line.
    profile_of(db_session, "hugo").max_travel_minutes = 10
    move_home_east(db_session, "hugo", metres)

    assert offered(app, db_session, team) == expected


def test_volunteer_without_home_is_not_offered(app: Flask, db_session: Session, team: Team) -> None:
    profile = profile_of(db_session, "hugo")
    profile.home_lon = None
    profile.home_lat = None

    assert offered(app, db_session, team) is None


@pytest.mark.parametrize(("rest_minutes", "expected"), [(60, None), (30, "Hugo")])
def test_rest_between_sessions(
    app: Flask, db_session: Session, team: Team, rest_minutes: int, expected: str | None
) -> None:
    # Session 1 ends at 11:30, and Hugo is on one that starts at 12:00.
    place_on_session(db_session, team, user_named(db_session, "hugo"), FIRST_DAY, 12)
    team.crew.campaign.rest_minutes = rest_minutes

    assert offered(app, db_session, team) == expected


@pytest.mark.parametrize(("days_later", "expected"), [(1, None), (2, "Hugo")])
def test_weekly_cap(
    app: Flask, db_session: Session, team: Team, days_later: int, expected: str | None
) -> None:
    hugo = user_named(db_session, "hugo")
    profile_of(db_session, "hugo").max_sessions_per_week = 1
    # Sunday 14 March is in the ISO week of session 1, Monday 15 March is not.
    place_on_session(db_session, team, hugo, FIRST_DAY + timedelta(days=days_later), 10)

    assert offered(app, db_session, team) == expected


def test_fewest_upcoming_sessions_first(app: Flask, db_session: Session, team: Team) -> None:
    hugo = user_named(db_session, "hugo")
    kim = user_named(db_session, "kim")
    make_weekly_slot(db_session, user=kim, weekday=SATURDAY, start_minute=540, end_minute=750)
    # Hugo signed up first, but he is on one more session, a week later.
    place_on_session(db_session, team, hugo, FIRST_DAY + timedelta(days=7), 10)

    assert offered(app, db_session, team) == "Kim"


def clear_weekly_slots(db_session: Session, name: str) -> User:
    user = user_named(db_session, name)
    user.availability.clear()
    db_session.flush()
    return user


def test_extra_hours_on_the_date_fit(app: Flask, db_session: Session, team: Team) -> None:
    hugo = clear_weekly_slots(db_session, "hugo")
    make_availability_exception(
        db_session,
        user=hugo,
        on_date=FIRST_DAY,
        is_available=True,
        start_minute=540,
        end_minute=720,
    )

    assert offered(app, db_session, team) == "Hugo"


def test_weekly_slot_on_another_day(app: Flask, db_session: Session, team: Team) -> None:
    hugo = clear_weekly_slots(db_session, "hugo")
    make_weekly_slot(db_session, user=hugo, weekday=SATURDAY + 1, start_minute=540, end_minute=750)

    assert offered(app, db_session, team) is None


def test_touching_slots_cover_the_session(app: Flask, db_session: Session, team: Team) -> None:
    hugo = clear_weekly_slots(db_session, "hugo")
    make_weekly_slot(db_session, user=hugo, weekday=SATURDAY, start_minute=540, end_minute=630)
    make_weekly_slot(db_session, user=hugo, weekday=SATURDAY, start_minute=630, end_minute=750)

    assert offered(app, db_session, team) == "Hugo"


def test_day_off_on_the_date(app: Flask, db_session: Session, team: Team) -> None:
    make_availability_exception(db_session, user=user_named(db_session, "hugo"), on_date=FIRST_DAY)

    assert offered(app, db_session, team) is None
