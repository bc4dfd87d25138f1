"""A broadcast set for later is prepared by a job, then waits in RQ's scheduled registry."""

from collections.abc import Iterator
from dataclasses import replace
from datetime import date, datetime, time, timedelta

import pytest
from flask import Flask
from redis import Redis
from rq import Queue
from rq.job import Job
from sqlalchemy import select
from sqlalchemy.orm import Session

from messaging.queues import DEFAULT_QUEUE, MESSAGES_QUEUE
from tests.redis_urls import JOBS_REDIS_URL
from tests.webapp.broadcasts.conftest import PostForm
from tests.webapp.services.delivery_support import run_worker
from webapp.db import utcnow
from webapp.models import Broadcast, Message
from webapp.models.messaging import BroadcastStatus, MessageStatus
from webapp.services.localtime import local_to_utc, to_local_naive
from webapp.settings import Settings

REDIS_URL = JOBS_REDIS_URL


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """The base test settings, with jobs going through Redis."""
    return replace(settings, redis_url=REDIS_URL, is_queue_synchronous=False)


@pytest.fixture
def redis_connection() -> Iterator[Redis]:
    connection = Redis.from_url(REDIS_URL)
    connection.flushdb()
    yield connection
    connection.flushdb()


def in_three_days() -> tuple[date, time]:
    """Return a Paris date and a whole-minute time three days from now."""
    local = to_local_naive(utcnow() + timedelta(days=3))
    return local.date(), time(local.hour, local.minute)


def test_scheduled_broadcast_waits_in_the_registry(
    app: Flask, post_form: PostForm, db_session: Session, redis_connection: Redis
) -> None:
    day, moment = in_three_days()

    response = post_form(send_day=day.isoformat(), send_time=moment.strftime("%H:%M"))

    assert response.status_code == 302
    broadcast = db_session.scalars(select(Broadcast)).one()
    assert broadcast.status == BroadcastStatus.PREPARING
    assert Queue(DEFAULT_QUEUE, connection=redis_connection).get_job_ids() == [
        f"prepare-broadcast-{broadcast.id}"
    ]
    run_worker(app, redis_connection)
    db_session.refresh(broadcast)
    expected_at = local_to_utc(datetime.combine(day, moment))
    assert (broadcast.status, broadcast.scheduled_at) == (BroadcastStatus.SCHEDULED, expected_at)
    messages = db_session.scalars(select(Message).order_by(Message.id)).all()
    assert {(m.status, m.send_after) for m in messages} == {(MessageStatus.QUEUED, expected_at)}
    queue = Queue(MESSAGES_QUEUE, connection=redis_connection)
    registry = queue.scheduled_job_registry
    assert queue.count == 0
    [job_id] = registry.get_job_ids()
    assert Job.fetch(job_id, connection=redis_connection).args == ([m.id for m in messages],)
    assert registry.get_scheduled_time(job_id) == expected_at


def test_time_in_the_past_is_refused(
    post_form: PostForm, db_session: Session, redis_connection: Redis
) -> None:
    yesterday = to_local_naive(utcnow() - timedelta(days=1))

    response = post_form(send_day=yesterday.date().isoformat(), send_time="10:00")

    assert response.status_code == 422
    assert "Choisissez une heure à venir" in response.get_data(as_text=True)
    assert db_session.scalars(select(Broadcast)).all() == []
    assert Queue(MESSAGES_QUEUE, connection=redis_connection).scheduled_job_registry.count == 0
    assert Queue(DEFAULT_QUEUE, connection=redis_connection).count == 0
