"""A street closed on the session page, as the coordinator and the volunteers see it: a
door to come back to on that street, and a meeting point or end point on it."""

from dataclasses import dataclass

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from routing.geo import GeoPoint, distance_to_line_m
from tests.webapp.accounts.html_page import Page, flash_lines
from tests.webapp.planning import session_pages, three_teams
from tests.webapp.planning.bondy_case import (
    CLOSABLE_STREET,
    CLOSABLE_STREET_DOORS,
    OTHER_CLOSABLE_STREET,
    PARC_ADDRESS_COUNT,
    BondyCase,
)
from tests.webapp.planning.session_pages import (
    post,
    routes_changed,
    session_page,
    team_route_page,
)
from tests.webapp.planning.three_teams import routes_by_team, to_visit_by_team
from webapp.models import Address, CanvassSession, DoorVisit, StreetWay
from webapp.models.canvass import DoorOutcome
from webapp.services.closed_points import NEAR_CLOSED_WAY_M
from webapp.services.routes import door_for

seeded, db_connection, case = three_teams.seeded, three_teams.db_connection, three_teams.case
coordinator = session_pages.coordinator

MEETING_WARNING = "Le point de rendez-vous est sur une rue fermée : prévenez les équipes."
END_WARNING = "La fin des parcours est sur une rue fermée : prévenez les équipes."
ROUTE_MEETING_WARNING = (
    "Le point de rendez-vous est sur une rue fermée pour cette session : demandez à l’équipe"
    " de coordination où vous retrouver."
)
ROUTE_END_WARNING = (
    "La fin du parcours est sur une rue fermée pour cette session : demandez à l’équipe"
    " de coordination où finir."
)


def close(client: FlaskClient, case: BondyCase, street: str) -> Page:
    return post(
        client, f"/planification/sessions/{case.session_id}/rues-fermees", case, street=street
    )


def reopen(client: FlaskClient, case: BondyCase, street: str) -> Page:
    path = f"/planification/sessions/{case.session_id}/rues-fermees/rouvrir"
    return post(client, path, case, street=street)


@dataclass(frozen=True)
class Visits:
    team: int
    done: list[int]
    come_back: int


@pytest.fixture
def visits(db_session: Session, case: BondyCase) -> Visits:
    """Record two doors done off the street to close, then one to come back to on it."""
    closed = set(case.addresses_in(CLOSABLE_STREET))
    route = next(r for r in routes_by_team(db_session).values() if closed & set(r.address_ids))
    done = [i for i in route.address_ids if i not in closed][:2]
    come_back = next(i for i in route.address_ids if i in closed)
    outcomes = [(done[0], DoorOutcome.OPENED), (done[1], DoorOutcome.ABSENT)]
    for address_id, outcome in [*outcomes, (come_back, DoorOutcome.COME_BACK)]:
        db_session.add(DoorVisit(route_id=route.id, address_id=address_id, outcome=outcome))
        db_session.flush()
    db_session.commit()
    return Visits(route.team, done, come_back)


def test_route_page_drops_closed_come_back(
    coordinator: FlaskClient, db_session: Session, case: BondyCase, visits: Visits
) -> None:
    before = team_route_page(coordinator, db_session, visits.team)
    assert before.by_id(f"porte-{visits.come_back}").text.endswith(" à repasser")
    doors_before = to_visit_by_team(db_session)

    page = close(coordinator, case, CLOSABLE_STREET)

    open_count = PARC_ADDRESS_COUNT - CLOSABLE_STREET_DOORS
    assert flash_lines(page) == [
        f"Rue fermée pour cette session : {CLOSABLE_STREET}.",
        f"Parcours recalculés. Adresses à visiter : {open_count - 2}. "
        "Portes déjà visitées conservées : 2 faites.",
        f"Par rapport à avant : {CLOSABLE_STREET_DOORS} adresses à visiter en moins.",
        routes_changed(doors_before, to_visit_by_team(db_session)),
        f"{CLOSABLE_STREET_DOORS} adresses de l’IRIS ne sont pas couvertes : leur rue est fermée.",
    ]
    assert page.by_id("session-status").text == f"prévue (2 portes faites sur {open_count})"
    assert page.by_id("closed-streets").text == (
        f"{CLOSABLE_STREET} : {CLOSABLE_STREET_DOORS} adresses non couvertes Rouvrir"
    )
    route = team_route_page(coordinator, db_session, visits.team)
    door_count = len(routes_by_team(db_session)[visits.team].address_ids)
    assert route.by_id("route-progress").text == f"2 portes faites sur {door_count}"
    assert route.by_id("walk-resume").text == (
        "Reprenez à l’étape 3 : les portes marquées « faite » n’ont plus à être visitées."
    )
    assert not route.has_id(f"porte-{visits.come_back}")
    assert "à repasser" not in route.text()
    assert [route.has_id(f"porte-{i}") for i in visits.done] == [True, True]


def test_reopen_shows_door_to_come_back(
    coordinator: FlaskClient, db_session: Session, case: BondyCase, visits: Visits
) -> None:
    close(coordinator, case, CLOSABLE_STREET)
    doors_before = to_visit_by_team(db_session)

    page = reopen(coordinator, case, CLOSABLE_STREET)

    assert flash_lines(page) == [
        f"Rue rouverte pour cette session : {CLOSABLE_STREET}.",
        f"Parcours recalculés. Adresses à visiter : {PARC_ADDRESS_COUNT - 3}. "
        "Portes déjà visitées conservées : 2 faites, 1 à repasser.",
        f"Par rapport à avant : {CLOSABLE_STREET_DOORS - 1} adresses à visiter en plus.",
        routes_changed(doors_before, to_visit_by_team(db_session)),
    ]
    assert page.by_id("session-status").text == (
        f"prévue (2 portes faites sur {PARC_ADDRESS_COUNT}, 1 à repasser)"
    )
    assert not page.has_id("closed-streets")
    route = team_route_page(coordinator, db_session, visits.team)
    address = db_session.get(Address, visits.come_back)
    assert address is not None
    number = door_for(address).number
    assert route.by_id(f"porte-{visits.come_back}").text == f"3 Étape 3 : {number} à repasser"
    assert route.by_id("walk-resume").text == (
        "Continuez à l’étape 4, puis retournez aux portes à repasser."
    )


def move_point(session: Session, case: BondyCase, address_id: int, *, end: bool) -> None:
    """Put the session's meeting point, or its end point, at an address, as the form does."""
    canvass = session.get(CanvassSession, case.session_id)
    address = session.get(Address, address_id)
    assert canvass is not None and address is not None
    label = f"{address.label}, {address.postcode}"
    if end:
        canvass.end_lon, canvass.end_lat, canvass.end_point_label = address.lon, address.lat, label
    else:
        canvass.meeting_lon, canvass.meeting_lat = address.lon, address.lat
        canvass.meeting_point_label = label
    session.commit()


def test_meeting_point_on_closed_street_is_flagged(
    coordinator: FlaskClient, db_session: Session, case: BondyCase
) -> None:
    move_point(db_session, case, case.addresses_in(CLOSABLE_STREET)[0], end=False)
    assert not session_page(coordinator, case).has_id("meeting-point-closed")

    # Another street closed: the meeting point is not on it.
    other = close(coordinator, case, OTHER_CLOSABLE_STREET)
    assert not other.has_id("meeting-point-closed")
    assert not team_route_page(coordinator, db_session, 1).has_id("meeting-point-closed")

    page = close(coordinator, case, CLOSABLE_STREET)

    assert page.by_id("meeting-point-closed").text == MEETING_WARNING
    assert not page.has_id("end-point-closed")
    for team in (1, 2, 3):
        route = team_route_page(coordinator, db_session, team)
        assert route.by_id("meeting-point-closed").text == ROUTE_MEETING_WARNING
        assert not route.has_id("end-point-closed")

    reopened = reopen(coordinator, case, CLOSABLE_STREET)

    assert not reopened.has_id("meeting-point-closed")
    assert not team_route_page(coordinator, db_session, 1).has_id("meeting-point-closed")


def test_end_point_on_closed_street_is_flagged(
    coordinator: FlaskClient, db_session: Session, case: BondyCase
) -> None:
    move_point(db_session, case, case.addresses_in(CLOSABLE_STREET)[-1], end=True)
    elsewhere = next(i for i in case.address_ids if case.street_of[i] != CLOSABLE_STREET)
    move_point(db_session, case, elsewhere, end=False)

    page = close(coordinator, case, CLOSABLE_STREET)

    assert page.by_id("end-point-closed").text == END_WARNING
    assert not page.has_id("meeting-point-closed")
    route = team_route_page(coordinator, db_session, 1)
    assert route.by_id("end-point-closed").text == ROUTE_END_WARNING
    assert not route.has_id("meeting-point-closed")


def type_meeting_point(session: Session, case: BondyCase, lon: float, lat: float) -> None:
    """Put the session's meeting point at coordinates typed by hand, as the form allows."""
    canvass = session.get(CanvassSession, case.session_id)
    assert canvass is not None
    canvass.meeting_lon, canvass.meeting_lat = lon, lat
    canvass.meeting_point_label = "Point donné par ses coordonnées"
    session.commit()


def closed_way_lines(session: Session, street: str) -> list[list[list[float]]]:
    return list(session.scalars(select(StreetWay.coordinates).where(StreetWay.name == street)))


def test_typed_point_on_closed_way_is_flagged(
    coordinator: FlaskClient, db_session: Session, case: BondyCase
) -> None:
    # A vertex in the middle of the street's first way: on the street, at no address.
    line = closed_way_lines(db_session, CLOSABLE_STREET)[0]
    lon, lat = line[len(line) // 2]
    type_meeting_point(db_session, case, lon, lat)
    assert db_session.scalars(select(Address).where(Address.lon == lon)).first() is None

    page = close(coordinator, case, CLOSABLE_STREET)

    assert page.by_id("meeting-point-closed").text == MEETING_WARNING
    assert team_route_page(coordinator, db_session, 1).by_id("meeting-point-closed")
    assert not reopen(coordinator, case, CLOSABLE_STREET).has_id("meeting-point-closed")


def test_typed_point_off_closed_way_is_not_flagged(
    coordinator: FlaskClient, db_session: Session, case: BondyCase
) -> None:
    # Beside a door of another street, a metre off it, far from every way of the closed one.
    lines = closed_way_lines(db_session, CLOSABLE_STREET)
    doors = db_session.scalars(select(Address).where(Address.id.in_(case.address_ids)))
    beside_doors = (
        GeoPoint(door.lon + 0.00001, door.lat)
        for door in doors
        if case.street_of[door.id] != CLOSABLE_STREET
    )
    point = next(
        point
        for point in beside_doors
        if min(distance_to_line_m(point, line) for line in lines) > 3 * NEAR_CLOSED_WAY_M
    )
    type_meeting_point(db_session, case, point.lon, point.lat)

    page = close(coordinator, case, CLOSABLE_STREET)

    assert not page.has_id("meeting-point-closed")
    assert not team_route_page(coordinator, db_session, 1).has_id("meeting-point-closed")
