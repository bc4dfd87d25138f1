"""Route notices wait two minutes, so that a change undone or followed by another sends one.

Bondy's case with three teams, whose six volunteers agreed to e-mails only. A team marked
absent by mistake and present again a minute later is the case users met: the other teams
got two messages in a row.
"""

from datetime import datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.webapp.planning import three_teams
from tests.webapp.planning.bondy_case import BondyCase
from tests.webapp.planning.replan_steps import (
    absent,
    close_the_street,
    mark_present,
    notify,
    present,
    reopen_the_street,
)
from tests.webapp.planning.three_teams import (
    changed_teams,
    door_sets_by_team,
    doors_by_team,
    members_coming,
    record_nobody_home,
    routes_by_team,
)
from tests.webapp.planning.three_teams import route_change_notices as notices
from webapp.models import Assignment, Message
from webapp.models.messaging import MessageStatus
from webapp.services.delivery import deliver_messages
from webapp.services.message_batch import WITHDRAWN_REASON
from webapp.services.more_doors import give_team_more_doors
from webapp.services.route_notice_state import ROUTE_NOTICE_HOLD
from webapp.services.route_notices import RouteNotices

seeded, db_connection, case = three_teams.seeded, three_teams.db_connection, three_teams.case

MINUTE = timedelta(minutes=1)
WITHDRAWN = (MessageStatus.SUPPRESSED, WITHDRAWN_REASON)


app_context, an_hour_before = three_teams.app_context, three_teams.an_hour_before
# Notices and reminders are rendered from templates.
pytestmark = pytest.mark.usefixtures("app_context")


def states(messages: list[Message]) -> list[tuple[MessageStatus, str | None]]:
    return [(message.status, message.failure_reason) for message in messages]


def test_absent_then_present_within_the_hold(
    case: BondyCase, db_session: Session, an_hour_before: datetime
) -> None:
    published = door_sets_by_team(db_session)

    first = absent(db_session, case, 2, an_hour_before)
    notified_first = members_coming(
        db_session, changed_teams(published, door_sets_by_team(db_session))
    )
    second = present(db_session, case, 2, an_hour_before + MINUTE)
    deliver_messages(
        db_session,
        [message.id for message in notices(db_session)],
        now=an_hour_before + MINUTE + ROUTE_NOTICE_HOLD,
    )

    # Team 2's doors went to the other teams: their notices waited, and were withdrawn.
    assert notified_first != []
    assert sorted(message.user_id for message in first.queued) == notified_first
    assert [message.id for message in second.withdrawn] == [m.id for m in first.queued]
    rows = {message.id: message for message in notices(db_session)}
    assert states([rows[message.id] for message in first.queued]) == [WITHDRAWN] * len(
        notified_first
    )
    # Back to three teams, only a team whose doors differ from those of the published
    # plan hears again, once.
    changed = changed_teams(published, door_sets_by_team(db_session))
    assert sorted(message.user_id for message in second.queued) == members_coming(
        db_session, changed
    )
    assert states([rows[message.id] for message in second.queued]) == [
        (MessageStatus.SENT, None)
    ] * len(second.queued)


def test_doors_back_as_notified_send_nothing(
    case: BondyCase, db_session: Session, an_hour_before: datetime
) -> None:
    published = doors_by_team(db_session)
    first = absent(db_session, case, 3, an_hour_before)
    report = mark_present(db_session, case, 3, an_hour_before)
    # Whatever the solver found, give each team the doors of the published plan again.
    for team, route in routes_by_team(db_session).items():
        route.address_ids = published[team]
    db_session.flush()

    second = notify(db_session, report, an_hour_before + MINUTE)

    assert first.queued != []
    assert second.queued == []
    assert [message.id for message in second.withdrawn] == [m.id for m in first.queued]
    assert states(notices(db_session)) == [WITHDRAWN] * len(first.queued)


def test_two_changes_within_the_hold_send_one_notice(
    case: BondyCase, db_session: Session, an_hour_before: datetime
) -> None:
    published = door_sets_by_team(db_session)
    first = notify(db_session, close_the_street(db_session, case, an_hour_before), an_hour_before)
    notified_first = members_coming(
        db_session, changed_teams(published, door_sets_by_team(db_session))
    )

    second = absent(db_session, case, 3, an_hour_before + MINUTE)

    changed = changed_teams(published, door_sets_by_team(db_session))
    rows = {message.id: message for message in notices(db_session)}
    live = [message for message in rows.values() if message.status == MessageStatus.QUEUED]
    team_3 = members_coming(db_session, [3])
    assert team_3 == []
    assert sorted(message.user_id for message in first.queued) == notified_first
    assert states([rows[message.id] for message in first.queued]) == [WITHDRAWN] * len(
        notified_first
    )
    # Marking team 3 absent withdrew its members' messages already; this re-planning
    # withdrew the others.
    absent_ids = set(case.volunteer_ids[4:])
    assert [message.id for message in second.withdrawn] == [
        message.id for message in first.queued if message.user_id not in absent_ids
    ]
    # One notice per volunteer, with where things stand after both changes.
    assert [message.id for message in live] == [message.id for message in second.queued]
    assert sorted(message.user_id for message in live) == members_coming(db_session, changed)
    assert {message.send_after for message in live} == {an_hour_before + MINUTE + ROUTE_NOTICE_HOLD}


def test_notice_past_its_hold_is_kept(
    case: BondyCase, db_session: Session, an_hour_before: datetime
) -> None:
    first = notify(db_session, close_the_street(db_session, case, an_hour_before), an_hour_before)
    closed = door_sets_by_team(db_session)
    later = an_hour_before + ROUTE_NOTICE_HOLD + MINUTE

    # Its send job has not run yet, but its hold is over: the team counts as notified.
    second = notify(db_session, reopen_the_street(db_session, case, later), later)

    rows = {message.id: message for message in notices(db_session)}
    assert second.withdrawn == []
    assert states([rows[message.id] for message in first.queued]) == [
        (MessageStatus.QUEUED, None)
    ] * len(first.queued)
    changed = changed_teams(closed, door_sets_by_team(db_session))
    assert changed != []
    assert sorted(message.user_id for message in second.queued) == members_coming(
        db_session, changed
    )


def test_change_before_the_window_counts_as_notified(case: BondyCase, db_session: Session) -> None:
    two_days_before = case.starts_at - timedelta(days=2)
    published = {
        team: route.notified_address_ids for team, route in routes_by_team(db_session).items()
    }

    result = absent(db_session, case, 2, two_days_before)

    routes = routes_by_team(db_session)
    assert result == RouteNotices(queued=[], withdrawn=[])
    # The reminders still to come carry the links of teams 1 and 3; team 2 has no walk.
    for team in (1, 3):
        assert routes[team].notified_address_ids == routes[team].address_ids
        assert routes[team].notified_assignment_ids == [
            assignment.id
            for assignment in db_session.scalars(
                select(Assignment).where(Assignment.team == team).order_by(Assignment.id)
            )
        ]
        assert routes[team].notice_held_until is None
    assert routes[2].notified_address_ids == published[2]
    assert sorted(published[2] or []) != []


def test_more_doors_leave_held_notices_standing(case: BondyCase, db_session: Session) -> None:
    start = case.starts_at
    team_one = routes_by_team(db_session)[1]
    done = list(team_one.address_ids)
    record_nobody_home(db_session, team_one, done, start + 10 * MINUTE)
    published = door_sets_by_team(db_session)
    closed_at = start + 20 * MINUTE
    closed = notify(db_session, close_the_street(db_session, case, closed_at), closed_at)
    changed = changed_teams(published, door_sets_by_team(db_session))
    # The last two doors of the team with most doors are taken off its route: no route
    # has them now.
    routes = routes_by_team(db_session)
    longest = max((2, 3), key=lambda team: len(routes[team].address_ids))
    spare = list(routes[longest].address_ids[-2:])
    routes[longest].address_ids = list(routes[longest].address_ids[:-2])
    db_session.commit()

    report = give_team_more_doors(
        db_session,
        case.campaign_id,
        case.session_id,
        1,
        settings=three_teams.ROUTE_SETTINGS,
        now=closed_at + MINUTE,
    )
    notify(db_session, report, closed_at + MINUTE)

    # The closed street changed teams still out; team 1 finished and kept its route.
    assert changed
    assert 1 not in changed
    assert closed.queued
    # Team 1 took the doors no route had, and the other routes stayed as they were.
    assert set(doors_by_team(db_session)[1]) - set(done) == set(spare)
    # Each member of a team the closed street changed still has a notice waiting,
    # withdrawn and written again or not, and team 1's members get one.
    waiting = {m.user_id for m in notices(db_session) if states([m]) != [WITHDRAWN]}
    assert set(members_coming(db_session, [*changed, 1])) <= waiting
