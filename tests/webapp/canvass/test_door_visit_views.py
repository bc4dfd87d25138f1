"""Recording what happened at a door from the route page, with CSRF protection on."""

import logging
import re
from datetime import timedelta

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.test import TestResponse

from tests.factories import at_utc
from tests.webapp.accounts.html_page import Page, csrf_token
from tests.webapp.canvass.conftest import ESPERANTO, GUESDE, TOKEN, Walk, add_door
from tests.webapp.canvass.route_pages import post_from_route_page
from tests.webapp.canvass.test_views import assert_private, first, text_of
from tests.webapp.targets.members import add_member, log_in_as
from webapp.db import utcnow
from webapp.models import Campaign, DoorVisit
from webapp.models.canvass import DoorOutcome
from webapp.models.planning import SessionStatus
from webapp.models.users import Role

FRENCH_BUTTONS = ["Absent", "A ouvert", "Discussion", "Refus", "Repasser", "Inaccessible"]
ENGLISH_BUTTONS = ["Nobody home", "Opened", "Conversation", "Refused", "Come back", "No access"]


def door_url(address_id: int, token: str = TOKEN) -> str:
    return f"/parcours/{token}/portes/{address_id}"


def record(client: FlaskClient, address_id: int, outcome: str) -> TestResponse:
    """Open the route page as a volunteer does, then tap an outcome of a door."""
    return post_from_route_page(client, TOKEN, f"portes/{address_id}", outcome=outcome)


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


def confirmations(fragment: str) -> list[str]:
    pattern = r'<p class="door-confirmation" role="status">(.*?)</p>'
    return [text_of(c) for c in re.findall(pattern, fragment, re.S)]


def top_of_page(page: str) -> str:
    """Return the page before its walk list: the flashes, the progress and the next door."""
    return page.split('id="walk-list-title"', 1)[0]


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
    # The confirmation is where the redirect scrolls to, inside the door's item.
    assert flashes(page) == []
    assert confirmations(door_item(page, 1)) == [f"Porte notée : 5 {GUESDE}, Absent."]
    assert confirmations(page) == confirmations(door_item(page, 1))
    assert "Porte notée" not in top_of_page(page)
    assert text_of(first(r'id="route-progress">(.*?)</p>', page)) == "1 porte faite sur 5"
    door = door_item(page, 1)
    assert 'class="walk-door is-visited"' in door
    assert text_of(first(r'<span class="walk-visited">(.*?)</span>', door)) == "faite : Absent"
    assert "Corriger le résultat" in text_of(door)
    assert text_of(first(r'id="walk-resume">(.*?)</p>', page)) == (
        "Reprenez à l’étape 2 : les portes marquées « faite » n’ont plus à être visitées."
    )
    assert "walk-visited" not in door_item(page, 2)
    # Like a flashed message, the confirmation shows once.
    page = client.get(f"/parcours/{TOKEN}").get_data(as_text=True)
    assert confirmations(page) == []
    assert flashes(page) == []


def test_correction_adds_a_visit_and_shows_the_latest(
    client: FlaskClient, db_session: Session, walk: Walk
) -> None:
    first_door, second_door = walk.doors["G5"].id, walk.doors["G3"].id
    record(client, first_door, "absent")
    record(client, second_door, "refused")

    record(client, first_door, "conversation")
    page = client.get(f"/parcours/{TOKEN}").get_data(as_text=True)

    assert flashes(page) == []
    assert confirmations(door_item(page, 1)) == [f"Résultat corrigé : 5 {GUESDE}, Discussion."]
    assert confirmations(door_item(page, 2)) == []
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
    assert outcomes == ["faite : Discussion", "faite : Refus"]
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
    assert flashes(page) == [
        "Cette porte n’est plus sur votre parcours : rien n’a été noté. La page montre "
        "maintenant votre parcours tel qu’il est."
    ]
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
    assert flashes(page) == []
    assert confirmations(door_item(page, 1)) == [f"Door recorded: 5 {GUESDE}, Nobody home."]
    assert text_of(first(r'id="route-progress">(.*?)</p>', page)) == "1 door done out of 5"
    door = door_item(page, 1)
    assert text_of(first(r'<span class="walk-visited">(.*?)</span>', door)) == ("done: Nobody home")
    assert "Change the outcome" in text_of(door)
    assert "What happened at step 2?" in text_of(door_item(page, 2))


# The session starts on Saturday 13 June 2026 at 10:00 in Paris (08:00 UTC).
OPENS_AT_UTC = at_utc(2026, 6, 13, 7, 30)


def test_visit_before_recording_opens_rejected_in_french(
    client: FlaskClient,
    db_session: Session,
    walk: Walk,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    monkeypatch.setattr("webapp.canvass.views.utcnow", lambda: OPENS_AT_UTC - timedelta(minutes=1))

    with caplog.at_level(logging.INFO, logger="webapp.canvass.views"):
        response = record(client, walk.doors["G5"].id, "absent")

    assert response.status_code == 302
    # An error about the whole page shows at its top.
    assert response.headers["Location"] == f"/parcours/{TOKEN}"
    assert stored(db_session) == []
    page = client.get(f"/parcours/{TOKEN}").get_data(as_text=True)
    assert flashes(page) == [
        "Trop tôt pour noter les portes : c’est possible à partir du samedi 13 juin 2026 "
        "à 09:30, 30 minutes avant le début de la session. Rien n’a été noté."
    ]
    assert "portes : c’est possible" in page
    assert confirmations(page) == []
    assert 'id="route-progress"' not in page
    # The page says so before any tap too.
    assert text_of(first(r'id="recording-opens">(.*?)</p>', page)) == (
        "Vous pourrez noter les portes à partir du samedi 13 juin 2026 à 09:30."
    )
    assert (
        f"Door visit not recorded on route {walk.route.id} at address {walk.doors['G5'].id}: "
        "too early"
    ) in caplog.text
    assert TOKEN not in caplog.text


def test_visit_before_recording_opens_rejected_in_english(
    client: FlaskClient, db_session: Session, walk: Walk, monkeypatch: pytest.MonkeyPatch
) -> None:
    with client.session_transaction() as session:
        session["locale"] = "en"
    monkeypatch.setattr("webapp.canvass.views.utcnow", lambda: OPENS_AT_UTC - timedelta(days=3))

    record(client, walk.doors["G5"].id, "absent")
    page = client.get(f"/parcours/{TOKEN}").get_data(as_text=True)

    assert flashes(page) == [
        "Too early to record doors: recording opens on Saturday, June 13, 2026 at 9:30 AM, "
        "30 minutes before the session starts. Nothing was recorded."
    ]
    assert stored(db_session) == []


def test_visit_when_recording_opens_accepted(
    client: FlaskClient, db_session: Session, walk: Walk, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("webapp.canvass.views.utcnow", lambda: OPENS_AT_UTC)
    first_door = walk.doors["G5"].id

    response = record(client, first_door, "opened")

    assert response.headers["Location"] == f"/parcours/{TOKEN}#porte-{first_door}"
    assert stored(db_session) == [(first_door, DoorOutcome.OPENED)]


def test_come_back_stays_to_do_on_the_page(
    client: FlaskClient, db_session: Session, walk: Walk
) -> None:
    record(client, walk.doors["G5"].id, "absent")
    record(client, walk.doors["G3"].id, "come_back")
    page = client.get(f"/parcours/{TOKEN}").get_data(as_text=True)

    assert text_of(first(r'id="route-progress">(.*?)</p>', page)) == (
        "1 porte faite sur 5, 1 à repasser"
    )
    # The next door is the first with no outcome, past the door to come back to.
    assert first(r'id="route-next"><a class="button" href="([^"]*)"', page) == "#step-3"
    assert text_of(first(r'id="route-next">(.*?)</p>', page)) == "Porte suivante : étape 3"
    assert text_of(first(r'id="walk-resume">(.*?)</p>', page)) == (
        "Continuez à l’étape 3, puis retournez aux portes à repasser."
    )
    come_back = door_item(page, 2)
    assert 'class="walk-door is-building is-visited is-come-back"' in come_back
    assert text_of(first(r'<span class="walk-visited">(.*?)</span>', come_back)) == "à repasser"
    # Its buttons stay in view rather than folded under « Corriger le résultat ».
    assert "door-correct" not in come_back
    assert re.findall(r'class="door-outcome is-current">(.*?)<', come_back) == ["Repasser"]
    assert "door-correct" in door_item(page, 1)


def test_come_back_doors_come_last(client: FlaskClient, db_session: Session, walk: Walk) -> None:
    record(client, walk.doors["G5"].id, "absent")
    record(client, walk.doors["G3"].id, "come_back")
    for key in ("G1", "E2", "E4"):
        record(client, walk.doors[key].id, "refused")
    page = client.get(f"/parcours/{TOKEN}").get_data(as_text=True)

    assert text_of(first(r'id="route-progress">(.*?)</p>', page)) == (
        "4 portes faites sur 5, 1 à repasser"
    )
    assert first(r'id="route-next"><a class="button" href="([^"]*)"', page) == "#step-2"
    assert text_of(first(r'id="route-next">(.*?)</p>', page)) == "Porte à repasser : étape 2"
    assert "Porte à repasser : étape 2" in page
    assert text_of(first(r'id="walk-resume">(.*?)</p>', page)) == (
        "Chaque porte a un résultat : retournez aux portes à repasser, à partir de l’étape 2."
    )

    record(client, walk.doors["G3"].id, "conversation")
    page = client.get(f"/parcours/{TOKEN}").get_data(as_text=True)

    # Back at the door, the team records its visit: no correction of the earlier one.
    assert confirmations(door_item(page, 2)) == [f"Porte notée : 3 {GUESDE}, Discussion."]
    assert text_of(first(r'id="route-progress">(.*?)</p>', page)) == "5 portes faites sur 5"
    assert 'id="route-next"' not in page
    assert text_of(first(r'id="walk-resume">(.*?)</p>', page)) == (
        "Toutes les portes de ce parcours sont faites."
    )


def come_back_links(fragment: str) -> list[tuple[str, str]]:
    """Return the href and text of each link back to a door to come back to."""
    pattern = r'<p class="door-confirmation" id="come-back-door"><a href="([^"]*)">(.*?)</a>'
    return [(href, text_of(text)) for href, text in re.findall(pattern, fragment, re.S)]


def test_last_door_links_back_to_come_back(
    client: FlaskClient, db_session: Session, walk: Walk
) -> None:
    with client.session_transaction() as session:
        session["locale"] = "en"
    record(client, walk.doors["G5"].id, "absent")
    record(client, walk.doors["G3"].id, "come_back")
    record(client, walk.doors["G1"].id, "refused")
    record(client, walk.doors["E2"].id, "come_back")
    page = client.get(f"/parcours/{TOKEN}").get_data(as_text=True)
    # A door left to do further on: the walk goes on down the list.
    assert come_back_links(page) == []

    record(client, walk.doors["E4"].id, "refused")
    page = client.get(f"/parcours/{TOKEN}").get_data(as_text=True)

    last = door_item(page, 5)
    assert confirmations(last) == [f"Door recorded: 4 {ESPERANTO}, Refused."]
    # The first door to come back to, not the nearest.
    assert come_back_links(last) == [
        ("#step-2", f"Go back to step 2: 3 {GUESDE}, to come back to"),
    ]
    assert come_back_links(page) == come_back_links(last)
    assert 'id="step-2"' in door_item(page, 2)


def test_come_back_link_skips_recorded_door(
    client: FlaskClient, db_session: Session, walk: Walk
) -> None:
    with client.session_transaction() as session:
        session["locale"] = "en"
    for key in ("G5", "G3", "G1", "E2"):
        record(client, walk.doors[key].id, "absent")

    # The last door is the only one to come back to: the team is at it already.
    record(client, walk.doors["E4"].id, "come_back")
    page = client.get(f"/parcours/{TOKEN}").get_data(as_text=True)
    assert confirmations(door_item(page, 5)) == [f"Door recorded: 4 {ESPERANTO}, Come back."]
    assert come_back_links(page) == []

    # Step 2 corrected to come back to as well: the link leads on to step 5.
    record(client, walk.doors["G3"].id, "come_back")
    page = client.get(f"/parcours/{TOKEN}").get_data(as_text=True)
    assert come_back_links(door_item(page, 2)) == [
        ("#step-5", f"Go back to step 5: 4 {ESPERANTO}, to come back to"),
    ]

    # Back at step 2, the team gets an answer: step 5 is the one left.
    record(client, walk.doors["G3"].id, "conversation")
    page = client.get(f"/parcours/{TOKEN}").get_data(as_text=True)
    assert come_back_links(door_item(page, 2)) == [
        ("#step-5", f"Go back to step 5: 4 {ESPERANTO}, to come back to"),
    ]

    # Every door done: no door to go back to.
    record(client, walk.doors["E4"].id, "opened")
    page = client.get(f"/parcours/{TOKEN}").get_data(as_text=True)
    assert come_back_links(page) == []


def test_come_back_link_in_french(client: FlaskClient, walk: Walk) -> None:
    record(client, walk.doors["G5"].id, "come_back")
    for key in ("G3", "G1", "E2", "E4"):
        record(client, walk.doors[key].id, "absent")

    page = client.get(f"/parcours/{TOKEN}").get_data(as_text=True)

    # Until the French catalogue has the link's text, this checks only where it leads.
    assert [href for href, _text in come_back_links(door_item(page, 5))] == ["#step-1"]


def test_come_back_counts_in_english(client: FlaskClient, walk: Walk) -> None:
    with client.session_transaction() as session:
        session["locale"] = "en"
    for key in ("G5", "G3", "G1", "E2"):
        record(client, walk.doors[key].id, "absent")
    record(client, walk.doors["E4"].id, "come_back")
    page = client.get(f"/parcours/{TOKEN}").get_data(as_text=True)

    assert text_of(first(r'id="route-progress">(.*?)</p>', page)) == (
        "4 doors done out of 5, 1 to come back to"
    )
    assert text_of(first(r'id="route-next">(.*?)</p>', page)) == "Door to come back to: step 5"
    assert text_of(first(r'id="walk-resume">(.*?)</p>', page)) == (
        "Every door has an outcome: go back to the doors to come back to, from step 5."
    )


def test_session_page_counts_as_route_page(
    client: FlaskClient, db_session: Session, walk: Walk
) -> None:
    record(client, walk.doors["G5"].id, "absent")
    record(client, walk.doors["G3"].id, "come_back")
    record(client, walk.doors["G1"].id, "conversation")
    # Corrected to come back to, the door is to do again.
    record(client, walk.doors["G1"].id, "come_back")
    route_page = client.get(f"/parcours/{TOKEN}").get_data(as_text=True)
    campaign = db_session.get(Campaign, walk.canvass_session.campaign_id)
    assert campaign is not None
    coordinator = add_member(db_session, campaign, Role.COORDINATOR, "coord@example.org")
    log_in_as(client, coordinator)

    session_page = Page(
        client.get(f"/planification/sessions/{walk.canvass_session.id}").get_data(as_text=True)
    )

    progress = "1 porte faite sur 5, 2 à repasser"
    assert text_of(first(r'id="route-progress">(.*?)</p>', route_page)) == progress
    # The session of June 2026 is over by now.
    assert session_page.by_id("session-status").text == f"terminée ({progress})"
    (row,) = [r for r in session_page.select("tr") if r.text.startswith("Équipe 1 ")]
    # Addresses, dwellings, doors done, to come back to, metres, minutes.
    assert row.text == "Équipe 1 5 16 1 2 1 260 48 Ouvrir le parcours de l’équipe 1"


def test_confirmation_of_a_door_off_the_route_shows_at_the_top(
    client: FlaskClient, db_session: Session, walk: Walk
) -> None:
    first_door = walk.doors["G5"].id
    record(client, first_door, "absent")
    # The door is off the route by the time the page loads again.
    walk.route.address_ids = [a for a in walk.route.address_ids if a != first_door]
    db_session.commit()

    page = client.get(f"/parcours/{TOKEN}").get_data(as_text=True)

    assert flashes(page) == [f"Porte notée : 5 {GUESDE}, Absent."]
    assert confirmations(page) == []
