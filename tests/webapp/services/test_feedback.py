"""Feedback on a session: comment rules, totals without names, the link in the thanks."""

import re
from datetime import date, timedelta

import pytest
from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.factories import at_utc
from tests.webapp.broadcasts.crew import Crew, seed_crew
from webapp.models import Assignment, Message, SessionFeedback
from webapp.models.messaging import MessagePurpose
from webapp.models.users import Channel
from webapp.services.erasure import erase_person
from webapp.services.errors import ValidationError
from webapp.services.feedback import (
    FeedbackOutcome,
    FeedbackProblem,
    FeedbackResult,
    clean_comment,
    feedback_closes_at,
    save_feedback,
    summarise_feedback,
)
from webapp.services.notifications import queue_assignment_messages
from webapp.services.privacy_export import collect_personal_data
from webapp.services.reply_links import make_feedback_token, read_feedback_token
from webapp.settings import Settings

FIRST_DAY = date(2027, 3, 13)
# Session 1: Saturday 13 March 2027, 09:30 to 11:30 in Paris (08:30 to 10:30 UTC).
AFTER_SESSION = at_utc(2027, 3, 13, 12)
FEEDBACK_LINK = re.compile(r"http://127\.0\.0\.1:5000/avis/([A-Za-z0-9_.-]+)")


@pytest.fixture
def crew(db_session: Session) -> Crew:
    crew = seed_crew(db_session, FIRST_DAY)
    db_session.commit()
    return crew


def assignment_of(db_session: Session, crew: Crew, name: str) -> Assignment:
    return db_session.scalars(
        select(Assignment).where(Assignment.user_id == crew.volunteers[name].id)
    ).one()


def save(
    app: Flask, db_session: Session, assignment: Assignment, rating: int, comment: str = ""
) -> FeedbackResult:
    with app.app_context():
        token = make_feedback_token(assignment.id)
        result = save_feedback(db_session, token, rating=rating, comment=comment, now=AFTER_SESSION)
        db_session.commit()
    return result


@pytest.mark.parametrize(
    ("text", "cleaned"),
    [
        ("", ""),
        ("  Très bien  ", "Très bien"),
        ("Ligne 1\r\nLigne 2\rLigne 3", "Ligne 1\nLigne 2\nLigne 3"),
        ("Colonne\tsuivante", "Colonne\tsuivante"),
        ("Émoji 👍 et accents ç", "Émoji 👍 et accents ç"),
        ("a" * 1000, "a" * 1000),
    ],
)
def test_clean_comment_keeps_text(text: str, cleaned: str) -> None:
    assert clean_comment(text) == cleaned


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("a" * 1001, "too_long"),
        ("nul\x00", "control_character"),
        ("cloche\x07", "control_character"),
        ("suite\x9b", "control_character"),
    ],
)
def test_clean_comment_refuses(text: str, code: str) -> None:
    with pytest.raises(ValidationError) as raised:
        clean_comment(text)

    assert (raised.value.field, raised.value.message) == ("comment", code)


@pytest.mark.parametrize("rating", [0, 6, -1])
def test_rating_out_of_range_raises(
    app: Flask, db_session: Session, crew: Crew, rating: int
) -> None:
    with pytest.raises(ValidationError) as raised:
        save(app, db_session, assignment_of(db_session, crew, "alice"), rating)

    assert (raised.value.field, raised.value.message) == ("rating", "out_of_range")


def test_one_row_per_assignment(app: Flask, db_session: Session, crew: Crew) -> None:
    alice = assignment_of(db_session, crew, "alice")

    first = save(app, db_session, alice, 4, "Bien")
    second = save(app, db_session, alice, 5, "")

    assert (first.outcome, second.outcome) == (FeedbackOutcome.SAVED, FeedbackOutcome.UPDATED)
    assert (second.view.rating, second.view.comment) == (5, "")
    rows = db_session.scalars(select(SessionFeedback)).all()
    assert [(row.assignment_id, row.rating, row.comment) for row in rows] == [(alice.id, 5, "")]


def test_summary_counts_and_sorts(app: Flask, db_session: Session, crew: Crew) -> None:
    save(app, db_session, assignment_of(db_session, crew, "alice"), 5, "Zut, la pluie")
    save(app, db_session, assignment_of(db_session, crew, "bruno"), 5, "accueil parfait")
    # Chloé's session is another one: her response stays out of the first session's summary.
    chloe = assignment_of(db_session, crew, "chloe")
    db_session.add(SessionFeedback(assignment_id=chloe.id, rating=1, comment="Autre session"))
    db_session.commit()

    summary = summarise_feedback(db_session, crew.sessions[0].id)

    assert summary.counts == (0, 0, 0, 0, 2)
    assert summary.total == 2
    assert summary.average == 5.0
    assert summary.comments == ("accueil parfait", "Zut, la pluie")


def test_summary_of_unrated_session(db_session: Session, crew: Crew) -> None:
    summary = summarise_feedback(db_session, crew.sessions[1].id)

    assert (summary.counts, summary.total, summary.average, summary.comments) == (
        (0, 0, 0, 0, 0),
        0,
        None,
        (),
    )


def test_window_follows_thanks_offset(db_session: Session, crew: Crew) -> None:
    crew.campaign.reminder_offsets = {"thanks": 24 * 60}
    db_session.commit()

    # Session 1 ends at 10:30 UTC, its thanks go a day later, the form closes 30 days after.
    assert feedback_closes_at(crew.sessions[0], crew.campaign) == at_utc(2027, 4, 13, 10, 30)


def test_response_before_session_is_refused(app: Flask, db_session: Session, crew: Crew) -> None:
    emma = assignment_of(db_session, crew, "emma")

    result = save(app, db_session, emma, 3)

    assert result.outcome is None
    assert result.view.problem is FeedbackProblem.NOT_STARTED
    assert db_session.scalars(select(SessionFeedback)).all() == []


def test_thanks_carry_the_feedback_link(app: Flask, db_session: Session, crew: Crew) -> None:
    with app.app_context():
        queue_assignment_messages(db_session, crew.campaign.id, now=at_utc(2027, 3, 1, 10))
        db_session.commit()

        thanks = db_session.scalars(
            select(Message)
            .where(Message.purpose == MessagePurpose.SESSION_THANKS)
            .order_by(Message.id)
        ).all()
        links = {
            (message.user_id, message.channel): read_feedback_token(
                FEEDBACK_LINK.findall(message.body)[0], now=at_utc(2027, 3, 1, 10)
            )
            for message in thanks
        }

    expected = {
        (crew.volunteers[name].id, channel): assignment_of(db_session, crew, name).id
        for name, channel in (
            ("alice", Channel.EMAIL),
            ("bruno", Channel.EMAIL),
            ("chloe", Channel.SMS),
            ("emma", Channel.EMAIL),
        )
    }
    assert links == expected


def test_export_holds_own_response(app: Flask, db_session: Session, crew: Crew) -> None:
    save(app, db_session, assignment_of(db_session, crew, "alice"), 4, "Bien")
    save(app, db_session, assignment_of(db_session, crew, "bruno"), 2, "Bof")

    export = collect_personal_data(
        db_session, crew.volunteers["alice"].id, now=AFTER_SESSION + timedelta(days=1)
    )

    rows = export.tables["session_feedbacks"]
    assert [(row["rating"], row["comment"]) for row in rows] == [(4, "Bien")]


def test_erasure_removes_response(
    app: Flask, db_session: Session, crew: Crew, settings: Settings
) -> None:
    save(app, db_session, assignment_of(db_session, crew, "alice"), 4, "Bien")
    save(app, db_session, assignment_of(db_session, crew, "bruno"), 2, "Bof")

    with app.app_context():
        erase_person(db_session, crew.volunteers["alice"].id, settings=settings)
        db_session.commit()

    db_session.expire_all()
    rows = db_session.scalars(select(SessionFeedback)).all()
    assert [(row.rating, row.comment) for row in rows] == [(2, "Bof")]
