"""Send jobs schedule their own follow-up: a held send, a retry, a lookup, a rate wait."""

from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from flask import Flask
from redis import Redis
from rq import Queue
from sqlalchemy.orm import Session

from messaging.queues import MESSAGES_QUEUE
from tests.fakes.provider_server import FakeProviderServer
from tests.webapp.services.delivery_support import (
    clean_redis,
    make_campaign,
    make_message,
    make_volunteer,
    provider_settings,
    run_worker,
)
from webapp.jobs import dispatch
from webapp.jobs.dispatch import enqueue_messages
from webapp.models import Message
from webapp.models.messaging import MessagePurpose, MessageStatus
from webapp.services import delivery
from webapp.settings import Settings


@pytest.fixture
def settings(settings: Settings, provider_server: FakeProviderServer) -> Settings:
    return provider_settings(settings, provider_server)


@pytest.fixture
def redis_connection() -> Iterator[Redis]:
    yield from clean_redis()


def scheduled(connection: Redis) -> dict[str, datetime]:
    registry = Queue(MESSAGES_QUEUE, connection=connection).scheduled_job_registry
    return {job_id: registry.get_scheduled_time(job_id) for job_id in registry.get_job_ids()}


def queue_and_work(
    app: Flask, session: Session, settings: Settings, connection: Redis, *messages: Message
) -> None:
    session.commit()
    enqueue_messages(settings, [(message.id, None) for message in messages])
    run_worker(app, connection)
    for message in messages:
        session.refresh(message)


def test_held_push_message_is_scheduled_for_the_opening(
    app: Flask,
    db_session: Session,
    settings: Settings,
    redis_connection: Redis,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Sunday 7 June 2026 at 12:00 in Paris, for the rules and for the scheduling.
    sunday_noon = datetime(2026, 6, 7, 10, 0, tzinfo=UTC)
    monkeypatch.setattr(delivery, "utcnow", lambda: sunday_noon)
    monkeypatch.setattr(dispatch, "utcnow", lambda: sunday_noon)
    message = make_message(
        db_session,
        make_campaign(db_session),
        make_volunteer(db_session),
        purpose=MessagePurpose.BROADCAST,
    )

    queue_and_work(app, db_session, settings, redis_connection, message)

    [(job_id, at)] = scheduled(redis_connection).items()
    assert job_id.startswith(f"send-message-{message.id}-")
    assert at == datetime(2026, 6, 8, 6, 0, tzinfo=UTC)
    assert message.status == MessageStatus.QUEUED


def test_rate_limited_send_is_scheduled_for_its_retry(
    app: Flask,
    db_session: Session,
    settings: Settings,
    redis_connection: Redis,
    provider_server: FakeProviderServer,
) -> None:
    message = make_message(db_session, make_campaign(db_session), make_volunteer(db_session))
    provider_server.fail_next(1, status=429, code=20429)

    queue_and_work(app, db_session, settings, redis_connection, message)

    [(job_id, at)] = scheduled(redis_connection).items()
    assert job_id.startswith(f"send-message-{message.id}-")
    assert message.send_after is not None
    assert abs((at - message.send_after).total_seconds()) < 1


def test_unanswered_send_schedules_a_lookup(
    app: Flask,
    db_session: Session,
    settings: Settings,
    redis_connection: Redis,
    provider_server: FakeProviderServer,
) -> None:
    message = make_message(db_session, make_campaign(db_session), make_volunteer(db_session))
    provider_server.accept_then_fail_next(1, status=500)

    queue_and_work(app, db_session, settings, redis_connection, message)

    [(job_id, at)] = scheduled(redis_connection).items()
    assert job_id.startswith(f"reconcile-message-{message.id}-")
    assert message.claimed_at is not None
    assert abs((at - (message.claimed_at + delivery.STALE_CLAIM)).total_seconds()) < 1
    assert message.status == MessageStatus.SENDING


@pytest.fixture
def send_rate(
    app: Flask, settings: Settings, monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest
) -> float:
    rate: float = request.param
    monkeypatch.setitem(app.extensions, "tournee.settings", replace(settings, sms_rate_per_s=rate))
    return rate


# One message every 10 s: the second waits longer than a worker may sleep.
@pytest.mark.parametrize("send_rate", [0.1], indirect=True)
@pytest.mark.usefixtures("send_rate")
def test_sender_over_its_rate_waits_for_a_later_job(
    app: Flask,
    db_session: Session,
    settings: Settings,
    redis_connection: Redis,
    provider_server: FakeProviderServer,
) -> None:
    campaign = make_campaign(db_session)
    first = make_message(db_session, campaign, make_volunteer(db_session))
    second = make_message(db_session, campaign, make_volunteer(db_session))

    queue_and_work(app, db_session, settings, redis_connection, first, second)

    assert (first.status, second.status) == ("sent", "queued")
    [(job_id, at)] = scheduled(redis_connection).items()
    assert job_id.startswith(f"send-message-{second.id}-")
    assert datetime.now(UTC) + timedelta(seconds=5) < at
    assert len(provider_server.send_requests) == 1


@pytest.mark.parametrize("send_rate", [50.0], indirect=True)
@pytest.mark.usefixtures("send_rate")
def test_sender_within_its_rate_sends_everything(
    app: Flask,
    db_session: Session,
    settings: Settings,
    redis_connection: Redis,
    provider_server: FakeProviderServer,
) -> None:
    campaign = make_campaign(db_session)
    messages = [make_message(db_session, campaign, make_volunteer(db_session)) for _ in range(10)]

    queue_and_work(app, db_session, settings, redis_connection, *messages)

    assert {message.status for message in messages} == {MessageStatus.SENT}
    assert scheduled(redis_connection) == {}
    assert len(provider_server.send_requests) == 10
