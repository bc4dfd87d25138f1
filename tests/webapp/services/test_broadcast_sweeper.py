"""The sweeper prepares again a broadcast whose preparation job was lost or killed."""

from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from flask import Flask
from redis import Redis
from rq import Queue
from rq.executions import Execution
from sqlalchemy import select
from sqlalchemy.orm import Session

from messaging.queues import DEFAULT_JOB_TIMEOUT_S, DEFAULT_QUEUE
from tests.webapp.broadcasts.crew import Crew, seed_crew
from tests.webapp.services.delivery_support import clean_redis, run_worker
from webapp.db import utcnow
from webapp.jobs.sweeper import PREPARATION_GRACE, SweepReport, sweep
from webapp.models import Broadcast, Message
from webapp.models.messaging import BroadcastStatus
from webapp.models.users import Channel
from webapp.services.broadcast_segments import Segment, SegmentKind
from webapp.services.broadcasts import BroadcastDraft, create_broadcast
from webapp.settings import Settings

STALE = timedelta(minutes=2)
DRAFT = BroadcastDraft(
    channel=Channel.SMS,
    segment=Segment(SegmentKind.ALL),
    body="Tournee: porte-a-porte samedi. STOP au 36180",
    # Far enough ahead that no send job runs in these tests.
    scheduled_at=datetime.now(UTC) + timedelta(days=3),
)


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return replace(settings, is_queue_synchronous=False)


@pytest.fixture
def redis_connection() -> Iterator[Redis]:
    yield from clean_redis()


@pytest.fixture
def crew(db_session: Session) -> Crew:
    crew = seed_crew(db_session, utcnow().date() + timedelta(days=30))
    db_session.commit()
    return crew


def create(app: Flask, db_session: Session, crew: Crew, age: timedelta) -> Broadcast:
    """Create a broadcast `age` ago; its preparation job goes to Redis on commit."""
    with app.app_context():
        creation = create_broadcast(
            db_session,
            crew.campaign.id,
            DRAFT,
            submission_key=f"sweep-key-{age.total_seconds():.0f}-0123456789",
            created_by_user_id=crew.coordinator.id,
            now=datetime.now(UTC) - age,
        )
        db_session.commit()
    return creation.broadcast


def run_sweep(app: Flask, db_session: Session, settings: Settings) -> SweepReport:
    with app.app_context():
        return sweep(db_session, settings, now=datetime.now(UTC), stale_after=STALE)


def default_queue(connection: Redis) -> Queue:
    return Queue(DEFAULT_QUEUE, connection=connection)


def leave_started(connection: Redis, started_at: datetime) -> None:
    """Take the next preparation job as a worker does before running it, and never run it."""
    found = Queue.dequeue_any([default_queue(connection)], None, connection=connection)
    assert found is not None
    job, _queue = found
    job.started_at = started_at
    job.save()
    with connection.pipeline() as pipeline:
        Execution.create(job, ttl=3600, pipeline=pipeline)
        pipeline.execute()


def test_lost_preparation_is_enqueued_again(
    app: Flask, db_session: Session, crew: Crew, settings: Settings, redis_connection: Redis
) -> None:
    broadcast = create(app, db_session, crew, timedelta(minutes=5))
    redis_connection.flushdb()

    first = run_sweep(app, db_session, settings)
    second = run_sweep(app, db_session, settings)

    assert first == SweepReport(reconciled=0, requeued=0, events=0, preparations=1)
    assert second.preparations == 0
    [job_id] = default_queue(redis_connection).get_job_ids()
    assert job_id.startswith(f"prepare-broadcast-{broadcast.id}-")
    run_worker(app, redis_connection)
    db_session.refresh(broadcast)
    assert (broadcast.status, broadcast.recipient_count) == (BroadcastStatus.SCHEDULED, 4)
    assert len(db_session.scalars(select(Message)).all()) == 4
    assert run_sweep(app, db_session, settings).preparations == 0


def test_preparation_waiting_in_the_queue_is_left_alone(
    app: Flask, db_session: Session, crew: Crew, settings: Settings, redis_connection: Redis
) -> None:
    broadcast = create(app, db_session, crew, timedelta(minutes=5))

    assert run_sweep(app, db_session, settings).preparations == 0
    assert default_queue(redis_connection).get_job_ids() == [f"prepare-broadcast-{broadcast.id}"]


def test_broadcast_just_created_is_left_alone(
    app: Flask, db_session: Session, crew: Crew, settings: Settings, redis_connection: Redis
) -> None:
    create(app, db_session, crew, PREPARATION_GRACE - timedelta(seconds=10))
    redis_connection.flushdb()

    assert run_sweep(app, db_session, settings).preparations == 0


@pytest.mark.parametrize(
    ("started_ago", "preparations"),
    [
        (timedelta(seconds=DEFAULT_JOB_TIMEOUT_S + 60), 1),
        (timedelta(seconds=30), 0),
    ],
)
def test_preparation_started_by_a_dead_worker_is_lost(
    *,
    app: Flask,
    db_session: Session,
    crew: Crew,
    settings: Settings,
    redis_connection: Redis,
    started_ago: timedelta,
    preparations: int,
) -> None:
    broadcast = create(app, db_session, crew, timedelta(minutes=15))
    leave_started(redis_connection, datetime.now(UTC) - started_ago)

    assert default_queue(redis_connection).started_job_registry.get_job_ids() == [
        f"prepare-broadcast-{broadcast.id}"
    ]
    assert run_sweep(app, db_session, settings).preparations == preparations


def test_without_redis_the_sweep_prepares_at_once(
    app: Flask, db_session: Session, crew: Crew, settings: Settings, redis_connection: Redis
) -> None:
    broadcast = create(app, db_session, crew, timedelta(minutes=5))
    synchronous = replace(settings, is_queue_synchronous=True)
    app.extensions["tournee.settings"] = synchronous

    assert run_sweep(app, db_session, synchronous).preparations == 1

    db_session.refresh(broadcast)
    assert broadcast.status == BroadcastStatus.SCHEDULED
    assert len(db_session.scalars(select(Message)).all()) == 4
