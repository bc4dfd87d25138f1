"""A small planning case on Bondy's real data: one Saturday session in Le Parc du Château.

The IRIS has 43 BAN addresses, 26 of them on Chemin Latéral, and its streets are in the
imported OpenStreetMap network, so routes are cut on real streets in about a second.
The import estimates 131 dwellings behind those addresses: one at each of the 26 on
Chemin Latéral, 105 at the other 17 (blocks of flats of up to 22).

Importing Bondy takes a few seconds, so a test module seeds the case once on a
connection of its own (`seeded_connection`) and each test runs inside a savepoint of
it (`savepoint_of`), rolled back afterwards. A module binds the fixtures below to its own
names, so that pytest finds them there:

    seeded, db_connection, case = bondy_case.seeded, bondy_case.db_connection, bondy_case.case
"""

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import TypeVar

import pytest
from sqlalchemy import select
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.orm import Session

from tests.conftest import SAMPLE_DIR
from tests.factories import make_planning_volunteer
from webapp.models import Address, Assignment, Campaign, CanvassSession
from webapp.services.routes import RouteSettings, load_street_graph, plan_session_routes
from webapp.services.scoring import score_campaign
from webapp.services.sessions import SessionDraft, create_session
from webapp.services.territory_import import import_territory

PARC_DU_CHATEAU = "930100108"
PARC_ADDRESS_COUNT = 43
PARC_DWELLING_COUNT = 131
CLOSABLE_STREET = "Chemin Latéral"
CLOSABLE_STREET_DOORS = 26
# The IRIS's other closable street, as OpenStreetMap writes it: its BAN addresses have
# "Route d’Aulnay", with a typographic apostrophe.
OTHER_CLOSABLE_STREET = "Route d'Aulnay"
# Streets of the IRIS's addresses that no way near the IRIS names, closed by name alone.
ADDRESS_ONLY_STREETS = ("Avenue Galliéni", "Chemin de Groslay")
SATURDAY = date(2027, 3, 6)

T = TypeVar("T")


@dataclass(frozen=True)
class BondyCase:
    """Ids of the seeded rows, usable from any session."""

    campaign_id: int
    session_id: int
    starts_at: datetime
    ends_at: datetime
    volunteer_ids: tuple[int, ...]
    address_ids: tuple[int, ...]
    street_of: dict[int, str] = field(default_factory=dict)
    dwellings_of: dict[int, int] = field(default_factory=dict)

    def addresses_in(self, street: str) -> list[int]:
        return [key for key in self.address_ids if self.street_of[key] == street]

    def dwellings_in(self, address_ids: list[int]) -> int:
        """Return the estimated dwellings behind the addresses, as the import stored them."""
        return sum(self.dwellings_of[key] for key in address_ids)


def seed_bondy_case(
    session: Session,
    *,
    volunteer_count: int = 4,
    start: time = time(9, 30),
    end: time = time(11, 0),
) -> BondyCase:
    """Import Bondy, score it, add free volunteers and one Saturday session; commit."""
    import_territory(session, SAMPLE_DIR)
    campaign = Campaign(
        name="Municipales Bondy",
        election_kind="municipales",
        commune_codes=["93010"],
        our_candidates=["MÉLENCHON"],
    )
    session.add(campaign)
    session.flush()
    score_campaign(session, campaign.id)
    addresses = session.scalars(
        select(Address).where(Address.iris_code == PARC_DU_CHATEAU).order_by(Address.id)
    ).all()
    volunteers = [
        make_planning_volunteer(
            session, campaign=campaign, index=index, home=addresses[index % len(addresses)]
        )
        for index in range(volunteer_count)
    ]
    canvass = create_session(
        session,
        campaign.id,
        SessionDraft(
            day=SATURDAY,
            start=start,
            end=end,
            iris_code=PARC_DU_CHATEAU,
            min_volunteers=2,
            max_volunteers=8,
            meeting_address_id=addresses[0].id,
        ),
        today=SATURDAY,
    )
    session.commit()
    return BondyCase(
        campaign_id=campaign.id,
        session_id=canvass.id,
        starts_at=canvass.starts_at,
        ends_at=canvass.ends_at,
        volunteer_ids=tuple(user.id for user in volunteers),
        address_ids=tuple(address.id for address in addresses),
        street_of={address.id: address.street for address in addresses},
        dwellings_of={address.id: address.dwellings for address in addresses},
    )


def seed_three_teams(session: Session, settings: RouteSettings) -> BondyCase:
    """Seed six volunteers in three teams for a three-hour session, and cut its routes."""
    case = seed_bondy_case(session, volunteer_count=6, start=time(9, 0), end=time(12, 0))
    seed_pairs(session, case, settings)
    session.commit()
    return case


def seed_pairs(session: Session, case: BondyCase, settings: RouteSettings) -> None:
    """Put the case's volunteers in teams of two by index and cut the routes; flushes."""
    canvass = session.get(CanvassSession, case.session_id)
    assert canvass is not None
    for index, user_id in enumerate(case.volunteer_ids):
        session.add(Assignment(session_id=canvass.id, user_id=user_id, team=index // 2 + 1))
    session.flush()
    plan_session_routes(session, canvass, load_street_graph(session), settings)


def seeded_connection(
    engine: Engine, seed: Callable[[Session], T]
) -> Iterator[tuple[Connection, T]]:
    """Yield a connection whose open transaction holds what `seed` added; roll it back."""
    connection = engine.connect()
    transaction = connection.begin()
    session = Session(bind=connection, join_transaction_mode="create_savepoint")
    try:
        yield connection, seed(session)
    finally:
        session.close()
        transaction.rollback()
        connection.close()


def savepoint_of(connection: Connection) -> Iterator[Connection]:
    """Yield the connection inside a savepoint that is rolled back after the test."""
    savepoint = connection.begin_nested()
    try:
        yield connection
    finally:
        if savepoint.is_active:
            savepoint.rollback()


@pytest.fixture(scope="module")
def seeded(database_engine: Engine) -> Iterator[tuple[Connection, BondyCase]]:
    yield from seeded_connection(database_engine, seed_bondy_case)


@pytest.fixture
def db_connection(seeded: tuple[Connection, BondyCase]) -> Iterator[Connection]:
    yield from savepoint_of(seeded[0])


@pytest.fixture
def case(seeded: tuple[Connection, BondyCase]) -> BondyCase:
    return seeded[1]
