"""The confirmation e-mail: the cancel link, and a reminder promised only when one is due."""

from datetime import date, datetime

from flask import Flask
from sqlalchemy.orm import Session

from tests.webapp.broadcasts.crew import Crew, paris, seed_crew
from tests.webapp.services.test_session_names import latest
from webapp.models.messaging import MessagePurpose
from webapp.models.users import Channel
from webapp.services.notifications import queue_assignment_messages

# Alice's session runs from 09:30 to 11:30, Paris time.
FIRST_DAY = date(2027, 3, 13)


def confirmation_lines(app: Flask, db_session: Session, now: datetime) -> tuple[Crew, list[str]]:
    crew = seed_crew(db_session, FIRST_DAY)
    db_session.commit()
    with app.app_context():
        queue_assignment_messages(db_session, crew.campaign.id, now=now)
        db_session.commit()
    message = latest(
        db_session, crew.volunteers["alice"], MessagePurpose.ASSIGNMENT_CONFIRMATION, Channel.EMAIL
    )
    return crew, message.body.splitlines()


def test_confirmation_days_ahead_promises_the_reminder(app: Flask, db_session: Session) -> None:
    _, lines = confirmation_lines(app, db_session, paris(date(2027, 3, 1), 12))

    cancel_at = lines.index(
        "Vous ne pouvez finalement pas venir ? Annulez, pour que nous proposions votre place "
        "à un autre bénévole :"
    )
    link = lines[cancel_at + 1]
    assert link.startswith("http://127.0.0.1:5000/reponse/")
    assert link.endswith("/annuler")
    assert "Nous vous enverrons un rappel la veille. Merci pour votre aide !" in lines


def test_confirmation_on_the_day_promises_no_reminder(app: Flask, db_session: Session) -> None:
    # 25 minutes before the start: the day-before reminder is past.
    _, lines = confirmation_lines(app, db_session, paris(FIRST_DAY, 9, 5))

    assert "Merci pour votre aide !" in lines
    assert not any("rappel" in line for line in lines)
