"""The reminder sequence of an assignment: rows, send times, keys and custom offsets."""

from dataclasses import dataclass
from datetime import datetime, timedelta

import pytest
from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.factories import (
    at_utc,
    make_assignment,
    make_campaign,
    make_canvass_session,
    make_commune,
    make_consents,
    make_iris,
    make_route,
    make_user,
)
from webapp.models import Assignment, Campaign, CanvassSession, Message, User
from webapp.models.messaging import MessagePurpose, MessageStatus
from webapp.models.planning import AssignmentStatus, SessionStatus
from webapp.models.users import Channel
from webapp.services.notifications import queue_assignment_messages
from webapp.services.reminders import ReminderOffsets

# Saturday 13 March 2027, 09:30-11:30 in Paris (UTC+1).
STARTS_AT = at_utc(2027, 3, 13, 8, 30)
NOW = at_utc(2027, 3, 1, 12, 0)


@dataclass(frozen=True)
class Case:
    campaign: Campaign
    canvass: CanvassSession
    volunteer: User
    assignment: Assignment


@pytest.fixture
def case(db_session: Session) -> Case:
    make_commune(db_session)
    campaign = make_campaign(db_session)
    make_iris(db_session)
    canvass = make_canvass_session(
        db_session, campaign=campaign, iris_code="930100101", starts_at=STARTS_AT
    )
    volunteer = make_user(db_session, campaign=campaign)
    make_consents(db_session, user=volunteer)
    assignment = make_assignment(db_session, canvass_session=canvass, user=volunteer)
    make_route(db_session, canvass_session=canvass)
    db_session.commit()
    return Case(campaign, canvass, volunteer, assignment)


def queue(
    app: Flask, db_session: Session, campaign: Campaign, now: datetime = NOW
) -> list[Message]:
    with app.app_context():
        created = queue_assignment_messages(db_session, campaign.id, now=now)
        db_session.commit()
    return created


def rows(db_session: Session) -> list[tuple[str, str, str, datetime | None]]:
    db_session.expire_all()
    return [
        (m.idempotency_key, str(m.purpose), str(m.channel), m.send_after)
        for m in db_session.scalars(select(Message).order_by(Message.id))
    ]


def test_sequence_rows_and_times(app: Flask, db_session: Session, case: Case) -> None:
    queue(app, db_session, case.campaign)

    prefix = f"assignment:{case.assignment.id}"
    assert rows(db_session) == [
        (f"{prefix}:assignment_confirmation:email", "assignment_confirmation", "email", None),
        (f"{prefix}:assignment_confirmation:sms", "assignment_confirmation", "sms", None),
        (
            f"{prefix}:session_reminder:email:20270313T0830Z",
            "session_reminder",
            "email",
            at_utc(2027, 3, 12, 8, 30),
        ),
        (
            f"{prefix}:session_reminder:sms:20270313T0830Z",
            "session_reminder",
            "sms",
            at_utc(2027, 3, 12, 8, 30),
        ),
        (
            f"{prefix}:session_soon:sms:20270313T0830Z",
            "session_soon",
            "sms",
            at_utc(2027, 3, 13, 6, 30),
        ),
        (
            f"{prefix}:session_thanks:email:20270313T0830Z",
            "session_thanks",
            "email",
            at_utc(2027, 3, 13, 11, 30),
        ),
    ]


def test_confirmations_sent_reminders_wait(app: Flask, db_session: Session, case: Case) -> None:
    queue(app, db_session, case.campaign)

    db_session.expire_all()
    status = {m.purpose: m.status for m in db_session.scalars(select(Message))}
    assert status == {
        MessagePurpose.ASSIGNMENT_CONFIRMATION: MessageStatus.SENT,
        MessagePurpose.SESSION_REMINDER: MessageStatus.QUEUED,
        MessagePurpose.SESSION_SOON: MessageStatus.QUEUED,
        MessagePurpose.SESSION_THANKS: MessageStatus.QUEUED,
    }


def test_second_run_adds_nothing(app: Flask, db_session: Session, case: Case) -> None:
    queue(app, db_session, case.campaign)
    before = rows(db_session)

    assert queue(app, db_session, case.campaign) == []
    assert rows(db_session) == before


def test_texts_carry_links_and_place(app: Flask, db_session: Session, case: Case) -> None:
    queue(app, db_session, case.campaign)

    db_session.expire_all()
    by_key = {(m.purpose, m.channel): m for m in db_session.scalars(select(Message))}
    reminder = by_key[(MessagePurpose.SESSION_REMINDER, Channel.EMAIL)]
    assert "http://127.0.0.1:5000/reponse/" in reminder.body
    assert "/confirmer" in reminder.body
    assert "/annuler" in reminder.body
    assert "http://127.0.0.1:5000/desinscription/" in reminder.body
    soon = by_key[(MessagePurpose.SESSION_SOON, Channel.SMS)].body
    assert "Parvis de la mairie" in soon
    assert "http://127.0.0.1:5000/parcours/route-token-0123456789abcdef" in soon
    assert "09:30" in soon
    sms_reminder = by_key[(MessagePurpose.SESSION_REMINDER, Channel.SMS)].body
    assert "http://127.0.0.1:5000/reponse/" in sms_reminder
    assert "/desinscription/" not in sms_reminder


def test_consent_limits_channels(app: Flask, db_session: Session, case: Case) -> None:
    other = make_user(
        db_session, email="sms.seul@example.org", phone_e164="+33698765432", campaign=case.campaign
    )
    make_consents(db_session, user=other, email=False, sms=True)
    assignment = make_assignment(db_session, canvass_session=case.canvass, user=other)
    db_session.commit()

    queue(app, db_session, case.campaign)

    prefix = f"assignment:{assignment.id}:"
    mine = [
        (purpose, channel)
        for key, purpose, channel, _ in rows(db_session)
        if key.startswith(prefix)
    ]
    # Without e-mail consent the thank-you goes by SMS.
    assert mine == [
        ("assignment_confirmation", "sms"),
        ("session_reminder", "sms"),
        ("session_soon", "sms"),
        ("session_thanks", "sms"),
    ]


def test_campaign_offsets_move_the_times(app: Flask, db_session: Session, case: Case) -> None:
    case.campaign.reminder_offsets = {"day_before": -2880, "soon": -60, "thanks": 30}
    db_session.commit()

    queue(app, db_session, case.campaign)

    times = {(purpose, channel): at for _, purpose, channel, at in rows(db_session)}
    assert times[("session_reminder", "email")] == at_utc(2027, 3, 11, 8, 30)
    assert times[("session_soon", "sms")] == at_utc(2027, 3, 13, 7, 30)
    assert times[("session_thanks", "email")] == at_utc(2027, 3, 13, 11, 0)


def test_past_reminders_are_not_written(app: Flask, db_session: Session, case: Case) -> None:
    queue(app, db_session, case.campaign, now=STARTS_AT - timedelta(hours=3))

    assert [(p, c) for _, p, c, _ in rows(db_session)] == [
        ("assignment_confirmation", "email"),
        ("assignment_confirmation", "sms"),
        ("session_soon", "sms"),
        ("session_thanks", "email"),
    ]


def test_removed_assignment_loses_its_pending_reminders(
    app: Flask, db_session: Session, case: Case
) -> None:
    queue(app, db_session, case.campaign)
    db_session.delete(case.assignment)
    db_session.commit()

    queue(app, db_session, case.campaign)

    db_session.expire_all()
    left = {(m.purpose, m.status, m.failure_reason) for m in db_session.scalars(select(Message))}
    assert left == {
        (MessagePurpose.ASSIGNMENT_CONFIRMATION, MessageStatus.SENT, None),
        (MessagePurpose.SESSION_REMINDER, MessageStatus.SUPPRESSED, "withdrawn"),
        (MessagePurpose.SESSION_SOON, MessageStatus.SUPPRESSED, "withdrawn"),
        (MessagePurpose.SESSION_THANKS, MessageStatus.SUPPRESSED, "withdrawn"),
    }


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (None, ReminderOffsets(-1440, -120, 60)),
        ({}, ReminderOffsets(-1440, -120, 60)),
        ({"soon": -30}, ReminderOffsets(-1440, -30, 60)),
        (
            {"day_before": "tomorrow", "soon": True, "thanks": 10**9},
            ReminderOffsets(-1440, -120, 60),
        ),
        ({"day_before": -4320, "thanks": 0}, ReminderOffsets(-4320, -120, 0)),
    ],
)
def test_offsets_from_campaign(raw: dict[str, object] | None, expected: ReminderOffsets) -> None:
    assert ReminderOffsets.from_campaign(raw) == expected


def test_done_session_keeps_its_thank_you(app: Flask, db_session: Session, case: Case) -> None:
    queue(app, db_session, case.campaign)
    case.canvass.status = SessionStatus.DONE
    db_session.commit()

    queue(app, db_session, case.campaign)

    db_session.expire_all()
    thanks = db_session.scalars(
        select(Message).where(Message.purpose == MessagePurpose.SESSION_THANKS)
    ).one()
    assert thanks.status == MessageStatus.QUEUED


def test_declined_assignment_loses_its_reminders(
    app: Flask, db_session: Session, case: Case
) -> None:
    queue(app, db_session, case.campaign)
    case.assignment.status = AssignmentStatus.DECLINED
    db_session.commit()

    queue(app, db_session, case.campaign)

    db_session.expire_all()
    pending = db_session.scalars(
        select(Message).where(Message.status == MessageStatus.QUEUED)
    ).all()
    assert pending == []
