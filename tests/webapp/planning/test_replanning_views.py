"""A coordinator marks a team absent or closes a street from the session page."""

import re
from collections.abc import Iterator
from datetime import timedelta
from functools import partial

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.orm import Session

from tests.webapp.accounts.html_page import Page, csrf_token
from tests.webapp.planning.bondy_case import (
    CLOSABLE_STREET,
    CLOSABLE_STREET_DOORS,
    PARC_ADDRESS_COUNT,
    BondyCase,
    savepoint_of,
    seed_three_teams,
    seeded_connection,
)
from tests.webapp.targets.members import add_member, log_in_as
from webapp.models import Campaign, CanvassSession, Route, StreetClosure
from webapp.models.users import Role
from webapp.services.routes import RouteSettings


@pytest.fixture(scope="module")
def seeded(database_engine: Engine) -> Iterator[tuple[Connection, BondyCase]]:
    settings = RouteSettings(time_limit_s=1.0)
    yield from seeded_connection(database_engine, partial(seed_three_teams, settings=settings))


@pytest.fixture
def db_connection(seeded: tuple[Connection, BondyCase]) -> Iterator[Connection]:
    yield from savepoint_of(seeded[0])


@pytest.fixture
def case(seeded: tuple[Connection, BondyCase]) -> BondyCase:
    return seeded[1]


@pytest.fixture
def coordinator(client: FlaskClient, db_session: Session, case: BondyCase) -> FlaskClient:
    campaign = db_session.get(Campaign, case.campaign_id)
    assert campaign is not None
    log_in_as(client, add_member(db_session, campaign, Role.COORDINATOR, "c@example.org"))
    return client


def session_page(client: FlaskClient, case: BondyCase) -> Page:
    return Page(client.get(f"/planification/sessions/{case.session_id}").get_data(as_text=True))


def post(client: FlaskClient, path: str, case: BondyCase, **data: str) -> Page:
    token = csrf_token(session_page(client, case).html)
    response = client.post(path, data={"csrf_token": token, **data})
    assert response.status_code == 302
    assert response.headers["Location"] == f"/planification/sessions/{case.session_id}"
    return session_page(client, case)


def flashes(page: Page) -> list[str]:
    return [element.text for element in page.elements if "flash" in element.attrs.get("class", "")]


def test_session_page_offers_both_actions(coordinator: FlaskClient, case: BondyCase) -> None:
    page = session_page(coordinator, case)

    buttons = [element.text for element in page.select("button", type="submit")]
    assert [label for label in buttons if "absente" in label] == [
        "Équipe 1 absente",
        "Équipe 2 absente",
        "Équipe 3 absente",
    ]
    options = [element.text for element in page.select("option")]
    assert options == ["Choisissez une rue", CLOSABLE_STREET, "Route d’Aulnay"]
    assert "Aucune rue n’est fermée pour cette session." in page.text()


def assigned_count(text: str) -> int:
    """Return the volunteers counted on a session page ("6 affectés, entre …")."""
    match = re.search(r"(\d+) affectés?, entre", text)
    assert match is not None
    return int(match.group(1))


def test_team_absent_is_replanned(
    coordinator: FlaskClient, db_session: Session, case: BondyCase
) -> None:
    tokens = dict(db_session.execute(select(Route.team, Route.access_token)).all())
    path = f"/planification/sessions/{case.session_id}/equipes/2/absente"
    before = assigned_count(session_page(coordinator, case).text())

    page = post(coordinator, path, case)

    assert flashes(page) == [
        "L’équipe 2 est notée absente.",
        f"Parcours recalculés. Portes à visiter : {PARC_ADDRESS_COUNT}. "
        "Portes déjà visitées conservées : 0.",
    ]
    assert page.by_id("team-2").text.endswith("équipe absente")
    assert not page.select("form", action=path)
    # The absent pair no longer counts among the session's volunteers.
    assert assigned_count(page.text()) == before - 2
    db_session.expire_all()
    after = dict(db_session.execute(select(Route.team, Route.access_token)).all())
    assert after == {1: tokens[1], 3: tokens[3]}


def test_closed_street_is_listed_with_its_doors(
    coordinator: FlaskClient, db_session: Session, case: BondyCase
) -> None:
    path = f"/planification/sessions/{case.session_id}/rues-fermees"

    page = post(coordinator, path, case, street=CLOSABLE_STREET)

    assert flashes(page) == [
        f"Voie fermée pour cette session : {CLOSABLE_STREET}.",
        f"Parcours recalculés. Portes à visiter : {PARC_ADDRESS_COUNT - CLOSABLE_STREET_DOORS}. "
        "Portes déjà visitées conservées : 0.",
        f"{CLOSABLE_STREET_DOORS} portes ne sont pas couvertes : elles sont sur une rue fermée.",
    ]
    assert page.by_id("closed-streets").text == (
        f"{CLOSABLE_STREET} : {CLOSABLE_STREET_DOORS} portes non couvertes"
    )
    assert [element.text for element in page.select("option")] == [
        "Choisissez une rue",
        "Route d’Aulnay",
    ]
    assert len(db_session.scalars(select(StreetClosure)).all()) == 1


@pytest.mark.parametrize("street", ["", "Rue Imaginaire"])
def test_street_not_in_the_list_is_refused(
    coordinator: FlaskClient, db_session: Session, case: BondyCase, street: str
) -> None:
    path = f"/planification/sessions/{case.session_id}/rues-fermees"

    page = post(coordinator, path, case, street=street)

    assert flashes(page) == ["Choisissez une rue de l’IRIS dans la liste."]
    assert db_session.scalars(select(StreetClosure)).all() == []


def test_session_over_is_refused(
    coordinator: FlaskClient, db_session: Session, case: BondyCase
) -> None:
    canvass = db_session.get(CanvassSession, case.session_id)
    assert canvass is not None
    canvass.starts_at -= timedelta(days=3000)
    canvass.ends_at -= timedelta(days=3000)
    db_session.commit()

    page = post(coordinator, f"/planification/sessions/{case.session_id}/equipes/1/absente", case)

    assert flashes(page) == ["La session est terminée : ses parcours ne peuvent plus changer."]
    assert "équipe absente" not in page.by_id("team-1").text


@pytest.mark.parametrize("action", ["equipes/1/absente", "rues-fermees"])
def test_actions_without_csrf_token_are_refused(
    coordinator: FlaskClient, case: BondyCase, action: str
) -> None:
    path = f"/planification/sessions/{case.session_id}/{action}"

    assert coordinator.post(path, data={"street": CLOSABLE_STREET}).status_code == 400


def test_unknown_session_or_team(coordinator: FlaskClient, case: BondyCase) -> None:
    token = csrf_token(session_page(coordinator, case).html)

    missing = coordinator.post(
        "/planification/sessions/999999/equipes/1/absente", data={"csrf_token": token}
    )
    team_seven = f"/planification/sessions/{case.session_id}/equipes/7/absente"
    unknown_team = post(coordinator, team_seven, case)

    assert missing.status_code == 404
    assert flashes(unknown_team) == ["Cette équipe ne fait pas partie de la session."]
