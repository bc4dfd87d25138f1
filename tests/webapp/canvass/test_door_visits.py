import logging
from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.webapp.canvass.conftest import ESPERANTO, GUESDE, TOKEN, Walk, add_door
from webapp.db import utcnow
from webapp.models import DoorVisit
from webapp.models.canvass import DoorOutcome
from webapp.models.planning import SessionStatus
from webapp.services.door_visits import (
    DoorNotOnRouteError,
    RecordedVisit,
    RouteSessionCancelledError,
    record_door_visit,
)
from webapp.services.route_view import (
    RouteLinkExpiredError,
    RouteLinkNotFoundError,
    load_route_sheet,
)


def visits(session: Session) -> list[tuple[int, int, DoorOutcome]]:
    rows = session.execute(
        select(DoorVisit.route_id, DoorVisit.address_id, DoorVisit.outcome).order_by(DoorVisit.id)
    )
    return [(route_id, address_id, outcome) for route_id, address_id, outcome in rows]


def test_records_exact_values(db_session: Session, walk: Walk) -> None:
    now = utcnow()
    building = walk.doors["G3"]

    recorded = record_door_visit(db_session, TOKEN, building.id, DoorOutcome.CONVERSATION, now=now)

    assert recorded == RecordedVisit(
        walk.route.id, building.id, DoorOutcome.CONVERSATION, f"3 {GUESDE}"
    )
    visit = db_session.scalars(select(DoorVisit)).one()
    assert (visit.route_id, visit.address_id, visit.outcome, visit.visited_at) == (
        walk.route.id,
        building.id,
        DoorOutcome.CONVERSATION,
        now,
    )


def test_address_off_route_rejected(db_session: Session, walk: Walk) -> None:
    elsewhere = add_door(db_session, ESPERANTO, 6, (2.4815, 48.9037))

    for address_id in (elsewhere.id, elsewhere.id + 1000):
        with pytest.raises(DoorNotOnRouteError) as raised:
            record_door_visit(db_session, TOKEN, address_id, DoorOutcome.ABSENT, now=utcnow())
        assert (raised.value.route_id, raised.value.address_id) == (walk.route.id, address_id)

    assert visits(db_session) == []


def test_deleted_address_rejected(db_session: Session, walk: Walk) -> None:
    # A route can still list an address that a territory re-import deleted.
    walk.route.address_ids = [*walk.route.address_ids, 987654]
    db_session.flush()

    with pytest.raises(DoorNotOnRouteError):
        record_door_visit(db_session, TOKEN, 987654, DoorOutcome.ABSENT, now=utcnow())

    assert visits(db_session) == []


def test_expired_or_unknown_link_records_nothing(db_session: Session, walk: Walk) -> None:
    door = walk.doors["G5"].id

    with pytest.raises(RouteLinkExpiredError):
        record_door_visit(
            db_session, TOKEN, door, DoorOutcome.ABSENT, now=walk.route.token_expires_at
        )
    with pytest.raises(RouteLinkNotFoundError):
        record_door_visit(db_session, TOKEN[:-1], door, DoorOutcome.ABSENT, now=utcnow())

    assert visits(db_session) == []


def test_cancelled_session_records_nothing(db_session: Session, walk: Walk) -> None:
    walk.canvass_session.status = SessionStatus.CANCELLED
    db_session.flush()

    with pytest.raises(RouteSessionCancelledError):
        record_door_visit(db_session, TOKEN, walk.doors["G5"].id, DoorOutcome.ABSENT, now=utcnow())

    assert visits(db_session) == []


def test_second_record_keeps_history(db_session: Session, walk: Walk) -> None:
    first_door = walk.doors["G5"].id
    now = utcnow()
    first = record_door_visit(db_session, TOKEN, first_door, DoorOutcome.ABSENT, now=now)
    second = record_door_visit(
        db_session, TOKEN, first_door, DoorOutcome.OPENED, now=now + timedelta(minutes=1)
    )

    assert (first.is_correction, second.is_correction) == (False, True)
    assert visits(db_session) == [
        (walk.route.id, first_door, DoorOutcome.ABSENT),
        (walk.route.id, first_door, DoorOutcome.OPENED),
    ]
    sheet = load_route_sheet(db_session, TOKEN, now=utcnow())
    assert [stop.outcome for stop in sheet.stops] == [DoorOutcome.OPENED, None, None, None, None]
    assert sheet.resume_step == 2


def test_same_instant_last_row_wins(db_session: Session, walk: Walk) -> None:
    first_door = walk.doors["G5"].id
    now = utcnow()
    for outcome in (DoorOutcome.REFUSED, DoorOutcome.COME_BACK):
        record_door_visit(db_session, TOKEN, first_door, outcome, now=now)

    sheet = load_route_sheet(db_session, TOKEN, now=utcnow())

    assert sheet.stops[0].outcome == DoorOutcome.COME_BACK


def test_record_is_logged_by_ids_without_the_token(
    db_session: Session, walk: Walk, caplog: pytest.LogCaptureFixture
) -> None:
    door = walk.doors["E4"].id

    with caplog.at_level(logging.INFO, logger="webapp.services.door_visits"):
        record_door_visit(db_session, TOKEN, door, DoorOutcome.INACCESSIBLE, now=utcnow())

    assert [record.getMessage() for record in caplog.records] == [
        f"Door visit recorded on route {walk.route.id} at address {door}: inaccessible"
    ]
    assert caplog.records[0].levelno == logging.INFO
    assert TOKEN not in caplog.text
