"""No figure of an IRIS with fewer than 11 households leaves the targeting pages.

The scored case has Petit Bois, 5 households, suppressed. Every page and JSON endpoint
of the targeting area, and the session form that lists IRIS, is read by a coordinator:
wherever Petit Bois appears, no number about it may appear next to it.
"""

import re
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.webapp.privacy.conftest import log_in, make_member
from tests.webapp.targets.scored_case import CENTRE, PETIT_BOIS, ScoredCase, seed_scored_case
from webapp.models import IrisScore
from webapp.models.users import Role

# Parts of a page that may hold digits beside a suppressed IRIS: its code, and the
# threshold named in the note that explains why its figures are hidden.
ALLOWED_NUMBERS = {PETIT_BOIS, "11"}


@pytest.fixture
def coordinator(client: FlaskClient, db_session: Session) -> FlaskClient:
    case: ScoredCase = seed_scored_case(db_session)
    make_member(db_session, case.campaign, Role.COORDINATOR, "coord@example.org")
    db_session.commit()
    log_in(client, "coord@example.org")
    return client


def _targeting_pages(app: Flask) -> list[str]:
    pages = [
        rule.rule
        for rule in app.url_map.iter_rules()
        if rule.endpoint.startswith("targets.")
        and "GET" in (rule.methods or ())
        and not rule.arguments
    ]
    return sorted(pages) + ["/planification/sessions/nouvelle"]


def _objects_naming(value: Any, code: str) -> list[dict[str, Any]]:
    """Return every JSON object holding `code` as one of its values."""
    found: list[dict[str, Any]] = []
    if isinstance(value, dict):
        if code in value.values():
            found.append(value)
        for item in value.values():
            found += _objects_naming(item, code)
    elif isinstance(value, list):
        for item in value:
            found += _objects_naming(item, code)
    return found


def _numbers(value: Any) -> list[float]:
    if isinstance(value, bool):
        return []
    if isinstance(value, int | float):
        return [value]
    if isinstance(value, dict):
        return [n for item in value.values() for n in _numbers(item)]
    if isinstance(value, list):
        return [n for item in value for n in _numbers(item)]
    return []


def _html_fragments_naming(html: str, code: str) -> list[str]:
    """Return the table rows and list items in which `code` appears."""
    pattern = re.compile(r"<(tr|li|option)\b[^>]*>.*?</\1>", re.S)
    return [match.group(0) for match in pattern.finditer(html) if code in match.group(0)]


def test_no_page_or_json_shows_a_figure_of_a_suppressed_iris(
    app: Flask, coordinator: FlaskClient
) -> None:
    pages = _targeting_pages(app)
    seen_json = seen_html = 0
    for page in pages:
        response = coordinator.get(page)
        assert response.status_code == 200, page
        if response.is_json:
            for obj in _objects_naming(response.get_json(), PETIT_BOIS):
                seen_json += 1
                assert _numbers(obj) == [], (page, obj)
            continue
        for fragment in _html_fragments_naming(response.get_data(as_text=True), PETIT_BOIS):
            seen_html += 1
            text = re.sub(r"<[^>]+>", " ", fragment)
            numbers = set(re.findall(r"\d[\d\s,.]*\d|\d", text))
            assert {n.strip() for n in numbers} <= ALLOWED_NUMBERS, (page, text)

    assert seen_json >= 1
    assert seen_html >= 2


def test_suppressed_iris_cannot_be_made_a_target(app: Flask, coordinator: FlaskClient) -> None:
    page = coordinator.get("/ciblage/").get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page)
    assert token is not None

    coordinator.post("/ciblage/cibles", data={"targets": [PETIT_BOIS], "csrf_token": token[1]})

    features = coordinator.get("/ciblage/iris.geojson").get_json()["features"]
    (petit_bois,) = [f for f in features if f["properties"]["code"] == PETIT_BOIS]
    assert petit_bois["properties"]["is_target"] is False
    assert petit_bois["properties"]["figures"] is None


def test_stale_flag_still_hides_small_iris(coordinator: FlaskClient, db_session: Session) -> None:
    # A score row stored with too few households but no suppression flag, as an older
    # scoring run or a hand edit could leave it.
    score = db_session.scalars(select(IrisScore).where(IrisScore.iris_code == CENTRE)).one()
    score.households = 7.0
    score.is_suppressed = False
    db_session.commit()

    features = coordinator.get("/ciblage/iris.geojson").get_json()["features"]
    (centre,) = [f for f in features if f["properties"]["code"] == CENTRE]
    page = coordinator.get("/ciblage/").get_data(as_text=True)

    assert centre["properties"]["is_suppressed"] is True
    assert centre["properties"]["figures"] is None
    assert centre["properties"]["score"] is None
    assert centre["properties"]["rank"] is None
    for fragment in _html_fragments_naming(page, CENTRE):
        text = re.sub(r"<[^>]+>", " ", fragment)
        numbers = {n.strip() for n in re.findall(r"\d[\d\s,.]*\d|\d", text)}
        assert numbers <= {CENTRE, "11"}, text
