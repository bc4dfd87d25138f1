"""Messages name a session by its day, time and IRIS: sessions may share a time slot."""

from datetime import date, timedelta

from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from messaging.segments import SmsSegments, count_sms_segments
from tests.factories import make_consents
from tests.webapp.broadcasts.crew import Crew, paris, seed_crew
from webapp.models import Message
from webapp.models.messaging import MessagePurpose
from webapp.models.users import Channel, User
from webapp.services.notifications import (
    cancel_session,
    queue_assignment_messages,
    reschedule_session,
)
from webapp.services.replies import cancel_assignment
from webapp.services.reply_links import make_reply_token

# Alice's session runs from 09:30 to 11:30, Paris time, in the IRIS « Mairie ».
FIRST_DAY = date(2027, 3, 13)
NOW = paris(date(2027, 3, 1), 12)


def seed(app: Flask, db_session: Session) -> Crew:
    """Seed the crew and queue the messages of its assignments."""
    crew = seed_crew(db_session, FIRST_DAY)
    make_consents(db_session, user=crew.coordinator, email=True, sms=False)
    db_session.commit()
    with app.app_context():
        queue_assignment_messages(db_session, crew.campaign.id, now=NOW)
        db_session.commit()
    return crew


def latest(db_session: Session, user: User, purpose: MessagePurpose, channel: Channel) -> Message:
    db_session.expire_all()
    return db_session.scalars(
        select(Message)
        .where(Message.user_id == user.id, Message.purpose == purpose, Message.channel == channel)
        .order_by(Message.id.desc())
        .limit(1)
    ).one()


def test_confirmation_email_names_iris(app: Flask, db_session: Session) -> None:
    crew = seed(app, db_session)

    message = latest(
        db_session, crew.volunteers["alice"], MessagePurpose.ASSIGNMENT_CONFIRMATION, Channel.EMAIL
    )

    assert message.subject == (
        "Porte-à-porte du samedi 13 mars 2027 à 09:30 (Mairie) : votre inscription est confirmée"
    )
    assert message.body.splitlines()[2] == (
        "Vous participez à la session de porte-à-porte du samedi 13 mars 2027 (Mairie), "
        "de 09:30 à 11:30."
    )


def test_coordinator_notice_names_iris(app: Flask, db_session: Session) -> None:
    crew = seed(app, db_session)
    alice = crew.volunteers["alice"]
    assignment = next(a for a in crew.sessions[0].assignments if a.user_id == alice.id)
    with app.app_context():
        token = make_reply_token(assignment.id, crew.sessions[0].starts_at)
        cancel_assignment(db_session, token, now=NOW)
        db_session.commit()

    notice = latest(db_session, crew.coordinator, MessagePurpose.COORDINATOR_NOTICE, Channel.EMAIL)

    assert notice.subject == (
        "Alice Exemple a annulé sa place pour la session du samedi 13 mars 2027 à 09:30 (Mairie)"
    )
    assert notice.body.splitlines()[0] == (
        "Alice Exemple a annulé sa place dans la session du samedi 13 mars 2027 à 09:30 "
        "(Mairie), rendez-vous Parvis de la mairie."
    )


def test_cancelled_session_messages_name_iris(app: Flask, db_session: Session) -> None:
    crew = seed(app, db_session)
    with app.app_context():
        cancel_session(db_session, crew.sessions[0].id, now=NOW)
        db_session.commit()
    alice = crew.volunteers["alice"]

    email = latest(db_session, alice, MessagePurpose.SESSION_CHANGED, Channel.EMAIL)
    sms = latest(db_session, alice, MessagePurpose.SESSION_CHANGED, Channel.SMS)

    assert email.subject == "Porte-à-porte du samedi 13 mars 2027 à 09:30 (Mairie) annulé"
    assert email.body.splitlines()[2] == (
        "La session de porte-à-porte du samedi 13 mars 2027 à 09:30 (Mairie) est annulée : "
        "inutile de venir."
    )
    assert sms.body == (
        "Tournee : le porte-à-porte du 13/03/2027 à 09:30 (Mairie) est annulé, inutile de venir."
    )
    # With the IRIS name, the text is still GSM-7 and fits in one segment.
    assert count_sms_segments(sms.body) == SmsSegments("GSM-7", 87, 1)


def test_moved_session_email_names_iris(app: Flask, db_session: Session) -> None:
    crew = seed(app, db_session)
    canvass = crew.sessions[0]
    with app.app_context():
        reschedule_session(
            db_session,
            canvass.id,
            paris(FIRST_DAY + timedelta(days=1), 14),
            paris(FIRST_DAY + timedelta(days=1), 16),
            now=NOW,
        )
        db_session.commit()

    email = latest(
        db_session, crew.volunteers["alice"], MessagePurpose.SESSION_CHANGED, Channel.EMAIL
    )

    assert email.subject == "Porte-à-porte déplacé au dimanche 14 mars 2027 à 14:00 (Mairie)"
    assert email.body.splitlines()[2:4] == [
        "La session de porte-à-porte du samedi 13 mars 2027 à 09:30 (Mairie) a été déplacée.",
        "Elle a désormais lieu le dimanche 14 mars 2027 (Mairie), de 14:00 à 16:00.",
    ]
