"""Counting a building's dwellings from under its door on the route page, without JavaScript.

Step 2 of the hand-seeded route, 3 Rue Jules Guesde, is a building of 12 dwellings.
"""

import re

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.test import TestResponse

from tests.webapp.accounts.html_page import Element, Page, csrf_token
from tests.webapp.canvass.conftest import GUESDE, TOKEN, Walk
from tests.webapp.canvass.test_door_visit_views import confirmations, door_item, flashes
from tests.webapp.canvass.test_views import first, text_of
from tests.webapp.targets.members import add_member, log_in_as
from webapp.models import Campaign, DoorVisit
from webapp.models.canvass import DoorOutcome
from webapp.models.users import Role

FRENCH_LABELS = ["Absent", "A ouvert", "Discussion", "Refus", "Inaccessible"]
COUNT_NAMES = ["absent", "opened", "conversation", "refused", "inaccessible"]


def tally_url(address_id: int) -> str:
    return f"/parcours/{TOKEN}/portes/{address_id}/logements"


def tally_form_of(page: Page, address_id: int) -> Element:
    (form,) = page.select("form", action=tally_url(address_id))
    return form


def inputs_of(page: Page, form: Element) -> dict[str, str]:
    """Return the values of the form's count boxes and hidden fields, by name."""
    return {
        e.attrs["name"]: e.attrs.get("value", "")
        for e in page.select("input")
        if e.is_inside(form) and e.attrs.get("type") in ("text", "hidden")
    }


def send_tally(client: FlaskClient, address_id: int, **counts: str) -> TestResponse:
    """Open the route page, then send the door's count form as shown, with `counts` typed in."""
    page = Page(client.get(f"/parcours/{TOKEN}").get_data(as_text=True))
    form = tally_form_of(page, address_id)
    return client.post(tally_url(address_id), data={**inputs_of(page, form), **counts})


def stored(session: Session) -> list[tuple[int, DoorOutcome, dict[str, int] | None]]:
    session.expire_all()
    rows = session.execute(
        select(DoorVisit.address_id, DoorVisit.outcome, DoorVisit.dwelling_counts).order_by(
            DoorVisit.id
        )
    )
    return [(address_id, outcome, counts) for address_id, outcome, counts in rows]


def test_only_the_building_offers_the_count(client: FlaskClient, walk: Walk) -> None:
    html = client.get(f"/parcours/{TOKEN}").get_data(as_text=True)
    page = Page(html)

    assert [f.attrs["action"] for f in page.select("form", **{"class": "door-tally-form"})] == [
        tally_url(walk.doors["G3"].id)
    ]
    building = door_item(html, 2)
    assert "<summary>Compter les logements</summary>" in building
    form = tally_form_of(page, walk.doors["G3"].id)
    labels = [label.text for label in page.select("label") if label.is_inside(form)]
    assert labels == [*FRENCH_LABELS, "Repasser plus tard chez les absents"]
    boxes = re.findall(r'<input class="input tally-input"[^>]*>', building)
    assert len(boxes) == 5
    assert all('inputmode="numeric"' in box and 'type="text"' in box for box in boxes)
    assert text_of(first(r'id="tally-\d+-hint">(.*?)</p>', building)) == (
        "Combien de logements ont eu chaque résultat, pour toute l’adresse (environ 12 "
        "logements). Une case vide compte pour 0."
    )
    # The quick buttons stay, so the building can still take one outcome.
    assert 'name="outcome" value="conversation"' in building
    assert "door-tally" not in door_item(html, 1)


def test_tally_recorded_and_shown(client: FlaskClient, db_session: Session, walk: Walk) -> None:
    building = walk.doors["G3"].id

    response = send_tally(client, building, absent="5", opened="1", conversation="3", refused="2")

    assert response.status_code == 302
    assert response.headers["Location"] == f"/parcours/{TOKEN}#porte-{building}"
    assert stored(db_session) == [
        (
            building,
            DoorOutcome.CONVERSATION,
            {"absent": 5, "opened": 1, "conversation": 3, "refused": 2, "inaccessible": 0},
        )
    ]
    html = client.get(f"/parcours/{TOKEN}").get_data(as_text=True)
    item = door_item(html, 2)
    assert confirmations(item) == [f"Logements notés : 3 {GUESDE}, 11 logements, Discussion."]
    assert text_of(first(r'<span class="walk-visited">(.*?)</span>', item)) == (
        "faite : Discussion"
    )
    assert text_of(first(r'<p class="walk-tally">(.*?)</p>', item)) == (
        "Logements comptés : Absent 5, A ouvert 1, Discussion 3, Refus 2"
    )
    # The address counts as one door of the route.
    assert text_of(first(r'id="route-progress">(.*?)</p>', html)) == "1 porte faite sur 5"
    page = Page(html)
    values = inputs_of(page, tally_form_of(page, building))
    assert [values[name] for name in COUNT_NAMES] == ["5", "1", "3", "2", ""]


def test_come_back_keeps_the_building_to_do(
    client: FlaskClient, db_session: Session, walk: Walk
) -> None:
    building = walk.doors["G3"].id

    send_tally(client, building, absent="8", conversation="4", come_back="y")

    html = client.get(f"/parcours/{TOKEN}").get_data(as_text=True)
    assert stored(db_session)[0][1] == DoorOutcome.COME_BACK
    assert confirmations(door_item(html, 2)) == [
        f"Logements notés : 3 {GUESDE}, 12 logements, Repasser."
    ]
    assert text_of(first(r'id="route-progress">(.*?)</p>', html)) == (
        "0 porte faite sur 5, 1 à repasser"
    )
    assert 'class="walk-door is-building is-visited is-come-back"' in door_item(html, 2)


def test_double_post_records_once(client: FlaskClient, db_session: Session, walk: Walk) -> None:
    building = walk.doors["G3"].id
    page = Page(client.get(f"/parcours/{TOKEN}").get_data(as_text=True))
    data = {**inputs_of(page, tally_form_of(page, building)), "absent": "6", "refused": "1"}

    responses = [client.post(tally_url(building), data=data) for _ in range(2)]

    assert [r.status_code for r in responses] == [302, 302]
    assert len(stored(db_session)) == 1
    html = client.get(f"/parcours/{TOKEN}").get_data(as_text=True)
    assert confirmations(door_item(html, 2)) == [
        f"Logements notés : 3 {GUESDE}, 7 logements, Refus."
    ]


def test_each_page_draws_new_keys(client: FlaskClient, walk: Walk) -> None:
    building = walk.doors["G3"].id
    keys = []
    for _ in range(2):
        page = Page(client.get(f"/parcours/{TOKEN}").get_data(as_text=True))
        keys.append(inputs_of(page, tally_form_of(page, building))["submission_key"])

    assert keys[0] != keys[1]
    assert all(len(key) == 24 for key in keys)


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        (
            ("absent", "-2"),
            "Le nombre pour « Absent » ne peut pas être négatif : saisissez 0 ou plus.",
        ),
        (
            ("opened", "trois"),
            "Saisissez un nombre entier de logements pour « A ouvert », par exemple 3.",
        ),
    ],
)
def test_bad_box_shown_under_the_door(
    client: FlaskClient, db_session: Session, walk: Walk, typed: tuple[str, str], message: str
) -> None:
    building = walk.doors["G3"].id
    box, value = typed

    response = send_tally(client, building, conversation="2", **{box: value})

    assert response.status_code == 422
    assert stored(db_session) == []
    page = Page(response.get_data(as_text=True))
    assert page.by_id(f"tally-{building}").attrs.get("open") == ""
    assert page.by_id(f"tally-{building}-{box}-error").text == f"Erreur : {message}"
    assert page.by_id(f"tally-{building}-errors").text == message
    (link,) = [a for a in page.select("a") if a.is_inside(page.by_id(f"tally-{building}-errors"))]
    assert link.attrs["href"] == f"#tally-{building}-{box}"
    assert page.by_id(f"tally-{building}-{box}").attrs["aria-invalid"] == "true"
    # The counts come back as typed.
    values = inputs_of(page, tally_form_of(page, building))
    assert (values["conversation"], values[box]) == ("2", value)
    assert page.by_id("tally-not-recorded").text == (
        "Les logements n’ont pas été notés : corrigez les nombres sous la porte."
    )
    assert page.by_id("tally-not-recorded").attrs["role"] == "alert"


@pytest.mark.parametrize(
    ("counts", "message"),
    [
        ({}, "Saisissez au moins un logement : toutes les cases sont vides ou à 0."),
        # The building's limit: twice its 12 dwellings.
        (
            {"absent": "20", "conversation": "5"},
            "Trop de logements : ces nombres font 25 en tout, pour 24 au plus à cette adresse.",
        ),
        (
            {"absent": "300", "refused": "300"},
            "Trop de logements : ces nombres font 600 en tout, pour 500 au plus à cette adresse.",
        ),
    ],
)
def test_bad_total_shown_under_the_door(
    client: FlaskClient,
    db_session: Session,
    walk: Walk,
    counts: dict[str, str],
    message: str,
) -> None:
    building = walk.doors["G3"].id

    response = send_tally(client, building, **counts)

    assert response.status_code == 422
    assert stored(db_session) == []
    page = Page(response.get_data(as_text=True))
    errors = page.by_id(f"tally-{building}-errors")
    assert errors.text == message
    assert "data-error-summary" in errors.attrs


def test_come_back_without_absent_shown(
    client: FlaskClient, db_session: Session, walk: Walk
) -> None:
    building = walk.doors["G3"].id

    response = send_tally(client, building, opened="3", come_back="y")

    assert response.status_code == 422
    assert stored(db_session) == []
    page = Page(response.get_data(as_text=True))
    assert page.by_id(f"tally-{building}-come-back-error").text == (
        "Erreur : Pour repasser plus tard, comptez au moins un logement en « Absent »."
    )
    assert "checked" in page.by_id(f"tally-{building}-come-back").attrs


def test_tally_on_a_house_rejected(client: FlaskClient, db_session: Session, walk: Walk) -> None:
    html = client.get(f"/parcours/{TOKEN}").get_data(as_text=True)
    data = {
        "csrf_token": csrf_token(html),
        "submission_key": "house-key-0123456789abcdef",
        "conversation": "1",
    }

    response = client.post(tally_url(walk.doors["G5"].id), data=data)

    assert response.status_code == 302
    assert response.headers["Location"] == f"/parcours/{TOKEN}"
    assert stored(db_session) == []
    page = client.get(f"/parcours/{TOKEN}").get_data(as_text=True)
    assert flashes(page) == [
        "Cette porte ne prend qu’un seul résultat : appuyez sur l’un de ses boutons."
    ]


def test_post_without_csrf_rejected(client: FlaskClient, db_session: Session, walk: Walk) -> None:
    client.get(f"/parcours/{TOKEN}")

    response = client.post(
        tally_url(walk.doors["G3"].id),
        data={"absent": "3", "submission_key": "no-csrf-key-0123456789"},
    )

    assert response.status_code == 400
    assert stored(db_session) == []


def test_session_page_counts_the_dwellings(
    client: FlaskClient, db_session: Session, walk: Walk
) -> None:
    send_tally(client, walk.doors["G3"].id, absent="5", opened="1", conversation="3", refused="2")
    for door, outcome in (("G5", "absent"), ("G1", "conversation")):
        html = client.get(f"/parcours/{TOKEN}").get_data(as_text=True)
        client.post(
            f"/parcours/{TOKEN}/portes/{walk.doors[door].id}",
            data={"csrf_token": csrf_token(html), "outcome": outcome},
        )
    campaign = db_session.get(Campaign, walk.canvass_session.campaign_id)
    assert campaign is not None
    log_in_as(client, add_member(db_session, campaign, Role.COORDINATOR, "coord@example.org"))

    page = Page(
        client.get(f"/planification/sessions/{walk.canvass_session.id}").get_data(as_text=True)
    )

    rows = [row.text for row in page.select("tr") if row.is_inside(page.by_id("dwelling-results"))]
    assert rows == [
        "Résultat Logements",
        "Absent 6",
        "A ouvert 1",
        "Discussion 4",
        "Refus 2",
        "Repasser 0",
        "Inaccessible 0",
        "En tout 13",
    ]
    assert page.by_id("dwelling-results-addresses").text == (
        "3 adresses visitées, dont 1 comptée logement par logement"
    )
    (route_row,) = [r for r in page.select("tr") if r.text.startswith("Équipe 1 ")]
    # Addresses, dwellings, doors done, to come back to: the building is one door.
    assert route_row.text.startswith("Équipe 1 5 16 3 0 ")
