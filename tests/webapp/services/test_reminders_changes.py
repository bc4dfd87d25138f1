"""Changes after the messages are queued: a volunteer cancels, a session moves or is cancelled.

Messages go through the in-process outbox here; `test_reminders_worker` sends the moved
and cancelled cases through a real RQ worker.
"""

from dataclasses import dataclass
from datetime import date, datetime, timedelta

import pytest
from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.factories import (
    make_assignment,
    make_canvass_session,
    make_consents,
    make_route,
    make_volunteer_profile,
    make_weekly_slot,
)
from tests.redis_urls import JOBS_REDIS_URL
from tests.webapp.broadcasts.crew import MAIRIE, Crew, add_person, paris, seed_crew
from webapp.models import Assignment, AvailabilityException, Message, User
from webapp.models.messaging import MessagePurpose, MessageStatus
from webapp.models.planning import AssignmentStatus
from webapp.models.users import Channel
from webapp.services.errors import NotFoundError, ValidationError
from webapp.services.notifications import (
    cancel_session,
    queue_assignment_messages,
    reschedule_session,
)
from webapp.services.replies import (
    ReplyOutcome,
    ReplyProblem,
    cancel_assignment,
    confirm_assignment,
    load_reply,
)
from webapp.services.reply_links import make_reply_token

REDIS_URL = JOBS_REDIS_URL
SATURDAY = 5
# Saturday 13 March 2027: session 1 runs 09:30-11:30 in Paris.
FIRST_DAY = date(2027, 3, 13)
NOW = paris(date(2027, 3, 1), 12)


@dataclass(frozen=True)
class Team:
    crew: Crew
    assignment: Assignment


def seed_team(db_session: Session, first_day: date) -> Team:
    """The crew, plus people who could take a freed place of session 1, or could not."""
    crew = seed_crew(db_session, first_day)
    campaign = crew.campaign
    make_route(db_session, canvass_session=crew.sessions[0])
    make_consents(db_session, user=crew.coordinator, email=True, sms=False)
    # Hugo fits: free on Saturday mornings, in no other session.
    hugo = add_person(db_session, campaign, name="hugo", phone_e164="+33612345670")
    make_consents(db_session, user=hugo)
    make_weekly_slot(db_session, user=hugo, weekday=SATURDAY, start_minute=540, end_minute=750)
    # Ines is free then too but already in an overlapping session; she signed up earlier.
    ines = add_person(db_session, campaign, name="ines", phone_e164="+33612345671")
    make_consents(db_session, user=ines)
    make_weekly_slot(db_session, user=ines, weekday=SATURDAY, start_minute=540, end_minute=750)
    other = make_canvass_session(
        db_session, campaign=campaign, iris_code=MAIRIE, starts_at=paris(first_day, 10)
    )
    make_assignment(db_session, canvass_session=other, user=ines)
    # Jules is free but agreed to no message; Kim is free in the afternoon only.
    jules = add_person(db_session, campaign, name="jules", phone_e164="+33612345672")
    make_weekly_slot(db_session, user=jules, weekday=SATURDAY, start_minute=540, end_minute=750)
    kim = add_person(db_session, campaign, name="kim", phone_e164="+33612345673")
    make_consents(db_session, user=kim)
    make_weekly_slot(db_session, user=kim, weekday=SATURDAY, start_minute=810, end_minute=1080)
    assignment = db_session.scalars(
        select(Assignment).where(
            Assignment.user_id == crew.volunteers["alice"].id,
            Assignment.session_id == crew.sessions[0].id,
        )
    ).one()
    # Each of them lives by the meeting point.
    for person in (hugo, ines, jules, kim):
        make_volunteer_profile(db_session, user=person)
    db_session.commit()
    return Team(crew, assignment)


@pytest.fixture
def team(db_session: Session) -> Team:
    return seed_team(db_session, FIRST_DAY)


def token_of(app: Flask, team: Team) -> str:
    with app.app_context():
        return make_reply_token(team.assignment.id, team.crew.sessions[0].starts_at)


def queue(app: Flask, db_session: Session, team: Team, now: datetime = NOW) -> None:
    with app.app_context():
        queue_assignment_messages(db_session, team.crew.campaign.id, now=now)
        db_session.commit()


def messages_of(db_session: Session, user_id: int) -> list[Message]:
    db_session.expire_all()
    return list(
        db_session.scalars(select(Message).where(Message.user_id == user_id).order_by(Message.id))
    )


def test_cancellation_frees_the_place_and_offers_it(
    app: Flask, db_session: Session, team: Team
) -> None:
    queue(app, db_session, team)
    crew = team.crew
    token = token_of(app, team)

    with app.app_context():
        result = cancel_assignment(db_session, token, now=NOW)
        db_session.commit()

    hugo = db_session.scalars(
        select(Assignment).where(Assignment.session_id == crew.sessions[0].id)
    ).all()
    assert result.outcome == ReplyOutcome.CANCELLED
    db_session.refresh(team.assignment)
    assert team.assignment.status == AssignmentStatus.DECLINED
    offered = [a for a in hugo if a.user.first_name == "Hugo"]
    assert len(offered) == 1
    assert (offered[0].status, offered[0].team) == (AssignmentStatus.PROPOSED, team.assignment.team)
    assert result.replacement_user_id == offered[0].user_id
    # Alice's pending reminders are withdrawn; her confirmations had gone already.
    alice = messages_of(db_session, crew.volunteers["alice"].id)
    assert {(m.purpose, m.status, m.failure_reason) for m in alice} == {
        (MessagePurpose.ASSIGNMENT_CONFIRMATION, MessageStatus.SENT, None),
        (MessagePurpose.SESSION_REMINDER, MessageStatus.SUPPRESSED, "withdrawn"),
        (MessagePurpose.SESSION_SOON, MessageStatus.SUPPRESSED, "withdrawn"),
        (MessagePurpose.SESSION_THANKS, MessageStatus.SUPPRESSED, "withdrawn"),
    }
    # Hugo gets the whole sequence, his confirmations at once.
    hugo_rows = messages_of(db_session, offered[0].user_id)
    assert [(m.purpose, m.channel, m.status) for m in hugo_rows] == [
        (MessagePurpose.ASSIGNMENT_CONFIRMATION, Channel.EMAIL, MessageStatus.SENT),
        (MessagePurpose.ASSIGNMENT_CONFIRMATION, Channel.SMS, MessageStatus.SENT),
        (MessagePurpose.SESSION_REMINDER, Channel.EMAIL, MessageStatus.QUEUED),
        (MessagePurpose.SESSION_REMINDER, Channel.SMS, MessageStatus.QUEUED),
        (MessagePurpose.SESSION_SOON, Channel.SMS, MessageStatus.QUEUED),
        (MessagePurpose.SESSION_THANKS, Channel.EMAIL, MessageStatus.QUEUED),
    ]
    # He never asked for that session: the place is offered, and he is asked to confirm.
    email, sms = hugo_rows[:2]
    assert email.subject == (
        "Porte-à-porte du samedi 13 mars 2027 à 09:30 (Mairie) : une place vous est proposée"
    )
    assert "Pouvez-vous venir ? Confirmez ici :" in email.body
    assert "/reponse/" in email.body.split("Confirmez ici :")[1].splitlines()[1]
    assert "votre inscription est confirmée" not in email.body
    assert sms.body.startswith(
        "Tournee : une place s’est libérée pour le porte-à-porte du 13/03/2027"
    )
    assert "Pouvez-vous venir ? Confirmez : http" in sms.body
    # The coordinator is told by e-mail, with both names.
    notice = messages_of(db_session, crew.coordinator.id)
    assert [(m.purpose, m.channel, m.idempotency_key) for m in notice] == [
        (
            MessagePurpose.COORDINATOR_NOTICE,
            Channel.EMAIL,
            f"declined:{team.assignment.id}:coordinator:{crew.coordinator.id}",
        )
    ]
    assert "Alice Exemple" in notice[0].body
    assert "Hugo Exemple" in notice[0].body
    assert f"/planification/sessions/{crew.sessions[0].id}" in notice[0].body


@pytest.mark.parametrize(
    ("locale", "team_line", "route_line"),
    [
        (
            "fr",
            "Vous faites équipe avec Bruno et David.",
            "Le parcours de votre équipe compte 12 adresses. Ouvrez-le sur votre téléphone :",
        ),
        (
            "en",
            "Your team mates: Bruno and David.",
            "Your team's route has 12 doors. Open it on your phone:",
        ),
    ],
)
def test_replacement_confirmation_names_team(
    app: Flask, db_session: Session, team: Team, *, locale: str, team_line: str, route_line: str
) -> None:
    crew = team.crew
    morning = crew.sessions[0]
    make_assignment(
        db_session,
        canvass_session=morning,
        user=crew.volunteers["david"],
        status=AssignmentStatus.PROPOSED,
    )
    morning.routes[0].door_count = 12
    user_named(db_session, "hugo").locale = locale
    db_session.commit()
    queue(app, db_session, team)

    with app.app_context():
        cancel_assignment(db_session, token_of(app, team), now=NOW)
        db_session.commit()

    hugo = user_named(db_session, "hugo")
    confirmation = [
        m
        for m in messages_of(db_session, hugo.id)
        if (m.purpose, m.channel) == (MessagePurpose.ASSIGNMENT_CONFIRMATION, Channel.EMAIL)
    ]
    assert len(confirmation) == 1
    lines = confirmation[0].body.splitlines()
    # Alice left the team of three: Hugo joins Bruno and David. The offer's confirm link
    # comes first.
    assert lines[5:8] == [team_line, "", route_line]


def test_second_cancellation_changes_nothing(app: Flask, db_session: Session, team: Team) -> None:
    queue(app, db_session, team)
    token = token_of(app, team)
    with app.app_context():
        cancel_assignment(db_session, token, now=NOW)
        db_session.commit()
    count = len(db_session.scalars(select(Message)).all())

    with app.app_context():
        result = cancel_assignment(db_session, token, now=NOW)
        db_session.commit()

    assert result.outcome == ReplyOutcome.ALREADY_CANCELLED
    assert len(db_session.scalars(select(Message)).all()) == count
    assert len(db_session.scalars(select(Assignment)).all()) == 7


def user_named(db_session: Session, name: str) -> User:
    return db_session.scalars(select(User).where(User.email == f"{name}@example.org")).one()


def test_nobody_free_leaves_the_place_open(app: Flask, db_session: Session, team: Team) -> None:
    # Hugo takes that Saturday morning off.
    hugo = user_named(db_session, "hugo")
    db_session.add(
        AvailabilityException(
            user_id=hugo.id, on_date=FIRST_DAY, start_minute=600, end_minute=660, is_available=False
        )
    )
    db_session.commit()
    queue(app, db_session, team)

    with app.app_context():
        result = cancel_assignment(db_session, token_of(app, team), now=NOW)
        db_session.commit()

    assert result.replacement_user_id is None
    notice = messages_of(db_session, team.crew.coordinator.id)
    assert len(notice) == 1
    assert "Hugo" not in notice[0].body


def test_extra_hours_make_someone_free(app: Flask, db_session: Session, team: Team) -> None:
    hugo = user_named(db_session, "hugo")
    hugo.availability.clear()
    kim = user_named(db_session, "kim")
    # Kim adds that Saturday morning to her afternoons.
    db_session.add(
        AvailabilityException(
            user_id=kim.id, on_date=FIRST_DAY, start_minute=540, end_minute=720, is_available=True
        )
    )
    db_session.commit()

    with app.app_context():
        result = cancel_assignment(db_session, token_of(app, team), now=NOW)
        db_session.commit()

    assert result.replacement_user_id == kim.id


def test_confirm_then_cancel_links(app: Flask, db_session: Session, team: Team) -> None:
    token = token_of(app, team)
    team.assignment.status = AssignmentStatus.PROPOSED
    db_session.commit()

    with app.app_context():
        first = confirm_assignment(db_session, token, now=NOW)
        second = confirm_assignment(db_session, token, now=NOW)
        db_session.commit()

    assert (first.outcome, second.outcome) == (
        ReplyOutcome.CONFIRMED,
        ReplyOutcome.ALREADY_CONFIRMED,
    )
    db_session.refresh(team.assignment)
    assert team.assignment.status == AssignmentStatus.CONFIRMED


def test_link_refused_once_the_session_started(app: Flask, db_session: Session, team: Team) -> None:
    starts_at = team.crew.sessions[0].starts_at
    token = token_of(app, team)

    with app.app_context():
        view = load_reply(db_session, token, now=starts_at)
        result = cancel_assignment(db_session, token, now=starts_at + timedelta(minutes=5))

    assert view.problem == ReplyProblem.SESSION_STARTED
    assert result.outcome is None
    db_session.refresh(team.assignment)
    assert team.assignment.status == AssignmentStatus.CONFIRMED


def test_reschedule_refuses_bad_times(app: Flask, db_session: Session, team: Team) -> None:
    canvass = team.crew.sessions[0]
    with app.app_context():
        with pytest.raises(ValidationError):
            reschedule_session(db_session, canvass.id, canvass.ends_at, canvass.starts_at)
        with pytest.raises(NotFoundError):
            reschedule_session(db_session, 999_999, canvass.starts_at, canvass.ends_at)


def test_reschedule_to_same_time_does_nothing(app: Flask, db_session: Session, team: Team) -> None:
    queue(app, db_session, team)
    canvass = team.crew.sessions[0]

    with app.app_context():
        created = reschedule_session(
            db_session, canvass.id, canvass.starts_at, canvass.ends_at, now=NOW
        )

    assert created == []


def test_moving_back_gets_reminders_again(app: Flask, db_session: Session, team: Team) -> None:
    queue(app, db_session, team)
    canvass = team.crew.sessions[0]
    first_start, first_end = canvass.starts_at, canvass.ends_at
    with app.app_context():
        reschedule_session(
            db_session,
            canvass.id,
            first_start + timedelta(days=1),
            first_end + timedelta(days=1),
            now=NOW,
        )
        reschedule_session(db_session, canvass.id, first_start, first_end, now=NOW)
        db_session.commit()

    alice = messages_of(db_session, team.crew.volunteers["alice"].id)
    live = [
        m.idempotency_key
        for m in alice
        if m.purpose == MessagePurpose.SESSION_REMINDER and m.status == MessageStatus.QUEUED
    ]
    prefix = f"assignment:{team.assignment.id}:session_reminder"
    assert live == [f"{prefix}:email:20270313T0830Z:r2", f"{prefix}:sms:20270313T0830Z:r2"]


def test_later_end_keeps_route_links_open(app: Flask, db_session: Session, team: Team) -> None:
    canvass = team.crew.sessions[0]
    route = canvass.routes[0]
    expires_at = route.token_expires_at

    with app.app_context():
        reschedule_session(
            db_session,
            canvass.id,
            canvass.starts_at + timedelta(days=3),
            canvass.ends_at + timedelta(days=3),
            now=NOW,
        )
        db_session.commit()

    db_session.refresh(route)
    assert route.token_expires_at == expires_at + timedelta(days=3)


def test_cancelled_session_refuses_reschedule(app: Flask, db_session: Session, team: Team) -> None:
    canvass = team.crew.sessions[0]
    with app.app_context():
        cancel_session(db_session, canvass.id, now=NOW)
        with pytest.raises(ValidationError):
            reschedule_session(
                db_session, canvass.id, canvass.starts_at, canvass.ends_at + timedelta(hours=1)
            )
