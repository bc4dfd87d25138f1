"""A volunteer left alone joins another team, on Bondy's real streets."""

from datetime import datetime

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.webapp.planning import three_teams
from tests.webapp.planning.bondy_case import PARC_ADDRESS_COUNT, BondyCase
from tests.webapp.planning.three_teams import (
    doors_by_team,
    routed_doors,
    routes_by_team,
    team_members,
    tokens_by_team,
)
from webapp.models import Assignment, Message
from webapp.models.messaging import MessageStatus
from webapp.models.planning import AssignmentStatus
from webapp.services.reminders import assignment_key_prefix, queue_reminders
from webapp.services.replanning import ReplanError, ReplanErrorCode, ReplanReport
from webapp.services.team_changes import join_other_team, mark_team_absent
from webapp.services.team_partners import count_coming_per_team, partner_team

SETTINGS = three_teams.ROUTE_SETTINGS

seeded, db_connection, case = three_teams.seeded, three_teams.db_connection, three_teams.case
app_context, before_session = three_teams.app_context, three_teams.before_session
# Joining a team writes the volunteer's reminders again, which renders templates.
pytestmark = pytest.mark.usefixtures("app_context")

DECLINED = AssignmentStatus.DECLINED


def decline_first(session: Session, team: int) -> Assignment:
    """Decline the team's first member; return the one left alone."""
    declined, alone = team_members(session, team)
    declined.status = DECLINED
    session.commit()
    return alone


def teams_of(session: Session) -> dict[int, tuple[int, AssignmentStatus]]:
    session.expire_all()
    return {a.user_id: (a.team, a.status) for a in session.scalars(select(Assignment))}


def join(session: Session, case: BondyCase, team: int, now: datetime) -> ReplanReport:
    joined = join_other_team(
        session, case.campaign_id, case.session_id, team, settings=SETTINGS, now=now
    )
    session.commit()
    return joined.report


def test_lone_member_joins_the_lowest_of_the_smallest_teams(
    case: BondyCase, db_session: Session, before_session: datetime
) -> None:
    alone = decline_first(db_session, 3)
    tokens = tokens_by_team(db_session)
    before = teams_of(db_session)

    joined = join_other_team(
        db_session, case.campaign_id, case.session_id, 3, settings=SETTINGS, now=before_session
    )
    db_session.commit()

    report = joined.report
    after = teams_of(db_session)
    # Teams 1 and 2 both have two coming: the tie goes to team 1, which now has three.
    assert joined.joined_team == 1
    assert after[alone.user_id] == (1, AssignmentStatus.PROPOSED)
    assert {user: row for user, row in after.items() if user != alone.user_id} == {
        user: row for user, row in before.items() if user != alone.user_id
    }
    assert report.teams == (1, 2)
    assert report.removed_teams == (3,)
    routes = routes_by_team(db_session)
    # Team 3 keeps its route row, emptied, so the link it was sent still opens.
    assert tokens_by_team(db_session) == tokens
    assert routes[3].address_ids == []
    routed = routed_doors(routes)
    assert len(routed) == len(set(routed)) == PARC_ADDRESS_COUNT == report.routed_door_count
    assert sorted(routed) == sorted(case.address_ids)
    assert report.uncovered == ()


def test_two_lone_members_pair_up(
    case: BondyCase, db_session: Session, before_session: datetime
) -> None:
    stays = decline_first(db_session, 2)
    moves = decline_first(db_session, 3)

    report = join(db_session, case, 3, before_session)

    after = teams_of(db_session)
    assert after[moves.user_id][0] == after[stays.user_id][0] == 2
    assert report.teams == (1, 2)
    assert count_coming_per_team(
        (a.team, a.status == DECLINED) for a in team_members(db_session, 2)
    ) == {2: 2}


def test_joined_volunteer_gets_reminders_with_the_new_route(
    case: BondyCase, db_session: Session, before_session: datetime
) -> None:
    queue_reminders(db_session, case.campaign_id, now=before_session)
    db_session.commit()
    alone = decline_first(db_session, 3)
    prefix = assignment_key_prefix(alone.id)

    def queued() -> list[Message]:
        rows = db_session.scalars(
            select(Message)
            .where(Message.status == MessageStatus.QUEUED)
            .order_by(Message.idempotency_key)
        )
        return [row for row in rows if row.idempotency_key.startswith(prefix)]

    keys_before = [row.idempotency_key for row in queued()]

    join(db_session, case, 3, before_session)

    rows = queued()
    # A reminder and a thank-you, written again under a revised key.
    assert len(keys_before) == 2
    assert [row.idempotency_key for row in rows] == [f"{key}:r2" for key in keys_before]
    new_token = routes_by_team(db_session)[1].access_token
    reminder = [row for row in rows if "reminder" in row.idempotency_key]
    assert len(reminder) == 1
    assert new_token in (reminder[0].body or "")


@pytest.mark.parametrize(
    ("setup", "team", "code"),
    [
        ("none", 3, ReplanErrorCode.TEAM_NOT_ALONE),
        ("absent", 3, ReplanErrorCode.TEAM_NOT_ALONE),
        ("others_absent", 3, ReplanErrorCode.NO_OTHER_TEAM),
        ("none", 9, ReplanErrorCode.UNKNOWN_TEAM),
    ],
)
def test_join_is_refused_and_changes_nothing(
    case: BondyCase,
    db_session: Session,
    before_session: datetime,
    *,
    setup: str,
    team: int,
    code: ReplanErrorCode,
) -> None:
    if setup == "absent":
        for member in team_members(db_session, 3):
            member.status = DECLINED
        db_session.commit()
    if setup == "others_absent":
        decline_first(db_session, 3)
        for absent in (1, 2):
            mark_team_absent(
                db_session,
                case.campaign_id,
                case.session_id,
                absent,
                settings=SETTINGS,
                now=before_session,
            )
        db_session.commit()
    before = teams_of(db_session)
    routes_before = doors_by_team(db_session)

    with pytest.raises(ReplanError) as raised:
        join_other_team(
            db_session,
            case.campaign_id,
            case.session_id,
            team,
            settings=SETTINGS,
            now=before_session,
        )
    db_session.rollback()

    assert raised.value.code == code
    assert teams_of(db_session) == before
    assert doors_by_team(db_session) == routes_before


@pytest.mark.parametrize(
    ("coming", "team", "expected"),
    [
        ({1: 2, 2: 2, 3: 1}, 3, 1),
        ({1: 2, 2: 1, 3: 1}, 3, 2),
        ({1: 3, 2: 2, 5: 1}, 5, 2),
        ({1: 0, 2: 1}, 2, None),
        ({2: 1}, 2, None),
        ({1: 2, 2: 0, 3: 1}, 3, 1),
    ],
)
def test_partner_team(coming: dict[int, int], team: int, expected: int | None) -> None:
    assert partner_team(coming, team) == expected


def test_count_coming_counts_teams_with_nobody_coming() -> None:
    pairs = [(1, False), (1, True), (2, True), (2, True), (3, False), (3, False)]
    assert count_coming_per_team(pairs) == {1: 1, 2: 0, 3: 2}
