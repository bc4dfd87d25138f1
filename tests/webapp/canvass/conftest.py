"""A hand-seeded route: five doors on two streets, two teams, one private link."""

from dataclasses import dataclass
from datetime import timedelta

import pytest
from sqlalchemy.orm import Session

from tests.factories import (
    at_utc,
    make_address,
    make_assignment,
    make_campaign,
    make_canvass_session,
    make_commune,
    make_iris,
    make_user,
    make_walk_route,
)
from webapp.db import utcnow
from webapp.models import Address, CanvassSession, Route
from webapp.models.planning import AssignmentStatus

TOKEN = "Kx3vQ9-LmZ2_aB7cD4eF6gH8iJ0kLmNoPqRsTuVwXyZ"
GUESDE = "Rue Jules Guesde"
ESPERANTO = "Allée de l’Espéranto"


@dataclass(frozen=True)
class Walk:
    canvass_session: CanvassSession
    route: Route
    doors: dict[str, Address]


def add_door(
    session: Session,
    street: str,
    number: int | None,
    point: tuple[float, float],
    *,
    suffix: str = "",
    dwellings: int = 1,
) -> Address:
    address = make_address(
        session,
        ban_id=f"{street[:30]}-{number}{suffix}",
        street=street,
        number=number,
        suffix=suffix,
        lon=point[0],
        lat=point[1],
    )
    address.dwellings = dwellings
    session.flush()
    return address


@pytest.fixture
def walk(db_session: Session, monkeypatch: pytest.MonkeyPatch) -> Walk:
    # These tests never log in, so the users skip the slow password hashing.
    monkeypatch.setattr("tests.factories.hash_password", lambda _password: "unused-hash")
    seeded = seed_walk(db_session)
    db_session.commit()
    return seeded


def seed_walk(session: Session) -> Walk:
    """Add a route for team 1 that walks Rue Jules Guesde downwards, then the Allée upwards.

    Addresses are created out of walking order, so their ids do not follow it. 3 Rue Jules
    Guesde is a building of 12 dwellings.
    Team 1 is Camille, Alex and Noé (who declined); Yanis is on team 2.
    """
    make_commune(session)
    iris = make_iris(session)
    campaign = make_campaign(session)
    canvass = make_canvass_session(
        session, campaign=campaign, iris_code=iris.code, starts_at=at_utc(2026, 6, 13, 8)
    )
    doors = {
        "E4": add_door(session, ESPERANTO, 4, (2.4812, 48.9035)),
        "G5": add_door(session, GUESDE, 5, (2.4801, 48.9030)),
        "G1": add_door(session, GUESDE, 1, (2.4795, 48.9026)),
        "E2": add_door(session, ESPERANTO, 2, (2.4809, 48.9033)),
        "G3": add_door(session, GUESDE, 3, (2.4798, 48.9028), dwellings=12),
    }
    walking_order = tuple(doors[key] for key in ("G5", "G3", "G1", "E2", "E4"))
    route = make_walk_route(
        session,
        canvass_session=canvass,
        addresses=walking_order,
        access_token=TOKEN,
        token_expires_at=utcnow() + timedelta(days=1),
        length_m=1260,
        walking_minutes=18.0,
        total_minutes=47.6,
    )
    members = (
        ("Camille", "Martin", "+33612345678", 1, AssignmentStatus.CONFIRMED),
        ("Alex", "Durand", "+33698765432", 1, AssignmentStatus.PROPOSED),
        ("Noé", "Leroy", "+33611223344", 1, AssignmentStatus.DECLINED),
        ("Yanis", "Petit", "+33655667788", 2, AssignmentStatus.CONFIRMED),
    )
    for first_name, last_name, phone, team, status in members:
        user = make_user(
            session,
            email=f"{first_name.lower()}.{last_name.lower()}@example.org",
            first_name=first_name,
            last_name=last_name,
            phone_e164=phone,
        )
        make_assignment(session, canvass_session=canvass, user=user, team=team, status=status)
    return Walk(canvass_session=canvass, route=route, doors=doors)
