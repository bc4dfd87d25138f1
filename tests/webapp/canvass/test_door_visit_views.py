"""Recording what happened at a door from the route page, with CSRF protection on."""

import logging
import re
from datetime import timedelta

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.test import TestResponse

from tests.webapp.accounts.html_page import Page, csrf_token
from tests.webapp.canvass.conftest import ESPERANTO, GUESDE, TOKEN, Walk, add_door
from tests.webapp.canvass.test_views import assert_private, first, text_of
from webapp.db import utcnow
from webapp.models import DoorVisit
from webapp.models.canvass import DoorOutcome
from webapp.models.planning import SessionStatus

FRENCH_BUTTONS = ["Absent", "A ouvert", "Discussion", "Refus", "Repasser", "Inaccessible"]
ENGLISH_BUTTONS = ["Nobody home", "Opened", "Conversation", "Refused", "Come back", "No access"]


def door_url(address_id: int, token: str = TOKEN) -> str:
    return f"/parcours/{token}/portes/{address_id}"


def record(client: FlaskClient, address_id: int, outcome: str) -> TestResponse:
    """Open the route page as a volunteer does, then tap an outcome of a door."""
    page = client.get(f"/parcours/{TOKEN}").get_data(as_text=True)
    return client.post(
        door_url(address_id), data={"csrf_token": csrf_token(page), "outcome": outcome}
    )


def stored(session: Session) -> list[tuple[int, DoorOutcome]]:
    session.expire_all()
    rows = session.execute(select(DoorVisit.address_id, DoorVisit.outcome).order_by(DoorVisit.id))
    return [(address_id, outcome) for address_id, outcome in rows]


def door_item(page: str, step: int) -> str:
    return first(rf'(<li class="walk-door[^"]*" id="step-{step}".*?</li>)', page)


def buttons_of(fragment: str) -> list[str]:
    return [
        text_of(b)
        for b in re.findall(r'<button type="submit" name="outcome"[^>]*>(.*?)</button>', fragment)
    ]


def flashes(page: str) -> list[str]:
    return [text_of(f) for f in re.findall(r'<p class="flash[^"]*"[^>]*>(.*?)</p>', page, re.S)]


def test_every_door_offers_the_outcomes(client: FlaskClient, walk: Walk) -> None:
    response = client.get(f"/parcours/{TOKEN}")

    # The CSRF token lives in the anonymous visitor's own session cookie.
    assert "session=" in response.headers["Set-Cookie"]
    page = response.get_data(as_text=True)
    forms = Page(page).select("form", **{"class": "door-record"})
    assert [form.attrs["action"] for form in forms] == [
        door_url(walk.doors[key].id) for key in ("G5", "G3", "G1", "E2", "E4")
    ]
    assert buttons_of(door_item(page, 1)) == FRENCH_BUTTONS
    values = re.findall(r'name="outcome" value="([a-z_]+)"', door_item(page, 1))
    assert values == ["absent", "opened", "conversation", "refused", "come_back", "inaccessible"]
    assert 'id="porte-' + str(walk.doors["G5"].id) + '"' in door_item(page, 1)
    assert "Que s’est-il passé à l’étape 1 ?" in text_of(door_item(page, 1))


def test_post_without_csrf_rejected(client: FlaskClient, db_session: Session, walk: Walk) -> None:
    client.get(f"/parcours/{TOKEN}")

    response = client.post(door_url(walk.doors["G5"].id), data={"outcome": "absent"})

    assert response.status_code == 400
    assert stored(db_session) == []


def test_tap_records_door_and_resume_step(
    client: FlaskClient, db_session: Session, walk: Walk
) -> None:
    first_door = walk.doors["G5"].id

    response = record(client, first_door, "absent")

    assert response.status_code == 302
    assert response.headers["Location"] == f"/parcours/{TOKEN}#porte-{first_door}"
    assert_private(response)
    assert stored(db_session) == [(first_door, DoorOutcome.ABSENT)]
    page = client.get(f"/parcours/{TOKEN}").get_data(as_text=True)
    assert flashes(page) == [f"Porte notée : 5 {GUESDE}, Absent."]
    door = door_item(page, 1)
    assert 'class="walk-door is-visited"' in door
    assert text_of(first(r'<span class="walk-visited">(.*?)</span>', door)) == "visitée : Absent"
    assert "Corriger le résultat" in text_of(door)
    assert text_of(first(r'id="walk-resume">(.*?)</p>', page)) == (
        "Reprenez à l’étape 2 : les portes marquées visitées sont faites."
    )
    assert "walk-visited" not in door_item(page, 2)


def test_correction_adds_a_visit_and_shows_the_latest(
    client: FlaskClient, db_session: Session, walk: Walk
) -> None:
    first_door, second_door = walk.doors["G5"].id, walk.doors["G3"].id
    record(client, first_door, "absent")
    record(client, second_door, "refused")

    record(client, first_door, "conversation")
    page = client.get(f"/parcours/{TOKEN}").get_data(as_text=True)

    assert flashes(page) == [f"Résultat corrigé : 5 {GUESDE}, Discussion."]
    assert stored(db_session) == [
        (first_door, DoorOutcome.ABSENT),
        (second_door, DoorOutcome.REFUSED),
        (first_door, DoorOutcome.CONVERSATION),
    ]
    page = client.get(f"/parcours/{TOKEN}").get_data(as_text=True)
    outcomes = [
        text_of(first(r'<span class="walk-visited">(.*?)</span>', door_item(page, step)))
        for step in (1, 2)
    ]
    assert outcomes == ["visitée : Discussion", "visitée : Refus"]
    current = re.findall(r'class="door-outcome is-current">(.*?)<', door_item(page, 1))
    assert current == ["Discussion"]
    assert "Reprenez à l’étape 3" in text_of(page)


def test_door_off_route_rejected_in_french(
    client: FlaskClient, db_session: Session, walk: Walk, caplog: pytest.LogCaptureFixture
) -> None:
    elsewhere = add_door(db_session, ESPERANTO, 6, (2.4815, 48.9037))
    db_session.commit()

    with caplog.at_level(logging.INFO, logger="webapp.canvass.views"):
        response = record(client, elsewhere.id, "absent")

    assert response.status_code == 302
    assert response.headers["Location"] == f"/parcours/{TOKEN}"
    assert stored(db_session) == []
    page = client.get(f"/parcours/{TOKEN}").get_data(as_text=True)
    assert flashes(page) == ["Cette porte n’est pas sur votre parcours : rien n’a été noté."]
    assert (
        f"Door visit not recorded on route {walk.route.id} at address {elsewhere.id}: "
        "not on the route"
    ) in caplog.text
    assert TOKEN not in caplog.text


@pytest.mark.parametrize("outcome", ["", "visited", "ABSENT", "absent "])
def test_unknown_outcome_rejected_in_french(
    client: FlaskClient, db_session: Session, walk: Walk, outcome: str
) -> None:
    first_door = walk.doors["G5"].id

    response = record(client, first_door, outcome)

    assert response.status_code == 302
    assert response.headers["Location"] == f"/parcours/{TOKEN}"
    assert stored(db_session) == []
    page = client.get(f"/parcours/{TOKEN}").get_data(as_text=True)
    assert flashes(page) == ["Touchez l’un des boutons de résultat sous la porte."]


def test_unknown_and_expired_links_keep_their_pages(
    client: FlaskClient, db_session: Session, walk: Walk
) -> None:
    page = client.get(f"/parcours/{TOKEN}").get_data(as_text=True)
    data = {"csrf_token": csrf_token(page), "outcome": "absent"}
    first_door = walk.doors["G5"].id

    unknown = client.post(door_url(first_door, token="inconnu"), data=data)
    walk.route.token_expires_at = utcnow() - timedelta(minutes=1)
    db_session.commit()
    expired = client.post(door_url(first_door), data=data)

    assert unknown.status_code == 404
    assert "Lien inconnu" in text_of(unknown.get_data(as_text=True))
    assert expired.status_code == 410
    assert "Ce lien a expiré" in expired.get_data(as_text=True)
    assert stored(db_session) == []


def test_cancelled_session_records_nothing(
    client: FlaskClient, db_session: Session, walk: Walk
) -> None:
    page = client.get(f"/parcours/{TOKEN}").get_data(as_text=True)
    walk.canvass_session.status = SessionStatus.CANCELLED
    db_session.commit()

    response = client.post(
        door_url(walk.doors["G5"].id), data={"csrf_token": csrf_token(page), "outcome": "absent"}
    )

    assert response.status_code == 302
    assert stored(db_session) == []
    page = client.get(f"/parcours/{TOKEN}").get_data(as_text=True)
    assert flashes(page) == ["Cette session est annulée : rien n’a été noté."]
    assert "door-record" not in page


def test_outcomes_in_english(client: FlaskClient, walk: Walk) -> None:
    with client.session_transaction() as session:
        session["locale"] = "en"
    first_door = walk.doors["G5"].id

    record(client, first_door, "absent")
    page = client.get(f"/parcours/{TOKEN}").get_data(as_text=True)

    assert buttons_of(door_item(page, 2)) == ENGLISH_BUTTONS
    assert flashes(page) == [f"Door recorded: 5 {GUESDE}, Nobody home."]
    door = door_item(page, 1)
    assert text_of(first(r'<span class="walk-visited">(.*?)</span>', door)) == (
        "visited: Nobody home"
    )
    assert "Change the outcome" in text_of(door)
    assert "What happened at step 2?" in text_of(door_item(page, 2))
