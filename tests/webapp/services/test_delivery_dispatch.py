"""Send jobs carry batches of ids: their size, ids, schedule, follow-ups and the sweeper."""

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from flask import Flask
from redis import Redis
from rq import Queue
from rq.job import Job
from sqlalchemy.orm import Session

from messaging.queues import MESSAGES_QUEUE, SEND_BATCH_SIZE, SEND_BATCH_TIMEOUT_S
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
from webapp.jobs.dispatch import JobSpan, enqueue_messages, enqueue_reconcile, job_span
from webapp.jobs.sweeper import sweep
from webapp.models import Message
from webapp.models.messaging import MessagePurpose, MessageStatus
from webapp.settings import Settings

STALE = timedelta(minutes=2)


@pytest.fixture
def settings(settings: Settings, provider_server: FakeProviderServer) -> Settings:
    return provider_settings(settings, provider_server)


@pytest.fixture
def redis_connection() -> Iterator[Redis]:
    yield from clean_redis()


def queue(connection: Redis) -> Queue:
    return Queue(MESSAGES_QUEUE, connection=connection)


def jobs_of(connection: Redis, job_ids: list[str]) -> list[Job]:
    return [Job.fetch(job_id, connection=connection) for job_id in job_ids]


def test_ids_go_in_batches(settings: Settings, redis_connection: Redis) -> None:
    ids = list(range(10_001, 10_001 + 2 * SEND_BATCH_SIZE + 500))

    enqueue_messages(settings, [(message_id, None) for message_id in reversed(ids)])

    jobs = jobs_of(redis_connection, queue(redis_connection).get_job_ids())
    assert [job.args[0] for job in jobs] == [
        ids[:SEND_BATCH_SIZE],
        ids[SEND_BATCH_SIZE : 2 * SEND_BATCH_SIZE],
        ids[2 * SEND_BATCH_SIZE :],
    ]
    assert [job.id.rsplit("-", 1)[0] for job in jobs] == [
        "send-messages-10001-11000",
        "send-messages-11001-12000",
        "send-messages-12001-12500",
    ]
    assert jobs[0].description == "send_messages(1000 ids from 10001)"
    assert {job.func_name for job in jobs} == {"webapp.jobs.messages.send_messages"}
    assert {job.timeout for job in jobs} == {SEND_BATCH_TIMEOUT_S}
    assert {job.retries_left for job in jobs} == {4}


def test_same_ids_make_the_same_jobs(settings: Settings, redis_connection: Redis) -> None:
    schedule = [(message_id, None) for message_id in range(1, 1501)]

    enqueue_messages(settings, schedule)
    first = set(queue(redis_connection).get_job_ids())
    enqueue_messages(settings, schedule)

    assert len(first) == 2
    assert set(queue(redis_connection).get_job_ids()) == first


def test_later_messages_wait_in_the_registry(settings: Settings, redis_connection: Redis) -> None:
    later = datetime.now(UTC) + timedelta(hours=3)

    enqueue_messages(settings, [(1, None), (2, later), (3, later), (4, None)])

    assert jobs_of(redis_connection, queue(redis_connection).get_job_ids())[0].args == ([1, 4],)
    registry = queue(redis_connection).scheduled_job_registry
    [scheduled] = registry.get_job_ids()
    assert Job.fetch(scheduled, connection=redis_connection).args == ([2, 3],)
    assert abs((registry.get_scheduled_time(scheduled) - later).total_seconds()) < 1


def test_lookups_go_in_batches(settings: Settings, redis_connection: Redis) -> None:
    enqueue_reconcile(settings, [7, 5, 6, 5], None)
    enqueue_reconcile(settings, [9], None)

    ids = queue(redis_connection).get_job_ids()
    assert ids[0].startswith("reconcile-messages-5-7-")
    assert ids[1].startswith("reconcile-message-9-")
    assert Job.fetch(ids[0], connection=redis_connection).args == ([5, 6, 7],)


@pytest.mark.parametrize(
    ("job_id", "span"),
    [
        ("send-message-12", JobSpan(is_send=True, first_id=12, last_id=12, is_batch=False)),
        ("send-message-12-ab12", JobSpan(is_send=True, first_id=12, last_id=12, is_batch=False)),
        ("send-messages-3-90-ab12", JobSpan(is_send=True, first_id=3, last_id=90, is_batch=True)),
        ("reconcile-message-4-x", JobSpan(is_send=False, first_id=4, last_id=4, is_batch=False)),
        (
            "reconcile-messages-4-8-x",
            JobSpan(is_send=False, first_id=4, last_id=8, is_batch=True),
        ),
        ("send-messages-3", None),
        ("send-message-abc", None),
        ("sweep-messages-203001011200", None),
        ("provider-events-4-ab", None),
    ],
)
def test_job_ids_name_their_messages(job_id: str, span: JobSpan | None) -> None:
    assert job_span(job_id) == span


def a_message(session: Session, **fields: object) -> Message:
    message = make_message(session, make_campaign(session), make_volunteer(session))
    for name, value in fields.items():
        setattr(message, name, value)
    session.commit()
    return message


def test_sweep_reads_the_ids_a_batch_holds(
    app: Flask, db_session: Session, settings: Settings, redis_connection: Redis
) -> None:
    covered = [a_message(db_session) for _ in range(2)]
    between = a_message(db_session)
    covered.append(a_message(db_session))
    enqueue_messages(settings, [(message.id, None) for message in covered])
    before = set(queue(redis_connection).get_job_ids())

    with app.app_context():
        report = sweep(db_session, settings, now=datetime.now(UTC), stale_after=STALE)

    # The row between the batch's first and last ids is not in it: it gets a job.
    assert report.requeued == 1
    [new] = set(queue(redis_connection).get_job_ids()) - before
    assert new.startswith(f"send-message-{between.id}-")


def test_sweep_leaves_rows_with_a_batch_lookup(
    app: Flask, db_session: Session, settings: Settings, redis_connection: Redis
) -> None:
    claimed_at = datetime.now(UTC) - timedelta(minutes=5)
    stale = [
        a_message(db_session, status=MessageStatus.SENDING, claimed_at=claimed_at) for _ in range(3)
    ]
    enqueue_reconcile(settings, [m.id for m in stale[:2]], datetime.now(UTC) + timedelta(minutes=1))

    with app.app_context():
        report = sweep(db_session, settings, now=datetime.now(UTC), stale_after=STALE)

    assert report.reconciled == 1
    assert any(
        job_id.startswith(f"reconcile-message-{stale[2].id}-")
        for job_id in queue(redis_connection).get_job_ids()
    )


def test_held_batch_comes_back_as_one_job(
    app: Flask,
    db_session: Session,
    settings: Settings,
    redis_connection: Redis,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Sunday 7 June 2026 at 12:00 in Paris, for the rules and for the scheduling.
    sunday_noon = datetime(2026, 6, 7, 10, 0, tzinfo=UTC)
    monkeypatch.setattr("webapp.services.delivery.utcnow", lambda: sunday_noon)
    monkeypatch.setattr(dispatch, "utcnow", lambda: sunday_noon)
    campaign = make_campaign(db_session)
    messages = [
        make_message(
            db_session, campaign, make_volunteer(db_session), purpose=MessagePurpose.BROADCAST
        )
        for _ in range(3)
    ]
    db_session.commit()
    enqueue_messages(settings, [(message.id, None) for message in messages])

    run_worker(app, redis_connection)

    registry = queue(redis_connection).scheduled_job_registry
    [job_id] = registry.get_job_ids()
    assert job_id.startswith(f"send-messages-{messages[0].id}-{messages[2].id}-")
    assert Job.fetch(job_id, connection=redis_connection).args == ([m.id for m in messages],)
    assert registry.get_scheduled_time(job_id) == datetime(2026, 6, 8, 6, 0, tzinfo=UTC)
