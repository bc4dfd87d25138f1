"""The sweeper hands back to the workers what a killed worker or a lost queue left."""

from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from flask import Flask
from redis import Redis
from rq import Queue
from rq.executions import Execution
from rq.job import Job
from sqlalchemy.orm import Session

from messaging.queues import DEFAULT_QUEUE, MESSAGES_QUEUE
from tests.fakes.provider_server import FakeProviderServer
from tests.webapp.services.delivery_support import (
    clean_redis,
    make_campaign,
    make_message,
    make_volunteer,
    provider_settings,
    run_worker,
)
from webapp.jobs.dispatch import enqueue_messages, enqueue_reconcile, enqueue_send_again
from webapp.jobs.sweeper import SweepReport, arm_sweeper, sweep
from webapp.models import Message, ProviderEvent
from webapp.models.messaging import MessageStatus
from webapp.settings import Settings

NOW = datetime.now(UTC)
STALE = timedelta(minutes=2)


@pytest.fixture
def settings(settings: Settings, provider_server: FakeProviderServer) -> Settings:
    return provider_settings(settings, provider_server)


@pytest.fixture
def redis_connection() -> Iterator[Redis]:
    yield from clean_redis()


def queue(connection: Redis) -> Queue:
    return Queue(MESSAGES_QUEUE, connection=connection)


def a_message(session: Session, **fields: object) -> Message:
    message = make_message(session, make_campaign(session), make_volunteer(session))
    for name, value in fields.items():
        setattr(message, name, value)
    session.commit()
    return message


def run_sweep(app: Flask, session: Session, settings: Settings) -> SweepReport:
    with app.app_context():
        return sweep(session, settings, now=datetime.now(UTC), stale_after=STALE)


def waiting_ids(connection: Redis) -> list[str]:
    return sorted(queue(connection).get_job_ids())


def test_queued_message_without_a_job_gets_one(
    app: Flask, db_session: Session, settings: Settings, redis_connection: Redis
) -> None:
    message = a_message(db_session)

    report = run_sweep(app, db_session, settings)

    assert report == SweepReport(reconciled=0, requeued=1, events=0)
    [job_id] = waiting_ids(redis_connection)
    assert job_id.startswith(f"send-message-{message.id}-")


def test_queued_message_with_a_job_is_left_alone(
    app: Flask, db_session: Session, settings: Settings, redis_connection: Redis
) -> None:
    waiting = a_message(db_session)
    scheduled = a_message(db_session)
    enqueue_messages(settings, [(waiting.id, None)])
    enqueue_send_again(settings, [scheduled.id], datetime.now(UTC) + timedelta(minutes=5))

    assert run_sweep(app, db_session, settings).requeued == 0
    assert waiting_ids(redis_connection) == [f"send-message-{waiting.id}"]


def test_message_not_due_is_left_for_later(
    app: Flask, db_session: Session, settings: Settings, redis_connection: Redis
) -> None:
    a_message(db_session, send_after=datetime.now(UTC) + timedelta(hours=1))

    assert run_sweep(app, db_session, settings).requeued == 0


def leave_started(connection: Redis, started_at: datetime) -> None:
    """Take the next job as a worker does before running it, and never run it."""
    found = Queue.dequeue_any([queue(connection)], None, connection=connection)
    assert found is not None
    job, _queue = found
    job.started_at = started_at
    job.save()
    with connection.pipeline() as pipeline:
        Execution.create(job, ttl=3600, pipeline=pipeline)
        pipeline.execute()


def test_job_started_by_a_dead_worker_counts_as_lost(
    app: Flask, db_session: Session, settings: Settings, redis_connection: Redis
) -> None:
    message = a_message(db_session)
    enqueue_messages(settings, [(message.id, None)])
    leave_started(redis_connection, datetime.now(UTC) - timedelta(minutes=10))

    assert queue(redis_connection).started_job_registry.get_job_ids() == [
        f"send-message-{message.id}"
    ]
    assert run_sweep(app, db_session, settings).requeued == 1


def test_recently_started_job_is_left_to_its_worker(
    app: Flask, db_session: Session, settings: Settings, redis_connection: Redis
) -> None:
    message = a_message(db_session)
    enqueue_messages(settings, [(message.id, None)])
    leave_started(redis_connection, datetime.now(UTC))

    assert run_sweep(app, db_session, settings).requeued == 0


def test_stale_claim_is_looked_up_once(
    app: Flask, db_session: Session, settings: Settings, redis_connection: Redis
) -> None:
    stale = a_message(
        db_session,
        status=MessageStatus.SENDING,
        claimed_at=datetime.now(UTC) - timedelta(minutes=5),
    )
    a_message(db_session, status=MessageStatus.SENDING, claimed_at=datetime.now(UTC))

    first = run_sweep(app, db_session, settings)
    second = run_sweep(app, db_session, settings)

    assert (first.reconciled, second.reconciled) == (1, 0)
    [job_id] = waiting_ids(redis_connection)
    assert job_id.startswith(f"reconcile-message-{stale.id}-")


def test_claim_without_a_time_is_judged_by_its_last_update(
    app: Flask, db_session: Session, settings: Settings, redis_connection: Redis
) -> None:
    a_message(
        db_session,
        status=MessageStatus.SENDING,
        claimed_at=None,
        updated_at=datetime.now(UTC) - timedelta(hours=1),
    )

    assert run_sweep(app, db_session, settings).reconciled == 1


def test_stale_claim_with_a_scheduled_lookup_is_left_alone(
    app: Flask, db_session: Session, settings: Settings, redis_connection: Redis
) -> None:
    stale = a_message(
        db_session,
        status=MessageStatus.SENDING,
        claimed_at=datetime.now(UTC) - timedelta(minutes=5),
    )
    enqueue_reconcile(settings, [stale.id], datetime.now(UTC) + timedelta(minutes=1))

    assert run_sweep(app, db_session, settings).reconciled == 0


def test_lost_queue_is_rebuilt_and_every_message_sent_once(
    app: Flask,
    db_session: Session,
    settings: Settings,
    redis_connection: Redis,
    provider_server: FakeProviderServer,
) -> None:
    messages = [a_message(db_session) for _ in range(5)]
    enqueue_messages(settings, [(message.id, None) for message in messages])
    redis_connection.delete(queue(redis_connection).key)

    assert run_sweep(app, db_session, settings).requeued == 5
    run_worker(app, redis_connection)

    assert len(provider_server.send_requests) == 5
    for message in messages:
        db_session.refresh(message)
        assert message.status == MessageStatus.SENT


def test_unprocessed_events_are_applied_again(
    app: Flask, db_session: Session, settings: Settings, redis_connection: Redis
) -> None:
    message = a_message(db_session, status=MessageStatus.SENT, provider_id="SMlate")
    db_session.add_all(
        [
            ProviderEvent(
                provider="twilio",
                event_key="SMlate:delivered",
                payload={"MessageSid": "SMlate", "MessageStatus": "delivered"},
                received_at=datetime.now(UTC) - timedelta(minutes=2),
            ),
            ProviderEvent(
                provider="twilio",
                event_key="SMold:delivered",
                payload={"MessageSid": "SMold", "MessageStatus": "delivered"},
                received_at=datetime.now(UTC) - timedelta(days=2),
            ),
        ]
    )
    db_session.commit()

    assert run_sweep(app, db_session, settings).events == 1
    run_worker(app, redis_connection)

    db_session.refresh(message)
    assert message.status == MessageStatus.DELIVERED


def test_without_redis_the_sweep_sends_at_once(
    app: Flask, db_session: Session, settings: Settings, provider_server: FakeProviderServer
) -> None:
    synchronous = replace(settings, is_queue_synchronous=True)
    app.extensions["tournee.settings"] = synchronous
    message = a_message(db_session)

    assert run_sweep(app, db_session, synchronous).requeued == 1

    db_session.refresh(message)
    assert message.status == MessageStatus.SENT


def test_sweeper_schedules_itself_once_a_minute(
    app: Flask, settings: Settings, redis_connection: Redis
) -> None:
    at = datetime(2030, 1, 1, 12, 0, tzinfo=UTC)

    first = arm_sweeper(settings, at)
    again = arm_sweeper(settings, at + timedelta(seconds=20))

    assert first == again == "sweep-messages-203001011200"
    default = Queue(DEFAULT_QUEUE, connection=redis_connection)
    assert default.scheduled_job_registry.get_job_ids() == [first]
    assert Job.fetch(first, connection=redis_connection).func_name == (
        "webapp.jobs.sweeper.sweep_messages_job"
    )


def test_sweep_command(app: Flask, db_session: Session, redis_connection: Redis) -> None:
    a_message(db_session)

    # The `flask` command line runs every command inside an app context.
    with app.app_context():
        once = app.test_cli_runner().invoke(args=["messages", "sweep"])
        chained = app.test_cli_runner().invoke(args=["messages", "sweep", "--every-minute"])

    assert once.exit_code == 0, once.output
    assert "queued messages requeued: 1" in once.output
    assert chained.exit_code == 0, chained.output
    assert chained.output.startswith("sweeper scheduled: sweep-messages-")
