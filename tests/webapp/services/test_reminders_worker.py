"""A session moves or is cancelled after its messages were queued: nothing stale goes out.

A real RQ worker sends through the fake providers, at real times: sessions are set three
weeks ahead of the clock, and "the send time has come" is played by clearing the waits.
"""

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta

import pytest
from flask import Flask
from redis import Redis
from rq import Queue, SimpleWorker
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from messaging.queues import MESSAGES_QUEUE
from tests.fakes.provider_server import FakeProviderServer
from tests.webapp.services.delivery_support import (
    clean_redis,
    message_ids_in_jobs,
    provider_settings,
)
from tests.webapp.services.test_reminders_changes import Team, messages_of, queue, seed_team
from webapp.db import utcnow
from webapp.jobs.dispatch import enqueue_messages
from webapp.models import Message, User
from webapp.models.messaging import MessagePurpose, MessageStatus
from webapp.models.planning import AssignmentStatus, SessionStatus
from webapp.models.users import Channel
from webapp.services.notifications import cancel_session, reschedule_session
from webapp.settings import Settings


@pytest.fixture
def settings(settings: Settings, provider_server: FakeProviderServer) -> Settings:
    """The base test settings, sending through Redis and the fake providers."""
    return provider_settings(settings, provider_server)


@pytest.fixture
def redis_connection() -> Iterator[Redis]:
    yield from clean_redis()


def run_worker(app: Flask, connection: Redis) -> None:
    with app.app_context():
        worker = SimpleWorker([Queue(MESSAGES_QUEUE, connection=connection)], connection=connection)
        worker.work(burst=True)


def send_everything_due(
    app: Flask, db_session: Session, settings: Settings, connection: Redis
) -> None:
    """Act as if every send time had come: clear the waits and run every row's job."""
    connection.flushdb()
    db_session.execute(update(Message).values(send_after=None))
    db_session.commit()
    ids = list(db_session.scalars(select(Message.id)))
    enqueue_messages(settings, [(message_id, None) for message_id in ids])
    run_worker(app, connection)


def texts_to(provider_server: FakeProviderServer, user: User) -> list[str]:
    """Return the text of every SMS and e-mail the providers received for one person."""
    texts = []
    for request in provider_server.requests:
        if request.path == "/v3/mail/send":
            addresses = [p["to"][0]["email"] for p in request.body["personalizations"]]
            if user.email in addresses:
                texts.append(request.body["content"][0]["value"])
        elif request.body["To"] == user.phone_e164:
            texts.append(request.body["Body"])
    return texts


@dataclass(frozen=True)
class Rig:
    """The team at real times, and what sends its messages: settings, Redis, providers."""

    team: Team
    settings: Settings
    redis: Redis
    providers: FakeProviderServer


@pytest.fixture
def rig(
    app: Flask,
    db_session: Session,
    settings: Settings,
    redis_connection: Redis,
    provider_server: FakeProviderServer,
) -> Rig:
    """Sessions three weeks ahead of the real clock, messages queued, confirmations sent."""
    team = seed_team(db_session, utcnow().date() + timedelta(days=21))
    queue(app, db_session, team, now=utcnow())
    run_worker(app, redis_connection)
    return Rig(team, settings, redis_connection, provider_server)


def test_moved_session_sends_nothing_stale(app: Flask, db_session: Session, rig: Rig) -> None:
    live_team = rig.team
    canvass = live_team.crew.sessions[0]
    old_start = canvass.starts_at
    new_start = old_start + timedelta(days=2, hours=1)
    alice = live_team.crew.volunteers["alice"]
    before = {m.id for m in messages_of(db_session, alice.id)}

    with app.app_context():
        created = reschedule_session(
            db_session, canvass.id, new_start, new_start + timedelta(hours=2)
        )
        db_session.commit()

    mine = [m for m in created if m.user_id == alice.id]
    assert [(m.purpose, m.channel) for m in mine] == [
        (MessagePurpose.SESSION_CHANGED, Channel.EMAIL),
        (MessagePurpose.SESSION_CHANGED, Channel.SMS),
        (MessagePurpose.SESSION_REMINDER, Channel.EMAIL),
        (MessagePurpose.SESSION_REMINDER, Channel.SMS),
        (MessagePurpose.SESSION_SOON, Channel.SMS),
        (MessagePurpose.SESSION_THANKS, Channel.EMAIL),
    ]
    assert [m.send_after for m in mine[2:]] == [
        new_start - timedelta(days=1),
        new_start - timedelta(days=1),
        new_start - timedelta(hours=2),
        new_start + timedelta(hours=3),
    ]
    # The new reminders wait in RQ's scheduled registry, the change notices are queued.
    queue_ = Queue(MESSAGES_QUEUE, connection=rig.redis)
    scheduled = message_ids_in_jobs(rig.redis, queue_.scheduled_job_registry.get_job_ids())
    assert {m.id for m in mine[2:]} <= scheduled
    assert {m.id for m in mine[:2]} <= message_ids_in_jobs(rig.redis, queue_.job_ids)
    db_session.refresh(live_team.assignment)
    assert live_team.assignment.status == AssignmentStatus.PROPOSED

    send_everything_due(app, db_session, rig.settings, rig.redis)

    rows = {m.id: m for m in messages_of(db_session, alice.id)}
    stale = [rows[i] for i in before if rows[i].purpose != MessagePurpose.ASSIGNMENT_CONFIRMATION]
    assert len(stale) == 4
    assert {(m.status, m.failure_reason) for m in stale} == {
        (MessageStatus.SUPPRESSED, "withdrawn")
    }
    assert {rows[m.id].status for m in mine} == {MessageStatus.SENT}
    texts = texts_to(rig.providers, alice)
    # Two confirmations from before the move, then the notice and reminders for the new time.
    assert len(texts) == 8
    assert not {m.body for m in stale} & set(texts)


def test_cancelled_session_sends_only_the_notice(app: Flask, db_session: Session, rig: Rig) -> None:
    live_team = rig.team
    canvass = live_team.crew.sessions[0]
    alice = live_team.crew.volunteers["alice"]

    with app.app_context():
        cancel_session(db_session, canvass.id)
        again = cancel_session(db_session, canvass.id)
        db_session.commit()
    send_everything_due(app, db_session, rig.settings, rig.redis)

    assert again == []
    db_session.refresh(canvass)
    assert canvass.status == SessionStatus.CANCELLED
    rows = messages_of(db_session, alice.id)
    sent = [(m.purpose, m.channel) for m in rows if m.status == MessageStatus.SENT]
    assert sent == [
        (MessagePurpose.ASSIGNMENT_CONFIRMATION, Channel.EMAIL),
        (MessagePurpose.ASSIGNMENT_CONFIRMATION, Channel.SMS),
        (MessagePurpose.SESSION_CHANGED, Channel.EMAIL),
        (MessagePurpose.SESSION_CHANGED, Channel.SMS),
    ]
    assert {
        m.status
        for m in rows
        if m.purpose not in (MessagePurpose.ASSIGNMENT_CONFIRMATION, MessagePurpose.SESSION_CHANGED)
    } == {MessageStatus.SUPPRESSED}
