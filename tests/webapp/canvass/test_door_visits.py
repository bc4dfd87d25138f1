import logging
from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.factories import at_utc
from tests.webapp.canvass.conftest import ESPERANTO, GUESDE, TOKEN, Walk, add_door
from webapp.db import utcnow
from webapp.models import DoorVisit
from webapp.models.canvass import DoorOutcome
from webapp.models.planning import SessionStatus
from webapp.services.door_visits import (
    DoorNotOnRouteError,
    RecordedVisit,
    RouteSessionCancelledError,
    VisitBeforeSessionError,
    record_door_visit,
)
from webapp.services.route_view import (
    RouteLinkExpiredError,
    RouteLinkNotFoundError,
    load_route_sheet,
)
from webapp.services.started_sessions import sessions_with_visits


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


@pytest.mark.parametrize("before_start", [timedelta(minutes=31), timedelta(days=4)])
def test_visit_before_recording_opens_rejected(
    db_session: Session, walk: Walk, before_start: timedelta
) -> None:
    starts_at = walk.canvass_session.starts_at
    assert starts_at == at_utc(2026, 6, 13, 8)

    with pytest.raises(VisitBeforeSessionError) as raised:
        record_door_visit(
            db_session, TOKEN, walk.doors["G5"].id, DoorOutcome.ABSENT, now=starts_at - before_start
        )

    assert raised.value.route_id == walk.route.id
    assert raised.value.opens_at == at_utc(2026, 6, 13, 7, 30)
    assert visits(db_session) == []
    # Nothing marks the session as begun, so the next planning run may still change it.
    assert sessions_with_visits(db_session, walk.canvass_session.campaign_id) == set()


def test_visit_when_recording_opens_accepted(db_session: Session, walk: Walk) -> None:
    opens_at = walk.canvass_session.starts_at - timedelta(minutes=30)
    assert opens_at == at_utc(2026, 6, 13, 7, 30)
    door = walk.doors["G5"].id

    record_door_visit(db_session, TOKEN, door, DoorOutcome.ABSENT, now=opens_at)

    visit = db_session.scalars(select(DoorVisit)).one()
    assert (visit.address_id, visit.visited_at) == (door, opens_at)
    assert sessions_with_visits(db_session, walk.canvass_session.campaign_id) == {
        walk.canvass_session.id
    }


def test_visit_after_the_end_accepted(db_session: Session, walk: Walk) -> None:
    ends_at = walk.canvass_session.ends_at
    assert ends_at == at_utc(2026, 6, 13, 10)
    door = walk.doors["E4"].id

    record_door_visit(
        db_session, TOKEN, door, DoorOutcome.REFUSED, now=ends_at + timedelta(hours=5)
    )

    assert visits(db_session) == [(walk.route.id, door, DoorOutcome.REFUSED)]


def test_cancelled_session_rejected_before_the_time(db_session: Session, walk: Walk) -> None:
    walk.canvass_session.status = SessionStatus.CANCELLED
    db_session.flush()
    too_early = walk.canvass_session.starts_at - timedelta(days=1)

    with pytest.raises(RouteSessionCancelledError):
        record_door_visit(db_session, TOKEN, walk.doors["G5"].id, DoorOutcome.ABSENT, now=too_early)


def test_visit_after_come_back_is_no_correction(db_session: Session, walk: Walk) -> None:
    door = walk.doors["G1"].id
    now = utcnow()

    outcomes = (DoorOutcome.COME_BACK, DoorOutcome.CONVERSATION, DoorOutcome.OPENED)
    recorded = [
        record_door_visit(db_session, TOKEN, door, outcome, now=now + timedelta(minutes=minute))
        for minute, outcome in enumerate(outcomes)
    ]

    # The second visit is the team's return to the door, and the third corrects it.
    assert [visit.is_correction for visit in recorded] == [False, False, True]


def test_correction_after_corrected_come_back(db_session: Session, walk: Walk) -> None:
    door = walk.doors["G1"].id
    now = utcnow()
    # Recorded in this order, the latest outcome is ABSENT, not the COME_BACK before it.
    record_door_visit(db_session, TOKEN, door, DoorOutcome.COME_BACK, now=now)
    record_door_visit(db_session, TOKEN, door, DoorOutcome.ABSENT, now=now)

    recorded = record_door_visit(
        db_session, TOKEN, door, DoorOutcome.REFUSED, now=now + timedelta(minutes=1)
    )

    assert recorded.is_correction is True


def test_progress_counts_come_back_apart(db_session: Session, walk: Walk) -> None:
    now = utcnow()
    first_outcomes = {
        "G5": DoorOutcome.ABSENT,
        "G3": DoorOutcome.COME_BACK,
        "E2": DoorOutcome.REFUSED,
    }
    for key, outcome in first_outcomes.items():
        record_door_visit(db_session, TOKEN, walk.doors[key].id, outcome, now=now)

    sheet = load_route_sheet(db_session, TOKEN, now=now)

    assert [stop.is_done for stop in sheet.stops] == [True, False, False, True, False]
    assert [stop.is_to_come_back for stop in sheet.stops] == [False, True, False, False, False]
    assert (sheet.done_count, sheet.come_back_count, sheet.door_count) == (2, 1, 5)
    # The first door with no outcome comes before the door to come back to at step 2.
    assert sheet.resume_step == 3
    assert (sheet.is_started, sheet.is_coming_back, sheet.is_done) == (True, False, False)


def test_come_back_doors_come_last(db_session: Session, walk: Walk) -> None:
    now = utcnow()
    outcomes = {
        "G5": DoorOutcome.COME_BACK,
        "G3": DoorOutcome.OPENED,
        "G1": DoorOutcome.ABSENT,
        "E2": DoorOutcome.COME_BACK,
        "E4": DoorOutcome.INACCESSIBLE,
    }
    for key, outcome in outcomes.items():
        record_door_visit(db_session, TOKEN, walk.doors[key].id, outcome, now=now)

    sheet = load_route_sheet(db_session, TOKEN, now=now)

    assert (sheet.done_count, sheet.come_back_count) == (3, 2)
    assert sheet.resume_step == 1
    assert (sheet.is_coming_back, sheet.is_done) == (True, False)

    later = now + timedelta(minutes=30)
    record_door_visit(db_session, TOKEN, walk.doors["G5"].id, DoorOutcome.REFUSED, now=later)
    sheet = load_route_sheet(db_session, TOKEN, now=later)

    assert (sheet.done_count, sheet.come_back_count, sheet.resume_step) == (4, 1, 4)
    assert sheet.is_coming_back is True

    record_door_visit(db_session, TOKEN, walk.doors["E2"].id, DoorOutcome.ABSENT, now=later)
    sheet = load_route_sheet(db_session, TOKEN, now=later)

    assert (sheet.done_count, sheet.come_back_count, sheet.resume_step) == (5, 0, None)
    assert (sheet.is_coming_back, sheet.is_done) == (False, True)


def test_route_not_started_has_no_resume_step(db_session: Session, walk: Walk) -> None:
    sheet = load_route_sheet(db_session, TOKEN, now=utcnow())

    assert (sheet.done_count, sheet.come_back_count, sheet.resume_step) == (0, 0, None)
    assert (sheet.is_started, sheet.is_coming_back, sheet.is_done) == (False, False, False)
