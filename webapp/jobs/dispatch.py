"""Put message jobs on the RQ queue, or run them in-process for the laptop demo.

A send job takes a batch of message ids (`SEND_BATCH_SIZE` at most), never one job per
row of a broadcast. Job ids carry the ids they cover, so the sweeper can tell which
queued rows have a job waiting: `send-message-<id>` for one message, and
`send-messages-<first>-<last>-<tag>` for a batch, whose exact ids are its argument.
A `tag` makes a new job for messages sent again. Running a job twice is harmless: the
claim lets one of them send.
"""

import hashlib
import logging
import secrets
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from typing import Any

from redis import Redis
from redis.client import Pipeline
from rq import Queue, Retry

from messaging.queues import (
    MESSAGES_QUEUE,
    SEND_BATCH_SIZE,
    SEND_BATCH_TIMEOUT_S,
    SEND_MESSAGE_FAILURE_TTL_S,
    SEND_MESSAGE_MAX_RETRIES,
    SEND_MESSAGE_RESULT_TTL_S,
    SEND_MESSAGE_RETRY_INTERVALS_S,
    SEND_MESSAGE_TIMEOUT_S,
    SEND_MESSAGE_TTL_S,
    scheduled_ttl_s,
)
from webapp.db import utcnow
from webapp.settings import Settings

logger = logging.getLogger(__name__)

SEND_JOB_PREFIX = "send-message-"
SEND_BATCH_JOB_PREFIX = "send-messages-"
RECONCILE_JOB_PREFIX = "reconcile-message-"
RECONCILE_BATCH_JOB_PREFIX = "reconcile-messages-"
EVENTS_JOB_PREFIX = "provider-events-"


@lru_cache(maxsize=4)
def redis_connection(url: str) -> Redis:
    """Return one Redis client per URL and process; redis-py reconnects after a fork."""
    return Redis.from_url(url)


def messages_queue(settings: Settings) -> Queue:
    return Queue(MESSAGES_QUEUE, connection=redis_connection(settings.redis_url))


@dataclass(frozen=True)
class JobSpan:
    """The message ids a send or lookup job id names: exact for one, bounds for a batch."""

    is_send: bool
    first_id: int
    last_id: int
    is_batch: bool


def send_job_id(message_id: int, tag: str | None = None) -> str:
    """Return the id of a one-message send job; a `tag` makes a new job for a message sent again."""
    return f"{SEND_JOB_PREFIX}{message_id}" + (f"-{tag}" if tag else "")


def job_span(job_id: str) -> JobSpan | None:
    """Return the message ids a send or lookup job id names, or None for another job."""
    for prefix, is_send, is_batch in (
        (SEND_BATCH_JOB_PREFIX, True, True),
        (SEND_JOB_PREFIX, True, False),
        (RECONCILE_BATCH_JOB_PREFIX, False, True),
        (RECONCILE_JOB_PREFIX, False, False),
    ):
        if job_id.startswith(prefix):
            parts = job_id[len(prefix) :].split("-")
            count = 2 if is_batch else 1
            if len(parts) < count or not all(part.isdigit() for part in parts[:count]):
                return None
            first, last = int(parts[0]), int(parts[count - 1])
            return JobSpan(is_send=is_send, first_id=first, last_id=last, is_batch=is_batch)
    return None


def enqueue_messages(settings: Settings, schedule: Sequence[tuple[int, datetime | None]]) -> None:
    """Enqueue send jobs for (message id, send-after time) pairs; call only after commit.

    Messages due at the same time share jobs of up to `SEND_BATCH_SIZE` ids. In
    synchronous mode (the laptop demo, no Redis) messages due now are sent at once and
    later ones stay queued in the database.
    """
    if not schedule:
        return
    by_time: dict[datetime | None, list[int]] = {}
    for message_id, send_after in schedule:
        by_time.setdefault(send_after, []).append(message_id)
    jobs = 0
    for at, message_ids in by_time.items():
        jobs += _enqueue_sends(settings, sorted(set(message_ids)), at, tag=None)
    logger.info("Enqueued %s messages in %s send jobs", len(schedule), jobs)


def enqueue_send_again(settings: Settings, message_ids: Sequence[int], at: datetime | None) -> None:
    """Schedule new send jobs for messages that wait (held, rate-limited, retried)."""
    if message_ids:
        _enqueue_sends(settings, sorted(set(message_ids)), at, tag=secrets.token_hex(4))


def enqueue_reconcile(settings: Settings, message_ids: Sequence[int], at: datetime | None) -> None:
    """Schedule the lookup of messages left in sending."""
    from webapp.jobs.messages import reconcile_messages_job

    ids = sorted(set(message_ids))
    if not ids:
        return
    if settings.is_queue_synchronous:
        if at is None or at <= utcnow():
            reconcile_messages_job(ids)
        return
    tag = secrets.token_hex(4)
    _put_batches(
        settings,
        reconcile_messages_job,
        ids,
        at,
        lambda chunk: _batch_job_id(RECONCILE_JOB_PREFIX, RECONCILE_BATCH_JOB_PREFIX, chunk, tag),
        timeout_s=SEND_BATCH_TIMEOUT_S,
        retry=None,
    )


def enqueue_event_processing(
    settings: Settings, event_ids: Sequence[int], at: datetime | None = None, attempt: int = 0
) -> None:
    """Enqueue the processing of stored provider events; call only after commit."""
    from webapp.jobs.messages import process_provider_events_job

    if not event_ids:
        return
    ids = list(event_ids)
    if settings.is_queue_synchronous:
        if at is None or at <= utcnow():
            process_provider_events_job(ids, attempt)
        return
    job_id = f"{EVENTS_JOB_PREFIX}{ids[0]}-{secrets.token_hex(4)}"
    queue = messages_queue(settings)
    with queue.connection.pipeline() as pipeline:
        _put(
            pipeline,
            queue,
            process_provider_events_job,
            (ids, attempt),
            at=at,
            options=_job_options(job_id),
        )
        pipeline.execute()


def _enqueue_sends(
    settings: Settings, message_ids: list[int], at: datetime | None, tag: str | None
) -> int:
    """Enqueue sorted ids in batches; return the number of jobs."""
    from webapp.jobs.messages import send_messages

    if settings.is_queue_synchronous:
        if at is None or at <= utcnow():
            for chunk in _chunks(message_ids, SEND_BATCH_SIZE):
                send_messages(chunk)
        return 0
    digest_tag = tag is None
    return _put_batches(
        settings,
        send_messages,
        message_ids,
        at,
        lambda chunk: _batch_job_id(
            SEND_JOB_PREFIX,
            SEND_BATCH_JOB_PREFIX,
            chunk,
            _digest(chunk) if digest_tag and len(chunk) > 1 else tag,
        ),
        timeout_s=SEND_BATCH_TIMEOUT_S,
        retry=Retry(max=SEND_MESSAGE_MAX_RETRIES, interval=list(SEND_MESSAGE_RETRY_INTERVALS_S)),
    )


def _put_batches(
    settings: Settings,
    function: Callable[..., Any],
    message_ids: list[int],
    at: datetime | None,
    job_id_of: Callable[[list[int]], str],
    *,
    timeout_s: int,
    retry: Retry | None,
) -> int:
    """Enqueue one job per batch of ids through one Redis pipeline; return the job count."""
    queue = messages_queue(settings)
    chunks = list(_chunks(message_ids, SEND_BATCH_SIZE))
    with queue.connection.pipeline() as pipeline:
        for chunk in chunks:
            options = _job_options(job_id_of(chunk), timeout_s=timeout_s)
            # The default description is the call with every id: kept short, it saves memory.
            options["description"] = f"{function.__name__}({len(chunk)} ids from {chunk[0]})"
            if retry is not None:
                options["retry"] = retry
            _put(pipeline, queue, function, (chunk,), at=at, options=options)
        pipeline.execute()
    return len(chunks)


def _batch_job_id(single_prefix: str, batch_prefix: str, ids: list[int], tag: str | None) -> str:
    if len(ids) == 1:
        return f"{single_prefix}{ids[0]}" + (f"-{tag}" if tag else "")
    return f"{batch_prefix}{ids[0]}-{ids[-1]}-{tag}"


def _digest(ids: Iterable[int]) -> str:
    """Return a short tag naming exactly these ids, so enqueueing them twice makes one job."""
    text = ",".join(str(message_id) for message_id in ids)
    return hashlib.blake2b(text.encode(), digest_size=6).hexdigest()


def _chunks(ids: list[int], size: int) -> Iterable[list[int]]:
    for start in range(0, len(ids), size):
        yield ids[start : start + size]


def _job_options(job_id: str, *, timeout_s: int = SEND_MESSAGE_TIMEOUT_S) -> dict[str, Any]:
    return {
        "job_id": job_id,
        "timeout": timeout_s,
        "result_ttl": SEND_MESSAGE_RESULT_TTL_S,
        "failure_ttl": SEND_MESSAGE_FAILURE_TTL_S,
    }


def _put(
    pipeline: Pipeline,
    queue: Queue,
    function: Callable[..., Any],
    args: tuple[Any, ...],
    *,
    at: datetime | None,
    options: dict[str, Any],
) -> None:
    """Add a job to the pipeline: queued now, or scheduled at `at` with a TTL covering the wait."""
    now = utcnow()
    if at is not None and at > now:
        delay_s = int((at - now).total_seconds())
        job = queue.create_job(function, args=args, ttl=scheduled_ttl_s(delay_s), **options)
        queue.schedule_job(job, at, pipeline=pipeline)
    else:
        job = queue.create_job(function, args=args, ttl=SEND_MESSAGE_TTL_S, **options)
        queue.enqueue_job(job, pipeline=pipeline)
