"""Recover messaging work that a killed worker or a lost queue left behind.

Every minute, rows in sending whose claim is stale are looked up at the provider. Rows
queued and due with no job waiting in Redis get a new one, and so do broadcasts left
`preparing`. Provider events still unprocessed are applied again. Everything it
enqueues is idempotent, so a sweep that overlaps a live worker only costs a few jobs
that find nothing to do.

How it runs: `flask worker` starts RQ's scheduler, and `flask messages sweep
--every-minute` schedules `sweep_messages_job` once; each run schedules the next. A cron
line running `flask messages sweep` every minute does the same without the chain, and
keeps sweeping if Redis loses its data.
"""

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from redis import Redis
from rq import Queue
from rq.exceptions import NoSuchJobError
from rq.job import Job
from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from messaging.queues import (
    DEFAULT_JOB_FAILURE_TTL_S,
    DEFAULT_JOB_RESULT_TTL_S,
    DEFAULT_JOB_TIMEOUT_S,
    DEFAULT_QUEUE,
    scheduled_ttl_s,
)
from webapp.db import utcnow
from webapp.jobs.broadcasts import prepared_broadcast_id, requeue_preparations
from webapp.jobs.context import job_session
from webapp.jobs.dispatch import (
    enqueue_event_processing,
    enqueue_reconcile,
    enqueue_send_again,
    job_span,
    messages_queue,
    redis_connection,
)
from webapp.models import Broadcast, Message, ProviderEvent
from webapp.models.messaging import BroadcastStatus, MessageStatus
from webapp.services.delivery import STALE_CLAIM
from webapp.services.provider_events import UNMATCHED_RETRY_DELAYS
from webapp.settings import Settings
from webapp.settings_access import get_settings

logger = logging.getLogger(__name__)

SWEEP_INTERVAL = timedelta(minutes=1)
SWEEP_JOB_PREFIX = "sweep-messages-"
# Rows handled per sweep; the next sweep takes the rest.
SWEEP_BATCH = 5000
# Unprocessed events are retried from this age until this age, then left for a person.
EVENT_RETRY_FROM = timedelta(seconds=30)
EVENT_RETRY_UNTIL = timedelta(hours=1)
# A broadcast `preparing` for longer than this with no preparation job pending lost its
# job. The request enqueues the job right after its commit, so this only has to cover
# that moment.
PREPARATION_GRACE = timedelta(minutes=1)


@dataclass(frozen=True)
class SweepReport:
    """How many rows a sweep handed back to the workers."""

    reconciled: int
    requeued: int
    events: int
    preparations: int = 0


def sweep_messages(
    *, now: datetime | None = None, stale_after: timedelta = STALE_CLAIM
) -> SweepReport:
    """Recover stale claims, queued rows without a job and unprocessed events once."""
    with job_session() as session:
        return sweep(session, get_settings(), now=now or utcnow(), stale_after=stale_after)


def sweep(
    session: Session, settings: Settings, *, now: datetime, stale_after: timedelta
) -> SweepReport:
    """Enqueue the work the database shows as pending and Redis does not hold."""
    stale_ids = _stale_claims(session, now, stale_after)
    due_ids = _due_messages(session, now)
    event_ids = _unprocessed_events(session, now)
    preparing_ids = _unprepared_broadcasts(session, now)
    session.rollback()
    if settings.is_queue_synchronous:
        sending, looking_up, preparing = set[int](), set[int](), set[int]()
    else:
        sending, looking_up = _messages_with_jobs(settings, now, stale_after, stale_ids + due_ids)
        preparing = _broadcasts_with_jobs(settings, now)
    stale_ids = [message_id for message_id in stale_ids if message_id not in looking_up]
    orphans = [message_id for message_id in due_ids if message_id not in sending]
    unprepared = [broadcast_id for broadcast_id in preparing_ids if broadcast_id not in preparing]
    enqueue_reconcile(settings, stale_ids, None)
    enqueue_send_again(settings, orphans, None)
    # The sweep itself comes back every minute: the job needs no retries of its own.
    enqueue_event_processing(settings, event_ids, attempt=len(UNMATCHED_RETRY_DELAYS))
    requeue_preparations(settings, unprepared)
    report = SweepReport(
        reconciled=len(stale_ids),
        requeued=len(orphans),
        events=len(event_ids),
        preparations=len(unprepared),
    )
    if stale_ids or orphans or event_ids or unprepared:
        logger.warning(
            "Sweep: %s stale claims to look up, %s queued messages without a job, %s events,"
            " %s broadcasts to prepare again",
            report.reconciled,
            report.requeued,
            report.events,
            report.preparations,
        )
    return report


def _stale_claims(session: Session, now: datetime, stale_after: timedelta) -> list[int]:
    return list(
        session.scalars(
            select(Message.id)
            .where(
                Message.status == MessageStatus.SENDING,
                # Rows claimed before claims were timed only have their last update.
                or_(
                    Message.claimed_at < now - stale_after,
                    and_(Message.claimed_at.is_(None), Message.updated_at < now - stale_after),
                ),
            )
            .order_by(Message.id)
            .limit(SWEEP_BATCH)
        )
    )


def _due_messages(session: Session, now: datetime) -> list[int]:
    return list(
        session.scalars(
            select(Message.id)
            .where(
                Message.status == MessageStatus.QUEUED,
                or_(Message.send_after.is_(None), Message.send_after <= now),
            )
            .order_by(Message.id)
            .limit(SWEEP_BATCH)
        )
    )


def _unprocessed_events(session: Session, now: datetime) -> list[int]:
    return list(
        session.scalars(
            select(ProviderEvent.id)
            .where(
                ProviderEvent.processed_at.is_(None),
                ProviderEvent.received_at < now - EVENT_RETRY_FROM,
                ProviderEvent.received_at > now - EVENT_RETRY_UNTIL,
            )
            .order_by(ProviderEvent.id)
            .limit(SWEEP_BATCH)
        )
    )


def _unprepared_broadcasts(session: Session, now: datetime) -> list[int]:
    # NOTE: a preparation that fails every time is enqueued again at every sweep, with no
    # limit, and each failed job stays in RQ's failed registry for its failure TTL.
    return list(
        session.scalars(
            select(Broadcast.id)
            .where(
                Broadcast.status == BroadcastStatus.PREPARING,
                Broadcast.created_at < now - PREPARATION_GRACE,
            )
            .order_by(Broadcast.id)
            .limit(SWEEP_BATCH)
        )
    )


def _messages_with_jobs(
    settings: Settings, now: datetime, stale_after: timedelta, candidates: Sequence[int]
) -> tuple[set[int], set[int]]:
    """Return the ids among `candidates` with a send job, and those with a lookup job, pending.

    Pending means waiting in the queue, scheduled, or started less than `stale_after`
    ago: a job started earlier than that lost its worker (a send takes seconds, and the
    claim guards against a second send anyway). Only batch jobs whose id range meets
    the candidates are read from Redis.
    """
    queue = messages_queue(settings)
    job_ids = set(queue.get_job_ids())
    job_ids.update(queue.scheduled_job_registry.get_job_ids())
    job_ids.update(
        job_id
        for job_id in queue.started_job_registry.get_job_ids()
        if _started_since(queue.connection, job_id, now - stale_after)
    )
    sending: set[int] = set()
    looking_up: set[int] = set()
    if not candidates:
        return sending, looking_up
    low, high = min(candidates), max(candidates)
    batches: list[tuple[str, set[int]]] = []
    for job_id in job_ids:
        span = job_span(job_id)
        if span is None:
            continue
        covered = sending if span.is_send else looking_up
        if not span.is_batch:
            covered.add(span.first_id)
        elif span.first_id <= high and span.last_id >= low:
            batches.append((job_id, covered))
    jobs = Job.fetch_many([job_id for job_id, _ in batches], connection=queue.connection)
    for job, (_, covered) in zip(jobs, batches, strict=True):
        if job is not None and job.args:
            covered.update(int(message_id) for message_id in job.args[0])
    return sending, looking_up


def _broadcasts_with_jobs(settings: Settings, now: datetime) -> set[int]:
    """Return the ids of the broadcasts with a preparation job pending on the default queue.

    Pending means waiting, scheduled, or started less than the job's timeout ago: RQ
    stops a job at its timeout, so one started earlier lost its worker.
    """
    queue = Queue(DEFAULT_QUEUE, connection=redis_connection(settings.redis_url))
    since = now - timedelta(seconds=DEFAULT_JOB_TIMEOUT_S)
    job_ids = set(queue.get_job_ids())
    job_ids.update(queue.scheduled_job_registry.get_job_ids())
    job_ids.update(
        job_id
        for job_id in queue.started_job_registry.get_job_ids()
        if prepared_broadcast_id(job_id) is not None
        and _started_since(queue.connection, job_id, since)
    )
    broadcast_ids = (prepared_broadcast_id(job_id) for job_id in job_ids)
    return {broadcast_id for broadcast_id in broadcast_ids if broadcast_id is not None}


def _started_since(connection: Redis, job_id: str, since: datetime) -> bool:
    try:
        job = Job.fetch(job_id, connection=connection)
    except NoSuchJobError:
        return False
    started_at = job.started_at
    if started_at is None:
        return True
    if started_at.tzinfo is None:
        started_at = started_at.replace(tzinfo=since.tzinfo)
    return started_at >= since


def sweep_messages_job() -> str:
    """Sweep once, then schedule the next sweep a minute later."""
    report = sweep_messages()
    with job_session():
        arm_sweeper(get_settings())
    return (
        f"{report.reconciled} reconciled, {report.requeued} requeued, {report.events} events,"
        f" {report.preparations} preparations"
    )


def arm_sweeper(settings: Settings, at: datetime | None = None) -> str:
    """Schedule the next sweep (a minute from now by default) unless one is scheduled.

    The job id names the minute, so two chains started by mistake merge into one.
    """
    at = at or utcnow() + SWEEP_INTERVAL
    job_id = f"{SWEEP_JOB_PREFIX}{at:%Y%m%d%H%M}"
    connection = redis_connection(settings.redis_url)
    if Job.exists(job_id, connection=connection):
        return job_id
    delay_s = max(0, int((at - utcnow()).total_seconds()))
    Queue(DEFAULT_QUEUE, connection=connection).enqueue_at(
        at,
        sweep_messages_job,
        job_id=job_id,
        job_timeout=DEFAULT_JOB_TIMEOUT_S,
        ttl=scheduled_ttl_s(delay_s, ttl_s=int(SWEEP_INTERVAL.total_seconds()) * 5),
        result_ttl=DEFAULT_JOB_RESULT_TTL_S,
        failure_ttl=DEFAULT_JOB_FAILURE_TTL_S,
    )
    return job_id
