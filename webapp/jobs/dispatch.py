"""Put message jobs on the RQ queue, or run them in-process for the laptop demo.

Job ids carry the message id (`send-message-<id>`, `send-message-<id>-<tag>` for a job
scheduled again), so the sweeper can tell which queued rows have a job waiting. Running
a job twice is harmless: the claim lets one of them send.
"""

import logging
import secrets
from collections.abc import Sequence
from datetime import datetime
from functools import lru_cache
from typing import Any

from redis import Redis
from rq import Queue, Retry

from messaging.queues import (
    MESSAGES_QUEUE,
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
RECONCILE_JOB_PREFIX = "reconcile-message-"
EVENTS_JOB_PREFIX = "provider-events-"


@lru_cache(maxsize=4)
def redis_connection(url: str) -> Redis:
    """Return one Redis client per URL and process; redis-py reconnects after a fork."""
    return Redis.from_url(url)


def messages_queue(settings: Settings) -> Queue:
    return Queue(MESSAGES_QUEUE, connection=redis_connection(settings.redis_url))


def send_job_id(message_id: int, tag: str | None = None) -> str:
    """Return the id of a send job; a `tag` makes a new job for a message sent again."""
    return f"{SEND_JOB_PREFIX}{message_id}" + (f"-{tag}" if tag else "")


def message_id_of_send_job(job_id: str) -> int | None:
    """Return the message id a send job id names, or None for another job."""
    return _message_id_after(SEND_JOB_PREFIX, job_id)


def message_id_of_reconcile_job(job_id: str) -> int | None:
    """Return the message id a lookup job id names, or None for another job."""
    return _message_id_after(RECONCILE_JOB_PREFIX, job_id)


def _message_id_after(prefix: str, job_id: str) -> int | None:
    if not job_id.startswith(prefix):
        return None
    head = job_id[len(prefix) :].split("-", 1)[0]
    return int(head) if head.isdigit() else None


def enqueue_messages(settings: Settings, schedule: Sequence[tuple[int, datetime | None]]) -> None:
    """Enqueue one send job per (message id, send-after time); call only after commit.

    In synchronous mode (the laptop demo, no Redis) messages due now are sent at once
    and later ones stay queued in the database.
    """
    if not schedule:
        return
    for message_id, send_after in schedule:
        _enqueue_send(settings, message_id, send_after, send_job_id(message_id))
    logger.info("Enqueued %s message jobs", len(schedule))


def enqueue_send_again(settings: Settings, message_id: int, at: datetime | None) -> None:
    """Schedule a new send job for a message that waits (held, rate-limited, retried)."""
    _enqueue_send(settings, message_id, at, send_job_id(message_id, secrets.token_hex(4)))


def enqueue_reconcile(settings: Settings, message_id: int, at: datetime | None) -> None:
    """Schedule the lookup of a message left in sending."""
    from webapp.jobs.messages import reconcile_message_job

    if settings.is_queue_synchronous:
        if at is None or at <= utcnow():
            reconcile_message_job(message_id)
        return
    job_id = f"{RECONCILE_JOB_PREFIX}{message_id}-{secrets.token_hex(4)}"
    _put(messages_queue(settings), reconcile_message_job, (message_id,), at, _job_options(job_id))


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
    _put(
        messages_queue(settings),
        process_provider_events_job,
        (ids, attempt),
        at,
        _job_options(job_id),
    )


def _enqueue_send(settings: Settings, message_id: int, at: datetime | None, job_id: str) -> None:
    from webapp.jobs.messages import send_message

    if settings.is_queue_synchronous:
        if at is None or at <= utcnow():
            send_message(message_id)
        return
    options = _job_options(job_id)
    options["retry"] = Retry(
        max=SEND_MESSAGE_MAX_RETRIES, interval=list(SEND_MESSAGE_RETRY_INTERVALS_S)
    )
    _put(messages_queue(settings), send_message, (message_id,), at, options)


def _job_options(job_id: str) -> dict[str, Any]:
    return {
        "job_id": job_id,
        "job_timeout": SEND_MESSAGE_TIMEOUT_S,
        "result_ttl": SEND_MESSAGE_RESULT_TTL_S,
        "failure_ttl": SEND_MESSAGE_FAILURE_TTL_S,
    }


def _put(
    queue: Queue,
    function: Any,
    args: tuple[Any, ...],
    at: datetime | None,
    options: dict[str, Any],
) -> None:
    """Enqueue now, or schedule at `at` with a TTL that outlives the wait."""
    now = utcnow()
    if at is not None and at > now:
        delay_s = int((at - now).total_seconds())
        queue.enqueue_at(at, function, *args, ttl=scheduled_ttl_s(delay_s), **options)
    else:
        queue.enqueue(function, *args, ttl=SEND_MESSAGE_TTL_S, **options)
