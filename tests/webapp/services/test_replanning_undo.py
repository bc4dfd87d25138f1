"""Undoing a re-planning on Bondy's real streets: a team present again, a street reopened."""

from datetime import datetime

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.webapp.planning import three_teams
from tests.webapp.planning.bondy_case import (
    ADDRESS_ONLY_STREETS,
    CLOSABLE_STREET,
    CLOSABLE_STREET_DOORS,
    OTHER_CLOSABLE_STREET,
    PARC_ADDRESS_COUNT,
    BondyCase,
)
from tests.webapp.planning.three_teams import (
    door_sets_by_team,
    doors_by_team,
    record_nobody_home,
    routed_doors,
    routes_by_team,
    team_members,
    tokens_by_team,
)
from webapp.models import (
    Address,
    Assignment,
    CanvassSession,
    DoorVisit,
    StreetClosure,
    StreetWay,
)
from webapp.models.canvass import DoorOutcome
from webapp.models.messaging import Message, MessageStatus
from webapp.models.planning import AssignmentStatus
from webapp.services.assignment import lock_assignment
from webapp.services.closable_streets import list_closable_streets, list_closed_street_names
from webapp.services.reminders import assignment_key_prefix, queue_reminders
from webapp.services.replanning import (
    ReplanError,
    ReplanErrorCode,
    UncoveredReason,
    close_street,
    reopen_street,
)
from webapp.services.team_changes import mark_team_absent, mark_team_present

SETTINGS = three_teams.ROUTE_SETTINGS

seeded, db_connection, case = three_teams.seeded, three_teams.db_connection, three_teams.case
app_context, before_session = three_teams.app_context, three_teams.before_session
# Marking a team present writes its reminders, which renders templates.
pytestmark = pytest.mark.usefixtures("app_context")

PROPOSED = AssignmentStatus.PROPOSED
CONFIRMED = AssignmentStatus.CONFIRMED
DECLINED = AssignmentStatus.DECLINED


def statuses(session: Session) -> dict[int, tuple[int, AssignmentStatus, AssignmentStatus | None]]:
    """Return each volunteer's team, status and status before absence."""
    session.expire_all()
    return {
        a.user_id: (a.team, a.status, a.status_before_absence)
        for a in session.scalars(select(Assignment))
    }


def test_present_again_restores_route_and_statuses(
    case: BondyCase, db_session: Session, before_session: datetime
) -> None:
    first, second = team_members(db_session, 2)
    first.status = CONFIRMED
    db_session.commit()
    before = routes_by_team(db_session)
    doors_before = door_sets_by_team(db_session)
    visited_two = before[2].address_ids[:2]
    visited_one = before[1].address_ids[:1]
    record_nobody_home(db_session, before[2], visited_two)
    record_nobody_home(db_session, before[1], visited_one)
    initial = statuses(db_session)

    mark_team_absent(
        db_session, case.campaign_id, case.session_id, 2, settings=SETTINGS, now=before_session
    )
    db_session.commit()
    absent = statuses(db_session)
    report = mark_team_present(
        db_session, case.campaign_id, case.session_id, 2, settings=SETTINGS, now=before_session
    )
    db_session.commit()

    assert absent[first.user_id] == (2, DECLINED, CONFIRMED)
    assert absent[second.user_id] == (2, DECLINED, PROPOSED)
    assert statuses(db_session) == initial
    assert initial[first.user_id] == (2, CONFIRMED, None)
    after = routes_by_team(db_session)
    assert sorted(after) == [1, 2, 3]
    # Team 2 kept its route row through the absence, since it holds visits: same link.
    assert after[2].access_token == before[2].access_token
    assert after[2].address_ids[:2] == visited_two
    assert after[1].address_ids[:1] == visited_one
    assert len(after[2].address_ids) > len(visited_two)
    last = db_session.get(Address, visited_two[-1])
    assert last is not None
    assert after[2].path[0] == [last.lon, last.lat]
    routed = routed_doors(after)
    assert len(routed) == len(set(routed)) == PARC_ADDRESS_COUNT
    # Team 2 took back the doors it was last notified of, and the others kept theirs.
    assert door_sets_by_team(db_session) == doors_before
    assert report.teams == (1, 2, 3)
    assert report.removed_teams == ()
    assert report.visited_door_count == 3
    assert report.routed_door_count == PARC_ADDRESS_COUNT - 3
    assert report.uncovered == ()
    assert db_session.scalars(select(DoorVisit.address_id).order_by(DoorVisit.id)).all() == [
        *visited_two,
        *visited_one,
    ]


def test_team_without_visits_keeps_its_link(
    case: BondyCase, db_session: Session, before_session: datetime
) -> None:
    old_token = routes_by_team(db_session)[3].access_token
    mark_team_absent(
        db_session, case.campaign_id, case.session_id, 3, settings=SETTINGS, now=before_session
    )
    db_session.commit()
    absent = {
        team: (route.address_ids, route.door_count, route.path)
        for team, route in routes_by_team(db_session).items()
    }

    mark_team_present(
        db_session, case.campaign_id, case.session_id, 3, settings=SETTINGS, now=before_session
    )
    db_session.commit()

    # While absent, the team keeps an empty route, so its link still opens.
    assert sorted(absent) == [1, 2, 3]
    assert absent[3] == ([], 0, [])
    after = routes_by_team(db_session)
    assert sorted(after) == [1, 2, 3]
    assert after[3].access_token == old_token
    assert after[3].door_count == len(after[3].address_ids) > 0
    canvass = db_session.get(CanvassSession, case.session_id)
    assert canvass is not None
    meeting = [canvass.meeting_lon, canvass.meeting_lat]
    assert after[3].path[0] == after[3].path[-1] == meeting
    routed = routed_doors(after)
    assert sorted(routed) == sorted(case.address_ids)


def test_member_who_declined_alone_stays_declined(
    case: BondyCase, db_session: Session, before_session: datetime
) -> None:
    alone, other = team_members(db_session, 3)
    alone.status = DECLINED
    db_session.commit()

    mark_team_absent(
        db_session, case.campaign_id, case.session_id, 3, settings=SETTINGS, now=before_session
    )
    assert statuses(db_session)[alone.user_id] == (3, DECLINED, None)
    report = mark_team_present(
        db_session, case.campaign_id, case.session_id, 3, settings=SETTINGS, now=before_session
    )

    after = statuses(db_session)
    assert after[alone.user_id] == (3, DECLINED, None)
    assert after[other.user_id] == (3, PROPOSED, None)
    assert report.teams == (1, 2, 3)
    assert sorted(routes_by_team(db_session)) == [1, 2, 3]


def test_team_absent_twice_is_rejected(
    case: BondyCase, db_session: Session, before_session: datetime
) -> None:
    mark_team_absent(
        db_session, case.campaign_id, case.session_id, 1, settings=SETTINGS, now=before_session
    )
    db_session.commit()

    with pytest.raises(ReplanError) as raised:
        mark_team_absent(
            db_session, case.campaign_id, case.session_id, 1, settings=SETTINGS, now=before_session
        )

    assert raised.value.code == ReplanErrorCode.TEAM_ALREADY_ABSENT


@pytest.mark.parametrize(
    ("team", "code"),
    [
        (1, ReplanErrorCode.TEAM_NOT_ABSENT),
        # Both members of team 2 declined through their own links: nothing to undo.
        (2, ReplanErrorCode.TEAM_NOT_ABSENT),
        (9, ReplanErrorCode.UNKNOWN_TEAM),
    ],
)
def test_present_without_absence_is_rejected(
    case: BondyCase,
    db_session: Session,
    before_session: datetime,
    team: int,
    code: ReplanErrorCode,
) -> None:
    for assignment in team_members(db_session, 2):
        assignment.status = DECLINED
    db_session.commit()
    before = statuses(db_session)
    doors = doors_by_team(db_session)

    with pytest.raises(ReplanError) as raised:
        mark_team_present(
            db_session,
            case.campaign_id,
            case.session_id,
            team,
            settings=SETTINGS,
            now=before_session,
        )
    db_session.rollback()

    assert raised.value.code == code
    assert statuses(db_session) == before
    assert doors_by_team(db_session) == doors


def test_present_after_session_end_is_rejected(
    case: BondyCase, db_session: Session, before_session: datetime
) -> None:
    mark_team_absent(
        db_session, case.campaign_id, case.session_id, 2, settings=SETTINGS, now=before_session
    )
    db_session.commit()
    absent = statuses(db_session)

    with pytest.raises(ReplanError) as raised:
        mark_team_present(
            db_session, case.campaign_id, case.session_id, 2, settings=SETTINGS, now=case.ends_at
        )
    db_session.rollback()

    assert raised.value.code == ReplanErrorCode.SESSION_OVER
    assert statuses(db_session) == absent
    assert routes_by_team(db_session)[2].address_ids == []


def test_lock_ends_member_absence(
    case: BondyCase, db_session: Session, before_session: datetime
) -> None:
    mark_team_absent(
        db_session, case.campaign_id, case.session_id, 2, settings=SETTINGS, now=before_session
    )
    locked, other = team_members(db_session, 2)

    lock_assignment(db_session, case.campaign_id, locked.user_id, case.session_id)
    mark_team_present(
        db_session, case.campaign_id, case.session_id, 2, settings=SETTINGS, now=before_session
    )

    after = statuses(db_session)
    assert after[locked.user_id] == (2, PROPOSED, None)
    assert after[other.user_id] == (2, PROPOSED, None)


def test_reopened_street_doors_are_routed(
    case: BondyCase, db_session: Session, before_session: datetime
) -> None:
    tokens = tokens_by_team(db_session)
    close_street(
        db_session,
        case.campaign_id,
        case.session_id,
        CLOSABLE_STREET,
        settings=SETTINGS,
        now=before_session,
    )
    db_session.commit()
    closed_doors = set(case.addresses_in(CLOSABLE_STREET))
    assert set(routed_doors(routes_by_team(db_session))).isdisjoint(closed_doors)
    assert list_closed_street_names(db_session, case.session_id) == [CLOSABLE_STREET]

    # Any spelling of the name reopens it, as any closes it.
    report = reopen_street(
        db_session,
        case.campaign_id,
        case.session_id,
        "CHEMIN LATERAL",
        settings=SETTINGS,
        now=before_session,
    )
    db_session.commit()

    assert db_session.scalars(select(StreetClosure)).all() == []
    after = routes_by_team(db_session)
    routed = routed_doors(after)
    assert len(routed) == len(set(routed)) == PARC_ADDRESS_COUNT
    assert closed_doors <= set(routed)
    assert tokens_by_team(db_session) == tokens
    assert report.routed_door_count == PARC_ADDRESS_COUNT
    assert report.uncovered_count(UncoveredReason.STREET_CLOSED) == 0
    assert report.uncovered == ()
    assert list_closed_street_names(db_session, case.session_id) == []
    assert list_closable_streets(db_session, case.session_id) == [
        *ADDRESS_ONLY_STREETS,
        CLOSABLE_STREET,
        OTHER_CLOSABLE_STREET,
    ]


# "Route d'Aulnay" is a street of the IRIS, but open; the others are no street of it.
@pytest.mark.parametrize("street", [OTHER_CLOSABLE_STREET, "Rue Imaginaire", "  ", ""])
def test_reopen_open_street_is_rejected(
    case: BondyCase, db_session: Session, before_session: datetime, street: str
) -> None:
    report = close_street(
        db_session,
        case.campaign_id,
        case.session_id,
        CLOSABLE_STREET,
        settings=SETTINGS,
        now=before_session,
    )
    db_session.commit()
    closures = sorted(db_session.scalars(select(StreetClosure.street_way_id)))
    assert report.uncovered_count(UncoveredReason.STREET_CLOSED) == CLOSABLE_STREET_DOORS

    with pytest.raises(ReplanError) as raised:
        reopen_street(
            db_session,
            case.campaign_id,
            case.session_id,
            street,
            settings=SETTINGS,
            now=before_session,
        )
    db_session.rollback()

    assert raised.value.code == ReplanErrorCode.STREET_NOT_CLOSED
    assert sorted(db_session.scalars(select(StreetClosure.street_way_id))) == closures
    assert closures == list(
        db_session.scalars(select(StreetWay.id).where(StreetWay.osm_id == "way/25415571"))
    )


def queued_keys(session: Session, assignment_ids: list[int]) -> list[str]:
    """Return the keys of the queued messages about these assignments, sorted."""
    prefixes = tuple(assignment_key_prefix(i) for i in assignment_ids)
    keys = session.scalars(
        select(Message.idempotency_key).where(Message.status == MessageStatus.QUEUED)
    )
    return sorted(key for key in keys if key.startswith(prefixes))


def test_absence_withdraws_reminders_presence_restores(
    case: BondyCase, db_session: Session, before_session: datetime
) -> None:
    queue_reminders(db_session, case.campaign_id, now=before_session)
    db_session.commit()
    members = [a.id for a in team_members(db_session, 2)]
    others = [a.id for a in team_members(db_session, 1)]
    queued_before = queued_keys(db_session, members)
    others_before = queued_keys(db_session, others)

    mark_team_absent(
        db_session, case.campaign_id, case.session_id, 2, settings=SETTINGS, now=before_session
    )
    db_session.commit()
    queued_absent = queued_keys(db_session, members)
    mark_team_present(
        db_session, case.campaign_id, case.session_id, 2, settings=SETTINGS, now=before_session
    )
    db_session.commit()
    queued_present = queued_keys(db_session, members)

    # Both members agreed to e-mails only: a reminder and a thank-you each, the
    # confirmations having gone out already.
    assert len(queued_before) == 4
    assert queued_absent == []
    # The withdrawn rows come back under a revised key; the confirmations do not repeat.
    assert [key.split(":r")[0] for key in queued_present] == queued_before
    assert all(key.endswith(":r2") for key in queued_present)
    assert queued_keys(db_session, others) == others_before


def test_door_to_come_back_to_goes_with_the_teams_left(
    case: BondyCase, db_session: Session, before_session: datetime
) -> None:
    before = routes_by_team(db_session)
    done, again = before[2].address_ids[:2]
    db_session.add(DoorVisit(route_id=before[2].id, address_id=done, outcome=DoorOutcome.ABSENT))
    db_session.add(
        DoorVisit(route_id=before[2].id, address_id=again, outcome=DoorOutcome.COME_BACK)
    )
    db_session.commit()

    report = mark_team_absent(
        db_session, case.campaign_id, case.session_id, 2, settings=SETTINGS, now=before_session
    )
    db_session.commit()
    absent_lists = doors_by_team(db_session)

    # The absent team keeps only the door done; the door to come back to goes to a team left.
    assert absent_lists[2] == [done]
    assert again in absent_lists[1] + absent_lists[3]
    assert report.visited_door_count == 1
    assert report.routed_door_count == PARC_ADDRESS_COUNT - 1

    mark_team_present(
        db_session, case.campaign_id, case.session_id, 2, settings=SETTINGS, now=before_session
    )
    db_session.commit()

    # Present again, the team has both its doors back, and no other route lists them.
    after = routes_by_team(db_session)
    assert after[2].address_ids[:2] == [done, again]
    routed = routed_doors(after)
    assert len(routed) == len(set(routed)) == PARC_ADDRESS_COUNT
