"""Volunteers notified on the day that a re-planning changed their route, in Bondy.

The case's six volunteers agreed to e-mails only, and some tests give one of them SMS.
Notices wait two minutes; `send_held` delivers them through the in-process outbox at
the end of that wait.
"""

from collections import Counter
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from messaging.providers.base import FailureReason
from messaging.segments import count_sms_segments
from tests.factories import make_consents
from tests.webapp.accounts.outbox import read_outbox
from tests.webapp.planning import three_teams
from tests.webapp.planning.bondy_case import CLOSABLE_STREET, PARC_ADDRESS_COUNT, BondyCase
from tests.webapp.planning.three_teams import (
    ROUTE_LINK,
    SESSION,
    changed_teams,
    door_sets_by_team,
    members_coming,
    record_nobody_home,
    routes_by_team,
    team_members,
    tokens_by_team,
)
from tests.webapp.planning.three_teams import route_change_notices as notices
from webapp.models import Assignment, DoorVisit, Message, Suppression, User
from webapp.models.messaging import MessageStatus
from webapp.models.planning import AssignmentStatus
from webapp.models.users import Channel
from webapp.services.delivery import deliver_messages
from webapp.services.replanning import ReplanReport, RouteChange, close_street, reopen_street
from webapp.services.route_notice_state import ROUTE_NOTICE_HOLD
from webapp.services.route_notices import notify_route_changes
from webapp.services.team_changes import join_other_team, mark_team_absent, mark_team_present
from webapp.settings import Settings

SETTINGS = three_teams.ROUTE_SETTINGS

seeded, db_connection, case = three_teams.seeded, three_teams.db_connection, three_teams.case

DECLINED = AssignmentStatus.DECLINED
SUBJECT = f"Votre parcours de porte-à-porte du {SESSION} a changé"
PHONE = "+33612345678"


app_context, an_hour_before = three_teams.app_context, three_teams.an_hour_before
# Notices and reminders are rendered from templates.
pytestmark = pytest.mark.usefixtures("app_context")


def to_visit(session: Session) -> dict[int, set[int]]:
    """Return each team's doors still to visit, read afresh."""
    routes = routes_by_team(session)
    visited = set(session.scalars(select(DoorVisit.address_id)))
    return {team: set(route.address_ids) - visited for team, route in routes.items()}


def team_of(session: Session) -> dict[int, int]:
    rows = session.execute(select(Assignment.user_id, Assignment.team))
    return {user_id: team for user_id, team in rows}


def doors_sentence(count: int) -> str:
    """Return the e-mail's line about the doors left, before the link."""
    if count == 0:
        return (
            "Votre équipe n’a plus aucune adresse à visiter. Ouvrez le parcours sur votre "
            "téléphone pour le voir :"
        )
    noun = "adresse" if count == 1 else "adresses"
    return (
        f"Votre équipe a désormais {count} {noun} à visiter. Ouvrez le parcours sur votre "
        "téléphone pour voir la nouvelle liste :"
    )


def doors_sentence_of_team(count: int) -> str:
    """Return the line about the doors left of a notice about a team change."""
    if count == 0:
        return doors_sentence(0)
    noun = "adresse" if count == 1 else "adresses"
    return f"Votre équipe a {count} {noun} à visiter. Ouvrez le parcours sur votre téléphone :"


def teams_on_street(before: dict[int, set[int]], case: BondyCase) -> list[int]:
    """Return the teams with doors still to visit on the closable street."""
    closed = set(case.addresses_in(CLOSABLE_STREET))
    return sorted(team for team, doors in before.items() if doors & closed)


def close_and_notify(
    session: Session, case: BondyCase, now: datetime
) -> tuple[ReplanReport, list[Message]]:
    report = close_street(
        session, case.campaign_id, case.session_id, CLOSABLE_STREET, settings=SETTINGS, now=now
    )
    queued = notify_route_changes(session, report, now=now).queued
    session.commit()
    return report, queued


def send_held(session: Session, messages: list[Message], now: datetime) -> None:
    """Deliver the notices as their send job does once the hold after `now` is over."""
    deliver_messages(session, [message.id for message in messages], now=now + ROUTE_NOTICE_HOLD)


def test_closed_street_notifies_changed_teams(
    case: BondyCase, db_session: Session, settings: Settings, an_hour_before: datetime
) -> None:
    before = to_visit(db_session)

    report, sent = close_and_notify(db_session, case, an_hour_before)
    held = {(row.status, row.send_after) for row in notices(db_session)}
    send_held(db_session, sent, an_hour_before)

    after = to_visit(db_session)
    changed = changed_teams(before, after)
    # The teams with doors on the closed street changed, and only they did.
    assert changed == teams_on_street(before, case)
    assert 0 < len(changed) < 3
    assert report.changed_routes == tuple(RouteChange(team, len(after[team])) for team in changed)
    assert sum(len(doors) for doors in after.values()) == report.routed_door_count
    rows = notices(db_session)
    assert [row.id for row in rows] == [message.id for message in sent]
    assert sorted(row.user_id for row in rows) == members_coming(db_session, changed)
    assert {row.channel for row in rows} == {Channel.EMAIL}
    # Held for two minutes, then sent.
    assert held == {(MessageStatus.QUEUED, an_hour_before + ROUTE_NOTICE_HOLD)}
    assert {row.status for row in rows} == {MessageStatus.SENT}
    teams, links = team_of(db_session), tokens_by_team(db_session)
    users = db_session.execute(select(User.id, User.first_name))
    names = {user_id: name for user_id, name in users}
    for row in rows:
        team = teams[row.user_id]
        lines = row.body.splitlines()
        assert row.subject == SUBJECT
        assert lines[0] == f"Bonjour {names[row.user_id]},"
        assert lines[2] == (
            "Le parcours de votre équipe pour la session de porte-à-porte du samedi "
            "6 mars 2027 à 09:00 (Le Parc du Château) a changé."
        )
        assert lines[3] == doors_sentence(len(after[team]))
        assert lines[4] == f"{ROUTE_LINK}{links[team]}"
    sent_to = sorted(entry["to"] for entry in read_outbox(Path(settings.outbox_path)))
    assert sent_to == sorted(row.recipient for row in rows)


@pytest.mark.parametrize(
    ("before_start", "is_notified"),
    [
        (timedelta(days=2), False),
        (timedelta(hours=3, seconds=1), False),
        (timedelta(hours=3), True),
        (-timedelta(minutes=30), True),
    ],
)
def test_notice_window(
    case: BondyCase, db_session: Session, before_start: timedelta, is_notified: bool
) -> None:
    report, sent = close_and_notify(db_session, case, case.starts_at - before_start)

    # The routes changed either way, and only the time decides whether anyone is notified.
    assert report.changed_routes != ()
    assert (sent != []) is is_notified
    assert len(notices(db_session)) == len(sent)


def test_closed_street_keeps_other_team_route(
    case: BondyCase, db_session: Session, an_hour_before: datetime
) -> None:
    routes = routes_by_team(db_session)
    on_street = teams_on_street(to_visit(db_session), case)
    # Which teams the plan sends down the street depends on the search; one team has no
    # door there.
    other = min({1, 2, 3} - set(on_street))
    kept = (list(routes[other].address_ids), routes[other].length_m)
    path = [coordinate for point in routes[other].path for coordinate in point]

    report, _ = close_and_notify(db_session, case, an_hour_before)

    after = routes_by_team(db_session)[other]
    assert (after.address_ids, after.length_m) == kept
    # Doors snapped to the graph without the closed ways move by float rounding alone.
    assert [coordinate for point in after.path for coordinate in point] == pytest.approx(
        path, abs=1e-9
    )
    assert [change.team for change in report.changed_routes] == on_street
    teams = team_of(db_session)
    assert {teams[row.user_id] for row in notices(db_session)} == set(on_street)
    assert sorted(row.user_id for row in notices(db_session)) == members_coming(
        db_session, on_street
    )


def test_unchanged_team_not_notified(case: BondyCase, db_session: Session) -> None:
    closed = set(case.addresses_in(CLOSABLE_STREET))
    # Team 2 visited all its doors, and the other teams every door off the closed street.
    for team, route in routes_by_team(db_session).items():
        done = [a for a in route.address_ids if team == 2 or a not in closed]
        record_nobody_home(db_session, route, done, case.starts_at + timedelta(minutes=30))
    before = to_visit(db_session)

    report, _ = close_and_notify(db_session, case, case.starts_at + timedelta(minutes=40))

    # Every door left was on the closed street: teams that had some now have none, and
    # team 2, which had none, has none still.
    assert before[2] == set()
    changed = sorted(team for team, doors in before.items() if doors)
    assert changed != []
    assert to_visit(db_session) == {1: set(), 2: set(), 3: set()}
    assert report.changed_routes == tuple(RouteChange(team, 0) for team in changed)
    rows = notices(db_session)
    assert sorted(row.user_id for row in rows) == members_coming(db_session, changed)
    assert {team_of(db_session)[row.user_id] for row in rows} == set(changed)
    assert {row.body.splitlines()[3] for row in rows} == {doors_sentence(0)}


def test_declined_member_not_notified(
    case: BondyCase, db_session: Session, an_hour_before: datetime
) -> None:
    before = to_visit(db_session)
    team = teams_on_street(before, case)[0]
    declined, partner = team_members(db_session, team)
    declined.status = DECLINED
    db_session.commit()

    report, _ = close_and_notify(db_session, case, an_hour_before)

    changed = [change.team for change in report.changed_routes]
    notified = sorted(row.user_id for row in notices(db_session))
    assert team in changed
    assert declined.user_id not in notified
    assert partner.user_id in notified
    assert notified == members_coming(db_session, changed)


def test_sms_volunteer_gets_one_sms(
    case: BondyCase, db_session: Session, an_hour_before: datetime
) -> None:
    team = teams_on_street(to_visit(db_session), case)[0]
    member = team_members(db_session, team)[0]
    user = member.user
    user.phone_e164 = PHONE
    make_consents(db_session, user=user, email=True, sms=True)
    db_session.commit()

    _, sent = close_and_notify(db_session, case, an_hour_before)
    send_held(db_session, sent, an_hour_before)

    count = len(to_visit(db_session)[team])
    rows = [row for row in notices(db_session) if row.user_id == user.id]
    assert [(row.channel, row.recipient, row.status) for row in rows] == [
        (Channel.SMS, PHONE, MessageStatus.SENT)
    ]
    noun = "adresse" if count == 1 else "adresses"
    assert rows[0].body == (
        f"Tournee : votre parcours a changé ({count} {noun} à visiter). "
        f"Ouvrez-le : {ROUTE_LINK}{tokens_by_team(db_session)[team]}"
    )
    assert count_sms_segments(rows[0].body).segments == 1


def test_opted_out_number_is_suppressed_on_delivery(
    case: BondyCase, db_session: Session, an_hour_before: datetime
) -> None:
    team = teams_on_street(to_visit(db_session), case)[0]
    user = team_members(db_session, team)[0].user
    user.phone_e164 = PHONE
    make_consents(db_session, user=user, email=True, sms=True)
    db_session.add(
        Suppression(campaign_id=case.campaign_id, channel=Channel.SMS, address=PHONE, reason="stop")
    )
    db_session.commit()

    _, sent = close_and_notify(db_session, case, an_hour_before)
    send_held(db_session, sent, an_hour_before)

    rows = [row for row in notices(db_session) if row.user_id == user.id]
    assert [(row.channel, row.status, row.failure_reason) for row in rows] == [
        (Channel.SMS, MessageStatus.SUPPRESSED, FailureReason.OPTED_OUT)
    ]


def test_two_replannings_send_two_notices(
    case: BondyCase, db_session: Session, an_hour_before: datetime
) -> None:
    before = to_visit(db_session)
    close_and_notify(db_session, case, an_hour_before)
    closed = to_visit(db_session)
    later = an_hour_before + timedelta(minutes=10)
    report = reopen_street(
        db_session,
        case.campaign_id,
        case.session_id,
        CLOSABLE_STREET,
        settings=SETTINGS,
        now=later,
    )
    # Ten minutes on, the first notices went out: the second ones compare with them.
    notify_route_changes(db_session, report, now=later)
    db_session.commit()

    expected = members_coming(db_session, changed_teams(before, closed)) + members_coming(
        db_session, changed_teams(closed, to_visit(db_session))
    )
    rows = notices(db_session)
    assert Counter(row.user_id for row in rows) == Counter(expected)
    assert len({row.idempotency_key for row in rows}) == len(rows)
    first = team_members(db_session, 1)[0]
    keys = [row.idempotency_key for row in rows if row.user_id == first.user_id]
    prefix = f"assignment:{first.id}:route_changed:email:"
    assert set(keys) <= {f"{prefix}20270306T070000.000000Z", f"{prefix}20270306T071000.000000Z"}


def test_retried_notices_sent_once(
    case: BondyCase, db_session: Session, settings: Settings, an_hour_before: datetime
) -> None:
    report, sent = close_and_notify(db_session, case, an_hour_before)

    again = notify_route_changes(db_session, report, now=an_hour_before)
    db_session.commit()
    send_held(db_session, sent, an_hour_before)
    # A send job run again finds every notice sent already.
    send_held(db_session, sent, an_hour_before)

    assert sent != []
    assert again.queued == []
    assert again.withdrawn == []
    assert len(notices(db_session)) == len(sent)
    assert {row.status for row in notices(db_session)} == {MessageStatus.SENT}
    assert len(read_outbox(Path(settings.outbox_path))) == len(sent)


def test_absent_team_not_notified(
    case: BondyCase, db_session: Session, an_hour_before: datetime
) -> None:
    before = to_visit(db_session)

    report = mark_team_absent(
        db_session, case.campaign_id, case.session_id, 3, settings=SETTINGS, now=an_hour_before
    )
    notify_route_changes(db_session, report, now=an_hour_before)
    db_session.commit()

    after = to_visit(db_session)
    changed = sorted(team for team in (1, 2) if after[team] != before[team])
    assert [change.team for change in report.changed_routes] == changed
    assert after[3] == set()
    assert sum(len(after[team]) for team in (1, 2)) == PARC_ADDRESS_COUNT
    notified = sorted(row.user_id for row in notices(db_session))
    assert notified == members_coming(db_session, changed)
    assert {team_of(db_session)[user_id] for user_id in notified} <= {1, 2}


def test_team_present_again_compared_with_notified(
    case: BondyCase, db_session: Session, an_hour_before: datetime
) -> None:
    links = tokens_by_team(db_session)
    published = door_sets_by_team(db_session)
    two_days_before = case.starts_at - timedelta(days=2)
    report = mark_team_absent(
        db_session, case.campaign_id, case.session_id, 2, settings=SETTINGS, now=two_days_before
    )
    assert notify_route_changes(db_session, report, now=two_days_before).queued == []
    db_session.commit()
    # Two days before, the reminders still to come carry the links of the routes as cut
    # for two teams: that is what teams 1 and 3 count as notified of.
    absent = door_sets_by_team(db_session)

    report = mark_team_present(
        db_session, case.campaign_id, case.session_id, 2, settings=SETTINGS, now=an_hour_before
    )
    notify_route_changes(db_session, report, now=an_hour_before)
    db_session.commit()

    after = door_sets_by_team(db_session)
    notified = {1: absent[1], 2: published[2], 3: absent[3]}
    changed = sorted(team for team in (1, 2, 3) if after[team] != notified[team])
    # Cut for three teams again, teams 1 and 3 give doors back to team 2.
    assert 1 in changed
    assert 3 in changed
    assert sorted(row.user_id for row in notices(db_session)) == members_coming(db_session, changed)
    teams = team_of(db_session)
    rows = [row for row in notices(db_session) if teams[row.user_id] == 2]
    # Team 2 was notified of its route when the plan was published, and gets a notice only if
    # its doors differ from those now.
    assert (rows != []) is (after[2] != published[2])
    assert {row.body.splitlines()[4] for row in rows} <= {f"{ROUTE_LINK}{links[2]}"}


def test_joined_volunteer_gets_new_link(
    case: BondyCase, db_session: Session, an_hour_before: datetime
) -> None:
    declined, alone = team_members(db_session, 3)
    declined.status = DECLINED
    db_session.commit()

    report = join_other_team(
        db_session, case.campaign_id, case.session_id, 3, settings=SETTINGS, now=an_hour_before
    ).report
    notify_route_changes(db_session, report, now=an_hour_before)
    db_session.commit()

    rows = [row for row in notices(db_session) if row.user_id == alone.user_id]
    mates = " et ".join(member.user.first_name for member in team_members(db_session, 1)[:2])
    assert len(rows) == 1
    assert rows[0].body.splitlines()[2:5] == [
        "Pour la session de porte-à-porte du samedi 6 mars 2027 à 09:00 (Le Parc du Château),"
        f" vous faites désormais équipe avec {mates}.",
        doors_sentence_of_team(len(to_visit(db_session)[1])),
        f"{ROUTE_LINK}{tokens_by_team(db_session)[1]}",
    ]
    assert declined.user_id not in {row.user_id for row in notices(db_session)}


def test_join_without_door_change_tells_the_team(case: BondyCase, db_session: Session) -> None:
    declined, alone = team_members(db_session, 3)
    declined.status = DECLINED
    db_session.commit()
    # Team 3 visited every door of its route, so it leaves none to share.
    team_three = routes_by_team(db_session)[3]
    record_nobody_home(
        db_session, team_three, list(team_three.address_ids), case.starts_at + timedelta(minutes=30)
    )
    before = to_visit(db_session)
    now = case.starts_at + timedelta(minutes=40)

    report = join_other_team(
        db_session, case.campaign_id, case.session_id, 3, settings=SETTINGS, now=now
    ).report
    notify_route_changes(db_session, report, now=now)
    db_session.commit()

    assert to_visit(db_session) == before
    assert report.changed_routes == ()
    # The team's doors did not change, but its members did, so each member gets a notice.
    rows = notices(db_session)
    assert sorted(row.user_id for row in rows) == members_coming(db_session, [1])
    joiner = [row for row in rows if row.user_id == alone.user_id]
    assert len(joiner) == 1
    assert f"{ROUTE_LINK}{tokens_by_team(db_session)[1]}" in joiner[0].body.splitlines()
