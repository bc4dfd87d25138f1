"""Streets a coordinator can close, named with their accents on Bondy's real data."""

from datetime import date, time, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.webapp.planning import three_teams
from tests.webapp.planning.bondy_case import BondyCase
from webapp.models import Address, StreetClosure
from webapp.services.closable_streets import (
    list_closable_streets,
    list_closed_street_names,
    street_spellings,
)
from webapp.services.replanning import close_street
from webapp.services.sessions import SessionDraft, create_session

seeded, db_connection, case = three_teams.seeded, three_teams.db_connection, three_teams.case

# La Terre Saint-Blaise: BAN writes "Avenue Leon Jouhaux", OpenStreetMap "Place Eudemon".
TERRE_SAINT_BLAISE = "930100102"


@pytest.mark.parametrize(
    ("way_names", "address_names", "shown"),
    [
        (["Allée Anne Frank"], ["Allee Anne Frank"], "Allée Anne Frank"),
        (["Avenue des Mesarmes"], ["Avenue des Mésarmes"], "Avenue des Mésarmes"),
        # Same accents: the street network's spelling, with its hyphen or its accent.
        (["Rue Louis-Auguste Blanqui"], ["Rue Louis Auguste Blanqui"], "Rue Louis-Auguste Blanqui"),
        (["Rue Jean Jaurès"], ["Rue Jean Jaurés"], "Rue Jean Jaurès"),
        (["Route d'Aulnay"], ["Route d’Aulnay"], "Route d'Aulnay"),
        # Accents first, then the spelling most ways carry.
        (["Rue Etienne Dolet", "Rue Étienne Dolet", "Rue Etienne Dolet"], [], "Rue Étienne Dolet"),
        (["RUE DU CHALET", "Rue du Chalet", "Rue du Chalet"], [], "Rue du Chalet"),
    ],
)
def test_spelling_with_accents_wins(
    way_names: list[str], address_names: list[str], shown: str
) -> None:
    forward = street_spellings(way_names, address_names)
    backward = street_spellings(reversed(way_names), reversed(address_names))

    assert list(forward.values()) == list(backward.values()) == [shown]


def test_blank_names_give_no_street() -> None:
    spellings = street_spellings([None, "", "  ", "Rue Fontaine"], ["Rue Seule", "Rue fontaine"])

    # A street only the addresses name is a street too.
    assert spellings == {"rue fontaine": "Rue Fontaine", "rue seule": "Rue Seule"}


@pytest.fixture
def terre_saint_blaise(case: BondyCase, db_session: Session) -> int:
    """Add a session in La Terre Saint-Blaise to the case's campaign; return its id."""
    meeting = db_session.scalars(
        select(Address.id).where(Address.iris_code == TERRE_SAINT_BLAISE).order_by(Address.id)
    ).first()
    assert meeting is not None
    canvass = create_session(
        db_session,
        case.campaign_id,
        SessionDraft(
            day=date(2027, 3, 13),
            start=time(9, 0),
            end=time(12, 0),
            iris_code=TERRE_SAINT_BLAISE,
            min_volunteers=2,
            max_volunteers=8,
            meeting_address_id=meeting,
        ),
        today=date(2027, 3, 13),
    )
    db_session.commit()
    return canvass.id


def test_closable_streets_keep_their_accents(
    case: BondyCase, db_session: Session, terre_saint_blaise: int
) -> None:
    ban_names = set(
        db_session.scalars(
            select(Address.street).where(Address.iris_code == TERRE_SAINT_BLAISE).distinct()
        )
    )

    streets = list_closable_streets(db_session, terre_saint_blaise)

    assert streets == [
        "Avenue Henri Varagnat",
        "Avenue Léon Blum",
        "Avenue Léon Jouhaux",
        "Place Eudémon",
        # No way of the street network bears these two names near the IRIS: they are
        # closed by name, as the addresses write them.
        "Route d’Aulnay",
        "Rue de la Terre Saint-Blaise",
        "Rue de Meaux",
        "Rue de Panurge",
        "Rue des Escholiers",
        "Rue des Francs Aubiers",
        "Rue Gargantua",
        "Rue Grandgousier",
        "Rue Rabelais",
    ]
    # The address file writes "Avenue Leon Jouhaux": the import took the accents of the
    # street network's spelling.
    assert "Avenue Léon Jouhaux" in ban_names
    assert "Avenue Leon Jouhaux" not in ban_names


def test_street_closed_by_shown_name(
    case: BondyCase, db_session: Session, terre_saint_blaise: int
) -> None:
    report = close_street(
        db_session,
        case.campaign_id,
        terre_saint_blaise,
        "Avenue Léon Jouhaux",
        settings=three_teams.ROUTE_SETTINGS,
        now=case.starts_at - timedelta(days=2),
    )
    db_session.commit()

    assert list_closed_street_names(db_session, terre_saint_blaise) == ["Avenue Léon Jouhaux"]
    assert "Avenue Léon Jouhaux" not in list_closable_streets(db_session, terre_saint_blaise)
    assert len(list_closable_streets(db_session, terre_saint_blaise)) == 12
    assert len(db_session.scalars(select(StreetClosure)).all()) > 0
    # Nobody is assigned to the new session, so no door is routed.
    assert report.teams == ()
    assert report.routed_door_count == 0
