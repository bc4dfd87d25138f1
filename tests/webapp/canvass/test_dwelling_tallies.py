"""Counting a building's dwellings per outcome in one visit, on the hand-seeded route.

3 Rue Jules Guesde (step 2) is a building of 12 dwellings, and every other door is a house.
"""

import logging
from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.factories import make_walk_route
from tests.webapp.canvass.conftest import GUESDE, TOKEN, Walk
from webapp.db import utcnow
from webapp.models import DoorVisit
from webapp.models.canvass import DoorOutcome
from webapp.models.planning import SessionStatus
from webapp.services.door_progress import DoorProgress, latest_outcomes_by_route
from webapp.services.door_visits import (
    RecordedVisit,
    RouteSessionCancelledError,
    SubmissionKeyReusedError,
    TallyNotOfferedError,
    record_door_visit,
    record_dwelling_tally,
)
from webapp.services.dwelling_tallies import (
    DwellingResults,
    DwellingTally,
    InvalidTallyError,
    TallyTooLargeError,
    check_tally,
    tally_limit,
)
from webapp.services.planning_view import load_session_detail
from webapp.services.route_view import load_route_sheet

KEY = "tally-key-0123456789abcdef"
OTHER_KEY = "tally-key-fedcba9876543210"
# 11 of the building's 12 dwellings: one flat was not reached at all.
COUNTED = DwellingTally(absent=5, opened=1, conversation=3, refused=2)


def record_tally(
    session: Session,
    walk: Walk,
    tally: DwellingTally,
    *,
    key: str = KEY,
    door: str = "G3",
    minutes: int = 0,
    token: str = TOKEN,
) -> RecordedVisit:
    return record_dwelling_tally(
        session,
        token,
        walk.doors[door].id,
        tally,
        submission_key=key,
        now=utcnow() + timedelta(minutes=minutes),
    )


def stored_visits(session: Session) -> list[tuple[int, DoorOutcome, dict[str, int] | None]]:
    session.expire_all()
    rows = session.execute(
        select(DoorVisit.address_id, DoorVisit.outcome, DoorVisit.dwelling_counts).order_by(
            DoorVisit.id
        )
    )
    return [(address_id, outcome, counts) for address_id, outcome, counts in rows]


def session_results(session: Session, walk: Walk) -> DwellingResults:
    detail = load_session_detail(session, walk.canvass_session.campaign_id, walk.canvass_session.id)
    assert detail is not None
    return detail.dwelling_results


@pytest.mark.parametrize(
    ("tally", "outcome"),
    [
        (DwellingTally(absent=4, conversation=1), DoorOutcome.CONVERSATION),
        (DwellingTally(absent=4, conversation=1, is_coming_back=True), DoorOutcome.COME_BACK),
        (DwellingTally(opened=2, refused=3), DoorOutcome.OPENED),
        (DwellingTally(refused=1, absent=6), DoorOutcome.REFUSED),
        (DwellingTally(absent=6, inaccessible=2), DoorOutcome.ABSENT),
        (DwellingTally(absent=6, inaccessible=2, is_coming_back=True), DoorOutcome.COME_BACK),
        (DwellingTally(inaccessible=3), DoorOutcome.INACCESSIBLE),
    ],
)
def test_address_outcome_derived(tally: DwellingTally, outcome: DoorOutcome) -> None:
    assert tally.outcome == outcome


@pytest.mark.parametrize(
    "tally",
    [
        DwellingTally(),
        DwellingTally(absent=-1, conversation=2),
        DwellingTally(opened=2, is_coming_back=True),
    ],
)
def test_invalid_tally_rejected(tally: DwellingTally) -> None:
    with pytest.raises(InvalidTallyError):
        check_tally(tally, limit=20)


def test_limit_follows_the_estimate() -> None:
    assert [tally_limit(dwellings) for dwellings in (2, 10, 12, 250, 400)] == [
        20,
        20,
        24,
        500,
        500,
    ]


def test_tally_stored_with_derived_outcome(db_session: Session, walk: Walk) -> None:
    now = utcnow()
    building = walk.doors["G3"]

    recorded = record_dwelling_tally(
        db_session, TOKEN, building.id, COUNTED, submission_key=KEY, now=now
    )

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
    assert visit.dwelling_counts == {
        "absent": 5,
        "opened": 1,
        "conversation": 3,
        "refused": 2,
        "inaccessible": 0,
    }
    assert visit.submission_key == KEY


def test_address_counts_as_one_door(db_session: Session, walk: Walk) -> None:
    record_tally(db_session, walk, COUNTED)

    sheet = load_route_sheet(db_session, TOKEN, now=utcnow())

    assert sheet.progress == DoorProgress(door_count=5, done_count=1, come_back_count=0)
    building = sheet.stops[1]
    assert (building.outcome, building.is_done, building.tally) == (
        DoorOutcome.CONVERSATION,
        True,
        COUNTED,
    )
    assert [stop.tally for stop in sheet.stops] == [None, COUNTED, None, None, None]
    assert [stop.accepts_tally for stop in sheet.stops] == [False, True, False, False, False]
    assert sheet.resume_step == 1


def test_coming_back_keeps_the_door_to_do(db_session: Session, walk: Walk) -> None:
    tally = DwellingTally(absent=8, conversation=4, is_coming_back=True)
    record_tally(db_session, walk, tally)

    sheet = load_route_sheet(db_session, TOKEN, now=utcnow())
    latest = latest_outcomes_by_route(db_session, [walk.route.id])

    assert sheet.progress == DoorProgress(door_count=5, done_count=0, come_back_count=1)
    assert sheet.stops[1].is_to_come_back
    assert sheet.stops[1].tally == tally
    assert latest == {walk.route.id: {walk.doors["G3"].id: DoorOutcome.COME_BACK}}


def test_return_updates_the_counts(db_session: Session, walk: Walk) -> None:
    first = record_tally(
        db_session, walk, DwellingTally(absent=8, conversation=4, is_coming_back=True)
    )
    back = DwellingTally(absent=3, conversation=7, refused=2)

    second = record_tally(db_session, walk, back, key=OTHER_KEY, minutes=45)

    # The second visit is the team's return, not a correction.
    assert (first.is_correction, second.is_correction) == (False, False)
    assert second.outcome == DoorOutcome.CONVERSATION
    assert load_route_sheet(db_session, TOKEN, now=utcnow()).stops[1].tally == back
    results = session_results(db_session, walk)
    assert dict(results.counts) == {
        DoorOutcome.ABSENT: 3,
        DoorOutcome.OPENED: 0,
        DoorOutcome.CONVERSATION: 7,
        DoorOutcome.REFUSED: 2,
        DoorOutcome.COME_BACK: 0,
        DoorOutcome.INACCESSIBLE: 0,
    }
    assert (results.address_count, results.tallied_address_count, results.dwelling_count) == (
        1,
        1,
        12,
    )


def test_second_tally_corrects_the_first(db_session: Session, walk: Walk) -> None:
    record_tally(db_session, walk, COUNTED)

    corrected = record_tally(
        db_session, walk, DwellingTally(absent=5, refused=5), key=OTHER_KEY, minutes=1
    )

    assert (corrected.outcome, corrected.is_correction) == (DoorOutcome.REFUSED, True)


def test_same_form_twice_records_once(db_session: Session, walk: Walk) -> None:
    first = record_tally(db_session, walk, COUNTED)

    again = record_tally(db_session, walk, COUNTED, minutes=1)

    assert (again.outcome, again.is_repeat, again.is_correction) == (
        DoorOutcome.CONVERSATION,
        True,
        False,
    )
    assert first.is_repeat is False
    assert stored_visits(db_session) == [
        (walk.doors["G3"].id, DoorOutcome.CONVERSATION, COUNTED.as_json())
    ]


def test_key_of_another_door_rejected(db_session: Session, walk: Walk) -> None:
    walk.doors["E2"].dwellings = 3
    db_session.flush()
    record_tally(db_session, walk, COUNTED)

    with pytest.raises(SubmissionKeyReusedError):
        record_tally(db_session, walk, DwellingTally(opened=2), door="E2")

    assert [address_id for address_id, _, _ in stored_visits(db_session)] == [walk.doors["G3"].id]


def test_too_many_for_the_address_rejected(db_session: Session, walk: Walk) -> None:
    with pytest.raises(TallyTooLargeError) as raised:
        record_tally(db_session, walk, DwellingTally(absent=20, conversation=5))

    assert (raised.value.total, raised.value.limit) == (25, 24)
    assert stored_visits(db_session) == []


def test_house_takes_one_outcome_only(db_session: Session, walk: Walk) -> None:
    with pytest.raises(TallyNotOfferedError) as raised:
        record_tally(db_session, walk, DwellingTally(conversation=1), door="G5")

    assert (raised.value.route_id, raised.value.address_id) == (walk.route.id, walk.doors["G5"].id)
    assert stored_visits(db_session) == []


def test_cancelled_session_records_no_tally(db_session: Session, walk: Walk) -> None:
    walk.canvass_session.status = SessionStatus.CANCELLED
    db_session.flush()

    with pytest.raises(RouteSessionCancelledError):
        record_tally(db_session, walk, COUNTED)

    assert stored_visits(db_session) == []


def test_results_count_the_dwellings(db_session: Session, walk: Walk) -> None:
    now = utcnow()
    for door, outcome in (
        ("G5", DoorOutcome.ABSENT),
        ("G1", DoorOutcome.CONVERSATION),
        ("E2", DoorOutcome.COME_BACK),
    ):
        record_door_visit(db_session, TOKEN, walk.doors[door].id, outcome, now=now)
    record_tally(db_session, walk, COUNTED)

    results = session_results(db_session, walk)

    # Each house counts as one dwelling, the building as the 11 dwellings counted.
    assert results.counts == (
        (DoorOutcome.ABSENT, 6),
        (DoorOutcome.OPENED, 1),
        (DoorOutcome.CONVERSATION, 4),
        (DoorOutcome.REFUSED, 2),
        (DoorOutcome.COME_BACK, 1),
        (DoorOutcome.INACCESSIBLE, 0),
    )
    assert (results.address_count, results.tallied_address_count, results.dwelling_count) == (
        4,
        1,
        14,
    )


def test_outcome_button_after_a_tally_replaces_it(db_session: Session, walk: Walk) -> None:
    record_tally(db_session, walk, COUNTED)

    record_door_visit(
        db_session,
        TOKEN,
        walk.doors["G3"].id,
        DoorOutcome.REFUSED,
        now=utcnow() + timedelta(minutes=1),
    )

    assert load_route_sheet(db_session, TOKEN, now=utcnow()).stops[1].tally is None
    results = session_results(db_session, walk)
    assert (dict(results.counts)[DoorOutcome.REFUSED], results.dwelling_count) == (1, 1)


def test_counts_follow_the_building_to_another_route(db_session: Session, walk: Walk) -> None:
    # A re-planning gave the building, to come back to, to team 2.
    other_token = "Team2-route-token-0123456789abcdefghijklmn"
    make_walk_route(
        db_session,
        canvass_session=walk.canvass_session,
        addresses=(walk.doors["G3"],),
        team=2,
        access_token=other_token,
        token_expires_at=utcnow() + timedelta(days=1),
    )
    first = DwellingTally(absent=8, conversation=4, is_coming_back=True)
    record_tally(db_session, walk, first)

    other_sheet = load_route_sheet(db_session, other_token, now=utcnow())
    # Team 2 has not been there: the door is to visit, its form filled in with the counts.
    assert (other_sheet.stops[0].outcome, other_sheet.stops[0].tally) == (None, first)

    back = DwellingTally(absent=2, conversation=9, refused=1)
    record_tally(db_session, walk, back, key=OTHER_KEY, minutes=30, token=other_token)
    results = session_results(db_session, walk)

    # The building counts once, by its latest visit.
    assert (results.address_count, results.dwelling_count) == (1, 12)
    assert dict(results.counts)[DoorOutcome.CONVERSATION] == 9
    assert load_route_sheet(db_session, TOKEN, now=utcnow()).stops[1].tally == back


def test_tally_logged_with_its_count(
    db_session: Session, walk: Walk, caplog: pytest.LogCaptureFixture
) -> None:
    building = walk.doors["G3"].id

    with caplog.at_level(logging.INFO, logger="webapp.services.door_visits"):
        record_tally(db_session, walk, COUNTED)
        record_tally(db_session, walk, COUNTED)

    assert [record.getMessage() for record in caplog.records] == [
        f"Door visit recorded on route {walk.route.id} at address {building}: conversation "
        "(11 dwellings counted)",
        f"Door visit on route {walk.route.id} at address {building} already recorded by this form",
    ]
    assert TOKEN not in caplog.text
    assert KEY not in caplog.text
