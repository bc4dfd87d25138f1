"""Rules of a new canvassing session: its day, its times, its bounds and its points."""

from datetime import date, time

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.factories import make_bondy_addresses, make_campaign, make_iris
from webapp.models import CanvassSession
from webapp.services.errors import ValidationErrors
from webapp.services.sessions import SessionDraft, create_session

IRIS_CODE = "930100202"
TODAY = date(2027, 3, 1)


@pytest.fixture
def campaign_id(db_session: Session) -> int:
    """Bondy with one IRIS whose geometry is the box 2.4701–2.5002 E, 48.8869–48.9203 N."""
    make_bondy_addresses(db_session)
    campaign = make_campaign(db_session)
    make_iris(db_session, code=IRIS_CODE)
    db_session.flush()
    return campaign.id


def draft(**changes: object) -> SessionDraft:
    values: dict[str, object] = {
        "day": TODAY,
        "start": time(9, 30),
        "end": time(12, 0),
        "iris_code": IRIS_CODE,
        "min_volunteers": 2,
        "max_volunteers": 8,
        "meeting_lon": 2.4826,
        "meeting_lat": 48.9022,
        **changes,
    }
    return SessionDraft(**values)  # type: ignore[arg-type]


def refusals(session: Session, campaign_id: int, **changes: object) -> list[tuple[str, str]]:
    with pytest.raises(ValidationErrors) as raised:
        create_session(session, campaign_id, draft(**changes), today=TODAY)
    assert session.scalars(select(CanvassSession)).all() == []
    return [(error.field, error.message) for error in raised.value.errors]


def test_session_today_is_created(db_session: Session, campaign_id: int) -> None:
    created = create_session(db_session, campaign_id, draft(), today=TODAY)

    assert (created.meeting_lon, created.meeting_lat) == (2.4826, 48.9022)
    assert created.meeting_point_label == "48.90220, 2.48260"


@pytest.mark.parametrize("day", [date(2027, 2, 28), date(2020, 1, 1)])
def test_past_day_rejected(db_session: Session, campaign_id: int, day: date) -> None:
    assert refusals(db_session, campaign_id, day=day) == [("day", "in_the_past")]


# The widened box: 2 km is 0.017966° of latitude and, at 48.9203° N, 0.027341° of
# longitude, so points are accepted from 2.44276 to 2.52754 E and 48.86893 to 48.93827 N.
@pytest.mark.parametrize(
    ("lon", "lat"),
    [(2.5275, 48.9022), (2.4428, 48.9022), (2.4826, 48.9382), (2.4826, 48.8690)],
)
def test_point_near_iris_accepted(
    db_session: Session, campaign_id: int, lon: float, lat: float
) -> None:
    created = create_session(
        db_session,
        campaign_id,
        draft(meeting_lon=lon, meeting_lat=lat, end_lon=lon, end_lat=lat),
        today=TODAY,
    )

    assert (created.end_lon, created.end_lat) == (lon, lat)


@pytest.mark.parametrize(
    ("lon", "lat"),
    [(2.5276, 48.9022), (2.4427, 48.9022), (2.4826, 48.9383), (2.4826, 48.8689), (5.4, 43.3)],
)
def test_far_point_rejected(db_session: Session, campaign_id: int, lon: float, lat: float) -> None:
    assert refusals(db_session, campaign_id, meeting_lon=lon, meeting_lat=lat) == [
        ("meeting_point", "far_from_iris")
    ]
    assert refusals(db_session, campaign_id, end_lon=lon, end_lat=lat) == [
        ("end_point", "far_from_iris")
    ]


def test_all_broken_rules_reported(db_session: Session, campaign_id: int) -> None:
    found = refusals(
        db_session,
        campaign_id,
        day=date(2027, 2, 28),
        end=time(9, 0),
        min_volunteers=6,
        max_volunteers=4,
        meeting_lon=5.4,
        meeting_lat=43.3,
        end_lon=2.4826,
        end_lat=None,
    )

    assert found == [
        ("day", "in_the_past"),
        ("end", "end_before_start"),
        ("max_volunteers", "bad_bounds"),
        ("meeting_point", "far_from_iris"),
        ("end_point", "incomplete"),
    ]


def test_unknown_iris_and_missing_point(db_session: Session, campaign_id: int) -> None:
    found = refusals(
        db_session, campaign_id, iris_code="751010101", meeting_lon=None, meeting_lat=None
    )

    assert found == [("iris_code", "unknown_iris"), ("meeting_point", "missing")]


def test_bad_degrees_before_distance(db_session: Session, campaign_id: int) -> None:
    assert refusals(db_session, campaign_id, meeting_lat=148.9) == [
        ("meeting_point", "bad_coordinate")
    ]
