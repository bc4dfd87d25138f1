"""A door to come back to on a street that closes, then reopens, on Bondy's real streets."""

from dataclasses import dataclass
from datetime import datetime, timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tests.webapp.planning import three_teams
from tests.webapp.planning.bondy_case import (
    CLOSABLE_STREET,
    CLOSABLE_STREET_DOORS,
    PARC_ADDRESS_COUNT,
    BondyCase,
)
from tests.webapp.planning.three_teams import routed_doors, routes_by_team
from webapp.models import Address, DoorVisit
from webapp.models.canvass import DoorOutcome
from webapp.services.door_progress import DoorProgress
from webapp.services.planning_view import ClosedStreet, load_session_detail
from webapp.services.replanning import (
    ReplanReport,
    UncoveredDoor,
    UncoveredReason,
    close_street,
    reopen_street,
)
from webapp.services.route_view import sheet_of_route

SETTINGS = three_teams.ROUTE_SETTINGS

seeded, db_connection, case = three_teams.seeded, three_teams.db_connection, three_teams.case
before_session = three_teams.before_session


@dataclass(frozen=True)
class Visits:
    """The doors a team recorded before the closure, and the route they are on."""

    team: int
    done: list[int]
    come_back: int
    # A door to come back to on an open street, on another team's route.
    other_team: int
    other_come_back: int


@pytest.fixture
def visits(case: BondyCase, db_session: Session) -> Visits:
    """Record two doors done off the street to close, one to come back to on another
    team's route off it, and last one to come back to on it."""
    closed = set(case.addresses_in(CLOSABLE_STREET))
    routes = routes_by_team(db_session)
    owner = next(r for r in routes.values() if closed & set(r.address_ids))
    done = [i for i in owner.address_ids if i not in closed][:2]
    come_back = next(i for i in owner.address_ids if i in closed)
    other = next(r for r in routes.values() if r.team != owner.team)
    other_come_back = next(i for i in other.address_ids if i not in closed)
    at = case.starts_at
    for minutes, (route, address_id, outcome) in enumerate(
        [
            (owner, done[0], DoorOutcome.OPENED),
            (owner, done[1], DoorOutcome.ABSENT),
            (other, other_come_back, DoorOutcome.COME_BACK),
            (owner, come_back, DoorOutcome.COME_BACK),
        ]
    ):
        db_session.add(
            DoorVisit(
                route_id=route.id,
                address_id=address_id,
                outcome=outcome,
                visited_at=at + timedelta(minutes=minutes),
            )
        )
    db_session.commit()
    assert len(done) == 2
    return Visits(owner.team, done, come_back, other.team, other_come_back)


def close(db_session: Session, case: BondyCase, now: datetime) -> ReplanReport:
    """Close the closable street for the session, commit, and return the re-planning."""
    report = close_street(
        db_session, case.campaign_id, case.session_id, CLOSABLE_STREET, settings=SETTINGS, now=now
    )
    db_session.commit()
    return report


def reopen(db_session: Session, case: BondyCase, now: datetime) -> ReplanReport:
    """Reopen the closable street for the session, commit, and return the re-planning."""
    report = reopen_street(
        db_session, case.campaign_id, case.session_id, CLOSABLE_STREET, settings=SETTINGS, now=now
    )
    db_session.commit()
    return report


def visit_count(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(DoorVisit)) or 0


def test_come_back_door_leaves_a_closed_street(
    case: BondyCase, db_session: Session, before_session: datetime, visits: Visits
) -> None:
    closed = sorted(case.addresses_in(CLOSABLE_STREET))
    open_count = PARC_ADDRESS_COUNT - CLOSABLE_STREET_DOORS

    report = close(db_session, case, before_session)

    after = routes_by_team(db_session)
    # Every door of the closed street leaves the routes, the one to come back to included.
    assert sorted(routed_doors(after)) == sorted(set(case.address_ids) - set(closed))
    assert visits.come_back not in after[visits.team].address_ids
    assert after[visits.team].address_ids[:2] == visits.done
    assert visits.other_come_back in after[visits.other_team].address_ids
    assert report.uncovered == tuple(
        UncoveredDoor(i, UncoveredReason.STREET_CLOSED) for i in closed
    )
    assert report.uncovered_count(UncoveredReason.STREET_CLOSED) == CLOSABLE_STREET_DOORS
    # Kept: the two doors done and the door to come back to on an open street.
    assert report.kept == DoorProgress(door_count=open_count, done_count=2, come_back_count=1)
    assert report.routed_door_count == open_count - 3
    # Before, the routes had every door left to do, the one now off the routes included.
    assert report.routed_before_count == PARC_ADDRESS_COUNT - 3
    assert visits.come_back in report.routed_before
    assert visits.team in {change.team for change in report.changed_routes}
    # The visits stay recorded.
    assert visit_count(db_session) == 4


def test_session_counts_door_as_closed(
    case: BondyCase, db_session: Session, before_session: datetime, visits: Visits
) -> None:
    close(db_session, case, before_session)

    detail = load_session_detail(db_session, case.campaign_id, case.session_id)

    assert detail is not None
    assert detail.closed_streets == (ClosedStreet(CLOSABLE_STREET, CLOSABLE_STREET_DOORS),)
    assert detail.progress == DoorProgress(
        door_count=PARC_ADDRESS_COUNT - CLOSABLE_STREET_DOORS, done_count=2, come_back_count=1
    )
    team_row = detail.find_route(visits.team)
    assert team_row is not None
    assert team_row.progress.done_count == 2
    assert team_row.progress.come_back_count == 0


def test_route_sheet_drops_the_come_back_door(
    case: BondyCase, db_session: Session, before_session: datetime, visits: Visits
) -> None:
    route = routes_by_team(db_session)[visits.team]
    assert sheet_of_route(db_session, route).come_back_count == 1

    close(db_session, case, before_session)

    sheet = sheet_of_route(db_session, routes_by_team(db_session)[visits.team])
    assert visits.come_back not in {stop.address_id for stop in sheet.stops}
    assert sheet.come_back_count == 0
    assert sheet.done_count == 2
    assert [stop.address_id for stop in sheet.stops[:2]] == visits.done
    assert not sheet.is_coming_back
    assert sheet.resume_step == 3


def test_walk_starts_at_closed_door(case: BondyCase, db_session: Session, visits: Visits) -> None:
    # Out on the street, the team's latest visit is the door to come back to.
    close(db_session, case, case.starts_at + timedelta(minutes=30))

    route = routes_by_team(db_session)[visits.team]
    address = db_session.get(Address, visits.come_back)
    assert address is not None
    assert route.path[0] == [address.lon, address.lat]


def test_reopened_street_brings_the_door_back(
    case: BondyCase, db_session: Session, before_session: datetime, visits: Visits
) -> None:
    close(db_session, case, before_session)

    report = reopen(db_session, case, before_session)

    after = routes_by_team(db_session)
    doors = routed_doors(after)
    assert len(doors) == len(set(doors)) == PARC_ADDRESS_COUNT
    # Back on its team's route, after the doors done, as a door to come back to.
    assert after[visits.team].address_ids[:3] == [*visits.done, visits.come_back]
    assert report.uncovered == ()
    assert report.kept == DoorProgress(
        door_count=PARC_ADDRESS_COUNT, done_count=2, come_back_count=2
    )
    assert report.routed_door_count == PARC_ADDRESS_COUNT - 4
    detail = load_session_detail(db_session, case.campaign_id, case.session_id)
    assert detail is not None
    assert detail.closed_streets == ()
    assert detail.progress == report.kept
    sheet = sheet_of_route(db_session, after[visits.team])
    stop = sheet.stops[2]
    assert (stop.address_id, stop.is_to_come_back) == (visits.come_back, True)
    assert sheet.come_back_count == 1
    assert sheet.resume_step == 4
    assert visit_count(db_session) == 4


def test_done_door_on_closed_street_stays(
    case: BondyCase, db_session: Session, before_session: datetime, visits: Visits
) -> None:
    # Corrected: the team went back and found the door open.
    route = routes_by_team(db_session)[visits.team]
    order = list(route.address_ids)
    db_session.add(
        DoorVisit(
            route_id=route.id,
            address_id=visits.come_back,
            outcome=DoorOutcome.CONVERSATION,
            visited_at=case.starts_at + timedelta(minutes=10),
        )
    )
    db_session.commit()

    report = close(db_session, case, before_session)

    after = routes_by_team(db_session)[visits.team]
    assert after.address_ids[:3] == [i for i in order if i in {*visits.done, visits.come_back}]
    assert visits.come_back not in {door.address_id for door in report.uncovered}
    assert report.uncovered_count(UncoveredReason.STREET_CLOSED) == CLOSABLE_STREET_DOORS - 1
    assert report.kept == DoorProgress(
        door_count=PARC_ADDRESS_COUNT - CLOSABLE_STREET_DOORS + 1, done_count=3, come_back_count=1
    )
