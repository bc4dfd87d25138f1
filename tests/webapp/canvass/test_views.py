import html
import logging
import re
from datetime import timedelta

import pytest
import segno
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.test import TestResponse

from tests.webapp.canvass.conftest import ESPERANTO, GUESDE, TOKEN, Walk
from tests.webapp.canvass.qr_reading import qr_modules
from webapp.db import utcnow
from webapp.models import DoorVisit, User
from webapp.models.canvass import DoorOutcome
from webapp.models.planning import SessionStatus

PRIVATE_HEADERS = {
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
    "X-Robots-Tag": "noindex",
}


def text_of(fragment: str) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", fragment)).split())


def first(pattern: str, page: str) -> str:
    """Return the first group of the first match of `pattern`, failing when there is none."""
    match = re.search(pattern, page, re.S)
    assert match is not None, pattern
    return match.group(1)


def walk_list(page: str) -> list[str]:
    """Return each street of the rendered walk list as "Street: n, n, n"."""
    streets = re.findall(r'<section class="walk-street">(.*?)</section>', page, re.S)
    rows = []
    for street in streets:
        heading = text_of(first(r"<h3>(.*?)</h3>", street))
        numbers = [text_of(n) for n in re.findall(r'class="walk-number">(.*?)<', street)]
        rows.append(f"{heading}: {', '.join(numbers)}")
    return rows


def steps(page: str) -> list[str]:
    return [text_of(s) for s in re.findall(r'class="walk-step"[^>]*>(.*?)<', page)]


def assert_private(response: TestResponse) -> None:
    for name, value in PRIVATE_HEADERS.items():
        assert response.headers[name] == value, name


def test_route_page_in_french_without_login(client: FlaskClient, walk: Walk) -> None:
    response = client.get(f"/parcours/{TOKEN}")

    assert response.status_code == 200
    assert_private(response)
    page = response.get_data(as_text=True)
    text = text_of(page)
    assert "<title>Votre parcours · Tournée</title>" in page
    assert "Équipe 1" in text
    # The IRIS comes with the day: other teams may canvass other IRIS at that time.
    assert text_of(first(r'id="route-session-title">(.*?)</h2>', page)) == (
        "Samedi 13 juin 2026 (Mairie)"
    )
    assert "10:00 à 12:00" in text
    assert "Parvis de la mairie" in text
    assert "Votre équipe : Alex, Camille" in text
    assert text_of(first(r'id="total-doors">(.*?)</li>', page)) == "5 adresses"
    assert text_of(first(r'id="total-length">(.*?)</li>', page)) == "1,3 km à pied"
    assert text_of(first(r'id="total-minutes">(.*?)</li>', page)) == "48 min au total"
    assert "Adresses dans l’ordre de passage" in text
    # Before any visit, the top of the page shows no progress and no next door, but a
    # link down to the first one.
    assert 'id="route-progress"' not in page
    assert 'id="route-next"' not in page
    assert text_of(first(r'id="route-start">(.*?)</p>', page)) == "Commencer par l’étape 1"
    assert '<a class="button" href="#step-1">' in page


def test_walk_list_in_walking_order(client: FlaskClient, walk: Walk) -> None:
    page = client.get(f"/parcours/{TOKEN}").get_data(as_text=True)

    assert walk_list(page) == [f"{GUESDE}: 5, 3, 1", f"{ESPERANTO}: 2, 4"]
    assert steps(page) == ["1", "2", "3", "4", "5"]
    assert '<ol class="walk-doors" start="4">' in page


def test_page_carries_no_contact_detail_or_other_team(client: FlaskClient, walk: Walk) -> None:
    page = client.get(f"/parcours/{TOKEN}").get_data(as_text=True)

    hidden = ("Martin", "Durand", "Leroy", "Petit", "Yanis", "Noé", "@example.org", "+33", "06 ")
    for secret in hidden:
        assert secret not in page, secret


def test_page_works_without_javascript(client: FlaskClient, walk: Walk) -> None:
    page = client.get(f"/parcours/{TOKEN}").get_data(as_text=True)

    map_tag = first(r'(<div id="route-map"[^>]*>)', page)
    assert " hidden" in map_tag
    assert f'data-geojson-url="/parcours/{TOKEN}.geojson"' in map_tag
    assert "<script>" not in page
    assert not re.search(r"\son[a-z]+=", page)
    assert '<script src="/static/js/route_map.js" defer></script>' in page
    assert "/static/vendor/leaflet/leaflet.js" in page


def test_cancelled_session_is_announced(
    client: FlaskClient, db_session: Session, walk: Walk
) -> None:
    walk.canvass_session.status = SessionStatus.CANCELLED
    db_session.commit()

    page = client.get(f"/parcours/{TOKEN}").get_data(as_text=True)

    assert "Cette session est annulée" in page


def test_empty_route_says_so(client: FlaskClient, db_session: Session, walk: Walk) -> None:
    walk.route.address_ids = []
    db_session.commit()

    response = client.get(f"/parcours/{TOKEN}")

    assert response.status_code == 200
    assert "Aucune adresse sur ce parcours pour l’instant." in response.get_data(as_text=True)


@pytest.mark.parametrize("token", ["inconnu", TOKEN[:-1], "x" * 80, "%C3%A9t%C3%A9"])
def test_unknown_link_is_a_french_404(client: FlaskClient, walk: Walk, token: str) -> None:
    response = client.get(f"/parcours/{token}")

    assert response.status_code == 404
    assert_private(response)
    text = text_of(response.get_data(as_text=True))
    assert "Lien inconnu" in text
    assert "demandez un nouveau lien à l’équipe de coordination" in text


def test_expired_link_is_a_french_410(
    client: FlaskClient, db_session: Session, walk: Walk, caplog: pytest.LogCaptureFixture
) -> None:
    walk.route.token_expires_at = utcnow() - timedelta(minutes=1)
    db_session.commit()

    with caplog.at_level(logging.INFO, logger="webapp.canvass.views"):
        response = client.get(f"/parcours/{TOKEN}")

    assert f"Route link expired for route {walk.route.id}" in caplog.text
    assert TOKEN not in caplog.text

    assert response.status_code == 410
    assert_private(response)
    page = response.get_data(as_text=True)
    assert "Ce lien a expiré, demandez un nouveau lien à l’équipe de coordination." in page
    assert GUESDE not in page


def test_geojson_path_and_doors(client: FlaskClient, walk: Walk) -> None:
    response = client.get(f"/parcours/{TOKEN}.geojson")

    assert response.status_code == 200
    assert response.mimetype == "application/geo+json"
    assert_private(response)
    features = response.get_json()["features"]
    assert features[0]["geometry"]["type"] == "LineString"
    assert len(features[0]["geometry"]["coordinates"]) == 7
    assert features[1]["properties"]["kind"] == "meeting_point"
    doors = [f for f in features if f["properties"]["kind"] == "door"]
    assert [(d["properties"]["step"], d["geometry"]["coordinates"]) for d in doors] == [
        (1, [2.4801, 48.9030]),
        (2, [2.4798, 48.9028]),
        (3, [2.4795, 48.9026]),
        (4, [2.4809, 48.9033]),
        (5, [2.4812, 48.9035]),
    ]
    assert "Camille" not in response.get_data(as_text=True)


def test_geojson_checks_the_token_too(client: FlaskClient, db_session: Session, walk: Walk) -> None:
    unknown = client.get("/parcours/inconnu.geojson")
    assert (unknown.status_code, unknown.get_json()) == (404, {"error": "not_found"})
    assert_private(unknown)

    walk.route.token_expires_at = utcnow() - timedelta(seconds=1)
    db_session.commit()
    expired = client.get(f"/parcours/{TOKEN}.geojson")
    assert (expired.status_code, expired.get_json()) == (410, {"error": "expired"})
    assert_private(expired)


def short_code_of(page: str) -> str:
    return first(r'id="route-short-link" href="http://127\.0\.0\.1:5000/p/([a-z0-9]+)"', page)


def test_page_links_to_the_sheet_and_the_track(client: FlaskClient, walk: Walk) -> None:
    page = client.get(f"/parcours/{TOKEN}").get_data(as_text=True)

    pdf_link = first(r'(<a [^>]*id="route-pdf"[^>]*>.*?</a>)', page)
    gpx_link = first(r'(<a [^>]*id="route-gpx"[^>]*>.*?</a>)', page)
    assert f'href="/parcours/{TOKEN}.pdf"' in pdf_link
    assert text_of(pdf_link) == "Imprimer la feuille de route (PDF)"
    assert f'href="/parcours/{TOKEN}.gpx"' in gpx_link
    assert " download" in gpx_link
    assert text_of(gpx_link) == "Télécharger le tracé (GPX)"


def test_page_shows_the_short_link_and_its_qr_code(
    client: FlaskClient, db_session: Session, walk: Walk
) -> None:
    page = client.get(f"/parcours/{TOKEN}").get_data(as_text=True)

    db_session.refresh(walk.route)
    code = walk.route.short_code
    assert code is not None
    assert short_code_of(page) == code
    short_url = f"http://127.0.0.1:5000/p/{code}"
    assert text_of(first(r'(<a [^>]*id="route-short-link".*?</a>)', page)) == short_url[7:]
    qr = first(r'(<div class="route-qr-code".*?</svg>)', page)
    assert 'role="img" aria-label="QR code du lien court"' in qr
    assert qr_modules(qr) == [bytes(row) for row in segno.make(short_url, error="m").matrix]
    assert "style=" not in qr
    assert "Scannez pour ouvrir le parcours sur un téléphone" in text_of(page)


def test_short_code_stays_the_same_on_every_visit(client: FlaskClient, walk: Walk) -> None:
    codes = {short_code_of(client.get(f"/parcours/{TOKEN}").get_data(as_text=True)) for _ in "ab"}

    assert len(codes) == 1


def test_page_flags_large_buildings(client: FlaskClient, walk: Walk) -> None:
    page = client.get(f"/parcours/{TOKEN}").get_data(as_text=True)

    door = first(r'(<li class="walk-door is-building" id="step-2".*?</li>)', page)
    assert "immeuble, ~12 logements" in text_of(door)
    assert page.count("walk-building") == 1


@pytest.mark.parametrize(
    ("locale", "flag"),
    [("fr", "immeuble, ~1\u202f234 logements"), ("en", "building, about 1,234 dwellings")],
)
def test_building_size_has_thousands_separator(
    client: FlaskClient, db_session: Session, walk: Walk, locale: str, flag: str
) -> None:
    walk.doors["G3"].dwellings = 1234
    db_session.commit()
    with client.session_transaction() as session:
        session["locale"] = locale

    page = client.get(f"/parcours/{TOKEN}").get_data(as_text=True)

    assert html.unescape(first(r'<span class="walk-building">(.*?)</span>', page)) == flag


def test_page_carries_a_printable_plan(client: FlaskClient, walk: Walk) -> None:
    page = client.get(f"/parcours/{TOKEN}").get_data(as_text=True)

    plan = first(r'(<figure class="route-plan".*?</figure>)', page)
    assert plan.count('<circle class="plan-door"') == 5
    assert [text_of(s) for s in re.findall(r'class="plan-step"[^>]*>(.*?)<', plan)] == [
        "1",
        "2",
        "3",
        "4",
        "5",
    ]
    points = first(r'<polyline class="plan-path" points="([^"]+)"', plan).split()
    assert len(points) == 7
    assert ">RDV</text>" in plan


def test_team_mates_sharing_a_first_name(
    client: FlaskClient, db_session: Session, walk: Walk
) -> None:
    alex = db_session.scalars(select(User).where(User.first_name == "Alex")).one()
    alex.first_name = "Camille"
    db_session.commit()

    text = text_of(client.get(f"/parcours/{TOKEN}").get_data(as_text=True))

    assert "Votre équipe : Camille M., Camille D." in text


def test_short_link_redirects_to_the_route(
    client: FlaskClient, db_session: Session, walk: Walk
) -> None:
    walk.route.short_code = "k7mq3xzp"
    db_session.commit()

    for typed in ("k7mq3xzp", "K7MQ3XZP"):
        response = client.get(f"/p/{typed}")
        assert response.status_code == 302
        assert response.headers["Location"] == f"/parcours/{TOKEN}"
        assert_private(response)


@pytest.mark.parametrize("code", ["k7mq3xzq", "inconnu", "k7mq3xz0", "x" * 80])
def test_unknown_short_link_is_a_french_404(
    client: FlaskClient, db_session: Session, walk: Walk, code: str
) -> None:
    walk.route.short_code = "k7mq3xzp"
    db_session.commit()

    response = client.get(f"/p/{code}")

    assert response.status_code == 404
    assert_private(response)
    assert "Lien inconnu" in text_of(response.get_data(as_text=True))


def test_expired_short_link_is_a_french_410(
    client: FlaskClient, db_session: Session, walk: Walk
) -> None:
    walk.route.short_code = "k7mq3xzp"
    walk.route.token_expires_at = utcnow() - timedelta(minutes=1)
    db_session.commit()

    response = client.get("/p/k7mq3xzp")

    assert response.status_code == 410
    assert_private(response)
    assert "Ce lien a expiré" in response.get_data(as_text=True)
    assert TOKEN not in response.get_data(as_text=True)


def test_logs_carry_neither_token_nor_code(
    client: FlaskClient, db_session: Session, walk: Walk, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.DEBUG, logger="webapp"):
        page = client.get(f"/parcours/{TOKEN}").get_data(as_text=True)
        code = short_code_of(page)
        for path in (
            f"/parcours/{TOKEN}.pdf",
            f"/parcours/{TOKEN}.gpx",
            f"/p/{code}",
            "/p/k7mq3xzq",
        ):
            client.get(path)
        walk.route.token_expires_at = utcnow() - timedelta(minutes=1)
        db_session.commit()
        client.get(f"/p/{code}")

    assert f"Short link created for route {walk.route.id}" in caplog.text
    assert "Route link not found" in caplog.text
    assert f"Route link expired for route {walk.route.id}" in caplog.text
    assert TOKEN not in caplog.text
    assert code not in caplog.text


def test_page_in_english(client: FlaskClient, walk: Walk) -> None:
    with client.session_transaction() as session:
        session["locale"] = "en"

    text = text_of(client.get(f"/parcours/{TOKEN}").get_data(as_text=True))

    assert "Print the walk sheet (PDF)" in text
    assert "Download the track (GPX)" in text
    assert "building, about 12 dwellings" in text


def record_visits(db_session: Session, walk: Walk, count: int) -> None:
    """Record a visit at the first `count` doors of the walk."""
    for address_id in walk.route.address_ids[:count]:
        db_session.add(
            DoorVisit(route_id=walk.route.id, address_id=address_id, outcome=DoorOutcome.ABSENT)
        )
    db_session.flush()


def test_started_route_says_where_to_go_on(
    client: FlaskClient, db_session: Session, walk: Walk
) -> None:
    record_visits(db_session, walk, 2)

    page = client.get(f"/parcours/{TOKEN}").get_data(as_text=True)

    assert text_of(first(r'id="walk-resume">(.*?)</p>', page)) == (
        "Reprenez à l’étape 3 : les portes marquées « faite » n’ont plus à être visitées."
    )
    visited = re.findall(r'<li class="walk-door[^"]*is-visited" id="step-(\d+)"', page)
    assert visited == ["1", "2"]
    assert "Partez du point de rendez-vous" not in page
    # Near the top of the page, a link jumps to the next door.
    assert first(r'id="route-next"><a class="button" href="([^"]*)"', page) == "#step-3"
    assert text_of(first(r'id="route-next">(.*?)</p>', page)) == "Porte suivante : étape 3"
    assert text_of(first(r'id="route-progress">(.*?)</p>', page)) == "2 portes faites sur 5"


def test_finished_route_says_so(client: FlaskClient, db_session: Session, walk: Walk) -> None:
    record_visits(db_session, walk, len(walk.route.address_ids))

    page = client.get(f"/parcours/{TOKEN}").get_data(as_text=True)

    assert text_of(first(r'id="walk-resume">(.*?)</p>', page)) == (
        "Toutes les portes de ce parcours sont faites."
    )
    assert 'id="route-next"' not in page
    assert text_of(first(r'id="route-progress">(.*?)</p>', page)) == "5 portes faites sur 5"
