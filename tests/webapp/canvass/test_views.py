import html
import logging
import re
from datetime import timedelta

import pytest
from flask.testing import FlaskClient
from sqlalchemy.orm import Session
from werkzeug.test import TestResponse

from tests.webapp.canvass.conftest import ESPERANTO, GUESDE, TOKEN, Walk
from webapp.db import utcnow
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
    assert "Samedi 13 juin 2026" in text
    assert "10:00 à 12:00" in text
    assert "Parvis de la mairie" in text
    assert "Votre équipe : Alex, Camille" in text
    assert text_of(first(r'id="total-doors">(.*?)</li>', page)) == "5 adresses"
    assert text_of(first(r'id="total-length">(.*?)</li>', page)) == "1,3 km à pied"
    assert text_of(first(r'id="total-minutes">(.*?)</li>', page)) == "48 min au total"
    assert "Adresses dans l’ordre de passage" in text


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
    assert "demandez un nouveau lien à votre coordinateur" in text


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
    assert "Ce lien a expiré, demandez un nouveau lien à votre coordinateur." in page
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
