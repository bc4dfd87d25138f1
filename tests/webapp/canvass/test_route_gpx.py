from datetime import timedelta

import gpxpy
import pytest
from flask.testing import FlaskClient
from gpxpy.gpx import GPX
from sqlalchemy.orm import Session

from tests.webapp.canvass.conftest import ESPERANTO, GUESDE, TOKEN, Walk
from tests.webapp.canvass.test_views import assert_private
from webapp.db import utcnow


def get_gpx(client: FlaskClient) -> GPX:
    response = client.get(f"/parcours/{TOKEN}.gpx")
    assert response.status_code == 200
    return gpxpy.parse(response.get_data(as_text=True))


def test_gpx_download(client: FlaskClient, walk: Walk) -> None:
    response = client.get(f"/parcours/{TOKEN}.gpx")

    assert response.status_code == 200
    assert response.mimetype == "application/gpx+xml"
    assert response.headers["Content-Disposition"] == (
        'attachment; filename="parcours-equipe-1.gpx"'
    )
    assert_private(response)
    body = response.get_data(as_text=True)
    assert 'version="1.1"' in body
    for secret in ("Camille", "Alex", "Martin", "+33", TOKEN):
        assert secret not in body, secret


def test_gpx_track_is_the_path(client: FlaskClient, walk: Walk) -> None:
    gpx = get_gpx(client)

    assert gpx.name == "Équipe 1"
    assert len(gpx.tracks) == 1
    assert [len(track.segments) for track in gpx.tracks] == [1]
    points = gpx.tracks[0].segments[0].points
    assert [(p.longitude, p.latitude) for p in points] == [
        (2.4826, 48.9022),
        (2.4801, 48.9030),
        (2.4798, 48.9028),
        (2.4795, 48.9026),
        (2.4809, 48.9033),
        (2.4812, 48.9035),
        (2.4826, 48.9022),
    ]


def test_gpx_waypoints_meeting_point_then_doors_in_order(client: FlaskClient, walk: Walk) -> None:
    waypoints = get_gpx(client).waypoints

    assert [(w.name, w.longitude, w.latitude) for w in waypoints] == [
        ("Point de rendez-vous", 2.4826, 48.9022),
        (f"1 · 5 {GUESDE}", 2.4801, 48.9030),
        (f"2 · 3 {GUESDE}", 2.4798, 48.9028),
        (f"3 · 1 {GUESDE}", 2.4795, 48.9026),
        (f"4 · 2 {ESPERANTO}", 2.4809, 48.9033),
        (f"5 · 4 {ESPERANTO}", 2.4812, 48.9035),
    ]
    assert waypoints[0].description == "Parvis de la mairie"
    assert [w.description for w in waypoints[1:]] == [
        None,
        "immeuble, ~12 logements",
        None,
        None,
        None,
    ]


def test_gpx_ends_at_the_stop(client: FlaskClient, db_session: Session, walk: Walk) -> None:
    canvass = walk.canvass_session
    canvass.end_lon, canvass.end_lat, canvass.end_point_label = 2.4893, 48.8953, "Gare de Bondy"
    db_session.commit()

    last = get_gpx(client).waypoints[-1]

    assert (last.name, last.longitude, last.latitude) == ("Fin du parcours", 2.4893, 48.8953)
    assert last.description == "Gare de Bondy"


def test_gpx_of_empty_route_has_only_the_meeting_point(
    client: FlaskClient, db_session: Session, walk: Walk
) -> None:
    walk.route.address_ids = []
    walk.route.path = []
    db_session.commit()

    gpx = get_gpx(client)

    assert gpx.tracks == []
    assert [w.name for w in gpx.waypoints] == ["Point de rendez-vous"]


def test_gpx_in_the_visitor_locale(client: FlaskClient, walk: Walk) -> None:
    with client.session_transaction() as session:
        session["locale"] = "en"

    gpx = get_gpx(client)

    assert gpx.name == "Team 1"
    assert gpx.waypoints[0].name == "Meeting point"
    assert gpx.waypoints[2].description == "building, about 12 dwellings"


@pytest.mark.parametrize(
    ("locale", "flag"),
    [("fr", "immeuble, ~1\u202f234 logements"), ("en", "building, about 1,234 dwellings")],
)
def test_gpx_building_size_has_thousands_separator(
    client: FlaskClient, db_session: Session, walk: Walk, locale: str, flag: str
) -> None:
    walk.doors["G3"].dwellings = 1234
    db_session.commit()
    with client.session_transaction() as session:
        session["locale"] = locale

    assert get_gpx(client).waypoints[2].description == flag


def test_gpx_of_unknown_or_expired_link(
    client: FlaskClient, db_session: Session, walk: Walk
) -> None:
    unknown = client.get("/parcours/inconnu.gpx")
    assert unknown.status_code == 404
    assert_private(unknown)

    walk.route.token_expires_at = utcnow() - timedelta(seconds=1)
    db_session.commit()
    expired = client.get(f"/parcours/{TOKEN}.gpx")
    assert expired.status_code == 410
    assert "Ce lien a expiré" in expired.get_data(as_text=True)
    assert_private(expired)
