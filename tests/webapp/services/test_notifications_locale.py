"""Messages are written in each volunteer's language."""

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
from webapp.models import Message
from webapp.models.messaging import MessagePurpose
from webapp.models.users import Channel
from webapp.services.notifications import queue_assignment_messages

NOW = at_utc(2027, 3, 1, 12)


def test_each_volunteer_reads_their_language(app: Flask, db_session: Session) -> None:
    make_commune(db_session)
    campaign = make_campaign(db_session)
    make_iris(db_session)
    canvass = make_canvass_session(
        db_session, campaign=campaign, iris_code="930100101", starts_at=at_utc(2027, 3, 13, 8, 30)
    )
    for email, locale in (("fr@example.org", "fr"), ("en@example.org", "en")):
        user = make_user(db_session, email=email, campaign=campaign, phone_e164=None)
        user.locale = locale
        make_consents(db_session, user=user, sms=False)
        make_assignment(db_session, canvass_session=canvass, user=user)
    db_session.commit()

    with app.app_context():
        queue_assignment_messages(db_session, campaign.id, now=NOW)
        db_session.commit()

    reminders = {
        m.recipient: m
        for m in db_session.scalars(
            select(Message).where(
                Message.purpose == MessagePurpose.SESSION_REMINDER,
                Message.channel == Channel.EMAIL,
            )
        )
    }
    english = reminders["en@example.org"]
    french = reminders["fr@example.org"]
    assert english.subject == (
        "Reminder: canvassing on Saturday, March 13, 2027 at 9:30\u202fAM (Mairie)"
    )
    assert english.body.startswith("Hello Camille,\n\nSee you on Saturday, March 13, 2027 at ")
    assert "To stop receiving these e-mails, follow this link:" in english.body
    assert french.subject == "Rappel : porte-à-porte le samedi 13 mars 2027 à 09:30 (Mairie)"
    assert french.body.startswith("Bonjour Camille,\n\nRendez-vous le samedi 13 mars 2027 à 09:30")
    assert "Pour ne plus recevoir ces e-mails, suivez ce lien :" in french.body


def test_door_count_has_each_language_separator(app: Flask, db_session: Session) -> None:
    make_commune(db_session)
    campaign = make_campaign(db_session)
    make_iris(db_session)
    canvass = make_canvass_session(
        db_session, campaign=campaign, iris_code="930100101", starts_at=at_utc(2027, 3, 13, 8, 30)
    )
    route = make_route(db_session, canvass_session=canvass)
    route.door_count = 1234
    for email, locale in (("fr@example.org", "fr"), ("en@example.org", "en")):
        user = make_user(db_session, email=email, campaign=campaign, phone_e164=None)
        user.locale = locale
        make_consents(db_session, user=user, sms=False)
        make_assignment(db_session, canvass_session=canvass, user=user)
    db_session.commit()

    with app.app_context():
        queue_assignment_messages(db_session, campaign.id, now=NOW)
        db_session.commit()

    bodies = {
        m.recipient: m.body.splitlines()
        for m in db_session.scalars(
            select(Message).where(Message.purpose == MessagePurpose.ASSIGNMENT_CONFIRMATION)
        )
    }
    assert (
        "Le parcours de votre équipe compte 1\u202f234 adresses. Ouvrez-le sur votre téléphone :"
        in bodies["fr@example.org"]
    )
    assert "Your team's route has 1,234 doors. Open it on your phone:" in bodies["en@example.org"]
