"""A reopened street gives its doors back to the teams that had them, on Bondy's streets."""

from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from tests.webapp.planning import three_teams
from tests.webapp.planning.bondy_case import CLOSABLE_STREET, PARC_ADDRESS_COUNT, BondyCase
from tests.webapp.planning.three_teams import (
    door_sets_by_team,
    record_nobody_home,
    routes_by_team,
    to_visit_by_team,
)
from webapp.services.replanning import ReplanReport, close_street, reopen_street

SETTINGS = three_teams.ROUTE_SETTINGS

seeded, db_connection, case = three_teams.seeded, three_teams.db_connection, three_teams.case
before_session = three_teams.before_session


def close(session: Session, case: BondyCase, now: datetime) -> ReplanReport:
    report = close_street(
        session, case.campaign_id, case.session_id, CLOSABLE_STREET, settings=SETTINGS, now=now
    )
    session.commit()
    return report


def reopen(session: Session, case: BondyCase, now: datetime) -> ReplanReport:
    report = reopen_street(
        session, case.campaign_id, case.session_id, CLOSABLE_STREET, settings=SETTINGS, now=now
    )
    session.commit()
    return report


def test_reopened_doors_go_back_to_their_teams(
    case: BondyCase, db_session: Session, before_session: datetime
) -> None:
    before = door_sets_by_team(db_session)
    street = set(case.addresses_in(CLOSABLE_STREET))

    close(db_session, case, before_session)
    closed = routes_by_team(db_session)
    remembered = {team: set(route.closed_address_ids or ()) for team, route in closed.items()}
    while_closed = door_sets_by_team(db_session)
    report = reopen(db_session, case, before_session)

    # Each team lost its doors of the street to the closure, and remembered them.
    assert remembered == {team: doors & street for team, doors in before.items()}
    assert while_closed == {team: doors - street for team, doors in before.items()}
    # Reopened, the street's doors went back to the teams that had them: no team changed.
    assert door_sets_by_team(db_session) == before
    assert report.changed_routes != ()
    assert report.routed_door_count == PARC_ADDRESS_COUNT
    assert all(route.closed_address_ids is None for route in routes_by_team(db_session).values())


def test_team_out_takes_back_its_doors_of_a_reopened_street(
    case: BondyCase, db_session: Session
) -> None:
    street = set(case.addresses_in(CLOSABLE_STREET))
    routes = routes_by_team(db_session)
    # The team out is the one with most doors off the street: it starts with two of those.
    out = max(routes, key=lambda team: (len(set(routes[team].address_ids) - street), team))
    first_doors = [i for i in routes[out].address_ids if i not in street][:2]
    record_nobody_home(db_session, routes[out], first_doors, at=case.starts_at)
    before = to_visit_by_team(db_session)

    close(db_session, case, case.starts_at + timedelta(minutes=20))
    while_closed = to_visit_by_team(db_session)
    reopen(db_session, case, case.starts_at + timedelta(minutes=40))
    after = to_visit_by_team(db_session)

    assert before[out] & street
    assert while_closed == {team: doors - street for team, doors in before.items()}
    # Every team, the one out included, has its doors of the street back, and no other.
    assert after == before
    assert routes_by_team(db_session)[out].address_ids[:2] == first_doors
