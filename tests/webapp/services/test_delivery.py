"""Messages through a real RQ worker, the real SDKs and a fake provider on 127.0.0.1."""

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from flask import Flask
from redis import Redis
from rq import Queue, SimpleWorker
from rq.job import Job
from sqlalchemy.orm import Session

from messaging.queues import MESSAGES_QUEUE
from tests.fakes.provider_server import FakeProviderServer
from tests.webapp.services.delivery_support import clean_redis, provider_settings
from webapp.db import call_after_commit
from webapp.jobs.dispatch import enqueue_messages
from webapp.models import Campaign, Consent, Message, User
from webapp.models.messaging import MessagePurpose, MessageStatus
from webapp.models.users import Channel, ConsentPurpose
from webapp.settings import Settings


@pytest.fixture
def settings(settings: Settings, provider_server: FakeProviderServer) -> Settings:
    """The base test settings, sending through Redis and the fake providers."""
    return provider_settings(settings, provider_server)


@pytest.fixture
def redis_connection() -> Iterator[Redis]:
    yield from clean_redis()


def add_messages(session: Session, *, consent: bool = True) -> list[Message]:
    campaign = Campaign(
        name="Test", election_kind="municipales", commune_codes=["93010"], our_candidates=["X"]
    )
    user = User(
        email="a@example.org",
        password_hash="x",
        first_name="Alice",
        last_name="Exemple",
        phone_e164="+33639980001",
    )
    session.add_all([campaign, user])
    session.flush()
    for channel in (Channel.EMAIL, Channel.SMS):
        session.add(
            Consent(
                user_id=user.id,
                purpose=ConsentPurpose.CANVASS_MESSAGES,
                channel=channel,
                is_granted=consent,
                wording_version="test",
                source="test",
            )
        )
    messages = [
        Message(
            campaign_id=campaign.id,
            user_id=user.id,
            idempotency_key=f"test:{channel}",
            channel=channel,
            purpose=MessagePurpose.ASSIGNMENT_CONFIRMATION,
            recipient=user.email if channel == Channel.EMAIL else user.phone_e164,
            subject="Session" if channel == Channel.EMAIL else "",
            body="Rendez-vous samedi à 9 h 30.",
        )
        for channel in (Channel.EMAIL, Channel.SMS)
    ]
    session.add_all(messages)
    session.commit()
    return messages


def run_worker(app: Flask, connection: Redis) -> None:
    with app.app_context():
        worker = SimpleWorker([Queue(MESSAGES_QUEUE, connection=connection)], connection=connection)
        worker.work(burst=True)


def test_worker_sends_each_message_once(
    app: Flask,
    db_session: Session,
    settings: Settings,
    redis_connection: Redis,
    provider_server: FakeProviderServer,
) -> None:
    messages = add_messages(db_session)

    enqueue_messages(settings, [(m.id, None) for m in messages])
    run_worker(app, redis_connection)
    enqueue_messages(settings, [(m.id, None) for m in messages])
    run_worker(app, redis_connection)

    paths = sorted(request.path for request in provider_server.requests)
    assert paths == ["/2010-04-01/Accounts/AC" + "0" * 32 + "/Messages.json", "/v3/mail/send"]
    for message in messages:
        db_session.refresh(message)
        assert message.status == MessageStatus.SENT
        assert message.provider_id
        assert message.attempts == 1


def test_withdrawn_consent_suppresses_at_send_time(
    app: Flask,
    db_session: Session,
    settings: Settings,
    redis_connection: Redis,
    provider_server: FakeProviderServer,
) -> None:
    messages = add_messages(db_session, consent=False)

    enqueue_messages(settings, [(m.id, None) for m in messages])
    run_worker(app, redis_connection)

    assert provider_server.requests == []
    for message in messages:
        db_session.refresh(message)
        assert message.status == MessageStatus.SUPPRESSED


def test_rolled_back_transaction_enqueues_nothing(
    db_session: Session,
    settings: Settings,
    redis_connection: Redis,
    provider_server: FakeProviderServer,
) -> None:
    messages = add_messages(db_session)
    call_after_commit(
        db_session, lambda: enqueue_messages(settings, [(m.id, None) for m in messages])
    )

    db_session.rollback()

    assert Queue(MESSAGES_QUEUE, connection=redis_connection).count == 0
    assert provider_server.requests == []


def test_commit_enqueues_after_the_transaction(
    db_session: Session, settings: Settings, redis_connection: Redis
) -> None:
    messages = add_messages(db_session)
    call_after_commit(
        db_session, lambda: enqueue_messages(settings, [(m.id, None) for m in messages])
    )

    db_session.commit()

    [job_id] = Queue(MESSAGES_QUEUE, connection=redis_connection).get_job_ids()
    job = Job.fetch(job_id, connection=redis_connection)
    assert job.args == (sorted(m.id for m in messages),)
    assert job_id.startswith(f"send-messages-{min(m.id for m in messages)}-")


def test_future_message_scheduled_not_queued(
    db_session: Session, settings: Settings, redis_connection: Redis
) -> None:
    messages = add_messages(db_session)
    send_after = datetime.now(UTC) + timedelta(days=1)

    enqueue_messages(settings, [(messages[0].id, send_after)])

    queue = Queue(MESSAGES_QUEUE, connection=redis_connection)
    assert queue.count == 0
    scheduled = queue.scheduled_job_registry.get_job_ids()
    assert scheduled == [f"send-message-{messages[0].id}"]
    scheduled_at = queue.scheduled_job_registry.get_scheduled_time(scheduled[0])
    assert abs((scheduled_at - send_after).total_seconds()) < 1


def test_message_not_due_is_left_queued(
    app: Flask,
    db_session: Session,
    settings: Settings,
    redis_connection: Redis,
    provider_server: FakeProviderServer,
) -> None:
    messages = add_messages(db_session)
    messages[0].send_after = datetime.now(UTC) + timedelta(hours=2)
    db_session.commit()

    enqueue_messages(settings, [(messages[0].id, None)])
    run_worker(app, redis_connection)

    db_session.refresh(messages[0])
    assert messages[0].status == MessageStatus.QUEUED
    assert provider_server.requests == []
