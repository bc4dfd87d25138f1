"""Job that prepares a broadcast: writes its message rows, then enqueues their send jobs.

It runs on the default queue. The request enqueues `prepare-broadcast-<id>` after its
commit. The sweeper enqueues `prepare-broadcast-<id>-<tag>` for a broadcast still
`preparing` with no such job pending, so it can tell which broadcasts have one.
"""

import logging
import secrets

from redis.exceptions import RedisError
from rq import Queue

from messaging.queues import (
    DEFAULT_JOB_FAILURE_TTL_S,
    DEFAULT_JOB_RESULT_TTL_S,
    DEFAULT_JOB_TIMEOUT_S,
    DEFAULT_JOB_TTL_S,
    DEFAULT_QUEUE,
)
from webapp.jobs.context import job_session
from webapp.jobs.dispatch import redis_connection
from webapp.services.broadcast_preparation import prepare_broadcast
from webapp.settings import Settings

logger = logging.getLogger(__name__)

PREPARATION_JOB_PREFIX = "prepare-broadcast-"


def preparation_job_id(broadcast_id: int, tag: str | None = None) -> str:
    """Return the id of a preparation job; a `tag` gives a retried preparation a new id."""
    return f"{PREPARATION_JOB_PREFIX}{broadcast_id}" + (f"-{tag}" if tag else "")


def prepared_broadcast_id(job_id: str) -> int | None:
    """Return the broadcast id a preparation job id names, or None for another job."""
    if not job_id.startswith(PREPARATION_JOB_PREFIX):
        return None
    first = job_id[len(PREPARATION_JOB_PREFIX) :].split("-", maxsplit=1)[0]
    return int(first) if first.isdigit() else None


def enqueue_preparation(settings: Settings, broadcast_id: int, *, tag: str | None = None) -> None:
    """Put the broadcast's preparation on the default queue; call only after its commit.

    In synchronous mode (the laptop demo, no Redis) the preparation runs here. When
    enqueueing fails with a Redis error, the error is logged and the sweeper enqueues
    the preparation again.
    """
    if settings.is_queue_synchronous:
        prepare_broadcast_job(broadcast_id)
        return
    job_id = preparation_job_id(broadcast_id, tag)
    try:
        Queue(DEFAULT_QUEUE, connection=redis_connection(settings.redis_url)).enqueue(
            prepare_broadcast_job,
            broadcast_id,
            job_id=job_id,
            job_timeout=DEFAULT_JOB_TIMEOUT_S,
            ttl=DEFAULT_JOB_TTL_S,
            result_ttl=DEFAULT_JOB_RESULT_TTL_S,
            failure_ttl=DEFAULT_JOB_FAILURE_TTL_S,
        )
    except RedisError:
        logger.exception(
            "Enqueueing the preparation of broadcast %s failed; the sweeper will enqueue it again",
            broadcast_id,
            extra={"broadcast_id": broadcast_id},
        )
        return
    logger.info("Enqueued %s", job_id, extra={"broadcast_id": broadcast_id})


def requeue_preparations(settings: Settings, broadcast_ids: list[int]) -> None:
    """Enqueue a new preparation job for each broadcast.

    Each job gets a new id, because RQ keeps the earlier job's record (failed, or started
    by a worker that died) under the untagged id.
    """
    for broadcast_id in broadcast_ids:
        enqueue_preparation(settings, broadcast_id, tag=secrets.token_hex(4))


def prepare_broadcast_job(broadcast_id: int) -> str:
    """Write the broadcast's rows and status in one transaction, then enqueue its send jobs.

    Idempotent: a broadcast no longer `preparing` is left as it is, and nothing is sent
    twice. An error rolls the whole transaction back, and the sweeper runs it again.
    """
    with job_session() as session:
        preparation = prepare_broadcast(session, broadcast_id)
        session.commit()
    if preparation is None:
        logger.info(
            "Broadcast %s is not preparing: nothing to do",
            broadcast_id,
            extra={"broadcast_id": broadcast_id},
        )
        return "nothing to prepare"
    return f"{preparation.recipient_count} messages, {preparation.status}"
